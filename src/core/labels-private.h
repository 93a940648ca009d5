/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of labels.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/labels.h"
