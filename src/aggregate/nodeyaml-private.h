/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of nodeyaml.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/nodeyaml.h"

/** vc_nodeyaml_read() from a file descriptor (left open). */
int vc_nodeyaml_read_fd(struct vc_nodeyaml *p, int fd);
