/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of labels.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/labels.h"

/* Kubernetes label syntax of a key's name part, as vc_label_key_valid
 * (labels.h). */
bool vc_label_name_valid(const char *name, const char **why);
