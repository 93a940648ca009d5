/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/cluster.h"

#include <errno.h>

#include "cluster-private.h"
#include "virt-caps/log.h"
#include "virt-caps/schemediff.h"

#define MAX_ODD_WARNINGS 20
#define K8S_ARCH_LABEL "kubernetes.io/arch"

/* Which id set a named label kind fills (+1: 0 means none). */
static const int kind_set[VC_L_COUNT] = {
	[VC_L_MODEL] = VC_SET_MODELS + 1,
	[VC_L_MIGRATION_MODEL] = VC_SET_MIGRATION + 1,
	[VC_L_FEATURE] = VC_SET_FEATURES + 1,
	[VC_L_HOST_FEATURE] = VC_SET_REQUIRED + 1,
	[VC_L_MACHINE_TYPE] = VC_SET_MACHINES + 1,
	[VC_L_HYPERV] = VC_SET_HYPERV + 1,
};

static void
odd(struct vc_cluster *c, const char *node, const struct vc_label_ref *l, const char *why)
{
	if (c->odd_labels++ < MAX_ODD_WARNINGS)
		vc_warn("node %s: skipping label '%s=%s': %s", node, l->key,
			l->value ? l->value : "(not a string)", why);
	else if (c->odd_labels == MAX_ODD_WARNINGS + 1)
		vc_warn("more labels with odd values are skipped without a warning each");
}

static uint32_t
intern(struct vc_cluster *c, const char *s)
{
	return vc_names_intern(&c->names, s, strlen(s));
}

/* A string datum (host model, vendor, versions...) must be a valid label value. */
static bool
set_string(struct vc_cluster *c, uint32_t *slot, const char *datum)
{
	const char *why;

	if (strempty(datum) || !vc_label_value_valid(datum, &why))
		return false;
	*slot = intern(c, datum);
	return true;
}

static uint32_t *
string_slot(struct vc_cnode *cn, enum vc_label_kind kind)
{
	switch (kind) {
	case VC_L_HOST_MODEL:
		return &cn->host_model;
	case VC_L_VENDOR:
		return &cn->vendor;
	case VC_L_LIBVIRT_VERSION:
		return &cn->libvirt_version;
	case VC_L_QEMU_VERSION:
		return &cn->qemu_version;
	case VC_L_VIRTTYPE:
		return &cn->virttype;
	default:
		return NULL;
	}
}

/*
 * The architectures libvirt names, and Go's names of them (kubelet sets
 * kubernetes.io/arch to its GOARCH). An arch label is a group key of the
 * report: a value outside this list is skipped as odd, so that a typo or
 * a hostile value never makes a group of its own.
 */
static const char *const libvirt_arches[] = {
	"aarch64",  "alpha",   "armv6l",      "armv7b",   "armv7l",     "cris",
	"i686",     "lm32",    "loongarch64", "m68k",     "microblaze", "microblazeel",
	"mips",     "mipsel",  "mips64",      "mips64el", "openrisc",   "parisc",
	"parisc64", "ppc",     "ppcle",       "ppc64",    "ppc64le",    "ppcemb",
	"riscv32",  "riscv64", "s390",        "s390x",    "sh4",        "sh4eb",
	"sparc",    "sparc64", "unicore32",   "x86_64",   "xtensa",     "xtensaeb",
};

/* Go's names where they differ from libvirt's. */
static const struct {
	const char *go;
	const char *libvirt;
} go_arches[] = {
	{"amd64", "x86_64"},        {"arm64", "aarch64"}, {"386", "i686"},
	{"arm", "armv7l"},          {"mipsle", "mipsel"}, {"mips64le", "mips64el"},
	{"loong64", "loongarch64"},
};

const char *
vc_cluster_arch_name(const char *value)
{
	for (size_t i = 0; i < ARRAY_LENGTH(go_arches); i++)
		if (streq(value, go_arches[i].go))
			return go_arches[i].libvirt;
	for (size_t i = 0; i < ARRAY_LENGTH(libvirt_arches); i++)
		if (streq(value, libvirt_arches[i]))
			return libvirt_arches[i];
	return NULL;
}

static const char *
set_arch(struct vc_cluster *c, struct vc_cnode *cn, const char *datum)
{
	const char *arch = vc_cluster_arch_name(datum);

	if (!arch)
		return "not a known architecture";
	cn->arch = intern(c, arch);
	return NULL;
}

