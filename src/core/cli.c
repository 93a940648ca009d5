/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/cli.h"

#include <errno.h>

#include "virt-caps/log.h"

int
vc_cli_usage_error(const char *fmt, ...)
{
	const char *prog = vc_log_get_program();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (see %s --help)\n", prog, msg, prog);
	return -EINVAL;
}

int
vc_cli_write_stdout(const char *text, size_t len)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		vc_err("cannot write to standard output: %s", strerror(errno));
		return -EPIPE;
	}
	return 0;
}
