/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/report.h"

#include "virt-caps/escape.h"
#include "virt-caps/nodereport.h"

/* ---- cluster report ------------------------------------------------------ */

static const char *
arch_name(const struct vc_cluster *c, uint32_t arch)
{
	return arch == VC_NO_NAME ? "unknown" : vc_names_str(&c->names, arch);
}

static void
write_ids(struct vc_out *o, const struct vc_cluster *c, const struct vc_bits *b)
{
	size_t n = 0;
	_autofree_ uint32_t *ids = vc_cluster_sorted_ids(c, b, &n);

	vc_out_list_begin(o);
	for (size_t i = 0; i < n; i++)
		vc_out_str(o, vc_names_str(&c->names, ids[i]));
	vc_out_list_end(o);
}

/* Where the probed nodes' data came from, and how their CPUs were probed. */
static void
write_counts(struct vc_out *o, const struct vc_summary *s)
{
	vc_out_key(o, "sources");
	vc_out_map_begin(o);
	vc_out_key(o, "nfd");
	vc_out_uint(o, s->sources[VC_SCHEME_NFD]);
	vc_out_key(o, "kubevirt");
	vc_out_uint(o, s->sources[VC_SCHEME_KUBEVIRT]);
	vc_out_map_end(o);
	vc_out_key(o, "acceleration");
	vc_out_map_begin(o);
	vc_out_key(o, "kvm");
	vc_out_uint(o, s->accel[VC_ACCEL_KVM]);
	vc_out_key(o, "emulated");
	vc_out_uint(o, s->accel[VC_ACCEL_TCG]);
	vc_out_key(o, "unknown");
	vc_out_uint(o, s->accel[VC_ACCEL_UNKNOWN]);
	vc_out_map_end(o);
}

static void
write_cluster_head(struct vc_out *o, const struct vc_cluster *c,
		   const struct vc_summary *s)
{
	vc_out_key(o, "cluster");
	vc_out_map_begin(o);
	vc_out_key(o, "nodes");
	vc_out_uint(o, c->n);
	vc_out_key(o, "probed");
	vc_out_uint(o, s->probed);
	vc_out_key(o, "unprobed");
	vc_out_list_begin(o);
	for (size_t i = 0; i < c->n; i++)
		if (!c->nodes[i].probed)
			vc_out_str(o, c->nodes[i].name);
	vc_out_list_end(o);
	write_counts(o, s);
	vc_out_key(o, "vendors");
	write_ids(o, c, &s->vendors);
	vc_out_key(o, "archs");
	vc_out_list_begin(o);
	for (size_t i = 0; i < s->n_archs; i++)
		vc_out_str(o, arch_name(c, s->archs[i].arch));
	vc_out_list_end(o);
	vc_out_map_end(o);
}

/*
 * One value per arch, always as a map keyed by arch name (even for one
 * arch), so that the report's shape never depends on the cluster:
 * `jq '.global_caps.x86_64'` works on every cluster.
 */
typedef void per_arch_fn(struct vc_out *o, const struct vc_cluster *c,
			 const struct vc_arch_summary *g, const struct vc_report_opts *r);

static void
write_per_arch(struct vc_out *o, const struct vc_cluster *c, const struct vc_summary *s,
	       const struct vc_report_opts *r, per_arch_fn *fn)
{
	vc_out_map_begin(o);
	for (size_t i = 0; i < s->n_archs; i++) {
		vc_out_key(o, arch_name(c, s->archs[i].arch));
		fn(o, c, &s->archs[i], r);
	}
	vc_out_map_end(o);
}

static void
global_of(struct vc_out *o, const struct vc_cluster *c, const struct vc_arch_summary *g,
	  const struct vc_report_opts *r)
{
	write_ids(o, c, &g->global);
}

/* Models usable on at least the quorum of @g's nodes. */
static void
quorum_set(const struct vc_cluster *c, const struct vc_arch_summary *g, unsigned percent,
	   struct vc_bits *set)
{
	size_t need = vc_quorum_needed(g->nodes, percent);

	/* g->models ascends, so each vc_bits_set() appends. */
	for (size_t k = 0; k < g->models.n; k++)
		if (g->counts[k] >= need && g->counts[k] > 0)
			vc_bits_set(set, g->models.ids[k]);
}

static void
quorum_models_of(struct vc_out *o, const struct vc_cluster *c,
		 const struct vc_arch_summary *g, const struct vc_report_opts *r)
{
	struct vc_bits set = {0};

	quorum_set(c, g, r->quorum, &set);
	write_ids(o, c, &set);
	vc_bits_clear(&set);
}

static void
quorum_needed_of(struct vc_out *o, const struct vc_cluster *c,
		 const struct vc_arch_summary *g, const struct vc_report_opts *r)
{
	vc_out_uint(o, vc_quorum_needed(g->nodes, r->quorum));
}

