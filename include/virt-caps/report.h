/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports. A node report has the same fields as one entry of
 * caps-aggregate's nodes_caps, so `caps-probe --output` and the
 * cluster report can be compared field by field.
 */
#pragma once

#include "virt-caps/cluster.h"
#include "virt-caps/node.h"
#include "virt-caps/out.h"

/** Write @n as a map: every key always present (null or [] when unknown). */
void vc_report_write_node(struct vc_out *o, const struct vc_node *n);

struct vc_report_opts {
	unsigned quorum; /* percent for quorum_caps; 0: no quorum section */
};

/**
 * Warnings about the cluster as a whole (several CPU vendors or arches,
 * unprobed nodes, skipped labels), appended to @out as sentences.
 */
void vc_report_warnings(const struct vc_cluster *c, const struct vc_summary *s,
			struct vc_strv *out);

/** The cluster report: cluster, warnings, global_caps, quorum, model_support, nodes_caps.
 */
void vc_report_write_cluster(struct vc_out *o, const struct vc_cluster *c,
			     const struct vc_summary *s, const struct vc_report_opts *r);

/** The same for people: aligned columns, one line per node, then the models. */
char *vc_report_table(const struct vc_cluster *c, const struct vc_summary *s,
		      const struct vc_report_opts *r);
