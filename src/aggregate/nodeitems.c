/* SPDX-License-Identifier: Apache-2.0 */
#include "nodeitems.h"

#include <errno.h>
#include <stdint.h>

#include "virt-caps/labels.h"
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

/* How each format names its things in error messages. */
static const struct words {
	const char *format;
	const char *map;
	const char *seq;
	const char *a_seq;
} format_words[] = {
	[VC_NODEITEMS_JSON] = {"JSON", "object", "array", "an array"},
	[VC_NODEITEMS_YAML] = {"YAML", "mapping", "sequence", "a sequence"},
};

struct frame {
	enum ctx ctx;
	enum key key;
	bool is_map;
	bool want_key; /* a map between values: the next scalar is a key */
};

struct vc_nodeitems {
	const struct words *words;
	char *what;
	vc_nodelist_fn *fn;
	void *data;
	struct frame stack[MAX_DEPTH];
	int depth;
	bool failed;     /* reported already */
	bool too_big;    /* failed on a size limit or a node name: final */
	bool quiet;      /* keep the complaint for the caller instead of printing it */
	char *complaint; /* "WHAT: message", when quiet */
	bool wrong_kind; /* a document, or an item, that is not a node (list) */
	bool root_seen;
	char *root_kind;
	char *cont;
	/* the item being read */
	char *item_name;
	char *item_kind;
	bool name_nul;      /* the name held a NUL byte */
	struct vc_buf text; /* "key\0value\0" pairs */
	size_t *offs;       /* per label: key offset, value offset or SIZE_MAX */
	size_t n_offs;
	size_t cap_offs;
	size_t pending_key; /* offset of a label key waiting for its value */
	bool (*want)(void *data, const char *key, size_t len);
	size_t items; /* items seen */
	size_t count; /* nodes emitted */
	/* sizes, in the reader's byte offsets */
	size_t pos;         /* of the next event (vc_nodeitems_at) */
	bool in_item;       /* between an item's start and end */
	size_t item_start;  /* offset of the open item */
	size_t items_bytes; /* bytes of the items that ended */
};

bool
vc_nodeitems_fail(struct vc_nodeitems *it, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (it->quiet && !it->complaint)
		it->complaint = xasprintf("%s: %s", it->what, msg);
	else if (!it->quiet)
		vc_err("%s: %s", it->what, msg);
	it->failed = true;
	return false;
}

void
vc_nodeitems_keep_complaint(struct vc_nodeitems *it)
{
	it->quiet = true;
}

const char *
vc_nodeitems_complaint(const struct vc_nodeitems *it)
{
	return it->complaint;
}

bool
vc_nodeitems_wrong_kind(const struct vc_nodeitems *it)
{
	return it->wrong_kind;
}

bool
vc_nodeitems_failed(const struct vc_nodeitems *it)
{
	return it->failed;
}

void
vc_nodeitems_set_too_big(struct vc_nodeitems *it)
{
	it->too_big = true;
}

bool
vc_nodeitems_too_big(const struct vc_nodeitems *it)
{
	return it->too_big;
}

bool
vc_nodeitems_started(const struct vc_nodeitems *it)
{
	return it->root_seen;
}

static struct frame *
top(struct vc_nodeitems *it)
{
	return it->depth > 0 ? &it->stack[it->depth - 1] : NULL;
}

bool
vc_nodeitems_want_key(const struct vc_nodeitems *it)
{
	return it->depth > 0 && it->stack[it->depth - 1].want_key;
}

static void
reset_item(struct vc_nodeitems *it)
{
	free(it->item_name);
	free(it->item_kind);
	it->item_name = it->item_kind = NULL;
	it->name_nul = false;
	it->text.len = 0;
	it->n_offs = 0;
}

static size_t
store(struct vc_nodeitems *it, const char *s, size_t len)
{
	size_t off = it->text.len;

	vc_buf_append(&it->text, s, len);
	/* JSON may hold "\u0000" (YAML "\0"); make such a label invalid
	 * instead of letting the NUL cut it short into a different, valid one. */
	if (memchr(s, '\0', len))
		for (size_t i = off; i < it->text.len; i++)
			if (it->text.data[i] == '\0')
				it->text.data[i] = ' ';
	vc_buf_append(&it->text, "", 1);
	return off;
}

static void
add_label(struct vc_nodeitems *it, size_t value_off)
{
	if (it->n_offs + 2 > it->cap_offs) {
		it->cap_offs = it->cap_offs ? it->cap_offs * 2 : 512;
		it->offs = xrealloc(it->offs, it->cap_offs * sizeof(*it->offs));
	}
	it->offs[it->n_offs++] = it->pending_key;
	it->offs[it->n_offs++] = value_off;
}

/*
 * A node's name must be what the API server accepts (a DNS-1123
 * subdomain: at most 253 lower-case letters, digits, '-' and '.'), so
 * that no input can make the names, and the -o table rows padded to the
 * longest, arbitrarily long or fill them with bytes a terminal acts on.
 * Refusing it is final: the API server would send the same again.
 */
