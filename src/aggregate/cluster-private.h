/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of cluster.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/cluster.h"

/** A vc_nodelist callback that calls vc_cluster_add (@data is the cluster). */
void vc_cluster_add_cb(void *data, const char *name, const struct vc_label_ref *labels,
		       size_t n_labels);
