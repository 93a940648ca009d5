/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/log.h"

#include "log-private.h"

static const char *program = "virt-caps";
static enum vc_log_level max_level = VC_LOG_INFO;
static void (*handler)(enum vc_log_level, const char *, void *);
static void *handler_data;

void
vc_log_set_handler(void (*fn)(enum vc_log_level level, const char *msg, void *data),
		   void *data)
{
	handler = fn;
	handler_data = data;
}

void
vc_log_set_program(const char *name)
{
	program = name;
}

const char *
vc_log_get_program(void)
{
	return program;
}

void
vc_log_set_level(enum vc_log_level level)
{
	max_level = level;
}

enum vc_log_level
vc_log_get_level(void)
{
	return max_level;
}

void
vc_log(enum vc_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char msg[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Keep it one line and printable: names may come from untrusted XML. */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	if (handler) {
		handler(level, msg, handler_data);
		return;
	}
	/* One write per message so that concurrent writers do not interleave. */
	fprintf(stderr, "%s: %s: %s\n", program, names[level], msg);
}
