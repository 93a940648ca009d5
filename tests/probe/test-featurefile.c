/* SPDX-License-Identifier: Apache-2.0 */
/* NFD feature files: format, expiry, splitting, atomic replacement. */
#include <dirent.h>
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
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = time(NULL) + 3600, .settle_ms = -1};
	size_t total = 0;

	make_labels(&big, 2000, "b"); /* 2000 x 77 bytes: four files (a power of 2) */
	ck_assert_int_eq(vc_featurefile_write(&o, &big), 4);
	check_split_file("virt-caps", &total);
	check_split_file("virt-caps-2", &total);
	check_split_file("virt-caps-3", &total);
	check_split_file("virt-caps-4", &total);
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
	ck_assert(!exists("virt-caps-4"));
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

/* ---- the directory as nfd-worker reads it --------------------------------- */

/* What the "# virt-caps set=" lines of the files read say. */
struct marks {
	size_t files;  /* files of ours read */
	size_t marked; /* of which carry a set line */
	bool agree;    /* same set id and file count in every marked file */
	unsigned long long id;
	size_t n;
	unsigned parts; /* bit i-1 for each "file=i/n" seen */
};

static void
note_mark(struct marks *m, const char *text)
{
	const char *p = strstr(text, "\n" VC_FEATUREFILE_SET_MARK);
	unsigned long long id;
	size_t i, n;

	m->files++;
	if (!p ||
	    sscanf(p + 1 + strlen(VC_FEATUREFILE_SET_MARK), "%16llx file=%zu/%zu", &id,
		   &i, &n) != 3 ||
	    i < 1 || i > 32)
		return;
	if (m->marked++ == 0) {
		m->agree = true;
		m->id = id;
		m->n = n;
	}
	m->agree = m->agree && id == m->id && n == m->n;
	m->parts |= 1U << (i - 1);
}

/* True when the marks vouch for a whole set: one file of a set that was not
 * split, or every part of one split set. */
static bool
marks_vouch(const struct marks *m)
{
	if (m->files == 1 && m->marked == 0)
		return true;
	return m->marked == m->files && m->agree && m->n == m->files &&
	       m->parts == (1U << m->n) - 1;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name); /* Go's sort: bytes */
}

/*
 * As nfd-worker's local source: list the directory (sorted by name), skip
 * dot files, stat each entry (following symlinks), skip what is not a
 * regular file or is over 64 KiB or has vanished, read it whole, later
 * files overriding earlier ones.
 */
static void
nfd_read_dir(const char *d, struct vc_labels *out, struct marks *m)
{
	struct dirent **ents = NULL;
	int n = scandir(d, &ents, NULL, by_name);

	for (int i = 0; i < n; i++) {
		_autofree_ char *p = xasprintf("%s/%s", d, ents[i]->d_name);
		_autofree_ char *text = NULL;
		struct stat st;
		size_t len = 0;

		if (ents[i]->d_name[0] != '.' && stat(p, &st) == 0 &&
		    S_ISREG(st.st_mode) && st.st_size <= VC_FEATUREFILE_MAX &&
		    vc_read_file(p, 1 << 20, &text, &len) == 0) {
			vc_featurefile_parse(text, len, 0, out, NULL);
			if (strncmp(ents[i]->d_name, "virt-caps", 9) == 0)
				note_mark(m, text);
		}
		free(ents[i]);
	}
	free(ents);
}

static const char *
value_of(const struct vc_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i].key, key))
			return l->v[i].value;
	return NULL;
}

static bool
same_labels(const struct vc_labels *x, const struct vc_labels *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!streq(value_of(y, x->v[i].key), x->v[i].value))
			return false;
	return true;
}

enum view { VIEW_OK, VIEW_LOST_LABEL, VIEW_BAD_VALUE, VIEW_UNDETECTED_MIX };

/* A view of the directory while the writer switches between @a and @b:
 * every label of both sets there, with one of its two values; when it is
 * neither set exactly, the set lines must say so. */
