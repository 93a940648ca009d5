/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/nodeyaml.h"

#include <errno.h>
#include <yaml.h>

#include "nodeitems.h"
#include "nodeyaml-private.h"

/* libyaml's events go to the decoding shared with the JSON reader
 * (nodeitems.c); what is left here is what YAML has and JSON has not:
 * telling keys from values, untyped scalars, anchors and aliases,
 * several documents, and libyaml's errors. */
struct vc_nodeyaml {
	struct vc_nodeitems *it;
};

/*
 * libyaml reads ahead of the event it is building by at most its buffers
 * (16 KiB raw, a few times that decoded) and a simple key's 1024
 * characters: more input read since the last event than a token may be
 * long plus this means a token over the limit.
 */
#define READ_AHEAD (256 * 1024)

/* One vc_nodeyaml_read(). */
struct yaml_read {
	struct vc_nodeitems *it;
	vc_nodeyaml_read_fn *reader;
	void *src;
	int read_errno;
	bool doc_seen;
	size_t read;       /* bytes read so far */
	size_t last_event; /* bytes read when the last event came */
	bool too_long;     /* a token over VC_NODELIST_MAX_TOKEN */
};

static size_t
line_of(const yaml_event_t *ev)
{
	return ev->start_mark.line + 1;
}

static bool
refuse_anchor(struct yaml_read *p, const yaml_event_t *ev, const yaml_char_t *anchor)
{
	return vc_nodeitems_fail(
		p->it,
		"line %zu: YAML anchor &%s refused (kubectl never writes anchors or aliases)",
		line_of(ev), (const char *)anchor);
}

/* A plain null or an explicit !!null: what JSON's null is. Anything
 * else is a string, as a Kubernetes label value always is. */
static bool
is_null(const yaml_event_t *ev)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;

	if (ev->data.scalar.tag)
		return streq((const char *)ev->data.scalar.tag, YAML_NULL_TAG);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < ARRAY_LENGTH(nulls); i++)
		if (strlen(nulls[i]) == len && memcmp(nulls[i], s, len) == 0)
			return true;
	return false;
}

static bool
on_scalar(struct yaml_read *p, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;

	if (ev->data.scalar.anchor)
		return refuse_anchor(p, ev, ev->data.scalar.anchor);
	if (!vc_nodeitems_want_key(p->it))
		return vc_nodeitems_scalar(p->it, is_null(ev) ? NULL : s, len);
	/* YAML 1.1 loaders (kubectl's among them) merge "<<: {...}" into
	 * the mapping: decoding it as a key would read another document. */
	if (ev->data.scalar.plain_implicit && streq(s, "<<"))
		return vc_nodeitems_fail(p->it, "line %zu: YAML merge key << refused",
					 line_of(ev));
	return vc_nodeitems_key(p->it, s, len);
}

static bool
on_start(struct yaml_read *p, const yaml_event_t *ev, const yaml_char_t *anchor,
	 bool (*start)(struct vc_nodeitems *it))
{
	if (anchor)
		return refuse_anchor(p, ev, anchor);
	if (vc_nodeitems_want_key(p->it))
		return vc_nodeitems_fail(p->it, "line %zu: mapping keys must be scalars",
					 line_of(ev));
	return start(p->it);
}

