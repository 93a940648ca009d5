/* SPDX-License-Identifier: Apache-2.0 */
/* XML parsers: errors, attributes, extraction for the baseline call. */
#include <errno.h>

#include "test-common.h"

#include "core/out-private.h"
#include "virt-caps/domcaps.h"
#include "virt-caps/out.h"
#include "virt-caps/rules.h"

static int
parse_dc(const char *xml, struct vc_domcaps *d)
{
	return vc_domcaps_parse(xml, strlen(xml), "test.xml", d);
}

START_TEST(malformed_xml)
{
	struct vc_domcaps d = {0};

	ck_assert_int_eq(parse_dc("<domainCapabilities><cpu></domainCapabilities>", &d),
			 -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "test.xml: malformed XML at line 1"));
	/* One line: the only newline is the one that ends it. */
	ck_assert_ptr_eq(strchr(test_log.v[0], '\n'),
			 test_log.v[0] + strlen(test_log.v[0]) - 1);
}
END_TEST

START_TEST(empty_and_wrong_root)
{
	struct vc_domcaps d = {0};
	struct vc_hostcaps h = {0};

	ck_assert_int_eq(parse_dc("", &d), -EINVAL);
	ck_assert_int_eq(parse_dc("  \n", &d), -EINVAL);
	ck_assert_int_eq(vc_hostcaps_parse("<domain/>", 9, "caps.xml", &h), -EINVAL);
	ck_assert_uint_eq(test_log.n, 3);
	ck_assert_str_eq(
		test_log.v[0],
		"error: test.xml: empty document, expected <domainCapabilities>\n");
	ck_assert_str_eq(
		test_log.v[2],
		"error: caps.xml: root element is <domain>, expected <capabilities>\n");
}
END_TEST

START_TEST(entities_not_expanded)
{
	const char *xml =
		"<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
		"<domainCapabilities><arch>&x;</arch>"
		"<cpu><mode name='custom'><model usable='yes'>&x;</model></mode></cpu>"
		"</domainCapabilities>";
	struct vc_domcaps d = {0};

	/* No external entity is loaded into names (no XXE). */
	if (parse_dc(xml, &d) == 0) {
		ck_assert(strempty(d.arch));
		for (size_t i = 0; i < d.n_models; i++)
			ck_assert(strempty(d.models[i].name));
	}
	vc_domcaps_clear(&d);
}
END_TEST

START_TEST(bad_numbers)
{
	struct vc_domcaps d = {0};
	struct vc_hostcaps h = {0};
	const char *caps = "<capabilities><host><cpu><counter name='tsc' frequency='-5'/>"
			   "</cpu></host></capabilities>";

	ck_assert_int_eq(parse_dc("<domainCapabilities><features><sev supported='yes'>"
				  "<maxESGuests>many</maxESGuests></sev></features>"
				  "</domainCapabilities>",
				  &d),
			 -EINVAL);
	ck_assert_int_eq(vc_hostcaps_parse(caps, strlen(caps), "caps.xml", &h), -EINVAL);
	ck_assert_str_eq(test_log.v[0],
			 "error: test.xml: <maxESGuests> is not a number: 'many'\n");
	ck_assert_str_eq(
		test_log.v[1],
		"error: caps.xml: TSC counter frequency is not a number: '-5'\n");
}
END_TEST

START_TEST(counter_last_wins)
{
	struct vc_hostcaps h = {0};
	const char *caps = "<capabilities><host><cpu>"
			   "<counter name='tsc' frequency='1' scaling='yes'/>"
			   "<counter name='other' frequency='2'/>"
			   "</cpu></host></capabilities>";
	const char *caps2 = "<capabilities><host><cpu><counter name='tsc'/></cpu></host>"
			    "</capabilities>";

	ck_assert_int_eq(vc_hostcaps_parse(caps, strlen(caps), "c", &h), 0);
	ck_assert(!h.tsc);
	vc_hostcaps_clear(&h);
	ck_assert_int_eq(vc_hostcaps_parse(caps2, strlen(caps2), "c", &h), 0);
	ck_assert(h.tsc);
	ck_assert_uint_eq(h.tsc_frequency, 0);
	ck_assert(!h.tsc_scaling);
	vc_hostcaps_clear(&h);
}
END_TEST

