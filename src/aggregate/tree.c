/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/tree.h"

#include <errno.h>
#include <stdalign.h>
#include <yajl/yajl_parse.h>
#include <yaml.h>

#include "virt-caps/log.h"

/*
 * Both parsers are driven event by event and the tree is built here, so
 * that nothing deeper than VC_TREE_MAX_DEPTH is ever built (or freed):
 * yajl_tree and libyaml's document loader build whatever depth the input
 * has, and yajl_tree_free recurses through it.
 */

struct frame {
	struct vc_tree *node; /* an open list or map */
	char *anchor;         /* YAML: its anchor, registered when it closes */
	size_t size_at_open;  /* builder size when it opened */
	int height;           /* levels of collections below it so far */
	bool is_key;          /* YAML: a complex key, dropped when it closes */
};

struct anchor {
	char *name;
	const struct vc_tree *node; /* inside the tree being built */
	size_t size;                /* its expanded size */
	int height;                 /* levels of collections it holds */
};

enum stop {
	STOP_NONE,
	STOP_DEPTH,
	STOP_SIZE,
	STOP_NUL,
	STOP_ALIAS,
};

struct builder {
	const char *what;
	const char *text;
	struct vc_tree *root;
	struct frame stack[VC_TREE_MAX_DEPTH];
	int depth;   /* open collections */
	char *key;   /* a map key waiting for its value */
	size_t size; /* expanded size: text of keys and scalars + 1 per node */
	size_t max_size;
	struct anchor *anchors; /* open addressing by name, cap_anchors a power of 2 */
	size_t n_anchors, cap_anchors;
	int key_frames; /* open complex keys: anchors inside them are not kept */
	enum stop stop; /* why a callback stopped the parse */
};

static void
wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static struct vc_tree *
node_new(enum vc_tree_type type)
{
	struct vc_tree *t = xzalloc(sizeof(*t));

	t->type = type;
	return t;
}

/* Capacity doubles at each power of two: appending stays linear. */
static void
node_add(struct vc_tree *t, char *key, struct vc_tree *child)
{
	if ((t->n & (t->n - 1)) == 0) {
		size_t cap = t->n ? 2 * t->n : 1;

		t->items = xrealloc(t->items, cap * sizeof(*t->items));
		if (t->type == VC_T_MAP)
			t->keys = xrealloc(t->keys, cap * sizeof(*t->keys));
	}
	if (t->type == VC_T_MAP)
		t->keys[t->n] = key;
	t->items[t->n++] = child;
}

/* ---- building ------------------------------------------------------------ */

static bool
stop(struct builder *b, enum stop why)
{
	b->stop = why;
	return false;
}

/* Count @n bytes of expanded size against the limit. */
static bool
grow(struct builder *b, size_t n)
{
	if (n > b->max_size - b->size)
		return stop(b, STOP_SIZE);
	b->size += n;
	return true;
}

/* One line naming the input, the position and the reason, never the text. */
static void
stop_error(const struct builder *b, const char *lang, const char *where)
{
	switch (b->stop) {
	case STOP_DEPTH:
		vc_err("%s: invalid %s at %s: nested deeper than %d levels", b->what,
		       lang, where, VC_TREE_MAX_DEPTH);
		break;
	case STOP_SIZE:
		vc_err("%s: invalid %s at %s: larger than %zu bytes once aliases are expanded (the limit is twice the input plus 1 MiB)",
		       b->what, lang, where, b->max_size);
		break;
	case STOP_NUL:
		vc_err("%s: invalid %s at %s: a string contains a NUL character", b->what,
		       lang, where);
		break;
	case STOP_ALIAS:
		vc_err("%s: invalid %s at %s: an alias refers to no anchor before it",
		       b->what, lang, where);
		break;
	case STOP_NONE:
		break;
	}
}

/* Hand @t (a scalar, null or a copy) to its parent; @height: its levels. */
static struct vc_tree *
place(struct builder *b, struct vc_tree *t, int height)
{
	struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;

	if (!f) {
		vc_tree_free(b->root); /* NULL: both parsers stop after one value */
		b->root = t;
		return t;
	}
	if (height + 1 > f->height)
		f->height = height + 1;
	node_add(f->node, steal(&b->key), t);
	return t;
}

