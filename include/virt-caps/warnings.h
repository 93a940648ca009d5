/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report's warnings: what a reader of the cluster report must know
 * before trusting it (mixed vendors or arches, unprobed nodes, skipped
 * labels, nodes whose two label schemes disagree, KubeVirt labels left
 * unread under an explicit namespace, nodes without a usable model,
 * software-emulated nodes next to KVM ones). The same sentences go to
 * the report's `warnings`, the table and standard error.
 */
#pragma once

#include "virt-caps/cluster.h"
#include "virt-caps/strv.h"

/**
 * Append the warnings about @c (summarized in @s) to @out as sentences,
 * in a fixed order, nodes in name order: the same input gives the same
 * warnings.
 */
void vc_report_warnings(const struct vc_cluster *c, const struct vc_summary *s,
			struct vc_strv *out);
