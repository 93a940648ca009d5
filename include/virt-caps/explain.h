/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate explain MODEL [NODE...]`: why a CPU model is or is not
 * usable on each node, from the labels (KubeVirt's rules) and, for the
 * features a node lacks, libvirt's CPU map. The map gives an estimate:
 * libvirt's exact <blockers> are in caps-probe's node report only.
 */
#pragma once

#include "virt-caps/cluster.h"
#include "virt-caps/cpumap.h"
#include "virt-caps/out.h"
#include "virt-caps/strv.h"

enum vc_explain_status {
	VC_EXPLAIN_USABLE,         /* a cpu-model label: VMs with the model can run */
	VC_EXPLAIN_MIGRATION_ONLY, /* only a cpu-model-migration label */
	VC_EXPLAIN_NOT_USABLE,     /* no label, and the node has no migration labels */
	VC_EXPLAIN_UNKNOWN,        /* migration labels, none for the model */
	VC_EXPLAIN_OBSOLETE,       /* on KubeVirt's obsolete list: never labelled */
	VC_EXPLAIN_UNPROBED,       /* no capability labels at all */
};

/** The status's name in the output ("migration-only"...). */
const char *vc_explain_status_name(enum vc_explain_status s);

struct vc_explain_node {
	const char *name; /* borrowed from the cluster */
	enum vc_explain_status status;
	/* For migration-only and not-usable: the features the map says the
	 * node lacks (sorted; possibly empty) when @derived, else @note says
	 * why there is no list (the map does not know the model or arch).
	 * For unknown, obsolete and unprobed nodes @note says why, as the
	 * text does; NULL for usable ones. */
	bool derived;
	struct vc_strv missing;
	char *note;
};

struct vc_explain {
	const char *model;           /* borrowed */
	const struct vc_cpumap *map; /* borrowed */
	struct vc_explain_node *nodes;
	size_t n;
	bool all_usable; /* the model is usable on every node explained */
};

/**
 * The missing-feature rule: the features of @m that are neither in
 * @has (the node's cpu-feature labels, sorted) nor carried by a model of
 * @usable (the node's cpu-model labels) that @a knows, and not vmx-*
 * (QEMU's usability check counts neither as a blocker). Appends them to
 * @out in the order of @m's features (sorted).
 */
void vc_explain_missing(const struct vc_cpumap_arch *a, const struct vc_cpumap_model *m,
			const struct vc_strv *has, const struct vc_strv *usable,
			struct vc_strv *out);

/**
 * Explain @model on the nodes of @c (sorted) named in @nodes, or on every
 * node when @nodes is empty. Returns 0, or -ENOENT after one error naming
 * the nodes of @nodes that @c does not hold.
 */
int vc_explain_compute(const struct vc_cluster *c, const struct vc_cpumap *map,
		       const char *model, const struct vc_strv *nodes,
		       struct vc_explain *e);

/** One line per node, aligned, under a line naming the model and map. */
char *vc_explain_text(const struct vc_explain *e);

/** The same as a document: model, cpu_map, missing_from, nodes. */
void vc_explain_write(struct vc_out *o, const struct vc_explain *e);

void vc_explain_clear(struct vc_explain *e);
