/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/escape.h"

static bool
is_cont(unsigned char c)
{
	return c >= 0x80 && c <= 0xbf;
}

/*
 * Bytes in a valid UTF-8 sequence of 2 to 4 bytes starting at @s, or 0.
 * Overlong forms, surrogates and code points past U+10FFFF are invalid,
 * as are the C1 controls (C2 80..C2 9F): a terminal may act on those.
 * @s is NUL-terminated, and NUL is never a continuation byte.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xc2 || s[0] == 0xe0) /* C1 controls; overlong forms */
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!is_cont(s[i]))
			return 0;
	return n;
}

static void
escape(struct vc_buf *b, const char *s, bool keep_lf)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t run = 0, n;

		/* Printable ASCII goes out in runs: the common case. */
		while ((p[run] >= 0x20 && p[run] < 0x7f) || (keep_lf && p[run] == '\n'))
			run++;
		if (run) {
			vc_buf_append(b, p, run);
			p += run;
			continue;
		}
		n = *p >= 0x80 ? utf8_len(p) : 0;
		if (n) {
			vc_buf_append(b, p, n);
			p += n;
		} else {
			vc_buf_printf(b, "\\x%02x", *p++);
		}
	}
}

void
vc_buf_escaped(struct vc_buf *b, const char *s)
{
	escape(b, s, false);
}

char *
vc_escape_text(const char *s)
{
	struct vc_buf b = {0};

	if (!s)
		return NULL;
	vc_buf_escaped(&b, s);
	return vc_buf_steal(&b, NULL);
}

char *
vc_escape_lines(const char *s)
{
	struct vc_buf b = {0};

	escape(&b, s, true);
	return vc_buf_steal(&b, NULL);
}
