/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small document tree for small inputs (reports for `diff`, kubeconfig,
 * ExecCredential): JSON read with yajl_tree, YAML read with libyaml's
 * document loader, both turned into this one shape so that the code that
 * reads them is written once. Never used for node lists (see nodelist.h).
 */
#pragma once

#include "virt-caps/strv.h"
#include "virt-caps/util.h"

enum vc_tree_type {
	VC_T_NULL,
	VC_T_SCALAR, /* strings, numbers and booleans, as text */
	VC_T_LIST,
	VC_T_MAP,
};

struct vc_tree {
	enum vc_tree_type type;
	char *text;             /* VC_T_SCALAR */
	bool quoted;            /* YAML scalar was quoted, or a JSON string */
	struct vc_tree **items; /* VC_T_LIST values, VC_T_MAP values */
	char **keys;            /* VC_T_MAP keys */
	size_t n;
};

/**
 * Parse @text as JSON when it starts with '{' or '[' (after blanks), else
 * as YAML. Returns NULL after reporting an error naming @what.
 */
struct vc_tree *vc_tree_parse(const char *text, size_t len, const char *what);
/** Read and parse a file, "-" for standard input (at most @max bytes). */
struct vc_tree *vc_tree_load(const char *path, size_t max);

/** Value of @key in map @t, or NULL (also when @t is not a map). */
const struct vc_tree *vc_tree_get(const struct vc_tree *t, const char *key);
/** Scalar text of @key in map @t, or NULL. */
const char *vc_tree_str(const struct vc_tree *t, const char *key);
/** Append the scalars of list @t to @out; false when @t is not a list of scalars. */
bool vc_tree_strings(const struct vc_tree *t, struct vc_strv *out);

void vc_tree_free(struct vc_tree *t);
DEFINE_CLEANUP_FUNC(struct vc_tree *, vc_tree_free, vc_tree_free)
#define _autotree_ _cleanup_(vc_tree_freep)
