/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line helpers shared by caps-probe and caps-aggregate. */
#pragma once

#include "virt-caps/util.h"

/** "PROGRAM: MESSAGE (see PROGRAM --help)" on stderr; returns -EINVAL. */
int vc_cli_usage_error(const char *fmt, ...) _printf_(1, 2);

/** Write all of @text to stdout and flush. Returns 0 or -EPIPE (reported). */
int vc_cli_write_stdout(const char *text, size_t len);
