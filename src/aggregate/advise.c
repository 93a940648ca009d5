/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/advise.h"

#include <ctype.h>

#include "virt-caps/log.h"

/* A growable list of borrowed strings (the map's and the cluster's). */
struct refs {
	const char **v;
	size_t n;
	size_t cap;
};

/* What one host model gives up in the pool, and where the last node list
 * built on it went in the pool's gives_up array: nodes of one host model
 * mostly give up the same features, so they share one copy of the list. */
struct host {
	struct refs features;
	size_t at, n;
	bool stored;
};

/* Work space shared by the pools of one computation: per name id, a
 * count and a cached host, reset after each pool through `touched`, so
 * that the cost stays linear in the labels, not pools x names. */
struct work {
	const struct vc_cluster *c;
	const struct vc_cpumap *m;
	const struct vc_cpumap_arch *map; /* the pool's map arch, or NULL */
	struct vc_advise *a;
	uint32_t *tally;
	struct host **host; /* per host-model id */
	struct vc_bits touched;
	struct refs node; /* one node's list while it is built */
	size_t *at;       /* per node of the pool: its list in `all` */
	struct refs all;  /* the pool's node lists, end to end */
};

static const char *
name_or_unknown(const struct vc_cluster *c, uint32_t id)
{
	return id == VC_NO_NAME ? "unknown" : vc_names_str(&c->names, id);
}

/* Pool order by acceleration: kvm, then another or no virttype, then
 * software emulation (qemu). */
static int
accel_order(const struct vc_cluster *c, const struct vc_cnode *cn)
{
	switch (vc_cluster_accel(c, cn)) {
	case VC_ACCEL_KVM:
		return 0;
	case VC_ACCEL_TCG:
		return 2;
	default:
		return 1;
	}
}

/* Virttypes by name, none labelled first. */
static int
cmp_virttype(const struct vc_cluster *c, uint32_t a, uint32_t b)
{
	if (a == b)
		return 0;
	if (a == VC_NO_NAME || b == VC_NO_NAME)
		return a == VC_NO_NAME ? -1 : 1;
	return strcmp(vc_names_str(&c->names, a), vc_names_str(&c->names, b));
}

/* Pool order: acceleration, then arch, vendor, virttype, node name. */
static int
cmp_pool_nodes(const void *x, const void *y, void *data)
{
	const struct vc_cluster *c = data;
	const struct vc_cnode *a = &c->nodes[*(const uint32_t *)x];
	const struct vc_cnode *b = &c->nodes[*(const uint32_t *)y];
	int r = accel_order(c, a) - accel_order(c, b);

	if (!r)
		r = strcmp(name_or_unknown(c, a->arch), name_or_unknown(c, b->arch));
	if (!r)
		r = strcmp(name_or_unknown(c, a->vendor), name_or_unknown(c, b->vendor));
	if (!r)
		r = cmp_virttype(c, a->virttype, b->virttype);
	if (!r)
		r = strcmp(a->name, b->name);
	return r;
}

static bool
same_pool(const struct vc_cluster *c, uint32_t x, uint32_t y)
{
	const struct vc_cnode *a = &c->nodes[x], *b = &c->nodes[y];

	return a->arch == b->arch && a->vendor == b->vendor && a->virttype == b->virttype;
}

static size_t
model_rank(const struct vc_cpumap_arch *map, const char *name)
{
	const struct vc_cpumap_model *m = map ? vc_cpumap_model(map, name) : NULL;

	return m ? m->features.n : VC_ADVISE_UNRANKED;
}

/* Best first: ranked before unranked, more features, then bytewise name. */
static int
cmp_candidates(const void *x, const void *y)
{
	const struct vc_advise_candidate *a = x, *b = y;

	if (a->rank != b->rank) {
		if (a->rank == VC_ADVISE_UNRANKED || b->rank == VC_ADVISE_UNRANKED)
			return a->rank == VC_ADVISE_UNRANKED ? 1 : -1;
		return a->rank > b->rank ? -1 : 1;
	}
	return strcmp(a->model, b->model);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Membership in @n strings sorted bytewise without repeats. */
static bool
sorted_has(const char *const *v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof(*v), cmp_str);
}

static void
refs_push(struct refs *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

/* The order of vc_strv_sort_uniq(), which the output had with copies. */
static void
refs_sort_uniq(struct refs *l)
{
	size_t out = 0;

	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++)
		if (!out || strcmp(l->v[out - 1], l->v[i]) != 0)
			l->v[out++] = l->v[i];
	l->n = out;
}

