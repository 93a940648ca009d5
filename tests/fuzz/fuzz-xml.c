/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain capabilities, baseline and host capabilities XML: each parser on
 * the input, then KubeVirt's rules and both label schemes on what parsed,
 * as caps-probe --from-dir does with saved files.
 */
#include "fuzz-common.h"
#include "virt-caps/domcaps.h"
#include "virt-caps/labels.h"
#include "virt-caps/rules.h"
#include "virt-caps/util.h"

static void
label_both(struct vc_node *n)
{
	struct vc_label_opts lo = {.scheme = VC_SCHEME_NFD};
	struct vc_labels l = {0};

	vc_labels_build(n, &lo, &l);
	vc_labels_clear(&l);
	lo.scheme = VC_SCHEME_KUBEVIRT;
	vc_labels_build(n, &lo, &l);
	vc_labels_clear(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	struct vc_domcaps d = {0};
	struct vc_baseline b = {0};
	struct vc_hostcaps h = {0};
	struct vc_rules opts;
	struct vc_node n = {0};
	int rd, rb, rh;

	fuzz_init();
	free(vc_domcaps_host_cpu_xml(xml, size, "fuzz"));
	rd = vc_domcaps_parse(xml, size, "fuzz", &d);
	rb = vc_baseline_parse(xml, size, "fuzz", &b);
	rh = vc_hostcaps_parse(xml, size, "fuzz", &h);
	if (rd == 0 && rh == 0) {
		vc_rules_default(&opts);
		if (vc_rules_apply(&n, &d, rb == 0 ? &b : NULL, &h, &opts, "fuzz") == 0) {
			vc_node_normalize(&n);
			label_both(&n);
		}
		vc_node_clear(&n);
		vc_rules_clear(&opts);
	}
	vc_domcaps_clear(&d);
	vc_baseline_clear(&b);
	vc_hostcaps_clear(&h);
	return 0;
}
