/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/whatif.h"

#include <errno.h>

#include "virt-caps/labels.h"
#include "virt-caps/log.h"
#include "virt-caps/nodelist.h"
#include "virt-caps/tree.h"

/* A node report is a few KiB; this leaves room for any real one. */
#define NODE_REPORT_MAX (4 * 1024 * 1024)

static int
missing(const char *path, const char *key)
{
	vc_err("%s: not a caps-probe node report: no '%s' key", vc_input_name(path), key);
	return -EINVAL;
}

/* A string as caps-probe writes it: JSON strings, YAML scalars that are
 * quoted or read as strings; not numbers, booleans or nulls. */
static bool
is_string(const struct vc_tree *v)
{
	return v->type == VC_T_SCALAR && (v->quoted || !vc_yaml_needs_quotes(v->text));
}

/*
 * @datum of field @key must make the label caps-probe would give it: a
 * report that does not is refused, not used with labels dropped (the
 * answer would be about another node). Names are not secrets: quoted,
 * cut at 40 characters (the error line escapes controls).
 */
static int
check_datum(const char *path, const char *key, enum vc_label_kind kind, const char *datum)
{
	bool host = kind == VC_L_HOST_MODEL || kind == VC_L_VENDOR ||
		    kind == VC_L_HOST_FEATURE;
	struct vc_label_spelling sp = vc_label_spelling(kind, VC_SCHEME_NFD);
	_autofree_ char *name = xasprintf("%s%s", sp.text, datum);
	const char *why = "it is empty";
	bool ok = false;

	if (sp.form == VC_FORM_NAMED)
		ok = vc_label_name_valid(name, &why);
	else if (*datum)
		ok = vc_label_value_valid(datum, &why);
	if (ok)
		return 0;
	vc_err("%s: %s%s '%.40s%s' cannot be a label: %s", vc_input_name(path),
	       host ? "host_cpu_model." : "", key, datum, strlen(datum) > 40 ? "..." : "",
	       why);
	return -EINVAL;
}

static int
read_list(const struct vc_tree *t, const char *key, enum vc_label_kind kind,
	  bool required, struct vc_strv *out, const char *path)
{
	const struct vc_tree *v = vc_tree_get(t, key);

	if (!v)
		return required ? missing(path, key) : 0;
	if (v->type == VC_T_NULL)
		return 0;
	for (size_t i = 0; v->type == VC_T_LIST && i < v->n; i++) {
		if (!is_string(v->items[i]))
			break;
		if (check_datum(path, key, kind, v->items[i]->text) < 0)
			return -EINVAL;
		vc_strv_push(out, v->items[i]->text);
	}
	if (v->type != VC_T_LIST || out->n != v->n) {
		vc_err("%s: '%s' is not a list of strings", vc_input_name(path), key);
		return -EINVAL;
	}
	return 0;
}

/* A string field; @required: present and not null. */
static int
read_string(const struct vc_tree *t, const char *key, enum vc_label_kind kind,
	    bool required, char **out, const char *path)
{
	const struct vc_tree *v = vc_tree_get(t, key);

	if (!v)
		return required ? missing(path, key) : 0;
	if (v->type == VC_T_NULL && required) {
		vc_err("%s: not a caps-probe node report: '%s' is null",
		       vc_input_name(path), key);
		return -EINVAL;
	}
	if (v->type == VC_T_NULL)
		return 0;
	if (!is_string(v)) {
		vc_err("%s: '%s' is not a string", vc_input_name(path), key);
		return -EINVAL;
	}
	if (check_datum(path, key, kind, v->text) < 0)
		return -EINVAL;
	*out = xstrdup(v->text);
	return 0;
}

static int
read_host(const struct vc_tree *t, struct vc_node *n, const char *path)
{
	const struct vc_tree *h = vc_tree_get(t, "host_cpu_model");

	if (!h || h->type != VC_T_MAP)
		return missing(path, "host_cpu_model");
	if (read_string(h, "name", VC_L_HOST_MODEL, false, &n->host_model, path) < 0 ||
	    read_string(h, "vendor", VC_L_VENDOR, false, &n->vendor, path) < 0)
		return -EINVAL;
	return read_list(h, "required_features", VC_L_HOST_FEATURE, false,
			 &n->required_features, path);
}

