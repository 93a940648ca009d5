/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable list of owned strings. Lists that reach labels or reports
 * are sorted bytewise and de-duplicated with vc_strv_sort_uniq(), so
 * output never depends on the order libvirt printed things in.
 */
#pragma once

#include "virt-caps/util.h"

struct vc_strv {
	char **v;
	size_t n;
	size_t cap;
};

/** Append a copy of @s. */
void vc_strv_push(struct vc_strv *l, const char *s);
/** Append @s, taking ownership. */
void vc_strv_push_owned(struct vc_strv *l, char *s);
/** Sort bytewise (strcmp) and drop duplicates. */
void vc_strv_sort_uniq(struct vc_strv *l);
/** Linear membership test (the lists are short or unsorted). */
bool vc_strv_contains(const struct vc_strv *l, const char *s);
/** Free every element and the array; leaves an empty list. */
void vc_strv_clear(struct vc_strv *l);
/** Split @s on any character of @seps, skipping empty fields. */
void vc_strv_split(struct vc_strv *l, const char *s, const char *seps);
