/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsers for the three XML documents libvirt gives us: domain
 * capabilities (virConnectGetDomainCapabilities), the expanded baseline
 * CPU (virConnectBaselineHypervisorCPU) and host capabilities
 * (virConnectGetCapabilities). They extract exactly the elements that
 * KubeVirt's node-labeller reads and nothing else; the rules that turn
 * them into a node record live in node.c.
 */
#pragma once

#include "virt-caps/node.h" /* struct vc_cpu_blockers */
#include "virt-caps/strv.h"

/** One <model> of a <mode> in domain capabilities. */
struct vc_cpu_model {
	char *name;      /* text, whitespace-trimmed as KubeVirt does */
	char *usable;    /* @usable, NULL when the attribute is absent */
	bool deprecated; /* @deprecated == yes (newer libvirt) */
};

struct vc_domcaps {
	char *arch;    /* <arch> */
	char *domain;  /* <domain>: the virttype */
	char *machine; /* <machine>: the canonical machine type */

	bool host_model_present;     /* a <mode name='host-model'> exists */
	char *host_model_supported;  /* its @supported */
	char *host_model;            /* text of its first <model>, untrimmed */
	size_t host_model_count;     /* how many <model> it had */
	char *host_vendor;           /* text of its <vendor>, NULL if none */
	struct vc_strv host_require; /* its <feature policy='require'> names */

	struct vc_cpu_model *models; /* every cpu/mode/model, any mode */
	size_t n_models;

	struct vc_cpu_blockers *blockers; /* every cpu/mode/blockers */
	size_t n_blockers;

	bool sev;                    /* features/sev/@supported == yes */
	unsigned long max_es_guests; /* features/sev/maxESGuests */
	bool launch_security;        /* features/launchSecurity/@supported == yes */
	struct vc_strv launch_security_types; /* its enum values */
	bool tdx;                             /* features/tdx/@supported == yes */
	bool s390_pv;                         /* features/s390-pv/@supported == yes */
};

struct vc_baseline {
	struct vc_strv require;   /* <feature policy='require'> */
	struct vc_strv no_policy; /* <feature> without a policy (s390x) */
};

struct vc_hostcaps {
	char *arch; /* host/cpu/arch */
	bool tsc;   /* host/cpu/counter[@name='tsc'] present */
	unsigned long long tsc_frequency;
	bool tsc_scaling;        /* @scaling == yes */
	struct vc_strv machines; /* guest/arch/machine, every guest */
};

/*
 * Each parser takes the document text and a name used in error
 * messages (a file name or the libvirt call). On error it reports once
 * and returns -EINVAL (not XML, wrong root element, bad number).
 */
int vc_domcaps_parse(const char *xml, size_t len, const char *what,
		     struct vc_domcaps *out);
int vc_baseline_parse(const char *xml, size_t len, const char *what,
		      struct vc_baseline *out);
int vc_hostcaps_parse(const char *xml, size_t len, const char *what,
		      struct vc_hostcaps *out);

void vc_domcaps_clear(struct vc_domcaps *d);
void vc_baseline_clear(struct vc_baseline *b);
void vc_hostcaps_clear(struct vc_hostcaps *h);

/**
 * Extract the host-model CPU for virConnectBaselineHypervisorCPU the way
 * virsh's hypervisor-cpu-baseline does: the <mode name='host-model'
 * supported='yes'> element renamed to <cpu> with all its attributes
 * removed. Returns a new string, or NULL (reported) when there is no
 * supported host-model.
 */
char *vc_domcaps_host_cpu_xml(const char *xml, size_t len, const char *what);