static bool
valid_name(struct vc_nodeitems *it, const char *where)
{
	const char *name = it->item_name, *why;
	size_t len = strlen(name);

	if (!it->name_nul && vc_dns_subdomain_valid(name, &why))
		return true;
	it->too_big = true;
	if (len > VC_NODE_NAME_MAX)
		return vc_nodeitems_fail(
			it,
			"%s: node name '%.40s...' is %zu characters long; a Kubernetes node name has at most %d",
			where, name, len, VC_NODE_NAME_MAX);
	return vc_nodeitems_fail(
		it,
		"%s: node name '%.40s%s' is not a valid Kubernetes node name (lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit)",
		where, name, len > 40 ? "..." : "");
}

static bool
emit(struct vc_nodeitems *it, const char *where)
{
	struct vc_label_ref *refs;
	size_t n = it->n_offs / 2;

	if (strempty(it->item_name) && !it->name_nul)
		return vc_nodeitems_fail(it, "%s has no metadata.name", where);
	if (!valid_name(it, where))
		return false;
	refs = xzalloc((n ? n : 1) * sizeof(*refs));
	for (size_t i = 0; i < n; i++) {
		refs[i].key = it->text.data + it->offs[2 * i];
		refs[i].value = it->offs[2 * i + 1] == SIZE_MAX
					? NULL
					: it->text.data + it->offs[2 * i + 1];
	}
	it->fn(it->data, it->item_name, refs, n);
	free(refs);
	it->count++;
	reset_item(it);
	return true;
}

static bool
end_item(struct vc_nodeitems *it)
{
	char where[64];

	snprintf(where, sizeof(where), "item %zu", it->items);
	it->items++;
	if (it->item_kind && !streq(it->item_kind, "Node") &&
	    !streq(it->item_kind, "PartialObjectMetadata")) {
		it->wrong_kind = true;
		return vc_nodeitems_fail(it, "%s is a %s, not a Node", where,
					 it->item_kind);
	}
	return emit(it, where);
}

/* Keep a string that is a kind, a name or the continue token. */
static bool
keep_scalar(struct vc_nodeitems *it, const struct frame *f, const char *s, size_t len)
{
	char where[64];
	char **slot = NULL;

	if (f->ctx == C_ROOT && f->key == K_KIND)
		slot = &it->root_kind;
	else if (f->ctx == C_ROOT_META && f->key == K_CONTINUE)
		slot = &it->cont;
	else if ((f->ctx == C_ROOT_META || f->ctx == C_ITEM_META) && f->key == K_NAME)
		slot = &it->item_name;
	else if (f->ctx == C_ITEM && f->key == K_KIND)
		slot = &it->item_kind;
	if (slot && s) {
		free(*slot);
		*slot = xstrndup(s, len);
		/* "\u0000" in a name would cut it short into another name. */
		if (slot == &it->item_name)
			it->name_nul = memchr(s, '\0', len) != NULL;
	}
	/* A list item's name is checked as soon as it is read, so that a
	 * page is refused while the API transfer runs (final, not retried);
	 * a single Node's when it ends (emit). */
	if (slot != &it->item_name || f->ctx != C_ITEM_META || !s || !len)
		return true;
	snprintf(where, sizeof(where), "item %zu", it->items);
	return valid_name(it, where);
}

bool
vc_nodeitems_scalar(struct vc_nodeitems *it, const char *s, size_t len)
{
	struct frame *f = top(it);

	if (!f)
		return vc_nodeitems_fail(
			it,
			"not a %s %s; expected a Kubernetes node list or Node, as kubectl get nodes -o json or -o yaml prints",
			it->words->format, it->words->map);
	if (f->ctx != C_LABELS) {
		if (!keep_scalar(it, f, s, len))
			return false;
	} else if (it->pending_key != SKIPPED)
		add_label(it, s ? store(it, s, len) : SIZE_MAX);
	f->want_key = f->is_map;
	return true;
}

static enum key
classify_key(const char *s, size_t len)
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

bool
vc_nodeitems_key(struct vc_nodeitems *it, const char *s, size_t len)
{
	struct frame *f = top(it);

	if (!f) /* parsers only send keys inside a map */
		return vc_nodeitems_fail(it, "internal error: key outside a map");
	if (f->ctx == C_LABELS)
		it->pending_key = !it->want || it->want(it->data, s, len)
					  ? store(it, s, len)
					  : SKIPPED;
	else if (f->ctx != C_SKIP)
		f->key = classify_key(s, len);
	f->want_key = false;
	return true;
}

static bool
push(struct vc_nodeitems *it, enum ctx c, bool is_map)
{
	if (it->depth == MAX_DEPTH)
		return vc_nodeitems_fail(it, "%s nested deeper than %d levels",
					 it->words->format, MAX_DEPTH);
	it->stack[it->depth] = (struct frame){
		.ctx = c,
		.key = K_OTHER,
		.is_map = is_map,
		.want_key = is_map,
	};
	it->depth++;
	return true;
}

