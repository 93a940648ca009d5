/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
oom(void)
{
	fputs("virt-caps: out of memory\n", stderr);
	abort();
}

void *
xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		oom();
	return d;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		oom();
	return d;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		oom();
	return s;
}

/*
 * A read buffer that may hold a secret (token file, kubeconfig): grown by
 * copying into a new block and wiping the old one, as realloc would leave
 * the old bytes behind in freed memory; wiped when dropped.
 */
struct read_buf {
	char *data;
	size_t used;
	size_t cap; /* room for data, plus one byte for the NUL */
};

static void
read_buf_drop(struct read_buf *b)
{
	vc_free_secret(b->data, b->data ? b->cap + 1 : 0);
	b->data = NULL;
}

static void
read_buf_grow(struct read_buf *b, size_t cap)
{
	char *bigger = xzalloc(cap + 1);

	if (b->used)
		memcpy(bigger, b->data, b->used);
	read_buf_drop(b);
	b->data = bigger;
	b->cap = cap;
}

/* A regular file's size is known: one block that fits it and the read that
 * sees its end, so no copy is made at all; pipes start at 16 KiB. */
static int
first_size(int fd, size_t max, size_t *size)
{
	struct stat st;

	*size = 16384;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 0)
		return 0;
	if ((unsigned long long)st.st_size > max)
		return -EFBIG;
	*size = (size_t)st.st_size + 1;
	return 0;
}

int
vc_read_fd(int fd, size_t max, char **out, size_t *len)
{
	_cleanup_(read_buf_drop) struct read_buf b = {0};
	size_t size;

	if (first_size(fd, max, &size) < 0)
		return -EFBIG;
	read_buf_grow(&b, size);
	for (;;) {
		ssize_t n;

		if (b.used == b.cap)
			read_buf_grow(&b, b.cap * 2);
		n = read(fd, b.data + b.used, b.cap - b.used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		b.used += (size_t)n;
		if (b.used > max)
			return -EFBIG;
	}
	b.data[b.used] = '\0';
	*out = steal(&b.data);
	if (len)
		*len = b.used;
	return 0;
}

int
vc_read_file(const char *path, size_t max, char **out, size_t *len)
{
	_autoclose_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return vc_read_fd(fd, max, out, len);
}

bool
vc_is_stdin(const char *path)
{
	return streq(path, "-");
}

const char *
vc_input_name(const char *path)
{
	return vc_is_stdin(path) ? "standard input" : path;
}

int
vc_read_input(const char *path, size_t max, char **out, size_t *len)
{
	return vc_is_stdin(path) ? vc_read_fd(0, max, out, len)
				 : vc_read_file(path, max, out, len);
}

char *
vc_trim(char *s)
{
	size_t lead = 0, n;

	while (isspace((unsigned char)s[lead]))
		lead++;
	n = strlen(s + lead);
	while (n && isspace((unsigned char)s[lead + n - 1]))
		n--;
	/* In place from the start, so that the caller can still free @s. */
	memmove(s, s + lead, n);
	s[n] = '\0';
	return s;
}

int
vc_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	/* strtoull alone takes blanks, signs ("-1" wraps) and hex prefixes. */
	if (strempty(s) || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
duration_unit(char c, unsigned long *mult)
{
	switch (c) {
	case 's':
		*mult = 1;
		return 0;
	case 'm':
		*mult = 60;
		return 0;
	case 'h':
		*mult = 3600;
		return 0;
	case 'd':
		*mult = 86400;
		return 0;
	default:
		return -EINVAL;
	}
}

int
vc_parse_duration(const char *s, unsigned long *seconds)
{
	unsigned long total = 0;

	if (strempty(s))
		return -EINVAL;
	while (*s) {
		unsigned long v = 0, mult = 1;
		const char *start = s;

		while (*s >= '0' && *s <= '9') {
			if (v > 100000000UL)
				return -EINVAL;
			v = v * 10 + (unsigned long)(*s - '0');
			s++;
		}
		if (s == start)
			return -EINVAL;
		if (*s) {
			if (duration_unit(*s, &mult) < 0)
				return -EINVAL;
			s++;
		} else if (total) {
			return -EINVAL; /* "1h5" is ambiguous */
		}
		total += v * mult;
		if (total > 365UL * 86400)
			return -EINVAL;
	}
	*seconds = total;
	return 0;
}

int
vc_format_rfc3339(long long t, char buf[static 32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* RFC 3339 has four-digit years; gmtime_r fails past time_t's years. */
	if (t < VC_TIME_MIN || t > VC_TIME_MAX || (long long)tt != t ||
	    !gmtime_r(&tt, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, 32, "(time out of range)");
		return -EOVERFLOW;
	}
	return 0;
}

unsigned long long
vc_fnv1a(unsigned long long h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
vc_buf_append(struct vc_buf *b, const void *data, size_t n)
{
	if (__builtin_expect(b->len + n + 1 > b->cap, 0)) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
vc_buf_printf(struct vc_buf *b, const char *fmt, ...)
{
	_autofree_ char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	vc_buf_append(b, s, strlen(s));
}

char *
vc_buf_steal(struct vc_buf *b, size_t *len)
{
	char *out = b->data ? b->data : xzalloc(1);

	if (len)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return out;
}

void
vc_buf_clear(struct vc_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

char *
vc_base64_decode(const char *s, size_t *len)
{
	size_t cap = strlen(s) / 4 * 3 + 4, n = 0;
	char *out = xzalloc(cap);
	unsigned acc = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		int v = b64_value(*s);

		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			continue;
		if (v < 0)
			goto bad;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	for (; *s; s++)
		if (*s != '=' && *s != '\n' && *s != '\r' && *s != ' ')
			goto bad;
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
bad:
	/* Key data decoded so far is a secret too (and may hold NULs). */
	vc_free_secret(out, cap);
	return NULL;
}

double
vc_monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
vc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
