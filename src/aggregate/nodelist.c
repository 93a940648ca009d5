/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/nodelist.h"

#include <errno.h>
#include <yajl/yajl_parse.h>

#include "nodeitems.h"

/* The most bytes handed to yajl at once: the node-size check runs
 * between pieces. */
#define PIECE (1024 * 1024)
/* Smaller chunks are gathered up to this size before yajl sees them, so
 * that what yajl lexes again (a token that spans two chunks) is never
 * much more than what each call brings. */
#define MIN_CHUNK (16 * 1024)

/*
 * yajl's events go straight to the decoding shared with the YAML reader
 * (nodeitems.c); what is left here is yajl, its errors, and the token
 * limit.
 *
 * yajl keeps a token that spans two chunks in a buffer and lexes that
 * buffer again from its start with every further chunk, so a long token
 * fed in small chunks costs quadratic time. Chunks (of at least
 * MIN_CHUNK) go to yajl as they come (fast mode) while the bytes after
 * its last event (the tail) are fewer than the chunk: then what yajl
 * lexes again is at most about what the chunk brought. A longer tail
 * means a token that spans chunks: the tail is scanned for where strings
 * and bare literals begin and end, and from then on (slow mode) each
 * chunk is scanned first and held back while the token goes on, then
 * given to yajl at once when it ends. A token over VC_NODELIST_MAX_TOKEN
 * is refused. Scanning only the rare long token keeps the common path at
 * yajl's own speed.
 */
struct vc_nodelist {
	yajl_handle h;
	struct vc_nodeitems *it;
	size_t fed;          /* bytes given to yajl before the current piece */
	size_t last_event;   /* offset just after yajl's last event */
	struct vc_buf tail;  /* fast mode: the bytes after the last event */
	struct vc_buf small; /* small chunks gathered up to MIN_CHUNK */
	bool slow;
	struct vc_buf held; /* slow mode: bytes of the open token kept back */
	bool in_str;        /* inside a string */
	bool esc;           /* the next string byte is escaped */
	size_t str_len;     /* of the open string, quotes included */
	size_t lit_len;     /* of the bare literal (number, true...) run */
};

/* Every event: note where it ended. @return the decoder. */
static struct vc_nodeitems *
event(void *ctx)
{
	struct vc_nodelist *p = ctx;

	p->last_event = p->fed + yajl_get_bytes_consumed(p->h);
	return p->it;
}

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	return vc_nodeitems_scalar(event(ctx), (const char *)s, len);
}

static int
on_null(void *ctx)
{
	return vc_nodeitems_scalar(event(ctx), NULL, 0);
}

static int
on_bool(void *ctx, int v)
{
	return on_null(ctx);
}

static int
on_number(void *ctx, const char *s, size_t len)
{
	return on_null(ctx);
}

static int
on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	return vc_nodeitems_key(event(ctx), (const char *)s, len);
}

/* Node objects are measured from where yajl is. */
static struct vc_nodeitems *
at(void *ctx)
{
	struct vc_nodelist *p = ctx;
	struct vc_nodeitems *it = event(ctx);

	vc_nodeitems_at(it, p->last_event);
	return it;
}

static int
on_start_map(void *ctx)
{
	return vc_nodeitems_start_map(at(ctx));
}

static int
on_end_map(void *ctx)
{
	return vc_nodeitems_end_map(at(ctx));
}

static int
on_start_array(void *ctx)
{
	return vc_nodeitems_start_seq(event(ctx));
}

static int
on_end_array(void *ctx)
{
	return vc_nodeitems_end_seq(event(ctx));
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

	p->it = vc_nodeitems_new(VC_NODEITEMS_JSON, what, fn, data);
	p->h = yajl_alloc(&callbacks, NULL, p);
	if (!p->h)
		abort();
	return p;
}

void
vc_nodelist_free(struct vc_nodelist *p)
{
	if (!p)
		return;
	yajl_free(p->h);
	vc_nodeitems_free(p->it);
	vc_buf_clear(&p->held);
	vc_buf_clear(&p->tail);
	vc_buf_clear(&p->small);
	free(p);
}

static int
check_status(struct vc_nodelist *p, yajl_status st, const unsigned char *buf, size_t len)
{
	unsigned char *msg;

	if (st == yajl_status_ok)
		return 0;
	if (vc_nodeitems_failed(p->it)) /* our callback stopped it and said why */
		return -EINVAL;
	msg = yajl_get_error(p->h, 0, buf, len);
	vc_nodeitems_fail(p->it, "invalid JSON near byte %zu: %s",
			  p->fed + yajl_get_bytes_consumed(p->h), (const char *)msg);
	yajl_free_error(p->h, msg);
	return -EINVAL;
}

/* Fast mode: keep the bytes of @buf (@len, just parsed) after the last
 * event, which a long token would be part of. */
static void
track_tail(struct vc_nodelist *p, const char *buf, size_t len)
{
	size_t start = p->fed - len;

	if (p->last_event >= start) {
		p->tail.len = 0;
		buf += p->last_event - start;
		len -= p->last_event - start;
	}
	vc_buf_append(&p->tail, buf, len);
}

