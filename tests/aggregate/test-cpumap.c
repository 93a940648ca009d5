/* SPDX-License-Identifier: Apache-2.0 */
/* libvirt's CPU map: the real one on this machine and handmade ones. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-common.h"

#include "aggregate/cpumap-private.h"
#include "virt-caps/cpumap.h"

#define REAL_MAP VC_CPUMAP_DEFAULT_DIR

static char *
fixture(const char *name)
{
	const char *src = getenv("TEST_SRC_DIR");

	ck_assert_msg(src, "TEST_SRC_DIR is not set (run it with meson test)");
	return xasprintf("%s/aggregate/cpumap/%s", src, name);
}

static bool
has(const struct vc_cpumap_model *m, const char *feature)
{
	return vc_strv_contains(&m->features, feature);
}

/* Exactly one error was logged and it names @file and says @what. */
static void
assert_one_error(const char *file, const char *what)
{
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_msg(strstr(test_log.v[0], file), "'%s' lacks '%s'", test_log.v[0],
		      file);
	ck_assert_msg(strstr(test_log.v[0], what), "'%s' lacks '%s'", test_log.v[0],
		      what);
}

/* Load fixture @name, which must fail: its error names @file (in it). */
static void
assert_fixture_fails(const char *name, const char *file, const char *what)
{
	_autofree_ char *dir = fixture(name);
	_autofree_ char *path = xasprintf("%s/%s", dir, file);
	struct vc_cpumap m;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
	ck_assert_ptr_null(m.archs);
	ck_assert_ptr_null(m.dir);
	assert_one_error(path, what);
}

/* The <feature name=> lines of a libvirt map file, counted without libxml2. */
static size_t
count_features(const char *file)
{
	_autofree_ char *path = xasprintf("%s/%s", REAL_MAP, file);
	_autofree_ char *text = test_read(path, NULL);
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, "<feature name=")); p++)
		n++;
	return n;
}

START_TEST(real_map_x86)
{
	struct vc_cpumap m;
	const struct vc_cpumap_arch *x86;
	const struct vc_cpumap_model *sky, *ibrs;

	ck_assert_int_eq(vc_cpumap_load(NULL, &m), 0);
	ck_assert_str_eq(m.dir, REAL_MAP);
	x86 = vc_cpumap_arch(&m, "x86_64");
	ck_assert_ptr_nonnull(x86);
	ck_assert_str_eq(x86->name, "x86");
	ck_assert_ptr_eq(vc_cpumap_arch(&m, "i686"), x86);
	sky = vc_cpumap_model(x86, "Skylake-Server");
	ck_assert_ptr_nonnull(sky);
	ck_assert_str_eq(sky->vendor, "Intel");
	ck_assert(has(sky, "avx512f"));
	/* libvirt 9.0 lists every model in full (no <model> parent). */
	ck_assert_uint_eq(sky->features.n, count_features("x86_Skylake-Server.xml"));
	if (streq(m.libvirt_version, "9.0.0"))
		ck_assert_uint_eq(sky->features.n, 70); /* counted by hand */
	/* -IBRS is the same model plus spec-ctrl. */
	ibrs = vc_cpumap_model(x86, "Skylake-Server-IBRS");
	ck_assert_ptr_nonnull(ibrs);
	ck_assert_uint_eq(ibrs->features.n, sky->features.n + 1);
	ck_assert(has(ibrs, "spec-ctrl") && !has(sky, "spec-ctrl"));
	for (size_t i = 0; i < sky->features.n; i++)
		ck_assert_msg(has(ibrs, sky->features.v[i]), "%s", sky->features.v[i]);
	ck_assert_ptr_null(vc_cpumap_model(x86, "skylake-server"));
	ck_assert_ptr_null(vc_cpumap_model(x86, "host-model"));
	ck_assert(!vc_cpumap_migratable(x86, "invtsc"));
	ck_assert(!vc_cpumap_migratable(x86, "xsaves"));
	ck_assert(vc_cpumap_migratable(x86, "avx512f"));
	ck_assert(vc_cpumap_migratable(x86, "no-such-feature"));
	vc_cpumap_clear(&m);
	ck_assert_ptr_null(m.archs);
}
END_TEST

