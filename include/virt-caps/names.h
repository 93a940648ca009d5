/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String interning and bitsets for caps-aggregate: every model, feature
 * or machine-type name is stored once and nodes hold bitsets over the
 * ids, so memory grows with distinct names and node count, not with the
 * size of the label text, and intersections are bitwise ANDs.
 */
#pragma once

#include <stdint.h>

#include "virt-caps/util.h"

#define VC_NO_NAME UINT32_MAX

struct vc_names {
	char **strs; /* id -> string */
	uint32_t n;
	uint32_t cap;
	uint32_t *slots; /* open addressing: id + 1, 0 = empty */
	size_t n_slots;
};

/** The id of @s (first @len bytes), adding it when new. */
uint32_t vc_names_intern(struct vc_names *t, const char *s, size_t len);
/** The string of @id (NULL for VC_NO_NAME). */
const char *vc_names_str(const struct vc_names *t, uint32_t id);
void vc_names_clear(struct vc_names *t);

/** A growable bitset over name ids. */
struct vc_bits {
	uint64_t *w;
	size_t n_words;
};

void vc_bits_set(struct vc_bits *b, uint32_t id);
bool vc_bits_test(const struct vc_bits *b, uint32_t id);
/** @dst &= @src (bits beyond @src's words become 0). */
void vc_bits_and(struct vc_bits *dst, const struct vc_bits *src);
/** @dst |= @src. */
void vc_bits_or(struct vc_bits *dst, const struct vc_bits *src);
void vc_bits_copy(struct vc_bits *dst, const struct vc_bits *src);
size_t vc_bits_count(const struct vc_bits *b);
bool vc_bits_empty(const struct vc_bits *b);
void vc_bits_clear(struct vc_bits *b);
