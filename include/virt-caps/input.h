/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where caps-aggregate's commands get the cluster from: the options they
 * share (-f, -l, the API's options, --label-namespace) and loading every
 * node into a sorted, summarized cluster model. The report, advise,
 * explain and what-if read their input the same way through this.
 */
#pragma once

#include <getopt.h>

#include "virt-caps/cluster.h"
#include "virt-caps/exitcode.h"
#include "virt-caps/kube.h"
#include "virt-caps/selector.h"
#include "virt-caps/strv.h"

struct vc_input {
	struct vc_strv files; /* -f, in order; "-" is standard input */
	const char *selector;
	const char *ns; /* --label-namespace, NULL when not given */
	const char *kubeconfig;
	const char *context;
	const char *api_option;  /* an API-only option given, for -f's usage error */
	const char *conn_option; /* likewise, of the connection (also --keep's) */
	bool api_for_keep;       /* --keep=configmap/NAME: -f may configure the API */
	struct vc_selector sel;  /* -l, parsed, for -f */
	struct vc_kube_opts kube;
	unsigned long exec_timeout_s; /* --exec-timeout */
};

/* Option values of the input options, for the commands' getopt tables. */
enum {
	VC_OPT_KUBECONFIG = 256,
	VC_OPT_CONTEXT,
	VC_OPT_PAGE_SIZE,
	VC_OPT_TIMEOUT,
	VC_OPT_RETRIES,
	VC_OPT_EXEC_TIMEOUT,
	VC_OPT_LIST_TIMEOUT,
	VC_OPT_MAX_NODES,
	VC_OPT_NAMESPACE,
	VC_OPT_INPUT_END, /* a command's own long-only options start here */
};

/* The input options' short letters and getopt entries, for a command's table. */
#define VC_INPUT_SHORT_OPTS "f:l:"
#define VC_INPUT_LONG_OPTIONS                                                            \
	{"filename", required_argument, NULL, 'f'},                                      \
		{"selector", required_argument, NULL, 'l'},                              \
		{"kubeconfig", required_argument, NULL, VC_OPT_KUBECONFIG},              \
		{"context", required_argument, NULL, VC_OPT_CONTEXT},                    \
		{"page-size", required_argument, NULL, VC_OPT_PAGE_SIZE},                \
		{"request-timeout", required_argument, NULL, VC_OPT_TIMEOUT},            \
		{"retries", required_argument, NULL, VC_OPT_RETRIES},                    \
		{"exec-timeout", required_argument, NULL, VC_OPT_EXEC_TIMEOUT},          \
		{"list-timeout", required_argument, NULL, VC_OPT_LIST_TIMEOUT},          \
		{"max-nodes", required_argument, NULL, VC_OPT_MAX_NODES},                \
	{                                                                                \
		"label-namespace", required_argument, NULL, VC_OPT_NAMESPACE             \
	}

/* The --help text of the input options, for the commands' usage texts. */
#define VC_INPUT_HELP                                                                       \
	"Input (default: the Kubernetes API, configured the way kubectl finds it):\n"       \
	"  -f, --filename=FILE       read `kubectl get nodes -o json` or `-o yaml`\n"       \
	"                            output: a List, NodeList, PartialObjectMetadataList\n" \
	"                            or Node; repeat to merge several lists (a node in\n"   \
	"                            two of them is an error); '-' is standard input\n"     \
	"      --kubeconfig=FILE     kubeconfig (default $KUBECONFIG, a colon-separated\n"  \
	"                            list, then ~/.kube/config, then the in-cluster\n"      \
	"                            service account)\n"                                    \
	"      --context=NAME        kubeconfig context (default: current-context)\n"       \
	"  -l, --selector=SELECTOR   only nodes matching this label selector (passed to\n"  \
	"                            the API; with -f: k=v, k!=v, k and !k terms)\n"        \
	"      --page-size=N         nodes per API page (default 500)\n"                    \
	"      --request-timeout=DUR per API request, e.g. 30s (default 60s)\n"             \
	"      --retries=N           retries of a failed page (default 5)\n"                \
	"      --exec-timeout=DUR    time allowed to the kubeconfig's exec credential\n"    \
	"                            plugin, e.g. 30s (default 60s); its process group\n"   \
	"                            is then killed (SIGKILL) and the run fails (exit 3)\n" \
	"      --list-timeout=DUR    give up (exit 4) when the whole listing, every\n"      \
	"                            page, retry and wait included, takes longer than\n"    \
	"                            DUR (default 10m)\n"                                   \
	"      --max-nodes=N         give up (exit 4) when the API server lists more\n"     \
	"                            than N nodes (default 100000; Kubernetes supports\n"   \
	"                            5000)\n"                                               \
	"      --label-namespace=NS  namespace of caps-probe's nfd labels (default\n"       \
	"                            " VC_NFD_NAMESPACE ");\n"                              \
	"                            when given, only NS's labels count: a node with\n"     \
	"                            only KubeVirt's labels is unprobed (a warning\n"       \
	"                            says so), never read in their place\n"                 \
	"\n"                                                                                \
	"TLS and proxies, as with kubectl: a kubeconfig CA (certificate-authority or\n"     \
	"-data, or the service account's) is the only CA trusted; the system's CAs\n"       \
	"are used only when it names none; a CA with insecure-skip-tls-verify is an\n"      \
	"error. Proxy: the cluster's proxy-url, else HTTPS_PROXY or https_proxy for\n"      \
	"https servers, HTTP_PROXY or http_proxy for http servers, except NO_PROXY or\n"    \
	"no_proxy hosts and loopback (localhost, 127.0.0.0/8, ::1); ALL_PROXY is not\n"     \
	"read. A token for an http:// server travels in clear text (a warning says so).\n"

/** Defaults: the API, 500 nodes per page, 60s per request, 5 retries... */
void vc_input_init(struct vc_input *in);

/**
 * Take option @c if it is an input option: 0 when taken, -EINVAL after a
 * usage error, 1 when @c is not an input option.
 */
int vc_input_option(struct vc_input *in, int c, const char *arg);

/**
 * What getopt cannot check, once options are parsed: -f against API
 * options, standard input twice, the -l syntax for -f. 0 or -EINVAL
 * (usage error reported).
 */
int vc_input_check(struct vc_input *in);

/**
 * Read every node (files or API) into @c, sort it and refuse clashes,
 * then summarize it into @s. Errors are reported; the exit status says
 * which class (3 input, 4 API). On success @c has at least one probed node.
 */
enum vc_exit vc_input_load(struct vc_input *in, struct vc_cluster *c,
			   struct vc_summary *s);

void vc_input_clear(struct vc_input *in);
