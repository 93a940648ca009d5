/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/featurefile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "featurefile-private.h"
#include "virt-caps/log.h"

DEFINE_CLEANUP_FUNC(DIR *, closedir, closedir)

bool
vc_featurefile_name_valid(const char *name)
{
	return !strempty(name) && name[0] != '.' && !strchr(name, '/') &&
	       strlen(name) < 200;
}

/* Split the labels into file texts, each with its own expiry header. */
static struct vc_buf *
make_chunks(const struct vc_featurefile_opts *o, const struct vc_labels *l, size_t *count)
{
	char when[32], header[64];
	struct vc_buf *chunks = xzalloc(sizeof(*chunks));
	size_t n = 1, hlen;

	vc_format_rfc3339(o->expiry, when);
	hlen = (size_t)snprintf(header, sizeof(header), "# +expiry-time=%s\n", when);
	vc_buf_append(&chunks[0], header, hlen);
	for (size_t i = 0; i < l->n; i++) {
		_autofree_ char *line = xasprintf("%s=%s\n", l->v[i].key, l->v[i].value);
		size_t len = strlen(line);

		/* A new file, with its own expiry line, before this one would pass the
		 * limit. */
		if (chunks[n - 1].len + len > o->max_size) {
			chunks = xrealloc(chunks, (n + 1) * sizeof(*chunks));
			memset(&chunks[n], 0, sizeof(*chunks));
			vc_buf_append(&chunks[n++], header, hlen);
		}
		vc_buf_append(&chunks[n - 1], line, len);
	}
	*count = n;
	return chunks;
}

static char *
file_name(const struct vc_featurefile_opts *o, size_t index)
{
	return index == 0 ? xstrdup(o->name) : xasprintf("%s-%zu", o->name, index + 1);
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write one temp file: never reuse or follow what someone left there. */
static int
write_temp(int dfd, const char *dir, const char *tmp, const struct vc_buf *c)
{
	_autoclose_ int fd = -1;
	struct stat st;
	int rc;

	/* Something left at the temp name (ours from a crash, or planted):
	 * remove it rather than write through it. */
	if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    unlinkat(dfd, tmp, 0) < 0) {
		rc = -errno;
		vc_err("cannot remove stale temp file %s/%s: %s", dir, tmp,
		       strerror(-rc));
		return rc;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		vc_err("cannot create %s/%s: %s", dir, tmp, strerror(-rc));
		return rc;
	}
	rc = fchmod(fd, 0644) < 0 ? -errno : write_all(fd, c->data, c->len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (rc == 0 && close(steal_fd(&fd)) < 0)
		rc = -errno;
	if (rc < 0) {
		vc_err("cannot write %s/%s: %s", dir, tmp, strerror(-rc));
		return rc;
	}
	return 0;
}

static char *
temp_name(const char *name)
{
	return xasprintf(".%s.tmp", name);
}

static int
open_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (dfd >= 0)
		return dfd;
	rc = -errno;
	if (rc == -ENOENT)
		vc_err("features directory %s does not exist", dir);
	else if (rc == -ELOOP || rc == -ENOTDIR)
		vc_err("features directory %s is not a directory (symlinks are not followed)",
		       dir);
	else
		vc_err("cannot open features directory %s: %s", dir, strerror(-rc));
	return rc;
}

/* Is @ent "NAME-<n>" with n > @keep (a file the new set does not need)? */
static bool
is_surplus(const char *ent, const char *name, size_t keep)
{
	size_t nlen = strlen(name);
	unsigned long long v;

	if (strncmp(ent, name, nlen) != 0 || ent[nlen] != '-')
		return false;
	return vc_parse_uint(ent + nlen + 1, SIZE_MAX, &v) == 0 && v > keep;
}

static void
remove_surplus(int dfd, const struct vc_featurefile_opts *o, size_t keep)
{
	_cleanup_(closedirp) DIR *d = NULL;
	int fd = dup(dfd);
	struct dirent *e;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		vc_warn("cannot list %s to remove old split files: %s", o->dir,
			strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		if (!is_surplus(e->d_name, o->name, keep))
			continue;
		if (unlinkat(dfd, e->d_name, 0) < 0)
			vc_warn("cannot remove old feature file %s/%s: %s", o->dir,
				e->d_name, strerror(errno));
	}
}

static void
unlink_temps(int dfd, const struct vc_featurefile_opts *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_autofree_ char *name = file_name(o, i);
		_autofree_ char *tmp = temp_name(name);

		unlinkat(dfd, tmp, 0);
	}
}