/* The name the API server would accept, as for listed nodes (nodeitems.c). */
static int
read_node_name(const struct vc_tree *t, struct vc_node *n, const char *path)
{
	const struct vc_tree *v = vc_tree_get(t, "node_name");
	const char *why;

	if (!v)
		return missing(path, "node_name");
	if (!is_string(v)) {
		vc_err("%s: 'node_name' is not a string", vc_input_name(path));
		return -EINVAL;
	}
	if (!vc_dns_subdomain_valid(v->text, &why)) {
		vc_err("%s: node_name '%.40s%s' is not a valid Kubernetes node name "
		       "(at most %d lower-case letters, digits, '-' and '.', each "
		       "dot-separated part starting and ending with a letter or digit)",
		       vc_input_name(path), v->text, strlen(v->text) > 40 ? "..." : "",
		       VC_NODE_NAME_MAX);
		return -EINVAL;
	}
	n->name = xstrdup(v->text);
	return 0;
}

static void
read_extras(const struct vc_tree *t, struct vc_node *n)
{
	const struct vc_tree *tsc = vc_tree_get(t, "tsc");
	const struct vc_tree *sec = vc_tree_get(t, "security");

	if (tsc && tsc->type == VC_T_MAP) {
		const char *f = vc_tree_str(tsc, "frequency");
		unsigned long long v;

		if (f && vc_parse_uint(f, ULLONG_MAX, &v) == 0) {
			n->has_tsc = true;
			n->tsc_frequency = v;
		}
		n->tsc_scalable = streq(vc_tree_str(tsc, "scalable"), "true");
	}
	for (int s = 0; s < VC_SEC_COUNT; s++)
		n->security[s] = streq(vc_tree_str(sec, vc_security_name(s)), "true");
}

static int
read_lists(const struct vc_tree *t, struct vc_node *n, const char *path)
{
	if (read_list(t, "supported_models", VC_L_MODEL, true, &n->models, path) < 0 ||
	    read_list(t, "supported_features", VC_L_FEATURE, true, &n->features, path) <
		    0 ||
	    read_list(t, "migration_models", VC_L_MIGRATION_MODEL, false,
		      &n->migration_models, path) < 0 ||
	    read_list(t, "machine_types", VC_L_MACHINE_TYPE, false, &n->machine_types,
		      path) < 0 ||
	    read_list(t, "hyperv", VC_L_HYPERV, false, &n->hyperv, path) < 0)
		return -EINVAL;
	return 0;
}

static int
node_from_tree(const struct vc_tree *t, struct vc_node *n, const char *path)
{
	if (!t)
		return -EINVAL;
	if (t->type != VC_T_MAP) {
		vc_err("%s: not a caps-probe node report: not a map",
		       vc_input_name(path));
		return -EINVAL;
	}
	if (read_node_name(t, n, path) < 0 ||
	    read_string(t, "arch", VC_L_ARCH, true, &n->arch, path) < 0 ||
	    read_string(t, "virttype", VC_L_VIRTTYPE, true, &n->virttype, path) < 0 ||
	    read_host(t, n, path) < 0 || read_lists(t, n, path) < 0 ||
	    read_string(t, "libvirt_version", VC_L_LIBVIRT_VERSION, false,
			&n->libvirt_version, path) < 0 ||
	    read_string(t, "qemu_version", VC_L_QEMU_VERSION, false, &n->qemu_version,
			path) < 0)
		return -EINVAL;
	read_extras(t, n);
	return 0;
}

int
vc_whatif_read_report(const char *path, struct vc_node *n)
{
	_autotree_ struct vc_tree *t = vc_tree_load_one(path, NODE_REPORT_MAX);
	int rc = node_from_tree(t, n, path);

	if (rc < 0)
		vc_node_clear(n);
	else
		vc_node_normalize(n);
	return rc;
}

