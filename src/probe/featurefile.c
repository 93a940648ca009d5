/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/featurefile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "featurefile-private.h"
#include "virt-caps/log.h"

DEFINE_CLEANUP_FUNC(DIR *, closedir, closedir)

void (*vc_featurefile_observer)(const char *event);

static void
observe(const char *what, const char *name)
{
	_autofree_ char *event = NULL;

	if (!vc_featurefile_observer)
		return;
	event = name ? xasprintf("%s %s", what, name) : xstrdup(what);
	vc_featurefile_observer(event);
}

bool
vc_featurefile_name_valid(const char *name)
{
	return !strempty(name) && name[0] != '.' && !strchr(name, '/') &&
	       strlen(name) < 200;
}

/*
 * Where a label goes: a hash of its key, modulo the file count (a power of
 * two). A label therefore stays in the same file from one set to the next
 * while the count stays the same, so replacing the files one at a time
 * never hides a label that both sets have. When the count changes, a
 * label only moves to a higher index (count doubled: h mod 2n >= h mod n)
 * or out of a file that is removed (count halved).
 */
static size_t
bucket_of(const char *key, size_t n)
{
	return (size_t)(vc_fnv1a(VC_FNV1A_INIT, key, strlen(key)) & (n - 1));
}

/* Identity of a whole set, written in each file of a split set so that a
 * reader of the directory can tell files of different sets apart. */
static unsigned long long
set_id(const struct vc_labels *l)
{
	unsigned long long h = VC_FNV1A_INIT;

	for (size_t i = 0; i < l->n; i++) {
		h = vc_fnv1a(h, l->v[i].key, strlen(l->v[i].key));
		h = vc_fnv1a(h, "=", 1);
		h = vc_fnv1a(h, l->v[i].value, strlen(l->v[i].value));
		h = vc_fnv1a(h, "\n", 1);
	}
	return h;
}

static size_t
line_len(const struct vc_label *v)
{
	return strlen(v->key) + strlen(v->value) + 2;
}

/* Does every file of an @n-file layout stay within the limit? */
static bool
layout_fits(const struct vc_featurefile_opts *o, const struct vc_labels *l, size_t n,
	    size_t header)
{
	size_t size[VC_FEATUREFILE_MAX_FILES];

	for (size_t i = 0; i < n; i++)
		size[i] = header;
	for (size_t i = 0; i < l->n; i++) {
		size_t b = bucket_of(l->v[i].key, n);

		size[b] += line_len(&l->v[i]);
		if (size[b] > o->max_size)
			return false;
	}
	return true;
}

/* The header of each file: its expiry, and for a split set which set and
 * which part it is (a single file is replaced whole, it needs no part). */
static void
put_header(struct vc_buf *b, const char *when, unsigned long long id, size_t i, size_t n)
{
	vc_buf_printf(b, "# +expiry-time=%s\n", when);
	if (n > 1)
		vc_buf_printf(b, "%s%016llx file=%zu/%zu\n", VC_FEATUREFILE_SET_MARK, id,
			      i + 1, n);
}

/* Split the labels into file texts, each with its own expiry header. */
static struct vc_buf *
make_chunks(const struct vc_featurefile_opts *o, const struct vc_labels *l, size_t *count)
{
	/* The longest header: expiry line and set line. */
	const size_t header =
		sizeof("# +expiry-time=YYYY-MM-DDTHH:MM:SSZ\n") +
		sizeof(VC_FEATUREFILE_SET_MARK "0123456789abcdef file=8/8\n");
	unsigned long long id = set_id(l);
	struct vc_buf *chunks;
	char when[32];
	size_t n = 1;

	while (n <= VC_FEATUREFILE_MAX_FILES && !layout_fits(o, l, n, header))
		n *= 2;
	if (n > VC_FEATUREFILE_MAX_FILES)
		return NULL;
	vc_format_rfc3339(o->expiry, when);
	chunks = xzalloc(n * sizeof(*chunks));
	for (size_t i = 0; i < n; i++)
		put_header(&chunks[i], when, id, i, n);
	for (size_t i = 0; i < l->n; i++)
		vc_buf_printf(&chunks[bucket_of(l->v[i].key, n)], "%s=%s\n", l->v[i].key,
			      l->v[i].value);
	*count = n;
	return chunks;
}

