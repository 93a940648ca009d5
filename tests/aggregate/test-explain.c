/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explain: the missing-feature rule and each node status, over a CPU map
 * built in memory (the map reader has its own tests; the golden test
 * explain.sh runs the whole program over libvirt 9.0.0's real map).
 */
#include <errno.h>

#include "test-common.h"

#include "virt-caps/explain.h"

#define NS "libvirt.feature.node.kubernetes.io/"

/* A one-arch map: M (a, b, c, d, vmx-ept), U (c) and Z (b), sorted by name. */
struct test_map {
	struct vc_cpumap map;
	struct vc_cpumap_arch arch;
	struct vc_cpumap_model models[3];
};

static void
strv_of(struct vc_strv *l, const char *const *v)
{
	for (; *v; v++)
		vc_strv_push(l, *v);
	vc_strv_sort_uniq(l);
}

static void
test_map_init(struct test_map *t)
{
	static const char *const m[] = {"a", "b", "c", "d", "vmx-ept", NULL};
	static const char *const u[] = {"c", NULL};
	static const char *const z[] = {"b", NULL};

	memset(t, 0, sizeof(*t));
	t->models[0].name = (char *)"M";
	t->models[1].name = (char *)"U";
	t->models[2].name = (char *)"Z";
	strv_of(&t->models[0].features, m);
	strv_of(&t->models[1].features, u);
	strv_of(&t->models[2].features, z);
	t->arch.name = (char *)"x86";
	t->arch.models = t->models;
	t->arch.n_models = ARRAY_LENGTH(t->models);
	t->map.dir = (char *)"test-map";
	t->map.archs = &t->arch;
	t->map.n_archs = 1;
}

static void
test_map_clear(struct test_map *t)
{
	for (size_t i = 0; i < ARRAY_LENGTH(t->models); i++)
		vc_strv_clear(&t->models[i].features);
}

static char *
joined(const struct vc_strv *l)
{
	struct vc_buf b = {0};

	vc_buf_append(&b, "", 0);
	for (size_t i = 0; i < l->n; i++)
		vc_buf_printf(&b, "%s%s", i ? "," : "", l->v[i]);
	return vc_buf_steal(&b, NULL);
}

static char *
missing_with(const struct test_map *t, const char *const *has_v,
	     const char *const *usable_v)
{
	struct vc_strv has = {0}, usable = {0}, out = {0};
	char *s;

	strv_of(&has, has_v);
	strv_of(&usable, usable_v);
	vc_explain_missing(&t->arch, &t->models[0], &has, &usable, &out);
	s = joined(&out);
	vc_strv_clear(&has);
	vc_strv_clear(&usable);
	vc_strv_clear(&out);
	return s;
}

START_TEST(missing_rule)
{
	struct test_map t;
	const char *const none[] = {NULL};
	const char *const has_a[] = {"a", NULL};
	const char *const use_u[] = {"U", NULL};
	const char *const use_uz_x[] = {"U", "X-not-in-map", "Z", NULL};
	const char *const has_all[] = {"a", "b", "c", "d", NULL};
	char *s;

	test_map_init(&t);
	/* Nothing known: every feature but vmx-ept is missing. */
	s = missing_with(&t, none, none);
	ck_assert_str_eq(s, "a,b,c,d");
	free(s);
	/* The node's own features are not missing. */
	s = missing_with(&t, has_a, none);
	ck_assert_str_eq(s, "b,c,d");
	free(s);
	/* c comes with the usable model U. */
	s = missing_with(&t, has_a, use_u);
	ck_assert_str_eq(s, "b,d");
	free(s);
	/* A usable model the map does not know carries nothing. */
	s = missing_with(&t, has_a, use_uz_x);
	ck_assert_str_eq(s, "d");
	free(s);
	s = missing_with(&t, has_all, none);
	ck_assert_str_eq(s, "");
	free(s);
	test_map_clear(&t);
}
END_TEST

static void
add(struct vc_cluster *c, const char *name, const char *const *kv)
{
	struct vc_label_ref refs[16];
	size_t n = 0;

	for (; kv[n * 2]; n++) {
		refs[n].key = kv[n * 2];
		refs[n].value = kv[n * 2 + 1];
	}
	vc_cluster_add(c, name, refs, n);
}

/* usable, migration-only, not-usable, unknown, unprobed, an s390x node. */
static void
test_cluster(struct vc_cluster *c)
{
	const char *const u[] = {
		NS "arch", "x86_64", NS "cpu-model.M", "true", NS "cpu-model-migration.M",
		"true",    NULL};
	const char *const m[] = {NS "arch",
				 "x86_64",
				 NS "cpu-model.U",
				 "true",
				 NS "cpu-model-migration.M",
				 "true",
				 NS "cpu-feature.a",
				 "true",
				 NULL};
	const char *const n[] = {NS "arch", "x86_64", NS "cpu-model.Z", "true", NULL};
	const char *const k[] = {NS "arch", "x86_64", NS "cpu-model-migration.U", "true",
				 NULL};
	const char *const p[] = {"kubernetes.io/arch", "amd64", NULL};
	const char *const s[] = {NS "arch", "s390x", NS "cpu-model.Z", "true", NULL};

	add(c, "u", u);
	add(c, "m", m);
	add(c, "n", n);
	add(c, "k", k);
	add(c, "p", p);
	add(c, "s", s);
	vc_cluster_sort(c);
}

static const struct vc_explain_node *
node(const struct vc_explain *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (streq(e->nodes[i].name, name))
			return &e->nodes[i];
	ck_abort_msg("node %s not explained", name);
	return NULL;
}

START_TEST(statuses)
{
	struct test_map t;
	struct vc_cluster c = {0};
	struct vc_strv all = {0};
	struct vc_explain e;
	_autofree_ char *m = NULL, *n = NULL;

	test_map_init(&t);
	test_cluster(&c);
	ck_assert_int_eq(vc_explain_compute(&c, &t.map, "M", &all, &e), 0);
	ck_assert_uint_eq(e.n, 6);
	ck_assert(!e.all_usable);
	ck_assert_int_eq(node(&e, "u")->status, VC_EXPLAIN_USABLE);
	ck_assert_int_eq(node(&e, "m")->status, VC_EXPLAIN_MIGRATION_ONLY);
	ck_assert_int_eq(node(&e, "n")->status, VC_EXPLAIN_NOT_USABLE);
	ck_assert_int_eq(node(&e, "k")->status, VC_EXPLAIN_UNKNOWN);
	ck_assert_int_eq(node(&e, "p")->status, VC_EXPLAIN_UNPROBED);
	ck_assert_int_eq(node(&e, "s")->status, VC_EXPLAIN_NOT_USABLE);
	/* m has a and U's c; n has Z's b. */
	m = joined(&node(&e, "m")->missing);
	n = joined(&node(&e, "n")->missing);
	ck_assert_str_eq(m, "b,d");
	ck_assert_str_eq(n, "a,c,d");
	ck_assert(!node(&e, "u")->derived && !node(&e, "k")->derived);
	/* No map for s390x: no list, a note instead. */
	ck_assert(!node(&e, "s")->derived);
	ck_assert_str_eq(node(&e, "s")->note, "the CPU map has no models for arch s390x");
	vc_explain_clear(&e);
	vc_cluster_clear(&c);
	test_map_clear(&t);
}
END_TEST

START_TEST(obsolete_unknown_model_and_named_nodes)
{
	struct test_map t;
	struct vc_cluster c = {0};
	struct vc_strv named = {0};
	struct vc_explain e;

	test_map_init(&t);
	test_cluster(&c);
	vc_strv_push(&named, "m");
	vc_strv_push(&named, "p");
	ck_assert_int_eq(vc_explain_compute(&c, &t.map, "qemu64", &named, &e), 0);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_int_eq(node(&e, "m")->status, VC_EXPLAIN_OBSOLETE);
	ck_assert_int_eq(node(&e, "p")->status, VC_EXPLAIN_UNPROBED);
	vc_explain_clear(&e);
	/* m's QEMU knows M only (its migration labels): Nope is unknown there. */
	ck_assert_int_eq(vc_explain_compute(&c, &t.map, "Nope", &named, &e), 0);
	ck_assert_int_eq(node(&e, "m")->status, VC_EXPLAIN_UNKNOWN);
	vc_explain_clear(&e);
	vc_strv_clear(&named);
	/* n has no migration labels: not-usable, but the map cannot say why. */
	vc_strv_push(&named, "n");
	ck_assert_int_eq(vc_explain_compute(&c, &t.map, "Nope", &named, &e), 0);
	ck_assert_int_eq(node(&e, "n")->status, VC_EXPLAIN_NOT_USABLE);
	ck_assert(!node(&e, "n")->derived);
	ck_assert_str_eq(node(&e, "n")->note, "the CPU map does not know Nope");
	vc_explain_clear(&e);
	/* Named nodes that are not there: one error naming them. */
	vc_strv_push(&named, "zz");
	vc_strv_push(&named, "aa");
	ck_assert_int_eq(vc_explain_compute(&c, &t.map, "M", &named, &e), -ENOENT);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "nodes not in the input: zz, aa"));
	vc_explain_clear(&e);
	vc_strv_clear(&named);
	vc_cluster_clear(&c);
	test_map_clear(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("explain");
	TCase *r = tcase_create("missing features");
	TCase *st = tcase_create("statuses");

	test_log_fixture(st);
	tcase_add_test(r, missing_rule);
	tcase_add_test(st, statuses);
	tcase_add_test(st, obsolete_unknown_model_and_named_nodes);
	suite_add_tcase(s, r);
	suite_add_tcase(s, st);
	return test_run(s);
}
