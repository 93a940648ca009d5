/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/warnings.h"

#include "virt-caps/labels.h"

#define MAX_NAMED 5     /* nodes named in a warning about several */
#define MAX_DISAGREE 10 /* nodes with a disagreement warning of their own */

typedef bool node_pred(const struct vc_cluster *c, const struct vc_cnode *cn);

/* How many nodes @pred holds for, in name order; *@names gets the first
 * few ("a, b, c, d, e, ..."), *@first the first one. */
static size_t
matching(const struct vc_cluster *c, node_pred *pred, char **names, const char **first)
{
	struct vc_buf b = {0};
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < c->n; i++) {
		if (!pred(c, &c->nodes[i]))
			continue;
		if (!n)
			*first = c->nodes[i].name;
		if (n < MAX_NAMED)
			vc_buf_printf(&b, "%s%s", n ? ", " : "", c->nodes[i].name);
		else if (n == MAX_NAMED)
			vc_buf_printf(&b, ", ...");
		n++;
	}
	*names = vc_buf_steal(&b, NULL);
	return n;
}

static void
join_ids(struct vc_buf *b, const struct vc_cluster *c, const struct vc_bits *set)
{
	size_t n = 0;
	_autofree_ uint32_t *ids = vc_cluster_sorted_ids(c, set, &n);

	for (size_t i = 0; i < n; i++)
		vc_buf_printf(b, "%s%s", i ? ", " : "", vc_names_str(&c->names, ids[i]));
}

static void
warn_vendors(const struct vc_cluster *c, const struct vc_summary *s, struct vc_strv *out)
{
	struct vc_buf b = {0};

	if (vc_bits_count(&s->vendors) < 2)
		return;
	vc_buf_printf(&b, "mixed CPU vendors (");
	join_ids(&b, c, &s->vendors);
	vc_buf_printf(&b,
		      "): VMs cannot live-migrate between nodes of different vendors");
	vc_strv_push_owned(out, vc_buf_steal(&b, NULL));
}

static bool
is_unread(const struct vc_cluster *c, const struct vc_cnode *cn)
{
	return cn->kubevirt_unread;
}

/* Under an explicit namespace: KubeVirt's labels were there, not read. */
static void
warn_unread(const struct vc_cluster *c, struct vc_strv *out)
{
	_autofree_ char *names = NULL;
	const char *first;
	size_t n = matching(c, is_unread, &names, &first);

	if (!n)
		return;
	vc_strv_push_owned(
		out,
		xasprintf("%zu node%s carr%s only KubeVirt's labels, none under "
			  "--label-namespace %s (first: %s): listed as unprobed; "
			  "without --label-namespace KubeVirt's labels would be read",
			  n, vc_plural(n), n == 1 ? "ies" : "y", c->ns, first));
}

static void
warn_disagree(const struct vc_cluster *c, struct vc_strv *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct vc_cnode *cn = &c->nodes[i];

		if (!cn->disagree || n++ >= MAX_DISAGREE)
			continue;
		vc_strv_push_owned(out, xasprintf("node %s: caps-probe's labels and "
						  "KubeVirt's disagree (%s); the report "
						  "uses caps-probe's",
						  cn->name, cn->disagree));
	}
	if (n > MAX_DISAGREE)
		vc_strv_push_owned(out,
				   xasprintf("%zu more nodes' caps-probe and KubeVirt "
					     "labels disagree (not listed one by one)",
					     n - MAX_DISAGREE));
}

static bool
has_no_model(const struct vc_cluster *c, const struct vc_cnode *cn)
{
	return cn->probed && vc_bits_empty(&cn->sets[VC_SET_MODELS]);
}

static void
warn_no_model(const struct vc_cluster *c, struct vc_strv *out)
{
	_autofree_ char *names = NULL;
	const char *first;
	size_t n = matching(c, has_no_model, &names, &first);

	if (n == 1)
		vc_strv_push_owned(out,
				   xasprintf("node %s has no usable CPU model: no VM "
					     "asking for a named CPU model can run "
					     "there, and global_caps of its arch is "
					     "empty",
					     first));
	else if (n > 1)
		vc_strv_push_owned(out, xasprintf("%zu nodes (%s) have no usable CPU "
						  "model: no VM asking for a named CPU "
						  "model can run there, and global_caps "
						  "of their arch is empty",
						  n, names));
}

static bool
is_tcg(const struct vc_cluster *c, const struct vc_cnode *cn)
{
	return cn->probed && vc_cluster_accel(c, cn) == VC_ACCEL_TCG;
}

/* TCG's host model and vendor describe QEMU's emulated CPU: next to KVM
 * nodes they would pass for the hardware's. */
static void
warn_tcg(const struct vc_cluster *c, const struct vc_summary *s, struct vc_strv *out)
{
	size_t kvm = s->accel[VC_ACCEL_KVM];
	_autofree_ char *names = NULL;
	const char *first;
	size_t n;

	if (!kvm || !s->accel[VC_ACCEL_TCG])
		return;
	n = matching(c, is_tcg, &names, &first);
	if (n == 1)
		vc_strv_push_owned(out, xasprintf("node %s was probed with software "
						  "emulation (virttype qemu) next to "
						  "%zu kvm node%s: its host model and "
						  "vendor are QEMU's, not the hardware's",
						  first, kvm, vc_plural(kvm)));
	else
		vc_strv_push_owned(out, xasprintf("%zu nodes (%s) were probed with "
						  "software emulation (virttype qemu) "
						  "next to %zu kvm node%s: their host "
						  "models and vendors are QEMU's, not "
						  "the hardware's",
						  n, names, kvm, vc_plural(kvm)));
}

void
vc_report_warnings(const struct vc_cluster *c, const struct vc_summary *s,
		   struct vc_strv *out)
{
	size_t unprobed = c->n - s->probed - s->kubevirt_unread;

	warn_vendors(c, s, out);
	if (s->n_archs > 1)
		vc_strv_push_owned(
			out, xasprintf("%zu architectures: global_caps is given per "
				       "arch and models never compare across them",
				       s->n_archs));
	if (unprobed)
		vc_strv_push_owned(
			out, xasprintf("%zu of %zu nodes carry no CPU capability labels "
				       "(listed as unprobed)",
				       unprobed, c->n));
	warn_unread(c, out);
	if (c->odd_labels)
		vc_strv_push_owned(out,
				   xasprintf("%zu labels with odd values were skipped",
					     c->odd_labels));
	warn_disagree(c, out);
	warn_no_model(c, out);
	warn_tcg(c, s, out);
}
