/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NFD feature files (the "local" source): writing them atomically and
 * reading them back the way nfd-worker does.
 *
 * Writing: every file gets "# +expiry-time=<RFC 3339>" as its first line
 * so that labels vanish if the probe dies; labels are split over
 * NAME, NAME-2, NAME-3... so that no file passes NFD's 65536-byte limit
 * (NFD skips a larger file whole). All files are first written to dot
 * temp files (NFD ignores dot files), fsync'ed, and only then renamed,
 * so that a failure leaves the previous files as they were.
 */
#pragma once

#include "virt-caps/labels.h"

#define VC_FEATUREFILE_MAX 65536
#define VC_FEATUREFILE_NAME "virt-caps"
#define VC_FEATURES_DIR "/etc/kubernetes/node-feature-discovery/features.d"

struct vc_featurefile_opts {
	const char *dir;
	const char *name; /* base file name, default VC_FEATUREFILE_NAME */
	long long expiry; /* Unix time written as +expiry-time */
	size_t max_size;  /* per file, default VC_FEATUREFILE_MAX */
};

/**
 * Write @labels. Returns the number of files written, or -errno after
 * reporting the failure (the previous files are then untouched). Files
 * NAME-<n> that the new set no longer needs are removed afterwards.
 */
int vc_featurefile_write(const struct vc_featurefile_opts *o, const struct vc_labels *l);

/** True when @name is usable as a feature file name (no '/', no dot start). */
bool vc_featurefile_name_valid(const char *name);