static bool
on_event(struct yaml_read *p, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (p->doc_seen)
			return vc_nodeitems_fail(p->it,
						 "line %zu: more than one YAML document",
						 line_of(ev));
		p->doc_seen = true;
		return true;
	case YAML_ALIAS_EVENT:
		return vc_nodeitems_fail(
			p->it,
			"line %zu: YAML alias *%s refused (kubectl never writes anchors or aliases)",
			line_of(ev), (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(p, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(p, ev, ev->data.sequence_start.anchor,
				vc_nodeitems_start_seq);
	case YAML_SEQUENCE_END_EVENT:
		return vc_nodeitems_end_seq(p->it);
	case YAML_MAPPING_START_EVENT:
		return on_start(p, ev, ev->data.mapping_start.anchor,
				vc_nodeitems_start_map);
	case YAML_MAPPING_END_EVENT:
		return vc_nodeitems_end_map(p->it);
	default: /* stream start and end, document end */
		return true;
	}
}

static bool
syntax_error(struct yaml_read *p, const yaml_parser_t *y)
{
	char where[300];

	if (y->error == YAML_MEMORY_ERROR)
		abort();                /* out of memory, as x*alloc */
	if (vc_nodeitems_failed(p->it)) /* the read handler said why */
		return false;
	if (p->too_long) {
		vc_nodeitems_where(p->it, where, sizeof(where));
		return vc_nodeitems_fail(
			p->it,
			"%s: a YAML token longer than %d MiB at line %zu (the limit; Kubernetes objects are at most ~1.5 MiB)",
			where, VC_NODELIST_MAX_TOKEN / (1024 * 1024), y->mark.line + 1);
	}
	if (p->read_errno)
		return vc_nodeitems_fail(p->it, "cannot read: %s",
					 strerror(p->read_errno));
	/* The reader (encoding, control characters) knows a byte offset;
	 * the scanner and the parser a line and column. */
	if (y->error == YAML_READER_ERROR)
		return vc_nodeitems_fail(p->it, "invalid YAML near byte %zu: %s",
					 y->problem_offset, y->problem);
	return vc_nodeitems_fail(p->it, "invalid YAML at line %zu, column %zu: %s%s%s%s",
				 y->problem_mark.line + 1, y->problem_mark.column + 1,
				 y->problem, y->context ? " (" : "",
				 y->context ? y->context : "", y->context ? ")" : "");
}

static int
read_handler(void *data, unsigned char *buf, size_t size, size_t *size_read)
{
	struct yaml_read *p = data;
	ssize_t n;

	/* libyaml builds a scalar whole before its event: stop reading
	 * once one is over the limit, and once the node is. */
	if (p->read - p->last_event > VC_NODELIST_MAX_TOKEN + READ_AHEAD) {
		p->too_long = true;
		return 0;
	}
	if (!vc_nodeitems_check_size(p->it, p->read))
		return 0;
	n = p->reader(p->src, buf, size);
	if (n < 0) {
		p->read_errno = (int)-n;
		return 0;
	}
	*size_read = (size_t)n;
	p->read += (size_t)n;
	return 1;
}

static bool
parse_events(struct yaml_read *p, yaml_parser_t *y)
{
	yaml_event_t ev;
	bool ok, end;

	do {
		if (!yaml_parser_parse(y, &ev))
			return syntax_error(p, y);
		p->last_event = p->read;
		vc_nodeitems_at(p->it, p->read);
		ok = on_event(p, &ev);
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	} while (ok && !end);
	return ok;
}

int
vc_nodeyaml_read(struct vc_nodeyaml *p, vc_nodeyaml_read_fn *reader, void *src)
{
	struct yaml_read r = {.it = p->it, .reader = reader, .src = src};
	yaml_parser_t y;
	bool ok;

	if (!yaml_parser_initialize(&y))
		abort(); /* out of memory, as x*alloc */
	yaml_parser_set_input(&y, read_handler, &r);
	ok = parse_events(&r, &y);
	yaml_parser_delete(&y);
	return ok ? vc_nodeitems_finish(p->it) : -EINVAL;
}

static ssize_t
read_fd(void *src, void *buf, size_t size)
{
	ssize_t n;

	do
		n = read(*(int *)src, buf, size);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int
vc_nodeyaml_read_fd(struct vc_nodeyaml *p, int fd)
{
	return vc_nodeyaml_read(p, read_fd, &fd);
}

struct vc_nodeyaml *
vc_nodeyaml_new(const char *what, vc_nodelist_fn *fn, void *data)
{
	struct vc_nodeyaml *p = xzalloc(sizeof(*p));

	p->it = vc_nodeitems_new(VC_NODEITEMS_YAML, what, fn, data);
	return p;
}

void
vc_nodeyaml_free(struct vc_nodeyaml *p)
{
	if (p)
		vc_nodeitems_free(p->it);
	free(p);
}

void
vc_nodeyaml_set_filter(struct vc_nodeyaml *p,
		       bool (*want)(void *data, const char *key, size_t len))
{
	vc_nodeitems_set_filter(p->it, want);
}

size_t
vc_nodeyaml_count(const struct vc_nodeyaml *p)
{
	return vc_nodeitems_count(p->it);
}
