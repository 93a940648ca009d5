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
#include "virt-caps/diff.h"
#include "virt-caps/execcred.h"
#include "virt-caps/kube.h"
#include "virt-caps/log.h"
#include "virt-caps/nodefile.h"
#include "virt-caps/out.h"
#include "virt-caps/report.h"
#include "virt-caps/selector.h"

struct options {
	struct vc_strv files; /* -f, in order; "-" is standard input */
	const char *selector;
	const char *ns;
	const char *kubeconfig;
	const char *context;
	const char *api_option; /* an API-only option given, for -f's usage error */
	struct vc_selector sel; /* -l, parsed, for -f */
	enum vc_output format;
	struct vc_report_opts report;
	struct vc_kube_opts kube;
	unsigned long exec_timeout_s; /* --exec-timeout */
};

static const char usage_text[] =
	"Usage: caps-aggregate [OPTION]...\n"
	"       caps-aggregate -f FILE [-f FILE]... [OPTION]...\n"
	"       caps-aggregate diff [-o yaml|json|text] OLD NEW\n"
	"Print the cluster-wide CPU capabilities report from every node's labels\n"
	"(caps-probe's nfd labels, or KubeVirt's own node-labeller labels), or\n"
	"compare two reports. Every FILE, OLD and NEW may be '-' for standard input.\n"
	"\n"
	"Input (default: the Kubernetes API, configured the way kubectl finds it):\n"
	"  -f, --filename=FILE       read `kubectl get nodes -o json` or `-o yaml`\n"
	"                            output: a List, NodeList, PartialObjectMetadataList\n"
	"                            or Node; repeat to merge several lists (a node in\n"
	"                            two of them is an error)\n"
	"      --kubeconfig=FILE     kubeconfig (default $KUBECONFIG, a colon-separated\n"
	"                            list, then ~/.kube/config, then the in-cluster\n"
	"                            service account)\n"
	"      --context=NAME        kubeconfig context (default: current-context)\n"
	"  -l, --selector=SELECTOR   only nodes matching this label selector (passed to\n"
	"                            the API; with -f: k=v, k!=v, k and !k terms)\n"
	"      --page-size=N         nodes per API page (default 500)\n"
	"      --request-timeout=DUR per API request, e.g. 30s (default 60s)\n"
	"      --retries=N           retries of a failed page (default 5)\n"
	"      --exec-timeout=DUR    time allowed to the kubeconfig's exec credential\n"
	"                            plugin, e.g. 30s (default 60s); its process group\n"
	"                            is then killed (SIGKILL) and the run fails (exit 3)\n"
	"      --list-timeout=DUR    give up (exit 4) when the whole listing, every\n"
	"                            page, retry and wait included, takes longer than\n"
	"                            DUR (default 10m)\n"
	"      --max-nodes=N         give up (exit 4) when the API server lists more\n"
	"                            than N nodes (default 100000; Kubernetes supports\n"
	"                            5000)\n"
	"\n"
	"TLS and proxies, as with kubectl: a kubeconfig CA (certificate-authority or\n"
	"-data, or the service account's) is the only CA trusted; the system's CAs\n"
	"are used only when it names none; a CA with insecure-skip-tls-verify is an\n"
	"error. Proxy: the cluster's proxy-url, else HTTPS_PROXY or https_proxy for\n"
	"https servers, HTTP_PROXY or http_proxy for http servers, except NO_PROXY or\n"
	"no_proxy hosts and loopback (localhost, 127.0.0.0/8, ::1); ALL_PROXY is not\n"
	"read. A token for an http:// server travels in clear text (a warning says so).\n"
	"\n"
	"Report:\n"
	"  -o, --output=FORMAT       yaml (default), json or table\n"
	"      --quorum=N%           also list the models usable on at least N% of the\n"
	"                            probed nodes of an arch: ceil(N * nodes / 100) nodes\n"
	"      --label-namespace=NS  namespace of caps-probe's nfd labels (default\n"
	"                            " VC_NFD_NAMESPACE ")\n"
	"global_caps and quorum are maps keyed by arch, whatever the cluster holds.\n"
	"\n"
	"diff: compares two reports (YAML or JSON): models lost and gained globally and\n"
	"per node, features and machine types, host model and version changes. Its\n"
	"only option is -o yaml, json or text (default). Exit status 1 when a model\n"
	"leaves global_caps or a node present in both loses a usable model, a feature\n"
	"or a machine type.\n"
	"\n" VC_CLI_COMMON_HELP "\n"
	"Exit status: 0 ok, 1 diff found a loss, 2 usage error, 3 bad input (file,\n"
	"JSON, YAML, kubeconfig, a refused token, an exec plugin that fails or runs\n"
	"out of time, no node carries capability labels), 4 API failure, 5 standard\n"
	"output could not be written.\n";

