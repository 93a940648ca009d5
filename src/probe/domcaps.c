/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/domcaps.h"

#include <ctype.h>
#include <errno.h>

#include "virt-caps/log.h"
#include "virt-caps/xml.h"

static bool
prop_is(xmlNodePtr node, const char *name, const char *want)
{
	_autofree_ char *v = vc_xml_prop(node, name);

	return streq(v, want);
}

static bool
supported_yes(xmlXPathContextPtr ctx, const char *expr)
{
	_autofree_ char *v = vc_xml_string(ctx, NULL, expr);

	return streq(v, "yes");
}

/* Collect feature names of @nodes whose policy is @policy ("" = absent). */
static void
collect_features(xmlXPathObjectPtr o, const char *policy, struct vc_strv *out)
{
	for (size_t i = 0; i < vc_xml_count(o); i++) {
		xmlNodePtr n = o->nodesetval->nodeTab[i];
		_autofree_ char *p = vc_xml_prop(n, "policy");
		_autofree_ char *name = vc_xml_prop(n, "name");

		if (!name)
			continue;
		if (streq(p ? p : "", policy))
			vc_strv_push(out, name);
	}
}

static void
parse_host_model(xmlXPathContextPtr ctx, struct vc_domcaps *d)
{
	_autoxpathobj_ xmlXPathObjectPtr modes = vc_xml_nodes(
		ctx, NULL, "/domainCapabilities/cpu/mode[@name='host-model']");
	_autoxpathobj_ xmlXPathObjectPtr models = NULL, feats = NULL;
	xmlNodePtr mode;

	if (vc_xml_count(modes) == 0)
		return;
	mode = modes->nodesetval->nodeTab[0];
	d->host_model_present = true;
	d->host_model_supported = vc_xml_prop(mode, "supported");
	models = vc_xml_nodes(ctx, mode, "model");
	d->host_model_count = vc_xml_count(models);
	if (d->host_model_count > 0)
		d->host_model = vc_xml_text(models->nodesetval->nodeTab[0]);
	d->host_vendor = vc_xml_string(ctx, mode, "vendor");
	feats = vc_xml_nodes(ctx, mode, "feature");
	collect_features(feats, "require", &d->host_require);
}

static void
parse_models(xmlXPathContextPtr ctx, struct vc_domcaps *d)
{
	_autoxpathobj_ xmlXPathObjectPtr o =
		vc_xml_nodes(ctx, NULL, "/domainCapabilities/cpu/mode/model");
	size_t n = vc_xml_count(o);

	d->models = xzalloc(n * sizeof(*d->models));
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr m = o->nodesetval->nodeTab[i];

		d->models[i].name = vc_trim(vc_xml_text(m));
		d->models[i].usable = vc_xml_prop(m, "usable");
		d->models[i].deprecated = prop_is(m, "deprecated", "yes");
	}
	d->n_models = n;
}

/* Newer libvirt (not 9.0) lists, beside each model that is not usable, the
 * features that block it: <blockers model='M'><feature name='F'/>. */
static void
parse_blockers(xmlXPathContextPtr ctx, struct vc_domcaps *d)
{
	_autoxpathobj_ xmlXPathObjectPtr o =
		vc_xml_nodes(ctx, NULL, "/domainCapabilities/cpu/mode/blockers");
	size_t n = vc_xml_count(o);

	d->blockers = xzalloc(n * sizeof(*d->blockers));
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr b = o->nodesetval->nodeTab[i];
		struct vc_cpu_blockers *out = &d->blockers[d->n_blockers];
		_autoxpathobj_ xmlXPathObjectPtr feats = vc_xml_nodes(ctx, b, "feature");
		char *model = vc_xml_prop(b, "model");

		if (!model)
			continue;
		out->model = vc_trim(model);
		collect_features(feats, "", &out->features);
		d->n_blockers++;
	}
}

static int
parse_security(xmlXPathContextPtr ctx, const char *what, struct vc_domcaps *d)
{
	_autofree_ char *es =
		vc_xml_string(ctx, NULL, "/domainCapabilities/features/sev/maxESGuests");
	_autoxpathobj_ xmlXPathObjectPtr types = vc_xml_nodes(
		ctx, NULL, "/domainCapabilities/features/launchSecurity/enum/value");
	unsigned long long v = 0;

	d->sev = supported_yes(ctx, "/domainCapabilities/features/sev/@supported");
	if (es && vc_parse_uint(vc_trim(es), ULLONG_MAX, &v) < 0) {
		vc_err("%s: <maxESGuests> is not a number: '%s'", what, es);
		return -EINVAL;
	}
	d->max_es_guests = (unsigned long)v;
	d->launch_security = supported_yes(
		ctx, "/domainCapabilities/features/launchSecurity/@supported");
	for (size_t i = 0; i < vc_xml_count(types); i++)
		vc_strv_push_owned(&d->launch_security_types,
				   vc_trim(vc_xml_text(types->nodesetval->nodeTab[i])));
	d->tdx = supported_yes(ctx, "/domainCapabilities/features/tdx/@supported");
	d->s390_pv =
		supported_yes(ctx, "/domainCapabilities/features/s390-pv/@supported");
	return 0;
}

int
vc_domcaps_parse(const char *xml, size_t len, const char *what, struct vc_domcaps *out)
{
	_autoxmldoc_ xmlDocPtr doc = vc_xml_parse(xml, len, what, "domainCapabilities");
	_autoxpathctx_ xmlXPathContextPtr ctx = NULL;
	struct vc_domcaps d = {0};

	if (!doc)
		return -EINVAL;
	ctx = xmlXPathNewContext(doc);
	d.arch = vc_xml_string(ctx, NULL, "/domainCapabilities/arch");
	d.domain = vc_xml_string(ctx, NULL, "/domainCapabilities/domain");
	d.machine = vc_xml_string(ctx, NULL, "/domainCapabilities/machine");
	parse_host_model(ctx, &d);
	parse_models(ctx, &d);
	parse_blockers(ctx, &d);
	if (parse_security(ctx, what, &d) < 0) {
		vc_domcaps_clear(&d);
		return -EINVAL;
	}
	*out = d;
	return 0;
}

