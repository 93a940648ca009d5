/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libvirt side of caps-probe: one connection (kept between probes), the calls
 * node-labeller.sh makes through virsh (domain capabilities, expanded
 * baseline of the host-model CPU, host capabilities) plus the library
 * and hypervisor versions. The default connection is libvirt's embedded
 * QEMU driver rooted in the state directory, so no daemon is needed.
 */
#pragma once

#include "virt-caps/result.h"
#include "virt-caps/util.h"

/* Flags of virConnectGetDomainCapabilities newer than libvirt 9.0's
 * headers. They are enum constants there, so #ifdef cannot see them:
 * always try them at run time and fall back when refused. */
#define VC_DOMCAPS_EXPAND_CPU_FEATURES (1U << 1)    /* libvirt 12.2 */
#define VC_DOMCAPS_SUPPORTED_CPU_FEATURES (1U << 2) /* libvirt 12.5 */

#define VC_STATE_DIR "/var/lib/virt-caps"

struct vc_probe_opts {
	const char *uri;       /* NULL: qemu:///embed?root=<state_dir> */
	const char *state_dir; /* default VC_STATE_DIR */
	const char *arch;      /* NULL: uname */
	const char *machine;   /* NULL: from arch */
	const char *virttype;  /* NULL: kvm when @kvm_dev is usable, else qemu */
	const char *kvm_dev;   /* default /dev/kvm */
};

struct vc_probe_result {
	char *arch;
	char *machine;
	char *virttype;
	char *uri;
	char *domcaps_xml;  /* for labels */
	char *baseline_xml; /* NULL on arches without named models */
	char *caps_xml;
	unsigned domcaps_flags; /* flags the library accepted */
	unsigned long lib_version;
	unsigned long hv_version;
};

/**
 * Run the libvirt calls. VC_ERR_INPUT: bad options, an unsupported arch
 * or an unusable state directory; VC_ERR_BACKEND: libvirt failed (each
 * reported once with libvirt's own message).
 */
enum vc_result vc_probe_run(const struct vc_probe_opts *o, struct vc_probe_result *r);

/**
 * Close the libvirt connection vc_probe_run keeps between probes (one per
 * process: libvirt cannot register the embedded driver again and again).
 */
void vc_probe_close(void);

/** Format a libvirt version number (major * 1e6 + minor * 1e3 + micro). */
char *vc_probe_version_string(unsigned long v);

/** Version of the libvirt library in use, e.g. "9.0.0". */
char *vc_probe_library_version(void);

/**
 * A fingerprint of the embedded driver's QEMU capability cache (names and
 * modification times of its files), 0 with --connect or no cache: when it
 * differs after a probe, libvirt re-probed QEMU during it.
 */
unsigned long long vc_probe_cache_stamp(const struct vc_probe_opts *o);

void vc_probe_result_clear(struct vc_probe_result *r);
