/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/log.h"

#include "log-private.h"
#include "virt-caps/escape.h"

static const char *program = "virt-caps";
static enum vc_log_level max_level = VC_LOG_INFO;
static void (*handler)(enum vc_log_level, const char *, void *);
static void *handler_data;
/* The last error line, for status records (caps-probe's health record). */
static char last_error[1024];

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
	struct vc_buf line = {0};
	char msg[1024];
	size_t n;
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Some library messages end in a newline: the line ends here anyway. */
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* Keep it one line and inert: names may come from untrusted input. */
	vc_buf_escaped(&line, msg);
	if (level == VC_LOG_ERROR)
		snprintf(last_error, sizeof(last_error), "%s",
			 line.data ? line.data : "");
	if (handler)
		handler(level, line.data ? line.data : "", handler_data);
	else /* one write per message so that concurrent writers do not interleave */
		fprintf(stderr, "%s: %s: %s\n", program, names[level],
			line.data ? line.data : "");
	vc_buf_clear(&line);
}

const char *
vc_log_last_error(void)
{
	return last_error;
}

void
vc_log_clear_last_error(void)
{
	last_error[0] = '\0';
}
