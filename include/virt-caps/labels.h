/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node record -> Kubernetes labels, in two schemes:
 *  - nfd (default): keys under one namespace, by default
 *    libvirt.feature.node.kubernetes.io/, e.g. ".../cpu-model.EPYC=true";
 *  - kubevirt: exactly the keys KubeVirt's node-labeller writes.
 * Every label is checked against Kubernetes syntax; an invalid one is
 * dropped with a warning that names it, never the whole set.
 */
#pragma once

#include "virt-caps/node.h"

#define VC_NFD_NAMESPACE "libvirt.feature.node.kubernetes.io"

enum vc_label_scheme {
	VC_SCHEME_NFD,
	VC_SCHEME_KUBEVIRT,
};

/** What a label says; the same kinds exist in both schemes. */
enum vc_label_kind {
	VC_L_MODEL,
	VC_L_MIGRATION_MODEL,
	VC_L_FEATURE,
	VC_L_HOST_MODEL,
	VC_L_HOST_FEATURE,
	VC_L_VENDOR,
	VC_L_TSC_FREQUENCY,
	VC_L_TSC_SCALABLE,
	VC_L_MACHINE_TYPE,
	VC_L_HYPERV,
	VC_L_SEV,
	VC_L_SEV_ES,
	VC_L_SEV_SNP,
	VC_L_TDX,
	VC_L_S390_PV,
	VC_L_REALTIME,
	VC_L_OBSOLETE_HOST_MODEL,
	VC_L_LIBVIRT_VERSION,
	VC_L_QEMU_VERSION,
	VC_L_VIRTTYPE,
	VC_L_ARCH,
	VC_L_DIGEST,
	VC_L_COUNT,
};

/** How a kind is spelled in one scheme. */
enum vc_label_form {
	VC_FORM_NONE,  /* not in this scheme */
	VC_FORM_NAMED, /* key = prefix + name, value "true" */
	VC_FORM_VALUE, /* fixed key, the datum is the value */
	VC_FORM_FLAG,  /* fixed key, value "true" */
};

struct vc_label_spelling {
	enum vc_label_form form;
	const char *text; /* prefix (NAMED) or key (VALUE, FLAG); for nfd
			     it follows "<namespace>/" */
};

/** Spelling of @kind in @scheme. */
struct vc_label_spelling vc_label_spelling(enum vc_label_kind kind,
					   enum vc_label_scheme scheme);

struct vc_label {
	char *key;
	char *value;
};

/** A label borrowed from a decoded node (caps-aggregate's readers). */
struct vc_label_ref {
	const char *key;
	const char *value; /* NULL when the JSON value was not a string */
};

struct vc_labels {
	struct vc_label *v;
	size_t n;
	size_t cap;
};

struct vc_label_opts {
	enum vc_label_scheme scheme;
	const char *ns; /* nfd namespace, NULL for the default */
};

/** Parse "nfd" / "kubevirt". Returns 0 or -EINVAL. */
int vc_label_scheme_parse(const char *s, enum vc_label_scheme *out);

/**
 * Build the labels of @n. Items whose label would be invalid are
 * removed from @n too (with a warning naming the label), so that a
 * report printed from @n says exactly what the labels say. In the nfd
 * scheme the caps-digest label is added. @out comes back sorted by key.
 */
void vc_labels_build(struct vc_node *n, const struct vc_label_opts *o,
		     struct vc_labels *out);

/**
 * Recognise one label of @scheme (the reverse of vc_labels_build). For a
 * capability label returns true with its kind and *datum: the name part
 * (NAMED), the value (VALUE) or the value of a flag (FLAG). @ns is the
 * nfd namespace (NULL: default). Syntax of the datum is not checked here.
 */
bool vc_label_classify(const char *key, const char *value, enum vc_label_scheme scheme,
		       const char *ns, enum vc_label_kind *kind, const char **datum);

/** Append a label, taking ownership of @key and @value. */
void vc_labels_add(struct vc_labels *l, char *key, char *value);
void vc_labels_clear(struct vc_labels *l);

/**
 * Kubernetes label syntax. Each returns true when valid, else false
 * and sets *why to a static explanation.
 */
bool vc_label_key_valid(const char *key, const char **why);
/** A key's name part (a model or feature name in a NAMED label). */
bool vc_label_name_valid(const char *name, const char **why);
bool vc_label_value_valid(const char *value, const char **why);
bool vc_dns_subdomain_valid(const char *s, const char **why);