static enum view
check_view(const struct vc_labels *got, const struct marks *m, const struct vc_labels *a,
	   const struct vc_labels *b)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *vb = value_of(b, a->v[i].key);
		const char *v = value_of(got, a->v[i].key);

		if (!vb)
			continue;
		if (!v)
			return VIEW_LOST_LABEL;
		if (!streq(v, vb) && !streq(v, a->v[i].value))
			return VIEW_BAD_VALUE;
	}
	if (!same_labels(got, a) && !same_labels(got, b) && marks_vouch(m))
		return VIEW_UNDETECTED_MIX;
	return VIEW_OK;
}

static int
nfd_reader(const struct vc_labels *a, const struct vc_labels *b, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		struct vc_labels got = {0};
		struct marks m = {0};
		enum view v;

		nfd_read_dir(dir, &got, &m);
		v = check_view(&got, &m, a, b);
		vc_labels_clear(&got);
		if (v != VIEW_OK)
			return (int)v;
	}
	return 0;
}

/* ~60 bytes a line; @extra labels sort before the @common ones. */
static void
make_set(struct vc_labels *l, size_t extra, size_t common, const char *tsc)
{
	for (size_t i = 0; i < extra; i++)
		vc_labels_add(l, xasprintf(VC_NFD_NAMESPACE "/cpu-feature.a-%03zu", i),
			      xstrdup("true"));
	for (size_t i = 0; i < common; i++)
		vc_labels_add(l, xasprintf(VC_NFD_NAMESPACE "/cpu-feature.k-%03zu", i),
			      xstrdup("true"));
	vc_labels_add(l, xstrdup(VC_NFD_NAMESPACE "/tsc-frequency"), xstrdup(tsc));
}

/*
 * Two sets that both take two files; in order-based splitting a dozen
 * labels would move from the first file to the second. A reader that reads
 * the directory as NFD does, in a loop while the writer alternates, must
 * never miss a label that both sets have, and never see a mix of the two
 * that the set lines do not reveal.
 */
START_TEST(split_set_concurrent_reader)
{
	struct vc_labels a = {0}, b = {0};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 3000};
	int status = 0;
	pid_t pid, done = 0;

	make_set(&a, 0, 60, "1000");
	make_set(&b, 12, 60, "2000");
	ck_assert_int_eq(vc_featurefile_write(&o, &a), 2);
	ck_assert_int_eq(vc_featurefile_write(&o, &b), 2);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(nfd_reader(&a, &b, 5000));
	for (int i = 0; i < 4000 && done == 0; i++) {
		ck_assert_int_eq(vc_featurefile_write(&o, i % 2 ? &b : &a), 2);
		done = waitpid(pid, &status, WNOHANG);
	}
	if (done == 0)
		done = waitpid(pid, &status, 0);
	ck_assert_int_eq(done, pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == VIEW_OK,
		      "reader: %s (status %d)",
		      WEXITSTATUS(status) == VIEW_LOST_LABEL
			      ? "a label of both sets missing"
		      : WEXITSTATUS(status) == VIEW_UNDETECTED_MIX ? "an undetected mix"
								   : "a foreign value",
		      status);
	vc_labels_clear(&a);
	vc_labels_clear(&b);
}
END_TEST

/*
 * A set that grows from one file to two while something is in the way of the
 * second file (a directory planted at virt-caps-2): the write fails, and the
 * first file must still hold the old set whole, not the first half of the
 * new one. Once the obstacle is gone the next write repairs everything.
 */
START_TEST(growth_blocked_then_repaired)
{
	struct vc_labels a = {0}, b = {0}, got = {0};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 3000, .settle_ms = -1};
	_autofree_ char *first = path_of("virt-caps");
	_autofree_ char *second = path_of("virt-caps-2");
	_autofree_ char *before = NULL, *after = NULL;
	struct marks m = {0};

	make_set(&a, 0, 40, "1000");  /* one file */
	make_set(&b, 12, 60, "2000"); /* two */
	ck_assert_int_eq(vc_featurefile_write(&o, &a), 1);
	before = test_read(first, NULL);
	ck_assert_int_eq(mkdir(second, 0755), 0);
	ck_assert_int_lt(vc_featurefile_write(&o, &b), 0);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "virt-caps-2"));
	after = test_read(first, NULL);
	ck_assert_msg(streq(after, before),
		      "virt-caps changed although the write failed");
	ck_assert(!exists(".virt-caps.tmp"));
	ck_assert(!exists(".virt-caps-2.tmp"));
	ck_assert_int_eq(rmdir(second), 0);
	ck_assert_int_eq(vc_featurefile_write(&o, &b), 2);
	nfd_read_dir(dir, &got, &m);
	ck_assert(same_labels(&got, &b));
	ck_assert(marks_vouch(&m));
	vc_labels_clear(&got);
	vc_labels_clear(&a);
	vc_labels_clear(&b);
}
END_TEST