static bool
open_collection(struct builder *b, enum vc_tree_type type, const char *anchor,
		bool is_key)
{
	struct vc_tree *t;
	struct frame *f;

	if (b->depth == VC_TREE_MAX_DEPTH)
		return stop(b, STOP_DEPTH);
	if (!grow(b, 1))
		return false;
	t = node_new(type);
	if (!is_key)
		place(b, t, 0);
	f = &b->stack[b->depth++];
	*f = (struct frame){.node = t,
			    .anchor = xstrdup(anchor),
			    .size_at_open = b->size - 1,
			    .height = 1,
			    .is_key = is_key};
	b->key_frames += is_key;
	return true;
}

/*
 * A hash table, not a list: a 1 MiB document can define tens of thousands
 * of anchors and use each, and a linear search per alias is quadratic.
 */
static struct anchor *
anchor_slot(struct anchor *v, size_t cap, const char *name)
{
	size_t i = vc_fnv1a(VC_FNV1A_INIT, name, strlen(name)) & (cap - 1);

	while (v[i].name && !streq(v[i].name, name))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static void
anchors_grow(struct builder *b)
{
	size_t cap = b->cap_anchors ? 2 * b->cap_anchors : 16;
	struct anchor *v = xzalloc(cap * sizeof(*v));

	for (size_t i = 0; i < b->cap_anchors; i++)
		if (b->anchors[i].name)
			*anchor_slot(v, cap, b->anchors[i].name) = b->anchors[i];
	free(b->anchors);
	b->anchors = v;
	b->cap_anchors = cap;
}

/* The latest definition wins: YAML lets an anchor be defined again. */
static void
add_anchor(struct builder *b, const char *name, const struct vc_tree *t, size_t size,
	   int height)
{
	struct anchor *a;

	if (2 * (b->n_anchors + 1) > b->cap_anchors)
		anchors_grow(b);
	a = anchor_slot(b->anchors, b->cap_anchors, name);
	if (!a->name) {
		a->name = xstrdup(name);
		b->n_anchors++;
	}
	a->node = t;
	a->size = size;
	a->height = height;
}

static void
close_collection(struct builder *b)
{
	struct frame f = b->stack[--b->depth];
	int height = f.height;

	if (f.is_key) {
		/* Only scalar keys mean anything to us; others are kept as "". */
		vc_tree_free(f.node);
		wipe_free(b->key); /* NULL: the parser pairs every key with a value */
		b->key = xstrdup("");
		b->key_frames--;
	} else {
		if (f.anchor && !b->key_frames)
			add_anchor(b, f.anchor, f.node, b->size - f.size_at_open, height);
		if (b->depth && height + 1 > b->stack[b->depth - 1].height)
			b->stack[b->depth - 1].height = height + 1;
	}
	free(f.anchor);
}

static struct vc_tree *
add_scalar(struct builder *b, const char *text, size_t len, bool quoted, bool null)
{
	struct vc_tree *t;

	if (!grow(b, 1 + len))
		return NULL;
	t = node_new(null ? VC_T_NULL : VC_T_SCALAR);
	if (!null) {
		t->text = xstrndup(text, len);
		t->quoted = quoted;
	}
	return place(b, t, 0);
}

static bool
add_key(struct builder *b, const char *text, size_t len)
{
	if (!grow(b, len))
		return false;
	wipe_free(b->key);
	b->key = xstrndup(text, len);
	return true;
}

/* Free what an unfinished build holds: complex keys are no part of the tree. */
static void
builder_clear(struct builder *b)
{
	while (b->depth) {
		struct frame *f = &b->stack[--b->depth];

		if (f->is_key)
			vc_tree_free(f->node);
		free(f->anchor);
	}
	for (size_t i = 0; i < b->cap_anchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
	wipe_free(b->key);
	vc_tree_free(b->root);
	memset(b, 0, sizeof(*b));
}

static struct vc_tree *
builder_finish(struct builder *b)
{
	struct vc_tree *t = steal(&b->root);

	builder_clear(b);
	return t ? t : node_new(VC_T_NULL);
}

static void
builder_init(struct builder *b, const char *text, size_t len, const char *what)
{
	memset(b, 0, sizeof(*b));
	b->what = what;
	b->text = text;
	b->max_size = VC_TREE_MAX_EXPANSION(len);
}

/* ---- JSON ---------------------------------------------------------------- */

/*
 * yajl keeps decoded strings (tokens, keys) in buffers of its own: give it
 * an allocator that wipes every block before it goes back to malloc, as
 * the input may be a kubeconfig or an ExecCredential with a token.
 */
#define WIPE_HDR alignof(max_align_t)

static void *
wipe_malloc(void *ctx, size_t n)
{
	unsigned char *p = malloc(n + WIPE_HDR);

	if (!p)
		abort(); /* out of memory, as x*alloc */
	memcpy(p, &n, sizeof(n));
	return p + WIPE_HDR;
}

static void
wipe_release(void *ctx, void *ptr)
{
	unsigned char *p;
	size_t n;

	if (!ptr)
		return;
	p = (unsigned char *)ptr - WIPE_HDR;
	memcpy(&n, p, sizeof(n));
	explicit_bzero(p, n + WIPE_HDR);
	free(p);
}

static void *
wipe_realloc(void *ctx, void *ptr, size_t n)
{
	unsigned char *q = wipe_malloc(ctx, n);
	size_t old;

	if (ptr) {
		memcpy(&old, (unsigned char *)ptr - WIPE_HDR, sizeof(old));
		memcpy(q, ptr, old < n ? old : n);
		wipe_release(ctx, ptr);
	}
	return q;
}

static yajl_alloc_funcs wipe_funcs = {wipe_malloc, wipe_realloc, wipe_release, NULL};

static int
j_null(void *ctx)
{
	return add_scalar(ctx, NULL, 0, false, true) != NULL;
}

static int
j_bool(void *ctx, int v)
{
	return add_scalar(ctx, v ? "true" : "false", v ? 4 : 5, false, false) != NULL;
}

static int
j_number(void *ctx, const char *s, size_t len)
{
	return add_scalar(ctx, s, len, false, false) != NULL;
}

/* A NUL inside a string would silently cut it short in C. */
static bool
has_nul(struct builder *b, const unsigned char *s, size_t len)
{
	return memchr(s, '\0', len) && !stop(b, STOP_NUL);
}

static int
j_string(void *ctx, const unsigned char *s, size_t len)
{
	return !has_nul(ctx, s, len) &&
	       add_scalar(ctx, (const char *)s, len, true, false) != NULL;
}

static int
j_key(void *ctx, const unsigned char *s, size_t len)
{
	return !has_nul(ctx, s, len) && add_key(ctx, (const char *)s, len);
}

static int
j_start_map(void *ctx)
{
	return open_collection(ctx, VC_T_MAP, NULL, false);
}

static int
j_start_list(void *ctx)
{
	return open_collection(ctx, VC_T_LIST, NULL, false);
}

static int
j_end(void *ctx)
{
	close_collection(ctx);
	return 1;
}

static const yajl_callbacks json_callbacks = {
	.yajl_null = j_null,
	.yajl_boolean = j_bool,
	.yajl_number = j_number,
	.yajl_string = j_string,
	.yajl_start_map = j_start_map,
	.yajl_map_key = j_key,
	.yajl_end_map = j_end,
	.yajl_start_array = j_start_list,
	.yajl_end_array = j_end,
};

static size_t
line_of(const char *text, size_t off)
{
	size_t line = 1;

	for (const char *p = text; (p = memchr(p, '\n', off - (size_t)(p - text))); p++)
		line++;
	return line;
}

/*
 * Never yajl's verbose error: it quotes the input around the error, and
 * the input may hold a token. The plain message is a fixed text.
 */
/* @off: where the error is, @len when yajl_complete_parse found it. */
static void
json_error(struct builder *b, yajl_handle h, size_t off)
{
	char where[64];
	unsigned char *msg;
	size_t n;

	snprintf(where, sizeof(where), "line %zu, byte %zu", line_of(b->text, off), off);
	if (b->stop != STOP_NONE) {
		stop_error(b, "JSON", where);
		return;
	}
	msg = yajl_get_error(h, 0, NULL, 0);
	n = strlen((char *)msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	vc_err("%s: invalid JSON at %s: %s", b->what, where, (char *)msg);
	yajl_free_error(h, msg);
}

static struct vc_tree *
parse_json(const char *text, size_t len, const char *what)
{
	struct builder b;
	yajl_handle h;
	yajl_status st;

	builder_init(&b, text, len, what);
	h = yajl_alloc(&json_callbacks, &wipe_funcs, &b);
	if (!h)
		abort();
	/* As yajl_tree_parse did: kubeconfigs written by hand may carry comments. */
	yajl_config(h, yajl_allow_comments, 1);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st != yajl_status_ok) {
		json_error(&b, h, yajl_get_bytes_consumed(h));
	} else {
		st = yajl_complete_parse(h);
		if (st != yajl_status_ok)
			json_error(&b, h, len);
	}
	yajl_free(h);
	if (st != yajl_status_ok) {
		builder_clear(&b);
		return NULL;
	}
	return builder_finish(&b);
}

/* ---- YAML ---------------------------------------------------------------- */

static bool
yaml_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || streq(v, "~") || streq(v, "null") || streq(v, "Null") ||
	       streq(v, "NULL");
}

/* The next node of the open map is a key (YAML: keys are nodes too). */
static bool
wants_key(const struct builder *b)
{
	const struct vc_tree *top = b->depth ? b->stack[b->depth - 1].node : NULL;

	return top && top->type == VC_T_MAP && !b->key;
}

static const struct anchor *
find_anchor(const struct builder *b, const char *name)
{
	const struct anchor *a;

	if (!b->cap_anchors)
		return NULL;
	a = anchor_slot(b->anchors, b->cap_anchors, name);
	return a->name ? a : NULL;
}

/* Recursion is bounded: an anchored node is never deeper than the limit. */
static struct vc_tree *
tree_copy(const struct vc_tree *t)
{
	struct vc_tree *c = node_new(t->type);

	c->text = xstrdup(t->text);
	c->quoted = t->quoted;
	for (size_t i = 0; i < t->n; i++)
		node_add(c, t->keys ? xstrdup(t->keys[i]) : NULL, tree_copy(t->items[i]));
	return c;
}

/*
 * An alias is expanded into a copy, so it costs what its anchor costs:
 * that is what the size limit counts, before anything is copied.
 */
static bool
y_alias(struct builder *b, const char *name)
{
	const struct anchor *a = find_anchor(b, name);

	if (!a)
		return stop(b, STOP_ALIAS);
	if (wants_key(b)) {
		const char *key = a->node->type == VC_T_SCALAR ? a->node->text : "";

		return add_key(b, key, strlen(key));
	}
	if (b->depth + a->height > VC_TREE_MAX_DEPTH)
		return stop(b, STOP_DEPTH);
	if (!grow(b, a->size))
		return false;
	place(b, tree_copy(a->node), a->height);
	return true;
}

static bool
y_scalar(struct builder *b, const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	size_t len = ev->data.scalar.length;
	struct vc_tree *t;

	if (memchr(text, '\0', len))
		return stop(b, STOP_NUL);
	if (wants_key(b))
		return add_key(b, text, len);
	t = add_scalar(b, text, len, ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE,
		       yaml_is_null(ev));
	if (!t)
		return false;
	if (anchor && !b->key_frames)
		add_anchor(b, anchor, t, 1 + (t->text ? len : 0), 0);
	return true;
}

static bool
y_open(struct builder *b, enum vc_tree_type type, const yaml_char_t *anchor)
{
	return open_collection(b, type, (const char *)anchor, wants_key(b));
}

static bool
y_event(struct builder *b, const yaml_event_t *ev, bool *done)
{
	switch (ev->type) {
	case YAML_DOCUMENT_END_EVENT:
	case YAML_STREAM_END_EVENT:
		*done = true; /* the first document only, as yaml_parser_load */
		return true;
	case YAML_SCALAR_EVENT:
		return y_scalar(b, ev);
	case YAML_ALIAS_EVENT:
		return y_alias(b, (const char *)ev->data.alias.anchor);
	case YAML_SEQUENCE_START_EVENT:
		return y_open(b, VC_T_LIST, ev->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		return y_open(b, VC_T_MAP, ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_collection(b);
		return true;
	default:
		return true;
	}
}

/* libyaml's messages are fixed texts: none quotes the input. */
static void
yaml_syntax_error(const yaml_parser_t *y, const char *what)
{
	if (y->error == YAML_MEMORY_ERROR)
		abort(); /* out of memory, as x*alloc */
	if (y->error == YAML_READER_ERROR) {
		vc_err("%s: invalid YAML near byte %zu: %s", what, y->problem_offset,
		       y->problem ? y->problem : "read error");
		return;
	}
	vc_err("%s: invalid YAML at line %zu, column %zu: %s%s%s%s", what,
	       y->problem_mark.line + 1, y->problem_mark.column + 1,
	       y->problem ? y->problem : "parse error", y->context ? " (" : "",
	       y->context ? y->context : "", y->context ? ")" : "");
}

/* libyaml has no allocator hook: wipe at least the scalar it hands out. */
static void
wipe_event(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.value)
		explicit_bzero(ev->data.scalar.value, ev->data.scalar.length);
	yaml_event_delete(ev);
}

/*
 * After the first document's end: true when the stream ends there. A
 * node report is one document; a second one would be silently ignored.
 */
static bool
no_second_document(yaml_parser_t *parser, const char *what)
{
	yaml_event_t ev;
	bool end;

	if (!yaml_parser_parse(parser, &ev)) {
		yaml_syntax_error(parser, what);
		return false;
	}
	end = ev.type == YAML_STREAM_END_EVENT;
	if (!end)
		vc_err("%s: more than one YAML document (line %zu): one is expected",
		       what, ev.start_mark.line + 1);
	wipe_event(&ev);
	return end;
}

static struct vc_tree *
parse_yaml(const char *text, size_t len, const char *what, bool single)
{
	yaml_parser_t parser;
	struct builder b;
	bool done = false, ok = true, doc_end = false;

	builder_init(&b, text, len, what);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (ok && !done) {
		yaml_event_t ev;
		char where[64];

		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_syntax_error(&parser, what);
			ok = false;
			break;
		}
		ok = y_event(&b, &ev, &done);
		doc_end = ev.type == YAML_DOCUMENT_END_EVENT;
		if (!ok) {
			snprintf(where, sizeof(where), "line %zu, column %zu",
				 ev.start_mark.line + 1, ev.start_mark.column + 1);
			stop_error(&b, "YAML", where);
		}
		wipe_event(&ev);
	}
	if (ok && single && doc_end)
		ok = no_second_document(&parser, what);
	yaml_parser_delete(&parser);
	if (!ok) {
		builder_clear(&b);
		return NULL;
	}
	return builder_finish(&b);
}

/* ---- access -------------------------------------------------------------- */

static struct vc_tree *
parse(const char *text, size_t len, const char *what, bool single)
{
	size_t i = vc_blank_prefix(text, len);

	if (i >= len) {
		vc_err("%s: empty document", what);
		return NULL;
	}
	if (text[i] == '{' || text[i] == '[')
		return parse_json(text, len, what);
	return parse_yaml(text, len, what, single);
}

struct vc_tree *
vc_tree_parse(const char *text, size_t len, const char *what)
{
	return parse(text, len, what, false);
}

static struct vc_tree *
load(const char *path, size_t max, bool single)
{
	_autofree_ char *text = NULL;
	struct vc_tree *t;
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
	t = parse(text, len, vc_input_name(path), single);
	/* The text may be a kubeconfig: wipe it before it goes back to malloc. */
	explicit_bzero(text, len);
	return t;
}

struct vc_tree *
vc_tree_load(const char *path, size_t max)
{
	return load(path, max, false);
}

struct vc_tree *
vc_tree_load_one(const char *path, size_t max)
{
	return load(path, max, true);
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

/*
 * Without recursion, whatever the depth: each node's children join a
 * worklist before the node goes. Strings are wiped: the tree may hold a
 * kubeconfig's token or key.
 */
void
vc_tree_free(struct vc_tree *t)
{
	size_t n = 0, cap = 16;
	struct vc_tree **todo;

	if (!t)
		return;
	todo = xrealloc(NULL, cap * sizeof(*todo));
	todo[n++] = t;
	while (n) {
		struct vc_tree *cur = todo[--n];

		if (n + cur->n > cap) {
			cap = 2 * (n + cur->n);
			todo = xrealloc(todo, cap * sizeof(*todo));
		}
		for (size_t i = 0; i < cur->n; i++) {
			todo[n++] = cur->items[i];
			if (cur->keys)
				wipe_free(cur->keys[i]);
		}
		wipe_free(cur->text);
		free(cur->items);
		free(cur->keys);
		free(cur);
	}
	free(todo);
}
