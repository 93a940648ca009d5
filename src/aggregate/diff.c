/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/diff.h"

#include <errno.h>

#include "diff-private.h"
#include "virt-caps/escape.h"
#include "virt-caps/log.h"

/* A report of --max-nodes' default 100,000 nodes is about 170 MB of JSON;
 * the tree costs about 10x the text (up to ~55x for tiny scalars). */
#define REPORT_MAX (256 * 1024 * 1024)

static const char *const list_names[VC_D_COUNT] = {
	[VC_D_MODELS] = "models",
	[VC_D_FEATURES] = "features",
	[VC_D_MACHINES] = "machine_types",
	[VC_D_MIGRATION] = "migration_models",
};

static int
bad(const char *path, const char *what)
{
	vc_err("%s: not a caps-aggregate report: %s", path, what);
	return -EINVAL;
}

static int
read_list(const struct vc_tree *t, const char *key, struct vc_strv *out, const char *path)
{
	const struct vc_tree *v = vc_tree_get(t, key);

	if (v && v->type != VC_T_NULL && !vc_tree_strings(v, out)) {
		vc_err("%s: '%s' is not a list of strings", path, key);
		return -EINVAL;
	}
	vc_strv_sort_uniq(out);
	return 0;
}

static int
read_node(const struct vc_tree *t, struct vc_rnode *n, const char *path)
{
	const struct vc_tree *host = vc_tree_get(t, "host_cpu_model");
	const char *name = vc_tree_str(t, "node_name");

	if (!name)
		return bad(path, "a nodes_caps entry has no node_name");
	n->name = xstrdup(name);
	n->host_model = xstrdup(vc_tree_str(host, "name"));
	n->vendor = xstrdup(vc_tree_str(host, "vendor"));
	n->virttype = xstrdup(vc_tree_str(t, "virttype"));
	n->libvirt_version = xstrdup(vc_tree_str(t, "libvirt_version"));
	n->qemu_version = xstrdup(vc_tree_str(t, "qemu_version"));
	if (read_list(t, "supported_models", &n->models, path) < 0 ||
	    read_list(t, "supported_features", &n->features, path) < 0 ||
	    read_list(t, "machine_types", &n->machines, path) < 0 ||
	    read_list(t, "migration_models", &n->migration, path) < 0)
		return -EINVAL;
	return 0;
}

struct arch_caps {
	char *arch;
	struct vc_strv caps;
};

static int
cmp_arch_caps(const void *a, const void *b)
{
	return strcmp(((const struct arch_caps *)a)->arch,
		      ((const struct arch_caps *)b)->arch);
}

/*
 * Sorts @d's archs, each with its global_caps, so that two reports are
 * compared by one merge (a lookup per arch was quadratic: 40,000 archs
 * took 35 s). The same arch twice would be two answers for one group.
 */
static int
sort_archs(struct vc_rdoc *d, const char *path)
{
	size_t n = d->archs.n;
	_autofree_ struct arch_caps *p = xzalloc((n + 1) * sizeof(*p));
	const char *twice = NULL;

	for (size_t i = 0; i < n; i++)
		p[i] = (struct arch_caps){d->archs.v[i], d->global[i]};
	qsort(p, n, sizeof(*p), cmp_arch_caps);
	for (size_t i = 0; i < n; i++) {
		d->archs.v[i] = p[i].arch;
		d->global[i] = p[i].caps;
		if (i && !twice && streq(p[i - 1].arch, p[i].arch))
			twice = p[i].arch;
	}
	if (!twice)
		return 0;
	vc_err("%s: not a caps-aggregate report: global_caps has arch '%s' twice", path,
	       twice);
	return -EINVAL;
}

