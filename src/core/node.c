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

void
vc_node_normalize(struct vc_node *n)
{
	vc_strv_sort_uniq(&n->required_features);
	vc_strv_sort_uniq(&n->models);
	vc_strv_sort_uniq(&n->migration_models);
	vc_strv_sort_uniq(&n->features);
	vc_strv_sort_uniq(&n->machine_types);
	vc_strv_sort_uniq(&n->hyperv);
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
	free(n->libvirt_version);
	free(n->qemu_version);
	memset(n, 0, sizeof(*n));
}
