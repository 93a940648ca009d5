/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libxml2 glue: one cleanup helper per libxml2 type, a safe parser that
 * names its input in errors, and small XPath accessors.
 */
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "virt-caps/util.h"

DEFINE_CLEANUP_FUNC(xmlDocPtr, xmlFreeDoc, xmlFreeDoc)
DEFINE_CLEANUP_FUNC(xmlXPathContextPtr, xmlXPathFreeContext, xmlXPathFreeContext)
DEFINE_CLEANUP_FUNC(xmlXPathObjectPtr, xmlXPathFreeObject, xmlXPathFreeObject)
DEFINE_CLEANUP_FUNC(xmlBufferPtr, xmlBufferFree, xmlBufferFree)
DEFINE_CLEANUP_FUNC(xmlChar *, xmlFree_, xmlFree)
#define _autoxmldoc_ _cleanup_(xmlFreeDocp)
#define _autoxpathctx_ _cleanup_(xmlXPathFreeContextp)
#define _autoxpathobj_ _cleanup_(xmlXPathFreeObjectp)
#define _autoxmlbuf_ _cleanup_(xmlBufferFreep)
#define _autoxmlstr_ _cleanup_(xmlFree_p)

/**
 * Parse @xml (no network, no entity substitution, no DTD loading) and
 * check that its root element is @root. Errors are reported once,
 * naming @what. Returns NULL on error.
 */
xmlDocPtr vc_xml_parse(const char *xml, size_t len, const char *what, const char *root);

/** XPath node set of @expr evaluated at @node (or the root when NULL). */
xmlXPathObjectPtr vc_xml_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);

/** Text content of the first node @expr selects, or NULL when none. */
char *vc_xml_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);

/** Attribute @name of @node as a malloc'd string, NULL when absent. */
char *vc_xml_prop(xmlNodePtr node, const char *name);

/** Text content of @node as a malloc'd string (never NULL). */
char *vc_xml_text(xmlNodePtr node);

static inline size_t
vc_xml_count(xmlXPathObjectPtr o)
{
	return (o && o->nodesetval) ? (size_t)o->nodesetval->nodeNr : 0;
}
