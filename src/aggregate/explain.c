/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/explain.h"

#include <errno.h>

#include "virt-caps/kubevirt.h"
#include "virt-caps/log.h"

static const char missing_from[] =
	"the CPU map: the model's features minus the node's cpu-feature labels, vmx-* "
	"features and the features of the node's usable models; `caps-probe -o yaml` "
	"on the node lists libvirt's exact blockers";

const char *
vc_explain_status_name(enum vc_explain_status s)
{
	static const char *const names[] = {
		[VC_EXPLAIN_USABLE] = "usable",
		[VC_EXPLAIN_MIGRATION_ONLY] = "migration-only",
		[VC_EXPLAIN_NOT_USABLE] = "not-usable",
		[VC_EXPLAIN_UNKNOWN] = "unknown",
		[VC_EXPLAIN_OBSOLETE] = "obsolete",
		[VC_EXPLAIN_UNPROBED] = "unprobed",
	};

	return names[s];
}

/* ---- the missing-feature rule ---------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Membership in a bytewise-sorted list (the map's and the node's are). */
static bool
sorted_has(const struct vc_strv *l, const char *s)
{
	return l->n && bsearch(&s, l->v, l->n, sizeof(*l->v), cmp_str);
}

/* Does a model of @usable that @a knows list @feature? */
static bool
carried(const struct vc_cpumap_arch *a, const struct vc_strv *usable, const char *feature)
{
	for (size_t i = 0; i < usable->n; i++) {
		const struct vc_cpumap_model *u = vc_cpumap_model(a, usable->v[i]);

		if (u && sorted_has(&u->features, feature))
			return true;
	}
	return false;
}

void
vc_explain_missing(const struct vc_cpumap_arch *a, const struct vc_cpumap_model *m,
		   const struct vc_strv *has, const struct vc_strv *usable,
		   struct vc_strv *out)
{
	for (size_t i = 0; i < m->features.n; i++) {
		const char *f = m->features.v[i];

		/* QEMU does not count VMX capabilities as blockers, and a
		 * feature a usable model needs is there even when the node's
		 * labels omit it (they list only what libvirt names). */
		if (strncmp(f, "vmx-", 4) == 0 || sorted_has(has, f) ||
		    carried(a, usable, f))
			continue;
		vc_strv_push(out, f);
	}
}

/* ---- one node ------------------------------------------------------------------ */

static void
names_of(const struct vc_cluster *c, const struct vc_bits *b, struct vc_strv *out)
{
	size_t n;
	_autofree_ uint32_t *ids = vc_cluster_sorted_ids(c, b, &n);

	for (size_t i = 0; i < n; i++)
		vc_strv_push(out, vc_names_str(&c->names, ids[i]));
}

static enum vc_explain_status
node_status(const struct vc_cnode *cn, const char *model, uint32_t id)
{
	const struct vc_bits *migration = &cn->sets[VC_SET_MIGRATION];

	if (!cn->probed)
		return VC_EXPLAIN_UNPROBED;
	/* The label is what the scheduler matches, whatever list made it. */
	if (id != VC_NO_NAME && vc_bits_test(&cn->sets[VC_SET_MODELS], id))
		return VC_EXPLAIN_USABLE;
	if (vc_kubevirt_obsolete(model))
		return VC_EXPLAIN_OBSOLETE;
	/* Labellers before KubeVirt PR #15694 write no migration labels. */
	if (vc_bits_empty(migration))
		return VC_EXPLAIN_NOT_USABLE;
	if (id != VC_NO_NAME && vc_bits_test(migration, id))
		return VC_EXPLAIN_MIGRATION_ONLY;
	return VC_EXPLAIN_UNKNOWN;
}

