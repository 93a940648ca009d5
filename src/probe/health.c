/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/health.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virt-caps/escape.h"
#include "virt-caps/featurefile.h"
#include "virt-caps/log.h"

#define HEALTH_MAX 8192

void
vc_probe_outcome_clear(struct vc_probe_outcome *o)
{
	free(o->virttype);
	free(o->host_model);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

void
vc_health_clear(struct vc_health *h)
{
	free(h->last_error);
	memset(h, 0, sizeof(*h));
}

void
vc_health_update(struct vc_health *h, const struct vc_probe_outcome *o)
{
	h->last_attempt = o->started;
	free(h->last_error);
	h->last_error = NULL;
	if (o->ok) {
		h->last_success = o->started;
		h->consecutive_failures = 0;
		h->labels = o->labels;
		h->label_digest = o->digest;
		return;
	}
	h->consecutive_failures++;
	h->last_error = xstrdup(!strempty(o->error) ? o->error : "unknown error");
}

static char *
render(const struct vc_health *h)
{
	struct vc_buf b = {0};

	vc_buf_printf(&b, "started=%lld\nlast_attempt=%lld\nlast_success=%lld\n",
		      h->started, h->last_attempt, h->last_success);
	vc_buf_printf(&b, "consecutive_failures=%u\ninterval=%lu\nlabels=%zu\n",
		      h->consecutive_failures, h->interval, h->labels);
	vc_buf_printf(&b, "label_digest=%016llx\nlast_error=%s\n", h->label_digest,
		      h->last_error ? h->last_error : "");
	return vc_buf_steal(&b, NULL);
}

/* Write all of @text to a new file @tmp, flushed to disk. Whatever was left
 * at that name goes first and O_EXCL|O_NOFOLLOW refuse anything planted
 * since: a FIFO there would block the open, a symbolic link redirect it. */
static int
write_new(const char *tmp, const char *text)
{
	_autoclose_ int fd = -1;
	int rc;

	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = vc_write_all(fd, text, strlen(text));
	return rc == 0 && fsync(fd) < 0 ? -errno : rc;
}

int
vc_health_write(const char *dir, const struct vc_health *h)
{
	_autofree_ char *path = xasprintf("%s/%s", dir, VC_HEALTH_FILE);
	_autofree_ char *tmp = xasprintf("%s/.%s.tmp", dir, VC_HEALTH_FILE);
	_autofree_ char *text = render(h);
	int rc = 0;

	/* A probe that failed before libvirt (the KVM device) made no state
	 * directory yet; the record is wanted all the more. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		rc = -errno;
	if (rc == 0)
		rc = write_new(tmp, text);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		/* After a failed probe the error line said what is wrong (often
		 * the same unwritable state directory): one line per error. */
		if (h->consecutive_failures)
			vc_info("cannot write the health record %s: %s (--health will not see this probe)",
				path, strerror(-rc));
		else
			vc_warn("cannot write the health record %s: %s (--health will not see this probe)",
				path, strerror(-rc));
	}
	return rc;
}

/* The largest value of a number field: times RFC 3339 can write, an
 * interval --interval accepts; 0 for an unknown key. */
static unsigned long long
field_max(const char *key)
{
	if (streq(key, "started") || streq(key, "last_attempt") ||
	    streq(key, "last_success"))
		return (unsigned long long)VC_TIME_MAX;
	if (streq(key, "interval"))
		return VC_HEALTH_INTERVAL_MAX;
	if (streq(key, "consecutive_failures"))
		return UINT_MAX;
	if (streq(key, "labels"))
		return LLONG_MAX;
	return 0;
}

/* A number field of the record, @v within field_max(@key). */
static void
set_number(struct vc_health *h, const char *key, unsigned long long v)
{
	if (streq(key, "started"))
		h->started = (long long)v;
	else if (streq(key, "last_attempt"))
		h->last_attempt = (long long)v;
	else if (streq(key, "last_success"))
		h->last_success = (long long)v;
	else if (streq(key, "consecutive_failures"))
		h->consecutive_failures = (unsigned)v;
	else if (streq(key, "interval"))
		h->interval = (unsigned long)v;
	else
		h->labels = (size_t)v;
}

/* One "key=value" line into @h; -EINVAL for an unknown key or a bad
 * number, -ERANGE for a number past its field's bound. */
static int
parse_line(struct vc_health *h, const char *key, const char *value)
{
	unsigned long long v = 0, max = field_max(key);
	char *end = NULL;

	if (streq(key, "last_error")) {
		free(h->last_error);
		h->last_error = strempty(value) ? NULL : xstrdup(value);
		return 0;
	}
	if (streq(key, "label_digest")) {
		errno = 0;
		h->label_digest = strtoull(value, &end, 16);
		return errno || end == value || *end ? -EINVAL : 0;
	}
	if (max == 0 || vc_parse_uint(value, ULLONG_MAX, &v) < 0)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	set_number(h, key, v);
	return 0;
}

static int
parse_record(char *text, struct vc_health *h, char **why)
{
	unsigned lineno = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		int rc;

		lineno++;
		if (eq)
			*eq = '\0';
		rc = eq ? parse_line(h, line, eq + 1) : -EINVAL;
		if (rc == -ERANGE)
			*why = xasprintf("line %u: %s out of range (a time after year "
					 "9999 or an interval over a year)",
					 lineno, line);
		else if (rc < 0)
			*why = xasprintf("line %u is not a health record line", lineno);
		if (rc < 0)
			return -EINVAL;
	}
	if (h->interval == 0) {
		*why = xstrdup("no interval: not a health record");
		return -EINVAL;
	}
	return 0;
}

