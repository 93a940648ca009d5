/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt's node-labeller rules (caps-probe only): which of libvirt's
 * parsed answers become usable models, migration models, the host model,
 * features, TSC and security flags of a node record.
 */
#pragma once

#include "virt-caps/domcaps.h"
#include "virt-caps/node.h"

struct vc_rules {
	/* Obsolete models; when @obsolete_explicit is false this is
	 * KubeVirt's default list and no obsolete-host-model label is made. */
	struct vc_strv obsolete;
	bool obsolete_explicit;
};

/** Fill @opts->obsolete with KubeVirt's 34 default obsolete models (kubevirt.h). */
void vc_rules_default(struct vc_rules *opts);
void vc_rules_clear(struct vc_rules *opts);

/** True for arches where KubeVirt labels named models (x86_64, s390x). */
bool vc_arch_has_named_models(const char *arch);

/**
 * Apply KubeVirt's rules. @b may be NULL only on arches without named
 * models. Returns 0, or -EINVAL (reported, naming @what) when the data
 * cannot be labelled: no host-model or no baseline on x86_64/s390x.
 * Other arches get no model, vendor or feature data, as in KubeVirt.
 */
int vc_rules_apply(struct vc_node *n, const struct vc_domcaps *d,
		   const struct vc_baseline *b, const struct vc_hostcaps *h,
		   const struct vc_rules *opts, const char *what);

/** Read kernel.sched_rt_runtime_us from @path; true when it is -1. */
bool vc_rules_realtime(const char *path);
