/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>

#include "core/log-private.h"

char *
test_data_path(const char *rel)
{
	return xasprintf("%s/%s", TEST_DATA_DIR, rel);
}

char *
test_read(const char *path, size_t *len)
{
	char *text = NULL;
	int rc = vc_read_file(path, 64 * 1024 * 1024, &text, len);

	ck_assert_msg(rc == 0, "cannot read %s: %s", path, strerror(-rc));
	return text;
}

void
test_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

char *
test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/vc-test-XXXXXX", base ? base : "/tmp");

	ck_assert_msg(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	return dir;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
test_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

bool
test_regenerate(void)
{
	return streq(getenv("VC_TEST_REGENERATE"), "1");
}

static void
show_diff(const char *path, const char *got)
{
	_autofree_ char *dir = test_tmpdir();
	_autofree_ char *tmp = xasprintf("%s/got", dir);
	_autofree_ char *cmd = NULL;

	test_write(tmp, got);
	cmd = xasprintf("diff -u '%s' '%s' | head -60 >&2", path, tmp);
	if (system(cmd) < 0)
		fprintf(stderr, "cannot run diff\n");
	test_rmtree(dir);
}

void
test_golden(const char *path, const char *got)
{
	_autofree_ char *want = NULL;
	struct stat st;

	if (test_regenerate()) {
		if (*got)
			test_write(path, got);
		else
			remove(path);
		return;
	}
	if (stat(path, &st) == 0)
		want = test_read(path, NULL);
	else
		want = xstrdup("");
	if (strcmp(want, got) != 0) {
		show_diff(path, got);
		ck_abort_msg("output differs from %s (VC_TEST_REGENERATE=1 rewrites it)",
			     path);
	}
}

static void
capture(enum vc_log_level level, const char *msg, void *data)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};

	vc_strv_push_owned(data, xasprintf("%s: %s\n", names[level], msg));
}

void
test_capture_log(struct vc_strv *sink)
{
	vc_log_set_level(VC_LOG_WARN);
	vc_log_set_handler(capture, sink);
}

void
test_release_log(void)
{
	vc_log_set_handler(NULL, NULL);
}

struct vc_strv test_log;

static void
log_setup(void)
{
	test_capture_log(&test_log);
}

static void
log_teardown(void)
{
	test_release_log();
	vc_strv_clear(&test_log);
}

void
test_log_fixture(TCase *tc)
{
	tcase_add_checked_fixture(tc, log_setup, log_teardown);
}

char *
test_log_text(const struct vc_strv *sink)
{
	size_t len = 0;
	char *out;

	for (size_t i = 0; i < sink->n; i++)
		len += strlen(sink->v[i]);
	out = xzalloc(len + 1);
	for (size_t i = 0; i < sink->n; i++)
		strcat(out, sink->v[i]);
	return out;
}

int
test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
