/* SPDX-License-Identifier: Apache-2.0 */
/* Label syntax, both schemes, the digest, obsolete models, Hyper-V rule. */
#include <errno.h>

#include "test-common.h"

#include "core/labels-private.h"
#include "virt-caps/collect.h"
#include "virt-caps/hyperv.h"
#include "virt-caps/labels.h"

START_TEST(names_valid)
{
	const char *good[] = {
		"a",          "sse4.2",           "tsc_adjust",
		"z14.2-base", "pc-q35-rhel9.6.0", "Skylake-Client-noTSX-IBRS",
		"486"};
	const char *why = NULL;

	for (size_t i = 0; i < ARRAY_LENGTH(good); i++)
		ck_assert_msg(vc_label_name_valid(good[i], &why), "%s: %s", good[i], why);
}
END_TEST

START_TEST(names_invalid)
{
	const char *bad[] = {
		"",
		"-a",
		"a-",
		".a",
		"a.",
		"a b",
		"a+b",
		"a:b",
		"a/b",
		"é",
		"a23456789012345678901234567890123456789012345678901234567890123x"};
	const char *why = NULL;

	for (size_t i = 0; i < ARRAY_LENGTH(bad); i++) {
		ck_assert_msg(!vc_label_name_valid(bad[i], &why), "'%s' accepted",
			      bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(keys_and_values)
{
	const char *why = NULL;

	ck_assert(vc_label_key_valid("cpu-model.node.kubevirt.io/Skylake", &why));
	ck_assert(vc_label_key_valid("plain", &why));
	ck_assert(!vc_label_key_valid("Upper.io/x", &why));
	ck_assert(!vc_label_key_valid("a..b/x", &why));
	ck_assert(!vc_label_key_valid("-a.io/x", &why));
	ck_assert(!vc_label_key_valid("/x", &why));
	ck_assert(!vc_label_key_valid("a.io/", &why));
	ck_assert(vc_label_value_valid("", &why));
	ck_assert(vc_label_value_valid("2596128000", &why));
	ck_assert(!vc_label_value_valid("has space", &why));
	ck_assert_str_eq(why, "value may only hold letters, digits, '-', '_' and '.', "
			      "starting and ending with a letter or digit");
}
END_TEST

START_TEST(prefix_length)
{
	char prefix[260];
	const char *why = NULL;

	memset(prefix, 'a', 253);
	prefix[253] = '\0';
	ck_assert(vc_dns_subdomain_valid(prefix, &why));
	prefix[253] = 'a';
	prefix[254] = '\0';
	ck_assert(!vc_dns_subdomain_valid(prefix, &why));
	ck_assert_str_eq(why, "prefix is longer than 253 characters");
}
END_TEST

static void
sample_node(struct vc_node *n)
{
	memset(n, 0, sizeof(*n));
	n->arch = xstrdup("x86_64");
	n->virttype = xstrdup("kvm");
	n->host_model = xstrdup("EPYC-Genoa");
	n->vendor = xstrdup("AMD");
	vc_strv_push(&n->models, "EPYC");
	vc_strv_push(&n->migration_models, "EPYC");
	vc_strv_push(&n->features, "sse4.2");
	vc_strv_push(&n->required_features, "stibp");
	vc_strv_push(&n->machine_types, "q35");
	vc_strv_push(&n->hyperv, "vpindex");
	n->has_tsc = true;
	n->tsc_frequency = 2596128000ULL;
	n->security[VC_SEC_SEV] = true;
	n->realtime = true;
	n->libvirt_version = xstrdup("11.9.0");
	n->qemu_version = xstrdup("10.1.0");
}

static const char *
find(const struct vc_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i].key, key))
			return l->v[i].value;
	return NULL;
}

