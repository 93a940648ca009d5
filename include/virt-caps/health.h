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

/*
 * The health record, STATE_DIR/health: "key=value" lines, Unix times in
 * seconds (0: never). Replaced whole (temporary file and rename) after
 * every probe, so a reader sees the old or the new record, never a mix.
 */
#define VC_HEALTH_FILE "health"
/* --interval's bound; a record's larger interval is malformed. */
#define VC_HEALTH_INTERVAL_MAX (365UL * 86400)

struct vc_health {
	long long started;               /* when the loop (or --once) began */
	long long last_attempt;          /* start of the last finished probe */
	long long last_success;          /* start of the last successful probe */
	unsigned consecutive_failures;   /* failed probes since the last success */
	unsigned long interval;          /* the loop's period, seconds */
	size_t labels;                   /* labels of the last success */
	unsigned long long label_digest; /* of the last success's labels */
	char *last_error;                /* of the last failure, NULL after a success */
};

/** Fold one probe's outcome into @h. */
void vc_health_update(struct vc_health *h, const struct vc_probe_outcome *o);

/** Write @h to @dir/health atomically. 0 or -errno (a warning naming the
 * file; an info line when @h records a failed probe, whose error said why). */
int vc_health_write(const char *dir, const struct vc_health *h);

/**
 * Read @dir/health. 0; -ENOENT (no @why: no probe has started); or -errno,
 * -EINVAL for anything but a regular file or a malformed record, with @why
 * the problem in one line (without the path; the caller's to report, an
 * error for --health, a warning where the loop replaces the record).
 */
int vc_health_read(const char *dir, struct vc_health *h, char **why);

/*
 * live: the last finished probe started within two intervals or, before
 * the first probe finishes, the loop started within two intervals.
 * ready: the last probe succeeded and its labels have not expired (they
 * expire VC_LABEL_EXPIRY_INTERVALS intervals after it). Either fails for a
 * record whose times are ahead of the clock.
 */
enum vc_health_check {
	VC_HEALTH_LIVE = 1 << 0,
	VC_HEALTH_READY = 1 << 1,
};

/**
 * Judge @h at time @now for @checks: true when every check passes. @line
 * gets one line saying so, or saying why not.
 */
bool vc_health_judge(const struct vc_health *h, unsigned checks, long long now,
		     char **line);

void vc_health_clear(struct vc_health *h);
