/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Listing nodes from the Kubernetes API with libcurl: metadata only
 * (PartialObjectMetadataList), paged with limit/continue, each page fed
 * to the streaming node-list reader as it arrives. 429, 5xx, network
 * errors and broken bodies are retried with backoff (the nodes of a
 * failed page are rolled back first); 410 Gone (an expired continue
 * token) restarts the listing; 401/403 fail at once, saying which
 * identity lacked which permission. A continue token seen before, more
 * than max_nodes nodes or the list_timeout deadline end the listing
 * (VC_ERR_BACKEND). With a configured CA only that CA is trusted; the
 * proxy is chosen as kubectl chooses it (proxy.h). Credentials never
 * reach the logs.
 */
#pragma once

#include "virt-caps/kubeconfig.h"
#include "virt-caps/nodelist.h"
#include "virt-caps/result.h"

struct vc_kube_opts {
	size_t page_size;        /* limit= (default 500) */
	unsigned long timeout_s; /* per request (default 60) */
	const char *selector;    /* labelSelector=, or NULL */
	unsigned retries;        /* per page (default 5) */
	bool progress;           /* page/node counts on stderr */
	/* Bounds of the whole listing against a server that pages forever. */
	unsigned long
		list_timeout_s; /* deadline of all requests and backoffs (default 600) */
	size_t max_nodes;       /* more nodes listed is an error (default 100000) */
};

/** Where listed nodes go. */
struct vc_kube_sink {
	vc_nodelist_fn *node;
	void (*rollback)(void *data, size_t keep); /* drop nodes after the first @keep */
	size_t (*count)(void *data);
	void *data;
};

/**
 * List every node. VC_ERR_BACKEND: the API server or the network failed,
 * or a listing limit was reached;
 * VC_ERR_INPUT: a configuration problem (unreadable token, certificate or
 * key file). Each reported once.
 */
enum vc_result vc_kube_list_nodes(const struct vc_kube_config *cfg,
				  const struct vc_kube_opts *o,
				  const struct vc_kube_sink *sink);

/* Longest answer to one request read (a ConfigMap holds at most 1 MiB of data). */
#define VC_KUBE_REPLY_MAX (8 * 1024 * 1024)

/** An answer to vc_kube_request(). */
struct vc_kube_reply {
	long status;        /* HTTP status */
	struct vc_buf body; /* at most VC_KUBE_REPLY_MAX bytes */
	char *message;      /* a Status body's message when status >= 300, else "" */
	char *content_type; /* the Content-Type header (escaped), or NULL */
};

/**
 * One request (@method "GET", "POST" or "PUT") to @path (from /api on)
 * at @cfg's server, with the JSON @body or NULL, authenticated, verified
 * and proxied as the node listing is; not retried. VC_OK whatever the
 * HTTP status (the caller judges it); VC_ERR_BACKEND when no answer came
 * (network, TLS, timeout, an answer over the limit); VC_ERR_INPUT for a
 * configuration problem. Errors are reported once.
 */
enum vc_result vc_kube_request(const struct vc_kube_config *cfg, unsigned long timeout_s,
			       const char *method, const char *path, const char *body,
			       struct vc_kube_reply *reply);

void vc_kube_reply_clear(struct vc_kube_reply *r);
