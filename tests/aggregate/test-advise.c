/* SPDX-License-Identifier: Apache-2.0 */
/*
 * advise's snippets: whatever a model or feature name holds, the kubectl
 * patch is one single-quoted shell word holding valid JSON, and the VM
 * spec is valid YAML (names are validated where labels are read; this
 * is the second line of defense). The golden test advise.sh covers the
 * rest over real node lists and libvirt 9.0.0's map.
 */
#include "test-common.h"

#include "virt-caps/advise.h"

static void
pool_init(struct vc_advise_pool *p, struct vc_advise_candidate *cand, const char *model,
	  size_t rank)
{
	*p = (struct vc_advise_pool){.arch = (char *)"x86_64", .vendor = (char *)"AMD"};
	cand->model = (char *)model;
	cand->rank = rank;
	p->candidates = cand;
	p->n_candidates = 1;
	p->model = (char *)model;
}

START_TEST(patch_is_one_quoted_word)
{
	struct vc_advise_candidate cand;
	struct vc_advise_pool p;
	_autofree_ char *s = NULL;

	pool_init(&p, &cand, "a'b\"c\\d\x01", 10);
	s = vc_advise_snippet(&p, true);
	ck_assert_str_eq(s, "kubectl patch kubevirt kubevirt -n kubevirt --type merge -p "
			    "'{\"spec\":{\"configuration\":{\"cpuModel\":"
			    "\"a'\\''b\\\"c\\\\d\\u0001\"}}}'\n");
}
END_TEST

START_TEST(spec_quotes_what_yaml_would_misread)
{
	const char *features[] = {"486", "ok-name", "a: b", NULL};
	struct vc_advise_candidate cand;
	struct vc_advise_pool p;
	_autofree_ char *s = NULL;

	pool_init(&p, &cand, "yes", 10);
	for (const char **f = features; *f; f++)
		vc_strv_push(&p.extra_features, *f);
	s = vc_advise_snippet(&p, false);
	ck_assert_str_eq(s, "# in each VirtualMachineInstance spec (a VirtualMachine: "
			    "spec.template.spec):\n"
			    "spec:\n  domain:\n    cpu:\n      model: \"yes\"\n"
			    "      features:\n"
			    "      - {name: \"486\", policy: require}\n"
			    "      - {name: ok-name, policy: require}\n"
			    "      - {name: \"a: b\", policy: require}\n");
	vc_strv_clear(&p.extra_features);
}
END_TEST

START_TEST(unranked_has_no_snippet)
{
	struct vc_advise_candidate cand;
	struct vc_advise_pool p;

	pool_init(&p, &cand, "gen16a-base", VC_ADVISE_UNRANKED);
	ck_assert_ptr_null(vc_advise_snippet(&p, true));
	ck_assert_ptr_null(vc_advise_snippet(&p, false));
	ck_assert(!vc_advise_pool_ranked(&p));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("advise");
	TCase *t = tcase_create("snippets");

	tcase_add_test(t, patch_is_one_quoted_word);
	tcase_add_test(t, spec_quotes_what_yaml_would_misread);
	tcase_add_test(t, unranked_has_no_snippet);
	suite_add_tcase(s, t);
	return test_run(s);
}