static char *
file_name(const struct vc_featurefile_opts *o, size_t index)
{
	return index == 0 ? xstrdup(o->name) : xasprintf("%s-%zu", o->name, index + 1);
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
	rc = fchmod(fd, 0644) < 0 ? -errno : vc_write_all(fd, c->data, c->len);
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

/* The n of "NAME-<n>" (0 for NAME itself), or -1 for any other name. */
static long long
file_number(const char *ent, const char *name)
{
	size_t nlen = strlen(name);
	unsigned long long v;

	if (strncmp(ent, name, nlen) != 0)
		return -1;
	if (ent[nlen] == '\0')
		return 0;
	if (ent[nlen] != '-' || vc_parse_uint(ent + nlen + 1, SIZE_MAX, &v) < 0 ||
	    v > LLONG_MAX)
		return -1;
	return (long long)v;
}

/* What the directory holds of ours: which of the @n files exist (bit i for
 * index i), and the files NAME-<k>, k > n, that the new set does not use. */
struct on_disk {
	unsigned present;
	struct vc_strv surplus;
};

static void
on_disk_clear(struct on_disk *d)
{
	vc_strv_clear(&d->surplus);
}

/* A temp file ".NAME-<k>.tmp" that no file of the new set uses is a killed
 * writer's leftover: remove it (NFD ignores it, but it would stay forever). */
static void
remove_stale_temp(int dfd, const struct vc_featurefile_opts *o, const char *ent, size_t n)
{
	size_t len = strlen(ent);
	_autofree_ char *base = NULL;
	long long k;

	if (ent[0] != '.' || len < 6 || strcmp(ent + len - 4, ".tmp") != 0)
		return;
	base = xstrndup(ent + 1, len - 5);
	k = file_number(base, o->name);
	if (k > (long long)n && unlinkat(dfd, ent, 0) < 0)
		vc_warn("cannot remove stale temp file %s/%s: %s", o->dir, ent,
			strerror(errno));
}

static int
scan_files(int dfd, const struct vc_featurefile_opts *o, size_t n, struct on_disk *d)
{
	_cleanup_(closedirp) DIR *dir = NULL;
	int fd = dup(dfd), rc;
	struct dirent *e;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		vc_err("cannot list features directory %s: %s", o->dir, strerror(-rc));
		return rc;
	}
	while ((e = readdir(dir))) {
		long long k = file_number(e->d_name, o->name);

		if (k < 0) {
			remove_stale_temp(dfd, o, e->d_name, n);
			continue;
		}
		if (k == 0 || (k >= 2 && (unsigned long long)k <= n))
			d->present |= 1U << (k == 0 ? 0 : k - 1);
		else if (k > (long long)n)
			vc_strv_push(&d->surplus, e->d_name);
	}
	return 0;
}

static void
sync_dir(int dfd, const char *dir)
{
	if (fsync(dfd) < 0)
		vc_warn("cannot fsync features directory %s: %s", dir, strerror(errno));
}

/* Give a reader that listed the directory before a file count change time
 * to finish its pass before a file it may still read loses labels. */
