/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes equality-based label selectors ("a=b,c!=d,e,!f"), for
 * filtering a node list read from a file the way the API server filters
 * a live listing.
 */
#pragma once

#include "virt-caps/labels.h"
#include "virt-caps/strv.h"

struct vc_selector {
	struct vc_strv keys;
	struct vc_strv values; /* "" for existence tests */
	char *ops;             /* '=', '!' (not equal), 'e' (exists), 'n' (not exists) */
	size_t n;
};

/**
 * Parse @s. Returns 0, or -EINVAL (reported) for syntax this reader lacks;
 * on error @sel is left empty.
 */
int vc_selector_parse(const char *s, struct vc_selector *sel);
bool vc_selector_match(const struct vc_selector *sel, const struct vc_label_ref *labels,
		       size_t n);
void vc_selector_clear(struct vc_selector *sel);
