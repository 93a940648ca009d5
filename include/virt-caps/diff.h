/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `caps-aggregate diff OLD NEW`: compare two cluster reports (YAML or
 * JSON), globally and per node. Something usable is lost when a model
 * leaves global_caps, or a node present in both reports loses a usable
 * model, a supported feature or a machine type.
 */
#pragma once

#include "virt-caps/out.h"
#include "virt-caps/tree.h"

/** What one report says, as far as diff cares. */
struct vc_rnode {
	char *name;
	char *host_model;
	char *vendor;   /* NULL: unknown (null, or a report without it) */
	char *virttype; /* likewise */
	char *libvirt_version;
	char *qemu_version;
	struct vc_strv models, features, machines, migration;
};

struct vc_rdoc {
	struct vc_strv archs;   /* one per global_caps entry */
	struct vc_strv *global; /* per arch */
	struct vc_rnode *nodes; /* sorted by name */
	size_t n;
	struct vc_strv unprobed; /* cluster.unprobed, sorted: listed, no labels */
};

/** Read a report. Returns 0 or -EINVAL (reported, naming @path). */
int vc_rdoc_load(const char *path, struct vc_rdoc *d);
/** The same from a YAML or JSON document in memory; @what names it in errors. */
int vc_rdoc_parse(const char *text, size_t len, const char *what, struct vc_rdoc *d);
void vc_rdoc_clear(struct vc_rdoc *d);

/** A list's change. */
struct vc_change {
	struct vc_strv lost;
	struct vc_strv gained;
};

enum vc_diff_list {
	VC_D_MODELS,
	VC_D_FEATURES,
	VC_D_MACHINES,
	VC_D_MIGRATION,
	VC_D_COUNT,
};

struct vc_node_diff {
	const char *name;
	const char *old_host, *new_host;     /* set only when changed */
	const char *old_vendor, *new_vendor; /* set only when both known and changed */
	const char *old_virttype, *new_virttype; /* likewise */
	const char *old_libvirt, *new_libvirt;   /* likewise */
	const char *old_qemu, *new_qemu;
	struct vc_change lists[VC_D_COUNT];
};

struct vc_diff {
	struct vc_strv archs;
	struct vc_change *global;   /* per arch */
	struct vc_node_diff *nodes; /* only nodes with a change */
	size_t n;
	struct vc_strv added, removed;
	struct vc_strv unprobed; /* probed before, still listed, no labels now: lost */
	bool lost;
};

void vc_diff_compute(const struct vc_rdoc *a, const struct vc_rdoc *b, struct vc_diff *d);
void vc_diff_write(struct vc_out *o, const struct vc_diff *d);
char *vc_diff_text(const struct vc_diff *d);
void vc_diff_clear(struct vc_diff *d);
