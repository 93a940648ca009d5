/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory ownership helpers in the spirit of libinput's util-mem.h:
 * cleanup attributes, steal(), and allocators that abort on OOM so
 * that call sites carry no out-of-memory branches.
 */
#pragma once

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define ARRAY_LENGTH(a) (sizeof(a) / sizeof((a)[0]))

/**
 * Take ownership of *p: return it and leave NULL behind, so that a
 * cleanup attribute on the source variable frees nothing.
 */
#define steal(p)                                                                         \
	({                                                                               \
		__typeof__(*(p)) tmp_ = *(p);                                            \
		*(p) = NULL;                                                             \
		tmp_;                                                                    \
	})

/**
 * Define a cleanup helper NAME##p for a pointer type that calls FREE_FN
 * when the pointer is non-NULL. One per foreign type.
 */
#define DEFINE_CLEANUP_FUNC(type, name, free_fn)                                         \
	static inline void name##p(type *p)                                              \
	{                                                                                \
		if (*p)                                                                  \
			free_fn(*p);                                                     \
	}

static inline void
freep(void *p)
{
	free(*(void **)p);
}
#define _autofree_ _cleanup_(freep)

static inline void
closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _autoclose_ _cleanup_(closep)

/** Take ownership of a file descriptor, leaving -1 behind. */
static inline int
steal_fd(int *fd)
{
	int f = *fd;

	*fd = -1;
	return f;
}

static inline void
fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _autofclose_ _cleanup_(fclosep)

/** calloc that aborts on OOM. */
void *xzalloc(size_t size);
/** realloc that aborts on OOM. */
void *xrealloc(void *p, size_t size);
/** strdup that aborts on OOM; NULL in, NULL out. */
char *xstrdup(const char *s);
/** strndup that aborts on OOM. */
char *xstrndup(const char *s, size_t n);
/** asprintf that aborts on OOM. */
char *xasprintf(const char *fmt, ...) _printf_(1, 2);

static inline bool
streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/** Leading blanks (space, tab, CR, LF) of the first @len bytes of @s. */
static inline size_t
vc_blank_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/** Wipe @len bytes of @p (which may be NULL), then free it. */
static inline void
vc_free_secret(void *p, size_t len)
{
	if (p)
		explicit_bzero(p, len);
	free(p);
}

/* Cleanup for a NUL-terminated secret: wiped up to its NUL, then freed. */
static inline void
wipefreep(char **p)
{
	if (*p)
		vc_free_secret(*p, strlen(*p));
}
#define _autowipe_ _cleanup_(wipefreep)

static inline bool
strempty(const char *s)
{
	return !s || !*s;
}

/** "s" for plural counts in messages: "%zu node%s", n, vc_plural(n). */
static inline const char *
vc_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/** Seconds on CLOCK_MONOTONIC, for durations and deadlines. */
double vc_monotonic_s(void);

/**
 * Read a whole file (at most @max bytes) into a NUL-terminated buffer.
 * Returns 0 or -errno (-EFBIG when the file is larger than @max). The
 * file may hold a secret (token, kubeconfig): no copy of its bytes is
 * left in freed memory, growing or failing; the caller wipes the result
 * (vc_free_secret).
 */
int vc_read_file(const char *path, size_t max, char **out, size_t *len);
/** vc_read_file on an open descriptor (read to its end, not closed). */
int vc_read_fd(int fd, size_t max, char **out, size_t *len);

/** Write all @len bytes of @buf to @fd (EINTR retried). 0 or -errno. */
int vc_write_all(int fd, const void *buf, size_t len);

/*
 * Every file argument of the programs takes "-" for standard input:
 * vc_read_input reads it like vc_read_file, vc_input_name names it in
 * messages ("standard input").
 */
bool vc_is_stdin(const char *path);
const char *vc_input_name(const char *path);
int vc_read_input(const char *path, size_t max, char **out, size_t *len);

/** Strip leading and trailing white space in place; returns @s. */
char *vc_trim(char *s);

/**
 * Strict unsigned decimal: digits only (no sign, blank or prefix), at
 * most @max. Returns 0 or -EINVAL.
 */
int vc_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/** Parse "30s", "10m", "1h", "2h30m" or plain seconds. Returns 0 or -EINVAL. */
int vc_parse_duration(const char *s, unsigned long *seconds);

/* The Unix times RFC 3339 can write: years 0000 to 9999. */
#define VC_TIME_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define VC_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/**
 * Format a Unix time as RFC 3339 UTC ("2026-11-22T10:00:00Z") into buf[32].
 * 0, or -EOVERFLOW for a time outside VC_TIME_MIN..VC_TIME_MAX (then buf
 * says "(time out of range)", never garbage).
 */
int vc_format_rfc3339(long long t, char buf[static 32]);

/**
 * Decode standard or URL-safe base64 (padding optional, whitespace
 * ignored). Returns a NUL-terminated buffer and its length, or NULL when
 * @s is not base64.
 */
char *vc_base64_decode(const char *s, size_t *len);

/** A growable, always NUL-terminated byte buffer. */
struct vc_buf {
	char *data;
	size_t len;
	size_t cap;
};

/** Append @n bytes. */
void vc_buf_append(struct vc_buf *b, const void *data, size_t n);
/** Append formatted text. */
void vc_buf_printf(struct vc_buf *b, const char *fmt, ...) _printf_(2, 3);
/** Hand out the text (never NULL) and leave @b empty. */
char *vc_buf_steal(struct vc_buf *b, size_t *len);
void vc_buf_clear(struct vc_buf *b);

/** 64-bit FNV-1a, continued from @h (start with VC_FNV1A_INIT). */
#define VC_FNV1A_INIT 0xcbf29ce484222325ULL
unsigned long long vc_fnv1a(unsigned long long h, const void *data, size_t len);
