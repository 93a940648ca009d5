/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-aggregate: read every node's CPU capability labels (from the
 * Kubernetes API or a `kubectl get nodes -o json` file) and print the
 * cluster-wide report; `caps-aggregate diff OLD NEW` compares two reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <time.h>

#include "virt-caps/cli.h"
#include "virt-caps/cluster.h"
#include "virt-caps/diff.h"
#include "virt-caps/execcred.h"
#include "virt-caps/exitcode.h"
#include "virt-caps/kube.h"
#include "virt-caps/log.h"
#include "virt-caps/nodelist.h"
#include "virt-caps/out.h"
#include "virt-caps/report.h"
#include "virt-caps/selector.h"

#define READ_CHUNK (256 * 1024)

enum format {
	FMT_YAML,
	FMT_JSON,
	FMT_TABLE,
};

struct options {
	const char *file;
	const char *selector;
	const char *ns;
	const char *kubeconfig;
	const char *context;
	struct vc_selector sel; /* -l, parsed, for -f */
	enum format format;
	struct vc_report_opts report;
	struct vc_kube_opts kube;
};

static const char usage_text[] =
	"Usage: caps-aggregate [OPTION]...\n"
	"       caps-aggregate -f FILE|- [OPTION]...\n"
	"       caps-aggregate diff OLD NEW [-o yaml|json|text]\n"
	"Print the cluster-wide CPU capabilities report from every node's labels\n"
	"(caps-probe's nfd labels, or KubeVirt's own node-labeller labels), or\n"
	"compare two reports.\n"
	"\n"
	"Input (default: the Kubernetes API, configured the way kubectl finds it):\n"
	"  -f, --filename=FILE       read `kubectl get nodes -o json` output ('-': stdin);\n"
	"                            a List, NodeList, PartialObjectMetadataList or Node\n"
	"      --kubeconfig=FILE     kubeconfig (default $KUBECONFIG, a colon-separated\n"
	"                            list, then ~/.kube/config, then the in-cluster\n"
	"                            service account)\n"
	"      --context=NAME        kubeconfig context (default: current-context)\n"
	"  -l, --selector=SELECTOR   only nodes matching this label selector (passed to\n"
	"                            the API; with -f: k=v, k!=v, k and !k terms)\n"
	"      --page-size=N         nodes per API page (default 500)\n"
	"      --request-timeout=DUR per API request, e.g. 30s (default 60s)\n"
	"      --retries=N           retries of a failed page (default 5)\n"
	"\n"
	"Report:\n"
	"  -o, --output=FORMAT       yaml (default), json or table\n"
	"      --quorum=N%           also list the models usable on at least N% of the\n"
	"                            probed nodes of an arch: ceil(N * nodes / 100) nodes\n"
	"      --label-namespace=NS  namespace of caps-probe's nfd labels (default\n"
	"                            " VC_NFD_NAMESPACE ")\n"
	"\n"
	"diff: compares two reports (YAML or JSON): models lost and gained globally and\n"
	"per node, features and machine types, host model and version changes. Exit\n"
	"status 1 when a model leaves global_caps or a node present in both loses a\n"
	"usable model, a feature or a machine type.\n"
	"\n"
	"  -v, --verbose, -q, --quiet, -h, --help, --version\n"
	"\n"
	"Exit status: 0 ok, 1 diff found a loss, 2 usage error, 3 bad input (file,\n"
	"JSON, kubeconfig, no node carries capability labels), 4 API failure.\n";