START_TEST(real_map_other_archs)
{
	struct vc_cpumap m;
	const struct vc_cpumap_arch *arm, *ppc;
	const struct vc_cpumap_model *p9;

	ck_assert_int_eq(vc_cpumap_load(REAL_MAP, &m), 0);
	arm = vc_cpumap_arch(&m, "aarch64");
	ck_assert_ptr_nonnull(arm);
	ck_assert_str_eq(arm->name, "arm");
	ck_assert_ptr_eq(vc_cpumap_arch(&m, "armv7l"), arm);
	ck_assert_str_eq(vc_cpumap_model(arm, "Neoverse-N1")->vendor, "ARM");
	ppc = vc_cpumap_arch(&m, "ppc64le");
	ck_assert_ptr_nonnull(ppc);
	ck_assert_ptr_eq(vc_cpumap_arch(&m, "ppc64"), ppc);
	p9 = vc_cpumap_model(ppc, "POWER9");
	ck_assert_ptr_nonnull(p9);
	ck_assert_str_eq(p9->vendor, "IBM");
	ck_assert_uint_eq(p9->features.n, 0);
	ck_assert_uint_eq(ppc->not_migratable.n, 0);
	ck_assert_ptr_null(vc_cpumap_arch(&m, "s390x"));
	ck_assert_ptr_null(vc_cpumap_arch(&m, ""));
	ck_assert_ptr_null(vc_cpumap_arch(&m, NULL));
	for (size_t i = 1; i < m.n_archs; i++)
		ck_assert_int_lt(strcmp(m.archs[i - 1].name, m.archs[i].name), 0);
	vc_cpumap_clear(&m);
}
END_TEST

/* On a Debian host the map's package gives the version. */
START_TEST(real_map_version)
{
	struct vc_cpumap m;
	struct stat st;

	ck_assert_int_eq(vc_cpumap_load(REAL_MAP, &m), 0);
	if (stat("/var/lib/dpkg/status", &st) == 0) {
		ck_assert_ptr_nonnull(m.libvirt_version);
		ck_assert_ptr_null(strchr(m.libvirt_version, '-'));
		ck_assert_msg(strncmp(m.version_from, "dpkg: libvirt", 13) == 0, "%s",
			      m.version_from);
		ck_assert_ptr_nonnull(strstr(m.version_from, m.libvirt_version));
	}
	vc_cpumap_clear(&m);
}
END_TEST

START_TEST(inheritance_across_files)
{
	_autofree_ char *dir = fixture("inherit");
	_autofree_ char *vfile = xasprintf("%s/libvirt-version", dir);
	struct vc_cpumap m;
	const struct vc_cpumap_arch *x86;
	const struct vc_cpumap_model *s, *hy;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_uint_eq(test_log.n, 0);
	ck_assert_str_eq(m.libvirt_version, "10.0.0");
	ck_assert_str_eq(m.version_from, vfile);
	x86 = vc_cpumap_arch(&m, "x86_64");
	ck_assert_uint_eq(x86->n_models, 4);
	s = vc_cpumap_model(x86, "Small");
	ck_assert_str_eq(s->vendor, "Intel");
	ck_assert_uint_eq(s->features.n, 3);
	ck_assert_str_eq(s->features.v[0], "fpu");
	ck_assert_str_eq(s->features.v[1], "lm");
	ck_assert_str_eq(s->features.v[2], "sse2");
	/* The own <vendor> wins over the inherited one; features add up. */
	hy = vc_cpumap_model(x86, "Hygon-Small");
	ck_assert_str_eq(hy->vendor, "Hygon");
	ck_assert_uint_eq(hy->features.n, 6);
	ck_assert(has(hy, "invtsc") && has(hy, "avx2") && has(hy, "fpu"));
	ck_assert_uint_eq(x86->not_migratable.n, 1);
	ck_assert(!vc_cpumap_migratable(x86, "invtsc"));
	ck_assert(vc_cpumap_migratable(x86, "lm"));
	ck_assert_uint_eq(
		vc_cpumap_model(vc_cpumap_arch(&m, "ppc64le"), "POWERX")->features.n, 0);
	vc_cpumap_clear(&m);
}
END_TEST