static int
rename_all(int dfd, const struct vc_featurefile_opts *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_autofree_ char *name = file_name(o, i);
		_autofree_ char *tmp = temp_name(name);

		if (renameat(dfd, tmp, dfd, name) < 0) {
			int rc = -errno;

			vc_err("cannot rename %s/%s to %s: %s", o->dir, tmp, name,
			       strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
free_chunks(struct vc_buf *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vc_buf_clear(&c[i]);
	free(c);
}

int
vc_featurefile_write(const struct vc_featurefile_opts *opts, const struct vc_labels *l)
{
	struct vc_featurefile_opts defaults = *opts, *o = &defaults;
	_autoclose_ int dfd = open_dir(o->dir);
	struct vc_buf *chunks;
	size_t n = 0;
	int rc = 0;

	if (dfd < 0)
		return dfd;
	if (!o->name)
		o->name = VC_FEATUREFILE_NAME;
	if (!o->max_size)
		o->max_size = VC_FEATUREFILE_MAX;
	chunks = make_chunks(o, l, &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		_autofree_ char *name = file_name(o, i);
		_autofree_ char *tmp = temp_name(name);

		rc = write_temp(dfd, o->dir, tmp, &chunks[i]);
	}
	free_chunks(chunks, n);
	if (rc == 0)
		rc = rename_all(dfd, o, n);
	if (rc < 0) {
		unlink_temps(dfd, o, n);
		return rc;
	}
	if (fsync(dfd) < 0)
		vc_warn("cannot fsync features directory %s: %s", o->dir,
			strerror(errno));
	remove_surplus(dfd, o, n);
	return (int)n;
}

/* ---- reading, as nfd-worker does ---------------------------------------- */

static int
parse_offset(const char *p, long *off)
{
	int hh, mm;

	if (*p == 'Z' || *p == 'z')
		return p[1] ? -EINVAL : (*off = 0, 0);
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 ||
	    strlen(p) != 6 || hh > 23 || mm > 59)
		return -EINVAL;
	*off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
	return 0;
}

int
vc_parse_rfc3339(const char *s, long long *out)
{
	struct tm tm = {0};
	const char *p;
	long off;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p || strlen(s) < 20 || s[4] != '-' || s[10] != 'T')
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (parse_offset(p, &off) < 0)
		return -EINVAL;
	*out = (long long)timegm(&tm) - off;
	return 0;
}

/* Later lines win: replace the value of an existing key. */
static void
put_label(struct vc_labels *out, const char *key, const char *value)
{
	for (size_t i = 0; i < out->n; i++) {
		if (strcmp(out->v[i].key, key) == 0) {
			free(out->v[i].value);
			out->v[i].value = xstrdup(value);
			return;
		}
	}
	vc_labels_add(out, xstrdup(key), xstrdup(value));
}

struct reader {
	long long now;
	long long expiry; /* 0: lines never expire */
	bool no_label;
	int rc;
};

static void
read_directive(struct reader *r, const char *d)
{
	if (strncmp(d, "expiry-time=", 12) == 0) {
		_autofree_ char *v = xstrdup(d + 12);
		long long t;

		if (vc_parse_rfc3339(vc_trim(v), &t) < 0)
			r->rc = -EINVAL; /* NFD logs it and keeps the old expiry */
		else
			r->expiry = t;
	} else if (strcmp(d, "no-label") == 0) {
		r->no_label = true;
	}
}

static void
read_line(struct reader *r, char *line, struct vc_labels *out)
{
	char *eq;

	line = vc_trim(line);
	if (!*line)
		return;
	if (line[0] == '#') {
		if (strncmp(line, "# +", 3) == 0)
			read_directive(r, line + 3);
		return;
	}
	if (r->expiry && r->expiry < r->now)
		return;
	eq = strchr(line, '=');
	if (eq)
		*eq = '\0';
	if (!r->no_label)
		put_label(out, line, eq ? eq + 1 : "true");
	r->no_label = false;
}

int
vc_featurefile_parse(const char *text, size_t len, long long now, struct vc_labels *out,
		     long long *expiry)
{
	_autofree_ char *copy = xstrndup(text, len);
	struct reader r = {.now = now};
	char *save = NULL;

	for (char *line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		read_line(&r, line, out);
	}
	if (expiry)
		*expiry = r.expiry;
	return r.rc;
}