static void
rank_candidates(struct work *w, struct vc_advise_pool *p, const struct vc_bits *common)
{
	p->candidates = xzalloc((common->n + 1) * sizeof(*p->candidates));
	for (size_t i = 0; i < common->n; i++) {
		const char *name = vc_names_str(&w->c->names, common->ids[i]);
		struct vc_advise_candidate *cand = &p->candidates[p->n_candidates++];

		cand->model = xstrdup(name);
		cand->rank = model_rank(w->map, name);
		if (cand->rank == VC_ADVISE_UNRANKED && w->map)
			vc_strv_push_owned(
				&w->a->warnings,
				xasprintf("the CPU map does not know model %s (%s): "
					  "it is listed unranked",
					  name, p->arch));
	}
	qsort(p->candidates, p->n_candidates, sizeof(*p->candidates), cmp_candidates);
}

/* The set @which that every node of the pool has. */
static void
pool_common(const struct vc_cluster *c, const uint32_t *idx, size_t n, enum vc_set which,
	    struct vc_bits *out)
{
	vc_bits_copy(out, &c->nodes[idx[0]].sets[which]);
	for (size_t i = 1; i < n && out->n; i++)
		vc_bits_and(out, &c->nodes[idx[i]].sets[which]);
}

static void
new_pool(struct work *w, const uint32_t *idx, size_t n, struct vc_advise_pool *p)
{
	const struct vc_cnode *first = &w->c->nodes[idx[0]];

	p->arch = xstrdup(name_or_unknown(w->c, first->arch));
	p->vendor = xstrdup(name_or_unknown(w->c, first->vendor));
	p->virttype = first->virttype == VC_NO_NAME
			      ? NULL
			      : xstrdup(vc_names_str(&w->c->names, first->virttype));
	p->nodes = xzalloc(n * sizeof(*p->nodes));
	p->n_nodes = n;
	for (size_t i = 0; i < n; i++)
		p->nodes[i].name = w->c->nodes[idx[i]].name;
}

/* ---- no common model ----------------------------------------------------- */

/*
 * For every model usable on some node of the pool, the nodes lacking it
 * are exactly the nodes to remove to get it; the model lacked by the
 * fewest nodes (ties: higher rank, then name) gives the smallest removal
 * set over single models. One tally pass, linear in the pool's labels.
 */
static bool
better_gap(struct work *w, uint32_t id, uint32_t best, uint32_t n_id, uint32_t n_best)
{
	const char *a = vc_names_str(&w->c->names, id);
	const char *b;
	struct vc_advise_candidate x, y;

	if (best == VC_NO_NAME || n_id != n_best)
		return best == VC_NO_NAME || n_id > n_best;
	b = vc_names_str(&w->c->names, best);
	x = (struct vc_advise_candidate){(char *)a, model_rank(w->map, a)};
	y = (struct vc_advise_candidate){(char *)b, model_rank(w->map, b)};
	return cmp_candidates(&x, &y) < 0;
}

static void
find_gap(struct work *w, const uint32_t *idx, size_t n, struct vc_advise_pool *p)
{
	uint32_t best = VC_NO_NAME;
	size_t lacking;

	w->touched.n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct vc_bits *m = &w->c->nodes[idx[i]].sets[VC_SET_MODELS];

		for (size_t k = 0; k < m->n; k++)
			if (w->tally[m->ids[k]]++ == 0)
				vc_bits_add(&w->touched, m->ids[k]);
	}
	for (size_t k = 0; k < w->touched.n; k++) {
		uint32_t id = w->touched.ids[k];

		if (better_gap(w, id, best, w->tally[id],
			       best == VC_NO_NAME ? 0 : w->tally[best]))
			best = id;
	}
	lacking = best == VC_NO_NAME ? 0 : n - w->tally[best];
	for (size_t k = 0; k < w->touched.n; k++)
		w->tally[w->touched.ids[k]] = 0;
	if (best == VC_NO_NAME)
		return;
	p->no_common_model = xstrdup(vc_names_str(&w->c->names, best));
	p->no_common = xzalloc((lacking + 1) * sizeof(*p->no_common));
	for (size_t i = 0; i < n; i++)
		if (!vc_bits_test(&w->c->nodes[idx[i]].sets[VC_SET_MODELS], best))
			p->no_common[p->n_no_common++] = w->c->nodes[idx[i]].name;
}