START_TEST(versioned_models)
{
	_autofree_ char *dir = fixture("inherit");
	struct vc_cpumap m;
	const struct vc_cpumap_model *v1, *v2, *v3;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	v1 = vc_cpumap_model(vc_cpumap_arch(&m, "x86_64"), "Small");
	v2 = vc_cpumap_model(vc_cpumap_arch(&m, "x86_64"), "Small-v2");
	v3 = vc_cpumap_model(vc_cpumap_arch(&m, "x86_64"), "Small-v3");
	/* NAME-v2 that is only <model name='NAME'/> equals NAME. */
	ck_assert_str_eq(v2->vendor, v1->vendor);
	ck_assert_uint_eq(v2->features.n, v1->features.n);
	for (size_t i = 0; i < v1->features.n; i++)
		ck_assert_str_eq(v2->features.v[i], v1->features.v[i]);
	/* -v3 adds avx and avx2; its repeated sse2 counts once. */
	ck_assert_uint_eq(v3->features.n, 5);
	ck_assert_str_eq(v3->features.v[0], "avx");
	ck_assert_str_eq(v3->features.v[1], "avx2");
	ck_assert_str_eq(v3->features.v[4], "sse2");
	ck_assert_str_eq(v3->vendor, "Intel");
	vc_cpumap_clear(&m);
}
END_TEST

START_TEST(fixture_errors)
{
	assert_fixture_fails("unknown-parent", "x86_Orphan.xml",
			     "model 'Orphan' extends unknown model 'Nowhere'");
	vc_strv_clear(&test_log);
	assert_fixture_fails("include-slash", "index.xml", "../inherit/x86_Small.xml");
	vc_strv_clear(&test_log);
	{
		_autofree_ char *dir = fixture("cycle");
		struct vc_cpumap m;

		ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
		ck_assert_uint_eq(test_log.n, 1);
		ck_assert_ptr_nonnull(strstr(test_log.v[0], "cycle"));
		ck_assert(strstr(test_log.v[0], "/cycle/x86_Egg.xml: model 'Egg'") ||
			  strstr(test_log.v[0], "/cycle/x86_Hen.xml: model 'Hen'"));
	}
}
END_TEST

/* A map in a fresh directory: index.xml including the given files. */
static char *
tmp_map(const char *includes, const char *model_xml)
{
	char *dir = test_tmpdir();
	_autofree_ char *index = xasprintf("%s/index.xml", dir);
	_autofree_ char *model = xasprintf("%s/x86_M.xml", dir);
	_autofree_ char *text =
		xasprintf("<cpus><arch name='x86'>%s</arch></cpus>\n", includes);

	test_write(index, text);
	test_write(model, model_xml);
	return dir;
}

START_TEST(missing_index)
{
	_autofree_ char *dir = test_tmpdir();
	_autofree_ char *index = xasprintf("%s/index.xml", dir);
	struct vc_cpumap m;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), -ENOENT);
	assert_one_error(index, "No such file");
	test_rmtree(dir);
}
END_TEST

/* An arch with vendors only, or with no include at all, has no models. */
START_TEST(arch_without_models)
{
	_autofree_ char *dir =
		tmp_map("<include filename='x86_M.xml'/></arch><arch name='arm'>",
			"<cpus><vendor name='Intel' string='GenuineIntel'/></cpus>");
	struct vc_cpumap m;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_uint_eq(m.n_archs, 2);
	for (size_t i = 0; i < m.n_archs; i++) {
		ck_assert_uint_eq(m.archs[i].n_models, 0);
		ck_assert_ptr_null(vc_cpumap_model(&m.archs[i], "Intel"));
		ck_assert(vc_cpumap_migratable(&m.archs[i], "invtsc"));
	}
	ck_assert_str_eq(vc_cpumap_arch(&m, "armv7l")->name, "arm");
	vc_cpumap_clear(&m);
	ck_assert_uint_eq(test_log.n, 0);
	test_rmtree(dir);
}
END_TEST

START_TEST(bad_includes)
{
	static const char *const bad[] = {
		"<include filename='.x86_M.xml'/>", "<include filename='/etc/passwd'/>",
		"<include filename=''/>",           "<include/>",
		"<include filename='..'/>",
	};

	for (size_t i = 0; i < ARRAY_LENGTH(bad); i++) {
		_autofree_ char *dir = tmp_map(bad[i], "<cpus/>");
		_autofree_ char *index = xasprintf("%s/index.xml", dir);
		struct vc_cpumap m;

		ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
		assert_one_error(index, "not a plain file name");
		vc_strv_clear(&test_log);
		test_rmtree(dir);
	}
}
END_TEST

