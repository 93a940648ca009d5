/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the libFuzzer targets: the entry point every target defines,
 * and a log handler that drops messages (errors are expected on garbage;
 * what matters is that nothing crashes, leaks or reads out of bounds).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/log-private.h"
#include "virt-caps/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void
fuzz_quiet_log(enum vc_log_level level, const char *msg, void *data)
{
	(void)level;
	(void)msg;
	(void)data;
}

static inline void
fuzz_init(void)
{
	static int done;

	if (!done) {
		vc_log_set_handler(fuzz_quiet_log, NULL);
		done = 1;
	}
}
