/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/hyperv.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#if defined(__x86_64__) || defined(__i386__)
#include <linux/kvm.h>
#define HAVE_KVM_X86 1
#endif

struct hv_def {
	const char *name;
	int ext;      /* KVM_CAP_*, 0 when none */
	uint32_t msr; /* HV_X64_MSR_*, 0 when none */
};

#ifdef HAVE_KVM_X86
#define EXT(x) (x)
#else
#define EXT(x) 0
#endif

static const struct hv_def defs[VC_HV_COUNT] = {
	[VC_HV_BASE] = {"base", EXT(KVM_CAP_HYPERV), 0},
	[VC_HV_TIME] = {"time", EXT(KVM_CAP_HYPERV_TIME), 0},
	[VC_HV_VPINDEX] = {"vpindex", EXT(KVM_CAP_HYPERV_VP_INDEX), 0x40000002},
	[VC_HV_TLBFLUSH] = {"tlbflush", EXT(KVM_CAP_HYPERV_TLBFLUSH), 0},
	[VC_HV_IPI] = {"ipi", EXT(KVM_CAP_HYPERV_SEND_IPI), 0},
	[VC_HV_SYNIC] = {"synic", EXT(KVM_CAP_HYPERV_SYNIC), 0x40000080},
	[VC_HV_SYNIC2] = {"synic2", EXT(KVM_CAP_HYPERV_SYNIC2), 0x40000080},
	[VC_HV_FREQUENCIES] = {"frequencies", 0, 0x40000022},
	[VC_HV_RESET] = {"reset", 0, 0x40000003},
	[VC_HV_RUNTIME] = {"runtime", 0, 0x40000010},
	[VC_HV_SYNICTIMER] = {"synictimer", 0, 0x400000B0},
	[VC_HV_REENLIGHTENMENT] = {"reenlightenment", 0, 0x40000106},
};

static bool
msr_listed(const struct vc_hyperv_raw *raw, uint32_t msr)
{
	for (size_t i = 0; i < raw->n_msrs; i++)
		if (raw->msrs[i] == msr)
			return true;
	return false;
}

void
vc_hyperv_caps(const struct vc_hyperv_raw *raw, struct vc_strv *out)
{
	for (int c = 0; c < VC_HV_COUNT; c++) {
		bool expose = defs[c].msr ? msr_listed(raw, defs[c].msr) : false;

		if (defs[c].ext)
			expose = raw->ext[c] > 0;
		if (expose)
			vc_strv_push(out, defs[c].name);
	}
}

#ifdef HAVE_KVM_X86
static int
read_msr_list(int fd, struct vc_hyperv_raw *raw)
{
	struct kvm_msr_list probe = {.nmsrs = 0};
	struct kvm_msr_list *list;

	/* The first call fails with E2BIG and tells how many there are. */
	if (ioctl(fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
		return -errno;
	list = xzalloc(sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
	list->nmsrs = probe.nmsrs;
	if (ioctl(fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
		int rc = -errno;

		free(list);
		return rc;
	}
	raw->msrs = xzalloc(list->nmsrs * sizeof(uint32_t));
	memcpy(raw->msrs, list->indices, list->nmsrs * sizeof(uint32_t));
	raw->n_msrs = list->nmsrs;
	free(list);
	return 0;
}

int
vc_hyperv_query(const char *dev, struct vc_hyperv_raw *raw)
{
	_autoclose_ int fd = open(dev, O_RDWR | O_CLOEXEC);
	int rc;

	memset(raw, 0, sizeof(*raw));
	if (fd < 0)
		return -errno;
	rc = read_msr_list(fd, raw);
	if (rc < 0)
		return rc;
	for (int c = 0; c < VC_HV_COUNT; c++)
		if (defs[c].ext)
			raw->ext[c] = ioctl(fd, KVM_CHECK_EXTENSION, defs[c].ext);
	return 0;
}
#else
int
vc_hyperv_query(const char *dev, struct vc_hyperv_raw *raw)
{
	memset(raw, 0, sizeof(*raw));
	return -ENOTSUP;
}
#endif

void
vc_hyperv_raw_clear(struct vc_hyperv_raw *raw)
{
	free(raw->msrs);
	memset(raw, 0, sizeof(*raw));
}
