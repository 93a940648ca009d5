/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label decoding without JSON around it: the first line is a label
 * selector (caps-aggregate -l with -f), every further line a node's
 * key=value label; lines after "---" start the next node. Keys and values
 * go through the syntax checks, the selector and both schemes' decoding.
 */
#include "core/labels-private.h"
#include "fuzz-common.h"
#include "virt-caps/cluster.h"
#include "virt-caps/labels.h"
#include "virt-caps/selector.h"
#include "virt-caps/util.h"

#define MAX_LABELS 512

static void
add_node(struct vc_cluster *c, const struct vc_selector *sel, unsigned i,
	 const struct vc_label_ref *refs, size_t n)
{
	char name[32];
	const char *why;

	for (size_t k = 0; k < n; k++) {
		vc_label_key_valid(refs[k].key, &why);
		if (refs[k].value) /* NULL: a non-string JSON value */
			vc_label_value_valid(refs[k].value, &why);
	}
	if (sel && !vc_selector_match(sel, refs, n))
		return;
	snprintf(name, sizeof(name), "node-%u", i);
	vc_cluster_add(c, name, refs, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_autofree_ char *text = xzalloc(size + 1);
	struct vc_label_ref refs[MAX_LABELS];
	struct vc_selector sel = {0};
	struct vc_cluster c = {0};
	struct vc_summary s;
	char *line, *save = NULL;
	bool have_sel;
	unsigned nodes = 0;
	size_t n = 0;

	fuzz_init();
	memcpy(text, data, size);
	text[size] = '\0';
	line = strtok_r(text, "\n", &save);
	have_sel = line && vc_selector_parse(line, &sel) == 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *eq = strchr(line, '=');

		if (strcmp(line, "---") == 0 || n == MAX_LABELS) {
			add_node(&c, have_sel ? &sel : NULL, nodes++, refs, n);
			n = 0;
			continue;
		}
		if (eq)
			*eq = '\0';
		refs[n].key = line;
		refs[n++].value = eq ? eq + 1 : NULL;
	}
	add_node(&c, have_sel ? &sel : NULL, nodes, refs, n);
	vc_cluster_sort(&c);
	vc_cluster_summarize(&c, &s);
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
	if (have_sel)
		vc_selector_clear(&sel);
	return 0;
}
