/* SPDX-License-Identifier: Apache-2.0 */
/* NFD feature files: format, expiry, splitting, atomic replacement. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "test-common.h"

#include "probe/featurefile-private.h"
#include "virt-caps/featurefile.h"

static char *dir;
static void
setup(void)
{
	dir = test_tmpdir();
}

static void
teardown(void)
{
	test_rmtree(dir);
	free(dir);
}

/* @n labels with long keys, about 100 bytes a line. */
static void
make_labels(struct vc_labels *l, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		vc_labels_add(l,
			      xasprintf(VC_NFD_NAMESPACE
					"/cpu-feature.%s-feature-%06zu-padding",
					tag, i),
			      xstrdup("true"));
}

static char *
path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static bool
exists(const char *name)
{
	_autofree_ char *p = path_of(name);
	struct stat st;

	return lstat(p, &st) == 0;
}

START_TEST(write_and_read_back)
{
	struct vc_labels l = {0}, back = {0};
	struct vc_featurefile_opts o = {.dir = dir, .expiry = 1795000000};
	_autofree_ char *p = path_of("virt-caps");
	_autofree_ char *text = NULL;
	struct stat st;
	long long expiry = 0;

	make_labels(&l, 10, "a");
	ck_assert_int_eq(vc_featurefile_write(&o, &l), 1);
	text = test_read(p, NULL);
	ck_assert(strncmp(text, "# +expiry-time=2026-11-18T", 26) == 0);
	ck_assert_int_eq(
		vc_featurefile_parse(text, strlen(text), 1700000000, &back, &expiry), 0);
	ck_assert_int_eq(expiry, 1795000000);
	ck_assert_uint_eq(back.n, 10);
	ck_assert_str_eq(back.v[3].key, l.v[3].key);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert(!exists(".virt-caps.tmp"));
	/* Expired lines give no labels, as in NFD. */
	vc_labels_clear(&back);
	vc_featurefile_parse(text, strlen(text), 1795000001, &back, NULL);
	ck_assert_uint_eq(back.n, 0);
	vc_labels_clear(&back);
	vc_labels_clear(&l);
}
END_TEST

static void
check_split_file(const char *name, size_t *total)
{
	_autofree_ char *p = path_of(name);
	size_t len = 0;
	_autofree_ char *text = test_read(p, &len);
	struct vc_labels back = {0};
	long long expiry = 0;

	ck_assert_uint_le(len, VC_FEATUREFILE_MAX);
	ck_assert(strncmp(text, "# +expiry-time=", 15) == 0);
	ck_assert_int_eq(vc_featurefile_parse(text, len, 0, &back, &expiry), 0);
	ck_assert_int_gt(expiry, 0);
	*total += back.n;
	vc_labels_clear(&back);
}

START_TEST(split_at_nfd_limit)
{
	struct vc_labels big = {0}, small = {0};
	struct vc_featurefile_opts o = {.dir = dir, .expiry = time(NULL) + 3600};
	size_t total = 0;

	make_labels(&big, 2000, "b"); /* 2000 x 77 bytes: three files */
	ck_assert_int_eq(vc_featurefile_write(&o, &big), 3);
	check_split_file("virt-caps", &total);
	check_split_file("virt-caps-2", &total);
	check_split_file("virt-caps-3", &total);
	ck_assert_uint_eq(total, 2000);
	/* A smaller set removes the files it no longer needs, and only those. */
	{
		_autofree_ char *extra = path_of("virt-caps-extra");
		_autofree_ char *other = path_of("other-2");

		test_write(extra, "x=1\n");
		test_write(other, "x=1\n");
	}
	make_labels(&small, 5, "s");
	ck_assert_int_eq(vc_featurefile_write(&o, &small), 1);
	ck_assert(exists("virt-caps"));
	ck_assert(!exists("virt-caps-2"));
	ck_assert(!exists("virt-caps-3"));
	ck_assert(exists("virt-caps-extra"));
	ck_assert(exists("other-2"));
	vc_labels_clear(&big);
	vc_labels_clear(&small);
}
END_TEST

START_TEST(planted_temp_symlink)
{
	struct vc_labels l = {0};
	struct vc_featurefile_opts o = {.dir = dir, .expiry = time(NULL) + 60};
	_autofree_ char *victim = path_of("victim");
	_autofree_ char *tmp = path_of(".virt-caps.tmp");
	_autofree_ char *final = path_of("virt-caps");
	_autofree_ char *text = NULL;
	struct stat st;

	test_write(victim, "precious\n");
	ck_assert_int_eq(symlink(victim, tmp), 0);
	make_labels(&l, 3, "p");
	ck_assert_int_eq(vc_featurefile_write(&o, &l), 1);
	text = test_read(victim, NULL);
	ck_assert_str_eq(text, "precious\n");
	ck_assert_int_eq(lstat(final, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert(!exists(".virt-caps.tmp"));
	vc_labels_clear(&l);
}
END_TEST

START_TEST(bad_directories)
{
	struct vc_labels l = {0};
	_autofree_ char *missing = path_of("missing");
	_autofree_ char *real = path_of("real");
	_autofree_ char *link = path_of("link");
	struct vc_featurefile_opts o = {.dir = missing, .expiry = 1};

	make_labels(&l, 1, "d");
	ck_assert_int_eq(vc_featurefile_write(&o, &l), -ENOENT);
	ck_assert_int_eq(mkdir(real, 0755), 0);
	ck_assert_int_eq(symlink(real, link), 0);
	o.dir = link;
	ck_assert_int_lt(vc_featurefile_write(&o, &l), 0);
	ck_assert_uint_eq(test_log.n, 2);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "does not exist"));
	ck_assert_ptr_nonnull(strstr(test_log.v[1], "symlinks are not followed"));
	vc_labels_clear(&l);
}
END_TEST

