/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/out.h"

#include <errno.h>
#include <yajl/yajl_gen.h>
#include <yaml.h>

#include "out-private.h"
#include "virt-caps/log.h"

#define HOLD_MAX 256

struct vc_out {
	enum vc_format format;
	bool failed;
	FILE *fp; /* stream mode; NULL: render into text */
	struct vc_buf text;
	yaml_emitter_t emitter;
	yajl_gen gen;
	char hold[HOLD_MAX]; /* JSON: an opening bracket and the blanks after it */
	size_t hold_len;
	char last; /* last character emitted */
};

#define STREAM_CHUNK 65536

static void
flush_stream(struct vc_out *o)
{
	if (!o->fp)
		return;
	if (o->text.len && fwrite(o->text.data, 1, o->text.len, o->fp) != o->text.len)
		o->failed = true;
	o->text.len = 0;
}

/* yajl prints token by token: collect into chunks before fwrite. This
 * runs for every token of a large report, so it appends inline. */
static void
emit(struct vc_out *o, const char *s, size_t n)
{
	struct vc_buf *b = &o->text;

	if (!n)
		return;
	o->last = s[n - 1];
	if (__builtin_expect(b->len + n + 1 > b->cap, 0)) {
		vc_buf_append(b, s, n);
	} else {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
	}
	if (o->fp && b->len >= STREAM_CHUNK)
		flush_stream(o);
}

/* The first '[' or '{' in @s, or NULL. */
static const char *
find_bracket(const char *s, size_t n)
{
	const char *a = memchr(s, '[', n);
	const char *b = memchr(s, '{', a ? (size_t)(a - s) : n);

	return b ? b : a;
}

/*
 * yajl's beautifier prints an empty array as "[", a blank line and "]".
 * Fold those into "[]" / "{}" as the text streams by: an opening bracket
 * and the blanks after it are held until the next character shows whether
 * the container is empty (possibly in the next chunk). A string never
 * holds a raw newline, so a bracket inside one is never folded.
 */
static void
fold_chunk(struct vc_out *o, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (o->hold_len) {
			char closer = o->hold[0] == '[' ? ']' : '}';

			while (i < n && (s[i] == ' ' || s[i] == '\n') &&
			       o->hold_len < HOLD_MAX)
				o->hold[o->hold_len++] = s[i++];
			if (i == n)
				return;
			if (s[i] == closer && memchr(o->hold, '\n', o->hold_len)) {
				emit(o, o->hold, 1);
				emit(o, &s[i++], 1);
			} else {
				emit(o, o->hold, o->hold_len);
			}
			o->hold_len = 0;
			continue;
		}
		const char *p = find_bracket(s + i, n - i);
		size_t run = p ? (size_t)(p - (s + i)) : n - i;

		emit(o, s + i, run);
		i += run;
		if (p) {
			o->hold[0] = *p;
			o->hold_len = 1;
			i++;
		}
	}
}

/* Move what yajl generated so far through the fold to the output. */
static void
json_drain(struct vc_out *o, size_t min)
{
	const unsigned char *buf;
	size_t len;

	if (yajl_gen_get_buf(o->gen, &buf, &len) != yajl_gen_status_ok || len < min)
		return;
	fold_chunk(o, (const char *)buf, len);
	yajl_gen_clear(o->gen);
}

static int
yaml_write(void *data, unsigned char *text, size_t size)
{
	emit(data, (const char *)text, size);
	return 1;
}

static void
yaml_emit(struct vc_out *o, yaml_event_t *ev)
{
	if (o->failed) {
		yaml_event_delete(ev);
		return;
	}
	/* yaml_emitter_emit takes the event, on failure too. */
	if (!yaml_emitter_emit(&o->emitter, ev)) {
		vc_err("YAML output failed: %s",
		       o->emitter.problem ? o->emitter.problem : "unknown error");
		o->failed = true;
	}
}

static void
yaml_begin(struct vc_out *o)
{
	yaml_event_t ev;

	yaml_emitter_initialize(&o->emitter);
	yaml_emitter_set_output(&o->emitter, yaml_write, o);
	yaml_emitter_set_width(&o->emitter, -1);
	yaml_emitter_set_unicode(&o->emitter, 1);
	yaml_emitter_set_indent(&o->emitter, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	yaml_emit(o, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	yaml_emit(o, &ev);
}

static struct vc_out *
out_new(enum vc_format f, FILE *fp)
{
	struct vc_out *o = xzalloc(sizeof(*o));

	o->format = f;
	o->fp = fp;
	if (f == VC_FMT_YAML) {
		yaml_begin(o);
		return o;
	}
	o->gen = yajl_gen_alloc(NULL);
	if (!o->gen)
		abort();
	yajl_gen_config(o->gen, yajl_gen_beautify, 1);
	/* yajl escapes C0 controls; a string that is not UTF-8 (our parsers
	 * never hand one out) fails the output instead of making it invalid. */
	yajl_gen_config(o->gen, yajl_gen_validate_utf8, 1);
	yajl_gen_config(o->gen, yajl_gen_indent_string, "  ");
	return o;
}

struct vc_out *
vc_out_new(enum vc_format f)
{
	return out_new(f, NULL);
}

struct vc_out *
vc_out_new_stream(enum vc_format f, FILE *fp)
{
	return out_new(f, fp);
}

void
vc_out_free(struct vc_out *o)
{
	if (o->format == VC_FMT_YAML)
		yaml_emitter_delete(&o->emitter);
	else
		yajl_gen_free(o->gen);
	vc_buf_clear(&o->text);
	free(o);
}

static void
json_check(struct vc_out *o, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok && !o->failed) {
		vc_err("JSON output failed: yajl status %d", (int)st);
		o->failed = true;
	}
}

static bool
in_list(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* Could a YAML 1.1/1.2 reader take @s for a number? Ints, floats with
 * exponents, hex/octal/binary, sexagesimal. Over-quoting is harmless. */
static bool
looks_numeric(const char *s)
{
	size_t n;

	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && strchr("xXoObB", s[1]) && s[1] && s[2])
		return strspn(s + 2, "0123456789abcdefABCDEF_") == strlen(s + 2);
	n = strspn(s, "0123456789_.:");
	if (n == 0 || strcspn(s, "0123456789") >= n)
		return false;
	s += n;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!*s)
			return false;
		return strspn(s, "0123456789") == strlen(s);
	}
	return *s == '\0';
}