static void
write_quorum(struct vc_out *o, const struct vc_cluster *c, const struct vc_summary *s,
	     const struct vc_report_opts *r)
{
	vc_out_key(o, "quorum");
	if (!r->quorum) {
		vc_out_null(o);
		return;
	}
	vc_out_map_begin(o);
	vc_out_key(o, "percent");
	vc_out_uint(o, r->quorum);
	vc_out_key(o, "nodes_needed");
	write_per_arch(o, c, s, r, quorum_needed_of);
	vc_out_key(o, "models");
	write_per_arch(o, c, s, r, quorum_models_of);
	vc_out_map_end(o);
}

static void
write_model_support(struct vc_out *o, const struct vc_cluster *c,
		    const struct vc_summary *s)
{
	size_t n = 0;
	_autofree_ uint32_t *ids = vc_cluster_sorted_ids(c, &s->models, &n);

	vc_out_key(o, "model_support");
	vc_out_list_begin(o);
	for (size_t i = 0; i < n; i++) {
		size_t count = 0;
		const uint32_t *nodes = vc_summary_model_nodes(s, ids[i], &count);

		vc_out_map_begin(o);
		vc_out_key(o, "model");
		vc_out_str(o, vc_names_str(&c->names, ids[i]));
		vc_out_key(o, "nodes");
		vc_out_list_begin(o);
		for (size_t k = 0; k < count; k++)
			vc_out_str(o, c->nodes[nodes[k]].name);
		vc_out_list_end(o);
		vc_out_key(o, "count");
		vc_out_uint(o, count);
		vc_out_map_end(o);
	}
	vc_out_list_end(o);
}

static const char *
source_name(enum vc_label_scheme scheme)
{
	return scheme == VC_SCHEME_NFD ? "nfd" : "kubevirt";
}

/* caps-probe's node report, then what only the aggregate knows: where
 * the data came from and whether the CPU was emulated (null: unknown). */
static void
write_node(struct vc_out *o, const struct vc_cluster *c, const struct vc_cnode *cn)
{
	struct vc_node view;
	enum vc_accel accel = vc_cluster_accel(c, cn);

	vc_cluster_view(c, cn, &view);
	vc_out_map_begin(o);
	vc_nodereport_write_fields(o, &view);
	vc_out_key(o, "source");
	vc_out_str(o, source_name(cn->scheme));
	vc_out_key(o, "emulated");
	if (accel == VC_ACCEL_UNKNOWN)
		vc_out_null(o);
	else
		vc_out_bool(o, accel == VC_ACCEL_TCG);
	vc_out_map_end(o);
	vc_cluster_view_release(&view);
}

static void
write_nodes(struct vc_out *o, const struct vc_cluster *c)
{
	vc_out_key(o, "nodes_caps");
	vc_out_list_begin(o);
	for (size_t i = 0; i < c->n; i++)
		if (c->nodes[i].probed)
			write_node(o, c, &c->nodes[i]);
	vc_out_list_end(o);
}

void
vc_report_write_cluster(struct vc_out *o, const struct vc_cluster *c,
			const struct vc_summary *s, const struct vc_report_opts *r)
{
	struct vc_strv warnings = {0};

	vc_report_warnings(c, s, &warnings);
	vc_out_map_begin(o);
	write_cluster_head(o, c, s);
	vc_out_strv(o, "warnings", &warnings);
	vc_out_key(o, "global_caps");
	write_per_arch(o, c, s, r, global_of);
	write_quorum(o, c, s, r);
	write_model_support(o, c, s);
	write_nodes(o, c);
	vc_out_map_end(o);
	vc_strv_clear(&warnings);
}

/* ---- table for people ------------------------------------------------------ */

/* Everything a table prints from the input goes through vc_buf_escaped. */
static void
table_ids(struct vc_buf *b, const struct vc_cluster *c, const struct vc_bits *set)
{
	size_t n = 0;
	_autofree_ uint32_t *ids = vc_cluster_sorted_ids(c, set, &n);

	for (size_t i = 0; i < n; i++) {
		vc_buf_printf(b, "%s", i ? ", " : "");
		vc_buf_escaped(b, vc_names_str(&c->names, ids[i]));
	}
}

#define TABLE_COLS 10

/* kvm, tcg (virttype qemu), another virttype as it is, or "-". */
static char *
accel_cell(const struct vc_cluster *c, const struct vc_cnode *cn)
{
	const char *v = vc_names_str(&c->names, cn->virttype);

	switch (vc_cluster_accel(c, cn)) {
	case VC_ACCEL_KVM:
		return xstrdup("kvm");
	case VC_ACCEL_TCG:
		return xstrdup("tcg");
	default:
		return vc_escape_text(v ? v : "-");
	}
}