bool
vc_whatif_add(struct vc_cluster *c, struct vc_node *n)
{
	const struct vc_label_opts opts = {.scheme = VC_SCHEME_NFD, .ns = c->ns};
	struct vc_labels labels = {0};
	struct vc_label_ref *refs;
	bool replaced;

	vc_labels_build(n, &opts, &labels);
	refs = xzalloc((labels.n + 1) * sizeof(*refs));
	for (size_t i = 0; i < labels.n; i++)
		refs[i] = (struct vc_label_ref){labels.v[i].key, labels.v[i].value};
	/* Replacing is explicit: a name twice would be a clash for sort. */
	replaced = vc_cluster_remove(c, n->name);
	vc_cluster_add(c, n->name, refs, labels.n);
	vc_cluster_sort(c);
	free(refs);
	vc_labels_clear(&labels);
	return replaced;
}

/* ---- global_caps before and after ------------------------------------------- */

void
vc_whatif_global_take(const struct vc_cluster *c, const struct vc_summary *s,
		      struct vc_whatif_global *g)
{
	memset(g, 0, sizeof(*g));
	g->models = xzalloc((s->n_archs + 1) * sizeof(*g->models));
	for (size_t i = 0; i < s->n_archs; i++) {
		const struct vc_arch_summary *as = &s->archs[i];
		const char *arch = vc_names_str(&c->names, as->arch);

		vc_strv_push(&g->archs, arch ? arch : "unknown");
		for (size_t k = 0; k < as->global.n; k++)
			vc_strv_push(&g->models[i],
				     vc_names_str(&c->names, as->global.ids[k]));
		vc_strv_sort_uniq(&g->models[i]);
	}
}

void
vc_whatif_global_clear(struct vc_whatif_global *g)
{
	for (size_t i = 0; i < g->archs.n; i++)
		vc_strv_clear(&g->models[i]);
	free(g->models);
	vc_strv_clear(&g->archs);
}

static const struct vc_strv *
global_of(const struct vc_whatif_global *g, const char *arch)
{
	static const struct vc_strv none;

	for (size_t i = 0; i < g->archs.n; i++)
		if (streq(g->archs.v[i], arch))
			return &g->models[i];
	return &none;
}

/* Items of sorted @a missing from sorted @b, appended to @out. */
static void
sorted_minus(const struct vc_strv *a, const struct vc_strv *b, struct vc_strv *out)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && strcmp(b->v[j], a->v[i]) < 0)
			j++;
		if (j == b->n || strcmp(b->v[j], a->v[i]) != 0)
			vc_strv_push(out, a->v[i]);
	}
}

void
vc_whatif_compare(const struct vc_whatif_global *before,
		  const struct vc_whatif_global *after, struct vc_whatif *w)
{
	struct vc_strv archs = {0};

	for (size_t i = 0; i < before->archs.n; i++)
		vc_strv_push(&archs, before->archs.v[i]);
	for (size_t i = 0; i < after->archs.n; i++)
		vc_strv_push(&archs, after->archs.v[i]);
	vc_strv_sort_uniq(&archs);
	w->archs = xzalloc((archs.n + 1) * sizeof(*w->archs));
	for (size_t i = 0; i < archs.n; i++) {
		struct vc_whatif_arch *wa = &w->archs[w->n_archs++];
		const struct vc_strv *b = global_of(before, archs.v[i]);
		const struct vc_strv *a = global_of(after, archs.v[i]);

		wa->arch = xstrdup(archs.v[i]);
		sorted_minus(b, a, &wa->leaving);
		sorted_minus(a, b, &wa->joining);
		w->loss |= wa->leaving.n > 0;
	}
	vc_strv_clear(&archs);
	for (size_t i = 0; i < w->before.warnings.n; i++)
		vc_strv_push(&w->warnings, w->before.warnings.v[i]);
	for (size_t i = 0; i < w->after.warnings.n; i++)
		vc_strv_push(&w->warnings, w->after.warnings.v[i]);
	vc_strv_sort_uniq(&w->warnings);
}

/* ---- output ------------------------------------------------------------------ */

