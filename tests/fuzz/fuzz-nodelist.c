/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node lists (List, NodeList, PartialObjectMetadataList, Node) fed to the
 * streaming reader in chunks whose size the first byte picks, decoded into
 * the cluster model, summarised and written as a YAML and a table report:
 * what caps-aggregate does with a file or API pages.
 */
#include "aggregate/cluster-private.h"
#include "fuzz-common.h"
#include "virt-caps/cluster.h"
#include "virt-caps/nodelist.h"
#include "virt-caps/out.h"
#include "virt-caps/report.h"
#include "virt-caps/util.h"

static void
report(struct vc_cluster *c)
{
	struct vc_report_opts r = {.quorum = 50};
	struct vc_summary s;
	struct vc_out *o = vc_out_new(VC_FMT_YAML);
	char *text = NULL;
	size_t len;

	vc_cluster_sort(c);
	vc_cluster_summarize(c, &s);
	vc_report_write_cluster(o, c, &s, &r);
	vc_out_finish(o, &text, &len);
	free(text);
	vc_out_free(o);
	free(vc_report_table(c, &s, &r));
	vc_summary_clear(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_cluster c = {0};
	struct vc_nodelist *p;
	size_t step, off = 1;
	int rc = 0;

	fuzz_init();
	if (size < 1)
		return 0;
	step = data[0] ? data[0] : size;
	p = vc_nodelist_new("fuzz", vc_cluster_add_cb, &c);
	vc_nodelist_set_filter(p, vc_cluster_wants);
	while (rc == 0 && off < size) {
		size_t n = size - off < step ? size - off : step;

		rc = vc_nodelist_feed(p, data + off, n);
		off += n;
	}
	if (rc == 0 && vc_nodelist_finish(p) == 0 && c.n > 0)
		report(&c);
	vc_nodelist_free(p);
	vc_cluster_clear(&c);
	return 0;
}