/* global_caps is a list (one arch, named in cluster.archs) or a map per arch. */
static int
read_global(const struct vc_tree *root, struct vc_rdoc *d, const char *path)
{
	const struct vc_tree *g = vc_tree_get(root, "global_caps");
	struct vc_strv archs = {0};

	if (!g)
		return bad(path, "no global_caps");
	if (g->type == VC_T_LIST) {
		vc_tree_strings(vc_tree_get(vc_tree_get(root, "cluster"), "archs"),
				&archs);
		vc_strv_push(&d->archs, archs.n == 1 ? archs.v[0] : "unknown");
		vc_strv_clear(&archs);
		d->global = xzalloc(sizeof(*d->global));
		return read_list(root, "global_caps", &d->global[0], path);
	}
	if (g->type != VC_T_MAP)
		return bad(path, "global_caps is neither a list nor a map");
	d->global = xzalloc((g->n + 1) * sizeof(*d->global));
	for (size_t i = 0; i < g->n; i++) {
		vc_strv_push(&d->archs, g->keys[i]);
		if (!vc_tree_strings(g->items[i], &d->global[i]))
			return bad(path, "a global_caps entry is not a list of strings");
		vc_strv_sort_uniq(&d->global[i]);
	}
	return sort_archs(d, path);
}

static int
cmp_rnodes(const void *a, const void *b)
{
	return strcmp(((const struct vc_rnode *)a)->name,
		      ((const struct vc_rnode *)b)->name);
}

static int
rdoc_from_tree(const struct vc_tree *root, const char *what, struct vc_rdoc *d)
{
	const struct vc_tree *nodes;

	memset(d, 0, sizeof(*d));
	if (!root)
		return -EINVAL;
	nodes = vc_tree_get(root, "nodes_caps");
	if (!nodes || nodes->type != VC_T_LIST)
		return bad(what, "no nodes_caps list");
	if (read_global(root, d, what) < 0)
		return -EINVAL;
	d->nodes = xzalloc((nodes->n + 1) * sizeof(*d->nodes));
	for (size_t i = 0; i < nodes->n; i++) {
		d->n = i + 1; /* so that vc_rdoc_clear frees a half-read node too */
		if (read_node(nodes->items[i], &d->nodes[i], what) < 0)
			return -EINVAL;
	}
	qsort(d->nodes, d->n, sizeof(*d->nodes), cmp_rnodes);
	/* Reports before the list have none: their nodes count as removed. */
	if (read_list(vc_tree_get(root, "cluster"), "unprobed", &d->unprobed, what) < 0)
		return -EINVAL;
	/* Two entries for one node cannot both be its state: refuse, rather
	 * than compare one of them (or report it added and removed). */
	for (size_t i = 1; i < d->n; i++)
		if (streq(d->nodes[i - 1].name, d->nodes[i].name)) {
			vc_err("%s: not a caps-aggregate report: node '%s' is listed twice in nodes_caps",
			       what, d->nodes[i].name);
			return -EINVAL;
		}
	return 0;
}

int
vc_rdoc_load(const char *path, struct vc_rdoc *d)
{
	_autotree_ struct vc_tree *root = vc_tree_load(path, REPORT_MAX);

	return rdoc_from_tree(root, vc_input_name(path), d);
}

int
vc_rdoc_parse(const char *text, size_t len, const char *what, struct vc_rdoc *d)
{
	_autotree_ struct vc_tree *root = vc_tree_parse(text, len, what);

	return rdoc_from_tree(root, what, d);
}

static void
rnode_clear(struct vc_rnode *n)
{
	free(n->name);
	free(n->host_model);
	free(n->vendor);
	free(n->virttype);
	free(n->libvirt_version);
	free(n->qemu_version);
	vc_strv_clear(&n->models);
	vc_strv_clear(&n->features);
	vc_strv_clear(&n->machines);
	vc_strv_clear(&n->migration);
}

void
vc_rdoc_clear(struct vc_rdoc *d)
{
	for (size_t i = 0; i < d->archs.n; i++)
		vc_strv_clear(&d->global[i]);
	free(d->global);
	vc_strv_clear(&d->archs);
	for (size_t i = 0; i < d->n; i++)
		rnode_clear(&d->nodes[i]);
	free(d->nodes);
	vc_strv_clear(&d->unprobed);
	memset(d, 0, sizeof(*d));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* @name in the sorted, unique @l. */
static bool
sorted_has(const struct vc_strv *l, const char *name)
{
	return l->n && bsearch(&name, l->v, l->n, sizeof(*l->v), cmp_str);
}

/* Both lists sorted: what is only in @a is lost, only in @b gained. */
static void
compare_lists(const struct vc_strv *a, const struct vc_strv *b, struct vc_change *c)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		int cmp = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);

		if (cmp < 0)
			vc_strv_push(&c->lost, a->v[i++]);
		else if (cmp > 0)
			vc_strv_push(&c->gained, b->v[j++]);
		else
			i++, j++;
	}
}