/* ---- recommendation ----------------------------------------------------- */

static void
extra_features(struct work *w, const uint32_t *idx, size_t n, struct vc_advise_pool *p,
	       const struct vc_strv *model_features)
{
	struct vc_bits common = {0};

	pool_common(w->c, idx, n, VC_SET_FEATURES, &common);
	for (size_t k = 0; k < common.n; k++) {
		const char *f = vc_names_str(&w->c->names, common.ids[k]);

		/* Features that block migration would pin VMs to their node. */
		if (sorted_has((const char *const *)model_features->v, model_features->n,
			       f) ||
		    (w->map && !vc_cpumap_migratable(w->map, f)))
			continue;
		vc_strv_push(&p->extra_features, f);
	}
	vc_strv_sort_uniq(&p->extra_features);
	vc_bits_clear(&common);
}

/* What host model @id's own features give up against @covered, cached. */
static struct host *
host_gives_up(struct work *w, uint32_t id, const struct refs *covered,
	      struct vc_advise_pool *p)
{
	const char *name = vc_names_str(&w->c->names, id);
	const struct vc_cpumap_model *m;
	struct host *h = w->host[id];

	if (h)
		return h;
	h = w->host[id] = xzalloc(sizeof(*h));
	vc_bits_add(&w->touched, id);
	m = w->map ? vc_cpumap_model(w->map, name) : NULL;
	if (!m && w->map)
		vc_strv_push_owned(
			&w->a->warnings,
			xasprintf("the CPU map does not know host model %s (%s): only "
				  "its required features are counted as given up",
				  name, p->arch));
	for (size_t k = 0; m && k < m->features.n; k++)
		if (!sorted_has(covered->v, covered->n, m->features.v[k]))
			refs_push(&h->features, m->features.v[k]);
	return h;
}

/* Store w->node in the pool's list of lists, once per host model when the
 * nodes built on it give up the same (the usual case). */
static size_t
store_node_list(struct work *w, struct host *h)
{
	const struct refs *l = &w->node;
	size_t at = w->all.n;

	/* Two empty lists are equal; memcmp() may not see their NULL arrays. */
	if (h && h->stored && h->n == l->n &&
	    (l->n == 0 || !memcmp(&w->all.v[h->at], l->v, l->n * sizeof(*l->v))))
		return h->at;
	for (size_t k = 0; k < l->n; k++)
		refs_push(&w->all, l->v[k]);
	if (h)
		*h = (struct host){h->features, at, l->n, true};
	return at;
}

static void
node_gives_up(struct work *w, const struct vc_cnode *cn, const struct refs *covered,
	      struct vc_advise_pool *p, size_t i)
{
	const struct vc_bits *req = &cn->sets[VC_SET_REQUIRED];
	struct host *h = NULL;

	w->node.n = 0;
	if (cn->host_model != VC_NO_NAME) {
		h = host_gives_up(w, cn->host_model, covered, p);
		for (size_t k = 0; k < h->features.n; k++)
			refs_push(&w->node, h->features.v[k]);
	}
	for (size_t k = 0; k < req->n; k++) {
		const char *f = vc_names_str(&w->c->names, req->ids[k]);

		if (!sorted_has(covered->v, covered->n, f))
			refs_push(&w->node, f);
	}
	refs_sort_uniq(&w->node);
	w->at[i] = store_node_list(w, h);
	p->nodes[i].n_gives_up = w->node.n;
	p->given_up += w->node.n;
}

static void
reset_host_cache(struct work *w)
{
	for (size_t k = 0; k < w->touched.n; k++) {
		struct host **h = &w->host[w->touched.ids[k]];

		free((*h)->features.v);
		free(*h);
		*h = NULL;
	}
	w->touched.n = 0;
}

/* Hand the lists to the pool at their final size, then point nodes in. */
static void
keep_node_lists(struct work *w, struct vc_advise_pool *p)
{
	p->n_gives_up = w->all.n;
	p->gives_up = xrealloc(w->all.v, (w->all.n + 1) * sizeof(*p->gives_up));
	w->all = (struct refs){0};
	for (size_t i = 0; i < p->n_nodes; i++)
		p->nodes[i].gives_up = p->gives_up + w->at[i];
}