START_TEST(kubevirt_scheme_keys)
{
	struct vc_node n;
	struct vc_labels l = {0};
	struct vc_label_opts o = {.scheme = VC_SCHEME_KUBEVIRT};

	sample_node(&n);
	vc_labels_build(&n, &o, &l);
	ck_assert_str_eq(find(&l, "cpu-model.node.kubevirt.io/EPYC"), "true");
	ck_assert_str_eq(find(&l, "cpu-model-migration.node.kubevirt.io/EPYC"), "true");
	ck_assert_str_eq(find(&l, "cpu-feature.node.kubevirt.io/sse4.2"), "true");
	ck_assert_str_eq(find(&l, "host-model-cpu.node.kubevirt.io/EPYC-Genoa"), "true");
	ck_assert_str_eq(find(&l, "host-model-required-features.node.kubevirt.io/stibp"),
			 "true");
	ck_assert_str_eq(find(&l, "cpu-vendor.node.kubevirt.io/AMD"), "true");
	ck_assert_str_eq(find(&l, "cpu-timer.node.kubevirt.io/tsc-frequency"),
			 "2596128000");
	ck_assert_str_eq(find(&l, "cpu-timer.node.kubevirt.io/tsc-scalable"), "false");
	ck_assert_str_eq(find(&l, "machine-type.node.kubevirt.io/q35"), "true");
	ck_assert_str_eq(find(&l, "hyperv.node.kubevirt.io/vpindex"), "true");
	ck_assert_str_eq(find(&l, "kubevirt.io/sev"), "true");
	ck_assert_str_eq(find(&l, "kubevirt.io/realtime"), "true");
	ck_assert_uint_eq(l.n, 12); /* no versions, no digest in this scheme */
	vc_labels_clear(&l);
	vc_node_clear(&n);
}
END_TEST

START_TEST(nfd_scheme_digest)
{
	struct vc_node n;
	struct vc_labels l = {0};
	struct vc_label_opts o = {.scheme = VC_SCHEME_NFD};
	const char *ns = VC_NFD_NAMESPACE "/";
	unsigned long long h = VC_FNV1A_INIT;
	char hex[17];

	sample_node(&n);
	vc_labels_build(&n, &o, &l);
	ck_assert_str_eq(find(&l, VC_NFD_NAMESPACE "/host-model"), "EPYC-Genoa");
	ck_assert_str_eq(find(&l, VC_NFD_NAMESPACE "/libvirt-version"), "11.9.0");
	ck_assert_str_eq(find(&l, VC_NFD_NAMESPACE "/arch"), "x86_64");
	/* The digest is FNV-1a over the sorted lines of every other label. */
	for (size_t i = 0; i < l.n; i++) {
		_autofree_ char *line = NULL;

		ck_assert(strncmp(l.v[i].key, ns, strlen(ns)) == 0);
		if (i > 0)
			ck_assert(strcmp(l.v[i - 1].key, l.v[i].key) < 0);
		if (streq(l.v[i].key, VC_NFD_NAMESPACE "/caps-digest"))
			continue;
		line = xasprintf("%s=%s\n", l.v[i].key, l.v[i].value);
		h = vc_fnv1a(h, line, strlen(line));
	}
	snprintf(hex, sizeof(hex), "%016llx", h);
	ck_assert_str_eq(find(&l, VC_NFD_NAMESPACE "/caps-digest"), hex);
	vc_labels_clear(&l);
	vc_node_clear(&n);
}
END_TEST

