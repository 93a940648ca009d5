/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `kubectl get nodes -o yaml` output read by the streaming YAML reader in
 * chunks whose size the first byte picks, decoded into the cluster model
 * and summarised.
 */
#include "aggregate/cluster-private.h"
#include "fuzz-common.h"
#include "virt-caps/cluster.h"
#include "virt-caps/nodeyaml.h"
#include "virt-caps/util.h"

struct input {
	const uint8_t *data;
	size_t size;
	size_t off;
	size_t step;
};

static ssize_t
read_chunk(void *src, void *buf, size_t size)
{
	struct input *in = src;
	size_t n = in->size - in->off;

	if (n > in->step)
		n = in->step;
	if (n > size)
		n = size;
	memcpy(buf, in->data + in->off, n);
	in->off += n;
	return (ssize_t)n;
}

/* The cluster model only: from there on, the reports see what the JSON
 * reader hands over, which fuzz-nodelist covers. */
static void
summarize(struct vc_cluster *c)
{
	struct vc_summary s;

	vc_cluster_sort(c);
	vc_cluster_summarize(c, &s);
	vc_summary_clear(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_cluster c = {0};
	struct input in = {.data = data, .size = size, .off = 1};
	struct vc_nodeyaml *p;

	fuzz_init();
	if (size < 1)
		return 0;
	in.step = data[0] ? data[0] : size;
	p = vc_nodeyaml_new("fuzz", vc_cluster_add_cb, &c);
	vc_nodeyaml_set_filter(p, vc_cluster_wants);
	if (vc_nodeyaml_read(p, read_chunk, &in) == 0 && c.n > 0)
		summarize(&c);
	vc_nodeyaml_free(p);
	vc_cluster_clear(&c);
	return 0;
}