/* ---- every state a reader could see ----------------------------------- */

/* The files of ours in the directory after one change by the writer. */
struct state {
	struct vc_strv names; /* sorted as NFD lists them */
	struct vc_labels *labels;
	bool pause_after; /* the writer pauses before the next change */
};

#define MAX_STATES 64
static struct state states[MAX_STATES];
static size_t nstates;

static void
snapshot(void)
{
	struct state *st = &states[nstates++];
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, by_name);

	ck_assert_int_le(nstates, MAX_STATES);
	ck_assert_int_ge(n, 0);
	st->labels = xzalloc((size_t)n * sizeof(*st->labels) + 1);
	for (int i = 0; i < n; i++) {
		_autofree_ char *p = path_of(ents[i]->d_name);
		_autofree_ char *text = NULL;
		struct stat sb;
		size_t len = 0;

		if (strncmp(ents[i]->d_name, "virt-caps", 9) == 0 && stat(p, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && vc_read_file(p, 1 << 20, &text, &len) == 0) {
			vc_featurefile_parse(text, len, 0, &st->labels[st->names.n],
					     NULL);
			vc_strv_push(&st->names, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
}

static void
observer(const char *event)
{
	if (streq(event, "settle"))
		states[nstates - 1].pause_after = true;
	else
		snapshot();
}

static void
clear_states(void)
{
	for (size_t i = 0; i < nstates; i++) {
		for (size_t f = 0; f < states[i].names.n; f++)
			vc_labels_clear(&states[i].labels[f]);
		free(states[i].labels);
		vc_strv_clear(&states[i].names);
		states[i] = (struct state){0};
	}
	nstates = 0;
}

static bool
file_has(const struct state *st, const char *name, const char *key)
{
	for (size_t f = 0; f < st->names.n; f++)
		if (streq(st->names.v[f], name))
			return value_of(&st->labels[f], key) != NULL;
	return false; /* gone: NFD skips it */
}

/*
 * Can a reader that lists the directory in state @s and then reads each
 * listed file in name order, each in the same or a later state, but not
 * past a pause of the writer, see no file with @key? Greedy: read each file
 * at the first state where it lacks @key.
 */
static bool
can_miss(size_t s, const char *key)
{
	size_t end = s, t = s;

	while (end + 1 < nstates && !states[end].pause_after)
		end++;
	for (size_t f = 0; f < states[s].names.n; f++) {
		while (t <= end && file_has(&states[t], states[s].names.v[f], key))
			t++;
		if (t > end)
			return false;
	}
	return true;
}

static void
merged(const struct state *st, struct vc_labels *out)
{
	for (size_t f = 0; f < st->names.n; f++)
		for (size_t i = 0; i < st->labels[f].n; i++)
			if (!value_of(out, st->labels[f].v[i].key))
				vc_labels_add(out, xstrdup(st->labels[f].v[i].key),
					      xstrdup(st->labels[f].v[i].value));
}

/* One write, watched: returns its result after checking that no reader
 * pass could miss a label visible both before and after it. */
static int
watched_write(const struct vc_featurefile_opts *o, const struct vc_labels *l)
{
	struct vc_labels before = {0}, after = {0};
	int rc;

	snapshot();
	vc_featurefile_observer = observer;
	rc = vc_featurefile_write(o, l);
	vc_featurefile_observer = NULL;
	merged(&states[0], &before);
	merged(&states[nstates - 1], &after);
	for (size_t i = 0; i < before.n; i++) {
		if (!value_of(&after, before.v[i].key))
			continue;
		for (size_t s = 0; s < nstates; s++)
			ck_assert_msg(!can_miss(s, before.v[i].key),
				      "a reader listing in state %zu of %zu can miss %s",
				      s, nstates, before.v[i].key);
	}
	vc_labels_clear(&before);
	vc_labels_clear(&after);
	clear_states();
	return rc;
}

/* The directory as NFD reads it holds exactly @l, as one whole set. */
static void
assert_whole(const struct vc_labels *l)
{
	struct vc_labels got = {0};
	struct marks m = {0};

	nfd_read_dir(dir, &got, &m);
	ck_assert(same_labels(&got, l));
	ck_assert(marks_vouch(&m));
	vc_labels_clear(&got);
}

/*
 * Every change of the file count (1, 2 and 4 files, both ways), each state
 * the writer leaves between two changes recorded: no reader, however slow,
 * that does not span one of the writer's pauses, can miss a label that the
 * directory had before and after the write.
 */
START_TEST(count_changes_every_state)
{
	struct vc_labels set[3] = {{0}};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 3000, .settle_ms = -1};
	const int files[3] = {1, 2, 4};
	const int order[] = {0, 1, 2, 0, 2, 1, 0, 1};

	make_set(&set[0], 0, 40, "1");
	make_set(&set[1], 12, 60, "2");
	make_set(&set[2], 30, 120, "4");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ck_assert_int_eq(watched_write(&o, &set[order[i]]), files[order[i]]);
		assert_whole(&set[order[i]]);
	}
	for (int i = 0; i < 3; i++)
		vc_labels_clear(&set[i]);
}
END_TEST

/*
 * Renames that fail halfway (a directory planted at one of the names), and
 * the repair by the next write once it is gone: every state of both writes
 * checked as above, and the repaired directory holds exactly the new set.
 */
START_TEST(failed_renames_every_state)
{
	struct vc_labels one = {0}, two = {0}, four = {0};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 3000, .settle_ms = -1};
	_autofree_ char *third = path_of("virt-caps-3");
	_autofree_ char *first = path_of("virt-caps");

	make_set(&one, 0, 40, "1");
	make_set(&two, 12, 60, "2");
	make_set(&four, 30, 120, "4");
	/* Growth 1 -> 4 blocked at virt-caps-3 after the new files exist. */
	ck_assert_int_eq(watched_write(&o, &one), 1);
	ck_assert_int_eq(mkdir(third, 0755), 0);
	ck_assert_int_lt(watched_write(&o, &four), 0);
	ck_assert_int_eq(rmdir(third), 0);
	ck_assert_int_eq(watched_write(&o, &two), 2);
	assert_whole(&two);
	/* Replacement 4 -> 2 blocked at virt-caps after virt-caps-2 is new. */
	ck_assert_int_eq(watched_write(&o, &four), 4);
	ck_assert_int_eq(unlink(first), 0);
	ck_assert_int_eq(mkdir(first, 0755), 0);
	ck_assert_int_lt(watched_write(&o, &two), 0);
	ck_assert_int_eq(rmdir(first), 0);
	ck_assert_int_eq(watched_write(&o, &two), 2);
	assert_whole(&two);
	ck_assert(!exists("virt-caps-3") && !exists("virt-caps-4"));
	vc_labels_clear(&one);
	vc_labels_clear(&two);
	vc_labels_clear(&four);
}
END_TEST

