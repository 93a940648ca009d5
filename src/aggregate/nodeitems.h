/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the JSON (nodelist.c) and YAML (nodeyaml.c) node-list readers
 * share, so that both decode exactly alike: each turns its parser's
 * events into the calls below; this module tracks where in the document
 * they happen, keeps each item's name and labels, hands them to the
 * callback when the item ends, enforces the nesting limit and checks the
 * kind at the end. Internal to lib_aggregate.
 */
#pragma once

#include "virt-caps/nodelist.h"

/* The format, for the words of error messages ("JSON object", "YAML mapping"). */
enum vc_nodeitems_format {
	VC_NODEITEMS_JSON,
	VC_NODEITEMS_YAML,
};

struct vc_nodeitems;

/** @what names the input in every message. */
struct vc_nodeitems *vc_nodeitems_new(enum vc_nodeitems_format format, const char *what,
				      vc_nodelist_fn *fn, void *data);
void vc_nodeitems_free(struct vc_nodeitems *it);
void vc_nodeitems_set_filter(struct vc_nodeitems *it,
			     bool (*want)(void *data, const char *key, size_t len));

/**
 * Report "WHAT: message" and mark the input refused. Returns false, what
 * an event call returns to stop the parser.
 */
bool vc_nodeitems_fail(struct vc_nodeitems *it, const char *fmt, ...) _printf_(2, 3);
/**
 * From now on keep the first complaint for vc_nodeitems_complaint()
 * instead of printing it: for a caller that may read the input again
 * (the API path, which retries a broken page and reports once).
 */
void vc_nodeitems_keep_complaint(struct vc_nodeitems *it);
/** "WHAT: message" of the first refusal when kept; NULL if none. */
const char *vc_nodeitems_complaint(const struct vc_nodeitems *it);
/** True when refused for being of another kind (Status, PodList, a Pod item). */
bool vc_nodeitems_wrong_kind(const struct vc_nodeitems *it);
/** True once anything was refused (and reported). */
bool vc_nodeitems_failed(const struct vc_nodeitems *it);
/** The refusal was final (a size limit, a node name): reading again cannot help. */
void vc_nodeitems_set_too_big(struct vc_nodeitems *it);
bool vc_nodeitems_too_big(const struct vc_nodeitems *it);
/** True once the top-level value has begun. */
bool vc_nodeitems_started(const struct vc_nodeitems *it);
/**
 * True when the innermost open value is a map whose next scalar is a key:
 * for parsers that, unlike yajl, do not tell keys from values.
 */
bool vc_nodeitems_want_key(const struct vc_nodeitems *it);

/* Parser events; each returns false once the input is refused. */
bool vc_nodeitems_start_map(struct vc_nodeitems *it);
bool vc_nodeitems_end_map(struct vc_nodeitems *it);
bool vc_nodeitems_start_seq(struct vc_nodeitems *it);
bool vc_nodeitems_end_seq(struct vc_nodeitems *it);
bool vc_nodeitems_key(struct vc_nodeitems *it, const char *s, size_t len);
/** A scalar value; @s is NULL for a non-string (null, boolean, number). */
bool vc_nodeitems_scalar(struct vc_nodeitems *it, const char *s, size_t len);

/**
 * The reader's byte offset in its input where the next event happens
 * (or a little past it): call it before each start and end of a map, so
 * that each node object's size is known.
 */
void vc_nodeitems_at(struct vc_nodeitems *it, size_t pos);
/**
 * The input has been read up to @pos: refuses (and reports) a node
 * object (a list item, or a single Node) already larger than
 * VC_NODELIST_MAX_OBJECT. Returns false then.
 */
bool vc_nodeitems_check_size(struct vc_nodeitems *it, size_t pos);
/**
 * Where the reader is, for messages: "item 3 (node n1)", "item 3" when
 * its name is not known yet, or "the top level".
 */
void vc_nodeitems_where(const struct vc_nodeitems *it, char *buf, size_t size);

/**
 * The parser reached the end without a syntax error: checks that there
 * was a document and that its kind is a node kind (a single Node is
 * handed to the callback here). Returns 0 or -EINVAL (reported).
 */
int vc_nodeitems_finish(struct vc_nodeitems *it);
/** The list's metadata.continue; NULL when absent or empty. */
const char *vc_nodeitems_continue(const struct vc_nodeitems *it);
/** Nodes handed to the callback so far. */
size_t vc_nodeitems_count(const struct vc_nodeitems *it);
