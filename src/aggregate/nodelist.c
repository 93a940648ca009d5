/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/nodelist.h"

#include <errno.h>
#include <stdint.h>
#include <yajl/yajl_parse.h>

#include "virt-caps/log.h"

/* Where in the document an event happens. Only the few paths that hold
 * kinds, names, labels and the continue token are tracked; everything
 * else (spec, status: most of the bytes) is skipped. */
enum ctx {
	C_SKIP,
	C_ROOT,
	C_ROOT_META,
	C_ITEMS,
	C_ITEM,
	C_ITEM_META,
	C_LABELS,
};

enum key {
	K_OTHER,
	K_KIND,
	K_ITEMS,
	K_METADATA,
	K_NAME,
	K_LABELS,
	K_CONTINUE,
};

#define MAX_DEPTH 128
#define SKIPPED (SIZE_MAX - 1) /* a label the filter did not want */

struct frame {
	enum ctx ctx;
	enum key key;
};

struct vc_nodelist {
	yajl_handle h;
	char *what;
	vc_nodelist_fn *fn;
	void *data;
	struct frame stack[MAX_DEPTH];
	int depth;
	size_t fed;
	bool failed; /* reported already */
	bool root_seen;
	char *root_kind;
	char *cont;
	/* the item being read */
	char *item_name;
	char *item_kind;
	struct vc_buf text; /* "key\0value\0" pairs */
	size_t *offs;       /* per label: key offset, value offset or SIZE_MAX */
	size_t n_offs;
	size_t cap_offs;
	size_t pending_key; /* offset of a label key waiting for its value */
	bool (*want)(void *data, const char *key, size_t len);
	size_t items; /* items seen */
	size_t count; /* nodes emitted */
};

static int _printf_(2, 3) fail(struct vc_nodelist *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vc_err("%s: %s", p->what, msg);
	p->failed = true;
	return 0; /* tells yajl to stop */
}

static struct frame *
top(struct vc_nodelist *p)
{
	return p->depth > 0 ? &p->stack[p->depth - 1] : NULL;
}

static void
reset_item(struct vc_nodelist *p)
{
	free(p->item_name);
	free(p->item_kind);
	p->item_name = p->item_kind = NULL;
	p->text.len = 0;
	p->n_offs = 0;
}

static size_t
store(struct vc_nodelist *p, const unsigned char *s, size_t len)
{
	size_t off = p->text.len;

	vc_buf_append(&p->text, s, len);
	/* JSON may hold "\u0000"; make such a label invalid instead of
	 * letting the NUL cut it short into a different, valid one. */
	if (memchr(s, '\0', len))
		for (size_t i = off; i < p->text.len; i++)
			if (p->text.data[i] == '\0')
				p->text.data[i] = ' ';
	vc_buf_append(&p->text, "", 1);
	return off;
}

static void
add_label(struct vc_nodelist *p, size_t value_off)
{
	if (p->n_offs + 2 > p->cap_offs) {
		p->cap_offs = p->cap_offs ? p->cap_offs * 2 : 512;
		p->offs = xrealloc(p->offs, p->cap_offs * sizeof(*p->offs));
	}
	p->offs[p->n_offs++] = p->pending_key;
	p->offs[p->n_offs++] = value_off;
}

static int
emit(struct vc_nodelist *p, const char *where)
{
	struct vc_label_ref *refs;
	size_t n = p->n_offs / 2;

	if (strempty(p->item_name))
		return fail(p, "%s has no metadata.name", where);
	refs = xzalloc((n ? n : 1) * sizeof(*refs));
	for (size_t i = 0; i < n; i++) {
		refs[i].key = p->text.data + p->offs[2 * i];
		refs[i].value = p->offs[2 * i + 1] == SIZE_MAX
					? NULL
					: p->text.data + p->offs[2 * i + 1];
	}
	p->fn(p->data, p->item_name, refs, n);
	free(refs);
	p->count++;
	reset_item(p);
	return 1;
}