/* A reader that never sees a partial file while a writer replaces it. */
static int
reader(const char *path, const char *a, const char *b, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		char *text = NULL;

		if (vc_read_file(path, 1 << 20, &text, NULL) < 0)
			return 2;
		if (strcmp(text, a) != 0 && strcmp(text, b) != 0) {
			free(text);
			return 1;
		}
		free(text);
	}
	return 0;
}

START_TEST(concurrent_reader)
{
	struct vc_labels a = {0}, b = {0};
	struct vc_featurefile_opts o = {.dir = dir, .expiry = 1795000000};
	_autofree_ char *p = path_of("virt-caps");
	_autofree_ char *ta = NULL, *tb = NULL;
	int status = 0;
	pid_t pid, done = 0;

	make_labels(&a, 20, "a");
	make_labels(&b, 400, "b");
	ck_assert_int_eq(vc_featurefile_write(&o, &b), 1);
	tb = test_read(p, NULL);
	ck_assert_int_eq(vc_featurefile_write(&o, &a), 1);
	ta = test_read(p, NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(reader(p, ta, tb, 20000));
	for (int i = 0; i < 2000 && done == 0; i++) {
		ck_assert_int_eq(vc_featurefile_write(&o, i % 2 ? &a : &b), 1);
		done = waitpid(pid, &status, WNOHANG);
	}
	if (done == 0)
		done = waitpid(pid, &status, 0);
	ck_assert_int_eq(done, pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "reader saw a partial or unknown file (status %d)", status);
	vc_labels_clear(&a);
	vc_labels_clear(&b);
}
END_TEST

START_TEST(nfd_parse_rules)
{
	const char *text = "  # comment\n"
			   "plain\n"
			   "a=1\n"
			   "a=2\n"
			   "eq=x=y\r\n"
			   "# +no-label\n"
			   "hidden=1\n"
			   "shown=1\n"
			   "# +expiry-time=2000-01-01T00:00:00Z\n"
			   "old=1\n"
			   "# +expiry-time=not-a-time\n"
			   "still-old=1\n";
	struct vc_labels l = {0};
	long long expiry = 0;

	ck_assert_int_eq(
		vc_featurefile_parse(text, strlen(text), 1700000000, &l, &expiry),
		-EINVAL);
	ck_assert_int_eq(expiry, 946684800);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0].key, "plain");
	ck_assert_str_eq(l.v[0].value, "true");
	ck_assert_str_eq(l.v[1].key, "a");
	ck_assert_str_eq(l.v[1].value, "2");
	ck_assert_str_eq(l.v[2].key, "eq");
	ck_assert_str_eq(l.v[2].value, "x=y");
	ck_assert_str_eq(l.v[3].key, "shown");
	vc_labels_clear(&l);
}
END_TEST

START_TEST(rfc3339)
{
	long long t = 0;
	char buf[32];

	ck_assert_int_eq(vc_parse_rfc3339("2026-11-22T10:00:00Z", &t), 0);
	ck_assert_int_eq(t, 1795341600);
	vc_format_rfc3339(t, buf);
	ck_assert_str_eq(buf, "2026-11-22T10:00:00Z");
	ck_assert_int_eq(vc_parse_rfc3339("2026-11-22T11:30:00.123+01:30", &t), 0);
	ck_assert_int_eq(t, 1795341600);
	ck_assert_int_eq(vc_parse_rfc3339("2026-11-22 10:00:00Z", &t), -EINVAL);
	ck_assert_int_eq(vc_parse_rfc3339("2026-11-22T10:00:00", &t), -EINVAL);
	ck_assert_int_eq(vc_parse_rfc3339("2026-11-22T10:00:00Zjunk", &t), -EINVAL);
}
END_TEST

START_TEST(file_names)
{
	ck_assert(vc_featurefile_name_valid("virt-caps"));
	ck_assert(!vc_featurefile_name_valid(".hidden"));
	ck_assert(!vc_featurefile_name_valid("a/b"));
	ck_assert(!vc_featurefile_name_valid(""));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("featurefile");
	TCase *w = tcase_create("write");
	TCase *r = tcase_create("read");

	tcase_add_checked_fixture(w, setup, teardown);
	test_log_fixture(w);
	tcase_set_timeout(w, 60);
	tcase_add_test(w, write_and_read_back);
	tcase_add_test(w, split_at_nfd_limit);
	tcase_add_test(w, planted_temp_symlink);
	tcase_add_test(w, bad_directories);
	tcase_add_test(w, concurrent_reader);
	tcase_add_test(r, nfd_parse_rules);
	tcase_add_test(r, rfc3339);
	tcase_add_test(r, file_names);
	suite_add_tcase(s, w);
	suite_add_tcase(s, r);
	return test_run(s);
}