/* Give @len bytes to yajl, in pieces of at most @piece, checking the
 * node size between. */
static int
parse(struct vc_nodelist *p, const char *buf, size_t len, size_t piece)
{
	while (len > 0) {
		size_t n = len < piece ? len : piece;
		const unsigned char *u = (const unsigned char *)buf;

		if (check_status(p, yajl_parse(p->h, u, n), u, n) < 0)
			return -EINVAL;
		p->fed += n;
		if (!vc_nodeitems_check_size(p->it, p->fed))
			return -EINVAL;
		if (!p->slow)
			track_tail(p, buf, n);
		buf += n;
		len -= n;
	}
	return 0;
}

static int
flush_held(struct vc_nodelist *p)
{
	/* In one call: yajl lexes a token it gets in pieces again with each
	 * piece. (What is held is at most the token limit and one chunk.) */
	int rc = parse(p, p->held.data, p->held.len, SIZE_MAX);

	p->held.len = 0;
	return rc;
}

static bool
too_long(struct vc_nodelist *p, const char *what)
{
	char where[300];

	vc_nodeitems_where(p->it, where, sizeof(where));
	vc_nodeitems_set_too_big(p->it);
	return vc_nodeitems_fail(
		p->it,
		"%s: a JSON %s longer than %d MiB near byte %zu (the limit; "
		"Kubernetes objects are at most ~1.5 MiB)",
		where, what, VC_NODELIST_MAX_TOKEN / (1024 * 1024), p->fed + p->held.len);
}

/* The backslashes that end @s[from..to). */
static size_t
backslashes_before(const char *s, size_t from, size_t to)
{
	size_t n = 0;

	while (to > from && s[to - 1] == '\\')
		to--, n++;
	return n;
}

/*
 * Inside a string from @buf[*i]: move *i past its closing quote and
 * return true, or to @len (the string goes on) and return false.
 */
static bool
string_end(struct vc_nodelist *p, const char *buf, size_t *i, size_t len)
{
	const char *q;

	while ((q = memchr(buf + *i, '"', len - *i))) {
		size_t at = (size_t)(q - buf), bs = backslashes_before(buf, *i, at);

		/* A run that reaches *i continues one escaped or not. */
		if (bs == at - *i)
			bs += p->esc;
		p->str_len += at + 1 - *i;
		*i = at + 1;
		p->esc = false;
		if (bs % 2 == 0)
			return true;
	}
	{
		size_t bs = backslashes_before(buf, *i, len);

		p->esc = (bs + (bs == len - *i ? p->esc : 0)) % 2 == 1;
	}
	p->str_len += len - *i;
	*i = len;
	return false;
}

/* Bytes that end a bare literal: blanks, structure, a quote (and NUL,
 * never valid there). */
