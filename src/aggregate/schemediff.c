/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/schemediff.h"

#define OURS "caps-probe's"
#define THEIRS "KubeVirt's"

/* In the order the first difference is looked for. */
static const struct {
	enum vc_set set;
	const char *what;
} lists[] = {
	{VC_SET_MODELS, "cpu models"},      {VC_SET_MIGRATION, "migration models"},
	{VC_SET_FEATURES, "cpu features"},  {VC_SET_REQUIRED, "host-model features"},
	{VC_SET_MACHINES, "machine types"}, {VC_SET_HYPERV, "hyperv"},
};

/* Both interned in one table: equal names have equal ids. */
static char *
string_diff(const struct vc_names *t, const char *what, uint32_t a, uint32_t b)
{
	if (a == VC_NO_NAME || b == VC_NO_NAME || a == b)
		return NULL;
	return xasprintf("%s: %s in " OURS ", %s in " THEIRS, what, vc_names_str(t, a),
			 vc_names_str(t, b));
}

/* One name only one side has; keeps the bytewise first, so that the
 * message does not depend on the order names were interned in. */
static void
note_one_sided(const struct vc_names *t, uint32_t id, bool ours, const char **first,
	       bool *first_ours)
{
	const char *s = vc_names_str(t, id);

	if (!*first || strcmp(s, *first) < 0) {
		*first = s;
		*first_ours = ours;
	}
}

/* Both sets ascend by id: one merge counts the names only one side has. */
static char *
list_diff(const struct vc_names *t, const char *what, const struct vc_bits *a,
	  const struct vc_bits *b)
{
	const char *first = NULL;
	bool first_ours = false;
	size_t i = 0, j = 0, n = 0;

	if (!a->n || !b->n)
		return NULL;
	while (i < a->n || j < b->n) {
		if (i < a->n && j < b->n && a->ids[i] == b->ids[j]) {
			i++, j++;
			continue;
		}
		if (j == b->n || (i < a->n && a->ids[i] < b->ids[j]))
			note_one_sided(t, a->ids[i++], true, &first, &first_ours);
		else
			note_one_sided(t, b->ids[j++], false, &first, &first_ours);
		n++;
	}
	if (!n)
		return NULL;
	return xasprintf("%s: %zu name%s differ%s, first %s, only in %s", what, n,
			 vc_plural(n), n == 1 ? "s" : "", first,
			 first_ours ? OURS : THEIRS);
}

static char *
tsc_diff(const struct vc_cnode *a, const struct vc_cnode *b)
{
	if (!a->has_tsc || !b->has_tsc)
		return NULL;
	if (a->tsc_frequency != b->tsc_frequency)
		return xasprintf("tsc frequency: %llu in " OURS ", %llu in " THEIRS,
				 a->tsc_frequency, b->tsc_frequency);
	if (a->tsc_scalable != b->tsc_scalable)
		return xasprintf("tsc scalable: %s in " OURS ", %s in " THEIRS,
				 a->tsc_scalable ? "true" : "false",
				 b->tsc_scalable ? "true" : "false");
	return NULL;
}

char *
vc_schemediff(const struct vc_names *t, const struct vc_cnode *ours,
	      const struct vc_bits *our_sets, const struct vc_cnode *theirs,
	      const struct vc_bits *their_sets)
{
	char *why = string_diff(t, "host model", ours->host_model, theirs->host_model);

	if (!why)
		why = string_diff(t, "vendor", ours->vendor, theirs->vendor);
	for (size_t i = 0; !why && i < ARRAY_LENGTH(lists); i++)
		why = list_diff(t, lists[i].what, &our_sets[lists[i].set],
				&their_sets[lists[i].set]);
	return why ? why : tsc_diff(ours, theirs);
}
