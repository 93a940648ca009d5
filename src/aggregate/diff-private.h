/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of diff.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/diff.h"

/** The same from a YAML or JSON document in memory; @what names it in errors. */
int vc_rdoc_parse(const char *text, size_t len, const char *what, struct vc_rdoc *d);
