/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text meant for a terminal (log lines, `-o table`, `diff -o text`) may
 * carry names taken from untrusted input: a node name with ESC or BEL
 * could repaint the screen or retitle the window. Such bytes are written
 * as visible \xNN escapes instead. JSON and YAML outputs never go through
 * this: their own string escaping keeps them exact.
 */
#pragma once

#include "virt-caps/util.h"

/**
 * Append @s to @b with every byte a terminal could act on written as
 * "\xNN": C0 controls (including TAB, CR and LF), DEL, the C1 controls
 * U+0080..U+009F in their UTF-8 form, and every byte that is not part of
 * valid UTF-8 (a lone 0x9B is CSI on some terminals). Valid UTF-8
 * otherwise passes unchanged.
 */
void vc_buf_escaped(struct vc_buf *b, const char *s);
/** @s escaped as vc_buf_escaped does, in a new string; NULL gives NULL. */
char *vc_escape_text(const char *s);
/** The same, but LF is kept: a whole text of lines, made safe at once. */
char *vc_escape_lines(const char *s);
