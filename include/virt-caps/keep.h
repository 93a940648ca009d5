/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate --keep`: keep the previous cluster report (in a
 * ConfigMap or a file), compare the new one with it, store the new one,
 * so that a nightly Job can fail when something usable was lost.
 */
#pragma once

#include "virt-caps/exitcode.h"
#include "virt-caps/input.h"

/* ConfigMap data (keys and values together) may not pass 1 MiB. */
#define VC_KEEP_CONFIGMAP_MAX (1024 * 1024)
/* The data key the report is kept under. */
#define VC_KEEP_KEY "report"
/* Where --keep-namespace defaults to outside a pod. */
#define VC_KEEP_DEFAULT_NAMESPACE "virt-caps"

enum vc_keep_kind {
	VC_KEEP_NONE,
	VC_KEEP_CONFIGMAP,
	VC_KEEP_FILE,
};

struct vc_keep {
	enum vc_keep_kind kind;
	const char *name; /* the ConfigMap's name or the file's path */
	const char *ns;   /* --keep-namespace, NULL: the pod's, else virt-caps */
};

/** Take --keep=@arg (configmap/NAME, cm/NAME or file:PATH); -EINVAL after a usage error.
 */
int vc_keep_parse(struct vc_keep *k, const char *arg);

/**
 * Read the kept report, compare @text (the new YAML report, @len bytes)
 * with it and store @text in its place (a stale ConfigMap is read again
 * and the store retried once). On VC_EXIT_OK, @comment (caller frees) is
 * the comparison as YAML comment lines and @lost says whether something
 * usable was lost. Otherwise nothing was stored and the error is reported.
 */
enum vc_exit vc_keep_report(const struct vc_keep *k, const struct vc_input *in,
			    const char *text, size_t len, char **comment, bool *lost);
