/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/names.h"

static uint64_t
hash(const char *s, size_t len)
{
	return vc_fnv1a(VC_FNV1A_INIT, s, len);
}

static void
rehash(struct vc_names *t)
{
	size_t n = t->n_slots ? t->n_slots * 2 : 1024;

	free(t->slots);
	t->slots = xzalloc(n * sizeof(*t->slots));
	t->n_slots = n;
	for (uint32_t id = 0; id < t->n; id++) {
		size_t i = hash(t->strs[id], strlen(t->strs[id])) & (n - 1);

		while (t->slots[i])
			i = (i + 1) & (n - 1);
		t->slots[i] = id + 1;
	}
}

/* Slot of @s: its id + 1, or an empty slot where it would go. */
static size_t
lookup(const struct vc_names *t, const char *s, size_t len)
{
	size_t i = hash(s, len) & (t->n_slots - 1);

	for (;;) {
		uint32_t v = t->slots[i];

		if (!v)
			return i;
		if (strncmp(t->strs[v - 1], s, len) == 0 && t->strs[v - 1][len] == '\0')
			return i;
		i = (i + 1) & (t->n_slots - 1);
	}
}

uint32_t
vc_names_intern(struct vc_names *t, const char *s, size_t len)
{
	size_t i;

	/* Keep the table at most half full. */
	if ((size_t)t->n * 2 >= t->n_slots)
		rehash(t);
	i = lookup(t, s, len);
	if (t->slots[i])
		return t->slots[i] - 1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->strs = xrealloc(t->strs, t->cap * sizeof(*t->strs));
	}
	t->strs[t->n] = xstrndup(s, len);
	t->slots[i] = t->n + 1;
	return t->n++;
}

const char *
vc_names_str(const struct vc_names *t, uint32_t id)
{
	return id < t->n ? t->strs[id] : NULL;
}

void
vc_names_clear(struct vc_names *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void
vc_bits_set(struct vc_bits *b, uint32_t id)
{
	size_t w = id / 64;

	if (w >= b->n_words) {
		size_t n = w + 1 > b->n_words * 2 ? w + 1 : b->n_words * 2;

		b->w = xrealloc(b->w, n * sizeof(*b->w));
		memset(b->w + b->n_words, 0, (n - b->n_words) * sizeof(*b->w));
		b->n_words = n;
	}
	b->w[w] |= 1ULL << (id % 64);
}

bool
vc_bits_test(const struct vc_bits *b, uint32_t id)
{
	size_t w = id / 64;

	return w < b->n_words && (b->w[w] >> (id % 64)) & 1;
}

void
vc_bits_and(struct vc_bits *dst, const struct vc_bits *src)
{
	for (size_t i = 0; i < dst->n_words; i++)
		dst->w[i] &= i < src->n_words ? src->w[i] : 0;
}

void
vc_bits_or(struct vc_bits *dst, const struct vc_bits *src)
{
	if (src->n_words > dst->n_words) {
		dst->w = xrealloc(dst->w, src->n_words * sizeof(*dst->w));
		memset(dst->w + dst->n_words, 0,
		       (src->n_words - dst->n_words) * sizeof(*dst->w));
		dst->n_words = src->n_words;
	}
	for (size_t i = 0; i < src->n_words; i++)
		dst->w[i] |= src->w[i];
}

void
vc_bits_copy(struct vc_bits *dst, const struct vc_bits *src)
{
	vc_bits_clear(dst);
	vc_bits_or(dst, src);
}

size_t
vc_bits_count(const struct vc_bits *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n_words; i++)
		n += (size_t)__builtin_popcountll(b->w[i]);
	return n;
}

bool
vc_bits_empty(const struct vc_bits *b)
{
	for (size_t i = 0; i < b->n_words; i++)
		if (b->w[i])
			return false;
	return true;
}

void
vc_bits_clear(struct vc_bits *b)
{
	free(b->w);
	b->w = NULL;
	b->n_words = 0;
}
