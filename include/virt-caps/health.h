/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What one probe of caps-probe's loop came to, and the health record kept
 * from it in the state directory for `caps-probe --health`. The summary
 * line, the health record and the metrics all read the same outcome, so
 * that they can never tell different stories about one probe.
 */
#pragma once

#include "virt-caps/util.h"

/** One probe's result, filled by the loop (and by --once). */
struct vc_probe_outcome {
	long long started;         /* Unix time the probe began */
	double duration;           /* seconds, monotonic */
	bool ok;                   /* labels computed and written */
	char *virttype;            /* kvm, qemu; NULL when the probe failed early */
	char *host_model;          /* NULL when not applicable or unknown */
	size_t usable_models;      /* models labelled usable */
	size_t labels;             /* labels written */
	bool changed;              /* label set differs from the previous probe's */
	bool qemu_reprobed;        /* libvirt refreshed its QEMU capability cache */
	unsigned long long digest; /* FNV-1a of the label set, 0 when none */
	int exit;                  /* enum vc_exit of the probe */
	char *error;               /* one line, NULL on success */
};

void vc_probe_outcome_clear(struct vc_probe_outcome *o);
