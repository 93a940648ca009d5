/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/labels.h"

#include <errno.h>

#include "labels-private.h"
#include "virt-caps/log.h"

#define KV(p) p ".node.kubevirt.io/"

/* add_flag() walks the security flags in vc_security order. */
_Static_assert(VC_L_SEV_ES - VC_L_SEV == VC_SEC_SEV_ES &&
		       VC_L_S390_PV - VC_L_SEV == VC_SEC_S390_PV,
	       "label kinds and security flags must be in the same order");

struct kind_def {
	struct vc_label_spelling nfd;
	struct vc_label_spelling kubevirt;
};

static const struct kind_def kinds[VC_L_COUNT] = {
	[VC_L_MODEL] = {{VC_FORM_NAMED, "cpu-model."}, {VC_FORM_NAMED, KV("cpu-model")}},
	[VC_L_MIGRATION_MODEL] = {{VC_FORM_NAMED, "cpu-model-migration."},
				  {VC_FORM_NAMED, KV("cpu-model-migration")}},
	[VC_L_FEATURE] = {{VC_FORM_NAMED, "cpu-feature."},
			  {VC_FORM_NAMED, KV("cpu-feature")}},
	[VC_L_HOST_MODEL] = {{VC_FORM_VALUE, "host-model"},
			     {VC_FORM_NAMED, KV("host-model-cpu")}},
	[VC_L_HOST_FEATURE] = {{VC_FORM_NAMED, "host-model-feature."},
			       {VC_FORM_NAMED, KV("host-model-required-features")}},
	[VC_L_VENDOR] = {{VC_FORM_VALUE, "cpu-vendor"},
			 {VC_FORM_NAMED, KV("cpu-vendor")}},
	[VC_L_TSC_FREQUENCY] = {{VC_FORM_VALUE, "tsc-frequency"},
				{VC_FORM_VALUE, KV("cpu-timer") "tsc-frequency"}},
	[VC_L_TSC_SCALABLE] = {{VC_FORM_VALUE, "tsc-scalable"},
			       {VC_FORM_VALUE, KV("cpu-timer") "tsc-scalable"}},
	[VC_L_MACHINE_TYPE] = {{VC_FORM_NAMED, "machine-type."},
			       {VC_FORM_NAMED, KV("machine-type")}},
	[VC_L_HYPERV] = {{VC_FORM_NAMED, "hyperv."}, {VC_FORM_NAMED, KV("hyperv")}},
	[VC_L_SEV] = {{VC_FORM_FLAG, "sev"}, {VC_FORM_FLAG, "kubevirt.io/sev"}},
	[VC_L_SEV_ES] = {{VC_FORM_FLAG, "sev-es"}, {VC_FORM_FLAG, "kubevirt.io/sev-es"}},
	[VC_L_SEV_SNP] = {{VC_FORM_FLAG, "sev-snp"},
			  {VC_FORM_FLAG, "kubevirt.io/sev-snp"}},
	[VC_L_TDX] = {{VC_FORM_FLAG, "tdx"}, {VC_FORM_FLAG, "kubevirt.io/tdx"}},
	[VC_L_S390_PV] = {{VC_FORM_FLAG, "s390-pv"},
			  {VC_FORM_FLAG, "kubevirt.io/s390-pv"}},
	[VC_L_REALTIME] = {{VC_FORM_FLAG, "realtime"},
			   {VC_FORM_FLAG, "kubevirt.io/realtime"}},
	[VC_L_OBSOLETE_HOST_MODEL] = {{VC_FORM_FLAG, "obsolete-host-model"},
				      {VC_FORM_FLAG,
				       "node-labeller.kubevirt.io/obsolete-host-model"}},
	[VC_L_LIBVIRT_VERSION] = {{VC_FORM_VALUE, "libvirt-version"},
				  {VC_FORM_NONE, NULL}},
	[VC_L_QEMU_VERSION] = {{VC_FORM_VALUE, "qemu-version"}, {VC_FORM_NONE, NULL}},
	[VC_L_VIRTTYPE] = {{VC_FORM_VALUE, "virttype"}, {VC_FORM_NONE, NULL}},
	[VC_L_ARCH] = {{VC_FORM_VALUE, "arch"}, {VC_FORM_NONE, NULL}},
	[VC_L_DIGEST] = {{VC_FORM_VALUE, "caps-digest"}, {VC_FORM_NONE, NULL}},
};

struct vc_label_spelling
vc_label_spelling(enum vc_label_kind kind, enum vc_label_scheme scheme)
{
	return scheme == VC_SCHEME_NFD ? kinds[kind].nfd : kinds[kind].kubevirt;
}