enum {
	OPT_KUBECONFIG = 256,
	OPT_CONTEXT,
	OPT_PAGE_SIZE,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_QUORUM,
	OPT_NAMESPACE,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{"filename", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"selector", required_argument, NULL, 'l'},
	{"kubeconfig", required_argument, NULL, OPT_KUBECONFIG},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{"request-timeout", required_argument, NULL, OPT_TIMEOUT},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"quorum", required_argument, NULL, OPT_QUORUM},
	{"label-namespace", required_argument, NULL, OPT_NAMESPACE},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (strempty(s) || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

static int
parse_format(const char *s, enum format *f)
{
	if (streq(s, "yaml"))
		*f = FMT_YAML;
	else if (streq(s, "json"))
		*f = FMT_JSON;
	else if (streq(s, "table") || streq(s, "text"))
		*f = FMT_TABLE;
	else
		return -EINVAL;
	return 0;
}

static int
parse_quorum(const char *arg, unsigned *out)
{
	_autofree_ char *num = xstrdup(arg);
	size_t n = strlen(num);
	unsigned long v;

	if (n && num[n - 1] == '%')
		num[n - 1] = '\0';
	if (parse_uint(num, 100, &v) < 0 || v == 0)
		return vc_cli_usage_error(
			"--quorum must be a percentage from 1%% to 100%%, not '%s'", arg);
	*out = (unsigned)v;
	return 0;
}

static int
set_option(struct options *o, int c, const char *arg)
{
	unsigned long v;
	const char *why;

	switch (c) {
	case 'f':
		o->file = arg;
		return 0;
	case 'l':
		o->selector = arg;
		return 0;
	case 'o':
		if (parse_format(arg, &o->format) < 0)
			return vc_cli_usage_error(
				"--output must be yaml, json or table, not '%s'", arg);
		return 0;
	case OPT_KUBECONFIG:
		o->kubeconfig = arg;
		return 0;
	case OPT_CONTEXT:
		o->context = arg;
		return 0;
	case OPT_PAGE_SIZE:
		if (parse_uint(arg, 100000, &v) < 0 || v == 0)
			return vc_cli_usage_error(
				"--page-size must be a number from 1 to 100000, not '%s'",
				arg);
		o->kube.page_size = v;
		return 0;
	case OPT_TIMEOUT:
		if (vc_parse_duration(arg, &o->kube.timeout_s) < 0 ||
		    o->kube.timeout_s == 0)
			return vc_cli_usage_error(
				"--request-timeout: '%s' is not a duration like 30s or 2m",
				arg);
		return 0;
	case OPT_RETRIES:
		if (parse_uint(arg, 100, &v) < 0)
			return vc_cli_usage_error(
				"--retries must be a number from 0 to 100, not '%s'",
				arg);
		o->kube.retries = (unsigned)v;
		return 0;
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
	return 1;
}

/* Returns 0 to go on, 1 to exit 0 (--help, --version), -EINVAL on usage errors. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	int c, level = VC_LOG_INFO;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:l:vqh", long_options, NULL)) != -1) {
		int rc = set_option(o, c, optarg);

		if (rc <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		switch (c) {
		case 'v':
			level++;
			break;
		case 'q':
			level = VC_LOG_ERROR;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case OPT_VERSION:
			printf("caps-aggregate %s\n", VC_VERSION);
			return 1;
		case ':':
			return vc_cli_usage_error("option '%s' needs a value",
						  argv[optind - 1]);
		default:
			return vc_cli_usage_error("unknown option '%s'",
						  argv[optind - 1]);
		}
	}
	vc_log_set_level(level > VC_LOG_DEBUG ? VC_LOG_DEBUG : level);
	return 0;
}

/* ---- reading ---------------------------------------------------------------- */

struct reader {
	struct vc_cluster *cluster;
	struct vc_selector sel;
	bool filter;
};

static void
on_node(void *data, const char *name, const struct vc_label_ref *labels, size_t n)
{
	struct reader *r = data;

	if (!r->filter || vc_selector_match(&r->sel, labels, n))
		vc_cluster_add(r->cluster, name, labels, n);
}

static bool
want_label(void *data, const char *key, size_t len)
{
	return vc_cluster_wants(((struct reader *)data)->cluster, key, len);
}

static int
feed_fd(int fd, const char *what, struct vc_nodelist *p)
{
	_autofree_ char *buf = xzalloc(READ_CHUNK);

	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vc_err("cannot read %s: %s", what, strerror(errno));
			return -EINVAL;
		}
		if (n == 0)
			return 0;
		if (vc_nodelist_feed(p, buf, (size_t)n) < 0)
			return -EINVAL;
	}
}

