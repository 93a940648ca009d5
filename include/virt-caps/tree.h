/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small document tree for small inputs (reports for `diff`, kubeconfig,
 * ExecCredential): JSON read with yajl's event parser, YAML with libyaml's,
 * both built into this one shape so that the code that reads them is
 * written once. Never used for node lists (see nodelist.h).
 *
 * Limits (an input past one is refused with one line naming it, never
 * truncated): at most VC_TREE_MAX_DEPTH nested lists and maps; YAML
 * aliases are expanded into copies, and the expanded document (text of
 * keys and scalars plus one byte per node) may not pass
 * VC_TREE_MAX_EXPANSION(input bytes), which no document without aliases
 * reaches. Error messages give a position, never the input's text: it may
 * hold a token. Strings are wiped before they are freed.
 */
#pragma once

#include "virt-caps/strv.h"
#include "virt-caps/util.h"

#define VC_TREE_MAX_DEPTH 64
#define VC_TREE_MAX_EXPANSION(len) (2 * (size_t)(len) + 1024 * 1024)

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
/** vc_tree_load(), refusing YAML with a second document (the first is read
 * otherwise, as libyaml's loader does). */
struct vc_tree *vc_tree_load_one(const char *path, size_t max);

/** Value of @key in map @t, or NULL (also when @t is not a map). */
const struct vc_tree *vc_tree_get(const struct vc_tree *t, const char *key);
/** Scalar text of @key in map @t, or NULL. */
const char *vc_tree_str(const struct vc_tree *t, const char *key);
/** Append the scalars of list @t to @out; false when @t is not a list of scalars. */
bool vc_tree_strings(const struct vc_tree *t, struct vc_strv *out);

/** Free @t (any depth), wiping its strings first. */
void vc_tree_free(struct vc_tree *t);
DEFINE_CLEANUP_FUNC(struct vc_tree *, vc_tree_free, vc_tree_free)
#define _autotree_ _cleanup_(vc_tree_freep)
