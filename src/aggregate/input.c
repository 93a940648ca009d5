/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The input every caps-aggregate command shares: node lists from files
 * (-f) or the Kubernetes API, decoded into the cluster model.
 */
#include "virt-caps/input.h"

#include <errno.h>

#include "virt-caps/cli.h"
#include "virt-caps/execcred.h"
#include "virt-caps/labels.h"
#include "virt-caps/log.h"
#include "virt-caps/nodefile.h"

void
vc_input_init(struct vc_input *in)
{
	*in = (struct vc_input){
		.exec_timeout_s = VC_EXEC_TIMEOUT_DEFAULT,
		.kube = {.page_size = 500,
			 .timeout_s = 60,
			 .retries = 5,
			 .list_timeout_s = 600,
			 .max_nodes = 100000},
	};
}

/* Bounds of the whole listing (API only). */
static int
set_limit_option(struct vc_input *o, int c, const char *arg)
{
	unsigned long long v;

	if (c == VC_OPT_LIST_TIMEOUT) {
		if (vc_parse_duration(arg, &o->kube.list_timeout_s) < 0 ||
		    o->kube.list_timeout_s == 0)
			return vc_cli_usage_error(
				"--list-timeout: '%s' is not a duration like 90s or 10m",
				arg);
		return 0;
	}
	/* VC_OPT_MAX_NODES */
	if (vc_parse_uint(arg, 100000000, &v) < 0 || v == 0)
		return vc_cli_usage_error(
			"--max-nodes must be a number from 1 to 100000000, not '%s'",
			arg);
	o->kube.max_nodes = (size_t)v;
	return 0;
}