int
vc_baseline_parse(const char *xml, size_t len, const char *what, struct vc_baseline *out)
{
	_autoxmldoc_ xmlDocPtr doc = vc_xml_parse(xml, len, what, "cpu");
	_autoxpathctx_ xmlXPathContextPtr ctx = NULL;
	_autoxpathobj_ xmlXPathObjectPtr feats = NULL;
	struct vc_baseline b = {0};

	if (!doc)
		return -EINVAL;
	ctx = xmlXPathNewContext(doc);
	feats = vc_xml_nodes(ctx, NULL, "/cpu/feature");
	collect_features(feats, "require", &b.require);
	collect_features(feats, "", &b.no_policy);
	*out = b;
	return 0;
}

static int
parse_counter(xmlXPathContextPtr ctx, const char *what, struct vc_hostcaps *h)
{
	_autoxpathobj_ xmlXPathObjectPtr o =
		vc_xml_nodes(ctx, NULL, "/capabilities/host/cpu/counter");
	_autofree_ char *freq = NULL;
	size_t n = vc_xml_count(o);
	xmlNodePtr c;

	/* Go's encoding/xml keeps the last of repeated elements; so do we. */
	if (n == 0)
		return 0;
	c = o->nodesetval->nodeTab[n - 1];
	if (!prop_is(c, "name", "tsc"))
		return 0;
	h->tsc = true;
	h->tsc_scaling = prop_is(c, "scaling", "yes");
	freq = vc_xml_prop(c, "frequency");
	if (freq && vc_parse_uint(freq, ULLONG_MAX, &h->tsc_frequency) < 0) {
		vc_err("%s: TSC counter frequency is not a number: '%s'", what, freq);
		return -EINVAL;
	}
	return 0;
}

int
vc_hostcaps_parse(const char *xml, size_t len, const char *what, struct vc_hostcaps *out)
{
	_autoxmldoc_ xmlDocPtr doc = vc_xml_parse(xml, len, what, "capabilities");
	_autoxpathctx_ xmlXPathContextPtr ctx = NULL;
	_autoxpathobj_ xmlXPathObjectPtr machines = NULL;
	struct vc_hostcaps h = {0};

	if (!doc)
		return -EINVAL;
	ctx = xmlXPathNewContext(doc);
	h.arch = vc_xml_string(ctx, NULL, "/capabilities/host/cpu/arch");
	if (parse_counter(ctx, what, &h) < 0) {
		vc_hostcaps_clear(&h);
		return -EINVAL;
	}
	machines = vc_xml_nodes(ctx, NULL, "/capabilities/guest/arch/machine");
	for (size_t i = 0; i < vc_xml_count(machines); i++)
		vc_strv_push_owned(&h.machines,
				   vc_xml_text(machines->nodesetval->nodeTab[i]));
	*out = h;
	return 0;
}

char *
vc_domcaps_host_cpu_xml(const char *xml, size_t len, const char *what)
{
	_autoxmldoc_ xmlDocPtr doc = vc_xml_parse(xml, len, what, "domainCapabilities");
	_autoxpathctx_ xmlXPathContextPtr ctx = NULL;
	_autoxpathobj_ xmlXPathObjectPtr o = NULL;
	_autoxmlbuf_ xmlBufferPtr buf = NULL;
	xmlNodePtr cpu;

	if (!doc)
		return NULL;
	ctx = xmlXPathNewContext(doc);
	o = vc_xml_nodes(
		ctx, NULL,
		"/domainCapabilities/cpu/mode[@name='host-model' and @supported='yes']");
	if (vc_xml_count(o) == 0) {
		vc_err("%s: no supported host-model CPU to compute a baseline from",
		       what);
		return NULL;
	}
	cpu = xmlDocCopyNode(o->nodesetval->nodeTab[0], doc, 1);
	xmlNodeSetName(cpu, BAD_CAST "cpu");
	xmlFreePropList(cpu->properties);
	cpu->properties = NULL;
	buf = xmlBufferCreate();
	xmlNodeDump(buf, doc, cpu, 0, 0);
	xmlFreeNode(cpu);
	return xstrdup((const char *)xmlBufferContent(buf));
}

void
vc_domcaps_clear(struct vc_domcaps *d)
{
	free(d->arch);
	free(d->domain);
	free(d->machine);
	free(d->host_model_supported);
	free(d->host_model);
	free(d->host_vendor);
	vc_strv_clear(&d->host_require);
	for (size_t i = 0; i < d->n_models; i++) {
		free(d->models[i].name);
		free(d->models[i].usable);
	}
	free(d->models);
	for (size_t i = 0; i < d->n_blockers; i++) {
		free(d->blockers[i].model);
		vc_strv_clear(&d->blockers[i].features);
	}
	free(d->blockers);
	vc_strv_clear(&d->launch_security_types);
	memset(d, 0, sizeof(*d));
}

void
vc_baseline_clear(struct vc_baseline *b)
{
	vc_strv_clear(&b->require);
	vc_strv_clear(&b->no_policy);
}

void
vc_hostcaps_clear(struct vc_hostcaps *h)
{
	free(h->arch);
	vc_strv_clear(&h->machines);
	memset(h, 0, sizeof(*h));
}
