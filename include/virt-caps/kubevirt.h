/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Facts of KubeVirt's node-labeller that both programs need: caps-probe
 * leaves obsolete models out of the labels, caps-aggregate explains why
 * a model has no label. One list, so that the two never disagree.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/** KubeVirt's default obsolete CPU models: 34 names, 17 models each also as NAME-v1. */
extern const char *const vc_kubevirt_obsolete_models[];
extern const size_t vc_kubevirt_n_obsolete_models;

/** True when @model is in KubeVirt's default obsolete list (exact match). */
bool vc_kubevirt_obsolete(const char *model);