static void
recommend(struct work *w, const uint32_t *idx, size_t n, struct vc_advise_pool *p)
{
	const struct vc_cpumap_model *m =
		w->map ? vc_cpumap_model(w->map, p->candidates[0].model) : NULL;
	static const struct vc_strv none;
	struct refs covered = {0};

	p->model = xstrdup(p->candidates[0].model);
	extra_features(w, idx, n, p, m ? &m->features : &none);
	for (size_t k = 0; m && k < m->features.n; k++)
		refs_push(&covered, m->features.v[k]);
	for (size_t k = 0; k < p->extra_features.n; k++)
		refs_push(&covered, p->extra_features.v[k]);
	refs_sort_uniq(&covered);
	w->touched.n = 0;
	for (size_t i = 0; i < n; i++)
		node_gives_up(w, &w->c->nodes[idx[i]], &covered, p, i);
	keep_node_lists(w, p);
	reset_host_cache(w);
	free(covered.v);
}

static void
advise_pool(struct work *w, const uint32_t *idx, size_t n, struct vc_advise_pool *p)
{
	struct vc_bits common = {0};

	new_pool(w, idx, n, p);
	w->map = NULL;
	if (w->m && !(w->map = vc_cpumap_arch(w->m, p->arch)))
		vc_strv_push_owned(&w->a->warnings,
				   xasprintf("the CPU map has no models for arch %s: its "
					     "models are unranked",
					     p->arch));
	pool_common(w->c, idx, n, VC_SET_MODELS, &common);
	rank_candidates(w, p, &common);
	vc_bits_clear(&common);
	if (p->n_candidates)
		recommend(w, idx, n, p);
	else
		find_gap(w, idx, n, p);
}

static void
copy_map_info(const struct vc_cpumap *m, struct vc_advise *a)
{
	a->map_dir = xstrdup(m->dir ? m->dir : VC_CPUMAP_DEFAULT_DIR);
	a->map_version = xstrdup(m->libvirt_version);
	a->map_version_from = xstrdup(m->version_from);
}

void
vc_advise_compute(const struct vc_cluster *c, const struct vc_summary *s,
		  const struct vc_cpumap *m, struct vc_advise *a)
{
	struct work w = {.c = c, .m = m, .a = a};
	uint32_t *idx = xzalloc((s->probed + 1) * sizeof(*idx));
	size_t n = 0;

	memset(a, 0, sizeof(*a));
	copy_map_info(m, a);
	for (size_t i = 0; i < c->n; i++)
		if (c->nodes[i].probed)
			idx[n++] = (uint32_t)i;
	qsort_r(idx, n, sizeof(*idx), cmp_pool_nodes, (void *)c);
	w.tally = xzalloc(((size_t)c->names.n + 1) * sizeof(*w.tally));
	w.host = xzalloc(((size_t)c->names.n + 1) * sizeof(*w.host));
	w.at = xzalloc((n + 1) * sizeof(*w.at));
	for (size_t start = 0, end; start < n; start = end) {
		for (end = start + 1; end < n && same_pool(c, idx[start], idx[end]);
		     end++)
			;
		a->pools = xrealloc(a->pools, (a->n_pools + 1) * sizeof(*a->pools));
		memset(&a->pools[a->n_pools], 0, sizeof(*a->pools));
		advise_pool(&w, idx + start, end - start, &a->pools[a->n_pools++]);
	}
	vc_strv_sort_uniq(&a->warnings);
	vc_bits_clear(&w.touched);
	free(w.node.v);
	free(w.at);
	free(w.host);
	free(w.tally);
	free(idx);
}

bool
vc_advise_has_gap(const struct vc_advise *a)
{
	for (size_t i = 0; i < a->n_pools; i++)
		if (!a->pools[i].model)
			return true;
	return false;
}

/* A pool's virttype read as the report reads a node's (vc_cluster_accel). */
static enum vc_accel
pool_accel(const struct vc_advise_pool *p)
{
	if (streq(p->virttype, "kvm"))
		return VC_ACCEL_KVM;
	return streq(p->virttype, "qemu") ? VC_ACCEL_TCG : VC_ACCEL_UNKNOWN;
}

bool
vc_advise_pool_emulated(const struct vc_advise_pool *p)
{
	return pool_accel(p) == VC_ACCEL_TCG;
}

