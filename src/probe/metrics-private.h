/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of metrics.c that only tests call. */
#pragma once

#include "virt-caps/metrics.h"

/** The metrics state without a server, for vc_metrics_render(). */
struct vc_metrics *vc_metrics_new(void);
