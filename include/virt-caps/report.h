/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports. A node report has the same fields as one entry of
 * caps-aggregate's nodes_caps, so `caps-probe --output` and the
 * cluster report can be compared field by field.
 */
#pragma once

#include "virt-caps/node.h"
#include "virt-caps/out.h"

/** Write @n as a map: every key always present (null or [] when unknown). */
void vc_report_write_node(struct vc_out *o, const struct vc_node *n);