static const char *
decode_tsc(struct vc_cnode *cn, enum vc_label_kind kind, const char *datum)
{

	if (kind == VC_L_TSC_SCALABLE) {
		if (!streq(datum, "true") && !streq(datum, "false"))
			return "tsc-scalable must be true or false";
		cn->tsc_scalable = streq(datum, "true");
		return NULL;
	}
	if (vc_parse_uint(datum, ULLONG_MAX, &cn->tsc_frequency) < 0)
		return "TSC frequency is not a number";
	cn->has_tsc = true;
	return NULL;
}

/*
 * Where one scheme's labels of a node go: the node's fields and a set of
 * scratch id sets. KubeVirt's labels of a node that also has ours are
 * decoded only to be compared (quiet: their odd values are not the
 * report's, so they are not warned about or counted).
 */
struct decoding {
	struct vc_cluster *c;
	struct vc_cnode *cn;
	struct vc_bits *sets; /* VC_SET_COUNT */
	enum vc_label_scheme scheme;
	bool quiet;
};

/* Decode one label of the scheme; odd values are skipped with a warning. */
static void
decode_one(const struct decoding *d, const struct vc_label_ref *l)
{
	struct vc_cluster *c = d->c;
	struct vc_cnode *cn = d->cn;
	enum vc_label_kind kind;
	const char *datum = NULL, *why = NULL;
	uint32_t *slot;

	if (!vc_label_classify(l->key, l->value ? l->value : "", d->scheme, c->ns, &kind,
			       &datum))
		return;
	if (!l->value)
		why = "value is not a string";
	else if (vc_label_spelling(kind, d->scheme).form != VC_FORM_VALUE &&
		 !streq(l->value, "true"))
		why = "value is not \"true\"";
	else if (kind_set[kind] && !*datum)
		why = "empty name";
	else if (kind_set[kind])
		vc_bits_add(&d->sets[kind_set[kind] - 1], intern(c, datum));
	else if (kind == VC_L_ARCH)
		why = set_arch(c, cn, datum);
	else if ((slot = string_slot(cn, kind)) && !set_string(c, slot, datum))
		why = "not a valid label value";
	else if (kind == VC_L_TSC_FREQUENCY || kind == VC_L_TSC_SCALABLE)
		why = decode_tsc(cn, kind, datum);
	else if (kind >= VC_L_SEV && kind <= VC_L_S390_PV)
		cn->security[kind - VC_L_SEV] = true;
	if (why && !d->quiet)
		odd(c, cn->name, l, why);
}

static void
decode_all(const struct decoding *d, const struct vc_label_ref *labels, size_t n)
{
	for (size_t i = 0; i < n; i++)
		decode_one(d, &labels[i]);
	for (int set = 0; set < VC_SET_COUNT; set++)
		vc_bits_finish(&d->sets[set]);
}

static bool
has_scheme(const struct vc_cluster *c, const struct vc_label_ref *labels, size_t n,
	   enum vc_label_scheme scheme)
{
	const char *ns = c->ns ? c->ns : VC_NFD_NAMESPACE;
	size_t ns_len = strlen(ns);
	enum vc_label_kind kind;
	const char *datum;

	/* nfd: every key in our namespace is ours; no need to classify. */
	if (scheme == VC_SCHEME_NFD) {
		for (size_t i = 0; i < n; i++)
			if (strncmp(labels[i].key, ns, ns_len) == 0 &&
			    labels[i].key[ns_len] == '/')
				return true;
		return false;
	}
	/* kubevirt: our own labels, most of a probed node's, are skipped
	 * cheaply; every other key is classified. */
	for (size_t i = 0; i < n; i++)
		if ((strncmp(labels[i].key, ns, ns_len) != 0 ||
		     labels[i].key[ns_len] != '/') &&
		    vc_label_classify(labels[i].key,
				      labels[i].value ? labels[i].value : "", scheme,
				      c->ns, &kind, &datum))
			return true;
	return false;
}

