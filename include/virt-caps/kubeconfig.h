/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding the API server and credentials the way kubectl does:
 * --kubeconfig, else $KUBECONFIG (a colon-separated list merged as
 * kubectl merges it: the first file to define a name wins), else
 * ~/.kube/config, else the in-cluster service account.
 */
#pragma once

#include "virt-caps/strv.h"

struct vc_kube_config {
	char *source;  /* "kubeconfig /path" or "in-cluster service account" */
	char *context; /* context name (NULL in-cluster) */
	char *user;    /* identity for messages */
	char *server;
	char *ca_file;
	char *ca_data; /* PEM bytes */
	size_t ca_len;
	bool insecure;
	char *proxy_url; /* cluster's proxy-url: wins over the environment */
	char *token;
	char *token_file;
	char *cert_file;
	char *cert_data;
	size_t cert_len;
	char *key_file;
	char *key_data;
	size_t key_len;
	char *exec_command; /* ExecCredential plugin */
	struct vc_strv exec_args;
	struct vc_strv exec_env; /* NAME=VALUE */
	char *exec_api_version;
};

/**
 * Resolve the configuration. @kubeconfig and @context may be NULL.
 * Returns 0, or -EINVAL after a one-line error (no configuration, a
 * missing file, an unknown context, bad base64...).
 */
int vc_kube_config_load(const char *kubeconfig, const char *context,
			struct vc_kube_config *out);

/** Free @c, wiping its secrets (token, client certificate and key, exec args and env). */
void vc_kube_config_clear(struct vc_kube_config *c);

/**
 * Whether @token may be sent as a bearer token: no control characters
 * (CR or LF would end the Authorization header and start another).
 */
bool vc_kube_token_valid(const char *token);

/*
 * Longest bearer token sent (real ones, JWTs included, are a few KiB):
 * past it libcurl fails with a misleading "Out of memory", retried.
 */
#define VC_KUBE_TOKEN_MAX (64 * 1024)
