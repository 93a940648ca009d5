/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The result of a step that both reads input and calls a backend
 * (libvirt, the Kubernetes API), where the caller cannot tell from the
 * step which side failed. The programs turn it into their exit status;
 * errno values never carry that meaning. Negative on failure, so that
 * `rc < 0` reads as everywhere else.
 */
#pragma once

enum vc_result {
	VC_OK = 0,
	VC_ERR_INPUT = -1,   /* bad file, data, option or directory (reported) */
	VC_ERR_BACKEND = -2, /* libvirt or the API server failed (reported) */
};