bool
vc_advise_pool_ranked(const struct vc_advise_pool *p)
{
	return p->model && p->n_candidates && p->candidates[0].rank != VC_ADVISE_UNRANKED;
}

void
vc_advise_write_emulated(struct vc_out *o, const struct vc_advise_pool *p)
{
	vc_out_key(o, "emulated");
	if (pool_accel(p) == VC_ACCEL_UNKNOWN)
		vc_out_null(o);
	else
		vc_out_bool(o, pool_accel(p) == VC_ACCEL_TCG);
}

bool
vc_advise_cluster_wide(const struct vc_advise *a)
{
	size_t accelerated = 0;

	for (size_t i = 0; i < a->n_pools; i++)
		accelerated += !vc_advise_pool_emulated(&a->pools[i]);
	return accelerated == 1;
}

const struct vc_advise_pool *
vc_advise_find_pool(const struct vc_advise *b, const struct vc_advise_pool *a)
{
	for (size_t i = 0; i < b->n_pools; i++) {
		const struct vc_advise_pool *p = &b->pools[i];

		if (streq(p->arch, a->arch) && streq(p->vendor, a->vendor) &&
		    (p->virttype == a->virttype || streq(p->virttype, a->virttype)))
			return p;
	}
	return NULL;
}

char *
vc_advise_pool_title(const struct vc_advise_pool *p)
{
	if (vc_advise_pool_emulated(p))
		return xasprintf("%s %s emulated (virttype qemu)", p->arch, p->vendor);
	if (pool_accel(p) == VC_ACCEL_KVM)
		return xasprintf("%s %s kvm", p->arch, p->vendor);
	return xasprintf("%s %s virttype %s", p->arch, p->vendor,
			 p->virttype ? p->virttype : "unknown");
}

/* ---- snippets ---------------------------------------------------------------- */

/*
 * Names come from labels, which are validated where they are read; the
 * snippets are pasted into a shell and into YAML all the same, so they
 * quote whatever they are given (defense in depth).
 */
static void
json_string(struct vc_buf *b, const char *s)
{
	vc_buf_printf(b, "\"");
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			vc_buf_printf(b, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			vc_buf_printf(b, "\\u%04x", *c);
		else
			vc_buf_printf(b, "%c", *c);
	}
	vc_buf_printf(b, "\"");
}

/* A YAML scalar: plain when it is a plain label-syntax word YAML reads
 * back as that string, else a JSON string (valid YAML double quoting). */
static void
yaml_string(struct vc_buf *b, const char *s)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789._-";

	if (isalnum((unsigned char)*s) && !s[strspn(s, word)] && !vc_yaml_needs_quotes(s))
		vc_buf_printf(b, "%s", s);
	else
		json_string(b, s);
}

/* @text as one single-quoted shell word: ' becomes '\'' */
static void
shell_word(struct vc_buf *b, const char *text)
{
	vc_buf_printf(b, "'");
	for (const char *c = text; *c; c++)
		vc_buf_printf(b, *c == '\'' ? "'\\''" : "%c", *c);
	vc_buf_printf(b, "'");
}

static void
snippet_patch(struct vc_buf *b, const char *model)
{
	struct vc_buf json = {0};
	_autofree_ char *text = NULL;

	vc_buf_printf(&json, "{\"spec\":{\"configuration\":{\"cpuModel\":");
	json_string(&json, model);
	vc_buf_printf(&json, "}}}");
	text = vc_buf_steal(&json, NULL);
	vc_buf_printf(b, "kubectl patch kubevirt kubevirt -n kubevirt --type merge -p ");
	shell_word(b, text);
	vc_buf_printf(b, "\n");
}

static void
snippet_features(struct vc_buf *b, const struct vc_strv *f, const char *indent)
{
	if (!f->n)
		return;
	vc_buf_printf(b, "%sfeatures:\n", indent);
	for (size_t i = 0; i < f->n; i++) {
		vc_buf_printf(b, "%s- {name: ", indent);
		yaml_string(b, f->v[i]);
		vc_buf_printf(b, ", policy: require}\n");
	}
}

