/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node-capabilities record and KubeVirt's node-labeller rules that
 * fill it from parsed libvirt documents. The record is what labels are
 * made from and what reports print; it holds no label syntax.
 */
#pragma once

#include "virt-caps/domcaps.h"
#include "virt-caps/strv.h"

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

	char *libvirt_version; /* "9.0.0", NULL when unknown (--from-dir) */
	char *qemu_version;
};

struct vc_node_opts {
	/* Obsolete models; when @obsolete_explicit is false this is
	 * KubeVirt's default list and no obsolete-host-model label is made. */
	struct vc_strv obsolete;
	bool obsolete_explicit;
};

/** Fill @opts->obsolete with KubeVirt's 34 default obsolete models. */
void vc_node_opts_default(struct vc_node_opts *opts);
void vc_node_opts_clear(struct vc_node_opts *opts);

/** True for arches where KubeVirt labels named models (x86_64, s390x). */
bool vc_arch_has_named_models(const char *arch);

/**
 * Apply KubeVirt's rules. @b may be NULL only on arches without named
 * models. Returns 0, or -EINVAL (reported, naming @what) when the data
 * cannot be labelled: no host-model or no baseline on x86_64/s390x.
 * Other arches get no model, vendor or feature data, as in KubeVirt.
 */
int vc_node_from_caps(struct vc_node *n, const struct vc_domcaps *d,
		      const struct vc_baseline *b, const struct vc_hostcaps *h,
		      const struct vc_node_opts *opts, const char *what);

/** Sort and de-duplicate every list of the record. */
void vc_node_normalize(struct vc_node *n);

/** Read kernel.sched_rt_runtime_us from @path; true when it is -1. */
bool vc_node_realtime(const char *path);

/** Format a libvirt version number (major * 1e6 + minor * 1e3 + micro). */
char *vc_version_string(unsigned long v);

void vc_node_clear(struct vc_node *n);
