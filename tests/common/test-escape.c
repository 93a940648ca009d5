/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The terminal escaping shared by log lines, -o table and diff -o text,
 * and the tree parser's limits through its API (depth, NUL, aliases).
 */
#include "test-common.h"

#include "virt-caps/escape.h"
#include "virt-caps/tree.h"

static void
check_escape(const char *in, const char *want)
{
	_autofree_ char *got = vc_escape_text(in);

	ck_assert_str_eq(got, want);
}

START_TEST(escape_controls)
{
	check_escape("plain-name.1", "plain-name.1");
	check_escape("a\tb\r\nc", "a\\x09b\\x0d\\x0ac");
	check_escape("\x1b]0;owned\x07\x1b[2J", "\\x1b]0;owned\\x07\\x1b[2J");
	check_escape("del\x7f", "del\\x7f");
	ck_assert_ptr_null(vc_escape_text(NULL));
}
END_TEST

START_TEST(escape_lines)
{
	_autofree_ char *got =
		vc_escape_lines("pool a\n  x\tb \x1b[2J \xc2\x9b\x7f\r\n\\x41\n");

	/* LF kept, everything else a terminal acts on escaped; an escape
	 * already in the text (\x41 spelled out) is left as it is. */
	ck_assert_str_eq(got, "pool a\n  x\\x09b \\x1b[2J \\xc2\\x9b\\x7f\\x0d\n\\x41\n");
}
END_TEST

START_TEST(escape_utf8)
{
	/* Valid UTF-8 passes: é, €, U+10FFFF, and NBSP (U+00A0, first after C1). */
	check_escape("caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xc2\xa0",
		     "caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xc2\xa0");
	/* C1 as UTF-8 (CSI, NEL), raw C1, stray continuation, truncation. */
	check_escape("\xc2\x9b\xc2\x85", "\\xc2\\x9b\\xc2\\x85");
	check_escape("\x9b[2J", "\\x9b[2J");
	check_escape("\xe2\x82", "\\xe2\\x82");
	/* Overlong, surrogate, past U+10FFFF, invalid lead bytes. */
	check_escape("\xc0\xaf\xe0\x80\xaf", "\\xc0\\xaf\\xe0\\x80\\xaf");
	check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");
	check_escape("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	check_escape("\xf5\xff", "\\xf5\\xff");
}
END_TEST

static struct vc_tree *
nested(const char *open, const char *close, int levels)
{
	struct vc_buf b = {0};
	struct vc_tree *t;

	for (int i = 0; i < levels; i++)
		vc_buf_printf(&b, "%s", open);
	for (int i = 0; i < levels; i++)
		vc_buf_printf(&b, "%s", close);
	t = vc_tree_parse(b.data, b.len, "test");
	vc_buf_clear(&b);
	return t;
}

START_TEST(tree_depth_limit)
{
	struct vc_tree *t = nested("[", "]", VC_TREE_MAX_DEPTH);
	const struct vc_tree *leaf = t;

	ck_assert_ptr_nonnull(t);
	for (int i = 1; i < VC_TREE_MAX_DEPTH; i++)
		leaf = leaf->items[0];
	ck_assert_int_eq(leaf->type, VC_T_LIST);
	ck_assert_uint_eq(leaf->n, 0);
	vc_tree_free(t);
	ck_assert_ptr_null(nested("[", "]", VC_TREE_MAX_DEPTH + 1));
	ck_assert_ptr_null(nested("a: [", "]", VC_TREE_MAX_DEPTH + 1));
	ck_assert_uint_eq(test_log.n, 2);
	ck_assert_ptr_nonnull(strstr(
		test_log.v[0],
		"test: invalid JSON at line 1, byte 65: nested deeper than 64 levels"));
	ck_assert_ptr_nonnull(strstr(test_log.v[1], "nested deeper than 64 levels"));
}
END_TEST

START_TEST(tree_strings_and_aliases)
{
	static const char nul[] = "{\"token\":\"ab\\u0000cd\"}";
	static const char yaml[] = "a: &x {k: v}\nb: *x\nc: [*x, *x]\n";
	struct vc_tree *t;

	ck_assert_ptr_null(vc_tree_parse(nul, strlen(nul), "test"));
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "a string contains a NUL character"));
	t = vc_tree_parse(yaml, strlen(yaml), "test");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(vc_tree_str(vc_tree_get(t, "b"), "k"), "v");
	ck_assert_str_eq(vc_tree_str(vc_tree_get(t, "c")->items[1], "k"), "v");
	/* Copies, not shared nodes: each frees on its own. */
	ck_assert_ptr_ne(vc_tree_get(t, "a"), vc_tree_get(t, "b"));
	vc_tree_free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("escape");
	TCase *e = tcase_create("escape");
	TCase *t = tcase_create("tree");

	test_log_fixture(t);
	tcase_add_test(e, escape_controls);
	tcase_add_test(e, escape_utf8);
	tcase_add_test(e, escape_lines);
	tcase_add_test(t, tree_depth_limit);
	tcase_add_test(t, tree_strings_and_aliases);
	suite_add_tcase(s, e);
	suite_add_tcase(s, t);
	return test_run(s);
}
