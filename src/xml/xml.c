/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/xml.h"

#include <libxml/xmlerror.h>

#include "virt-caps/log.h"

/* Silence libxml2's default printing to stderr; we report errors ourselves. */
static void
quiet_handler(void *ctx, const char *msg, ...)
{
}

static char *
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

xmlDocPtr
vc_xml_parse(const char *xml, size_t len, const char *what, const char *root)
{
	_autoxmldoc_ xmlDocPtr doc = NULL;
	xmlNodePtr top;

	xmlSetGenericErrorFunc(NULL, quiet_handler);
	if (!xml || vc_blank_prefix(xml, len) == len) {
		vc_err("%s: empty document, expected <%s>", what, root);
		return NULL;
	}
	if (len > INT32_MAX) {
		vc_err("%s: document too large", what);
		return NULL;
	}
	xmlResetLastError();
	doc = xmlReadMemory(xml, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		_autofree_ char *msg =
			xstrdup(e && e->message ? e->message : "parse error");

		/* libxml2 reports an allocation failure as a parse error. */
		if (e && e->code == XML_ERR_NO_MEMORY)
			vc_err("%s: out of memory while parsing the XML", what);
		else
			vc_err("%s: malformed XML at line %d: %s", what, e ? e->line : 0,
			       chomp(msg));
		return NULL;
	}
	top = xmlDocGetRootElement(doc);
	if (!top || !xmlStrEqual(top->name, BAD_CAST root)) {
		vc_err("%s: root element is <%s>, expected <%s>", what,
		       top ? (const char *)top->name : "", root);
		return NULL;
	}
	return steal(&doc);
}

xmlXPathObjectPtr
vc_xml_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	ctx->node = node ? node : xmlDocGetRootElement(ctx->doc);
	return xmlXPathEvalExpression(BAD_CAST expr, ctx);
}

char *
vc_xml_text(xmlNodePtr node)
{
	_autoxmlstr_ xmlChar *c = xmlNodeGetContent(node);

	return xstrdup(c ? (const char *)c : "");
}

char *
vc_xml_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	_autoxpathobj_ xmlXPathObjectPtr o = vc_xml_nodes(ctx, node, expr);

	if (vc_xml_count(o) == 0)
		return NULL;
	return vc_xml_text(o->nodesetval->nodeTab[0]);
}

char *
vc_xml_prop(xmlNodePtr node, const char *name)
{
	_autoxmlstr_ xmlChar *c = xmlGetProp(node, BAD_CAST name);

	return c ? xstrdup((const char *)c) : NULL;
}