static void
settle(const struct vc_featurefile_opts *o)
{
	struct timespec t = {
		.tv_sec = o->settle_ms / 1000,
		.tv_nsec = (long)(o->settle_ms % 1000) * 1000000L,
	};

	observe("settle", NULL);
	while (o->settle_ms > 0 && nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static int
rename_one(int dfd, const struct vc_featurefile_opts *o, size_t i)
{
	_autofree_ char *name = file_name(o, i);
	_autofree_ char *tmp = temp_name(name);
	int rc;

	if (renameat(dfd, tmp, dfd, name) == 0) {
		observe("rename", name);
		return 0;
	}
	rc = -errno;
	vc_err("cannot rename %s/%s to %s: %s", o->dir, tmp, name, strerror(-rc));
	return rc;
}

/*
 * Put the @n new files in place so that a reader never misses a label that
 * the old and the new set both have. First the files the directory lacks
 * (adding a file hides nothing); then, after a pause, the existing ones,
 * highest index first: a label only moves to a higher index, and NFD reads
 * the files in name order, so by the time a file loses a label the file
 * that gains it has been replaced (see bucket_of).
 */
static int
publish(int dfd, const struct vc_featurefile_opts *o, size_t n, unsigned present)
{
	bool added = false;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (present & (1U << i))
			continue;
		rc = rename_one(dfd, o, i);
		if (rc < 0)
			return rc;
		added = true;
	}
	if (added && present) {
		sync_dir(dfd, o->dir);
		settle(o);
	}
	for (size_t i = n; i-- > 0;) {
		if (!(present & (1U << i)))
			continue;
		rc = rename_one(dfd, o, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Files NAME-<k> the new set does not use: removed only once the new files
 * are in place, and after a pause for a reader that listed them before. */
static void
remove_surplus(int dfd, const struct vc_featurefile_opts *o,
	       const struct vc_strv *surplus)
{
	if (surplus->n == 0)
		return;
	settle(o);
	for (size_t i = 0; i < surplus->n; i++) {
		if (unlinkat(dfd, surplus->v[i], 0) < 0)
			vc_warn("cannot remove old feature file %s/%s: %s", o->dir,
				surplus->v[i], strerror(errno));
		else
			observe("unlink", surplus->v[i]);
	}
	sync_dir(dfd, o->dir);
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

static void
free_chunks(struct vc_buf *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vc_buf_clear(&c[i]);
	free(c);
}

static int
write_temps(int dfd, const struct vc_featurefile_opts *o, const struct vc_labels *l,
	    size_t *n)
{
	struct vc_buf *chunks = make_chunks(o, l, n);
	int rc = 0;

	if (!chunks) {
		vc_err("labels do not fit in %d feature files of %zu bytes in %s",
		       VC_FEATUREFILE_MAX_FILES, o->max_size, o->dir);
		return -EFBIG;
	}
	for (size_t i = 0; i < *n && rc == 0; i++) {
		_autofree_ char *name = file_name(o, i);
		_autofree_ char *tmp = temp_name(name);

		rc = write_temp(dfd, o->dir, tmp, &chunks[i]);
	}
	free_chunks(chunks, *n);
	return rc;
}

int
vc_featurefile_write(const struct vc_featurefile_opts *opts, const struct vc_labels *l)
{
	struct vc_featurefile_opts defaults = *opts, *o = &defaults;
	_autoclose_ int dfd = open_dir(o->dir);
	_cleanup_(on_disk_clear) struct on_disk d = {0};
	size_t n = 0;
	int rc;

	if (dfd < 0)
		return dfd;
	if (!o->name)
		o->name = VC_FEATUREFILE_NAME;
	if (!o->max_size)
		o->max_size = VC_FEATUREFILE_MAX;
	if (!o->settle_ms)
		o->settle_ms = VC_FEATUREFILE_SETTLE_MS;
	rc = write_temps(dfd, o, l, &n);
	if (rc == 0)
		rc = scan_files(dfd, o, n, &d);
	if (rc == 0)
		rc = publish(dfd, o, n, d.present);
	if (rc < 0) {
		unlink_temps(dfd, o, n);
		return rc;
	}
	sync_dir(dfd, o->dir);
	remove_surplus(dfd, o, &d.surplus);
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
