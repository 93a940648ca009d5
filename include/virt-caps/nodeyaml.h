/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming reader of `kubectl get nodes -o yaml`: the YAML twin of
 * vc_nodelist (nodelist.h), with the same decoding and the same callback
 * (one code path decodes both): kinds List, NodeList,
 * PartialObjectMetadataList or a single Node, the kind checked when the
 * stream ends; for each item its metadata.name and metadata.labels; the
 * same nesting limit and the same messages, "WHAT: ...", with YAML words.
 *
 * libyaml pulls its input through a read function and cannot stop for
 * more in the middle of a document, so instead of feed()/finish() this
 * reader takes a read function (or a file descriptor) and reads the
 * stream chunk by chunk to its end; it never holds it whole.
 *
 * YAML's own rules: a scalar (label value, name, kind) is a string however
 * it is written (true, 5 and "5" are "true", "5", "5"), except a plain null
 * (null, Null, NULL, ~ or nothing) or a !!null one, which counts as JSON
 * null does (a label value NULL, a kind missing); mapping and sequence
 * label values are refused as in JSON. Keys are their text. Anchors,
 * aliases, merge keys (<<), complex (non-scalar) keys and a second
 * document are refused: kubectl writes none of them, and a YAML loader
 * would decode them differently.
 */
#pragma once

#include <sys/types.h>

#include "virt-caps/nodelist.h"

struct vc_nodeyaml;

/** @what names the input in error messages ("nodes.yaml"). */
struct vc_nodeyaml *vc_nodeyaml_new(const char *what, vc_nodelist_fn *fn, void *data);
void vc_nodeyaml_free(struct vc_nodeyaml *p);

/** As vc_nodelist_set_filter(). */
void vc_nodeyaml_set_filter(struct vc_nodeyaml *p,
			    bool (*want)(void *data, const char *key, size_t len));

/**
 * Where the input comes from: fills @buf with at most @size bytes and
 * returns their number, 0 at the end, or -errno without a message:
 * vc_nodeyaml_read() reports it ("WHAT: cannot read: ...").
 */
typedef ssize_t vc_nodeyaml_read_fn(void *src, void *buf, size_t size);

/**
 * Read the whole stream from @reader, calling back for each node, and
 * check it as vc_nodelist_finish() does. Call once. Returns 0, or -EINVAL
 * after reporting bad or unreadable input.
 */
int vc_nodeyaml_read(struct vc_nodeyaml *p, vc_nodeyaml_read_fn *reader, void *src);

/** Number of nodes handed to the callback so far. */
size_t vc_nodeyaml_count(const struct vc_nodeyaml *p);
