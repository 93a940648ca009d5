/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NFD feature files (the "local" source): writing them atomically and
 * reading them back the way nfd-worker does.
 *
 * Writing: every file gets "# +expiry-time=<RFC 3339>" as its first line
 * so that labels vanish if the probe dies. Labels are split over NAME,
 * NAME-2, NAME-4... (a power of two, at most VC_FEATUREFILE_MAX_FILES) by a
 * hash of their key, so that no file passes NFD's 65536-byte limit (NFD
 * skips a larger file whole) and a label stays in the same file from one
 * set to the next. Each file of a split set also names the set and its part
 * ("# virt-caps set=<id> file=<i>/<n>"), so that a reader of the directory
 * can tell when it read files of two sets. All files are first written to
 * dot temp files (NFD ignores dot files) and fsync'ed; a failure there
 * leaves the previous files as they were. Then they are renamed in an
 * order that never hides a label that both the old and the new set have
 * from a reader that lists the directory and reads the files in name
 * order, as nfd-worker does.
 */
#pragma once

#include "virt-caps/labels.h"

#define VC_FEATUREFILE_MAX 65536
#define VC_FEATUREFILE_NAME "virt-caps"
/* Enough for any real node (a few tens of KiB of labels); NFD reads the
 * files in name order, which is index order up to 9 files. */
#define VC_FEATUREFILE_MAX_FILES 8
/* Pause when the file count changes: longer than an NFD pass by far. */
#define VC_FEATUREFILE_SETTLE_MS 2000
#define VC_FEATUREFILE_SET_MARK "# virt-caps set="
#define VC_FEATURES_DIR "/etc/kubernetes/node-feature-discovery/features.d"
/* caps-probe's files expire this many --interval periods after the probe
 * that wrote them: a missed probe or two does not drop the labels, a dead
 * loop does. */
#define VC_LABEL_EXPIRY_INTERVALS 3

struct vc_featurefile_opts {
	const char *dir;
	const char *name; /* base file name, default VC_FEATUREFILE_NAME */
	long long expiry; /* Unix time written as +expiry-time */
	size_t max_size;  /* per file, default VC_FEATUREFILE_MAX */
	int settle_ms;    /* 0: VC_FEATUREFILE_SETTLE_MS, < 0: no pause */
};

/**
 * Write @labels. Returns the number of files written, or -errno after
 * reporting the failure. A failure before the first rename (temp files,
 * -EFBIG when the labels do not fit) leaves the previous files untouched;
 * one during the renames leaves each file either old or new, every label
 * of both sets still in some file, and the next call repairs it. Files
 * NAME-<n> that the new set does not use are removed last. New files are
 * put in place before existing ones are replaced, existing ones highest
 * index first; when the file count changes, the writer pauses for
 * settle_ms before replacing or removing files that existed before.
 */
int vc_featurefile_write(const struct vc_featurefile_opts *o, const struct vc_labels *l);

/** True when @name is usable as a feature file name (no '/', no dot start). */
bool vc_featurefile_name_valid(const char *name);
