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
 * The result holds copies of every string, so that two results (before
 * and after a change, for what-if) can be compared after their clusters
 * are gone.
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
	char *name;
	struct vc_strv gives_up; /* host-model features it would not get, sorted */
};

struct vc_advise_pool {
	char *arch;     /* libvirt's arch name, "unknown" when not labelled */
	char *vendor;   /* "unknown" when not labelled */
	char *virttype; /* as labelled; NULL when not labelled */
	struct vc_advise_node *nodes; /* sorted by name */
	size_t n_nodes;
	struct vc_advise_candidate *candidates; /* best first */
	size_t n_candidates;
	/* The recommendation, when there are candidates: */
	char *model; /* NULL: no model is usable on every node */
	struct vc_strv extra_features;
	size_t given_up; /* sum of the nodes' gives_up */
	/* Otherwise the nodes whose removal gives the best model: */
	char *no_common_model;    /* NULL when no node has a usable model */
	struct vc_strv no_common; /* node names, sorted */
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

void vc_advise_clear(struct vc_advise *a);