static int
read_file(const struct options *o, struct reader *r)
{
	bool is_stdin = streq(o->file, "-");
	const char *what = is_stdin ? "standard input" : o->file;
	_autoclose_ int fd = is_stdin ? dup(0) : open(o->file, O_RDONLY | O_CLOEXEC);
	struct vc_nodelist *p;
	int rc;

	if (fd < 0) {
		vc_err("cannot open %s: %s", what, strerror(errno));
		return -EINVAL;
	}
	p = vc_nodelist_new(what, on_node, r);
	if (!r->filter) /* the selector needs every label; the model only some */
		vc_nodelist_set_filter(p, want_label);
	rc = feed_fd(fd, what, p);
	if (rc == 0)
		rc = vc_nodelist_finish(p);
	if (rc == 0 && vc_nodelist_count(p) == 0) {
		vc_err("%s: the list has no nodes", what);
		rc = -EINVAL;
	}
	vc_nodelist_free(p);
	return rc;
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

static int
read_api(struct options *o, struct reader *r)
{
	struct vc_kube_config cfg;
	struct vc_kube_sink sink = {.node = on_node,
				    .rollback = sink_rollback,
				    .count = sink_count,
				    .data = r};
	int rc = vc_kube_config_load(o->kubeconfig, o->context, &cfg);

	if (rc < 0)
		return rc;
	rc = vc_execcred_apply(&cfg);
	if (rc == 0) {
		o->kube.selector = o->selector;
		o->kube.progress = isatty(2) && vc_log_get_level() >= VC_LOG_INFO;
		rc = vc_kube_list_nodes(&cfg, &o->kube, &sink);
	}
	if (rc == 0 && r->cluster->n == 0) {
		vc_err("the API server at %s listed no nodes%s%s", cfg.server,
		       o->selector ? " matching " : "", o->selector ? o->selector : "");
		rc = -EINVAL;
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

	if (o->format == FMT_TABLE) {
		text = vc_report_table(c, s, &o->report);
		return vc_cli_write_stdout(text, strlen(text));
	}
	/* The input is read and checked: stream the (large) report. */
	out = vc_out_new_stream(o->format == FMT_JSON ? VC_FMT_JSON : VC_FMT_YAML,
				stdout);
	vc_report_write_cluster(out, c, s, &o->report);
	rc = vc_out_finish(out, NULL, NULL);
	vc_out_free(out);
	if (rc < 0) {
		vc_err("cannot write the report to standard output: %s", strerror(errno));
		return -EPIPE;
	}
	return 0;
}

static void
warn_summary(const struct vc_cluster *c, const struct vc_summary *s, enum format f)
{
	struct vc_strv w = {0};

	if (f == FMT_TABLE) /* the table prints them itself */
		return;
	vc_report_warnings(c, s, &w);
	for (size_t i = 0; i < w.n; i++)
		vc_warn("%s", w.v[i]);
	vc_strv_clear(&w);
}

static int
run_report(struct options *o)
{
	struct vc_cluster c = {.ns = o->ns};
	struct reader r = {
		.cluster = &c, .sel = o->sel, .filter = o->file && o->selector};
	struct vc_summary s = {0};
	int rc = o->file ? read_file(o, &r) : read_api(o, &r);

	if (rc == 0) {
		vc_cluster_sort(&c);
		vc_cluster_summarize(&c, &s);
		if (s.probed == 0) {
			vc_err("none of the %zu nodes carries CPU capability labels (caps-probe's or KubeVirt's)",
			       c.n);
			rc = -EINVAL;
		}
	}
	if (rc == 0) {
		warn_summary(&c, &s, o->format);
		rc = print_report(o, &c, &s);
	}
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
	return rc;
}

/* ---- diff ------------------------------------------------------------------------ */

static int
print_diff(enum format f, const struct vc_diff *d)
{
	_autofree_ char *text = NULL;
	size_t len = 0;
	struct vc_out *out;
	int rc;

	if (f == FMT_TABLE) {
		text = vc_diff_text(d);
		return vc_cli_write_stdout(text, strlen(text));
	}
	out = vc_out_new(f == FMT_JSON ? VC_FMT_JSON : VC_FMT_YAML);
	vc_diff_write(out, d);
	rc = vc_out_finish(out, &text, &len);
	vc_out_free(out);
	return rc < 0 ? rc : vc_cli_write_stdout(text, len);
}

static int
run_diff(int argc, char **argv)
{
	struct options o = {.format = FMT_TABLE};
	struct vc_rdoc a = {0}, b = {0};
	struct vc_diff d = {0};
	int rc;

	optind = 1; /* argv[0] is "diff" */
	rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? VC_EXIT_OK : VC_EXIT_USAGE;
	if (argc - optind != 2) {
		vc_cli_usage_error("diff takes two report files, OLD and NEW");
		return VC_EXIT_USAGE;
	}
	rc = vc_rdoc_load(argv[optind], &a);
	if (rc == 0)
		rc = vc_rdoc_load(argv[optind + 1], &b);
	if (rc == 0) {
		vc_diff_compute(&a, &b, &d);
		rc = print_diff(o.format, &d);
	}
	if (rc == 0 && d.lost)
		rc = VC_EXIT_LOSS;
	else
		rc = vc_exit_from_rc(rc);
	vc_diff_clear(&d);
	vc_rdoc_clear(&a);
	vc_rdoc_clear(&b);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o = {
		.format = FMT_YAML,
		.kube = {.page_size = 500, .timeout_s = 60, .retries = 5},
	};
	int rc;

	vc_log_set_program("caps-aggregate");
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if (argc > 1 && streq(argv[1], "diff"))
		return run_diff(argc - 1, argv + 1);
	rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? VC_EXIT_OK : VC_EXIT_USAGE;
	if (optind < argc) {
		vc_cli_usage_error("unexpected argument '%s'", argv[optind]);
		return VC_EXIT_USAGE;
	}
	if (o.file && o.selector && vc_selector_parse(o.selector, &o.sel) < 0)
		return VC_EXIT_USAGE;
	rc = vc_exit_from_rc(run_report(&o));
	vc_selector_clear(&o.sel);
	return rc;
}
