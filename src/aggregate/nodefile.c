/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/nodefile.h"

#include <errno.h>
#include <fcntl.h>

#include "virt-caps/log.h"
#include "virt-caps/nodeyaml.h"

#define READ_CHUNK (256 * 1024)
/* Blank space before the document: kept for the parser (YAML's indentation
 * and line numbers depend on it) up to this much, which no kubectl output
 * comes near. */
#define MAX_LEADING_BLANKS (4 * 1024 * 1024)

/* Read more of @fd into @buf; 0 at the end, <0 after reporting. */
static ssize_t
read_chunk(int fd, char *buf, const char *what)
{
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);

		if (n >= 0)
			return n;
		if (errno != EINTR) {
			vc_err("cannot read %s: %s", what, strerror(errno));
			return -EINVAL;
		}
	}
}

/*
 * The start of the input, up to and including the first chunk that holds
 * something other than blanks, into @head. Returns the offset of that
 * first byte, or -EINVAL (reported) on a read error, empty or blank-only
 * input, or too much leading blank space.
 */
static ssize_t
read_head(int fd, const char *what, struct vc_buf *head)
{
	_autofree_ char *chunk = xzalloc(READ_CHUNK);

	for (;;) {
		ssize_t n = read_chunk(fd, chunk, what);
		size_t blank;

		if (n < 0)
			return -EINVAL;
		if (n == 0) {
			vc_err("%s: empty input, expected the output of kubectl get nodes -o json or -o yaml",
			       what);
			return -EINVAL;
		}
		blank = vc_blank_prefix(chunk, (size_t)n);
		vc_buf_append(head, chunk, (size_t)n);
		if (blank < (size_t)n)
			return (ssize_t)(head->len - (size_t)n + blank);
		if (head->len > MAX_LEADING_BLANKS) {
			vc_err("%s: more than %d MiB of blank space before the node list",
			       what, MAX_LEADING_BLANKS / (1024 * 1024));
			return -EINVAL;
		}
	}
}

static int
read_json(int fd, const struct vc_buf *head, const char *what,
	  const struct vc_nodefile_opts *o, size_t *count)
{
	_autofree_ char *buf = xzalloc(READ_CHUNK);
	struct vc_nodelist *p = vc_nodelist_new(what, o->node, o->data);
	ssize_t n = 1;
	int rc;

	if (o->want)
		vc_nodelist_set_filter(p, o->want);
	rc = vc_nodelist_feed(p, head->data, head->len);
	while (rc == 0 && n > 0) {
		n = read_chunk(fd, buf, what);
		if (n > 0)
			rc = vc_nodelist_feed(p, buf, (size_t)n);
	}
	if (rc == 0 && n < 0)
		rc = -EINVAL;
	if (rc == 0)
		rc = vc_nodelist_finish(p);
	*count = vc_nodelist_count(p);
	vc_nodelist_free(p);
	return rc;
}

/* The YAML reader pulls its input: the head already read, then @fd. */
struct pull {
	int fd;
	const char *head;
	size_t left;
};

static ssize_t
pull_read(void *src, void *buf, size_t size)
{
	struct pull *p = src;
	ssize_t n;

	if (p->left) {
		size_t k = p->left < size ? p->left : size;

		memcpy(buf, p->head, k);
		p->head += k;
		p->left -= k;
		return (ssize_t)k;
	}
	do {
		n = read(p->fd, buf, size);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int
read_yaml(int fd, const struct vc_buf *head, const char *what,
	  const struct vc_nodefile_opts *o, size_t *count)
{
	struct vc_nodeyaml *p = vc_nodeyaml_new(what, o->node, o->data);
	struct pull src = {.fd = fd, .head = head->data, .left = head->len};
	int rc;

	if (o->want)
		vc_nodeyaml_set_filter(p, o->want);
	rc = vc_nodeyaml_read(p, pull_read, &src);
	*count = vc_nodeyaml_count(p);
	vc_nodeyaml_free(p);
	return rc;
}

static int
read_fd(int fd, const char *what, const struct vc_nodefile_opts *o, size_t *count)
{
	_cleanup_(vc_buf_clear) struct vc_buf head = {0};
	ssize_t start = read_head(fd, what, &head);

	if (start < 0)
		return -EINVAL;
	if (head.data[start] == '{' || head.data[start] == '[')
		return read_json(fd, &head, what, o, count);
	return read_yaml(fd, &head, what, o, count);
}

long
vc_nodefile_read(const char *path, const struct vc_nodefile_opts *o)
{
	const char *what = vc_input_name(path);
	_autoclose_ int fd =
		vc_is_stdin(path) ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	size_t count = 0;

	if (fd < 0) {
		vc_err("cannot open %s: %s", what, strerror(errno));
		return -EINVAL;
	}
	if (read_fd(fd, what, o, &count) < 0)
		return -EINVAL;
	if (count == 0) {
		vc_err("%s: the list has no nodes", what);
		return -EINVAL;
	}
	return (long)count;
}
