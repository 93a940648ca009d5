/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of out.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/out.h"

/* vc_yaml_needs_quotes() moved to out.h: advise's snippets quote with it. */
