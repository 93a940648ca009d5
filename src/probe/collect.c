/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/collect.h"

#include <errno.h>

#include "virt-caps/domcaps.h"
#include "virt-caps/hyperv.h"
#include "virt-caps/log.h"
#include "virt-caps/rules.h"

#define XML_MAX (16 * 1024 * 1024)
#define RT_SYSCTL "/proc/sys/kernel/sched_rt_runtime_us"

/* A saved document: its path (for messages) and text. */
struct saved {
	char *path;
	char *text;
	size_t len;
};

static void
saved_clear(struct saved *s)
{
	free(s->path);
	free(s->text);
}

static int
load_saved(const char *dir, const char *file, struct saved *s)
{
	int rc;

	s->path = xasprintf("%s/%s", dir, file);
	rc = vc_read_file(s->path, XML_MAX, &s->text, &s->len);
	if (rc == -EFBIG)
		vc_err("%s: larger than %d MiB", s->path, XML_MAX >> 20);
	else if (rc < 0)
		vc_err("cannot read %s: %s", s->path, strerror(-rc));
	return rc < 0 ? -EINVAL : 0;
}

struct docs {
	struct vc_domcaps domcaps;
	struct vc_baseline baseline;
	struct vc_hostcaps host;
	bool have_baseline;
};

static void
docs_clear(struct docs *d)
{
	vc_domcaps_clear(&d->domcaps);
	vc_baseline_clear(&d->baseline);
	vc_hostcaps_clear(&d->host);
}

static int
build_node(struct vc_node *n, struct docs *d, const struct vc_rules *rules,
	   const char *what)
{
	return vc_rules_apply(n, &d->domcaps, d->have_baseline ? &d->baseline : NULL,
			      &d->host, rules, what);
}

/* node-labeller.sh's file names, as the old collection scripts saved them. */
static int
load_dir(const char *dir, struct docs *d)
{
	_cleanup_(saved_clear) struct saved dc = {0}, caps = {0}, sf = {0};
	const char *arch;

	if (load_saved(dir, "virsh_domcapabilities.xml", &dc) < 0 ||
	    vc_domcaps_parse(dc.text, dc.len, dc.path, &d->domcaps) < 0 ||
	    load_saved(dir, "capabilities.xml", &caps) < 0 ||
	    vc_hostcaps_parse(caps.text, caps.len, caps.path, &d->host) < 0)
		return -EINVAL;
	arch = !strempty(d->domcaps.arch) ? d->domcaps.arch : d->host.arch;
	if (!vc_arch_has_named_models(arch))
		return 0;
	if (load_saved(dir, "supported_features.xml", &sf) < 0 ||
	    vc_baseline_parse(sf.text, sf.len, sf.path, &d->baseline) < 0)
		return -EINVAL;
	d->have_baseline = true;
	return 0;
}

int
vc_collect_from_dir(const char *dir, const struct vc_rules *rules, struct vc_node *n)
{
	_cleanup_(docs_clear) struct docs d = {0};

	if (load_dir(dir, &d) < 0)
		return -EINVAL;
	return build_node(n, &d, rules, dir);
}

static int
parse_probe(const struct vc_probe_result *r, struct docs *d)
{
	if (vc_domcaps_parse(r->domcaps_xml, strlen(r->domcaps_xml),
			     "domain capabilities from libvirt", &d->domcaps) < 0 ||
	    vc_hostcaps_parse(r->caps_xml, strlen(r->caps_xml),
			      "host capabilities from libvirt", &d->host) < 0)
		return -EINVAL;
	if (r->baseline_xml) {
		if (vc_baseline_parse(r->baseline_xml, strlen(r->baseline_xml),
				      "baseline CPU from libvirt", &d->baseline) < 0)
			return -EINVAL;
		d->have_baseline = true;
	}
	return 0;
}

static void
add_hyperv(struct vc_node *n, const char *dev)
{
	struct vc_hyperv_raw raw;
	int rc = vc_hyperv_query(dev, &raw);

	if (rc < 0)
		vc_info("no Hyper-V capabilities: cannot query %s: %s", dev,
			strerror(-rc));
	else
		vc_hyperv_caps(&raw, &n->hyperv);
	vc_hyperv_raw_clear(&raw);
}

enum vc_result
vc_collect_live(const struct vc_probe_opts *o, const struct vc_rules *rules,
		struct vc_node *n)
{
	_cleanup_(vc_probe_result_clear) struct vc_probe_result r = {0};
	_cleanup_(docs_clear) struct docs d = {0};
	enum vc_result rc = vc_probe_run(o, &r);

	if (rc < 0)
		return rc;
	/* XML from libvirt that does not parse is libvirt's failure; a host
	 * that KubeVirt's rules cannot label (no host-model) is the data's. */
	if (parse_probe(&r, &d) < 0)
		return VC_ERR_BACKEND;
	if (build_node(n, &d, rules, "libvirt") < 0)
		return VC_ERR_INPUT;
	n->libvirt_version = vc_probe_version_string(r.lib_version);
	n->qemu_version = vc_probe_version_string(r.hv_version);
	if (streq(n->arch, "x86_64"))
		add_hyperv(n, o->kvm_dev ? o->kvm_dev : "/dev/kvm");
	n->realtime = vc_rules_realtime(RT_SYSCTL);
	vc_node_normalize(n);
	return VC_OK;
}
