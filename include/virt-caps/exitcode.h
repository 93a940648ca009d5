/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exit statuses of caps-probe and caps-aggregate. Each program picks the
 * class where it knows which step failed (reading input, a backend,
 * writing output); library calls that can fail on either side return an
 * enum vc_result (result.h), never an errno to be mapped.
 */
#pragma once

#include "virt-caps/result.h"

enum vc_exit {
	VC_EXIT_OK = 0,      /* done (also SIGTERM/SIGINT in loop mode) */
	VC_EXIT_LOSS = 1,    /* diff: something usable was lost */
	VC_EXIT_USAGE = 2,   /* bad flags or arguments */
	VC_EXIT_DATA = 3,    /* bad input: file, XML, JSON, directory, nothing probed */
	VC_EXIT_BACKEND = 4, /* libvirt or Kubernetes API failure */
	VC_EXIT_OUTPUT = 5,  /* the output could not be written (standard output) */
};

/** The exit status of a failed step that returned @r. */
static inline enum vc_exit
vc_exit_for(enum vc_result r)
{
	return r == VC_ERR_BACKEND ? VC_EXIT_BACKEND : r < 0 ? VC_EXIT_DATA : VC_EXIT_OK;
}