START_TEST(bad_files)
{
	static const struct {
		const char *xml, *what;
	} bad[] = {
		{"<cpus><model name='A'/><model name='A'/></cpus>",
		 "model 'A' is also defined in"},
		{"<cpus><model><feature name='x'/></model></cpus>",
		 "<model> without a name"},
		{"<cpus><model name='A'><feature/></model></cpus>",
		 "<feature> without a name"},
		{"<cpus><feature migratable='no'/></cpus>", "<feature> without a name"},
		{"<cpus><model name='A'><vendor name='X'/><vendor name='Y'/></model></cpus>",
		 "names two vendors"},
		{"<cpus><model name='A'><model name='B'/><model name='C'/></model></cpus>",
		 "names two models to extend"},
		{"<cpus><model name='A'><model name='A'/></model></cpus>", "cycle"},
		{"<cpus><model name='A'>", "malformed XML"},
		{"<map/>", "root element is <map>, expected <cpus>"},
		{"", "empty document"},
		/* Names reach terminals and kubectl snippets. */
		{"<cpus><model name='A&#x9B;[2J'/></cpus>",
		 "model name 'A\\xc2\\x9b[2J' is refused: not printable ASCII"},
		{"<cpus><model name='A&#9;B'/></cpus>",
		 "model name 'A\\x09B' is refused"},
		{"<cpus><model name='A'><feature name='x;rm'/></model></cpus>",
		 "model 'A': feature name 'x;rm' is refused"},
		{"<cpus><model name='A'><feature name='sse4.1 '/></model></cpus>",
		 "model 'A': feature name 'sse4.1 ' is refused"},
		{"<cpus><model name='A'><vendor name='-Intel'/></model></cpus>",
		 "model 'A': vendor name '-Intel' is refused"},
		{"<cpus><model name='A'><model name='B&#x85;'/></model></cpus>",
		 "model 'A': model name 'B\\xc2\\x85' is refused"},
		{"<cpus><feature name='x$(id)' migratable='no'/></cpus>",
		 "feature name 'x$(id)' is refused"},
		{"<cpus><model name='A'><feature name='"
		 "a123456789a123456789a123456789a123456789a123456789a123456789abcd'/>"
		 "</model></cpus>",
		 "longer than 63"},
	};

	for (size_t i = 0; i < ARRAY_LENGTH(bad); i++) {
		_autofree_ char *dir =
			tmp_map("<include filename='x86_M.xml'/>", bad[i].xml);
		_autofree_ char *file = xasprintf("%s/x86_M.xml", dir);
		struct vc_cpumap m;

		ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
		assert_one_error(file, bad[i].what);
		vc_strv_clear(&test_log);
		test_rmtree(dir);
	}
}
END_TEST

/*
 * A FIFO where a model file should be: refused at once, not read (a
 * read would block until a writer came). alarm() turns a hang into a
 * failure of this test instead of a stuck test run.
 */
START_TEST(fifo_model_file)
{
	_autofree_ char *dir = tmp_map("<include filename='x86_M.xml'/>", "<cpus/>");
	_autofree_ char *file = xasprintf("%s/x86_M.xml", dir);
	struct vc_cpumap m;

	ck_assert_int_eq(unlink(file), 0);
	ck_assert_int_eq(mkfifo(file, 0600), 0);
	alarm(10);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
	alarm(0);
	assert_one_error(file, "not a regular file");
	test_rmtree(dir);
}
END_TEST

/*
 * A model name no label can carry (libvirt has "ThunderX2 99xx") is
 * read, may be extended, and is then left out of the map.
 */
START_TEST(unlabelable_model)
{
	_autofree_ char *dir = tmp_map(
		"<include filename='x86_M.xml'/>",
		"<cpus><model name='FT-2000+'><feature name='fpu'/></model>"
		"<model name='Child'><model name='FT-2000+'/><feature name='lm'/></model>"
		"<model name='A B'><model name='Child'/></model></cpus>");
	struct vc_cpumap m;
	const struct vc_cpumap_model *child;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_uint_eq(m.archs[0].n_models, 1);
	child = vc_cpumap_model(&m.archs[0], "Child");
	ck_assert_ptr_nonnull(child);
	ck_assert_uint_eq(child->features.n, 2);
	ck_assert_ptr_null(vc_cpumap_model(&m.archs[0], "FT-2000+"));
	ck_assert_ptr_null(vc_cpumap_model(&m.archs[0], "A B"));
	ck_assert_uint_eq(test_log.n, 0);
	vc_cpumap_clear(&m);
	test_rmtree(dir);
}
END_TEST

