/* SPDX-License-Identifier: Apache-2.0 */
/* Exit statuses shared by caps-probe and caps-aggregate. */
#pragma once

#include <errno.h>

enum vc_exit {
	VC_EXIT_OK = 0,      /* done (also SIGTERM/SIGINT in loop mode) */
	VC_EXIT_LOSS = 1,    /* diff: something usable was lost */
	VC_EXIT_USAGE = 2,   /* bad flags or arguments */
	VC_EXIT_DATA = 3,    /* bad input: file, XML, JSON, directory, nothing probed */
	VC_EXIT_BACKEND = 4, /* libvirt or Kubernetes API failure */
};

/** Map a library return code (-EIO: backend, other -errno: data) to an exit status. */
static inline int
vc_exit_from_rc(int rc)
{
	if (rc >= 0)
		return VC_EXIT_OK;
	return rc == -EIO ? VC_EXIT_BACKEND : VC_EXIT_DATA;
}