START_TEST(host_cpu_for_baseline)
{
	_autofree_ char *path =
		test_data_path("debian12-kvm-epyc-milan/virsh_domcapabilities.xml");
	size_t len = 0;
	_autofree_ char *xml = test_read(path, &len);
	_autofree_ char *cpu = vc_domcaps_host_cpu_xml(xml, len, "dc");

	ck_assert_ptr_nonnull(cpu);
	/* <mode name='host-model' supported='yes'> becomes a bare <cpu>. */
	ck_assert(strncmp(cpu, "<cpu>", 5) == 0);
	ck_assert_ptr_nonnull(
		strstr(cpu, "<model fallback=\"forbid\">EPYC-Milan</model>"));
	ck_assert_ptr_null(strstr(cpu, "supported="));
	ck_assert(strcmp(cpu + strlen(cpu) - 6, "</cpu>") == 0);
}
END_TEST

/* A model with <blockers> in two modes gets one entry, features merged
 * and sorted; a <blockers> without @model and deprecated='no' are not
 * reported. */
START_TEST(blockers_and_deprecated)
{
	const char *xml = "<domainCapabilities><arch>x86_64</arch><cpu>"
			  "<mode name='host-model' supported='yes'><model>H</model>"
			  "<blockers model=' M '><feature name='z'/></blockers></mode>"
			  "<mode name='custom' supported='yes'>"
			  "<model usable='no' deprecated='yes'>M</model>"
			  "<blockers model='M'><feature name='b'/><feature name='z'/>"
			  "<feature name='a'/></blockers>"
			  "<model usable='yes' deprecated='no'>N</model>"
			  "<blockers><feature name='x'/></blockers>"
			  "</mode></cpu></domainCapabilities>";
	struct vc_domcaps d = {0};
	struct vc_baseline b = {0};
	struct vc_hostcaps h = {0};
	struct vc_rules rules = {0};
	struct vc_node n = {0};

	ck_assert_int_eq(parse_dc(xml, &d), 0);
	ck_assert_uint_eq(d.n_blockers, 2);
	/* models[0] is the host-model H: every mode's <model>s count. */
	ck_assert(!d.models[0].deprecated && d.models[1].deprecated &&
		  !d.models[2].deprecated);
	vc_rules_default(&rules);
	ck_assert_int_eq(vc_rules_apply(&n, &d, &b, &h, &rules, "t"), 0);
	ck_assert_uint_eq(n.n_blockers, 1);
	ck_assert_str_eq(n.blockers[0].model, "M");
	ck_assert_uint_eq(n.blockers[0].features.n, 3);
	ck_assert_str_eq(n.blockers[0].features.v[0], "a");
	ck_assert_str_eq(n.blockers[0].features.v[1], "b");
	ck_assert_str_eq(n.blockers[0].features.v[2], "z");
	ck_assert_uint_eq(n.deprecated_models.n, 1);
	ck_assert_str_eq(n.deprecated_models.v[0], "M");
	vc_node_clear(&n);
	vc_rules_clear(&rules);
	vc_domcaps_clear(&d);
}
END_TEST

START_TEST(host_cpu_unsupported)
{
	const char *xml =
		"<domainCapabilities><cpu><mode name='host-model' supported='no'/>"
		"</cpu></domainCapabilities>";

	ck_assert_ptr_null(vc_domcaps_host_cpu_xml(xml, strlen(xml), "dc"));
	ck_assert_str_eq(
		test_log.v[0],
		"error: dc: no supported host-model CPU to compute a baseline from\n");
}
END_TEST