static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "a special file";
}

/* Open @path only to read a regular file from it: O_NONBLOCK so that a
 * FIFO there cannot block the open (the loop takes SIGTERM only between
 * probes), O_NOFOLLOW so that a symbolic link is not followed. */
static int
open_record(const char *path, char **why)
{
	_autoclose_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ELOOP) {
		*why = xstrdup("a symbolic link, not a regular file");
		return -EINVAL;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		int rc = -errno;

		if (rc != -ENOENT)
			*why = xasprintf("cannot read it: %s", strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = xasprintf("%s, not a regular file", file_kind(st.st_mode));
		return -EINVAL;
	}
	return steal_fd(&fd);
}

static int
read_record(const char *path, struct vc_health *h, char **why)
{
	_autoclose_ int fd = open_record(path, why);
	_autofree_ char *text = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0)
		return fd;
	rc = vc_read_fd(fd, HEALTH_MAX, &text, &len);
	if (rc < 0) {
		*why = xasprintf("cannot read it: %s",
				 rc == -EFBIG ? "larger than 8 KiB" : strerror(-rc));
		return rc;
	}
	if (strlen(text) != len) {
		*why = xstrdup("binary data, not a health record");
		return -EINVAL;
	}
	return parse_record(text, h, why);
}

int
vc_health_read(const char *dir, struct vc_health *h, char **why)
{
	_autofree_ char *path = xasprintf("%s/%s", dir, VC_HEALTH_FILE);
	int rc;

	memset(h, 0, sizeof(*h));
	*why = NULL;
	rc = read_record(path, h, why);
	if (rc < 0)
		vc_health_clear(h);
	return rc;
}

/* Times further ahead than this are not clock skew between the writer's
 * and the reader's view: the clock went back, or the record is made up. */
#define FUTURE_SLACK 5

static const char *
check_word(unsigned checks)
{
	return (checks & VC_HEALTH_LIVE) ? "live" : "ready";
}

static char *
judge_future(const struct vc_health *h, unsigned checks, long long now)
{
	const char *names[] = {"started", "last_attempt", "last_success"};
	long long times[] = {h->started, h->last_attempt, h->last_success};
	char at[32];

	for (size_t i = 0; i < 3; i++) {
		if (times[i] <= now + FUTURE_SLACK)
			continue;
		vc_format_rfc3339(times[i], at);
		return xasprintf("not %s: the record is from the future: %s %s is %llds "
				 "ahead of this clock (did the clock go back?)",
				 check_word(checks), names[i], at, times[i] - now);
	}
	return NULL;
}

static char *
judge_live(const struct vc_health *h, long long now)
{
	long long since = h->last_attempt ? h->last_attempt : h->started;
	char at[32];

	if (now - since <= 2LL * (long long)h->interval)
		return NULL;
	vc_format_rfc3339(since, at);
	if (!h->last_attempt)
		return xasprintf("not live: no probe has finished since the start at %s, "
				 "%llds ago, over two intervals of %lus: a libvirt call "
				 "may be stuck",
				 at, now - since, h->interval);
	return xasprintf("not live: the last finished probe started %llds ago (at %s), "
			 "over two intervals of %lus: a libvirt call may be stuck",
			 now - since, at, h->interval);
}

static char *
judge_failed(const struct vc_health *h)
{
	_autofree_ char *error =
		vc_escape_text(h->last_error ? h->last_error : "unknown error");
	char at[32];

	vc_format_rfc3339(h->last_attempt, at);
	return xasprintf("not ready: the last %u probe%s failed, the last at %s: %s",
			 h->consecutive_failures, vc_plural(h->consecutive_failures), at,
			 error);
}

static char *
judge_ready(const struct vc_health *h, long long now)
{
	char at[32];

	if (!h->last_attempt) {
		vc_format_rfc3339(h->started, at);
		return xasprintf("not ready: no probe has finished since the start at %s",
				 at);
	}
	if (h->consecutive_failures)
		return judge_failed(h);
	/* The feature file expires 3 intervals after the probe that wrote it
	 * (VC_LABEL_EXPIRY_INTERVALS); it was written after the probe began,
	 * so counting from the start never says "published" too long. */
	if (now - h->last_success <= VC_LABEL_EXPIRY_INTERVALS * (long long)h->interval)
		return NULL;
	vc_format_rfc3339(h->last_success, at);
	return xasprintf("not ready: last success %llds ago (at %s), labels expired "
			 "(%d intervals of %lus)",
			 now - h->last_success, at, VC_LABEL_EXPIRY_INTERVALS,
			 h->interval);
}

bool
vc_health_judge(const struct vc_health *h, unsigned checks, long long now, char **line)
{
	char *why = judge_future(h, checks, now);
	char at[32];

	if (!why && (checks & VC_HEALTH_LIVE))
		why = judge_live(h, now);
	if (!why && (checks & VC_HEALTH_READY))
		why = judge_ready(h, now);
	if (why) {
		*line = why;
		return false;
	}
	vc_format_rfc3339(h->last_attempt ? h->last_attempt : h->started, at);
	if (!h->last_attempt)
		*line = xasprintf("ok: live, first probe under way since %s", at);
	else
		*line = xasprintf("ok: last probe at %s %s, %llds ago (interval %lus), "
				  "%zu labels",
				  at, h->consecutive_failures ? "failed" : "succeeded",
				  now - h->last_attempt, h->interval, h->labels);
	return true;
}