/* kubernetes.io/arch, for a node whose own labels name no arch. */
static void
k8s_arch(struct vc_cluster *c, struct vc_cnode *cn, const struct vc_label_ref *labels,
	 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *why;

		if (!streq(labels[i].key, K8S_ARCH_LABEL))
			continue;
		if (!labels[i].value)
			why = "value is not a string";
		else
			why = set_arch(c, cn, labels[i].value);
		if (why)
			odd(c, cn->name, &labels[i], why);
		return;
	}
}

static void
cnode_init(struct vc_cnode *cn)
{
	memset(cn, 0, sizeof(*cn));
	cn->arch = cn->virttype = cn->host_model = cn->vendor = VC_NO_NAME;
	cn->libvirt_version = cn->qemu_version = VC_NO_NAME;
}

static struct vc_cnode *
new_node(struct vc_cluster *c, const char *name)
{
	struct vc_cnode *cn;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->nodes = xrealloc(c->nodes, c->cap * sizeof(*c->nodes));
	}
	cn = &c->nodes[c->n++];
	cnode_init(cn);
	cn->name = xstrdup(name);
	cn->source = c->source;
	return cn;
}

/* The namespace in use is the default one (named or not): only then are
 * our labels and KubeVirt's meant to say the same (a candidate namespace
 * holds another image's answers on purpose). */
static bool
default_namespace(const struct vc_cluster *c)
{
	return !c->ns || streq(c->ns, VC_NFD_NAMESPACE);
}

/* @cn has our labels, decoded into c->scratch: decode KubeVirt's aside
 * and compare, keeping only the first difference. */
static char *
compare_kubevirt(struct vc_cluster *c, const struct vc_cnode *cn,
		 const struct vc_label_ref *labels, size_t n)
{
	struct vc_cnode theirs;
	const struct decoding d = {c, &theirs, c->scratch_kubevirt, VC_SCHEME_KUBEVIRT,
				   true};
	char *why;

	cnode_init(&theirs);
	theirs.name = cn->name;
	decode_all(&d, labels, n);
	why = vc_schemediff(&c->names, cn, c->scratch, &theirs, c->scratch_kubevirt);
	for (int set = 0; set < VC_SET_COUNT; set++)
		c->scratch_kubevirt[set].n = 0;
	return why;
}

/* The node's sets, copied at their size; the scratch is reused. */
static void
keep_sets(struct vc_cluster *c, struct vc_cnode *cn)
{
	for (int set = 0; set < VC_SET_COUNT; set++) {
		if (c->scratch[set].n && !(c->drop_sets & VC_SET_BIT(set)))
			vc_bits_copy(&cn->sets[set], &c->scratch[set]);
		c->scratch[set].n = 0;
	}
}

void
vc_cluster_add(struct vc_cluster *c, const char *name, const struct vc_label_ref *labels,
	       size_t n_labels)
{
	struct vc_cnode *cn = new_node(c, name);
	bool ours = has_scheme(c, labels, n_labels, VC_SCHEME_NFD);
	bool theirs = has_scheme(c, labels, n_labels, VC_SCHEME_KUBEVIRT);

	/* nfd labels win; KubeVirt's own are the fallback (plain KubeVirt),
	 * but never under an explicit namespace: only its labels count. */
	if (!ours && theirs && c->ns)
		cn->kubevirt_unread = true;
	if (!ours && (!theirs || c->ns))
		return;
	cn->probed = true;
	cn->scheme = ours ? VC_SCHEME_NFD : VC_SCHEME_KUBEVIRT;
	decode_all(&(const struct decoding){c, cn, c->scratch, cn->scheme, false}, labels,
		   n_labels);
	if (ours && theirs && default_namespace(c))
		cn->disagree = compare_kubevirt(c, cn, labels, n_labels);
	keep_sets(c, cn);
	if (cn->arch == VC_NO_NAME)
		k8s_arch(c, cn, labels, n_labels);
}

enum vc_accel
vc_cluster_accel(const struct vc_cluster *c, const struct vc_cnode *cn)
{
	const char *v = vc_names_str(&c->names, cn->virttype);

	if (v && streq(v, "kvm"))
		return VC_ACCEL_KVM;
	if (v && streq(v, "qemu"))
		return VC_ACCEL_TCG;
	return VC_ACCEL_UNKNOWN;
}