char *
vc_advise_snippet(const struct vc_advise_pool *p, bool cluster_wide)
{
	struct vc_buf b = {0};

	if (!vc_advise_pool_ranked(p))
		return NULL;
	if (cluster_wide) {
		snippet_patch(&b, p->model);
		if (!p->extra_features.n)
			return vc_buf_steal(&b, NULL);
		vc_buf_printf(
			&b,
			"# and in each VirtualMachineInstance spec (a VirtualMachine: "
			"spec.template.spec):\n");
	} else {
		vc_buf_printf(&b,
			      "# in each VirtualMachineInstance spec (a VirtualMachine: "
			      "spec.template.spec):\n");
	}
	vc_buf_printf(&b, "spec:\n  domain:\n    cpu:\n");
	if (!cluster_wide) {
		vc_buf_printf(&b, "      model: ");
		yaml_string(&b, p->model);
		vc_buf_printf(&b, "\n");
	}
	snippet_features(&b, &p->extra_features, "      ");
	return vc_buf_steal(&b, NULL);
}

/* ---- YAML and JSON ----------------------------------------------------------- */

static void
write_names(struct vc_out *o, const char *key, const char *const *v, size_t n)
{
	vc_out_key(o, key);
	vc_out_list_begin(o);
	for (size_t i = 0; i < n; i++)
		vc_out_str(o, v[i]);
	vc_out_list_end(o);
}

static void
write_candidates(struct vc_out *o, const struct vc_advise_pool *p)
{
	vc_out_key(o, "candidates");
	vc_out_list_begin(o);
	for (size_t i = 0; i < p->n_candidates; i++) {
		vc_out_map_begin(o);
		vc_out_key(o, "model");
		vc_out_str(o, p->candidates[i].model);
		vc_out_key(o, "rank");
		if (p->candidates[i].rank == VC_ADVISE_UNRANKED)
			vc_out_null(o);
		else
			vc_out_uint(o, p->candidates[i].rank);
		vc_out_map_end(o);
	}
	vc_out_list_end(o);
}

static void
write_recommendation(struct vc_out *o, const struct vc_advise_pool *p)
{
	vc_out_key(o, "recommendation");
	if (!p->model) {
		vc_out_null(o);
		return;
	}
	vc_out_map_begin(o);
	vc_out_key(o, "cost");
	vc_out_map_begin(o);
	vc_out_key(o, "features");
	vc_out_uint(o, p->given_up);
	vc_out_key(o, "nodes");
	vc_out_uint(o, p->n_nodes);
	vc_out_map_end(o);
	vc_out_strv(o, "extra_features", &p->extra_features);
	vc_out_key(o, "gives_up");
	vc_out_map_begin(o);
	for (size_t i = 0; i < p->n_nodes; i++)
		write_names(o, p->nodes[i].name, p->nodes[i].gives_up,
			    p->nodes[i].n_gives_up);
	vc_out_map_end(o);
	vc_out_key(o, "model");
	vc_out_str(o, p->model);
	vc_out_key(o, "ranked");
	vc_out_bool(o, vc_advise_pool_ranked(p));
	vc_out_map_end(o);
}

static void
write_no_common(struct vc_out *o, const struct vc_advise_pool *p)
{
	vc_out_key(o, "no_common");
	if (p->model) {
		vc_out_null(o);
		return;
	}
	vc_out_map_begin(o);
	vc_out_key(o, "model");
	vc_out_str(o, p->no_common_model);
	write_names(o, "remove", p->no_common, p->n_no_common);
	vc_out_map_end(o);
}

static void
write_pool(struct vc_out *o, const struct vc_advise_pool *p, bool cluster_wide)
{
	_autofree_ char *patch =
		vc_advise_snippet(p, cluster_wide && !vc_advise_pool_emulated(p));

	vc_out_map_begin(o);
	vc_out_key(o, "arch");
	vc_out_str(o, p->arch);
	write_candidates(o, p);
	vc_advise_write_emulated(o, p);
	write_no_common(o, p);
	vc_out_key(o, "nodes");
	vc_out_list_begin(o);
	for (size_t i = 0; i < p->n_nodes; i++)
		vc_out_str(o, p->nodes[i].name);
	vc_out_list_end(o);
	vc_out_key(o, "patch");
	vc_out_str(o, patch);
	write_recommendation(o, p);
	vc_out_key(o, "vendor");
	vc_out_str(o, p->vendor);
	vc_out_key(o, "virttype");
	vc_out_str(o, p->virttype);
	vc_out_map_end(o);
}