/* Both reports' archs are sorted and unique (sort_archs): one merge. */
static void
compare_global(const struct vc_rdoc *a, const struct vc_rdoc *b, struct vc_diff *d)
{
	static const struct vc_strv none;
	size_t i = 0, j = 0;

	d->global = xzalloc((a->archs.n + b->archs.n + 1) * sizeof(*d->global));
	while (i < a->archs.n || j < b->archs.n) {
		int cmp = i == a->archs.n   ? 1
			  : j == b->archs.n ? -1
					    : strcmp(a->archs.v[i], b->archs.v[j]);
		struct vc_change *c = &d->global[d->archs.n];

		vc_strv_push(&d->archs, cmp <= 0 ? a->archs.v[i] : b->archs.v[j]);
		compare_lists(cmp <= 0 ? &a->global[i] : &none,
			      cmp >= 0 ? &b->global[j] : &none, c);
		if (c->lost.n)
			d->lost = true;
		i += cmp <= 0;
		j += cmp >= 0;
	}
}

static bool
changed(const char *x, const char *y)
{
	return !(x == y || (x && y && strcmp(x, y) == 0));
}

/*
 * Vendor and virttype: a change only between two known values. Reports
 * before virttype was compared may lack it, and a null (KubeVirt's
 * labels carry no virttype) says nothing either: unknown is no change.
 */
static bool
known_change(const char *x, const char *y, const char **old, const char **new)
{
	if (!x || !y || streq(x, y))
		return false;
	*old = x;
	*new = y;
	return true;
}

/* Host model, vendor, virttype, versions; returns true when any differs. */
static bool
compare_strings(const struct vc_rnode *a, const struct vc_rnode *b,
		struct vc_node_diff *nd)
{
	bool any = false;

	if (changed(a->host_model, b->host_model)) {
		nd->old_host = a->host_model ? a->host_model : "none";
		nd->new_host = b->host_model ? b->host_model : "none";
		any = true;
	}
	any |= known_change(a->vendor, b->vendor, &nd->old_vendor, &nd->new_vendor);
	any |= known_change(a->virttype, b->virttype, &nd->old_virttype,
			    &nd->new_virttype);
	if (changed(a->libvirt_version, b->libvirt_version)) {
		nd->old_libvirt = a->libvirt_version ? a->libvirt_version : "unknown";
		nd->new_libvirt = b->libvirt_version ? b->libvirt_version : "unknown";
		any = true;
	}
	if (changed(a->qemu_version, b->qemu_version)) {
		nd->old_qemu = a->qemu_version ? a->qemu_version : "unknown";
		nd->new_qemu = b->qemu_version ? b->qemu_version : "unknown";
		any = true;
	}
	return any;
}

/* Returns true when anything differs. */
static bool
compare_node(const struct vc_rnode *a, const struct vc_rnode *b, struct vc_node_diff *nd,
	     bool *lost)
{
	const struct vc_strv *la[VC_D_COUNT] = {&a->models, &a->features, &a->machines,
						&a->migration};
	const struct vc_strv *lb[VC_D_COUNT] = {&b->models, &b->features, &b->machines,
						&b->migration};
	bool any;

	memset(nd, 0, sizeof(*nd));
	nd->name = a->name;
	any = compare_strings(a, b, nd);
	for (int l = 0; l < VC_D_COUNT; l++) {
		compare_lists(la[l], lb[l], &nd->lists[l]);
		any = any || nd->lists[l].lost.n || nd->lists[l].gained.n;
		/* Migration models are informational: losing one is not fatal. */
		if (l != VC_D_MIGRATION && nd->lists[l].lost.n)
			*lost = true;
	}
	return any;
}