bool
vc_cluster_wants(void *data, const char *key, size_t len)
{
	const struct vc_cluster *c = data;
	const char *ns = c->ns ? c->ns : VC_NFD_NAMESPACE;
	size_t ns_len = strlen(ns);

	if (len > ns_len && key[ns_len] == '/' && memcmp(key, ns, ns_len) == 0)
		return true;
	if (len == strlen(K8S_ARCH_LABEL) && memcmp(key, K8S_ARCH_LABEL, len) == 0)
		return true;
	/* Every key of KubeVirt's labeller has a prefix ending in "kubevirt.io". */
	const char *slash = memchr(key, '/', len);

	return slash && slash - key >= 11 && memcmp(slash - 11, "kubevirt.io", 11) == 0;
}

void
vc_cluster_add_cb(void *data, const char *name, const struct vc_label_ref *labels,
		  size_t n_labels)
{
	vc_cluster_add(data, name, labels, n_labels);
}

static void
cnode_clear(struct vc_cnode *cn)
{
	free(cn->name);
	free(cn->disagree);
	for (int s = 0; s < VC_SET_COUNT; s++)
		vc_bits_clear(&cn->sets[s]);
}

void
vc_cluster_truncate(struct vc_cluster *c, size_t n)
{
	while (c->n > n)
		cnode_clear(&c->nodes[--c->n]);
}

static int
cmp_node_name(const void *key, const void *node)
{
	return strcmp(key, ((const struct vc_cnode *)node)->name);
}

bool
vc_cluster_remove(struct vc_cluster *c, const char *name)
{
	struct vc_cnode *cn =
		c->n ? bsearch(name, c->nodes, c->n, sizeof(*c->nodes), cmp_node_name)
		     : NULL;
	size_t i;

	if (!cn)
		return false;
	i = (size_t)(cn - c->nodes);
	cnode_clear(cn);
	memmove(cn, cn + 1, (c->n - i - 1) * sizeof(*cn));
	c->n--;
	return true;
}

struct order {
	const char *name;
	size_t index;
};

static int
cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void
note_clash(struct vc_cluster *c, const struct vc_cnode *a, const struct vc_cnode *b)
{
	if (c->clash.name)
		return;
	c->clash.name = xstrdup(a->name);
	c->clash.first = a->source;
	c->clash.second = b->source;
}

static void
sort_nodes(struct vc_cluster *c)
{
	struct order *o = xzalloc((c->n ? c->n : 1) * sizeof(*o));
	struct vc_cnode *sorted = xzalloc((c->n ? c->n : 1) * sizeof(*sorted));
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		o[i] = (struct order){c->nodes[i].name, i};
	qsort(o, c->n, sizeof(*o), cmp_order);
	for (size_t i = 0; i < c->n; i++) {
		/* A node listed twice, in one input or two: remember the
		 * first such node, the caller decides (a page that is read
		 * again is rolled back first, so this is never a retry). */
		if (i + 1 < c->n && streq(o[i].name, o[i + 1].name)) {
			note_clash(c, &c->nodes[o[i].index], &c->nodes[o[i + 1].index]);
			cnode_clear(&c->nodes[o[i].index]);
			continue;
		}
		sorted[k++] = c->nodes[o[i].index];
	}
	free(c->nodes);
	free(o);
	c->nodes = sorted;
	c->n = k;
	c->cap = c->n ? c->n : 1;
}

static int
cmp_name_ids(const void *a, const void *b, void *data)
{
	const struct vc_names *t = data;

	return strcmp(vc_names_str(t, *(const uint32_t *)a),
		      vc_names_str(t, *(const uint32_t *)b));
}

void
vc_cluster_sort(struct vc_cluster *c)
{
	uint32_t n = c->names.n;
	uint32_t *ids = xzalloc((n ? n : 1) * sizeof(*ids));

	sort_nodes(c);
	for (uint32_t i = 0; i < n; i++)
		ids[i] = i;
	qsort_r(ids, n, sizeof(*ids), cmp_name_ids, &c->names);
	free(c->rank);
	free(c->by_rank);
	c->rank = xzalloc((n ? n : 1) * sizeof(*c->rank));
	for (uint32_t i = 0; i < n; i++)
		c->rank[ids[i]] = i;
	c->by_rank = ids;
}

static size_t
log2_ceil(size_t n)
{
	return n > 1 ? 64 - (size_t)__builtin_clzll(n - 1) : 1;
}

