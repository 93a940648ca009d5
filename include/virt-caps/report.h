/* SPDX-License-Identifier: Apache-2.0 */
/*
 * caps-aggregate's cluster report: the cluster's summary, global and
 * quorum models per arch, model support and every probed node (each
 * written as a node report, see nodereport.h).
 */
#pragma once

#include "virt-caps/cluster.h"
#include "virt-caps/out.h"
#include "virt-caps/warnings.h"

struct vc_report_opts {
	unsigned quorum; /* percent for quorum_caps; 0: no quorum section */
};

/** The cluster report: cluster, warnings, global_caps, quorum, model_support, nodes_caps.
 */
void vc_report_write_cluster(struct vc_out *o, const struct vc_cluster *c,
			     const struct vc_summary *s, const struct vc_report_opts *r);

/** The same for people: aligned columns, one line per node, then the models. */
char *vc_report_table(const struct vc_cluster *c, const struct vc_summary *s,
		      const struct vc_report_opts *r);
