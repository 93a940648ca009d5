/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate advise`: which cpuModel each pool of nodes can agree on
 * and what it costs. A pool is the probed nodes of one (arch, CPU vendor,
 * virttype) key: live migration never crosses vendors, and nodes probed
 * with software emulation (virttype qemu) are kept apart from KVM ones;
 * nodes without a virttype label (KubeVirt's scheme has none) or with
 * another one (hvf) are pools of their own too, never called "kvm".
 * Models are ranked by the number of features libvirt's CPU map gives
 * them (inheritance resolved); ties go to bytewise name order, and models
 * the map does not know come after every ranked one, by name.
 *
 * Ownership, chosen so that advice on 10,000 nodes costs no more memory
 * than the report: a pool's own strings (arch, vendor, models, extra
 * features) and the warnings are copies, few and owned by the result.
 * Per-node data is borrowed: node names point into the cluster's nodes,
 * gives_up into the cluster's interned names and the CPU map's models.
 * The result must not outlive the cluster and the map it was computed
 * from, and a cluster that loses nodes (vc_cluster_remove() frees their
 * names) needs vc_advise_drop_nodes() on its results first.
 */
#pragma once

#include "virt-caps/cluster.h"
#include "virt-caps/cpumap.h"
#include "virt-caps/out.h"

/** Rank of a model the map does not know. */
#define VC_ADVISE_UNRANKED SIZE_MAX

struct vc_advise_candidate {
	char *model;
	size_t rank; /* features in the map, VC_ADVISE_UNRANKED when unknown */
};

struct vc_advise_node {
	const char *name; /* borrowed from the cluster's node */
	/* Host-model features it would not get, sorted; n_gives_up of them,
	 * in the pool's gives_up array (shared by nodes with the same list). */
	const char *const *gives_up;
	size_t n_gives_up;
};

struct vc_advise_pool {
	char *arch;     /* libvirt's arch name, "unknown" when not labelled */
	char *vendor;   /* "unknown" when not labelled */
	char *virttype; /* as labelled; NULL when not labelled */
	struct vc_advise_node *nodes; /* sorted by name; NULL once dropped */
	size_t n_nodes;
	const char *
		*gives_up; /* every distinct node list, end to end (borrowed strings) */
	size_t n_gives_up;
	struct vc_advise_candidate *candidates; /* best first */
	size_t n_candidates;
	/* The recommendation, when there are candidates: */
	char *model; /* NULL: no model is usable on every node */
	struct vc_strv extra_features;
	size_t given_up; /* sum of the nodes' gives_up */
	/* Otherwise the nodes whose removal gives the best model: */
	char *no_common_model;  /* NULL when no node has a usable model */
	const char **no_common; /* node names (borrowed), sorted; NULL once dropped */
	size_t n_no_common;
};

struct vc_advise {
	char *map_dir;
	char *map_version; /* NULL when unknown */
	char *map_version_from;
	/* kvm pools first, then other or unknown virttypes, then emulated
	 * ones; then arch, vendor, virttype */
	struct vc_advise_pool *pools;
	size_t n_pools;
	struct vc_strv warnings;
};

/**
 * Advise on every pool of @c (sorted and summarized into @s), ranking
 * with map @m. Never fails: what the map does not know is reported as
 * unranked and warned about in @a->warnings.
 */
void vc_advise_compute(const struct vc_cluster *c, const struct vc_summary *s,
		       const struct vc_cpumap *m, struct vc_advise *a);

/** True when some pool has no model usable on every one of its nodes. */
bool vc_advise_has_gap(const struct vc_advise *a);

/**
 * Pool @p's snippet: the kubectl patch (when @cluster_wide) or a VM spec.
 * Names are quoted for the shell and JSON (patch) or YAML (spec), whatever
 * they hold. NULL when the pool has no recommendation or it is unranked
 * (the map cannot tell which candidate is better: no advice to paste).
 */
char *vc_advise_snippet(const struct vc_advise_pool *p, bool cluster_wide);

/**
 * True when the cluster-wide cpuModel can serve @a: exactly one pool is
 * not emulated (its virttype is kvm, another one, or unknown).
 */
bool vc_advise_cluster_wide(const struct vc_advise *a);

/** True when @p's virttype is qemu (software emulation). */
bool vc_advise_pool_emulated(const struct vc_advise_pool *p);

/** True when @p has a recommendation the map could rank. */
bool vc_advise_pool_ranked(const struct vc_advise_pool *p);

/**
 * "emulated" as the cluster report writes it: true (qemu), false (kvm),
 * null (another virttype, or none).
 */
void vc_advise_write_emulated(struct vc_out *o, const struct vc_advise_pool *p);

/** cpu_map, pools and warnings as a map (see README, advise). */
void vc_advise_write(struct vc_out *o, const struct vc_advise *a);

/** The same for people: one block per pool. */
char *vc_advise_text(const struct vc_advise *a);

/**
 * One pool's key for people: "x86_64 AMD kvm", "... emulated (virttype
 * qemu)", "... virttype hvf", "... virttype unknown". Caller frees.
 */
char *vc_advise_pool_title(const struct vc_advise_pool *p);

/** The pool of @b with @a's key, or NULL. */
const struct vc_advise_pool *vc_advise_find_pool(const struct vc_advise *b,
						 const struct vc_advise_pool *a);

/**
 * Free @a's per-node data (nodes, gives_up, no_common), which borrows from
 * the cluster's nodes: call it before the cluster loses a node. n_nodes,
 * given_up and the pools' own strings stay, enough for what-if;
 * vc_advise_write() and vc_advise_text() must not be given @a after it.
 */
void vc_advise_drop_nodes(struct vc_advise *a);

void vc_advise_clear(struct vc_advise *a);