/* Few names: mark each id's rank in a bitset over all names and read it
 * in order, O(k + names/64). */
static void
ids_by_rank_dense(const struct vc_cluster *c, const struct vc_bits *b, uint32_t *out)
{
	size_t words = (c->names.n + 63) / 64, k = 0;
	uint64_t *ranked = xzalloc((words + 1) * sizeof(*ranked));

	for (size_t i = 0; i < b->n; i++) {
		uint32_t r = c->rank[b->ids[i]];

		ranked[r / 64] |= 1ULL << (r % 64);
	}
	for (size_t i = 0; i < words; i++)
		for (uint64_t w = ranked[i]; w; w &= w - 1)
			out[k++] = c->by_rank[i * 64 + (size_t)__builtin_ctzll(w)];
	free(ranked);
}

/* Many names for a short list: sort the list's ranks, O(k log k). */
static void
ids_by_rank_sort(const struct vc_cluster *c, const struct vc_bits *b, uint32_t *out)
{
	for (size_t i = 0; i < b->n; i++)
		out[i] = c->rank[b->ids[i]];
	qsort(out, b->n, sizeof(*out), vc_cmp_u32);
	for (size_t i = 0; i < b->n; i++)
		out[i] = c->by_rank[out[i]];
}

uint32_t *
vc_cluster_sorted_ids(const struct vc_cluster *c, const struct vc_bits *b, size_t *n)
{
	uint32_t *ids = xzalloc((b->n + 1) * sizeof(*ids));

	/* Whichever is cheaper: the bitset costs a word per 64 names, the
	 * sort about log2(k) comparisons per id. */
	if (c->names.n / 64 <= b->n * log2_ceil(b->n))
		ids_by_rank_dense(c, b, ids);
	else
		ids_by_rank_sort(c, b, ids);
	*n = b->n;
	return ids;
}

/* Borrowed strings: the view's lists point into the cluster's names. */
static void
view_list(const struct vc_cluster *c, const struct vc_bits *b, struct vc_strv *l)
{
	size_t n = 0;
	uint32_t *ids = vc_cluster_sorted_ids(c, b, &n);

	l->v = xzalloc((n + 1) * sizeof(*l->v));
	for (size_t i = 0; i < n; i++)
		l->v[i] = (char *)vc_names_str(&c->names, ids[i]);
	l->n = l->cap = n;
	free(ids);
}

void
vc_cluster_view(const struct vc_cluster *c, const struct vc_cnode *cn, struct vc_node *v)
{
	memset(v, 0, sizeof(*v));
	v->name = cn->name;
	v->arch = (char *)vc_names_str(&c->names, cn->arch);
	v->virttype = (char *)vc_names_str(&c->names, cn->virttype);
	v->host_model = (char *)vc_names_str(&c->names, cn->host_model);
	v->vendor = (char *)vc_names_str(&c->names, cn->vendor);
	v->libvirt_version = (char *)vc_names_str(&c->names, cn->libvirt_version);
	v->qemu_version = (char *)vc_names_str(&c->names, cn->qemu_version);
	view_list(c, &cn->sets[VC_SET_MODELS], &v->models);
	view_list(c, &cn->sets[VC_SET_MIGRATION], &v->migration_models);
	view_list(c, &cn->sets[VC_SET_FEATURES], &v->features);
	view_list(c, &cn->sets[VC_SET_REQUIRED], &v->required_features);
	view_list(c, &cn->sets[VC_SET_MACHINES], &v->machine_types);
	view_list(c, &cn->sets[VC_SET_HYPERV], &v->hyperv);
	v->has_tsc = cn->has_tsc;
	v->tsc_frequency = cn->tsc_frequency;
	v->tsc_scalable = cn->tsc_scalable;
	memcpy(v->security, cn->security, sizeof(v->security));
}

void
vc_cluster_view_release(struct vc_node *v)
{
	free(v->models.v);
	free(v->migration_models.v);
	free(v->features.v);
	free(v->required_features.v);
	free(v->machine_types.v);
	free(v->hyperv.v);
	memset(v, 0, sizeof(*v));
}