/* A pool's change between two advice results. */
static const char *
pool_change(const struct vc_advise_pool *b, const struct vc_advise_pool *a)
{
	struct vc_strv lost = {0}, won = {0};
	bool same;

	if (!b || !a)
		return b ? "disappears" : "appears";
	if (!streq(b->model, a->model) && (b->model || a->model))
		return "changed";
	sorted_minus(&b->extra_features, &a->extra_features, &lost);
	sorted_minus(&a->extra_features, &b->extra_features, &won);
	same = !lost.n && !won.n && b->n_nodes == a->n_nodes;
	vc_strv_clear(&lost);
	vc_strv_clear(&won);
	return same ? "unchanged" : "changed";
}

static void
write_side(struct vc_out *o, const char *key, const struct vc_advise_pool *p)
{
	vc_out_key(o, key);
	if (!p) {
		vc_out_null(o);
		return;
	}
	vc_out_map_begin(o);
	vc_out_strv(o, "extra_features", &p->extra_features);
	vc_out_key(o, "model");
	vc_out_str(o, p->model);
	vc_out_key(o, "nodes");
	vc_out_uint(o, p->n_nodes);
	vc_out_map_end(o);
}

static void
write_pool_change(struct vc_out *o, const struct vc_advise_pool *b,
		  const struct vc_advise_pool *a)
{
	const struct vc_advise_pool *p = b ? b : a;

	vc_out_map_begin(o);
	write_side(o, "after", a);
	vc_out_key(o, "arch");
	vc_out_str(o, p->arch);
	write_side(o, "before", b);
	vc_out_key(o, "change");
	vc_out_str(o, pool_change(b, a));
	vc_advise_write_emulated(o, p);
	vc_out_key(o, "vendor");
	vc_out_str(o, p->vendor);
	vc_out_key(o, "virttype");
	vc_out_str(o, p->virttype);
	vc_out_map_end(o);
}

static void
write_pools(struct vc_out *o, const struct vc_whatif *w)
{
	vc_out_key(o, "pools");
	vc_out_list_begin(o);
	for (size_t i = 0; i < w->before.n_pools; i++) {
		const struct vc_advise_pool *b = &w->before.pools[i];

		write_pool_change(o, b, vc_advise_find_pool(&w->after, b));
	}
	for (size_t i = 0; i < w->after.n_pools; i++) {
		const struct vc_advise_pool *a = &w->after.pools[i];

		if (!vc_advise_find_pool(&w->before, a))
			write_pool_change(o, NULL, a);
	}
	vc_out_list_end(o);
}

void
vc_whatif_write(struct vc_out *o, const struct vc_whatif *w)
{
	vc_out_map_begin(o);
	vc_out_strv(o, "added", &w->added);
	vc_out_key(o, "cpu_map");
	vc_out_map_begin(o);
	vc_out_key(o, "dir");
	vc_out_str(o, w->after.map_dir);
	vc_out_key(o, "libvirt_version");
	vc_out_str(o, w->after.map_version);
	vc_out_key(o, "version_from");
	vc_out_str(o, w->after.map_version_from);
	vc_out_map_end(o);
	vc_out_key(o, "global_caps");
	vc_out_map_begin(o);
	for (size_t i = 0; i < w->n_archs; i++) {
		vc_out_key(o, w->archs[i].arch);
		vc_out_map_begin(o);
		vc_out_strv(o, "joining", &w->archs[i].joining);
		vc_out_strv(o, "leaving", &w->archs[i].leaving);
		vc_out_map_end(o);
	}
	vc_out_map_end(o);
	write_pools(o, w);
	vc_out_strv(o, "removed", &w->removed);
	vc_out_strv(o, "replaced", &w->replaced);
	vc_out_strv(o, "warnings", &w->warnings);
	vc_out_map_end(o);
}

static void
text_list(struct vc_buf *b, const char *what, const struct vc_strv *l)
{
	vc_buf_printf(b, "%s", what);
	for (size_t i = 0; i < l->n; i++)
		vc_buf_printf(b, "%s%s", i ? ", " : " ", l->v[i]);
	vc_buf_printf(b, "%s", l->n ? "" : " none");
}