/* The map's list of what @cn lacks, or a note saying why there is none. */
static void
derive_missing(const struct vc_cluster *c, const struct vc_cpumap *map, const char *model,
	       const struct vc_cnode *cn, struct vc_explain_node *en)
{
	const char *arch = vc_names_str(&c->names, cn->arch);
	const struct vc_cpumap_arch *a = arch ? vc_cpumap_arch(map, arch) : NULL;
	const struct vc_cpumap_model *m = a ? vc_cpumap_model(a, model) : NULL;
	struct vc_strv has = {0}, usable = {0};

	if (!a) {
		en->note = xasprintf("the CPU map has no models for arch %s",
				     arch ? arch : "(unknown)");
		return;
	}
	if (!m) {
		en->note = xasprintf("the CPU map does not know %s", model);
		return;
	}
	names_of(c, &cn->sets[VC_SET_FEATURES], &has);
	names_of(c, &cn->sets[VC_SET_MODELS], &usable);
	vc_explain_missing(a, m, &has, &usable, &en->missing);
	en->derived = true;
	vc_strv_clear(&has);
	vc_strv_clear(&usable);
}

/* ---- the nodes asked about ----------------------------------------------------- */

static int
cmp_node_name(const void *key, const void *node)
{
	return strcmp(key, ((const struct vc_cnode *)node)->name);
}

/* Why a node without derived missing features has none: the same words
 * in text, YAML and JSON. NULL for a usable node. */
static char *
status_note(enum vc_explain_status s, const char *model)
{
	switch (s) {
	case VC_EXPLAIN_UNKNOWN:
		return xasprintf("this node's QEMU does not know %s", model);
	case VC_EXPLAIN_OBSOLETE:
		return xstrdup("on KubeVirt's obsolete list: never labelled");
	case VC_EXPLAIN_UNPROBED:
		return xstrdup("no capability labels");
	default:
		return NULL;
	}
}

/* Every name of @nodes must be a node of @c (sorted by name). */
static int
check_named(const struct vc_cluster *c, const struct vc_strv *nodes)
{
	struct vc_buf b = {0};
	size_t absent = 0;

	for (size_t i = 0; i < nodes->n; i++) {
		if (bsearch(nodes->v[i], c->nodes, c->n, sizeof(*c->nodes),
			    cmp_node_name))
			continue;
		vc_buf_printf(&b, "%s%s", absent++ ? ", " : "", nodes->v[i]);
	}
	if (absent)
		vc_err("explain: node%s not in the input: %s", vc_plural(absent), b.data);
	vc_buf_clear(&b);
	return absent ? -ENOENT : 0;
}

int
vc_explain_compute(const struct vc_cluster *c, const struct vc_cpumap *map,
		   const char *model, const struct vc_strv *nodes, struct vc_explain *e)
{
	uint32_t id = vc_names_find(&c->names, model);

	*e = (struct vc_explain){.model = model, .map = map, .all_usable = true};
	if (check_named(c, nodes) < 0)
		return -ENOENT;
	e->nodes = xzalloc((c->n ? c->n : 1) * sizeof(*e->nodes));
	for (size_t i = 0; i < c->n; i++) {
		const struct vc_cnode *cn = &c->nodes[i];
		struct vc_explain_node *en = &e->nodes[e->n];

		if (nodes->n && !vc_strv_contains(nodes, cn->name))
			continue;
		e->n++;
		en->name = cn->name;
		en->status = node_status(cn, model, id);
		if (en->status == VC_EXPLAIN_MIGRATION_ONLY ||
		    en->status == VC_EXPLAIN_NOT_USABLE)
			derive_missing(c, map, model, cn, en);
		else
			en->note = status_note(en->status, model);
		if (en->status != VC_EXPLAIN_USABLE)
			e->all_usable = false;
	}
	return 0;
}

void
vc_explain_clear(struct vc_explain *e)
{
	for (size_t i = 0; i < e->n; i++) {
		vc_strv_clear(&e->nodes[i].missing);
		free(e->nodes[i].note);
	}
	free(e->nodes);
	memset(e, 0, sizeof(*e));
}

/* ---- text ---------------------------------------------------------------------- */