void
vc_cluster_clear(struct vc_cluster *c)
{
	vc_cluster_truncate(c, 0);
	free(c->nodes);
	free(c->rank);
	free(c->by_rank);
	free(c->clash.name);
	for (int set = 0; set < VC_SET_COUNT; set++) {
		vc_bits_clear(&c->scratch[set]);
		vc_bits_clear(&c->scratch_kubevirt[set]);
	}
	vc_names_clear(&c->names);
	memset(c, 0, sizeof(*c));
}

size_t
vc_quorum_needed(size_t nodes, unsigned percent)
{
	/* ceil(nodes * percent / 100), in integers */
	return (nodes * percent + 99) / 100;
}

/* Group index + 1 of each arch id (0: no group yet); unknown arch last. */
static struct vc_arch_summary *
arch_group(struct vc_summary *s, uint32_t *group_of, uint32_t arch_slot, uint32_t arch)
{
	struct vc_arch_summary *g;

	if (group_of[arch_slot])
		return &s->archs[group_of[arch_slot] - 1];
	s->archs = xrealloc(s->archs, (s->n_archs + 1) * sizeof(*s->archs));
	g = &s->archs[s->n_archs++];
	memset(g, 0, sizeof(*g));
	g->arch = arch;
	group_of[arch_slot] = (uint32_t)s->n_archs;
	return g;
}

/*
 * Count the usable models of the nodes @idx[0..@n): the distinct ids into
 * @models, sorted, and how many nodes have each into *@counts. @tally is
 * a zeroed scratch array over all names, zeroed again on return: only
 * the ids seen are visited, so the cost is the number of labels (plus
 * sorting the distinct ids), never groups x names.
 */
static void
count_models(const struct vc_cluster *c, const uint32_t *idx, size_t n, uint32_t *tally,
	     struct vc_bits *models, uint32_t **counts)
{
	for (size_t i = 0; i < n; i++) {
		const struct vc_bits *m = &c->nodes[idx[i]].sets[VC_SET_MODELS];

		for (size_t k = 0; k < m->n; k++)
			if (tally[m->ids[k]]++ == 0)
				vc_bits_add(models, m->ids[k]);
	}
	vc_bits_finish(models);
	*counts = xzalloc((models->n + 1) * sizeof(**counts));
	for (size_t k = 0; k < models->n; k++) {
		(*counts)[k] = tally[models->ids[k]];
		tally[models->ids[k]] = 0;
	}
}

static void
summarize_group(const struct vc_cluster *c, const uint32_t *idx, uint32_t *tally,
		struct vc_arch_summary *g)
{
	count_models(c, idx, g->nodes, tally, &g->models, &g->counts);
	/* Usable on every node of the group: counted once per node. */
	for (size_t k = 0; k < g->models.n; k++)
		if (g->counts[k] == g->nodes)
			vc_bits_add(&g->global, g->models.ids[k]);
}

/*
 * For model_support: per model (in id order) the probed nodes @idx[0..@n)
 * that have it, in node order, by one counting and one filling pass.
 */
static void
support_lists(const struct vc_cluster *c, const uint32_t *idx, size_t n, uint32_t *tally,
	      struct vc_summary *s)
{
	uint32_t *next = NULL; /* per model: where its next node goes */
	size_t total = 0;

	count_models(c, idx, n, tally, &s->models, &next);
	s->support_off = xzalloc((s->models.n + 1) * sizeof(*s->support_off));
	for (size_t k = 0; k < s->models.n; k++) {
		s->support_off[k] = total;
		total += next[k];
		next[k] = (uint32_t)s->support_off[k];
		tally[s->models.ids[k]] = (uint32_t)k; /* id -> index, for filling */
	}
	s->support_off[s->models.n] = total;
	s->support_nodes = xzalloc((total + 1) * sizeof(*s->support_nodes));
	for (size_t i = 0; i < n; i++) {
		const struct vc_bits *m = &c->nodes[idx[i]].sets[VC_SET_MODELS];

		for (size_t k = 0; k < m->n; k++)
			s->support_nodes[next[tally[m->ids[k]]]++] = idx[i];
	}
	for (size_t k = 0; k < s->models.n; k++)
		tally[s->models.ids[k]] = 0;
	free(next);
}

