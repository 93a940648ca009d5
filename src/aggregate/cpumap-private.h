/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of cpumap.c that only tests call. */
#pragma once

#include "virt-caps/cpumap.h"

/**
 * Test only: read dpkg's database from @dir instead of /var/lib/dpkg
 * (NULL restores it), so that a test can build a fake admin dir with
 * real-format info/ *.list files and a status file. Never set by the
 * programs: there is no option or environment variable for it.
 */
void vc_cpumap_set_dpkg_admindir(const char *dir);