static void
change_clear(struct vc_change *c)
{
	vc_strv_clear(&c->lost);
	vc_strv_clear(&c->gained);
}

/*
 * A node of the old report missing from the new one: removed from the
 * cluster, or still listed with its labels gone (caps-probe stopped, the
 * labels expired), which takes its models away as surely as a loss.
 */
static void
gone(const char *name, const struct vc_rdoc *b, struct vc_diff *d)
{
	if (!sorted_has(&b->unprobed, name)) {
		vc_strv_push(&d->removed, name);
		return;
	}
	vc_strv_push(&d->unprobed, name);
	d->lost = true;
}

void
vc_diff_compute(const struct vc_rdoc *a, const struct vc_rdoc *b, struct vc_diff *d)
{
	size_t i = 0, j = 0;

	memset(d, 0, sizeof(*d));
	compare_global(a, b, d);
	d->nodes = xzalloc((a->n + 1) * sizeof(*d->nodes));
	while (i < a->n || j < b->n) {
		int cmp = i == a->n   ? 1
			  : j == b->n ? -1
				      : strcmp(a->nodes[i].name, b->nodes[j].name);

		if (cmp < 0) {
			gone(a->nodes[i++].name, b, d);
		} else if (cmp > 0) {
			vc_strv_push(&d->added, b->nodes[j++].name);
		} else {
			struct vc_node_diff *nd = &d->nodes[d->n];

			if (compare_node(&a->nodes[i], &b->nodes[j], nd, &d->lost))
				d->n++;
			else
				for (int l = 0; l < VC_D_COUNT; l++)
					change_clear(&nd->lists[l]);
			i++, j++;
		}
	}
}

void
vc_diff_clear(struct vc_diff *d)
{
	for (size_t i = 0; i < d->archs.n; i++)
		change_clear(&d->global[i]);
	free(d->global);
	vc_strv_clear(&d->archs);
	for (size_t i = 0; i < d->n; i++)
		for (int l = 0; l < VC_D_COUNT; l++)
			change_clear(&d->nodes[i].lists[l]);
	free(d->nodes);
	vc_strv_clear(&d->added);
	vc_strv_clear(&d->removed);
	vc_strv_clear(&d->unprobed);
	memset(d, 0, sizeof(*d));
}

/* ---- output ---------------------------------------------------------------- */

static void
write_change(struct vc_out *o, const char *key, const struct vc_change *c)
{
	vc_out_key(o, key);
	vc_out_map_begin(o);
	vc_out_strv(o, "lost", &c->lost);
	vc_out_strv(o, "gained", &c->gained);
	vc_out_map_end(o);
}

static void
write_pair(struct vc_out *o, const char *key, const char *old, const char *new)
{
	vc_out_key(o, key);
	if (!old) {
		vc_out_null(o);
		return;
	}
	vc_out_map_begin(o);
	vc_out_key(o, "old");
	vc_out_str(o, old);
	vc_out_key(o, "new");
	vc_out_str(o, new);
	vc_out_map_end(o);
}

static void
write_node_diff(struct vc_out *o, const struct vc_node_diff *nd)
{
	vc_out_map_begin(o);
	vc_out_key(o, "node_name");
	vc_out_str(o, nd->name);
	write_pair(o, "host_model", nd->old_host, nd->new_host);
	write_pair(o, "vendor", nd->old_vendor, nd->new_vendor);
	write_pair(o, "virttype", nd->old_virttype, nd->new_virttype);
	write_pair(o, "libvirt_version", nd->old_libvirt, nd->new_libvirt);
	write_pair(o, "qemu_version", nd->old_qemu, nd->new_qemu);
	for (int l = 0; l < VC_D_COUNT; l++)
		write_change(o, list_names[l], &nd->lists[l]);
	vc_out_map_end(o);
}