static int
cmp_groups(const void *a, const void *b, void *data)
{
	const struct vc_cluster *c = data;
	const struct vc_arch_summary *x = a, *y = b;

	/* Unknown arch last. */
	if (x->arch == VC_NO_NAME || y->arch == VC_NO_NAME)
		return (x->arch == VC_NO_NAME) - (y->arch == VC_NO_NAME);
	return strcmp(vc_names_str(&c->names, x->arch), vc_names_str(&c->names, y->arch));
}

/* Each probed node's group index into @group; vendors and counts. */
static void
group_nodes(const struct vc_cluster *c, struct vc_summary *s, uint32_t *group)
{
	uint32_t n = c->names.n;
	uint32_t *group_of = xzalloc(((size_t)n + 1) * sizeof(*group_of));

	for (size_t i = 0; i < c->n; i++) {
		const struct vc_cnode *cn = &c->nodes[i];
		struct vc_arch_summary *g;

		s->kubevirt_unread += cn->kubevirt_unread;
		if (!cn->probed)
			continue;
		s->probed++;
		s->sources[cn->scheme]++;
		s->accel[vc_cluster_accel(c, cn)]++;
		g = arch_group(s, group_of, cn->arch == VC_NO_NAME ? n : cn->arch,
			       cn->arch);
		g->nodes++;
		group[i] = (uint32_t)(g - s->archs);
		if (cn->vendor != VC_NO_NAME)
			vc_bits_add(&s->vendors, cn->vendor);
	}
	vc_bits_finish(&s->vendors);
	free(group_of);
}

/* The probed nodes' indexes, grouped by arch group (a counting sort),
 * each group in node order; @start[g] is where group g begins. */
static uint32_t *
order_by_group(const struct vc_cluster *c, const struct vc_summary *s,
	       const uint32_t *group, size_t *start)
{
	uint32_t *idx = xzalloc((s->probed + 1) * sizeof(*idx));
	size_t *next = xzalloc((s->n_archs + 1) * sizeof(*next));

	for (size_t g = 0; g < s->n_archs; g++)
		start[g + 1] = start[g] + s->archs[g].nodes;
	memcpy(next, start, s->n_archs * sizeof(*next));
	for (size_t i = 0; i < c->n; i++)
		if (c->nodes[i].probed)
			idx[next[group[i]]++] = (uint32_t)i;
	free(next);
	return idx;
}

void
vc_cluster_summarize(const struct vc_cluster *c, struct vc_summary *s)
{
	uint32_t *tally = xzalloc(((size_t)c->names.n + 1) * sizeof(*tally));
	uint32_t *group = xzalloc((c->n + 1) * sizeof(*group));
	size_t *start;
	uint32_t *idx, *all;

	memset(s, 0, sizeof(*s));
	group_nodes(c, s, group);
	start = xzalloc((s->n_archs + 1) * sizeof(*start));
	idx = order_by_group(c, s, group, start);
	for (size_t g = 0; g < s->n_archs; g++)
		summarize_group(c, idx + start[g], tally, &s->archs[g]);
	/* model_support lists nodes in name order, whatever their arch. */
	all = xzalloc((s->probed + 1) * sizeof(*all));
	for (size_t i = 0, k = 0; i < c->n; i++)
		if (c->nodes[i].probed)
			all[k++] = (uint32_t)i;
	support_lists(c, all, s->probed, tally, s);
	if (s->n_archs > 1)
		qsort_r(s->archs, s->n_archs, sizeof(*s->archs), cmp_groups, (void *)c);
	free(all);
	free(idx);
	free(start);
	free(group);
	free(tally);
}

const uint32_t *
vc_summary_model_nodes(const struct vc_summary *s, uint32_t id, size_t *n)
{
	size_t k = vc_bits_index(&s->models, id);

	*n = 0;
	if (k == SIZE_MAX)
		return NULL;
	*n = s->support_off[k + 1] - s->support_off[k];
	return s->support_nodes + s->support_off[k];
}

void
vc_summary_clear(struct vc_summary *s)
{
	for (size_t i = 0; i < s->n_archs; i++) {
		vc_bits_clear(&s->archs[i].global);
		vc_bits_clear(&s->archs[i].models);
		free(s->archs[i].counts);
	}
	free(s->archs);
	vc_bits_clear(&s->vendors);
	vc_bits_clear(&s->models);
	free(s->support_off);
	free(s->support_nodes);
	memset(s, 0, sizeof(*s));
}