void
vc_advise_write(struct vc_out *o, const struct vc_advise *a)
{
	bool wide = vc_advise_cluster_wide(a);

	vc_out_map_begin(o);
	vc_out_key(o, "cpu_map");
	vc_out_map_begin(o);
	vc_out_key(o, "dir");
	vc_out_str(o, a->map_dir);
	vc_out_key(o, "libvirt_version");
	vc_out_str(o, a->map_version);
	vc_out_key(o, "version_from");
	vc_out_str(o, a->map_version_from);
	vc_out_map_end(o);
	vc_out_key(o, "pools");
	vc_out_list_begin(o);
	for (size_t i = 0; i < a->n_pools; i++)
		write_pool(o, &a->pools[i], wide);
	vc_out_list_end(o);
	vc_out_strv(o, "warnings", &a->warnings);
	vc_out_map_end(o);
}

/* ---- text ------------------------------------------------------------------ */

/* Long lists (10,000 nodes) are cut in text; YAML and JSON have them all. */
#define TEXT_MAX_ITEMS 10

static void
text_more(struct vc_buf *b, size_t n)
{
	if (n > TEXT_MAX_ITEMS)
		vc_buf_printf(b, " and %zu more", n - TEXT_MAX_ITEMS);
}

static void
text_names(struct vc_buf *b, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n && i < TEXT_MAX_ITEMS; i++)
		vc_buf_printf(b, "%s%s", i ? ", " : "", v[i]);
	text_more(b, n);
}

static void
text_node_names(struct vc_buf *b, const struct vc_advise_pool *p)
{
	for (size_t i = 0; i < p->n_nodes && i < TEXT_MAX_ITEMS; i++)
		vc_buf_printf(b, "%s%s", i ? ", " : "", p->nodes[i].name);
	text_more(b, p->n_nodes);
}

static void
text_candidates(struct vc_buf *b, const struct vc_advise_pool *p)
{
	vc_buf_printf(b, "  candidates (%zu, best first):", p->n_candidates);
	for (size_t i = 0; i < p->n_candidates; i++) {
		const struct vc_advise_candidate *c = &p->candidates[i];

		if (c->rank == VC_ADVISE_UNRANKED)
			vc_buf_printf(b, "%s %s (unranked)", i ? "," : "", c->model);
		else
			vc_buf_printf(b, "%s %s (%zu)", i ? "," : "", c->model, c->rank);
	}
	vc_buf_printf(b, "%s\n", p->n_candidates ? "" : " none");
}

static void
text_cost(struct vc_buf *b, const struct vc_advise_pool *p)
{
	vc_buf_printf(b,
		      "  cost: %zu node%s give%s up %zu host-model feature%s in total (",
		      p->n_nodes, vc_plural(p->n_nodes), p->n_nodes == 1 ? "s" : "",
		      p->given_up, vc_plural(p->given_up));
	for (size_t i = 0; i < p->n_nodes && i < TEXT_MAX_ITEMS; i++)
		vc_buf_printf(b, "%s%s %zu", i ? ", " : "", p->nodes[i].name,
			      p->nodes[i].n_gives_up);
	if (p->n_nodes > TEXT_MAX_ITEMS)
		vc_buf_printf(b, " and %zu more nodes", p->n_nodes - TEXT_MAX_ITEMS);
	vc_buf_printf(b, ")\n");
}

static void
text_gives_up(struct vc_buf *b, const struct vc_advise_pool *p)
{
	for (size_t i = 0; i < p->n_nodes && i < TEXT_MAX_ITEMS; i++) {
		const struct vc_advise_node *nd = &p->nodes[i];

		if (!nd->n_gives_up)
			continue;
		vc_buf_printf(b, "    %s gives up:", nd->name);
		for (size_t k = 0; k < nd->n_gives_up; k++)
			vc_buf_printf(b, " %s", nd->gives_up[k]);
		vc_buf_printf(b, "\n");
	}
}

/* The snippet, or why there is none; and what a cluster-wide patch for a
 * pool that may not be KVM means. */
static void
text_snippet(struct vc_buf *b, const struct vc_advise_pool *p, bool wide)
{
	bool patch = wide && !vc_advise_pool_emulated(p);
	_autofree_ char *snippet = vc_advise_snippet(p, patch);

	if (!snippet) {
		vc_buf_printf(b, "  snippet: none (the model is not ranked)\n");
		return;
	}
	if (patch && pool_accel(p) != VC_ACCEL_KVM)
		vc_buf_printf(
			b,
			"  note: the acceleration of this pool is not known (virttype "
			"%s): the patch assumes it is the cluster's KVM pool\n",
			p->virttype ? p->virttype : "not labelled");
	vc_buf_printf(b, "  snippet:\n");
	for (char *line = snippet, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		vc_buf_printf(b, "    %.*s\n", (int)(nl - line), line);
	}
}

