/* SPDX-License-Identifier: Apache-2.0 */
#include "virt-caps/health.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

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

/* Write all of @text to a new file @tmp, flushed to disk. */
static int
write_new(const char *tmp, const char *text)
{
	_autoclose_ int fd =
		open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t len = strlen(text), done = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return fsync(fd) < 0 ? -errno : 0;
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
		vc_warn("cannot write the health record %s: %s (--health will not see this probe)",
			path, strerror(-rc));
	}
	return rc;
}

/* A number field of the record; -EINVAL for an unknown key. */
static int
set_number(struct vc_health *h, const char *key, unsigned long long v)
{
	if (streq(key, "started"))
		h->started = (long long)v;
	else if (streq(key, "last_attempt"))
		h->last_attempt = (long long)v;
	else if (streq(key, "last_success"))
		h->last_success = (long long)v;
	else if (streq(key, "consecutive_failures"))
		h->consecutive_failures = v > UINT_MAX ? UINT_MAX : (unsigned)v;
	else if (streq(key, "interval"))
		h->interval = (unsigned long)v;
	else if (streq(key, "labels"))
		h->labels = (size_t)v;
	else
		return -EINVAL;
	return 0;
}

/* One "key=value" line into @h; -EINVAL for an unknown key or bad number. */
static int
parse_line(struct vc_health *h, const char *key, const char *value)
{
	unsigned long long v = 0;
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
	if (vc_parse_uint(value, LLONG_MAX, &v) < 0)
		return -EINVAL;
	return set_number(h, key, v);
}

static int
parse_record(const char *path, char *text, struct vc_health *h)
{
	unsigned lineno = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		lineno++;
		if (eq)
			*eq = '\0';
		if (!eq || parse_line(h, line, eq + 1) < 0) {
			vc_err("%s: line %u is not a health record line", path, lineno);
			return -EINVAL;
		}
	}
	if (h->interval == 0) {
		vc_err("%s: no interval: not a health record", path);
		return -EINVAL;
	}
	return 0;
}

int
vc_health_read(const char *dir, struct vc_health *h)
{
	_autofree_ char *path = xasprintf("%s/%s", dir, VC_HEALTH_FILE);
	_autofree_ char *text = NULL;
	size_t len = 0;
	int rc = vc_read_file(path, HEALTH_MAX, &text, &len);

	memset(h, 0, sizeof(*h));
	if (rc == -ENOENT)
		return rc;
	if (rc < 0) {
		vc_err("cannot read the health record %s: %s", path,
		       rc == -EFBIG ? "larger than 8 KiB" : strerror(-rc));
		return rc;
	}
	if (strlen(text) != len) {
		vc_err("%s: binary data, not a health record", path);
		return -EINVAL;
	}
	rc = parse_record(path, text, h);
	if (rc < 0)
		vc_health_clear(h);
	return rc;
}

static char *
judge_live(const struct vc_health *h, long long now)
{
	long long since = h->last_attempt ? h->last_attempt : h->started;
	char at[32];

	if (now - since <= 2LL * (long long)h->interval)
		return NULL;
	vc_format_rfc3339(since, at);
	return xasprintf("not live: no probe %s for %llds (since %s), over two "
			 "intervals of %lus: a libvirt call may be stuck",
			 h->last_attempt ? "finished" : "finished since the start",
			 now - since, at, h->interval);
}

static char *
judge_ready(const struct vc_health *h)
{
	char at[32];

	if (!h->last_attempt) {
		vc_format_rfc3339(h->started, at);
		return xasprintf("not ready: no probe has finished since the start at %s",
				 at);
	}
	if (h->consecutive_failures == 0)
		return NULL;
	vc_format_rfc3339(h->last_attempt, at);
	return xasprintf("not ready: the last %u probe%s failed, the last at %s: %s",
			 h->consecutive_failures, vc_plural(h->consecutive_failures), at,
			 h->last_error ? h->last_error : "unknown error");
}

bool
vc_health_judge(const struct vc_health *h, unsigned checks, long long now, char **line)
{
	char *why = (checks & VC_HEALTH_LIVE) ? judge_live(h, now) : NULL;
	char at[32];

	if (!why && (checks & VC_HEALTH_READY))
		why = judge_ready(h);
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
