/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hyper-V enlightenments KVM can offer, found the way KubeVirt's
 * virt-handler finds them: KVM_CHECK_EXTENSION and the MSR index list of
 * /dev/kvm. The ioctls sit behind vc_hyperv_query() and the rule in
 * vc_hyperv_caps(), so the rule can be tested with any ioctl answers.
 */
#pragma once

#include <stdint.h>

#include "virt-caps/strv.h"

enum vc_hyperv_cap {
	VC_HV_BASE,
	VC_HV_TIME,
	VC_HV_VPINDEX,
	VC_HV_TLBFLUSH,
	VC_HV_IPI,
	VC_HV_SYNIC,
	VC_HV_SYNIC2,
	VC_HV_FREQUENCIES,
	VC_HV_RESET,
	VC_HV_RUNTIME,
	VC_HV_SYNICTIMER,
	VC_HV_REENLIGHTENMENT,
	VC_HV_COUNT,
};

/** What the kernel answered. */
struct vc_hyperv_raw {
	int ext[VC_HV_COUNT]; /* KVM_CHECK_EXTENSION result, for caps with one */
	uint32_t *msrs;       /* KVM_GET_MSR_INDEX_LIST */
	size_t n_msrs;
};

/**
 * Ask @dev (normally /dev/kvm). Returns 0, or -errno when the device
 * cannot be opened or the MSR list cannot be read (then no Hyper-V data:
 * not fatal, the caller logs it). Only x86_64 has these ioctls; other
 * builds return -ENOTSUP.
 */
int vc_hyperv_query(const char *dev, struct vc_hyperv_raw *raw);

/**
 * KubeVirt's rule: a cap with a KVM extension is exposed when the
 * extension check answers > 0 (its MSR is not consulted); a cap with
 * only an MSR is exposed when the MSR is in the list. Appends names.
 */
void vc_hyperv_caps(const struct vc_hyperv_raw *raw, struct vc_strv *out);

void vc_hyperv_raw_clear(struct vc_hyperv_raw *raw);
