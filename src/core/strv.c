/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/strv.h"

void
vc_strv_push_owned(struct vc_strv *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

void
vc_strv_push(struct vc_strv *l, const char *s)
{
	vc_strv_push_owned(l, xstrdup(s));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
vc_strv_sort_uniq(struct vc_strv *l)
{
	size_t out = 0;

	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (out > 0 && strcmp(l->v[out - 1], l->v[i]) == 0) {
			free(l->v[i]);
			continue;
		}
		l->v[out++] = l->v[i];
	}
	l->n = out;
}

bool
vc_strv_contains(const struct vc_strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
vc_strv_clear(struct vc_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
vc_strv_split(struct vc_strv *l, const char *s, const char *seps)
{
	while (s && *s) {
		size_t len = strcspn(s, seps);

		if (len > 0)
			vc_strv_push_owned(l, xstrndup(s, len));
		s += len;
		s += strspn(s, seps);
	}
}
