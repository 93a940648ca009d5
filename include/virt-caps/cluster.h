/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-aggregate's model of a cluster: every node's capability labels
 * decoded (nfd scheme preferred, kubevirt scheme as fallback, detected
 * per node) into interned names and sorted id sets. With an explicit
 * namespace only that namespace's labels count (no fallback).
 */
#pragma once

#include "virt-caps/labels.h"
#include "virt-caps/names.h"
#include "virt-caps/node.h"

enum vc_set {
	VC_SET_MODELS,
	VC_SET_MIGRATION,
	VC_SET_FEATURES,
	VC_SET_REQUIRED,
	VC_SET_MACHINES,
	VC_SET_HYPERV,
	VC_SET_COUNT,
};

struct vc_cnode {
	char *name;
	unsigned source; /* the input it came from (vc_cluster.source) */
	bool probed;
	enum vc_label_scheme scheme; /* where its data came from */
	/* KubeVirt's labels only, under an explicit namespace: not read,
	 * the node is unprobed (a candidate probe's data must never be
	 * KubeVirt's by accident) */
	bool kubevirt_unread;
	/* Both schemes, default namespace, different data: the first
	 * difference ("host model: A in caps-probe's, B in KubeVirt's"),
	 * else NULL. The node uses the nfd labels either way. */
	char *disagree;
	uint32_t arch; /* names ids, VC_NO_NAME when unknown */
	uint32_t virttype;
	uint32_t host_model;
	uint32_t vendor;
	uint32_t libvirt_version;
	uint32_t qemu_version;
	bool has_tsc;
	unsigned long long tsc_frequency;
	bool tsc_scalable;
	bool security[VC_SEC_COUNT];
	struct vc_bits sets[VC_SET_COUNT];
};

#define VC_SET_BIT(set) (1u << (set))

struct vc_cluster {
	struct vc_names names;
	struct vc_cnode *nodes;
	size_t n;
	size_t cap;
	const char *ns;    /* nfd namespace, NULL for the default */
	size_t odd_labels; /* skipped labels with odd values */
	uint32_t *rank;    /* id -> position in bytewise order (after vc_cluster_sort) */
	uint32_t *by_rank; /* position -> id */
	unsigned source;   /* set by the caller: the input being added */
	/* set by the caller before nodes are added: VC_SET_BIT()s of the
	 * sets not kept (left empty), for a command that never reads them;
	 * decoding, and so the warnings, do not change */
	unsigned drop_sets;
	struct {
		char *name; /* a node in two inputs, found by vc_cluster_sort */
		unsigned first, second;
	} clash;
	/* a node's sets while its labels are decoded, reused from node to
	 * node so that each node's sets are allocated once, at their size */
	struct vc_bits scratch[VC_SET_COUNT];
	/* the same for KubeVirt's labels of a node that has both schemes,
	 * decoded only to be compared: never more than one node's worth */
	struct vc_bits scratch_kubevirt[VC_SET_COUNT];
};

/** How a node's CPU was probed, from its virttype. */
enum vc_accel {
	VC_ACCEL_UNKNOWN, /* no virttype (KubeVirt's labels carry none), or another */
	VC_ACCEL_KVM,     /* virttype kvm: the hardware's CPU */
	VC_ACCEL_TCG,     /* virttype qemu: QEMU's software emulation (TCG) */
	VC_ACCEL_COUNT,
};

enum vc_accel vc_cluster_accel(const struct vc_cluster *c, const struct vc_cnode *cn);

/**
 * Decode one node's labels and add it (unprobed when it has none of
 * ours). Its arch comes from our arch label, else kubernetes.io/arch;
 * either must name a known architecture (vc_cluster_arch_name()).
 */
void vc_cluster_add(struct vc_cluster *c, const char *name,
		    const struct vc_label_ref *labels, size_t n_labels);

/**
 * Could the label @key (@len bytes) matter to the cluster model? A
 * vc_nodelist filter (@data is the cluster): our namespace, KubeVirt's
 * keys and kubernetes.io/arch.
 */
bool vc_cluster_wants(void *data, const char *key, size_t len);

/**
 * libvirt's name of the architecture @value names, in libvirt's spelling
 * (x86_64, aarch64...) or Go's, as kubelet writes kubernetes.io/arch
 * (amd64, arm64...); NULL when @value is no architecture either knows.
 */
const char *vc_cluster_arch_name(const char *value);

/** Drop nodes added after the first @n (a failed page that will be re-read). */
void vc_cluster_truncate(struct vc_cluster *c, size_t n);

/**
 * Remove node @name from the sorted cluster @c (what-if: a node taken
 * away, or replaced by a new report). The rest stays sorted; call
 * vc_cluster_sort() again after adding. False when there is no such node.
 */
bool vc_cluster_remove(struct vc_cluster *c, const char *name);

/**
 * Sort nodes by name and rank every name, for output. Of a node listed
 * twice (in one input or two) the last one is kept and clash names the
 * first such node, for the caller to refuse. Call once, after adding.
 */
void vc_cluster_sort(struct vc_cluster *c);

/**
 * Ids of @b in bytewise order of their names (needs vc_cluster_sort).
 * Costs O(k log k) for k ids, or O(k + names/64) when that is less.
 */
uint32_t *vc_cluster_sorted_ids(const struct vc_cluster *c, const struct vc_bits *b,
				size_t *n);

/**
 * Fill @view with @cn's data as a node record whose strings are borrowed
 * from the cluster. Release it with vc_cluster_view_release(), never
 * vc_node_clear().
 */
void vc_cluster_view(const struct vc_cluster *c, const struct vc_cnode *cn,
		     struct vc_node *view);
void vc_cluster_view_release(struct vc_node *view);

void vc_cluster_clear(struct vc_cluster *c);

/** What the probed nodes of one arch have in common. */
struct vc_arch_summary {
	uint32_t arch;         /* VC_NO_NAME: arch unknown */
	size_t nodes;          /* probed nodes of this arch */
	struct vc_bits global; /* models usable on every one of them */
	struct vc_bits models; /* models usable on at least one of them */
	uint32_t *counts;      /* per element of models: nodes with it usable */
};

struct vc_summary {
	struct vc_arch_summary *archs; /* in bytewise order of arch names */
	size_t n_archs;
	size_t probed;
	size_t sources[2];            /* probed nodes per enum vc_label_scheme */
	size_t accel[VC_ACCEL_COUNT]; /* probed nodes per enum vc_accel */
	size_t kubevirt_unread;       /* unprobed: vc_cnode.kubevirt_unread */
	struct vc_bits vendors;
	struct vc_bits models;   /* usable somewhere */
	size_t *support_off;     /* per element of models + 1: start in support */
	uint32_t *support_nodes; /* indexes of probed nodes, per model in node order */
};

/** Compute the summary (after vc_cluster_sort). */
void vc_cluster_summarize(const struct vc_cluster *c, struct vc_summary *s);
void vc_summary_clear(struct vc_summary *s);

/**
 * The probed nodes (indexes into @c->nodes, in order) on which model @id
 * is usable; sets *@n. NULL with *@n = 0 for a model usable nowhere.
 */
const uint32_t *vc_summary_model_nodes(const struct vc_summary *s, uint32_t id,
				       size_t *n);

/** Models usable on at least ceil(@percent% of the arch's probed nodes). */
size_t vc_quorum_needed(size_t nodes, unsigned percent);
