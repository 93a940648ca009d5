/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node-capabilities record: what caps-probe computes for one node and
 * what caps-aggregate decodes back from a node's labels. Labels are made
 * from it and reports print it; it holds no label syntax and knows
 * nothing of libvirt (KubeVirt's rules that fill it live in rules.h).
 */
#pragma once

#include "virt-caps/strv.h"

/** A model libvirt says is not usable and the features to blame. */
struct vc_cpu_blockers {
	char *model;             /* @model, whitespace-trimmed */
	struct vc_strv features; /* their @name */
};

enum vc_security {
	VC_SEC_SEV,
	VC_SEC_SEV_ES,
	VC_SEC_SEV_SNP,
	VC_SEC_TDX,
	VC_SEC_S390_PV,
	VC_SEC_COUNT,
};

/** Name of a security feature as labels and reports spell it ("sev-es"). */
const char *vc_security_name(enum vc_security s);

struct vc_node {
	char *name;     /* Kubernetes node name */
	char *arch;     /* libvirt arch: x86_64, aarch64, s390x */
	char *virttype; /* kvm, qemu */

	char *host_model;                 /* NULL when not applicable */
	char *vendor;                     /* NULL when unknown or empty */
	struct vc_strv required_features; /* host-model policy='require' */
	struct vc_strv models;            /* usable, not obsolete */
	struct vc_strv migration_models;  /* any usable value, not obsolete */
	struct vc_strv features;          /* baseline policy='require' */
	struct vc_strv machine_types;
	struct vc_strv hyperv;

	bool has_tsc;
	unsigned long long tsc_frequency;
	bool tsc_scalable;

	bool security[VC_SEC_COUNT];
	bool realtime;            /* kernel.sched_rt_runtime_us == -1 (live) */
	bool obsolete_host_model; /* only with an explicit obsolete list */

	/* Report only, never labels: one label per blocker would multiply
	 * the label count. Filled by caps-probe, empty when decoded. */
	struct vc_cpu_blockers *blockers; /* sorted by model, features sorted */
	size_t n_blockers;
	struct vc_strv deprecated_models;

	char *libvirt_version; /* "9.0.0", NULL when unknown (--from-dir) */
	char *qemu_version;
};

/** Sort and de-duplicate every list of the record. */
void vc_node_normalize(struct vc_node *n);

void vc_node_clear(struct vc_node *n);
