/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of out.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/out.h"

/** True when a YAML 1.1 reader would not read @s back as a plain string. */
bool vc_yaml_needs_quotes(const char *s);
