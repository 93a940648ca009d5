/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports for `caps-aggregate diff` (YAML or JSON, through the small-tree
 * parser that also reads ExecCredential output), then a diff of the
 * report with itself and with an empty report, written as text and YAML.
 */
#include "aggregate/diff-private.h"
#include "fuzz-common.h"
#include "virt-caps/diff.h"
#include "virt-caps/out.h"
#include "virt-caps/tree.h"
#include "virt-caps/util.h"

static void
diff_both_ways(const struct vc_rdoc *a, const struct vc_rdoc *b)
{
	struct vc_diff d;
	struct vc_out *o = vc_out_new(VC_FMT_YAML);
	char *text = NULL;
	size_t len;

	vc_diff_compute(a, b, &d);
	free(vc_diff_text(&d));
	vc_diff_write(o, &d);
	vc_out_finish(o, &text, &len);
	free(text);
	vc_out_free(o);
	vc_diff_clear(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_rdoc doc, empty = {0};
	struct vc_strv items = {0};
	struct vc_tree *t;

	fuzz_init();
	t = vc_tree_parse((const char *)data, size, "fuzz");
	if (t) {
		vc_tree_strings(vc_tree_get(t, "items"), &items);
		vc_strv_clear(&items);
		vc_tree_free(t);
	}
	if (vc_rdoc_parse((const char *)data, size, "fuzz", &doc) == 0) {
		diff_both_ways(&doc, &doc);
		diff_both_ways(&doc, &empty);
		diff_both_ways(&empty, &doc);
	}
	vc_rdoc_clear(&doc);
	return 0;
}
