/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-aggregate: read every node's CPU capability labels (from the
 * Kubernetes API or a `kubectl get nodes -o json` file) and print the
 * cluster-wide report; `caps-aggregate diff OLD NEW` compares two reports.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "virt-caps/cli.h"
#include "virt-caps/cluster.h"
#include "virt-caps/commands.h"
#include "virt-caps/diff.h"
#include "virt-caps/input.h"
#include "virt-caps/keep.h"
#include "virt-caps/log.h"
#include "virt-caps/out.h"
#include "virt-caps/report.h"

struct options {
	struct vc_input in;
	enum vc_output format;
	struct vc_report_opts report;
	struct vc_keep keep;
};

static const char usage_text[] =
	"Usage: caps-aggregate [OPTION]...\n"
	"       caps-aggregate -f FILE [-f FILE]... [OPTION]...\n"
	"       caps-aggregate COMMAND [OPTION]... (see caps-aggregate COMMAND --help)\n"
	"Print the cluster-wide CPU capabilities report from every node's labels\n"
	"(caps-probe's nfd labels, or KubeVirt's own node-labeller labels).\n"
	"\n"
	"Commands:\n"
	"  diff OLD NEW              compare two reports; exit 1 on a loss\n"
	"  advise                    the CPU model each pool of nodes can agree on,\n"
	"                            its extra features and cost; exit 1 when a pool\n"
	"                            has no common model\n"
	"  explain MODEL [NODE]...   why MODEL is or is not usable on each node; exit 1\n"
	"                            when it is not usable on every one\n"
	"  what-if NODE_REPORT...    what adding (--remove: removing) nodes would\n"
	"                            change; exit 1 when a model leaves global_caps\n"
	"\n" VC_INPUT_HELP "\n"
	"Report:\n"
	"  -o, --output=FORMAT       yaml (default), json or table\n"
	"      --quorum=N%           also list the models usable on at least N% of the\n"
	"                            probed nodes of an arch: ceil(N * nodes / 100) nodes\n"
	"global_caps and quorum are maps keyed by arch, whatever the cluster holds.\n"
	"Each node says where its data came from (source: nfd or kubevirt) and\n"
	"whether its CPU was emulated (emulated: true for virttype qemu, i.e. TCG;\n"
	"null when the labels name no virttype); the table's SOURCE and ACCEL\n"
	"columns (kvm, tcg) say the same. Warnings (in the report and on standard\n"
	"error) name nodes whose caps-probe and KubeVirt labels disagree, nodes with\n"
	"no usable model, and emulated nodes next to kvm ones.\n"
	"\n"
	"Keeping the report (a nightly Job that fails when something is lost):\n"
	"      --keep=configmap/NAME read the previous report from the ConfigMap NAME\n"
	"                            (data key '" VC_KEEP_KEY
	"'), compare the new one with it\n"
	"                            as `diff` does, store the new one in its place\n"
	"                            (created when missing; on a 409 Conflict read\n"
	"                            again and retried once), then print the new report\n"
	"                            followed by the comparison as YAML comments; exit 1\n"
	"                            when something usable was lost (the new report is\n"
	"                            stored all the same, so each loss fails one run).\n"
	"                            A report over 1 MiB does not fit a ConfigMap:\n"
	"                            exit 3, nothing stored or printed\n"
	"      --keep=file:PATH      the same with the file PATH (replaced atomically)\n"
	"      --keep-namespace=NS   the ConfigMap's namespace (default: the pod's own,\n"
	"                            from the service account, else " VC_KEEP_DEFAULT_NAMESPACE
	")\n"
	"With --keep, the output is YAML only, warnings are not printed on standard\n"
	"error (the report's warnings list has them; -v prints them and what is\n"
	"done), and nothing is printed unless the report was stored: the log of a\n"
	"run, standard output and error together, is one valid YAML document, or an\n"
	"error. With -f, --kubeconfig, --context, --request-timeout and\n"
	"--exec-timeout configure the ConfigMap calls of --keep=configmap/NAME.\n"
	"\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 ok, 1 (--keep) something usable was lost since the kept\n"
	"report, 2 usage error, 3 bad input (file,\n"
	"JSON, YAML, kubeconfig, a refused token, an exec plugin that fails or runs\n"
	"out of time, no node carries capability labels, a kept report that cannot\n"
	"be read or does not fit), 4 API failure (also reading or storing the kept\n"
	"ConfigMap), 5 standard output (or the kept file) could not be written.\n";

