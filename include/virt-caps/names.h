/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String interning and id sets for caps-aggregate: every model, feature
 * or machine-type name is stored once and nodes hold sorted sets of the
 * ids, so memory grows with the labels each node has (not with the size
 * of their text, nor with the names other nodes have), and intersections
 * are linear merges.
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
/** The id of @s, VC_NO_NAME when it was never interned (adds nothing). */
uint32_t vc_names_find(const struct vc_names *t, const char *s);
/** The string of @id (NULL for VC_NO_NAME). */
const char *vc_names_str(const struct vc_names *t, uint32_t id);
void vc_names_clear(struct vc_names *t);

/**
 * A set of name ids, kept as a sorted array (ascending id, no repeats).
 * It is called "bits" for history: it was a dense bitset over every
 * name, which made each node cost (highest id)/8 bytes per set, so a
 * cluster of nodes with one distinct model each grew as nodes x names.
 * A sorted array costs what the set holds; merges keep AND and OR linear.
 */
struct vc_bits {
	uint32_t *ids;
	size_t n;
	size_t cap;
};

/** Add @id, keeping the set sorted (cheap when @id is the largest yet). */
void vc_bits_set(struct vc_bits *b, uint32_t id);
/**
 * Append @id without ordering: for building a set from input in any
 * order. Call vc_bits_finish() before any other operation on @b.
 */
void vc_bits_add(struct vc_bits *b, uint32_t id);
/** Sort and drop repeats after vc_bits_add(). */
void vc_bits_finish(struct vc_bits *b);
bool vc_bits_test(const struct vc_bits *b, uint32_t id);
/** The position of @id in @b (ascending order), SIZE_MAX when absent. */
size_t vc_bits_index(const struct vc_bits *b, uint32_t id);
/** @dst &= @src. */
void vc_bits_and(struct vc_bits *dst, const struct vc_bits *src);
/** @dst |= @src. */
void vc_bits_or(struct vc_bits *dst, const struct vc_bits *src);
void vc_bits_copy(struct vc_bits *dst, const struct vc_bits *src);
size_t vc_bits_count(const struct vc_bits *b);
bool vc_bits_empty(const struct vc_bits *b);
void vc_bits_clear(struct vc_bits *b);
/** Memory held by @b's array, in bytes (for tests and benchmarks). */
size_t vc_bits_bytes(const struct vc_bits *b);

/** qsort() comparison of two uint32_t. */
int vc_cmp_u32(const void *a, const void *b);