static const bool not_literal[256] = {
	[' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true,
	['{'] = true, ['}'] = true,  ['['] = true,  [']'] = true,
	[','] = true, [':'] = true,  ['"'] = true,  ['\0'] = true,
};

static bool
is_literal(char c)
{
	return !not_literal[(unsigned char)c];
}

/*
 * Bytes outside strings, @buf[from..to): bare literals (numbers, true,
 * false, null) are short tokens there, but one could run on. Only the
 * ends of the run are looked at, unless the span is long enough to hold
 * a literal over the limit.
 */
static bool
literals(struct vc_nodelist *p, const char *buf, size_t from, size_t to)
{
	size_t lead = 0, trail = 0;

	while (from + lead < to && is_literal(buf[from + lead]))
		lead++;
	if (from + lead == to) {
		p->lit_len += lead;
	} else {
		if (to - from > VC_NODELIST_MAX_TOKEN) {
			for (size_t i = from, run = 0; i < to; i++) {
				run = is_literal(buf[i]) ? run + 1 : 0;
				if (run > VC_NODELIST_MAX_TOKEN)
					return too_long(p, "number or literal");
			}
		}
		if (p->lit_len + lead > VC_NODELIST_MAX_TOKEN)
			return too_long(p, "number or literal");
		while (trail < to - from && is_literal(buf[to - 1 - trail]))
			trail++;
		p->lit_len = trail;
	}
	return p->lit_len <= VC_NODELIST_MAX_TOKEN || too_long(p, "number or literal");
}

/* Is a token still open at the end of @buf (*@open)? Returns false when
 * one is too long. */
static bool
scan(struct vc_nodelist *p, const char *buf, size_t len, bool *open)
{
	size_t i = 0;

	while (i < len) {
		const char *q;
		size_t to;

		if (p->in_str) {
			if (string_end(p, buf, &i, len))
				p->in_str = false;
			if (p->str_len > VC_NODELIST_MAX_TOKEN)
				return too_long(p, "string");
			continue;
		}
		q = memchr(buf + i, '"', len - i);
		to = q ? (size_t)(q - buf) : len;
		if (!literals(p, buf, i, to))
			return false;
		if (q) {
			p->lit_len = 0;
			p->in_str = true;
			p->str_len = 1;
			i = to + 1;
		} else {
			i = len;
		}
	}
	*open = p->in_str || p->lit_len > 0;
	return true;
}

/*
 * Slow mode: does the open token end in @buf? Returns 1 when it does, 0
 * when it goes on, -EINVAL when it is too long.
 */
static int
token_end(struct vc_nodelist *p, const char *buf, size_t len)
{
	size_t i = 0;

	if (p->in_str) {
		p->in_str = !string_end(p, buf, &i, len);
		if (p->str_len > VC_NODELIST_MAX_TOKEN)
			return too_long(p, "string") ? 0 : -EINVAL;
		return !p->in_str;
	}
	while (i < len && is_literal(buf[i]))
		i++;
	p->lit_len += i;
	if (p->lit_len > VC_NODELIST_MAX_TOKEN)
		return too_long(p, "number or literal") ? 0 : -EINVAL;
	if (i == len)
		return 0;
	p->lit_len = 0;
	return 1;
}

static int feed_chunk(struct vc_nodelist *p, const char *buf, size_t len);

/* Slow mode: hold @buf back while the token goes on; when it ends, give
 * it to yajl whole and go on in fast mode. */
static int
feed_slow(struct vc_nodelist *p, const char *buf, size_t len)
{
	int rc = token_end(p, buf, len);

	if (rc < 0)
		return -EINVAL;
	if (rc == 0) {
		vc_buf_append(&p->held, buf, len);
		return 0;
	}
	if (flush_held(p) < 0)
		return -EINVAL;
	p->slow = false;
	p->tail.len = 0;
	return feed_chunk(p, buf, len);
}

/* Fast mode: is the tail (longer than the @len bytes just parsed) a
 * token under way? Its start is right after an event, outside any token,
 * where the scan can begin. */
static int
check_tail(struct vc_nodelist *p, size_t len)
{
	bool open = false;

	if (p->tail.len <= len)
		return 0;
	p->in_str = p->esc = false;
	p->str_len = p->lit_len = 0;
	if (!scan(p, p->tail.data, p->tail.len, &open))
		return -EINVAL;
	/* yajl has these bytes already: hold only what follows. */
	p->slow = open;
	p->tail.len = 0;
	return 0;
}

/* Piece by piece, so that no token grows past two pieces unseen. */
static int
feed_chunk(struct vc_nodelist *p, const char *buf, size_t len)
{
	while (len > 0 && !p->slow) {
		size_t n = len < PIECE ? len : PIECE;

		if (parse(p, buf, n, PIECE) < 0 || check_tail(p, n) < 0)
			return -EINVAL;
		buf += n;
		len -= n;
	}
	return len > 0 ? feed_slow(p, buf, len) : 0;
}

static int
feed_small(struct vc_nodelist *p)
{
	int rc = p->small.len ? feed_chunk(p, p->small.data, p->small.len) : 0;

	p->small.len = 0;
	return rc;
}

int
vc_nodelist_feed(struct vc_nodelist *p, const void *data, size_t len)
{
	if (vc_nodeitems_failed(p->it))
		return -EINVAL;
	if (!p->small.len && len >= MIN_CHUNK)
		return feed_chunk(p, data, len);
	vc_buf_append(&p->small, data, len);
	return p->small.len < MIN_CHUNK ? 0 : feed_small(p);
}

int
vc_nodelist_finish(struct vc_nodelist *p)
{
	yajl_status st;

	if (vc_nodeitems_failed(p->it) || feed_small(p) < 0 || flush_held(p) < 0)
		return -EINVAL;
	st = yajl_complete_parse(p->h); /* may still call back, e.g. a bare number */
	/* Without a document, "empty input" says more than yajl would. */
	if (vc_nodeitems_started(p->it) && check_status(p, st, NULL, 0) < 0)
		return -EINVAL;
	return vc_nodeitems_finish(p->it);
}

void
vc_nodelist_set_filter(struct vc_nodelist *p,
		       bool (*want)(void *data, const char *key, size_t len))
{
	vc_nodeitems_set_filter(p->it, want);
}

const char *
vc_nodelist_continue(const struct vc_nodelist *p)
{
	return vc_nodeitems_continue(p->it);
}

size_t
vc_nodelist_count(const struct vc_nodelist *p)
{
	return vc_nodeitems_count(p->it);
}

bool
vc_nodelist_too_big(const struct vc_nodelist *p)
{
	return vc_nodeitems_too_big(p->it);
}

void
vc_nodelist_keep_complaint(struct vc_nodelist *p)
{
	vc_nodeitems_keep_complaint(p->it);
}

const char *
vc_nodelist_complaint(const struct vc_nodelist *p)
{
	return vc_nodeitems_complaint(p->it);
}

bool
vc_nodelist_wrong_kind(const struct vc_nodelist *p)
{
	return vc_nodeitems_wrong_kind(p->it);
}