START_TEST(fnv1a_vectors)
{
	/* Published FNV-1a 64-bit test vectors. */
	ck_assert_uint_eq(vc_fnv1a(VC_FNV1A_INIT, "", 0), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(vc_fnv1a(VC_FNV1A_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(vc_fnv1a(VC_FNV1A_INIT, "foobar", 6), 0x85944171f73967e8ULL);
}
END_TEST

START_TEST(custom_namespace)
{
	struct vc_node n;
	struct vc_labels l = {0};
	struct vc_label_opts o = {.scheme = VC_SCHEME_NFD,
				  .ns = "candidate.libvirt.feature.node.kubernetes.io"};

	sample_node(&n);
	vc_labels_build(&n, &o, &l);
	ck_assert_str_eq(
		find(&l, "candidate.libvirt.feature.node.kubernetes.io/cpu-model.EPYC"),
		"true");
	ck_assert_ptr_null(find(&l, VC_NFD_NAMESPACE "/cpu-model.EPYC"));
	vc_labels_clear(&l);
	vc_node_clear(&n);
}
END_TEST

START_TEST(invalid_dropped_from_record)
{
	struct vc_node n;
	struct vc_labels l = {0};
	struct vc_label_opts o = {.scheme = VC_SCHEME_NFD};
	struct vc_strv log = {0};

	sample_node(&n);
	vc_strv_push(&n.models, "Bad+Model");
	free(n.vendor);
	n.vendor = xstrdup("Bad Vendor");
	test_capture_log(&log);
	vc_labels_build(&n, &o, &l);
	test_release_log();
	ck_assert_uint_eq(n.models.n, 1);
	ck_assert_str_eq(n.models.v[0], "EPYC");
	ck_assert_ptr_null(n.vendor);
	ck_assert_uint_eq(log.n, 2);
	ck_assert_ptr_nonnull(strstr(log.v[0], "Bad+Model"));
	vc_strv_clear(&log);
	vc_labels_clear(&l);
	vc_node_clear(&n);
}
END_TEST

START_TEST(hyperv_rule)
{
	uint32_t msrs[] = {0x40000002, 0x40000022, 0x400000B0};
	struct vc_hyperv_raw raw = {.msrs = msrs, .n_msrs = ARRAY_LENGTH(msrs)};
	struct vc_strv caps = {0};

	/* vpindex has an extension: its MSR alone does not expose it. */
	raw.ext[VC_HV_BASE] = 1;
	raw.ext[VC_HV_VPINDEX] = 0;
	raw.ext[VC_HV_SYNIC2] = 2;
	vc_hyperv_caps(&raw, &caps);
	ck_assert_uint_eq(caps.n, 4);
	ck_assert_str_eq(caps.v[0], "base");
	ck_assert_str_eq(caps.v[1], "synic2");
	ck_assert_str_eq(caps.v[2], "frequencies");
	ck_assert_str_eq(caps.v[3], "synictimer");
	vc_strv_clear(&caps);
}
END_TEST

START_TEST(hyperv_live_device)
{
	struct vc_hyperv_raw raw;

	/* A missing device is an error, never a crash; /dev/kvm may or may
	 * not exist here, so only the missing case has a fixed answer. */
	ck_assert_int_eq(vc_hyperv_query("/nonexistent/kvm", &raw), -ENOENT);
	vc_hyperv_raw_clear(&raw);
}
END_TEST

START_TEST(obsolete_rules)
{
	_autofree_ char *dir = test_data_path("x86-usable-edge");
	struct vc_rules rules = {0};
	struct vc_node n = {0};
	struct vc_labels l = {0};
	struct vc_label_opts o = {.scheme = VC_SCHEME_KUBEVIRT};
	struct vc_strv log = {0};

	/* An explicit list replaces the default one and enables the label. */
	vc_strv_push(&rules.obsolete, "Skylake-Server-IBRS");
	rules.obsolete_explicit = true;
	test_capture_log(&log);
	ck_assert_int_eq(vc_collect_from_dir(dir, &rules, &n), 0);
	test_release_log();
	vc_labels_build(&n, &o, &l);
	ck_assert_str_eq(find(&l, "node-labeller.kubevirt.io/obsolete-host-model"),
			 "true");
	ck_assert_ptr_null(find(&l, "cpu-model.node.kubevirt.io/Skylake-Server-IBRS"));
	ck_assert_str_eq(find(&l, "cpu-model.node.kubevirt.io/486"), "true");
	vc_labels_clear(&l);
	vc_node_clear(&n);
	vc_rules_clear(&rules);
	vc_strv_clear(&log);
}
END_TEST

START_TEST(realtime_sysctl)
{
	_autofree_ char *dir = test_tmpdir();
	_autofree_ char *path = xasprintf("%s/rt", dir);

	test_write(path, "-1\n");
	ck_assert(vc_rules_realtime(path));
	test_write(path, "950000\n");
	ck_assert(!vc_rules_realtime(path));
	ck_assert(!vc_rules_realtime("/nonexistent"));
	test_rmtree(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("labels");
	TCase *syntax = tcase_create("kubernetes syntax");
	TCase *schemes = tcase_create("schemes");
	TCase *rules = tcase_create("rules");

	tcase_add_test(syntax, names_valid);
	tcase_add_test(syntax, names_invalid);
	tcase_add_test(syntax, keys_and_values);
	tcase_add_test(syntax, prefix_length);
	tcase_add_test(schemes, kubevirt_scheme_keys);
	tcase_add_test(schemes, nfd_scheme_digest);
	tcase_add_test(schemes, fnv1a_vectors);
	tcase_add_test(schemes, custom_namespace);
	tcase_add_test(schemes, invalid_dropped_from_record);
	tcase_add_test(rules, hyperv_rule);
	tcase_add_test(rules, hyperv_live_device);
	tcase_add_test(rules, obsolete_rules);
	tcase_add_test(rules, realtime_sysctl);
	suite_add_tcase(s, syntax);
	suite_add_tcase(s, schemes);
	suite_add_tcase(s, rules);
	return test_run(s);
}