enum {
	OPT_QUORUM = VC_OPT_INPUT_END,
	OPT_KEEP,
	OPT_KEEP_NAMESPACE,
};

static const struct option report_options[] = {
	VC_INPUT_LONG_OPTIONS,
	{"output", required_argument, NULL, 'o'},
	{"quorum", required_argument, NULL, OPT_QUORUM},
	{"keep", required_argument, NULL, OPT_KEEP},
	{"keep-namespace", required_argument, NULL, OPT_KEEP_NAMESPACE},
	{NULL, 0, NULL, 0},
};

static int
parse_quorum(const char *arg, unsigned *out)
{
	_autofree_ char *num = xstrdup(arg);
	size_t n = strlen(num);
	unsigned long long v;

	if (n && num[n - 1] == '%')
		num[n - 1] = '\0';
	if (vc_parse_uint(num, 100, &v) < 0 || v == 0)
		return vc_cli_usage_error(
			"--quorum must be a percentage from 1%% to 100%%, not '%s'", arg);
	*out = (unsigned)v;
	return 0;
}

static int
set_report_option(void *ctx, int c, const char *arg)
{
	struct options *o = ctx;

	switch (c) {
	case 'o':
		return vc_cli_output(arg,
				     VC_OUTPUT_BIT(VC_OUTPUT_YAML) |
					     VC_OUTPUT_BIT(VC_OUTPUT_JSON) |
					     VC_OUTPUT_BIT(VC_OUTPUT_TABLE),
				     &o->format);
	case OPT_QUORUM:
		return parse_quorum(arg, &o->report.quorum);
	case OPT_KEEP:
		return vc_keep_parse(&o->keep, arg);
	case OPT_KEEP_NAMESPACE:
		if (strempty(arg))
			return vc_cli_usage_error("--keep-namespace needs a namespace");
		o->keep.ns = arg;
		return 0;
	}
	return vc_input_option(&o->in, c, arg);
}

/* What getopt cannot check: operands, then the input's own checks. */
static int
check_report_options(struct options *o, int argc, char **argv)
{
	if (optind < argc && vc_aggregate_command(argv[optind]))
		return vc_cli_usage_error(
			"'%s' comes first: caps-aggregate %s [OPTION]...", argv[optind],
			argv[optind]);
	if (optind < argc)
		return vc_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->keep.kind != VC_KEEP_NONE && o->format != VC_OUTPUT_YAML)
		return vc_cli_usage_error(
			"--keep prints YAML (the comparison follows as YAML comments): drop -o");
	if (o->keep.ns && o->keep.kind != VC_KEEP_CONFIGMAP)
		return vc_cli_usage_error(
			"--keep-namespace goes with --keep=configmap/NAME");
	/* The ConfigMap calls use the kubeconfig, also when -f lists nodes. */
	o->in.api_for_keep = o->keep.kind == VC_KEEP_CONFIGMAP;
	/* The log is one YAML document: warnings are in the report already,
	 * and a line of them between report and comments would break it. */
	if (o->keep.kind != VC_KEEP_NONE && vc_log_get_level() == VC_LOG_WARN)
		vc_log_set_level(VC_LOG_ERROR);
	return vc_input_check(&o->in);
}

/* ---- output ------------------------------------------------------------------- */

static int
print_report(const struct options *o, const struct vc_cluster *c,
	     const struct vc_summary *s)
{
	_autofree_ char *text = NULL;
	struct vc_out *out;

	if (o->format == VC_OUTPUT_TABLE) {
		text = vc_report_table(c, s, &o->report);
		return vc_cli_write_stdout(text, strlen(text));
	}
	/* The input is read and checked: stream the (large) report. */
	out = vc_out_new_stream(vc_cli_format(o->format), stdout);
	vc_report_write_cluster(out, c, s, &o->report);
	return vc_cli_finish_stream(out);
}