enum {
	OPT_KUBECONFIG = 256,
	OPT_CONTEXT,
	OPT_PAGE_SIZE,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_EXEC_TIMEOUT,
	OPT_LIST_TIMEOUT,
	OPT_MAX_NODES,
	OPT_QUORUM,
	OPT_NAMESPACE,
};

static const struct option report_options[] = {
	{"filename", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"selector", required_argument, NULL, 'l'},
	{"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{"request-timeout", required_argument, NULL, OPT_TIMEOUT},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"exec-timeout", required_argument, NULL, OPT_EXEC_TIMEOUT},
	{"list-timeout", required_argument, NULL, OPT_LIST_TIMEOUT},
	{"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	{"quorum", required_argument, NULL, OPT_QUORUM},
	{"label-namespace", required_argument, NULL, OPT_NAMESPACE},
	{NULL, 0, NULL, 0},
};

static const struct option diff_options[] = {
	{"output", required_argument, NULL, 'o'},
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

/* Bounds of the whole listing (API only). */
static int
set_limit_option(struct options *o, int c, const char *arg)
{
	unsigned long long v;

	if (c == OPT_LIST_TIMEOUT) {
		if (vc_parse_duration(arg, &o->kube.list_timeout_s) < 0 ||
		    o->kube.list_timeout_s == 0)
			return vc_cli_usage_error(
				"--list-timeout: '%s' is not a duration like 90s or 10m",
				arg);
		return 0;
	}
	/* OPT_MAX_NODES */
	if (vc_parse_uint(arg, 100000000, &v) < 0 || v == 0)
		return vc_cli_usage_error(
			"--max-nodes must be a number from 1 to 100000000, not '%s'",
			arg);
	o->kube.max_nodes = (size_t)v;
	return 0;
}

/* Options that only the API listing reads. */
static int
set_api_option(struct options *o, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case OPT_KUBECONFIG:
		o->kubeconfig = arg;
		return 0;
	case OPT_CONTEXT:
		o->context = arg;
		return 0;
	case OPT_PAGE_SIZE:
		if (vc_parse_uint(arg, 100000, &v) < 0 || v == 0)
			return vc_cli_usage_error(
				"--page-size must be a number from 1 to 100000, not '%s'",
				arg);
		o->kube.page_size = (size_t)v;
		return 0;
	case OPT_TIMEOUT:
		if (vc_parse_duration(arg, &o->kube.timeout_s) < 0 ||
		    o->kube.timeout_s == 0)
			return vc_cli_usage_error(
				"--request-timeout: '%s' is not a duration like 30s or 2m",
				arg);
		return 0;
	case OPT_EXEC_TIMEOUT:
		if (vc_parse_duration(arg, &o->exec_timeout_s) < 0 ||
		    o->exec_timeout_s == 0)
			return vc_cli_usage_error(
				"--exec-timeout: '%s' is not a duration like 30s or 2m",
				arg);
		return 0;
	case OPT_RETRIES:
		if (vc_parse_uint(arg, 100, &v) < 0)
			return vc_cli_usage_error(
				"--retries must be a number from 0 to 100, not '%s'",
				arg);
		o->kube.retries = (unsigned)v;
		return 0;
	default:
		return set_limit_option(o, c, arg);
	}
}

static int
set_report_option(void *ctx, int c, const char *arg)
{
	struct options *o = ctx;
	const char *why;

	switch (c) {
	case 'f':
		vc_strv_push(&o->files, arg);
		return 0;
	case 'l':
		o->selector = arg;
		return 0;
	case 'o':
		return vc_cli_output(arg,
				     VC_OUTPUT_BIT(VC_OUTPUT_YAML) |
					     VC_OUTPUT_BIT(VC_OUTPUT_JSON) |
					     VC_OUTPUT_BIT(VC_OUTPUT_TABLE),
				     &o->format);
	case OPT_QUORUM:
		return parse_quorum(arg, &o->report.quorum);
	case OPT_NAMESPACE:
		if (!vc_dns_subdomain_valid(arg, &why))
			return vc_cli_usage_error(
				"--label-namespace '%s' is not a lowercase DNS subdomain",
				arg);
		o->ns = arg;
		return 0;
	}
	for (const struct option *opt = report_options; opt->name; opt++)
		if (opt->val == c)
			o->api_option = opt->name; /* for -f's usage error */
	return set_api_option(o, c, arg);
}

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

/* What getopt cannot check: operands, -f against API options, stdin twice. */
static int
check_report_options(struct options *o, int argc, char **argv)
{
	size_t stdin_uses = 0;

	if (optind < argc && streq(argv[optind], "diff"))
		return vc_cli_usage_error(
			"'diff' comes first: caps-aggregate diff [OPTION]... OLD NEW");
	if (optind < argc)
		return vc_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->files.n && o->api_option)
		return vc_cli_usage_error(
			"--%s is for the API; it cannot be used with -f", o->api_option);
	for (size_t i = 0; i < o->files.n; i++)
		stdin_uses += vc_is_stdin(o->files.v[i]);
	if (stdin_uses > 1)
		return vc_cli_usage_error("standard input ('-') can be read only once");
	if (o->files.n && o->selector && vc_selector_parse(o->selector, &o->sel) < 0)
		return -EINVAL;
	return 0;
}

/* ---- reading ---------------------------------------------------------------- */

struct reader {
	struct vc_cluster *cluster;
	const struct vc_selector *sel;
	bool filter;
};

static void
on_node(void *data, const char *name, const struct vc_label_ref *labels, size_t n)
{
	struct reader *r = data;

	if (!r->filter || vc_selector_match(r->sel, labels, n))
		vc_cluster_add(r->cluster, name, labels, n);
}

static bool
want_label(void *data, const char *key, size_t len)
{
	return vc_cluster_wants(((struct reader *)data)->cluster, key, len);
}

static enum vc_result
read_files(const struct options *o, struct reader *r)
{
	const struct vc_nodefile_opts f = {
		.node = on_node,
		/* the selector needs every label; the model only some */
		.want = r->filter ? NULL : want_label,
		.data = r,
	};
	for (size_t i = 0; i < o->files.n; i++) {
		size_t before = r->cluster->n;

		r->cluster->source = (unsigned)i;
		if (vc_nodefile_read(o->files.v[i], &f) < 0)
			return VC_ERR_INPUT;
		vc_info("read %s: %zu node%s%s", vc_input_name(o->files.v[i]),
			r->cluster->n - before, vc_plural(r->cluster->n - before),
			r->filter ? " matching -l" : "");
	}
	return VC_OK;
}

static void
sink_rollback(void *data, size_t keep)
{
	vc_cluster_truncate(((struct reader *)data)->cluster, keep);
}

static size_t
sink_count(void *data)
{
	return ((struct reader *)data)->cluster->n;
}

/* -v: where the nodes come from, and as whom (never a credential). */
static void
describe_config(const struct vc_kube_config *c)
{
	if (c->context)
		vc_info("%s: context '%s', server %s, user '%s'", c->source, c->context,
			c->server, c->user);
	else
		vc_info("%s: server %s, user '%s'", c->source, c->server, c->user);
}

static int
run_plugin(struct vc_kube_config *c, unsigned long timeout_s)
{
	_autofree_ char *cmd = c->exec_command ? xstrdup(c->exec_command) : NULL;
	double t0 = vc_monotonic_s();
	int rc = vc_execcred_apply(c, timeout_s);

	if (rc == 0 && cmd)
		vc_info("exec credential plugin %s gave %s in %.2fs", cmd,
			c->token ? "a token" : "a client certificate",
			vc_monotonic_s() - t0);
	return rc;
}

static enum vc_result
read_api(struct options *o, struct reader *r)
{
	struct vc_kube_config cfg;
	struct vc_kube_sink sink = {.node = on_node,
				    .rollback = sink_rollback,
				    .count = sink_count,
				    .data = r};
	enum vc_result rc = VC_ERR_INPUT;

	if (vc_kube_config_load(o->kubeconfig, o->context, &cfg) < 0)
		return VC_ERR_INPUT;
	describe_config(&cfg);
	if (run_plugin(&cfg, o->exec_timeout_s) == 0) {
		o->kube.selector = o->selector;
		/* Progress on a terminal unless -q. */
		o->kube.progress = isatty(2) && vc_log_get_level() >= VC_LOG_WARN;
		rc = vc_kube_list_nodes(&cfg, &o->kube, &sink);
	}
	if (rc == VC_OK && r->cluster->n == 0) {
		vc_err("the API server at %s listed no nodes%s%s", cfg.server,
		       o->selector ? " matching " : "", o->selector ? o->selector : "");
		rc = VC_ERR_INPUT;
	}
	vc_kube_config_clear(&cfg);
	return rc;
}

/* ---- output ------------------------------------------------------------------- */

static int
print_report(const struct options *o, const struct vc_cluster *c,
	     const struct vc_summary *s)
{
	_autofree_ char *text = NULL;
	struct vc_out *out;
	int rc;

	if (o->format == VC_OUTPUT_TABLE) {
		text = vc_report_table(c, s, &o->report);
		return vc_cli_write_stdout(text, strlen(text));
	}
	/* The input is read and checked: stream the (large) report. */
	out = vc_out_new_stream(vc_cli_format(o->format), stdout);
	vc_report_write_cluster(out, c, s, &o->report);
	errno = 0;
	rc = vc_out_finish(out, NULL, NULL);
	vc_out_free(out);
	return rc < 0 ? vc_cli_output_failed(errno ? errno : EIO) : 0;
}

/* A node listed twice: two answers for one node, which one is right? */
static enum vc_exit
check_clash(const struct options *o, const struct vc_cluster *c)
{
	if (!c->clash.name)
		return VC_EXIT_OK;
	if (!o->files.n) {
		vc_err("the API server listed node %s twice", c->clash.name);
		return VC_EXIT_BACKEND;
	}
	if (c->clash.first == c->clash.second)
		vc_err("%s: node %s is listed twice",
		       vc_input_name(o->files.v[c->clash.first]), c->clash.name);
	else
		vc_err("node %s is in both %s and %s", c->clash.name,
		       vc_input_name(o->files.v[c->clash.first]),
		       vc_input_name(o->files.v[c->clash.second]));
	return VC_EXIT_DATA;
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

static enum vc_exit
run_report(struct options *o)
{
	struct vc_cluster c = {.ns = o->ns};
	struct reader r = {
		.cluster = &c, .sel = &o->sel, .filter = o->files.n && o->selector};
	struct vc_summary s = {0};
	enum vc_exit rc = vc_exit_for(o->files.n ? read_files(o, &r) : read_api(o, &r));

	if (rc == VC_EXIT_OK) {
		vc_cluster_sort(&c);
		rc = check_clash(o, &c);
	}
	if (rc == VC_EXIT_OK) {
		vc_cluster_summarize(&c, &s);
		if (c.n == 0) { /* only a local -l can leave no node */
			vc_err("no node of the input matches -l %s", o->selector);
			rc = VC_EXIT_DATA;
		} else if (s.probed == 0) {
			vc_err("none of the %zu nodes carries CPU capability labels (caps-probe's or KubeVirt's)",
			       c.n);
			rc = VC_EXIT_DATA;
		}
	}
	if (rc == VC_EXIT_OK) {
		warn_summary(&c, &s, o->format);
		if (print_report(o, &c, &s) < 0)
			rc = VC_EXIT_OUTPUT;
	}
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
	return rc;
}

/* ---- diff ------------------------------------------------------------------------ */

static int
print_diff(enum vc_output f, const struct vc_diff *d)
{
	_autofree_ char *text = NULL;
	size_t len = 0;
	struct vc_out *out;
	int rc;

	if (f == VC_OUTPUT_TEXT) {
		text = vc_diff_text(d);
		return vc_cli_write_stdout(text, strlen(text));
	}
	out = vc_out_new(vc_cli_format(f));
	vc_diff_write(out, d);
	rc = vc_out_finish(out, &text, &len);
	vc_out_free(out);
	if (rc < 0) {
		vc_err("cannot render the diff");
		return rc;
	}
	return vc_cli_write_stdout(text, len);
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

static enum vc_exit
run_diff(int argc, char **argv)
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

int
main(int argc, char **argv)
{
	struct options o = {
		.format = VC_OUTPUT_YAML,
		.exec_timeout_s = VC_EXEC_TIMEOUT_DEFAULT,
		.kube = {.page_size = 500,
			 .timeout_s = 60,
			 .retries = 5,
			 .list_timeout_s = 600,
			 .max_nodes = 100000},
	};
	const struct vc_cli cli = {
		.usage = usage_text,
		.short_opts = "f:o:l:",
		.long_opts = report_options,
		.option = set_report_option,
		.ctx = &o,
	};
	int rc;

	vc_cli_init("caps-aggregate");
	if (no_core_dumps() < 0)
		return VC_EXIT_BACKEND;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if (argc > 1 && streq(argv[1], "diff"))
		return run_diff(argc - 1, argv + 1);
	rc = vc_cli_parse(&cli, argc, argv);
	if (rc == VC_CLI_RUN)
		rc = check_report_options(&o, argc, argv);
	rc = rc == VC_CLI_RUN ? run_report(&o) : vc_cli_exit(rc);
	vc_selector_clear(&o.sel);
	vc_strv_clear(&o.files);
	return rc;
}