bool
vc_yaml_needs_quotes(const char *s)
{
	static const char *const words[] = {
		"~",    "null", "Null", "NULL",  "y",     "Y",     "yes",
		"Yes",  "YES",  "n",    "N",     "no",    "No",    "NO",
		"true", "True", "TRUE", "false", "False", "FALSE", "on",
		"On",   "ON",   "off",  "Off",   "OFF",   ".inf",  ".Inf",
		".INF", ".nan", ".NaN", ".NAN",  "-.inf", "+.inf", NULL,
	};

	if (!*s || in_list(s, words))
		return true;
	return looks_numeric(s);
}

static void
yaml_scalar(struct vc_out *o, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1,
				     1, style);
	yaml_emit(o, &ev);
}

static void
yaml_collection(struct vc_out *o, bool map, bool begin)
{
	yaml_event_t ev;

	if (map && begin)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
	else if (begin)
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_BLOCK_SEQUENCE_STYLE);
	else if (map)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	yaml_emit(o, &ev);
}

void
vc_out_map_begin(struct vc_out *o)
{
	if (o->format == VC_FMT_YAML)
		yaml_collection(o, true, true);
	else
		json_check(o, yajl_gen_map_open(o->gen));
}

void
vc_out_map_end(struct vc_out *o)
{
	if (o->format == VC_FMT_YAML) {
		yaml_collection(o, true, false);
		return;
	}
	json_check(o, yajl_gen_map_close(o->gen));
	json_drain(o, STREAM_CHUNK);
}

void
vc_out_list_begin(struct vc_out *o)
{
	if (o->format == VC_FMT_YAML)
		yaml_collection(o, false, true);
	else
		json_check(o, yajl_gen_array_open(o->gen));
}

void
vc_out_list_end(struct vc_out *o)
{
	if (o->format == VC_FMT_YAML)
		yaml_collection(o, false, false);
	else {
		json_check(o, yajl_gen_array_close(o->gen));
		/* A map can hold thousands of lists (advise's gives_up, one per
		 * node): draining only at map ends let yajl's buffer grow to the
		 * whole map. */
		json_drain(o, STREAM_CHUNK);
	}
}

void
vc_out_key(struct vc_out *o, const char *key)
{
	vc_out_str(o, key);
}

void
vc_out_str(struct vc_out *o, const char *s)
{
	if (!s) {
		vc_out_null(o);
	} else if (o->format == VC_FMT_YAML) {
		yaml_scalar(o, s,
			    vc_yaml_needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						    : YAML_ANY_SCALAR_STYLE);
	} else {
		json_check(o,
			   yajl_gen_string(o->gen, (const unsigned char *)s, strlen(s)));
	}
}

static void
out_literal(struct vc_out *o, const char *text)
{
	if (o->format == VC_FMT_YAML)
		yaml_scalar(o, text, YAML_PLAIN_SCALAR_STYLE);
	else if (streq(text, "null"))
		json_check(o, yajl_gen_null(o->gen));
	else if (streq(text, "true") || streq(text, "false"))
		json_check(o, yajl_gen_bool(o->gen, streq(text, "true")));
	else
		json_check(o, yajl_gen_number(o->gen, text, strlen(text)));
}

void
vc_out_uint(struct vc_out *o, unsigned long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", v);
	out_literal(o, num);
}

void
vc_out_bool(struct vc_out *o, bool v)
{
	out_literal(o, v ? "true" : "false");
}

void
vc_out_null(struct vc_out *o)
{
	out_literal(o, "null");
}

void
vc_out_strv(struct vc_out *o, const char *key, const struct vc_strv *l)
{
	vc_out_key(o, key);
	vc_out_list_begin(o);
	for (size_t i = 0; i < l->n; i++)
		vc_out_str(o, l->v[i]);
	vc_out_list_end(o);
}

static int
finish_yaml(struct vc_out *o)
{
	yaml_event_t ev;

	yaml_document_end_event_initialize(&ev, 1);
	yaml_emit(o, &ev);
	yaml_stream_end_event_initialize(&ev);
	yaml_emit(o, &ev);
	if (!o->failed && !yaml_emitter_flush(&o->emitter))
		o->failed = true;
	return o->failed ? -EIO : 0;
}

static int
finish_json(struct vc_out *o)
{
	json_drain(o, 0);
	emit(o, o->hold, o->hold_len);
	o->hold_len = 0;
	if (o->last != '\n')
		emit(o, "\n", 1);
	return o->failed ? -EIO : 0;
}

int
vc_out_finish(struct vc_out *o, char **text, size_t *len)
{
	int rc = o->format == VC_FMT_YAML ? finish_yaml(o) : finish_json(o);

	flush_stream(o);
	if (rc == 0 && o->fp && (o->failed || fflush(o->fp) != 0))
		rc = -EIO;
	if (rc < 0)
		return rc;
	if (text)
		*text = vc_buf_steal(&o->text, len);
	return 0;
}