static void
text_recommendation(struct vc_buf *b, const struct vc_advise_pool *p, bool wide)
{
	vc_buf_printf(b, "  recommended: %s\n", p->model);
	if (!vc_advise_pool_ranked(p))
		vc_buf_printf(b,
			      "  cannot rank: the CPU map knows none of the candidates; "
			      "the first by name is shown, choose yourself\n");
	vc_buf_printf(b, "  extra features (%zu):", p->extra_features.n);
	for (size_t i = 0; i < p->extra_features.n; i++)
		vc_buf_printf(b, " %s", p->extra_features.v[i]);
	vc_buf_printf(b, "%s\n", p->extra_features.n ? "" : " none");
	text_cost(b, p);
	text_gives_up(b, p);
	text_snippet(b, p, wide);
}

static void
text_gap(struct vc_buf *b, const struct vc_advise_pool *p)
{
	if (!p->no_common_model) {
		vc_buf_printf(b, "  no model is usable on any node of this pool\n");
		return;
	}
	vc_buf_printf(b, "  no model is usable on every node: remove ");
	text_names(b, p->no_common, p->n_no_common);
	vc_buf_printf(b, " (%zu node%s) to get %s\n", p->n_no_common,
		      vc_plural(p->n_no_common), p->no_common_model);
}

static void
text_pool(struct vc_buf *b, const struct vc_advise_pool *p, bool wide)
{
	_autofree_ char *title = vc_advise_pool_title(p);

	vc_buf_printf(b, "\npool %s: %zu node%s (", title, p->n_nodes,
		      vc_plural(p->n_nodes));
	text_node_names(b, p);
	vc_buf_printf(b, ")\n");
	text_candidates(b, p);
	if (p->model)
		text_recommendation(b, p, wide);
	else
		text_gap(b, p);
}

char *
vc_advise_text(const struct vc_advise *a)
{
	struct vc_buf b = {0};
	bool wide = vc_advise_cluster_wide(a);
	_autofree_ char *map = vc_cpumap_describe(
		&(struct vc_cpumap){.dir = a->map_dir,
				    .libvirt_version = a->map_version,
				    .version_from = a->map_version_from});

	vc_buf_printf(&b, "%s\n", map);
	for (size_t i = 0; i < a->n_pools; i++)
		text_pool(&b, &a->pools[i], wide);
	if (!wide && a->n_pools)
		vc_buf_printf(
			&b,
			"\nThe cluster-wide cpuModel (spec.configuration.cpuModel) "
			"serves only one pool that is not emulated: set the model per VM "
			"as shown.\n");
	for (size_t i = 0; i < a->warnings.n; i++)
		vc_buf_printf(&b, "%swarning: %s\n", i ? "" : "\n", a->warnings.v[i]);
	return vc_buf_steal(&b, NULL);
}

static void
pool_drop_nodes(struct vc_advise_pool *p)
{
	free(p->nodes);
	p->nodes = NULL;
	free(p->gives_up);
	p->gives_up = NULL;
	p->n_gives_up = 0;
	free(p->no_common);
	p->no_common = NULL;
	p->n_no_common = 0;
}

void
vc_advise_drop_nodes(struct vc_advise *a)
{
	for (size_t i = 0; i < a->n_pools; i++)
		pool_drop_nodes(&a->pools[i]);
}

static void
pool_clear(struct vc_advise_pool *p)
{
	free(p->arch);
	free(p->vendor);
	free(p->virttype);
	pool_drop_nodes(p);
	for (size_t i = 0; i < p->n_candidates; i++)
		free(p->candidates[i].model);
	free(p->candidates);
	free(p->model);
	vc_strv_clear(&p->extra_features);
	free(p->no_common_model);
}

void
vc_advise_clear(struct vc_advise *a)
{
	for (size_t i = 0; i < a->n_pools; i++)
		pool_clear(&a->pools[i]);
	free(a->pools);
	free(a->map_dir);
	free(a->map_version);
	free(a->map_version_from);
	vc_strv_clear(&a->warnings);
	memset(a, 0, sizeof(*a));
}