static void
table_row(const struct vc_cluster *c, const struct vc_cnode *cn, char *cells[TABLE_COLS])
{
	const uint32_t strs[] = {cn->host_model, cn->vendor, cn->libvirt_version,
				 cn->qemu_version};
	const char *arch = vc_names_str(&c->names, cn->arch);

	/* Names and label values come from the nodes: inert for a terminal. */
	cells[0] = vc_escape_text(cn->name);
	cells[1] = xstrdup(source_name(cn->scheme));
	cells[2] = vc_escape_text(arch ? arch : "-");
	cells[3] = accel_cell(c, cn);
	for (size_t i = 0; i < ARRAY_LENGTH(strs); i++) {
		const char *s = vc_names_str(&c->names, strs[i]);

		cells[i + 4] = vc_escape_text(s ? s : "-");
	}
	cells[8] = xasprintf("%zu", vc_bits_count(&cn->sets[VC_SET_MODELS]));
	cells[9] = xasprintf("%zu", vc_bits_count(&cn->sets[VC_SET_FEATURES]));
}

static void
table_line(struct vc_buf *b, char *cells[TABLE_COLS], const size_t width[TABLE_COLS])
{
	for (int i = 0; i < TABLE_COLS; i++) {
		if (i == TABLE_COLS - 1)
			vc_buf_printf(b, "%s\n", cells[i]);
		else
			vc_buf_printf(b, "%-*s  ", (int)width[i], cells[i]);
	}
}

static void
table_nodes(struct vc_buf *b, const struct vc_cluster *c)
{
	static const char *const head[TABLE_COLS] = {
		"NODE",   "SOURCE",  "ARCH", "ACCEL",  "HOST MODEL",
		"VENDOR", "LIBVIRT", "QEMU", "MODELS", "FEATURES"};
	size_t width[TABLE_COLS], rows = 0;
	char *(*cells)[TABLE_COLS] = xzalloc((c->n + 1) * sizeof(*cells));

	for (int i = 0; i < TABLE_COLS; i++) {
		cells[0][i] = xstrdup(head[i]);
		width[i] = strlen(head[i]);
	}
	for (size_t k = 0; k < c->n; k++)
		if (c->nodes[k].probed)
			table_row(c, &c->nodes[k], cells[++rows]);
	for (size_t r = 1; r <= rows; r++)
		for (int i = 0; i < TABLE_COLS; i++)
			if (strlen(cells[r][i]) > width[i])
				width[i] = strlen(cells[r][i]);
	for (size_t r = 0; r <= rows; r++) {
		table_line(b, cells[r], width);
		for (int i = 0; i < TABLE_COLS; i++)
			free(cells[r][i]);
	}
	free(cells);
}

static void
table_models(struct vc_buf *b, const struct vc_cluster *c, const struct vc_summary *s,
	     const struct vc_report_opts *r)
{
	for (size_t i = 0; i < s->n_archs; i++) {
		const struct vc_arch_summary *g = &s->archs[i];

		vc_buf_printf(b, "\nusable on all %zu ", g->nodes);
		vc_buf_escaped(b, arch_name(c, g->arch));
		vc_buf_printf(b, " nodes: ");
		if (vc_bits_empty(&g->global))
			vc_buf_printf(b, "(none)");
		table_ids(b, c, &g->global);
		vc_buf_printf(b, "\n");
		if (r->quorum) {
			size_t need = vc_quorum_needed(g->nodes, r->quorum);
			struct vc_bits set = {0};

			quorum_set(c, g, r->quorum, &set);
			vc_buf_printf(b, "usable on at least %zu (%u%%): ", need,
				      r->quorum);
			table_ids(b, c, &set);
			vc_buf_printf(b, "%s\n", vc_bits_empty(&set) ? "(none)" : "");
			vc_bits_clear(&set);
		}
	}
}

char *
vc_report_table(const struct vc_cluster *c, const struct vc_summary *s,
		const struct vc_report_opts *r)
{
	struct vc_buf b = {0};
	struct vc_strv warnings = {0};
	bool first = true;

	table_nodes(&b, c);
	for (size_t i = 0; i < c->n; i++) {
		if (c->nodes[i].probed)
			continue;
		vc_buf_printf(&b, "%s", first ? "\nunprobed: " : ", ");
		vc_buf_escaped(&b, c->nodes[i].name);
		first = false;
	}
	if (!first)
		vc_buf_printf(&b, "\n");
	table_models(&b, c, s, r);
	vc_report_warnings(c, s, &warnings);
	for (size_t i = 0; i < warnings.n; i++) {
		vc_buf_printf(&b, "%swarning: ", i ? "" : "\n");
		vc_buf_escaped(&b, warnings.v[i]);
		vc_buf_printf(&b, "\n");
	}
	vc_strv_clear(&warnings);
	return vc_buf_steal(&b, NULL);
}
