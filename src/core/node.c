/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/node.h"

static const char *const security_names[VC_SEC_COUNT] = {
	[VC_SEC_SEV] = "sev", [VC_SEC_SEV_ES] = "sev-es",   [VC_SEC_SEV_SNP] = "sev-snp",
	[VC_SEC_TDX] = "tdx", [VC_SEC_S390_PV] = "s390-pv",
};

const char *
vc_security_name(enum vc_security s)
{
	return security_names[s];
}

static int
blockers_cmp(const void *a, const void *b)
{
	const struct vc_cpu_blockers *x = a, *y = b;

	return strcmp(x->model, y->model);
}

/* Sort by model; a model listed twice (once per mode) gets one entry
 * with the union of its features. */
static void
normalize_blockers(struct vc_node *n)
{
	size_t out = 0;

	if (n->n_blockers > 1)
		qsort(n->blockers, n->n_blockers, sizeof(*n->blockers), blockers_cmp);
	for (size_t i = 0; i < n->n_blockers; i++) {
		struct vc_cpu_blockers *b = &n->blockers[i];
		struct vc_cpu_blockers *prev = out ? &n->blockers[out - 1] : NULL;

		if (prev && streq(prev->model, b->model)) {
			for (size_t j = 0; j < b->features.n; j++)
				vc_strv_push(&prev->features, b->features.v[j]);
			free(b->model);
			vc_strv_clear(&b->features);
			continue;
		}
		n->blockers[out++] = *b;
	}
	n->n_blockers = out;
	for (size_t i = 0; i < out; i++)
		vc_strv_sort_uniq(&n->blockers[i].features);
}

void
vc_node_normalize(struct vc_node *n)
{
	vc_strv_sort_uniq(&n->required_features);
	vc_strv_sort_uniq(&n->models);
	vc_strv_sort_uniq(&n->migration_models);
	vc_strv_sort_uniq(&n->features);
	vc_strv_sort_uniq(&n->machine_types);
	vc_strv_sort_uniq(&n->hyperv);
	vc_strv_sort_uniq(&n->deprecated_models);
	normalize_blockers(n);
}

void
vc_node_clear(struct vc_node *n)
{
	free(n->name);
	free(n->arch);
	free(n->virttype);
	free(n->host_model);
	free(n->vendor);
	vc_strv_clear(&n->required_features);
	vc_strv_clear(&n->models);
	vc_strv_clear(&n->migration_models);
	vc_strv_clear(&n->features);
	vc_strv_clear(&n->machine_types);
	vc_strv_clear(&n->hyperv);
	for (size_t i = 0; i < n->n_blockers; i++) {
		free(n->blockers[i].model);
		vc_strv_clear(&n->blockers[i].features);
	}
	free(n->blockers);
	vc_strv_clear(&n->deprecated_models);
	free(n->libvirt_version);
	free(n->qemu_version);
	memset(n, 0, sizeof(*n));
}
