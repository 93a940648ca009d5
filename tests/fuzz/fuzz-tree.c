/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The small-document tree on its own (JSON when the input starts with '['
 * or '{', YAML otherwise), with its promises checked, not only its
 * memory: no tree deeper than VC_TREE_MAX_DEPTH, every string escaped
 * for the terminal without a control byte left, and the input itself
 * through the escaping helper.
 */
#include "fuzz-common.h"
#include "virt-caps/escape.h"
#include "virt-caps/tree.h"
#include "virt-caps/util.h"

/* A byte a terminal could act on: C0 but LF, DEL, C1 (raw or as UTF-8). */
static void
check_inert(const char *s)
{
	_autofree_ char *e = vc_escape_text(s);
	const unsigned char *p = (const unsigned char *)e;

	for (size_t i = 0; p[i]; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			abort();
		if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			abort();
	}
}

struct walk {
	const struct vc_tree *t;
	int depth; /* collections above and including t */
};

/* Iterative, as a tree from a hostile input must be walkable. */
static void
check_tree(const struct vc_tree *root)
{
	struct vc_buf stack = {0};
	struct walk w = {root, 0};

	vc_buf_append(&stack, &w, sizeof(w));
	while (stack.len) {
		stack.len -= sizeof(w);
		memcpy(&w, stack.data + stack.len, sizeof(w));
		if (w.t->type == VC_T_LIST || w.t->type == VC_T_MAP)
			w.depth++;
		if (w.depth > VC_TREE_MAX_DEPTH ||
		    (w.t->type == VC_T_SCALAR) != !!w.t->text)
			abort();
		if (w.t->text)
			check_inert(w.t->text);
		for (size_t i = 0; i < w.t->n; i++) {
			struct walk c = {w.t->items[i], w.depth};

			if (w.t->keys)
				check_inert(w.t->keys[i]);
			vc_buf_append(&stack, &c, sizeof(c));
		}
	}
	vc_buf_clear(&stack);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_tree *t;
	char *text = xstrndup((const char *)data, size);

	fuzz_init();
	check_inert(text);
	free(text);
	t = vc_tree_parse((const char *)data, size, "fuzz");
	if (t) {
		check_tree(t);
		vc_tree_free(t);
	}
	return 0;
}
