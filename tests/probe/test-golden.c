/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden tests: every directory under tests/probe/golden with a
 * virsh_domcapabilities.xml is a host. From its saved node-labeller files
 * we compute labels in both schemes and the YAML/JSON node report and
 * compare them with the files beside them:
 *   labels.nfd, labels.kubevirt   label lines
 *   warnings.nfd, warnings.kubevirt  dropped-label warnings (absent: none)
 *   report.yaml, report.json      caps-probe's node report (nfd scheme)
 *   decoded.kubevirt.yaml         the kubevirt labels read back by
 *                                 caps-aggregate's decoder (the nfd labels
 *                                 must read back as report.yaml without
 *                                 blockers and deprecated_models)
 *   expected-error                the host cannot be labelled; the
 *                                 file holds part of the error message
 * VC_TEST_REGENERATE=1 rewrites them for review in `git diff`.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "test-common.h"

#include "virt-caps/cluster.h"
#include "virt-caps/collect.h"
#include "virt-caps/labels.h"
#include "virt-caps/nodereport.h"
#include "virt-caps/report.h"

static struct vc_strv cases;

static void
find_cases(void)
{
	DIR *d = opendir(TEST_DATA_DIR);
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "cannot open %s\n", TEST_DATA_DIR);
		exit(1);
	}
	while ((e = readdir(d))) {
		_autofree_ char *probe = xasprintf("%s/%s/virsh_domcapabilities.xml",
						   TEST_DATA_DIR, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && stat(probe, &st) == 0)
			vc_strv_push(&cases, e->d_name);
	}
	closedir(d);
	vc_strv_sort_uniq(&cases);
}

static char *
labels_text(const struct vc_labels *l)
{
	struct vc_buf b = {0};

	for (size_t i = 0; i < l->n; i++)
		vc_buf_printf(&b, "%s=%s\n", l->v[i].key, l->v[i].value);
	return vc_buf_steal(&b, NULL);
}

static char *
report_text(const struct vc_node *n, enum vc_format f, bool probe)
{
	struct vc_out *o = vc_out_new(f);
	char *text = NULL;

	if (probe)
		vc_nodereport_write_probe(o, n);
	else
		vc_nodereport_write(o, n);
	ck_assert_int_eq(vc_out_finish(o, &text, NULL), 0);
	vc_out_free(o);
	return text;
}

/* Read the labels back the way caps-aggregate does; the node report. */
static char *
decode_text(const char *name, const struct vc_labels *l)
{
	struct vc_cluster c = {0};
	struct vc_label_ref *refs = xzalloc((l->n + 1) * sizeof(*refs));
	struct vc_node view;
	char *text;

	for (size_t i = 0; i < l->n; i++) {
		refs[i].key = l->v[i].key;
		refs[i].value = l->v[i].value;
	}
	vc_cluster_add(&c, name, refs, l->n);
	vc_cluster_sort(&c);
	ck_assert(c.nodes[0].probed);
	vc_cluster_view(&c, &c.nodes[0], &view);
	text = report_text(&view, VC_FMT_YAML, false);
	vc_cluster_view_release(&view);
	vc_cluster_clear(&c);
	free(refs);
	return text;
}

static void
check_decode(const char *dir, const char *name, const struct vc_labels *l,
	     enum vc_label_scheme scheme, const char *report_yaml)
{
	_autofree_ char *decoded = decode_text(name, l);
	_autofree_ char *path = xasprintf("%s/decoded.kubevirt.yaml", dir);

	if (scheme == VC_SCHEME_NFD)
		ck_assert_msg(streq(decoded, report_yaml),
			      "%s: nfd labels do not read back as report.yaml:\n%s", name,
			      decoded);
	else
		test_golden(path, decoded);
}

static void
check_scheme(const char *dir, const char *name, enum vc_label_scheme scheme)
{
	const char *suffix = scheme == VC_SCHEME_NFD ? "nfd" : "kubevirt";
	struct vc_rules rules = {0};
	struct vc_label_opts lo = {.scheme = scheme};
	struct vc_node n = {0};
	struct vc_labels l = {0};
	struct vc_strv log = {0};
	_autofree_ char *lpath = xasprintf("%s/labels.%s", dir, suffix);
	_autofree_ char *wpath = xasprintf("%s/warnings.%s", dir, suffix);
	_autofree_ char *ltext = NULL, *wtext = NULL;

	vc_rules_default(&rules);
	test_capture_log(&log);
	ck_assert_int_eq(vc_collect_from_dir(dir, &rules, &n), 0);
	n.name = xstrdup(name);
	vc_labels_build(&n, &lo, &l);
	test_release_log();
	ltext = labels_text(&l);
	wtext = test_log_text(&log);
	test_golden(lpath, ltext);
	test_golden(wpath, wtext);
	if (scheme == VC_SCHEME_NFD) {
		_autofree_ char *ypath = xasprintf("%s/report.yaml", dir);
		_autofree_ char *jpath = xasprintf("%s/report.json", dir);
		_autofree_ char *y = report_text(&n, VC_FMT_YAML, true);
		_autofree_ char *j = report_text(&n, VC_FMT_JSON, true);
		/* Labels carry all but the probe-only fields (blockers). */
		_autofree_ char *common = report_text(&n, VC_FMT_YAML, false);

		test_golden(ypath, y);
		test_golden(jpath, j);
		check_decode(dir, name, &l, scheme, common);
	} else {
		check_decode(dir, name, &l, scheme, NULL);
	}
	vc_labels_clear(&l);
	vc_node_clear(&n);
	vc_rules_clear(&rules);
	vc_strv_clear(&log);
}

static void
check_error(const char *dir, const char *epath)
{
	_autofree_ char *want = test_read(epath, NULL);
	struct vc_rules rules = {0};
	struct vc_node n = {0};
	struct vc_strv log = {0};
	_autofree_ char *got = NULL;

	want[strcspn(want, "\n")] = '\0';
	vc_rules_default(&rules);
	test_capture_log(&log);
	ck_assert_int_eq(vc_collect_from_dir(dir, &rules, &n), -EINVAL);
	test_release_log();
	got = test_log_text(&log);
	ck_assert_msg(strstr(got, want), "error '%s' does not mention '%s'", got, want);
	ck_assert_uint_eq(log.n, 1); /* reported once */
	vc_node_clear(&n);
	vc_rules_clear(&rules);
	vc_strv_clear(&log);
}

START_TEST(golden_case)
{
	/* Relative paths, so that messages in golden files do not depend on
	 * where the tree is checked out (main() changed into the data dir). */
	const char *name = cases.v[_i];
	const char *dir = name;
	_autofree_ char *epath = xasprintf("%s/expected-error", dir);
	struct stat st;

	if (stat(epath, &st) == 0) {
		check_error(dir, epath);
		return;
	}
	check_scheme(dir, name, VC_SCHEME_NFD);
	check_scheme(dir, name, VC_SCHEME_KUBEVIRT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("saved node-labeller files");
	int rc;

	find_cases();
	if (cases.n < 8) {
		fprintf(stderr, "only %zu golden cases found in %s\n", cases.n,
			TEST_DATA_DIR);
		return 1;
	}
	if (chdir(TEST_DATA_DIR) < 0) {
		perror(TEST_DATA_DIR);
		return 1;
	}
	tcase_add_loop_test(tc, golden_case, 0, (int)cases.n);
	suite_add_tcase(s, tc);
	rc = test_run(s);
	vc_strv_clear(&cases);
	return rc;
}