/* Close the innermost value; its parent, if a map, now expects a key. */
static enum ctx
pop(struct vc_nodeitems *it)
{
	enum ctx c = it->stack[--it->depth].ctx;
	struct frame *f = top(it);

	if (f)
		f->want_key = f->is_map;
	return c;
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

void
vc_nodeitems_at(struct vc_nodeitems *it, size_t pos)
{
	it->pos = pos;
}

void
vc_nodeitems_where(const struct vc_nodeitems *it, char *buf, size_t size)
{
	if (!it->in_item)
		snprintf(buf, size, "the top level");
	else if (it->item_name)
		snprintf(buf, size, "item %zu (node %.253s)", it->items, it->item_name);
	else
		snprintf(buf, size, "item %zu", it->items);
}

bool
vc_nodeitems_check_size(struct vc_nodeitems *it, size_t pos)
{
	char where[300];

	/* Outside the items: the root (a single Node, or a list's own
	 * fields), which counts every byte but those of the items. */
	if ((it->in_item ? pos - it->item_start : pos - it->items_bytes) <=
	    VC_NODELIST_MAX_OBJECT)
		return true;
	vc_nodeitems_where(it, where, sizeof(where));
	it->too_big = true;
	return vc_nodeitems_fail(it,
				 "%s: node object larger than %d MiB (the limit; "
				 "Kubernetes objects are at most ~1.5 MiB)",
				 where, VC_NODELIST_MAX_OBJECT / (1024 * 1024));
}

static bool
start_item(struct vc_nodeitems *it)
{
	reset_item(it);
	it->in_item = true;
	it->item_start = it->pos;
	return push(it, C_ITEM, true);
}

bool
vc_nodeitems_start_map(struct vc_nodeitems *it)
{
	struct frame *f = top(it);

	if (!f) {
		if (it->root_seen)
			return vc_nodeitems_fail(it, "more than one %s document",
						 it->words->format);
		it->root_seen = true;
		return push(it, C_ROOT, true);
	}
	if (f->ctx == C_ITEMS)
		return start_item(it);
	if (f->ctx == C_LABELS)
		return vc_nodeitems_fail(it, "label values must be strings, not %ss",
					 it->words->map);
	return push(it, child_of_map(f), true);
}

bool
vc_nodeitems_end_map(struct vc_nodeitems *it)
{
	if (pop(it) != C_ITEM)
		return true;
	if (!vc_nodeitems_check_size(it, it->pos))
		return false;
	it->in_item = false;
	it->items_bytes += it->pos - it->item_start;
	return end_item(it);
}

bool
vc_nodeitems_start_seq(struct vc_nodeitems *it)
{
	struct frame *f = top(it);

	if (!f)
		return vc_nodeitems_fail(it,
					 "top level is %s, not a Kubernetes list or Node",
					 it->words->a_seq);
	if (f->ctx == C_LABELS)
		return vc_nodeitems_fail(it, "label values must be strings, not %ss",
					 it->words->seq);
	return push(it, f->ctx == C_ROOT && f->key == K_ITEMS ? C_ITEMS : C_SKIP, false);
}

bool
vc_nodeitems_end_seq(struct vc_nodeitems *it)
{
	pop(it);
	return true;
}

struct vc_nodeitems *
vc_nodeitems_new(enum vc_nodeitems_format format, const char *what, vc_nodelist_fn *fn,
		 void *data)
{
	struct vc_nodeitems *it = xzalloc(sizeof(*it));

	it->words = &format_words[format];
	it->what = xstrdup(what);
	it->fn = fn;
	it->data = data;
	return it;
}

void
vc_nodeitems_free(struct vc_nodeitems *it)
{
	if (!it)
		return;
	reset_item(it);
	vc_buf_clear(&it->text);
	free(it->offs);
	free(it->what);
	free(it->root_kind);
	free(it->cont);
	free(it->complaint);
	free(it);
}

void
vc_nodeitems_set_filter(struct vc_nodeitems *it,
			bool (*want)(void *data, const char *key, size_t len))
{
	it->want = want;
}

static bool
is_list_kind(const char *k)
{
	return streq(k, "List") || streq(k, "NodeList") ||
	       streq(k, "PartialObjectMetadataList");
}

int
vc_nodeitems_finish(struct vc_nodeitems *it)
{
	if (it->failed)
		return -EINVAL;
	if (!it->root_seen) {
		vc_nodeitems_fail(it, "empty input, expected a node list");
		return -EINVAL;
	}
	if (is_list_kind(it->root_kind))
		return 0;
	if (streq(it->root_kind, "Node"))
		return emit(it, "the Node") ? 0 : -EINVAL;
	it->wrong_kind = true;
	vc_nodeitems_fail(
		it,
		"kind is %s, expected List, NodeList, PartialObjectMetadataList or Node",
		it->root_kind ? it->root_kind : "missing");
	return -EINVAL;
}

const char *
vc_nodeitems_continue(const struct vc_nodeitems *it)
{
	return strempty(it->cont) ? NULL : it->cont;
}

size_t
vc_nodeitems_count(const struct vc_nodeitems *it)
{
	return it->count;
}