static int
end_item(struct vc_nodelist *p)
{
	char where[64];

	snprintf(where, sizeof(where), "item %zu", p->items);
	p->items++;
	if (p->item_kind && !streq(p->item_kind, "Node") &&
	    !streq(p->item_kind, "PartialObjectMetadata"))
		return fail(p, "%s is a %s, not a Node", where, p->item_kind);
	return emit(p, where);
}

/* A scalar at the current position; @s is NULL for non-strings. */
static int
scalar(struct vc_nodelist *p, const unsigned char *s, size_t len)
{
	struct frame *f = top(p);
	char **slot = NULL;

	if (!f)
		return fail(p, "not a JSON object (a Kubernetes list or Node)");
	if (f->ctx == C_LABELS) {
		if (p->pending_key != SKIPPED)
			add_label(p, s ? store(p, s, len) : SIZE_MAX);
		return 1;
	}
	if (f->ctx == C_ROOT && f->key == K_KIND)
		slot = &p->root_kind;
	else if (f->ctx == C_ROOT_META && f->key == K_CONTINUE)
		slot = &p->cont;
	else if ((f->ctx == C_ROOT_META || f->ctx == C_ITEM_META) && f->key == K_NAME)
		slot = &p->item_name;
	else if (f->ctx == C_ITEM && f->key == K_KIND)
		slot = &p->item_kind;
	if (slot && s) {
		free(*slot);
		*slot = xstrndup((const char *)s, len);
	}
	return 1;
}

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar(ctx, s, len);
}

static int
on_null(void *ctx)
{
	return scalar(ctx, NULL, 0);
}

static int
on_bool(void *ctx, int v)
{
	return scalar(ctx, NULL, 0);
}

static int
on_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, NULL, 0);
}

static enum key
classify_key(const unsigned char *s, size_t len)
{
	static const struct {
		const char *name;
		enum key key;
	} keys[] = {
		{"kind", K_KIND}, {"items", K_ITEMS},   {"metadata", K_METADATA},
		{"name", K_NAME}, {"labels", K_LABELS}, {"continue", K_CONTINUE},
	};

	for (size_t i = 0; i < ARRAY_LENGTH(keys); i++)
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, s, len) == 0)
			return keys[i].key;
	return K_OTHER;
}

static int
on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct vc_nodelist *p = ctx;
	struct frame *f = top(p);

	if (!f) /* yajl only sends keys inside a map */
		return fail(p, "internal error: key outside a map");
	if (f->ctx == C_LABELS)
		p->pending_key = !p->want || p->want(p->data, (const char *)s, len)
					 ? store(p, s, len)
					 : SKIPPED;
	else if (f->ctx != C_SKIP)
		f->key = classify_key(s, len);
	return 1;
}

static int
push(struct vc_nodelist *p, enum ctx c)
{
	if (p->depth == MAX_DEPTH)
		return fail(p, "JSON nested deeper than %d levels", MAX_DEPTH);
	p->stack[p->depth].ctx = c;
	p->stack[p->depth].key = K_OTHER;
	p->depth++;
	return 1;
}

static enum ctx
child_of_map(const struct frame *f)
{
	switch (f->ctx) {
	case C_ROOT:
		return f->key == K_METADATA ? C_ROOT_META : C_SKIP;
	case C_ITEM:
		return f->key == K_METADATA ? C_ITEM_META : C_SKIP;
	case C_ROOT_META:
	case C_ITEM_META:
		return f->key == K_LABELS ? C_LABELS : C_SKIP;
	default:
		return C_SKIP;
	}
}

static int
on_start_map(void *ctx)
{
	struct vc_nodelist *p = ctx;
	struct frame *f = top(p);

	if (!f) {
		if (p->root_seen)
			return fail(p, "more than one JSON document");
		p->root_seen = true;
		return push(p, C_ROOT);
	}
	if (f->ctx == C_ITEMS) {
		reset_item(p);
		return push(p, C_ITEM);
	}
	if (f->ctx == C_LABELS)
		return fail(p, "label values must be strings, not objects");
	return push(p, child_of_map(f));
}