int
vc_label_scheme_parse(const char *s, enum vc_label_scheme *out)
{
	if (streq(s, "nfd"))
		*out = VC_SCHEME_NFD;
	else if (streq(s, "kubevirt"))
		*out = VC_SCHEME_KUBEVIRT;
	else
		return -EINVAL;
	return 0;
}

/* ---- Kubernetes syntax ---------------------------------------------- */

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
vc_label_name_valid(const char *name, const char **why)
{
	size_t len = strlen(name);

	if (len == 0) {
		*why = "name part is empty";
		return false;
	}
	if (len > 63) {
		*why = "name part is longer than 63 characters";
		return false;
	}
	if (!is_alnum(name[0]) || !is_alnum(name[len - 1])) {
		*why = "name part must start and end with a letter or digit";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_alnum(name[i]) && !strchr("-_.", name[i])) {
			*why = "name part may only hold letters, digits, '-', '_' and '.'";
			return false;
		}
	}
	return true;
}

static bool
dns_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool
vc_dns_subdomain_valid(const char *s, const char **why)
{
	size_t len = strlen(s);

	*why = "prefix must be a lowercase DNS subdomain";
	if (len == 0 || len > 253) {
		*why = len ? "prefix is longer than 253 characters" : "prefix is empty";
		return false;
	}
	/* Each dot-separated part: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
	for (const char *part = s; part;) {
		const char *dot = strchr(part, '.');
		size_t plen = dot ? (size_t)(dot - part) : strlen(part);

		if (plen == 0 || part[0] == '-' || part[plen - 1] == '-')
			return false;
		for (size_t i = 0; i < plen; i++)
			if (!dns_label_char(part[i]))
				return false;
		part = dot ? dot + 1 : NULL;
	}
	return true;
}

bool
vc_label_key_valid(const char *key, const char **why)
{
	const char *slash = strchr(key, '/');

	if (slash) {
		_autofree_ char *prefix = xstrndup(key, (size_t)(slash - key));

		if (!vc_dns_subdomain_valid(prefix, why))
			return false;
		key = slash + 1;
	}
	return vc_label_name_valid(key, why);
}

bool
vc_label_value_valid(const char *value, const char **why)
{
	if (*value == '\0')
		return true;
	if (!vc_label_name_valid(value, why)) {
		if (strlen(value) > 63)
			*why = "value is longer than 63 characters";
		else
			*why = "value may only hold letters, digits, '-', '_' and '.', "
			       "starting and ending with a letter or digit";
		return false;
	}
	return true;
}

/* ---- label sets -------------------------------------------------------- */

void
vc_labels_add(struct vc_labels *l, char *key, char *value)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].key = key;
	l->v[l->n].value = value;
	l->n++;
}

static int
cmp_label(const void *a, const void *b)
{
	const struct vc_label *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

static void
labels_sort(struct vc_labels *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_label);
}

