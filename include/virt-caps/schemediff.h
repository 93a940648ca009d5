/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A node labelled by both schemes: caps-probe's nfd labels and KubeVirt's
 * own node-labeller's, decoded side by side and compared, so that a
 * probe whose libvirt/QEMU (or obsolete list) differs from KubeVirt's is
 * noticed instead of silently winning.
 */
#pragma once

#include "virt-caps/cluster.h"

/**
 * The first difference between @ours (with its sets @our_sets) and
 * @theirs (@their_sets), both decoded into the names @t, as a phrase
 * ("host model: EPYC-Genoa in caps-probe's, SapphireRapids in
 * KubeVirt's"); NULL when they agree. Only what both carry is compared:
 * host model, vendor, each list (models, migration models, features,
 * host-model features, machine types, Hyper-V) when both have entries,
 * and the TSC when both have a frequency. A kind one side lacks entirely
 * (an older KubeVirt writes no machine-type labels) is no disagreement;
 * security flags are not compared (an absent label reads as false).
 */
char *vc_schemediff(const struct vc_names *t, const struct vc_cnode *ours,
		    const struct vc_bits *our_sets, const struct vc_cnode *theirs,
		    const struct vc_bits *their_sets);
