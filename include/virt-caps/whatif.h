/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate what-if`: what adding nodes (caps-probe node reports)
 * or removing nodes would change: models leaving or joining global_caps
 * per arch, and each pool's advise recommendation before and after.
 * A report becomes labels (vc_labels_build, nfd scheme) and enters the
 * cluster through vc_cluster_add, the same decoder as every listed node.
 */
#pragma once

#include "virt-caps/advise.h"
#include "virt-caps/cluster.h"
#include "virt-caps/out.h"

/**
 * Read a caps-probe node report (`caps-probe -o yaml|json`) from @path
 * ("-": standard input) into @n. Returns 0, or -EINVAL after one error
 * naming the file and the missing or bad key.
 */
int vc_whatif_read_report(const char *path, struct vc_node *n);

/**
 * Add @n to the sorted cluster @c in place of a node of the same name,
 * if any; @c is sorted again. @n's lists are normalized (and may lose
 * items that would not be valid labels, with a warning). True when @n
 * replaced a node.
 */
bool vc_whatif_add(struct vc_cluster *c, struct vc_node *n);

/** Models of one arch's global_caps, before and after. */
struct vc_whatif_arch {
	char *arch;
	struct vc_strv leaving;
	struct vc_strv joining;
};

struct vc_whatif {
	struct vc_strv added;         /* node names, as given */
	struct vc_strv replaced;      /* reports that replaced a node, likewise */
	struct vc_strv removed;       /* likewise */
	struct vc_whatif_arch *archs; /* sorted by arch */
	size_t n_archs;
	struct vc_advise before, after;
	bool loss; /* a model leaves some arch's global_caps */
	/* before's and after's advise warnings, sorted, each once: a warning
	 * about a node that is removed is still about the answer */
	struct vc_strv warnings;
};

/** Global models per arch of @c (summarized as @s), to compare later. */
struct vc_whatif_global {
	struct vc_strv archs;   /* sorted */
	struct vc_strv *models; /* per arch, sorted */
};
void vc_whatif_global_take(const struct vc_cluster *c, const struct vc_summary *s,
			   struct vc_whatif_global *g);
void vc_whatif_global_clear(struct vc_whatif_global *g);

/**
 * Fill @w->archs and @w->loss from the two snapshots, and @w->warnings
 * from @w->before and @w->after (computed first).
 */
void vc_whatif_compare(const struct vc_whatif_global *before,
		       const struct vc_whatif_global *after, struct vc_whatif *w);

/** As a map: added, cpu_map, global_caps, pools, removed, replaced, warnings. */
void vc_whatif_write(struct vc_out *o, const struct vc_whatif *w);
/** The same for people. */
char *vc_whatif_text(const struct vc_whatif *w);

void vc_whatif_clear(struct vc_whatif *w);
