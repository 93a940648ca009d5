/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of featurefile.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/featurefile.h"

/**
 * Parse feature-file text as nfd-worker does at time @now: trimmed lines,
 * '#' comments, "# +expiry-time=" and "# +no-label" directives, "key" or
 * "key=value" lines, later duplicates winning. Labels of expired lines
 * are left out. *expiry gets the last expiry directive (0 if none).
 * Returns 0, or -EINVAL when an expiry directive does not parse (the
 * labels are still returned, as NFD keeps them).
 */
int vc_featurefile_parse(const char *text, size_t len, long long now,
			 struct vc_labels *out, long long *expiry);

/** Parse an RFC 3339 time ("2026-11-22T10:00:00Z", offsets, fractions). */
int vc_parse_rfc3339(const char *s, long long *out);

/**
 * Tests only (NULL otherwise): called with what happened ("rename NAME",
 * "unlink NAME", "settle") after each change the writer makes to the
 * features directory and before each pause, so that a test can check
 * every state a reader could see.
 */
extern void (*vc_featurefile_observer)(const char *event);