START_TEST(yaml_quoting)
{
	const char *quote[] = {"486", "7.2", "yes",  "No",    "on",   "null", "~",
			       "",    "1e3", "0x1f", "12:30", ".inf", "-1",   "9.0.0"};
	const char *plain[] = {"EPYC",   "pc-q35-7.2", "z14.2-base", "Skylake-Client",
			       "x86_64", "sse4.2",     "yesno",      "486DX"};

	for (size_t i = 0; i < ARRAY_LENGTH(quote); i++)
		ck_assert_msg(vc_yaml_needs_quotes(quote[i]), "'%s' not quoted",
			      quote[i]);
	for (size_t i = 0; i < ARRAY_LENGTH(plain); i++)
		ck_assert_msg(!vc_yaml_needs_quotes(plain[i]), "'%s' quoted", plain[i]);
}
END_TEST

START_TEST(output_formats)
{
	struct vc_strv l = {0};
	char *text = NULL;
	struct vc_out *o;

	vc_strv_push(&l, "486");
	vc_strv_push(&l, "Penryn");
	o = vc_out_new(VC_FMT_YAML);
	vc_out_map_begin(o);
	vc_out_strv(o, "models", &l);
	vc_out_key(o, "none");
	vc_out_str(o, NULL);
	vc_out_key(o, "empty");
	vc_out_list_begin(o);
	vc_out_list_end(o);
	vc_out_map_end(o);
	ck_assert_int_eq(vc_out_finish(o, &text, NULL), 0);
	ck_assert_str_eq(text, "models:\n- \"486\"\n- Penryn\nnone: null\nempty: []\n");
	vc_out_free(o);
	free(text);
	o = vc_out_new(VC_FMT_JSON);
	vc_out_map_begin(o);
	vc_out_strv(o, "models", &l);
	vc_out_key(o, "n");
	vc_out_uint(o, 18446744073709551615ULL);
	vc_out_map_end(o);
	ck_assert_int_eq(vc_out_finish(o, &text, NULL), 0);
	ck_assert_str_eq(text, "{\n  \"models\": [\n    \"486\",\n    \"Penryn\"\n  ],\n"
			       "  \"n\": 18446744073709551615\n}\n");
	vc_out_free(o);
	free(text);
	vc_strv_clear(&l);
}
END_TEST

START_TEST(durations)
{
	unsigned long s = 0;

	ck_assert_int_eq(vc_parse_duration("30s", &s), 0);
	ck_assert_uint_eq(s, 30);
	ck_assert_int_eq(vc_parse_duration("10m", &s), 0);
	ck_assert_uint_eq(s, 600);
	ck_assert_int_eq(vc_parse_duration("1h30m", &s), 0);
	ck_assert_uint_eq(s, 5400);
	ck_assert_int_eq(vc_parse_duration("45", &s), 0);
	ck_assert_uint_eq(s, 45);
	ck_assert_int_eq(vc_parse_duration("", &s), -EINVAL);
	ck_assert_int_eq(vc_parse_duration("1x", &s), -EINVAL);
	ck_assert_int_eq(vc_parse_duration("h", &s), -EINVAL);
	ck_assert_int_eq(vc_parse_duration("1h5", &s), -EINVAL);
	ck_assert_int_eq(vc_parse_duration("-1s", &s), -EINVAL);
	ck_assert_int_eq(vc_parse_duration("99999999999999999999s", &s), -EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("parse");
	TCase *xml = tcase_create("xml");
	TCase *out = tcase_create("output");

	test_log_fixture(xml);
	tcase_add_test(xml, malformed_xml);
	tcase_add_test(xml, empty_and_wrong_root);
	tcase_add_test(xml, entities_not_expanded);
	tcase_add_test(xml, bad_numbers);
	tcase_add_test(xml, counter_last_wins);
	tcase_add_test(xml, host_cpu_for_baseline);
	tcase_add_test(xml, host_cpu_unsupported);
	tcase_add_test(xml, blockers_and_deprecated);
	tcase_add_test(out, yaml_quoting);
	tcase_add_test(out, output_formats);
	tcase_add_test(out, durations);
	suite_add_tcase(s, xml);
	suite_add_tcase(s, out);
	return test_run(s);
}
