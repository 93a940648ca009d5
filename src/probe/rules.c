/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/rules.h"

#include <errno.h>

#include "virt-caps/kubevirt.h"
#include "virt-caps/log.h"

void
vc_rules_default(struct vc_rules *opts)
{
	vc_strv_clear(&opts->obsolete);
	for (size_t i = 0; i < vc_kubevirt_n_obsolete_models; i++)
		vc_strv_push(&opts->obsolete, vc_kubevirt_obsolete_models[i]);
	opts->obsolete_explicit = false;
}

void
vc_rules_clear(struct vc_rules *opts)
{
	vc_strv_clear(&opts->obsolete);
}

bool
vc_arch_has_named_models(const char *arch)
{
	return streq(arch, "x86_64") || streq(arch, "s390x");
}

static void
apply_models(struct vc_node *n, const struct vc_domcaps *d, const struct vc_rules *o)
{
	for (size_t i = 0; i < d->n_models; i++) {
		const struct vc_cpu_model *m = &d->models[i];

		/* Exact match, case-sensitive, like KubeVirt's map lookup. */
		if (strempty(m->name) || strempty(m->usable) ||
		    vc_strv_contains(&o->obsolete, m->name))
			continue;
		vc_strv_push(&n->migration_models, m->name);
		if (!streq(m->usable, "no"))
			vc_strv_push(&n->models, m->name);
	}
}

/* Report-only facts, kept whatever the arch: they never become labels. */
static void
apply_blockers(struct vc_node *n, const struct vc_domcaps *d)
{
	for (size_t i = 0; i < d->n_models; i++)
		if (d->models[i].deprecated && !strempty(d->models[i].name))
			vc_strv_push(&n->deprecated_models, d->models[i].name);
	n->blockers = xzalloc(d->n_blockers * sizeof(*n->blockers));
	for (size_t i = 0; i < d->n_blockers; i++) {
		struct vc_cpu_blockers *b = &n->blockers[i];

		b->model = xstrdup(d->blockers[i].model);
		for (size_t j = 0; j < d->blockers[i].features.n; j++)
			vc_strv_push(&b->features, d->blockers[i].features.v[j]);
	}
	n->n_blockers = d->n_blockers;
}

static int
apply_host_model(struct vc_node *n, const struct vc_domcaps *d, const char *what)
{
	if (streq(d->host_model_supported, "no")) {
		vc_err("%s: host-model CPU is not supported (supported='no') on this %s host",
		       what, n->arch);
		return -EINVAL;
	}
	if (!d->host_model_present || d->host_model_count == 0) {
		vc_err("%s: %s host has no host-model CPU model; it cannot be labelled",
		       what, n->arch);
		return -EINVAL;
	}
	if (d->host_model_count > 1)
		vc_warn("%s: host-model has %zu <model> elements, using the first", what,
			d->host_model_count);
	n->host_model = xstrdup(d->host_model);
	if (!strempty(d->host_vendor))
		n->vendor = xstrdup(d->host_vendor);
	else if (streq(n->arch, "s390x"))
		n->vendor = xstrdup("IBM");
	for (size_t i = 0; i < d->host_require.n; i++)
		vc_strv_push(&n->required_features, d->host_require.v[i]);
	return 0;
}

static void
apply_features(struct vc_node *n, const struct vc_baseline *b)
{
	for (size_t i = 0; i < b->require.n; i++)
		vc_strv_push(&n->features, b->require.v[i]);
	/* On s390x a feature without a policy counts as required. */
	if (streq(n->arch, "s390x"))
		for (size_t i = 0; i < b->no_policy.n; i++)
			vc_strv_push(&n->features, b->no_policy.v[i]);
}

static void
apply_host(struct vc_node *n, const struct vc_domcaps *d, const struct vc_hostcaps *h)
{
	for (size_t i = 0; i < h->machines.n; i++)
		vc_strv_push(&n->machine_types, h->machines.v[i]);
	n->has_tsc = h->tsc;
	n->tsc_frequency = h->tsc_frequency;
	n->tsc_scalable = h->tsc_scaling;
	n->security[VC_SEC_SEV] = d->sev;
	n->security[VC_SEC_SEV_ES] = d->sev && d->max_es_guests > 0;
	n->security[VC_SEC_SEV_SNP] =
		n->security[VC_SEC_SEV_ES] && d->launch_security &&
		vc_strv_contains(&d->launch_security_types, "sev-snp");
	n->security[VC_SEC_TDX] = d->tdx;
	n->security[VC_SEC_S390_PV] = d->s390_pv;
}

int
vc_rules_apply(struct vc_node *n, const struct vc_domcaps *d, const struct vc_baseline *b,
	       const struct vc_hostcaps *h, const struct vc_rules *opts, const char *what)
{
	const char *arch = !strempty(d->arch) ? d->arch : h->arch;

	if (strempty(arch)) {
		vc_err("%s: neither domain capabilities nor host capabilities name an arch",
		       what);
		return -EINVAL;
	}
	n->arch = xstrdup(arch);
	n->virttype = xstrdup(d->domain);
	if (vc_arch_has_named_models(arch)) {
		if (apply_host_model(n, d, what) < 0)
			return -EINVAL;
		if (!b) {
			vc_err("%s: no baseline CPU (supported features) for %s", what,
			       arch);
			return -EINVAL;
		}
		apply_models(n, d, opts);
		apply_features(n, b);
		n->obsolete_host_model = opts->obsolete_explicit &&
					 vc_strv_contains(&opts->obsolete, n->host_model);
	}
	apply_host(n, d, h);
	apply_blockers(n, d);
	vc_node_normalize(n);
	return 0;
}

bool
vc_rules_realtime(const char *path)
{
	_autofree_ char *buf = NULL;

	if (vc_read_file(path, 64, &buf, NULL) < 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return streq(buf, "-1");
}
