/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate diff OLD NEW`: compare two reports and exit 1 on a loss.
 */
#include <errno.h>

#include "virt-caps/cli.h"
#include "virt-caps/commands.h"
#include "virt-caps/diff.h"
#include "virt-caps/log.h"

static const char usage_text[] =
	"Usage: caps-aggregate diff [-o yaml|json|text] OLD NEW\n"
	"Compare two caps-aggregate reports (YAML or JSON): models lost and gained\n"
	"globally and per node, features and machine types, host model, vendor,\n"
	"virttype and version changes (a vendor or virttype that either report does\n"
	"not name, as in older reports, is unknown: no change). OLD or NEW may be\n"
	"'-' for standard input. A node probed in OLD that NEW lists as unprobed\n"
	"(still in the cluster, its labels gone) is 'no longer probed', a loss; a\n"
	"node missing from NEW is removed, which is not.\n"
	"\n"
	"  -o, --output=FORMAT       text (default), yaml or json\n"
	"\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 nothing lost, 1 a model left global_caps or a node present in\n"
	"both lost a usable model, a feature or a machine type, or is no longer\n"
	"probed, 2 usage error, 3 a\n"
	"report cannot be read, 5 standard output could not be written.\n";

static const struct option diff_options[] = {
	{"output", required_argument, NULL, 'o'},
	{NULL, 0, NULL, 0},
};

static int
set_diff_option(void *ctx, int c, const char *arg)
{
	/* The table has only --output. */
	return vc_cli_output(arg,
			     VC_OUTPUT_BIT(VC_OUTPUT_YAML) |
				     VC_OUTPUT_BIT(VC_OUTPUT_JSON) |
				     VC_OUTPUT_BIT(VC_OUTPUT_TEXT),
			     ctx);
}

static int
print_diff(enum vc_output f, const struct vc_diff *d)
{
	struct vc_out *out;

	if (f == VC_OUTPUT_TEXT)
		return vc_cli_write_text(vc_diff_text(d));
	out = vc_out_new(vc_cli_format(f));
	vc_diff_write(out, d);
	return vc_cli_write_out(out, "diff");
}

static enum vc_exit
compare(const char *old, const char *new, enum vc_output f)
{
	struct vc_rdoc a = {0}, b = {0};
	struct vc_diff d = {0};
	enum vc_exit rc = VC_EXIT_DATA;

	if (vc_rdoc_load(old, &a) == 0 && vc_rdoc_load(new, &b) == 0) {
		vc_diff_compute(&a, &b, &d);
		if (print_diff(f, &d) < 0)
			rc = VC_EXIT_OUTPUT;
		else
			rc = d.lost ? VC_EXIT_LOSS : VC_EXIT_OK;
	}
	vc_diff_clear(&d);
	vc_rdoc_clear(&a);
	vc_rdoc_clear(&b);
	return rc;
}

int
vc_cmd_diff(int argc, char **argv)
{
	enum vc_output format = VC_OUTPUT_TEXT;
	const struct vc_cli cli = {
		.subcommand = "diff",
		.usage = usage_text,
		.short_opts = "o:",
		.long_opts = diff_options,
		.option = set_diff_option,
		.ctx = &format,
	};
	int rc = vc_cli_parse(&cli, argc, argv);

	if (rc != VC_CLI_RUN)
		return vc_cli_exit(rc);
	if (argc - optind != 2) {
		vc_cli_usage_error("diff takes two report files, OLD and NEW");
		return VC_EXIT_USAGE;
	}
	if (vc_is_stdin(argv[optind]) && vc_is_stdin(argv[optind + 1])) {
		vc_cli_usage_error(
			"diff: standard input ('-') can be only one of OLD and NEW");
		return VC_EXIT_USAGE;
	}
	return compare(argv[optind], argv[optind + 1], format);
}
