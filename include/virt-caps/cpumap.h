/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvirt's CPU map (/usr/share/libvirt/cpu_map): index.xml names, per
 * arch, the files that define vendors, features and CPU models. A model
 * lists its features and may name another model it extends; newer
 * libvirt adds versioned models NAME-vN (a full list, or just the model
 * it equals). x86 features that block migration carry migratable='no'.
 * caps-aggregate reads the map with libxml2 to rank models and explain
 * what a node lacks; it never links libvirt.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "virt-caps/strv.h"

#define VC_CPUMAP_DEFAULT_DIR "/usr/share/libvirt/cpu_map"

struct vc_cpumap_model {
	char *name;
	char *vendor;            /* the map's <vendor>, inherited; NULL when none */
	struct vc_strv features; /* every feature, inheritance resolved, sorted */
};

struct vc_cpumap_arch {
	char *name;                     /* the map's arch name: x86, arm, ppc64 */
	struct vc_cpumap_model *models; /* sorted by name */
	size_t n_models;
	struct vc_strv not_migratable; /* features marked migratable='no', sorted */
};

struct vc_cpumap {
	char *dir;             /* as given */
	char *libvirt_version; /* the libvirt the map came from; NULL when unknown */
	char *version_from;    /* how that was found, for -v and the output
				* ("DIR/libvirt-version", "dpkg: libvirt0
				* 9.0.0-4+deb12u2"); NULL when unknown */
	struct vc_cpumap_arch *archs; /* sorted by name */
	size_t n_archs;
};

/**
 * Read the map in @dir (NULL: VC_CPUMAP_DEFAULT_DIR). The libvirt version
 * comes from DIR/libvirt-version when present (one line, e.g. "10.0.0"),
 * else from the Debian package that installed DIR/index.xml, else stays
 * NULL; from dpkg it is the upstream version ("9.0.0": epoch and Debian
 * revision stripped). Errors (missing or broken file, a model extending an
 * unknown model, a cycle, an include outside DIR) are reported once,
 * naming the file; returns 0, or a negative errno and leaves @m empty:
 * -ENOENT when DIR/index.xml or an included file is missing, -EINVAL for a
 * broken map, another -errno when a file cannot be read.
 */
int vc_cpumap_load(const char *dir, struct vc_cpumap *m);

/** The map's arch for libvirt's arch @arch (x86_64 and i686 -> x86,
 * aarch64 and armv7l -> arm, ppc64 and ppc64le -> ppc64); NULL when none. */
const struct vc_cpumap_arch *vc_cpumap_arch(const struct vc_cpumap *m, const char *arch);

/** Model @name of @a (exact, case-sensitive); NULL when the map does not know it. */
const struct vc_cpumap_model *vc_cpumap_model(const struct vc_cpumap_arch *a,
					      const char *name);

/** False when @a's map marks @feature migratable='no'. */
bool vc_cpumap_migratable(const struct vc_cpumap_arch *a, const char *feature);

/**
 * The map's provenance in one wording for every text output: "CPU map DIR
 * (libvirt 9.0.0, from dpkg: libvirt0 9.0.0-4+deb12u2)", or "CPU map DIR
 * (libvirt version unknown: add DIR/libvirt-version)"; escaped for a
 * terminal. Only dir, libvirt_version and version_from are read.
 */
char *vc_cpumap_describe(const struct vc_cpumap *m);

void vc_cpumap_clear(struct vc_cpumap *m);