static void
die_at_first_rename(const char *event)
{
	if (strncmp(event, "rename ", 7) == 0)
		raise(SIGKILL);
}

/*
 * A writer killed right after its first rename while the set grew from one
 * file to two: virt-caps still holds the old set and virt-caps-2 half of a
 * set that lacks the old labels. The next write (the restart's) must move
 * each old label into virt-caps-2 before virt-caps loses it.
 */
START_TEST(killed_growth_every_state)
{
	struct vc_labels one = {0}, other = {0}, two = {0};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 3000, .settle_ms = -1};
	int status = 0;
	pid_t pid;

	make_set(&one, 0, 40, "1");
	make_set(&other, 60, 0, "2"); /* none of the labels of @one but tsc */
	make_set(&two, 12, 60, "3");
	ck_assert_int_eq(watched_write(&o, &one), 1);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		vc_featurefile_observer = die_at_first_rename;
		_exit(vc_featurefile_write(&o, &other) == 2 ? 1 : 2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert(exists("virt-caps-2"));
	ck_assert_int_eq(watched_write(&o, &two), 2);
	assert_whole(&two);
	vc_labels_clear(&one);
	vc_labels_clear(&other);
	vc_labels_clear(&two);
}
END_TEST

/* A writer killed while growing to four files leaves temp files; a later
 * write of one file removes them and the surplus files. */