/* Options that only the API listing reads. */
static int
set_api_option(struct vc_input *o, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case VC_OPT_KUBECONFIG:
		o->kubeconfig = arg;
		return 0;
	case VC_OPT_CONTEXT:
		o->context = arg;
		return 0;
	case VC_OPT_PAGE_SIZE:
		if (vc_parse_uint(arg, 100000, &v) < 0 || v == 0)
			return vc_cli_usage_error(
				"--page-size must be a number from 1 to 100000, not '%s'",
				arg);
		o->kube.page_size = (size_t)v;
		return 0;
	case VC_OPT_TIMEOUT:
		if (vc_parse_duration(arg, &o->kube.timeout_s) < 0 ||
		    o->kube.timeout_s == 0)
			return vc_cli_usage_error(
				"--request-timeout: '%s' is not a duration like 30s or 2m",
				arg);
		return 0;
	case VC_OPT_EXEC_TIMEOUT:
		if (vc_parse_duration(arg, &o->exec_timeout_s) < 0 ||
		    o->exec_timeout_s == 0)
			return vc_cli_usage_error(
				"--exec-timeout: '%s' is not a duration like 30s or 2m",
				arg);
		return 0;
	case VC_OPT_RETRIES:
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

static const char *const api_option_names[] = {
	[VC_OPT_KUBECONFIG - VC_OPT_KUBECONFIG] = "kubeconfig",
	[VC_OPT_CONTEXT - VC_OPT_KUBECONFIG] = "context",
	[VC_OPT_PAGE_SIZE - VC_OPT_KUBECONFIG] = "page-size",
	[VC_OPT_TIMEOUT - VC_OPT_KUBECONFIG] = "request-timeout",
	[VC_OPT_RETRIES - VC_OPT_KUBECONFIG] = "retries",
	[VC_OPT_EXEC_TIMEOUT - VC_OPT_KUBECONFIG] = "exec-timeout",
	[VC_OPT_LIST_TIMEOUT - VC_OPT_KUBECONFIG] = "list-timeout",
	[VC_OPT_MAX_NODES - VC_OPT_KUBECONFIG] = "max-nodes",
};

int
vc_input_option(struct vc_input *o, int c, const char *arg)
{
	const char *why;

	switch (c) {
	case 'f':
		vc_strv_push(&o->files, arg);
		return 0;
	case 'l':
		o->selector = arg;
		return 0;
	case VC_OPT_NAMESPACE:
		if (!vc_dns_subdomain_valid(arg, &why))
			return vc_cli_usage_error(
				"--label-namespace '%s' is not a lowercase DNS subdomain",
				arg);
		o->ns = arg;
		return 0;
	}
	if (c < VC_OPT_KUBECONFIG || c > VC_OPT_MAX_NODES)
		return 1;
	/* For -f's usage error; --keep's ConfigMap calls use the connection. */
	if (c == VC_OPT_KUBECONFIG || c == VC_OPT_CONTEXT || c == VC_OPT_TIMEOUT ||
	    c == VC_OPT_EXEC_TIMEOUT)
		o->conn_option = api_option_names[c - VC_OPT_KUBECONFIG];
	else
		o->api_option = api_option_names[c - VC_OPT_KUBECONFIG];
	return set_api_option(o, c, arg);
}

/* What getopt cannot check: -f against API options, stdin twice. */
int
vc_input_check(struct vc_input *o)
{
	size_t stdin_uses = 0;

	if (o->files.n && o->api_option)
		return vc_cli_usage_error(
			"--%s is for the API; it cannot be used with -f", o->api_option);
	if (o->files.n && o->conn_option && !o->api_for_keep)
		return vc_cli_usage_error(
			"--%s is for the API; it cannot be used with -f (but with --keep=configmap/NAME)",
			o->conn_option);
	for (size_t i = 0; i < o->files.n; i++)
		stdin_uses += vc_is_stdin(o->files.v[i]);
	if (stdin_uses > 1)
		return vc_cli_usage_error("standard input ('-') can be read only once");
	if (o->files.n && o->selector && vc_selector_parse(o->selector, &o->sel) < 0)
		return -EINVAL;
	return 0;
}

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
read_files(const struct vc_input *o, struct reader *r)
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
read_api(struct vc_input *o, struct reader *r)
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

/* A node listed twice: two answers for one node, which one is right? */
static enum vc_exit
check_clash(const struct vc_input *o, const struct vc_cluster *c)
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

static enum vc_exit
check_nodes(const struct vc_input *o, const struct vc_cluster *c,
	    const struct vc_summary *s)
{
	if (c->n == 0) { /* only a local -l can leave no node */
		vc_err("no node of the input matches -l %s", o->selector);
		return VC_EXIT_DATA;
	}
	if (s->probed == 0 && s->kubevirt_unread) {
		/* Say why, rather than "no labels": they are there, unread. */
		vc_err("none of the %zu nodes carries labels under --label-namespace %s; %zu of them carr%s KubeVirt's, which are read only without --label-namespace",
		       c->n, o->ns, s->kubevirt_unread,
		       s->kubevirt_unread == 1 ? "ies" : "y");
		return VC_EXIT_DATA;
	}
	if (s->probed == 0) {
		vc_err("none of the %zu nodes carries CPU capability labels (caps-probe's or KubeVirt's)",
		       c->n);
		return VC_EXIT_DATA;
	}
	return VC_EXIT_OK;
}

enum vc_exit
vc_input_load(struct vc_input *o, struct vc_cluster *c, struct vc_summary *s)
{
	struct reader r = {
		.cluster = c, .sel = &o->sel, .filter = o->files.n && o->selector};
	enum vc_exit rc;

	c->ns = o->ns;
	rc = vc_exit_for(o->files.n ? read_files(o, &r) : read_api(o, &r));
	if (rc != VC_EXIT_OK)
		return rc;
	vc_cluster_sort(c);
	rc = check_clash(o, c);
	if (rc != VC_EXIT_OK)
		return rc;
	vc_cluster_summarize(c, s);
	return check_nodes(o, c, s);
}

void
vc_input_clear(struct vc_input *in)
{
	vc_selector_clear(&in->sel);
	vc_strv_clear(&in->files);
}