/* Models that each inherit many features: refused past the bound. */
START_TEST(feature_cap)
{
	struct vc_buf b = {0};
	_autofree_ char *xml = NULL;
	_autofree_ char *dir = NULL;
	_autofree_ char *index = NULL;
	struct vc_cpumap m;

	vc_buf_printf(&b, "<cpus><model name='Big'>");
	for (int i = 0; i < 2000; i++)
		vc_buf_printf(&b, "<feature name='f%d'/>", i);
	vc_buf_printf(&b, "</model>");
	/* 500 children: 1,002,000 resolved features, 2,000 over the cap. */
	for (int i = 0; i < 500; i++)
		vc_buf_printf(&b, "<model name='C%d'><model name='Big'/></model>", i);
	vc_buf_printf(&b, "</cpus>");
	xml = vc_buf_steal(&b, NULL);
	dir = tmp_map("<include filename='x86_M.xml'/>", xml);
	index = xasprintf("%s/index.xml", dir);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), -EFBIG);
	assert_one_error(index, "more than 1000000 features");
	test_rmtree(dir);
}
END_TEST

/* The real map is far from that bound: print its total to show it. */
START_TEST(real_map_feature_total)
{
	struct vc_cpumap m;
	size_t total = 0;

	ck_assert_int_eq(vc_cpumap_load(REAL_MAP, &m), 0);
	for (size_t a = 0; a < m.n_archs; a++)
		for (size_t i = 0; i < m.archs[a].n_models; i++)
			total += m.archs[a].models[i].features.n;
	printf("real map: %zu resolved features over all models (cap 1000000)\n", total);
	ck_assert_uint_gt(total, 0);
	ck_assert_uint_lt(total, 1000000 / 10);
	vc_cpumap_clear(&m);
}
END_TEST

/* One file included twice in an arch (4,096 times took 166 s and 7 GB). */
START_TEST(include_twice)
{
	_autofree_ char *dir =
		tmp_map("<include filename='x86_M.xml'/><include filename='x86_M.xml'/>",
			"<cpus><model name='A'/></cpus>");
	_autofree_ char *index = xasprintf("%s/index.xml", dir);
	struct vc_cpumap m;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
	assert_one_error(index, "x86_M.xml' is included twice");
	test_rmtree(dir);
}
END_TEST

/*
 * 17 names for one file of almost 4 MiB (hard links: little disk): each
 * file is under the per-file bound, together they pass 64 MiB.
 */
START_TEST(total_bytes_cap)
{
	struct vc_buf inc = {0};
	_autofree_ char *big = xzalloc(4u << 20);
	_autofree_ char *includes = NULL;
	_autofree_ char *dir = NULL;
	_autofree_ char *file = NULL;
	_autofree_ char *index = NULL;
	struct vc_cpumap m;

	memset(big, ' ', (4u << 20) - 1);
	memcpy(big, "<cpus>", 6);
	memcpy(big + (4u << 20) - 8, "</cpus>", 7);
	for (int i = 0; i < 17; i++)
		vc_buf_printf(&inc, "<include filename='x86_%d.xml'/>", i);
	includes = vc_buf_steal(&inc, NULL);
	dir = tmp_map(includes, big);
	file = xasprintf("%s/x86_M.xml", dir);
	for (int i = 0; i < 17; i++) {
		_autofree_ char *link_name = xasprintf("%s/x86_%d.xml", dir, i);

		ck_assert_int_eq(link(file, link_name), 0);
	}
	index = xasprintf("%s/index.xml", dir);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), -EFBIG);
	assert_one_error(index, "more than 64 MiB");
	test_rmtree(dir);
}
END_TEST

