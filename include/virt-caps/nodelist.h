/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming reader of Kubernetes node lists: `kubectl get nodes -o json`
 * ("kind": "List", items before kind), NodeList, PartialObjectMetadataList
 * (metadata-only API pages, whose items may lack a kind) and a single
 * Node. The JSON is fed in chunks to yajl's event parser and never held
 * whole: for each item only its name and labels are kept, and handed to
 * a callback when the item ends. The kind is checked when the stream ends.
 */
#pragma once

#include "virt-caps/labels.h"

/*
 * Limits on hostile input, for both readers (JSON and YAML). No Kubernetes
 * object is larger than etcd's request limit (~1.5 MiB; annotations are
 * at most 256 KiB in all): a single string or key (or number) over
 * VC_NODELIST_MAX_TOKEN, or a single node object over
 * VC_NODELIST_MAX_OBJECT, is refused with one error, having read only a
 * little more than the limit, so that one huge token costs neither
 * minutes (parsers re-scan a token that spans chunks) nor copies of it.
 */
#define VC_NODELIST_MAX_TOKEN (4 * 1024 * 1024)
#define VC_NODELIST_MAX_OBJECT (16 * 1024 * 1024)
/*
 * A node's name is a DNS-1123 subdomain (what the API server accepts):
 * any other name is refused like an input over the limits above.
 */
#define VC_NODE_NAME_MAX 253

/** Called once per node; @labels are valid only during the call. */
typedef void vc_nodelist_fn(void *data, const char *name,
			    const struct vc_label_ref *labels, size_t n_labels);

struct vc_nodelist;

/** @what names the input in error messages ("nodes.json", "page 3"). */
struct vc_nodelist *vc_nodelist_new(const char *what, vc_nodelist_fn *fn, void *data);
void vc_nodelist_free(struct vc_nodelist *p);

/**
 * Keep only the labels whose key @want accepts (the rest are not even
 * copied); without a filter every label is kept.
 */
void vc_nodelist_set_filter(struct vc_nodelist *p,
			    bool (*want)(void *data, const char *key, size_t len));

/**
 * Feed the next chunk. Returns 0, or -EINVAL after reporting bad JSON or
 * a token or node over the limits above.
 */
int vc_nodelist_feed(struct vc_nodelist *p, const void *buf, size_t len);

/**
 * End of input: checks that the document was complete and of a node kind.
 * Returns 0 or -EINVAL (reported). The list's metadata.continue is then
 * available from vc_nodelist_continue() (NULL when absent or empty).
 */
int vc_nodelist_finish(struct vc_nodelist *p);
const char *vc_nodelist_continue(const struct vc_nodelist *p);
/** Number of nodes handed to the callback so far. */
size_t vc_nodelist_count(const struct vc_nodelist *p);
/**
 * True when the input was refused for a token or node over the limits
 * above or an invalid node name (reported): reading it again cannot help.
 */
bool vc_nodelist_too_big(const struct vc_nodelist *p);
/**
 * Keep the reader's complaint ("WHAT: message") instead of printing it,
 * for a caller that retries and reports once (the API path); read it
 * with vc_nodelist_complaint() (NULL when there is none).
 */
void vc_nodelist_keep_complaint(struct vc_nodelist *p);
const char *vc_nodelist_complaint(const struct vc_nodelist *p);
/**
 * True when the input was refused for being another kind of document
 * (a Status, a PodList...): reading it again cannot help.
 */
bool vc_nodelist_wrong_kind(const struct vc_nodelist *p);
