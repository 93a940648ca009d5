/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a node record comes from: live from libvirt, or from the XML
 * files node-labeller.sh saves (virsh_domcapabilities.xml,
 * capabilities.xml, supported_features.xml).
 */
#pragma once

#include "virt-caps/node.h"
#include "virt-caps/probe.h"
#include "virt-caps/rules.h"

/**
 * Compute @n from saved files in @dir. supported_features.xml is needed
 * on x86_64/s390x only. No versions, Hyper-V or realtime data. Returns 0
 * or -EINVAL (reported, naming the file).
 */
int vc_collect_from_dir(const char *dir, const struct vc_rules *rules, struct vc_node *n);

/**
 * Probe libvirt, then add versions, Hyper-V capabilities (x86_64, from
 * the KVM device) and the realtime sysctl. VC_ERR_INPUT: options, state
 * directory, or a host KubeVirt's rules cannot label; VC_ERR_BACKEND:
 * libvirt failed or answered XML that does not parse.
 */
enum vc_result vc_collect_live(const struct vc_probe_opts *o,
			       const struct vc_rules *rules, struct vc_node *n);