/* One wording of the map's provenance, known version or not. */
START_TEST(describe)
{
	_autofree_ char *dir = fixture("inherit");
	_autofree_ char *tmp = tmp_map("<include filename='x86_M.xml'/>", "<cpus/>");
	_autofree_ char *want = xasprintf(
		"CPU map %s (libvirt 10.0.0, from %s/libvirt-version)", dir, dir);
	_autofree_ char *want_unknown = xasprintf(
		"CPU map %s (libvirt version unknown: add %s/libvirt-version)", tmp, tmp);
	_autofree_ char *got = NULL;
	_autofree_ char *got_unknown = NULL;
	struct vc_cpumap m;

	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	got = vc_cpumap_describe(&m);
	ck_assert_str_eq(got, want);
	vc_cpumap_clear(&m);
	vc_cpumap_set_dpkg_admindir(tmp); /* no dpkg database: version unknown */
	ck_assert_int_eq(vc_cpumap_load(tmp, &m), 0);
	vc_cpumap_set_dpkg_admindir(NULL);
	got_unknown = vc_cpumap_describe(&m);
	ck_assert_str_eq(got_unknown, want_unknown);
	vc_cpumap_clear(&m);
	test_rmtree(tmp);
}
END_TEST

/* A chain of @n models; @top_first names them so that the top sorts first. */
static char *
chain_xml(size_t n, bool top_first)
{
	struct vc_buf b = {0};

	vc_buf_printf(&b, "<cpus>");
	for (size_t i = 0; i < n; i++) {
		size_t name = top_first ? n - i : i;

		vc_buf_printf(&b, "<model name='M%03zu'><feature name='f%zu'/>", name, i);
		if (i > 0)
			vc_buf_printf(&b, "<model name='M%03zu'/>",
				      top_first ? name + 1 : name - 1);
		vc_buf_printf(&b, "</model>");
	}
	vc_buf_printf(&b, "</cpus>");
	return vc_buf_steal(&b, NULL);
}

START_TEST(depth_cap)
{
	/* 33 models: the top has 32 ancestors (allowed); 34: refused. */
	for (int top_first = 0; top_first < 2; top_first++) {
		for (size_t n = 33; n <= 34; n++) {
			_autofree_ char *xml = chain_xml(n, top_first);
			_autofree_ char *dir =
				tmp_map("<include filename='x86_M.xml'/>", xml);
			struct vc_cpumap m;
			const struct vc_cpumap_model *top;
			int rc = vc_cpumap_load(dir, &m);

			if (n == 33) {
				ck_assert_int_eq(rc, 0);
				ck_assert_uint_eq(m.archs[0].n_models, 33);
				top = vc_cpumap_model(&m.archs[0],
						      top_first ? "M001" : "M032");
				ck_assert_uint_eq(top->features.n, 33);
				vc_cpumap_clear(&m);
			} else {
				ck_assert_int_eq(rc, -EINVAL);
				assert_one_error("x86_M.xml", "more than 32 deep");
				vc_strv_clear(&test_log);
			}
			test_rmtree(dir);
		}
	}
}
END_TEST

static void
write_version(const char *dir, const char *text, size_t len)
{
	_autofree_ char *path = xasprintf("%s/libvirt-version", dir);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(version_file)
{
	static const char *const bad[] = {
		"",
		"\n",
		"10.0.0 beta\n",
		"10.0.0\n11.0.0\n",
		"10.0.0;rm\n",
		"1234567890123456789012345678901234567890123456789012345678901234X",
	};
	_autofree_ char *dir = tmp_map("<include filename='x86_M.xml'/>", "<cpus/>");
	_autofree_ char *path = xasprintf("%s/libvirt-version", dir);
	struct vc_cpumap m;

	for (size_t i = 0; i < ARRAY_LENGTH(bad); i++) {
		write_version(dir, bad[i], strlen(bad[i]));
		ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
		assert_one_error(path, "not a libvirt version");
		vc_strv_clear(&test_log);
	}
	write_version(dir, "10.0\0.0\n", 8);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), -EINVAL);
	assert_one_error(path, "not a libvirt version");
	write_version(dir, "\t11.2.0~rc1+x_y\r\n", 17);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_str_eq(m.libvirt_version, "11.2.0~rc1+x_y");
	ck_assert_str_eq(m.version_from, path);
	vc_cpumap_clear(&m);
	test_rmtree(dir);
}
END_TEST

