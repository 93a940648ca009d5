/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of diff.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/diff.h"
/* vc_rdoc_parse() moved to diff.h: --keep parses the kept report from memory. */
