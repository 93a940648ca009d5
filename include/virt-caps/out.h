/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One structured-output interface with two backends: YAML through
 * libyaml's emitter and JSON through yajl's generator. Report code
 * writes maps, lists and scalars once; the backend decides the syntax.
 * Normally everything is rendered into memory first, so that an error
 * never leaves partial output behind; large reports stream instead.
 *
 * YAML rules: block style, no line wrapping, and strings that a YAML
 * reader would take for a number, boolean or null ("486", "yes", "7.2")
 * are double-quoted.
 */
#pragma once

#include "virt-caps/strv.h"

enum vc_format {
	VC_FMT_YAML,
	VC_FMT_JSON,
};

struct vc_out;

struct vc_out *vc_out_new(enum vc_format f);
/**
 * Write to @fp as the document is built, for large outputs (a cluster
 * report): call it only once the data is known to be good, so that only
 * a failing @fp can cut the output short.
 */
struct vc_out *vc_out_new_stream(enum vc_format f, FILE *fp);
void vc_out_free(struct vc_out *o);

void vc_out_map_begin(struct vc_out *o);
void vc_out_map_end(struct vc_out *o);
void vc_out_list_begin(struct vc_out *o);
void vc_out_list_end(struct vc_out *o);
/** A map key; the next call gives its value. */
void vc_out_key(struct vc_out *o, const char *key);
/** A string, or null when @s is NULL. */
void vc_out_str(struct vc_out *o, const char *s);
void vc_out_uint(struct vc_out *o, unsigned long long v);
void vc_out_bool(struct vc_out *o, bool v);
void vc_out_null(struct vc_out *o);

/** True when a YAML 1.1 reader would not read @s back as a plain string. */
bool vc_yaml_needs_quotes(const char *s);
/** key: [list of strings] */
void vc_out_strv(struct vc_out *o, const char *key, const struct vc_strv *l);

/**
 * Finish the document and hand out its text (caller frees; NULL @text
 * and nothing handed out in stream mode). Returns 0 or -EIO when the
 * backend or the stream failed.
 */
int vc_out_finish(struct vc_out *o, char **text, size_t *len);

static inline void
vc_out_freep(struct vc_out **o)
{
	if (*o)
		vc_out_free(*o);
}
#define _autoout_ _cleanup_(vc_out_freep)
