/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate advise`: the cpuModel each pool of nodes can agree on,
 * the extra features every node of the pool has, and what it costs.
 */
#include <errno.h>

#include "virt-caps/advise.h"
#include "virt-caps/cli.h"
#include "virt-caps/commands.h"
#include "virt-caps/input.h"
#include "virt-caps/log.h"

static const char usage_text[] =
	"Usage: caps-aggregate advise [-f FILE]... [OPTION]...\n"
	"Recommend, per pool of nodes, the CPU model (KubeVirt's cpuModel) usable on\n"
	"every node of the pool, with the extra features they all support and what\n"
	"each node gives up against its own host model.\n"
	"\n"
	"A pool is the probed nodes of one arch, CPU vendor and virttype (live\n"
	"migration never crosses vendors): kvm pools first, then pools of another\n"
	"virttype or none labelled (\"virttype unknown\": never assumed to be kvm),\n"
	"then software emulation (virttype qemu). Candidates are the models usable\n"
	"on every node of a pool, ranked by the number of features libvirt's CPU\n"
	"map gives them (inheritance resolved); ties go to bytewise name order, and\n"
	"models the map does not know come last, unranked, by name. When the map\n"
	"knows none of a pool's candidates, the first by name is shown, marked\n"
	"\"cannot rank\" (ranked: false), with no snippet: choose yourself.\n"
	"Extra features: the cpu-feature labels every node of the pool has, minus\n"
	"the model's features and features the map marks migratable='no'. A node\n"
	"gives up the features of its host model (in the map) and its host model's\n"
	"required features that neither the model nor the extra features carry.\n"
	"When no model is common to a pool, the model lacked by the fewest nodes\n"
	"(ties: higher rank, then name) is named with the nodes lacking it: the\n"
	"smallest set of nodes whose removal makes a single model common.\n"
	"The snippet is a `kubectl patch` of the KubeVirt CR when the cluster has\n"
	"exactly one pool that is not emulated (a note says so when its virttype\n"
	"is not kvm), else a VM spec per pool (spec.domain.cpu); names in it are\n"
	"quoted for the shell, JSON and YAML.\n"
	"\n" VC_INPUT_HELP "\n"
	"Advice:\n" VC_MAP_CMD_HELP "\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 every pool has a common model, 1 some pool has none, 2 usage\n"
	"error, 3 bad input (nodes, CPU map), 4 API failure, 5 standard output could\n"
	"not be written.\n";

static const struct option advise_options[] = {
	VC_MAP_CMD_LONG_OPTIONS,
	{NULL, 0, NULL, 0},
};

static int
set_advise_option(void *ctx, int c, const char *arg)
{
	return vc_map_cmd_option(ctx, c, arg);
}

static int
print_advice(enum vc_output f, const struct vc_advise *a)
{
	struct vc_out *out;

	if (f == VC_OUTPUT_TEXT)
		return vc_cli_write_text(vc_advise_text(a));
	/* Streamed as the report is: with 10,000 nodes the document is a few
	 * MiB (every node's gives_up), more than the rest of advise holds. */
	out = vc_out_new_stream(vc_cli_format(f), stdout);
	vc_advise_write(out, a);
	return vc_cli_finish_stream(out);
}

static void
warn_advice(const struct vc_advise *a, enum vc_output f)
{
	if (f == VC_OUTPUT_TEXT) /* the text prints them itself */
		return;
	for (size_t i = 0; i < a->warnings.n; i++)
		vc_warn("%s", a->warnings.v[i]);
}

static enum vc_exit
run_advise(struct vc_map_cmd *o)
{
	struct vc_cpumap m = {0};
	struct vc_cluster c = {0};
	struct vc_summary s = {0};
	struct vc_advise a = {0};
	enum vc_exit rc = VC_EXIT_DATA;

	/* Advice reads models, features and required features only: not
	 * keeping the other sets (about half of a node's ids) keeps advise's
	 * peak memory under the report's, which holds them all. */
	c.drop_sets = VC_SET_BIT(VC_SET_MIGRATION) | VC_SET_BIT(VC_SET_MACHINES) |
		      VC_SET_BIT(VC_SET_HYPERV);
	/* The map first: a bad --cpu-map fails before any API call. */
	if (vc_cpumap_load(o->cpu_map, &m) == 0)
		rc = vc_input_load(&o->in, &c, &s);
	if (rc == VC_EXIT_OK) {
		vc_advise_compute(&c, &s, &m, &a);
		warn_advice(&a, o->format);
		if (print_advice(o->format, &a) < 0)
			rc = VC_EXIT_OUTPUT;
		else if (vc_advise_has_gap(&a))
			rc = VC_EXIT_LOSS;
	}
	vc_advise_clear(&a);
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
	vc_cpumap_clear(&m);
	return rc;
}

int
vc_cmd_advise(int argc, char **argv)
{
	struct vc_map_cmd o;
	const struct vc_cli cli = {
		.subcommand = "advise",
		.usage = usage_text,
		.short_opts = VC_MAP_CMD_SHORT_OPTS,
		.long_opts = advise_options,
		.option = set_advise_option,
		.ctx = &o,
	};
	int rc;

	vc_map_cmd_init(&o);
	rc = vc_cli_parse(&cli, argc, argv);
	if (rc == VC_CLI_RUN && optind < argc)
		rc = vc_cli_usage_error("advise: unexpected argument '%s'", argv[optind]);
	if (rc == VC_CLI_RUN)
		rc = vc_input_check(&o.in);
	rc = rc == VC_CLI_RUN ? run_advise(&o) : vc_cli_exit(rc);
	vc_input_clear(&o.in);
	return rc;
}
