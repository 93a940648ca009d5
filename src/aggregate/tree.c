/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/tree.h"

#include <errno.h>
#include <yajl/yajl_tree.h>
#include <yaml.h>

#include "virt-caps/log.h"

DEFINE_CLEANUP_FUNC(yajl_val, yajl_tree_free, yajl_tree_free)

#define MAX_TREE_DEPTH 64

static struct vc_tree *
node_new(enum vc_tree_type type)
{
	struct vc_tree *t = xzalloc(sizeof(*t));

	t->type = type;
	return t;
}

static void
node_add(struct vc_tree *t, char *key, struct vc_tree *child)
{
	t->items = xrealloc(t->items, (t->n + 1) * sizeof(*t->items));
	if (t->type == VC_T_MAP) {
		t->keys = xrealloc(t->keys, (t->n + 1) * sizeof(*t->keys));
		t->keys[t->n] = key;
	}
	t->items[t->n++] = child;
}

/* ---- JSON -------------------------------------------------------------- */

static struct vc_tree *
from_json(yajl_val v, int depth)
{
	struct vc_tree *t;

	if (!v || YAJL_IS_NULL(v) || depth > MAX_TREE_DEPTH)
		return node_new(VC_T_NULL);
	if (YAJL_IS_OBJECT(v)) {
		t = node_new(VC_T_MAP);
		for (size_t i = 0; i < v->u.object.len; i++)
			node_add(t, xstrdup(v->u.object.keys[i]),
				 from_json(v->u.object.values[i], depth + 1));
		return t;
	}
	if (YAJL_IS_ARRAY(v)) {
		t = node_new(VC_T_LIST);
		for (size_t i = 0; i < v->u.array.len; i++)
			node_add(t, NULL, from_json(v->u.array.values[i], depth + 1));
		return t;
	}
	t = node_new(VC_T_SCALAR);
	if (YAJL_IS_STRING(v)) {
		t->text = xstrdup(YAJL_GET_STRING(v));
		t->quoted = true;
	} else if (YAJL_IS_NUMBER(v)) {
		t->text = xstrdup(v->u.number.r);
	} else {
		t->text = xstrdup(YAJL_IS_TRUE(v) ? "true" : "false");
	}
	return t;
}

static struct vc_tree *
parse_json(const char *text, size_t len, const char *what)
{
	_autofree_ char *copy = xstrndup(text, len);
	_cleanup_(yajl_tree_freep) yajl_val v = NULL;
	char err[256] = "";

	if (strlen(copy) != len) {
		vc_err("%s: invalid JSON: contains a NUL byte", what);
		return NULL;
	}
	v = yajl_tree_parse(copy, err, sizeof(err));
	if (!v) {
		vc_err("%s: invalid JSON: %s", what, *err ? err : "parse error");
		return NULL;
	}
	return from_json(v, 0);
}

/* ---- YAML ---------------------------------------------------------------- */

struct yaml_ctx {
	yaml_document_t *doc;
	size_t budget; /* nodes left: aliases could otherwise expand without end */
};

static bool
yaml_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || streq(v, "~") || streq(v, "null") || streq(v, "Null") ||
	       streq(v, "NULL");
}

static struct vc_tree *from_yaml(struct yaml_ctx *y, yaml_node_t *n, int depth);

static struct vc_tree *
yaml_map(struct yaml_ctx *y, yaml_node_t *n, int depth)
{
	struct vc_tree *t = node_new(VC_T_MAP);

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		struct vc_tree *v =
			from_yaml(y, yaml_document_get_node(y->doc, p->value), depth + 1);

		/* Only scalar keys mean anything to us; others are kept as "". */
		node_add(t,
			 xstrdup(k && k->type == YAML_SCALAR_NODE
					 ? (char *)k->data.scalar.value
					 : ""),
			 v);
	}
	return t;
}

static struct vc_tree *
from_yaml(struct yaml_ctx *y, yaml_node_t *n, int depth)
{
	struct vc_tree *t;

	if (!n || depth > MAX_TREE_DEPTH || y->budget == 0)
		return node_new(VC_T_NULL);
	y->budget--;
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return yaml_map(y, n, depth);
	case YAML_SEQUENCE_NODE:
		t = node_new(VC_T_LIST);
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++)
			node_add(t, NULL,
				 from_yaml(y, yaml_document_get_node(y->doc, *i),
					   depth + 1));
		return t;
	case YAML_SCALAR_NODE:
		if (yaml_is_null(n))
			return node_new(VC_T_NULL);
		t = node_new(VC_T_SCALAR);
		t->text = xstrdup((const char *)n->data.scalar.value);
		t->quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return t;
	default:
		return node_new(VC_T_NULL);
	}
}

static struct vc_tree *
parse_yaml(const char *text, size_t len, const char *what)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct yaml_ctx y = {.doc = &doc, .budget = 1000000};
	struct vc_tree *t = NULL;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		vc_err("%s: invalid YAML at line %zu: %s", what,
		       parser.problem_mark.line + 1,
		       parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		return NULL;
	}
	t = from_yaml(&y, yaml_document_get_root_node(&doc), 0);
	if (y.budget == 0) {
		vc_err("%s: YAML document too large (aliases expand past a million nodes)",
		       what);
		vc_tree_free(t);
		t = NULL;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return t;
}

/* ---- access -------------------------------------------------------------- */

struct vc_tree *
vc_tree_parse(const char *text, size_t len, const char *what)
{
	size_t i = vc_blank_prefix(text, len);

	if (i >= len) {
		vc_err("%s: empty document", what);
		return NULL;
	}
	if (text[i] == '{' || text[i] == '[')
		return parse_json(text, len, what);
	return parse_yaml(text, len, what);
}

struct vc_tree *
vc_tree_load(const char *path, size_t max)
{
	_autofree_ char *text = NULL;
	size_t len = 0;
	int rc = vc_read_input(path, max, &text, &len);

	if (rc == -EFBIG) {
		vc_err("%s: larger than %zu bytes", vc_input_name(path), max);
		return NULL;
	}
	if (rc < 0) {
		vc_err("cannot read %s: %s", vc_input_name(path), strerror(-rc));
		return NULL;
	}
	return vc_tree_parse(text, len, vc_input_name(path));
}

const struct vc_tree *
vc_tree_get(const struct vc_tree *t, const char *key)
{
	if (!t || t->type != VC_T_MAP)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->keys[i], key))
			return t->items[i];
	return NULL;
}

const char *
vc_tree_str(const struct vc_tree *t, const char *key)
{
	const struct vc_tree *v = vc_tree_get(t, key);

	return v && v->type == VC_T_SCALAR ? v->text : NULL;
}

bool
vc_tree_strings(const struct vc_tree *t, struct vc_strv *out)
{
	if (!t || t->type != VC_T_LIST)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		if (t->items[i]->type != VC_T_SCALAR)
			return false;
		vc_strv_push(out, t->items[i]->text);
	}
	return true;
}

void
vc_tree_free(struct vc_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		vc_tree_free(t->items[i]);
		if (t->keys)
			free(t->keys[i]);
	}
	free(t->items);
	free(t->keys);
	free(t->text);
	free(t);
}
