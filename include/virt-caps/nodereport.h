/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node report: one node record as a map. caps-probe prints it
 * (--output) and caps-aggregate writes one per node in nodes_caps, so
 * the two can be compared field by field. caps-probe's report adds
 * what labels do not carry (libvirt's blockers, deprecated models).
 */
#pragma once

#include "virt-caps/node.h"
#include "virt-caps/out.h"

/** Write @n as a map: every key always present (null or [] when unknown). */
void vc_nodereport_write(struct vc_out *o, const struct vc_node *n);

/**
 * The keys of vc_nodereport_write() only, into a map the caller has
 * opened: caps-aggregate's nodes_caps adds its own keys after them.
 */
void vc_nodereport_write_fields(struct vc_out *o, const struct vc_node *n);

/** vc_nodereport_write() plus `blockers` (model -> features) and
 * `deprecated_models`, always present ({} and [] when none). */
void vc_nodereport_write_probe(struct vc_out *o, const struct vc_node *n);
