/* SPDX-License-Identifier: Apache-2.0 */
/* Functions of log.c that only tests and fuzz targets call. */
#pragma once

#include "virt-caps/log.h"

/**
 * Send messages to @fn instead of stderr (tests capture warnings this
 * way); NULL restores stderr. The message has no prefix and no newline.
 */
void vc_log_set_handler(void (*fn)(enum vc_log_level level, const char *msg, void *data),
			void *data);