static void
warn_summary(const struct vc_cluster *c, const struct vc_summary *s, enum vc_output f)
{
	struct vc_strv w = {0};

	if (f == VC_OUTPUT_TABLE) /* the table prints them itself */
		return;
	vc_report_warnings(c, s, &w);
	for (size_t i = 0; i < w.n; i++)
		vc_warn("%s", w.v[i]);
	vc_strv_clear(&w);
}

/*
 * --keep: the report in memory (it is compared and stored before it is
 * printed), then the comparison as YAML comments after it.
 */
static enum vc_exit
keep_report(const struct options *o, const struct vc_cluster *c,
	    const struct vc_summary *s)
{
	_autoout_ struct vc_out *out = vc_out_new(VC_FMT_YAML);
	_autofree_ char *text = NULL, *comment = NULL;
	size_t len = 0;
	bool lost = false;
	enum vc_exit rc;

	vc_report_write_cluster(out, c, s, &o->report);
	if (vc_out_finish(out, &text, &len) < 0)
		abort(); /* memory output: only an allocation can fail */
	rc = vc_keep_report(&o->keep, &o->in, text, len, &comment, &lost);
	if (rc != VC_EXIT_OK)
		return rc;
	if (vc_cli_write_stdout(text, len) < 0 || vc_cli_write_text(steal(&comment)) < 0)
		return VC_EXIT_OUTPUT;
	return lost ? VC_EXIT_LOSS : VC_EXIT_OK;
}

static enum vc_exit
run_report(struct options *o)
{
	struct vc_cluster c = {0};
	struct vc_summary s = {0};
	enum vc_exit rc = vc_input_load(&o->in, &c, &s);

	if (rc == VC_EXIT_OK && o->keep.kind != VC_KEEP_NONE) {
		rc = keep_report(o, &c, &s); /* warnings: in the report only */
	} else if (rc == VC_EXIT_OK) {
		warn_summary(&c, &s, o->format);
		if (print_report(o, &c, &s) < 0)
			rc = VC_EXIT_OUTPUT;
	}
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
	return rc;
}

/*
 * Before any credential is read: no core file (an out-of-memory abort
 * would write the token and key into one), and not dumpable, so that other
 * processes of the same user cannot read this one's memory (/proc/PID/mem,
 * ptrace) and /proc/PID belongs to root.
 */
static int
no_core_dumps(void)
{
	const struct rlimit none = {0, 0};

	if (setrlimit(RLIMIT_CORE, &none) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0) {
		vc_err("cannot disable core dumps: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static const struct {
	const char *name;
	vc_command_fn *fn;
} commands[] = {
	{"diff", vc_cmd_diff},
	{"advise", vc_cmd_advise},
	{"explain", vc_cmd_explain},
	{"what-if", vc_cmd_whatif},
};

vc_command_fn *
vc_aggregate_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_LENGTH(commands); i++)
		if (streq(name, commands[i].name))
			return commands[i].fn;
	return NULL;
}

int
main(int argc, char **argv)
{
	struct options o = {.format = VC_OUTPUT_YAML};
	const struct vc_cli cli = {
		.usage = usage_text,
		.short_opts = VC_INPUT_SHORT_OPTS "o:",
		.long_opts = report_options,
		.option = set_report_option,
		.ctx = &o,
	};
	int (*command)(int, char **);
	int rc;

	vc_cli_init("caps-aggregate");
	if (no_core_dumps() < 0)
		return VC_EXIT_BACKEND;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	command = argc > 1 ? vc_aggregate_command(argv[1]) : NULL;
	if (command)
		return command(argc - 1, argv + 1);
	vc_input_init(&o.in);
	rc = vc_cli_parse(&cli, argc, argv);
	if (rc == VC_CLI_RUN)
		rc = check_report_options(&o, argc, argv);
	rc = rc == VC_CLI_RUN ? run_report(&o) : vc_cli_exit(rc);
	vc_input_clear(&o.in);
	return rc;
}
