/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/nodereport.h"

static void
write_host_model(struct vc_out *o, const struct vc_node *n)
{
	vc_out_key(o, "host_cpu_model");
	vc_out_map_begin(o);
	vc_out_key(o, "name");
	vc_out_str(o, n->host_model);
	vc_out_key(o, "vendor");
	vc_out_str(o, n->vendor);
	vc_out_strv(o, "required_features", &n->required_features);
	vc_out_map_end(o);
}

static void
write_tsc(struct vc_out *o, const struct vc_node *n)
{
	vc_out_key(o, "tsc");
	if (!n->has_tsc) {
		vc_out_null(o);
		return;
	}
	vc_out_map_begin(o);
	vc_out_key(o, "frequency");
	vc_out_uint(o, n->tsc_frequency);
	vc_out_key(o, "scalable");
	vc_out_bool(o, n->tsc_scalable);
	vc_out_map_end(o);
}

static void
write_security(struct vc_out *o, const struct vc_node *n)
{
	vc_out_key(o, "security");
	vc_out_map_begin(o);
	for (int s = 0; s < VC_SEC_COUNT; s++) {
		vc_out_key(o, vc_security_name(s));
		vc_out_bool(o, n->security[s]);
	}
	vc_out_map_end(o);
}

void
vc_nodereport_write_fields(struct vc_out *o, const struct vc_node *n)
{
	vc_out_key(o, "node_name");
	vc_out_str(o, n->name);
	vc_out_key(o, "arch");
	vc_out_str(o, n->arch);
	vc_out_key(o, "virttype");
	vc_out_str(o, n->virttype);
	write_host_model(o, n);
	vc_out_strv(o, "supported_models", &n->models);
	vc_out_strv(o, "supported_features", &n->features);
	vc_out_strv(o, "migration_models", &n->migration_models);
	vc_out_strv(o, "machine_types", &n->machine_types);
	vc_out_key(o, "libvirt_version");
	vc_out_str(o, n->libvirt_version);
	vc_out_key(o, "qemu_version");
	vc_out_str(o, n->qemu_version);
	write_tsc(o, n);
	vc_out_strv(o, "hyperv", &n->hyperv);
	write_security(o, n);
}

static void
write_blockers(struct vc_out *o, const struct vc_node *n)
{
	vc_out_key(o, "blockers");
	vc_out_map_begin(o);
	for (size_t i = 0; i < n->n_blockers; i++)
		vc_out_strv(o, n->blockers[i].model, &n->blockers[i].features);
	vc_out_map_end(o);
}

void
vc_nodereport_write(struct vc_out *o, const struct vc_node *n)
{
	vc_out_map_begin(o);
	vc_nodereport_write_fields(o, n);
	vc_out_map_end(o);
}

void
vc_nodereport_write_probe(struct vc_out *o, const struct vc_node *n)
{
	vc_out_map_begin(o);
	vc_nodereport_write_fields(o, n);
	write_blockers(o, n);
	vc_out_strv(o, "deprecated_models", &n->deprecated_models);
	vc_out_map_end(o);
}