START_TEST(killed_writer_leftovers_removed)
{
	struct vc_labels one = {0}, four = {0};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 3000, .settle_ms = -1};
	_autofree_ char *planted = path_of(".virt-caps-9.tmp");
	int status = 0;
	pid_t pid;

	make_set(&one, 0, 40, "1");
	make_set(&four, 30, 120, "4");
	ck_assert_int_eq(vc_featurefile_write(&o, &one), 1);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		vc_featurefile_observer = die_at_first_rename;
		_exit(vc_featurefile_write(&o, &four) == 4 ? 1 : 2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert(exists(".virt-caps-4.tmp") && exists("virt-caps-2"));
	ck_assert_int_eq(symlink("/etc/passwd", planted), 0);
	ck_assert_int_eq(vc_featurefile_write(&o, &one), 1);
	assert_whole(&one);
	for (int i = 2; i <= 9; i++) {
		_autofree_ char *name = xasprintf("virt-caps-%d", i);
		_autofree_ char *tmp = xasprintf(".virt-caps-%d.tmp", i);

		ck_assert_msg(!exists(name) && !exists(tmp), "%s or %s left", name, tmp);
	}
	ck_assert(!exists(".virt-caps.tmp"));
	ck_assert(access("/etc/passwd", R_OK) == 0);
	vc_labels_clear(&one);
	vc_labels_clear(&four);
}
END_TEST

/* More labels than 8 files can hold: refused whole, the previous file kept. */
START_TEST(too_many_labels)
{
	struct vc_labels small = {0}, big = {0};
	struct vc_featurefile_opts o = {
		.dir = dir, .expiry = 1795000000, .max_size = 1000};
	_autofree_ char *p = path_of("virt-caps");
	_autofree_ char *before = NULL, *after = NULL;

	make_set(&small, 0, 10, "1");
	make_set(&big, 0, 200, "1"); /* 12 KB: over 8 x 1000 bytes */
	ck_assert_int_eq(vc_featurefile_write(&o, &small), 1);
	before = test_read(p, NULL);
	ck_assert_int_eq(vc_featurefile_write(&o, &big), -EFBIG);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "do not fit in 8 feature files"));
	after = test_read(p, NULL);
	ck_assert_str_eq(after, before);
	ck_assert(!exists("virt-caps-2") && !exists(".virt-caps.tmp"));
	vc_labels_clear(&small);
	vc_labels_clear(&big);
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
	/* Past year 9999 (or time_t) there is no RFC 3339 form. */
	ck_assert_int_eq(vc_format_rfc3339(VC_TIME_MAX, buf), 0);
	ck_assert_str_eq(buf, "9999-12-31T23:59:59Z");
	ck_assert_int_eq(vc_format_rfc3339(VC_TIME_MAX + 1, buf), -EOVERFLOW);
	ck_assert_str_eq(buf, "(time out of range)");
	ck_assert_int_eq(vc_format_rfc3339(LLONG_MAX, buf), -EOVERFLOW);
	ck_assert_int_eq(vc_format_rfc3339(LLONG_MIN, buf), -EOVERFLOW);
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
	tcase_add_test(w, split_set_concurrent_reader);
	tcase_add_test(w, growth_blocked_then_repaired);
	tcase_add_test(w, count_changes_every_state);
	tcase_add_test(w, failed_renames_every_state);
	tcase_add_test(w, killed_growth_every_state);
	tcase_add_test(w, killed_writer_leftovers_removed);
	tcase_add_test(w, too_many_labels);
	tcase_add_test(r, nfd_parse_rules);
	tcase_add_test(r, rfc3339);
	tcase_add_test(r, file_names);
	suite_add_tcase(s, w);
	suite_add_tcase(s, r);
	return test_run(s);
}