/* The third column: the missing features, or why there are none. */
static void
text_detail(struct vc_buf *b, const struct vc_explain_node *en)
{
	if (en->status == VC_EXPLAIN_USABLE)
		return;
	if (!en->derived)
		vc_buf_printf(b, "(%s)", en->note);
	else if (!en->missing.n)
		vc_buf_printf(b, "(none found in the CPU map)");
	for (size_t i = 0; en->derived && i < en->missing.n; i++)
		vc_buf_printf(b, "%s%s", i ? ", " : "", en->missing.v[i]);
}

static void
text_header(struct vc_buf *b, const struct vc_explain *e)
{
	_autofree_ char *map = vc_cpumap_describe(e->map);

	vc_buf_printf(b, "model %s, %s\n", e->model, map);
}

/* A node line: name and status padded to their columns, then the detail. */
static void
text_line(struct vc_buf *b, int w_name, const char *name, const char *status,
	  const char *detail)
{
	if (*detail)
		vc_buf_printf(b, "%-*s  %-14s  %s\n", w_name, name, status, detail);
	else
		vc_buf_printf(b, "%-*s  %s\n", w_name, name, status);
}

char *
vc_explain_text(const struct vc_explain *e)
{
	struct vc_buf b = {0};
	int w = 4; /* "NODE" */
	bool derived = false;

	for (size_t i = 0; i < e->n; i++) {
		int len = (int)strlen(e->nodes[i].name);

		w = len > w ? len : w;
		derived |= e->nodes[i].status == VC_EXPLAIN_MIGRATION_ONLY ||
			   e->nodes[i].status == VC_EXPLAIN_NOT_USABLE;
	}
	text_header(&b, e);
	text_line(&b, w, "NODE", "STATUS", "MISSING FEATURES");
	for (size_t i = 0; i < e->n; i++) {
		struct vc_buf d = {0};

		vc_buf_append(&d, "", 0);
		text_detail(&d, &e->nodes[i]);
		text_line(&b, w, e->nodes[i].name,
			  vc_explain_status_name(e->nodes[i].status), d.data);
		vc_buf_clear(&d);
	}
	if (derived)
		vc_buf_printf(&b, "missing features: derived from %s\n", missing_from);
	return vc_buf_steal(&b, NULL);
}

/* ---- yaml, json ------------------------------------------------------------------ */

static void
write_map_info(struct vc_out *o, const struct vc_cpumap *m)
{
	vc_out_key(o, "cpu_map");
	vc_out_map_begin(o);
	vc_out_key(o, "dir");
	vc_out_str(o, m->dir);
	vc_out_key(o, "libvirt_version");
	vc_out_str(o, m->libvirt_version);
	vc_out_key(o, "version_from");
	vc_out_str(o, m->version_from);
	vc_out_map_end(o);
}

static void
write_node(struct vc_out *o, const struct vc_explain_node *en)
{
	vc_out_map_begin(o);
	vc_out_key(o, "name");
	vc_out_str(o, en->name);
	vc_out_key(o, "status");
	vc_out_str(o, vc_explain_status_name(en->status));
	if (en->derived) {
		vc_out_strv(o, "missing", &en->missing);
	} else {
		vc_out_key(o, "missing");
		vc_out_null(o);
	}
	vc_out_key(o, "note");
	vc_out_str(o, en->note);
	vc_out_map_end(o);
}

void
vc_explain_write(struct vc_out *o, const struct vc_explain *e)
{
	vc_out_map_begin(o);
	vc_out_key(o, "model");
	vc_out_str(o, e->model);
	write_map_info(o, e->map);
	vc_out_key(o, "missing_from");
	vc_out_str(o, missing_from);
	vc_out_key(o, "usable_everywhere");
	vc_out_bool(o, e->all_usable);
	vc_out_key(o, "nodes");
	vc_out_list_begin(o);
	for (size_t i = 0; i < e->n; i++)
		write_node(o, &e->nodes[i]);
	vc_out_list_end(o);
	vc_out_map_end(o);
}