void
vc_labels_clear(struct vc_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static unsigned long long
labels_digest(const struct vc_labels *l, const char *skip_key)
{
	unsigned long long h = VC_FNV1A_INIT;

	for (size_t i = 0; i < l->n; i++) {
		if (streq(l->v[i].key, skip_key))
			continue;
		h = vc_fnv1a(h, l->v[i].key, strlen(l->v[i].key));
		h = vc_fnv1a(h, "=", 1);
		h = vc_fnv1a(h, l->v[i].value, strlen(l->v[i].value));
		h = vc_fnv1a(h, "\n", 1);
	}
	return h;
}

/* ---- labels -> kinds ------------------------------------------------ */

static bool
match_spelling(const char *rest, const char *value, struct vc_label_spelling sp,
	       const char **datum)
{
	size_t len;

	switch (sp.form) {
	case VC_FORM_NAMED:
		len = strlen(sp.text);
		if (rest[0] != sp.text[0] || strncmp(rest, sp.text, len) != 0)
			return false;
		*datum = rest + len;
		return true;
	case VC_FORM_VALUE:
	case VC_FORM_FLAG:
		if (rest[0] != sp.text[0] || strcmp(rest, sp.text) != 0)
			return false;
		*datum = value;
		return true;
	default:
		return false;
	}
}

bool
vc_label_classify(const char *key, const char *value, enum vc_label_scheme scheme,
		  const char *ns, enum vc_label_kind *kind, const char **datum)
{
	const char *rest = key;

	if (scheme == VC_SCHEME_NFD) {
		size_t len;

		ns = ns ? ns : VC_NFD_NAMESPACE;
		len = strlen(ns);
		if (strncmp(key, ns, len) != 0 || key[len] != '/')
			return false;
		rest = key + len + 1;
	}
	for (int k = 0; k < VC_L_COUNT; k++) {
		const struct vc_label_spelling *sp =
			scheme == VC_SCHEME_NFD ? &kinds[k].nfd : &kinds[k].kubevirt;

		if (match_spelling(rest, value, *sp, datum)) {
			*kind = k;
			return true;
		}
	}
	return false;
}

/* ---- node record -> labels ------------------------------------------- */

struct builder {
	struct vc_labels *out;
	enum vc_label_scheme scheme;
	const char *ns;
};

/* Add the label for @datum; false (with a warning) when it is invalid. */
static bool
try_add(struct builder *b, enum vc_label_kind kind, const char *datum)
{
	struct vc_label_spelling sp = vc_label_spelling(kind, b->scheme);
	const char *name = sp.form == VC_FORM_NAMED ? datum : "";
	const char *value = sp.form == VC_FORM_VALUE ? datum : "true";
	_autofree_ char *key = NULL;
	const char *why = NULL;

	if (sp.form == VC_FORM_NONE)
		return true;
	if (b->scheme == VC_SCHEME_NFD)
		key = xasprintf("%s/%s%s", b->ns, sp.text, name);
	else
		key = xasprintf("%s%s", sp.text, name);
	if (!vc_label_key_valid(key, &why) || !vc_label_value_valid(value, &why)) {
		vc_warn("dropping label '%s=%s': %s", key, value, why);
		return false;
	}
	vc_labels_add(b->out, steal(&key), xstrdup(value));
	return true;
}

static void
add_list(struct builder *b, enum vc_label_kind kind, struct vc_strv *list)
{
	size_t keep = 0;

	for (size_t i = 0; i < list->n; i++) {
		if (try_add(b, kind, list->v[i]))
			list->v[keep++] = list->v[i];
		else
			free(list->v[i]);
	}
	list->n = keep;
}

static void
add_string(struct builder *b, enum vc_label_kind kind, char **datum)
{
	if (*datum && !try_add(b, kind, *datum)) {
		free(*datum);
		*datum = NULL;
	}
}

static void
add_flag(struct builder *b, enum vc_label_kind kind, bool on)
{
	if (on)
		try_add(b, kind, "true");
}

static void
add_tsc(struct builder *b, const struct vc_node *n)
{
	char freq[32];

	if (!n->has_tsc)
		return;
	snprintf(freq, sizeof(freq), "%llu", n->tsc_frequency);
	try_add(b, VC_L_TSC_FREQUENCY, freq);
	try_add(b, VC_L_TSC_SCALABLE, n->tsc_scalable ? "true" : "false");
}

static void
add_digest(struct builder *b)
{
	struct vc_label_spelling sp = vc_label_spelling(VC_L_DIGEST, VC_SCHEME_NFD);
	char hex[17];

	labels_sort(b->out);
	snprintf(hex, sizeof(hex), "%016llx", labels_digest(b->out, NULL));
	vc_labels_add(b->out, xasprintf("%s/%s", b->ns, sp.text), xstrdup(hex));
	labels_sort(b->out);
}

void
vc_labels_build(struct vc_node *n, const struct vc_label_opts *o, struct vc_labels *out)
{
	struct builder b = {
		.out = out,
		.scheme = o->scheme,
		.ns = o->ns ? o->ns : VC_NFD_NAMESPACE,
	};

	add_list(&b, VC_L_MODEL, &n->models);
	add_list(&b, VC_L_MIGRATION_MODEL, &n->migration_models);
	add_list(&b, VC_L_FEATURE, &n->features);
	add_string(&b, VC_L_HOST_MODEL, &n->host_model);
	add_list(&b, VC_L_HOST_FEATURE, &n->required_features);
	add_string(&b, VC_L_VENDOR, &n->vendor);
	add_tsc(&b, n);
	add_list(&b, VC_L_MACHINE_TYPE, &n->machine_types);
	add_list(&b, VC_L_HYPERV, &n->hyperv);
	for (int s = 0; s < VC_SEC_COUNT; s++)
		add_flag(&b, VC_L_SEV + s, n->security[s]);
	add_flag(&b, VC_L_REALTIME, n->realtime);
	add_flag(&b, VC_L_OBSOLETE_HOST_MODEL, n->obsolete_host_model);
	add_string(&b, VC_L_LIBVIRT_VERSION, &n->libvirt_version);
	add_string(&b, VC_L_QEMU_VERSION, &n->qemu_version);
	add_string(&b, VC_L_VIRTTYPE, &n->virttype);
	add_string(&b, VC_L_ARCH, &n->arch);
	if (b.scheme == VC_SCHEME_NFD)
		add_digest(&b);
	else
		labels_sort(out);
}