static const char status_file[] =
	"Package: aaa-other\n"
	"Status: install ok installed\n"
	"Architecture: all\n"
	"Version: 1.0\n"
	"\n"
	"Package: libvirt0\n"
	"Status: install ok installed\n"
	"Architecture: i386\n"
	"Multi-Arch: same\n"
	"Version: 9.9.9-1\n"
	"\n"
	"Package: libvirt0\n"
	"Status: install ok installed\n"
	"Priority: optional\n"
	"Section: libs\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: libvirt\n"
	"Version: 1:10.0.0-4+deb13u1\n"
	"Description: library for interfacing with different virtualization systems\n"
	" Libvirt is a C toolkit to interact with the virtualization capabilities\n"
	" Version: 0.0.0\n"
	"\n"
	"Package: zzz\n"
	"Architecture: amd64\n"
	"Version: 2.0\n";

START_TEST(version_dpkg)
{
	_autofree_ char *dir = tmp_map("<include filename='x86_M.xml'/>", "<cpus/>");
	_autofree_ char *admin = test_tmpdir();
	_autofree_ char *index = xasprintf("%s/index.xml", dir);
	_autofree_ char *real = realpath(index, NULL);
	_autofree_ char *info = xasprintf("%s/info", admin);
	char *lists[3] = {
		xasprintf("%s/aaa-other.list", info),
		xasprintf("%s/libvirt0:amd64.list", info),
		xasprintf("%s/libvirt0:amd64.md5sums", info),
	};
	_autofree_ char *owned = xasprintf("/.\n/usr\n%s\n/usr/share/doc\n", real);
	_autofree_ char *status = xasprintf("%s/status", admin);
	struct vc_cpumap m;

	ck_assert_int_eq(mkdir(info, 0700), 0);
	test_write(lists[0], "/.\n/usr/bin/aaa\n");
	test_write(lists[1], owned);
	test_write(lists[2], "0123 usr/share/libvirt/cpu_map/index.xml\n");
	test_write(status, status_file);
	vc_cpumap_set_dpkg_admindir(admin);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_str_eq(m.libvirt_version, "10.0.0");
	ck_assert_str_eq(m.version_from, "dpkg: libvirt0 10.0.0-4+deb13u1");
	vc_cpumap_clear(&m);
	/* The package's list no longer names the file: unknown, no error. */
	test_write(lists[1], "/.\n/usr\n");
	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_ptr_null(m.libvirt_version);
	ck_assert_ptr_null(m.version_from);
	vc_cpumap_clear(&m);
	/* DIR/libvirt-version comes first. */
	test_write(lists[1], owned);
	write_version(dir, "8.0.0", 5);
	ck_assert_int_eq(vc_cpumap_load(dir, &m), 0);
	ck_assert_str_eq(m.libvirt_version, "8.0.0");
	vc_cpumap_clear(&m);
	ck_assert_uint_eq(test_log.n, 0);
	vc_cpumap_set_dpkg_admindir(NULL);
	for (size_t i = 0; i < ARRAY_LENGTH(lists); i++)
		free(lists[i]);
	test_rmtree(dir);
	test_rmtree(admin);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cpumap");
	TCase *fix = tcase_create("fixtures");
	struct stat st;

	test_log_fixture(fix);
	if (stat(REAL_MAP "/index.xml", &st) == 0) {
		TCase *real = tcase_create("real map");

		test_log_fixture(real);
		tcase_add_test(real, real_map_x86);
		tcase_add_test(real, real_map_other_archs);
		tcase_add_test(real, real_map_version);
		tcase_add_test(real, real_map_feature_total);
		suite_add_tcase(s, real);
	} else {
		printf("skipping the real-map tests: no %s/index.xml (libvirt0 not installed)\n",
		       REAL_MAP);
	}
	tcase_add_test(fix, inheritance_across_files);
	tcase_add_test(fix, versioned_models);
	tcase_add_test(fix, fixture_errors);
	tcase_add_test(fix, missing_index);
	tcase_add_test(fix, arch_without_models);
	tcase_add_test(fix, bad_includes);
	tcase_add_test(fix, bad_files);
	tcase_add_test(fix, fifo_model_file);
	tcase_add_test(fix, unlabelable_model);
	tcase_add_test(fix, feature_cap);
	tcase_add_test(fix, include_twice);
	tcase_add_test(fix, describe);
	tcase_add_test(fix, total_bytes_cap);
	tcase_add_test(fix, depth_cap);
	tcase_add_test(fix, version_file);
	tcase_add_test(fix, version_dpkg);
	suite_add_tcase(s, fix);
	return test_run(s);
}
