/* SPDX-License-Identifier: Apache-2.0 */
/* The metrics text (no server): addresses, counters, gauges, escaping. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "test-common.h"

#include "probe/metrics-private.h"

static void
metricsp(struct vc_metrics **m)
{
	vc_metrics_stop(*m);
}

START_TEST(address_forms)
{
	struct sockaddr_storage a;
	socklen_t len = 0;

	ck_assert_int_eq(vc_metrics_parse_address("127.0.0.1:9100", &a, &len), 0);
	ck_assert_int_eq(a.ss_family, AF_INET);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&a)->sin_port), 9100);
	ck_assert_int_eq(vc_metrics_parse_address("[::1]:0", &a, &len), 0);
	ck_assert_int_eq(a.ss_family, AF_INET6);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(vc_metrics_parse_address("0.0.0.0:65535", &a, &len), 0);
	ck_assert_int_eq(vc_metrics_parse_address("0.0.0.0:65536", &a, &len), -EINVAL);
	ck_assert_int_eq(vc_metrics_parse_address(":9100", &a, &len), -EINVAL);
	ck_assert_int_eq(vc_metrics_parse_address("9100", &a, &len), -EINVAL);
	ck_assert_int_eq(vc_metrics_parse_address("localhost:9100", &a, &len), -EINVAL);
	ck_assert_int_eq(vc_metrics_parse_address("[]:9100", &a, &len), -EINVAL);
	ck_assert_int_eq(vc_metrics_parse_address("[::1]:+80", &a, &len), -EINVAL);
	ck_assert_int_eq(vc_metrics_parse_address("127.0.0.1:80 ", &a, &len), -EINVAL);
}
END_TEST

START_TEST(no_gauges_before_success)
{
	_cleanup_(metricsp) struct vc_metrics *m = vc_metrics_new();
	struct vc_probe_outcome failed = {.ok = false, .duration = 2.5};
	_autofree_ char *text = NULL;
	size_t len = 0;

	vc_metrics_update(m, &failed);
	text = vc_metrics_render(m, &len);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_ptr_nonnull(
		strstr(text, "caps_probe_probes_total{result=\"failure\"} 1\n"));
	ck_assert_ptr_nonnull(
		strstr(text, "caps_probe_probes_total{result=\"success\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "# TYPE caps_probe_labels gauge\n"));
	/* A gauge's header, never a sample: no probe has found anything. */
	ck_assert_ptr_null(strstr(text, "caps_probe_labels{"));
	ck_assert_ptr_null(strstr(text, "caps_probe_probe_duration_seconds{"));
}
END_TEST

START_TEST(gauges_of_last_success)
{
	_cleanup_(metricsp) struct vc_metrics *m = vc_metrics_new();
	struct vc_probe_outcome o = {
		.ok = true,
		.started = 1700000000,
		.duration = 0.25,
		.virttype = (char *)"kvm",
		.host_model = (char *)"Skylake-Server-IBRS",
		.usable_models = 12,
		.labels = 345,
	};
	struct vc_probe_outcome failed = {.ok = false, .duration = 9};
	_autofree_ char *text = NULL;
	size_t len = 0;

	vc_metrics_update(m, &o);
	vc_metrics_update(m, &o);
	vc_metrics_update(m, &failed);
	text = vc_metrics_render(m, &len);
	ck_assert_ptr_nonnull(
		strstr(text, "caps_probe_probes_total{result=\"success\"} 2\n"));
	ck_assert_ptr_nonnull(
		strstr(text, "caps_probe_probes_total{result=\"failure\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
		text, "caps_probe_labels{virttype=\"kvm\",host_model=\"Skylake-Server-"
		      "IBRS\"} 345\n"));
	ck_assert_ptr_nonnull(strstr(text, "caps_probe_usable_models{virttype=\"kvm\","
					   "host_model=\"Skylake-Server-IBRS\"} 12\n"));
	/* The failed probe's 9 s is not the last success's duration. */
	ck_assert_ptr_nonnull(strstr(text, "caps_probe_probe_duration_seconds{virttype="
					   "\"kvm\",host_model=\"Skylake-Server-IBRS\"} "
					   "0.250000\n"));
	ck_assert_ptr_nonnull(strstr(text, "caps_probe_last_success_timestamp_seconds{"
					   "virttype=\"kvm\",host_model=\"Skylake-Server-"
					   "IBRS\"} 1700000000.250000\n"));
}
END_TEST

/* The text format escapes \, " and newline in label values, nothing else. */
START_TEST(label_value_escaped)
{
	_cleanup_(metricsp) struct vc_metrics *m = vc_metrics_new();
	struct vc_probe_outcome o = {
		.ok = true,
		.virttype = (char *)"qemu",
		.host_model = (char *)"a\"b\\c\nd e",
		.labels = 1,
	};
	_autofree_ char *text = NULL;
	size_t len = 0;

	vc_metrics_update(m, &o);
	text = vc_metrics_render(m, &len);
	ck_assert_ptr_nonnull(strstr(
		text,
		"caps_probe_labels{virttype=\"qemu\",host_model=\"a\\\"b\\\\c\\nd e\"} 1\n"));
}
END_TEST

START_TEST(unknown_host_model_empty)
{
	_cleanup_(metricsp) struct vc_metrics *m = vc_metrics_new();
	struct vc_probe_outcome o = {.ok = true, .virttype = (char *)"qemu", .labels = 7};
	_autofree_ char *text = NULL;
	size_t len = 0;

	vc_metrics_update(m, &o);
	text = vc_metrics_render(m, &len);
	ck_assert_ptr_nonnull(
		strstr(text, "caps_probe_labels{virttype=\"qemu\",host_model=\"\"} 7\n"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *address = tcase_create("address");
	TCase *text = tcase_create("exposition text");

	tcase_add_test(address, address_forms);
	tcase_add_test(text, no_gauges_before_success);
	tcase_add_test(text, gauges_of_last_success);
	tcase_add_test(text, label_value_escaped);
	tcase_add_test(text, unknown_host_model_empty);
	suite_add_tcase(s, address);
	suite_add_tcase(s, text);
	return test_run(s);
}
