/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The floor for caps-aggregate's -f: read a file in the chunks
 * caps-aggregate reads (256 KiB) and parse it with yajl's callback parser,
 * doing nothing with the events. bench/aggregate.sh times it beside the
 * full report, so the report's cost reads as a multiple of bare parsing.
 *
 *   yajl-floor FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#define CHUNK (256 * 1024)

static int
on_null(void *ctx)
{
	return 1;
}

static int
on_bool(void *ctx, int v)
{
	return 1;
}

static int
on_number(void *ctx, const char *s, size_t len)
{
	return 1;
}

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	return 1;
}

static int
on_event(void *ctx)
{
	return 1;
}

/* Every callback set, as caps-aggregate sets them: numbers as text, not
 * converted, and strings handed over as they are. */
static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_event,
	.yajl_map_key = on_string,
	.yajl_end_map = on_event,
	.yajl_start_array = on_event,
	.yajl_end_array = on_event,
};

static int
parse_fd(int fd, yajl_handle h)
{
	static unsigned char buf[CHUNK];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || yajl_parse(h, buf, (size_t)n) != yajl_status_ok)
			return -1;
	}
	return yajl_complete_parse(h) == yajl_status_ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	yajl_handle h;
	int fd, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: yajl-floor FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	h = yajl_alloc(&callbacks, NULL, NULL);
	if (!h)
		abort();
	rc = parse_fd(fd, h);
	yajl_free(h);
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "%s: not valid JSON\n", argv[1]);
		return 3;
	}
	return 0;
}
