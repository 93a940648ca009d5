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

uint32_t
vc_names_find(const struct vc_names *t, const char *s)
{
	size_t i;

	if (!t->n_slots)
		return VC_NO_NAME;
	i = lookup(t, s, strlen(s));
	return t->slots[i] ? t->slots[i] - 1 : VC_NO_NAME;
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

static void
reserve(struct vc_bits *b, size_t n)
{
	if (n <= b->cap)
		return;
	b->cap = n > b->cap * 2 ? n : b->cap * 2;
	b->ids = xrealloc(b->ids, b->cap * sizeof(*b->ids));
}

/* Index of the first element >= @id. */
static size_t
lower_bound(const struct vc_bits *b, uint32_t id)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
vc_bits_set(struct vc_bits *b, uint32_t id)
{
	size_t i;

	if (b->n == 0 || b->ids[b->n - 1] < id) {
		vc_bits_add(b, id);
		return;
	}
	i = lower_bound(b, id);
	if (b->ids[i] == id)
		return;
	reserve(b, b->n + 1);
	memmove(b->ids + i + 1, b->ids + i, (b->n - i) * sizeof(*b->ids));
	b->ids[i] = id;
	b->n++;
}

void
vc_bits_add(struct vc_bits *b, uint32_t id)
{
	if (b->n == b->cap)
		reserve(b, b->cap ? b->cap * 2 : 8);
	b->ids[b->n++] = id;
}

int
vc_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
vc_bits_finish(struct vc_bits *b)
{
	size_t k = 0;
	bool sorted = true;

	/* Labels usually arrive sorted by key, so ids mostly ascend: check
	 * before paying for a sort. */
	for (size_t i = 1; i < b->n && sorted; i++)
		sorted = b->ids[i - 1] < b->ids[i];
	if (!sorted) {
		qsort(b->ids, b->n, sizeof(*b->ids), vc_cmp_u32);
		for (size_t i = 0; i < b->n; i++)
			if (k == 0 || b->ids[k - 1] != b->ids[i])
				b->ids[k++] = b->ids[i];
		b->n = k;
	}
}

bool
vc_bits_test(const struct vc_bits *b, uint32_t id)
{
	return vc_bits_index(b, id) != SIZE_MAX;
}

size_t
vc_bits_index(const struct vc_bits *b, uint32_t id)
{
	size_t i = lower_bound(b, id);

	return i < b->n && b->ids[i] == id ? i : SIZE_MAX;
}

void
vc_bits_and(struct vc_bits *dst, const struct vc_bits *src)
{
	size_t i = 0, j = 0, k = 0;

	while (i < dst->n && j < src->n) {
		if (dst->ids[i] < src->ids[j])
			i++;
		else if (dst->ids[i] > src->ids[j])
			j++;
		else
			dst->ids[k++] = dst->ids[i++], j++;
	}
	dst->n = k;
}

void
vc_bits_or(struct vc_bits *dst, const struct vc_bits *src)
{
	size_t cap = dst->n + src->n + 1;
	uint32_t *out = xzalloc(cap * sizeof(*out));
	size_t i = 0, j = 0, k = 0;

	while (i < dst->n || j < src->n) {
		if (j == src->n || (i < dst->n && dst->ids[i] < src->ids[j]))
			out[k++] = dst->ids[i++];
		else if (i == dst->n || src->ids[j] < dst->ids[i])
			out[k++] = src->ids[j++];
		else
			out[k++] = dst->ids[i++], j++;
	}
	free(dst->ids);
	dst->ids = out;
	dst->n = k;
	dst->cap = cap;
}

void
vc_bits_copy(struct vc_bits *dst, const struct vc_bits *src)
{
	vc_bits_clear(dst);
	reserve(dst, src->n);
	if (src->n)
		memcpy(dst->ids, src->ids, src->n * sizeof(*dst->ids));
	dst->n = src->n;
}

size_t
vc_bits_count(const struct vc_bits *b)
{
	return b->n;
}

bool
vc_bits_empty(const struct vc_bits *b)
{
	return b->n == 0;
}

void
vc_bits_clear(struct vc_bits *b)
{
	free(b->ids);
	memset(b, 0, sizeof(*b));
}

size_t
vc_bits_bytes(const struct vc_bits *b)
{
	return b->cap * sizeof(*b->ids);
}