void
vc_diff_write(struct vc_out *o, const struct vc_diff *d)
{
	vc_out_map_begin(o);
	vc_out_key(o, "lost");
	vc_out_bool(o, d->lost);
	vc_out_key(o, "global");
	vc_out_list_begin(o);
	for (size_t i = 0; i < d->archs.n; i++) {
		vc_out_map_begin(o);
		vc_out_key(o, "arch");
		vc_out_str(o, d->archs.v[i]);
		vc_out_strv(o, "lost", &d->global[i].lost);
		vc_out_strv(o, "gained", &d->global[i].gained);
		vc_out_map_end(o);
	}
	vc_out_list_end(o);
	vc_out_key(o, "nodes");
	vc_out_list_begin(o);
	for (size_t i = 0; i < d->n; i++)
		write_node_diff(o, &d->nodes[i]);
	vc_out_list_end(o);
	vc_out_strv(o, "added_nodes", &d->added);
	vc_out_strv(o, "removed_nodes", &d->removed);
	vc_out_strv(o, "no_longer_probed_nodes", &d->unprobed);
	vc_out_map_end(o);
}

/*
 * The text is for a terminal, and every name in it comes from a report
 * file: @who is escaped by the callers, the names here.
 */
static void
text_list(struct vc_buf *b, const char *who, const char *what, const struct vc_strv *l)
{
	if (!l->n)
		return;
	vc_buf_printf(b, "%s: %s:", who, what);
	for (size_t i = 0; i < l->n; i++) {
		vc_buf_printf(b, "%s ", i ? "," : "");
		vc_buf_escaped(b, l->v[i]);
	}
	vc_buf_printf(b, "\n");
}

static void
text_pair(struct vc_buf *b, const char *who, const char *what, const char *old,
	  const char *new)
{
	if (!old)
		return;
	vc_buf_printf(b, "%s: %s ", who, what);
	vc_buf_escaped(b, old);
	vc_buf_printf(b, " -> ");
	vc_buf_escaped(b, new);
	vc_buf_printf(b, "\n");
}

static void
text_node(struct vc_buf *b, const struct vc_node_diff *nd)
{
	_autofree_ char *name = vc_escape_text(nd->name);
	_autofree_ char *who = xasprintf("node %s", name);

	text_pair(b, who, "host model", nd->old_host, nd->new_host);
	text_pair(b, who, "vendor", nd->old_vendor, nd->new_vendor);
	text_pair(b, who, "virttype", nd->old_virttype, nd->new_virttype);
	text_pair(b, who, "libvirt", nd->old_libvirt, nd->new_libvirt);
	text_pair(b, who, "QEMU", nd->old_qemu, nd->new_qemu);
	for (int l = 0; l < VC_D_COUNT; l++) {
		_autofree_ char *lost = xasprintf("lost %s", list_names[l]);
		_autofree_ char *gained = xasprintf("gained %s", list_names[l]);

		text_list(b, who, lost, &nd->lists[l].lost);
		text_list(b, who, gained, &nd->lists[l].gained);
	}
}

char *
vc_diff_text(const struct vc_diff *d)
{
	struct vc_buf b = {0};

	for (size_t i = 0; i < d->archs.n; i++) {
		_autofree_ char *arch = vc_escape_text(d->archs.v[i]);
		_autofree_ char *who = xasprintf("global_caps (%s)", arch);

		text_list(&b, who, "lost models", &d->global[i].lost);
		text_list(&b, who, "gained models", &d->global[i].gained);
	}
	for (size_t i = 0; i < d->n; i++)
		text_node(&b, &d->nodes[i]);
	text_list(&b, "nodes", "added", &d->added);
	text_list(&b, "nodes", "removed", &d->removed);
	for (size_t i = 0; i < d->unprobed.n; i++) {
		_autofree_ char *name = vc_escape_text(d->unprobed.v[i]);

		vc_buf_printf(&b, "node %s: no longer probed (labels gone)\n", name);
	}
	if (!b.len)
		vc_buf_printf(&b, "no differences\n");
	vc_buf_printf(&b, "%s\n",
		      d->lost ? "verdict: something usable was lost"
			      : "verdict: nothing usable was lost");
	return vc_buf_steal(&b, NULL);
}