static void
text_side(struct vc_buf *b, const struct vc_advise_pool *p)
{
	if (!p->model)
		vc_buf_printf(b, "no common model");
	else
		vc_buf_printf(b, "%s + %zu extra feature%s", p->model,
			      p->extra_features.n, vc_plural(p->extra_features.n));
	vc_buf_printf(b, " (%zu node%s)", p->n_nodes, vc_plural(p->n_nodes));
}

/* Extra features a pool keeping its model would gain or lose. */
static void
text_extra_change(struct vc_buf *b, const struct vc_advise_pool *before,
		  const struct vc_advise_pool *after)
{
	struct vc_strv lost = {0}, won = {0};

	if (!before || !after || !before->model || !streq(before->model, after->model))
		return;
	sorted_minus(&before->extra_features, &after->extra_features, &lost);
	sorted_minus(&after->extra_features, &before->extra_features, &won);
	if (lost.n)
		text_list(b, "\n  extra features lost:", &lost);
	if (won.n)
		text_list(b, "\n  extra features gained:", &won);
	vc_strv_clear(&lost);
	vc_strv_clear(&won);
}

static void
text_pool_change(struct vc_buf *b, const struct vc_advise_pool *key,
		 const struct vc_advise_pool *before, const struct vc_advise_pool *after)
{
	_autofree_ char *title = vc_advise_pool_title(key);

	vc_buf_printf(b, "pool %s: %s", title, pool_change(before, after));
	if (before) {
		vc_buf_printf(b, ", was ");
		text_side(b, before);
	}
	if (after) {
		vc_buf_printf(b, "%s", before ? ", now " : ", ");
		text_side(b, after);
	}
	text_extra_change(b, before, after);
	vc_buf_printf(b, "\n");
}

static void
text_pools(struct vc_buf *b, const struct vc_whatif *w)
{
	for (size_t i = 0; i < w->before.n_pools; i++) {
		const struct vc_advise_pool *p = &w->before.pools[i];

		text_pool_change(b, p, p, vc_advise_find_pool(&w->after, p));
	}
	for (size_t i = 0; i < w->after.n_pools; i++) {
		const struct vc_advise_pool *p = &w->after.pools[i];

		if (!vc_advise_find_pool(&w->before, p))
			text_pool_change(b, p, NULL, p);
	}
}

char *
vc_whatif_text(const struct vc_whatif *w)
{
	struct vc_buf b = {0};
	_autofree_ char *map = vc_cpumap_describe(
		&(struct vc_cpumap){.dir = w->after.map_dir,
				    .libvirt_version = w->after.map_version,
				    .version_from = w->after.map_version_from});

	vc_buf_printf(&b, "%s\n", map);
	text_list(&b, "added:", &w->added);
	text_list(&b, "; replaced:", &w->replaced);
	text_list(&b, "; removed:", &w->removed);
	vc_buf_printf(&b, "\n\n");
	for (size_t i = 0; i < w->n_archs; i++) {
		vc_buf_printf(&b, "global_caps %s: ", w->archs[i].arch);
		text_list(&b, "leaving:", &w->archs[i].leaving);
		text_list(&b, "; joining:", &w->archs[i].joining);
		vc_buf_printf(&b, "\n");
	}
	vc_buf_printf(&b, "\n");
	text_pools(&b, w);
	for (size_t i = 0; i < w->warnings.n; i++)
		vc_buf_printf(&b, "%swarning: %s\n", i ? "" : "\n", w->warnings.v[i]);
	return vc_buf_steal(&b, NULL);
}

void
vc_whatif_clear(struct vc_whatif *w)
{
	for (size_t i = 0; i < w->n_archs; i++) {
		free(w->archs[i].arch);
		vc_strv_clear(&w->archs[i].leaving);
		vc_strv_clear(&w->archs[i].joining);
	}
	free(w->archs);
	vc_strv_clear(&w->added);
	vc_strv_clear(&w->replaced);
	vc_strv_clear(&w->removed);
	vc_strv_clear(&w->warnings);
	vc_advise_clear(&w->before);
	vc_advise_clear(&w->after);
	memset(w, 0, sizeof(*w));
}