static int
on_end_map(void *ctx)
{
	struct vc_nodelist *p = ctx;
	enum ctx c = p->stack[--p->depth].ctx;

	return c == C_ITEM ? end_item(p) : 1;
}

static int
on_start_array(void *ctx)
{
	struct vc_nodelist *p = ctx;
	struct frame *f = top(p);

	if (!f)
		return fail(p, "top level is an array, not a Kubernetes list or Node");
	if (f->ctx == C_LABELS)
		return fail(p, "label values must be strings, not arrays");
	return push(p, f->ctx == C_ROOT && f->key == K_ITEMS ? C_ITEMS : C_SKIP);
}

static int
on_end_array(void *ctx)
{
	struct vc_nodelist *p = ctx;

	p->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_map_key,
	.yajl_end_map = on_end_map,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end_array,
};

struct vc_nodelist *
vc_nodelist_new(const char *what, vc_nodelist_fn *fn, void *data)
{
	struct vc_nodelist *p = xzalloc(sizeof(*p));

	p->h = yajl_alloc(&callbacks, NULL, p);
	if (!p->h)
		abort();
	p->what = xstrdup(what);
	p->fn = fn;
	p->data = data;
	return p;
}

void
vc_nodelist_free(struct vc_nodelist *p)
{
	if (!p)
		return;
	yajl_free(p->h);
	reset_item(p);
	vc_buf_clear(&p->text);
	free(p->offs);
	free(p->what);
	free(p->root_kind);
	free(p->cont);
	free(p);
}

static int
check_status(struct vc_nodelist *p, yajl_status st, const unsigned char *buf, size_t len)
{
	unsigned char *msg;

	if (st == yajl_status_ok)
		return 0;
	if (p->failed) /* our callback stopped it and said why */
		return -EINVAL;
	msg = yajl_get_error(p->h, 0, buf, len);
	vc_err("%s: invalid JSON near byte %zu: %s", p->what,
	       p->fed + yajl_get_bytes_consumed(p->h), (const char *)msg);
	yajl_free_error(p->h, msg);
	p->failed = true;
	return -EINVAL;
}

int
vc_nodelist_feed(struct vc_nodelist *p, const void *buf, size_t len)
{
	int rc;

	if (p->failed)
		return -EINVAL;
	rc = check_status(p, yajl_parse(p->h, buf, len), buf, len);
	p->fed += len;
	return rc;
}

static bool
is_list_kind(const char *k)
{
	return streq(k, "List") || streq(k, "NodeList") ||
	       streq(k, "PartialObjectMetadataList");
}

int
vc_nodelist_finish(struct vc_nodelist *p)
{
	yajl_status st;

	if (p->failed)
		return -EINVAL;
	st = yajl_complete_parse(p->h); /* may still call back, e.g. a bare number */
	if (p->failed)
		return -EINVAL;
	if (!p->root_seen) {
		vc_err("%s: empty input, expected a node list", p->what);
		return -EINVAL;
	}
	if (check_status(p, st, NULL, 0) < 0)
		return -EINVAL;
	if (is_list_kind(p->root_kind))
		return 0;
	if (streq(p->root_kind, "Node"))
		return emit(p, "the Node") ? 0 : -EINVAL;
	vc_err("%s: kind is %s, expected List, NodeList, PartialObjectMetadataList or Node",
	       p->what, p->root_kind ? p->root_kind : "missing");
	return -EINVAL;
}

void
vc_nodelist_set_filter(struct vc_nodelist *p,
		       bool (*want)(void *data, const char *key, size_t len))
{
	p->want = want;
}

const char *
vc_nodelist_continue(const struct vc_nodelist *p)
{
	return strempty(p->cont) ? NULL : p->cont;
}

size_t
vc_nodelist_count(const struct vc_nodelist *p)
{
	return p->count;
}
