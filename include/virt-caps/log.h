/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-line diagnostics on stderr: "caps-probe: error: ...". Messages are
 * kept on one line so that they grep; callers report a failure once,
 * where it happens.
 */
#pragma once

#include "virt-caps/util.h"

enum vc_log_level {
	VC_LOG_ERROR,
	VC_LOG_WARN,
	VC_LOG_INFO,
	VC_LOG_DEBUG,
};

/** Program name printed before each message. */
void vc_log_set_program(const char *name);
const char *vc_log_get_program(void);
/** Messages above @level are not printed. Default VC_LOG_INFO. */
void vc_log_set_level(enum vc_log_level level);
enum vc_log_level vc_log_get_level(void);
/**
 * The last error-level message (escaped, one line), printed or not; ""
 * when none since vc_log_clear_last_error().
 */
const char *vc_log_last_error(void);
void vc_log_clear_last_error(void);
void vc_log(enum vc_log_level level, const char *fmt, ...) _printf_(2, 3);

#define vc_err(...) vc_log(VC_LOG_ERROR, __VA_ARGS__)
#define vc_warn(...) vc_log(VC_LOG_WARN, __VA_ARGS__)
#define vc_info(...) vc_log(VC_LOG_INFO, __VA_ARGS__)
#define vc_debug(...) vc_log(VC_LOG_DEBUG, __VA_ARGS__)
