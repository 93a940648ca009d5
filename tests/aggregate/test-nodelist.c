/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming node-list reader and label decoding into the cluster model. */
#include <errno.h>
#include <malloc.h>

#include "test-common.h"

#include "virt-caps/cluster.h"
#include "virt-caps/nodelist.h"
#include "virt-caps/nodeyaml.h"
#include "virt-caps/selector.h"
#include "virt-caps/warnings.h"

struct seen {
	struct vc_strv names;
	struct vc_strv labels; /* "node:key=value" */
};

static void
collect(void *data, const char *name, const struct vc_label_ref *l, size_t n)
{
	struct seen *s = data;

	vc_strv_push(&s->names, name);
	for (size_t i = 0; i < n; i++)
		vc_strv_push_owned(&s->labels,
				   xasprintf("%s:%s=%s", name, l[i].key,
					     l[i].value ? l[i].value : "(null)"));
}

/* Feed @json in pieces of @step bytes. */
static int
parse(const char *json, size_t step, struct seen *s, char **cont)
{
	struct vc_nodelist *p = vc_nodelist_new("test.json", collect, s);
	size_t len = strlen(json);
	int rc = 0;

	for (size_t off = 0; off < len && rc == 0; off += step)
		rc = vc_nodelist_feed(p, json + off, off + step > len ? len - off : step);
	if (rc == 0)
		rc = vc_nodelist_finish(p);
	if (cont)
		*cont = xstrdup(vc_nodelist_continue(p));
	vc_nodelist_free(p);
	return rc;
}

static void
seen_clear(struct seen *s)
{
	vc_strv_clear(&s->names);
	vc_strv_clear(&s->labels);
}

static const char kubectl_list[] =
	"{\"apiVersion\":\"v1\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\","
	"\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"x\\u00e9\"},\"name\":\"n1\","
	"\"annotations\":{\"name\":\"not-this\"}},\"spec\":{\"items\":[{\"metadata\":"
	"{\"name\":\"deep\"}}]},\"status\":{\"images\":[{\"names\":[\"i\"]}]}},"
	"{\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\"}}],"
	"\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}";

START_TEST(kubectl_list_any_chunking)
{
	/* Every split point of the stream gives the same result. */
	for (size_t step = 1; step <= strlen(kubectl_list); step++) {
		struct seen s = {0};

		ck_assert_int_eq(parse(kubectl_list, step, &s, NULL), 0);
		ck_assert_uint_eq(s.names.n, 2);
		ck_assert_str_eq(s.names.v[0], "n1");
		ck_assert_str_eq(s.names.v[1], "n2");
		ck_assert_uint_eq(s.labels.n, 2);
		ck_assert_str_eq(s.labels.v[0], "n1:a=1");
		ck_assert_str_eq(s.labels.v[1], "n1:b=x\xc3\xa9");
		seen_clear(&s);
	}
}
END_TEST

START_TEST(metadata_page_and_continue)
{
	const char *page =
		"{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\","
		"\"metadata\":{\"resourceVersion\":\"9\",\"continue\":\"tok/en=\"},"
		"\"items\":[{\"metadata\":{\"name\":\"a\",\"labels\":{\"k\":\"v\"}}}]}";
	struct seen s = {0};
	_autofree_ char *cont = NULL;

	ck_assert_int_eq(parse(page, 7, &s, &cont), 0);
	ck_assert_str_eq(cont, "tok/en=");
	ck_assert_str_eq(s.labels.v[0], "a:k=v");
	seen_clear(&s);
}
END_TEST

START_TEST(single_node)
{
	const char *node = "{\"metadata\":{\"name\":\"solo\",\"labels\":{\"x\":\"y\"}},"
			   "\"kind\":\"Node\",\"apiVersion\":\"v1\"}";
	struct seen s = {0};

	ck_assert_int_eq(parse(node, 3, &s, NULL), 0);
	ck_assert_uint_eq(s.names.n, 1);
	ck_assert_str_eq(s.labels.v[0], "solo:x=y");
	seen_clear(&s);
}
END_TEST

static void
expect_error(const char *json, const char *msg)
{
	struct seen s = {0};

	vc_strv_clear(&test_log);
	ck_assert_int_eq(parse(json, 5, &s, NULL), -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_msg(strstr(test_log.v[0], msg), "'%s' lacks '%s'", test_log.v[0], msg);
	ck_assert_ptr_eq(strchr(test_log.v[0], '\n'),
			 test_log.v[0] + strlen(test_log.v[0]) - 1);
	seen_clear(&s);
}

START_TEST(bad_inputs)
{
	expect_error("", "test.json: empty input, expected a node list");
	expect_error("{\"kind\":\"List\",\"items\":[", "test.json: invalid JSON");
	expect_error("{\"kind\": List}", "test.json: invalid JSON near byte");
	expect_error("[]", "top level is an array");
	expect_error("42", "not a JSON object");
	expect_error("{\"kind\":\"PodList\",\"items\":[]}",
		     "kind is PodList, expected List");
	expect_error("{\"items\":[]}", "kind is missing");
	expect_error(
		"{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}]}",
		"item 0 is a Pod, not a Node");
	expect_error("{\"kind\":\"List\",\"items\":[{\"metadata\":{\"labels\":{}}}]}",
		     "item 0 has no metadata.name");
	expect_error(
		"{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":[1]}}}]}",
		"label values must be strings");
	expect_error("{\"kind\":\"List\"}{\"kind\":\"List\"}", "test.json");
}
END_TEST

START_TEST(deep_nesting)
{
	struct vc_buf b = {0};
	struct seen s = {0};

	vc_buf_printf(&b, "{\"kind\":\"List\",\"items\":[],\"x\":");
	for (int i = 0; i < 200; i++)
		vc_buf_printf(&b, "[");
	for (int i = 0; i < 200; i++)
		vc_buf_printf(&b, "]");
	vc_buf_printf(&b, "}");
	ck_assert_int_eq(parse(b.data, 64, &s, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "nested deeper than"));
	vc_buf_clear(&b);
	seen_clear(&s);
}
END_TEST

START_TEST(nul_in_label)
{
	const char *json =
		"{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"n\",\"labels\":"
		"{\"libvirt.feature.node.kubernetes.io/cpu-model.EPYC\\u0000x\":\"true\","
		"\"num\":5}}}]}";
	struct seen s = {0};

	/* A NUL must not shorten a key into a different, valid one. */
	ck_assert_int_eq(parse(json, 4, &s, NULL), 0);
	ck_assert_str_eq(s.labels.v[0],
			 "n:libvirt.feature.node.kubernetes.io/cpu-model.EPYC x=true");
	ck_assert_str_eq(s.labels.v[1], "n:num=(null)");
	seen_clear(&s);
}
END_TEST

#define MIB (1024 * 1024)

/* A one-node list whose item holds @blob (JSON text) after its name. */
static char *
list_with(const char *blob)
{
	return xasprintf("{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"n1\","
			 "\"labels\":{\"a\":\"b\"}},\"spec\":%s},{\"metadata\":{\"name\":"
			 "\"n2\"}}]}",
			 blob);
}

static char *
repeat(char c, size_t n, const char *before, const char *after)
{
	size_t lb = strlen(before), la = strlen(after);
	char *s = xzalloc(lb + n + la + 1);

	memcpy(s, before, lb);
	memset(s + lb, c, n);
	memcpy(s + lb + n, after, la);
	return s;
}

/*
 * One string or number over 4 MiB: refused with one error naming the
 * item, whatever the chunking, after reading little more than the limit.
 * Just under the limit still parses. (Unfixed, yajl accepted it, after
 * re-lexing the token from its start for every chunk.)
 */
START_TEST(huge_tokens)
{
	_autofree_ char *str = repeat('x', 5 * MIB, "{\"blob\":\"", "\"}");
	_autofree_ char *num = repeat('7', 5 * MIB, "{\"n\":", "}");
	_autofree_ char *fits = repeat('x', 4 * MIB - 16, "{\"blob\":\"", "\"}");
	_autofree_ char *big_str = list_with(str), *big_num = list_with(num);
	_autofree_ char *ok_str = list_with(fits);
	struct seen s = {0};

	ck_assert_int_eq(parse(big_str, 4096, &s, NULL), -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0],
				     "test.json: item 0 (node n1): a JSON "
				     "string longer than 4 MiB near byte"));
	ck_assert_int_eq(parse(big_str, 3 * MIB, &s, NULL), -EINVAL);
	ck_assert_int_eq(parse(big_num, 65536, &s, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(test_log.v[2], "item 0 (node n1): a JSON number or "
						    "literal longer than 4 MiB"));
	ck_assert_uint_eq(test_log.n, 3);
	ck_assert_int_eq(parse(ok_str, 4096, &s, NULL), 0);
	ck_assert_int_eq(parse(ok_str, 7 * MIB, &s, NULL), 0);
	ck_assert_uint_eq(s.names.n, 4);
	seen_clear(&s);
}
END_TEST

/* A one-node list named @name (JSON text, quotes included). */
static char *
named(const char *name)
{
	return xasprintf("{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":%s,"
			 "\"labels\":{\"a\":\"b\"}}}]}",
			 name);
}

/* Node names are what the API server accepts (DNS-1123 subdomains): any
 * other is refused, for good (vc_nodelist_too_big: not read again). */
START_TEST(node_names)
{
	static const char *const bad[] = {
		"\"Node1\"", "\"n_1\"", "\"-n\"",        "\"n-\"",      "\"a..b\"",
		"\"a.-b\"",  "\".a\"",  "\"n\\u0000x\"", "\"\\u0000\"", "\"n\\u001b[2J\"",
	};
	_autofree_ char *max = repeat('a', 253, "\"", "\"");
	_autofree_ char *over = repeat('a', 254, "\"", "\"");
	_autofree_ char *huge = repeat('b', 1000000, "\"", "\"");

	for (size_t i = 0; i < ARRAY_LENGTH(bad); i++) {
		_autofree_ char *json = named(bad[i]);

		expect_error(json, "test.json: item 0: node name '");
		ck_assert_ptr_nonnull(
			strstr(test_log.v[0], "' is not a valid Kubernetes node name"));
	}
	for (const char *const *n = (const char *const[]){over, huge, NULL}; *n; n++) {
		_autofree_ char *json = named(*n);

		expect_error(json, "a Kubernetes node name has at most 253");
		/* shortened: the name is not quoted whole */
		ck_assert_uint_lt(strlen(test_log.v[0]), 300);
	}
	for (const char *const *n =
		     (const char *const[]){max, "\"a.b-c.9\"", "\"0\"", NULL};
	     *n; n++) {
		_autofree_ char *json = named(*n);
		struct seen s = {0};

		ck_assert_int_eq(parse(json, 4096, &s, NULL), 0);
		ck_assert_uint_eq(s.names.n, 1);
		seen_clear(&s);
	}
}
END_TEST

/* The refusal is final, like a size limit: the API lister does not retry. */
START_TEST(node_name_refusal_is_final)
{
	/* a page the reader does not gather whole: past its 16 KiB chunk */
	_autofree_ char *pad = repeat('x', 32 * 1024, "\"", "\"");
	_autofree_ char *bad = named("\"Bad\"");
	_autofree_ char *json =
		xasprintf("%.*s,{\"metadata\":{\"name\":\"n2\"},\"spec\":%s}]}",
			  (int)strlen(bad) - 2, bad, pad);
	struct seen s = {0};
	struct vc_nodelist *p = vc_nodelist_new("test.json", collect, &s);

	/* Refused as soon as the name is read (during the API transfer),
	 * not at the page's end. */
	ck_assert_int_eq(vc_nodelist_feed(p, json, strlen(json)), -EINVAL);
	ck_assert(vc_nodelist_too_big(p));
	ck_assert_uint_eq(s.names.n, 0);
	vc_nodelist_free(p);
	vc_strv_clear(&test_log);
}
END_TEST

/* Escapes and long runs that switch the reader to its careful mode must
 * read as they do in one piece, at any chunk size. */
START_TEST(long_tokens_any_chunking)
{
	_autofree_ char *pad = repeat(' ', 100 * 1024, "", "");
	_autofree_ char *esc = repeat('\\', 70 * 1024, "\"", "\\\"\"");
	_autofree_ char *json = xasprintf(
		"{\"kind\":\"List\",%s\"items\":[{\"metadata\":{\"name\":\"n\\u002d1\","
		"\"annotations\":{\"a\":%s},\"labels\":{\"k\\\\\":\"v\\\\\",\"z\":"
		"\"\\\"\"}}}%s]}",
		pad, esc, pad);
	static const size_t steps[] = {1,     2,     3,     7,     4096,   16381,
				       16411, 17389, 40009, 65537, 1 << 20};

	for (size_t i = 0; i < ARRAY_LENGTH(steps); i++) {
		struct seen s = {0};

		ck_assert_int_eq(parse(json, steps[i], &s, NULL), 0);
		ck_assert_uint_eq(s.names.n, 1);
		ck_assert_str_eq(s.names.v[0], "n-1");
		ck_assert_uint_eq(s.labels.n, 2);
		ck_assert_str_eq(s.labels.v[0], "n-1:k\\=v\\");
		ck_assert_str_eq(s.labels.v[1], "n-1:z=\"");
		seen_clear(&s);
	}
	ck_assert_uint_eq(test_log.n, 0);
}
END_TEST

/* xorshift: the same "random" documents on every run. */
static uint32_t
next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* A JSON string of about @len bytes: runs of backslash escapes, escaped
 * quotes and plain text, so that chunk ends fall anywhere in them. */
static void
random_string(struct vc_buf *b, uint32_t *x, size_t len)
{
	static const char *const bits[] = {"\\\\", "\\\"", "ab", "\\u00e9", " ", "\\n"};

	vc_buf_printf(b, "\"");
	for (size_t n = 0; n < len;) {
		const char *bit = bits[next_rand(x) % ARRAY_LENGTH(bits)];
		size_t reps = 1 + next_rand(x) % (next_rand(x) % 4 ? 3 : 3000);

		for (size_t r = 0; r < reps; r++)
			vc_buf_printf(b, "%s", bit);
		n += reps * strlen(bit);
	}
	vc_buf_printf(b, "\"");
}

static void
random_doc(struct vc_buf *b, uint32_t *x)
{
	vc_buf_printf(b, "{\"kind\":\"List\",\"items\":[");
	for (int i = 0; i < 3; i++) {
		size_t pad = next_rand(x) % 2 ? next_rand(x) % 40000 : 1;

		vc_buf_printf(b, "%s{\"metadata\":{\"name\":\"n%d\",\"labels\":{",
			      i ? "," : "", i);
		for (int l = 0; l < 4; l++) {
			vc_buf_printf(b, "%s", l ? "," : "");
			random_string(b, x, next_rand(x) % 3 ? 10 : next_rand(x) % 60000);
			vc_buf_printf(b, ":%*s", (int)pad, "");
			random_string(b, x, next_rand(x) % 3 ? 10 : next_rand(x) % 60000);
		}
		vc_buf_printf(b, "}},\"spec\":{\"n\":%s1", next_rand(x) % 2 ? "-" : "");
		for (size_t d = next_rand(x) % 2 ? next_rand(x) % 50000 : 3; d > 0; d--)
			vc_buf_printf(b, "%u", next_rand(x) % 10);
		vc_buf_printf(b, ".5e3,\"t\":true,\"f\":[false,null]}}");
	}
	vc_buf_printf(b, "]}");
}

static char *
seen_text(const struct seen *s)
{
	struct vc_buf b = {0};

	for (size_t i = 0; i < s->names.n; i++)
		vc_buf_printf(&b, "%s\n", s->names.v[i]);
	for (size_t i = 0; i < s->labels.n; i++)
		vc_buf_printf(&b, "%s\n", s->labels.v[i]);
	return vc_buf_steal(&b, NULL);
}

/* Random documents with long strings, numbers and blank runs read the same
 * in one piece and in chunks of random sizes. */
START_TEST(random_long_tokens_any_chunking)
{
	uint32_t x = 2463534242u;

	for (int doc = 0; doc < 12; doc++) {
		struct vc_buf b = {0};
		struct seen whole = {0};
		_autofree_ char *expect = NULL;

		random_doc(&b, &x);
		ck_assert_int_eq(parse(b.data, b.len, &whole, NULL), 0);
		expect = seen_text(&whole);
		ck_assert_uint_eq(whole.names.n, 3);
		for (int k = 0; k < 4; k++) {
			struct seen s = {0};
			size_t step = 1 + next_rand(&x) % (k % 2 ? 40000 : 300);
			_autofree_ char *got = NULL;

			ck_assert_int_eq(parse(b.data, step, &s, NULL), 0);
			got = seen_text(&s);
			ck_assert_msg(streq(got, expect),
				      "document %d differs at chunk size %zu", doc, step);
			seen_clear(&s);
		}
		seen_clear(&whole);
		vc_buf_clear(&b);
	}
	ck_assert_uint_eq(test_log.n, 0);
}
END_TEST

/* Many strings under the limit that add up to a node over 16 MiB. */
START_TEST(huge_node)
{
	struct vc_buf b = {0};
	_autofree_ char *blob = repeat('x', 3 * MIB, "\"", "\"");
	_autofree_ char *json = NULL;
	struct seen s = {0};

	vc_buf_printf(&b, "{");
	for (int i = 0; i < 6; i++)
		vc_buf_printf(&b, "%s\"k%d\":%s", i ? "," : "", i, blob);
	vc_buf_printf(&b, "}");
	json = list_with(b.data);
	ck_assert_int_eq(parse(json, 65536, &s, NULL), -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0],
				     "test.json: item 0 (node n1): node object "
				     "larger than 16 MiB"));
	/* a single Node document is one object too */
	b.len = 0;
	vc_buf_printf(&b, "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"},\"spec\":{");
	for (int i = 0; i < 6; i++)
		vc_buf_printf(&b, "%s\"k%d\":%s", i ? "," : "", i, blob);
	vc_buf_printf(&b, "}}");
	ck_assert_int_eq(parse(b.data, 65536, &s, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(test_log.v[1],
				     "test.json: the top level: node object "
				     "larger than 16 MiB"));
	ck_assert_uint_eq(s.names.n, 0);
	vc_buf_clear(&b);
	seen_clear(&s);
}
END_TEST

struct mem_src {
	const char *s;
	size_t len, off, step;
};

static ssize_t
mem_read(void *src, void *buf, size_t size)
{
	struct mem_src *m = src;
	size_t n = m->len - m->off;

	if (n > size)
		n = size;
	if (n > m->step)
		n = m->step;
	memcpy(buf, m->s + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static int
parse_yaml(const char *yaml, struct seen *s)
{
	struct vc_nodeyaml *p = vc_nodeyaml_new("test.yaml", collect, s);
	struct mem_src m = {.s = yaml, .len = strlen(yaml), .step = 65536};
	int rc = vc_nodeyaml_read(p, mem_read, &m);

	vc_nodeyaml_free(p);
	return rc;
}

/* The YAML reader has the same limits: a scalar over 4 MiB, a node over
 * 16 MiB. (Unfixed, libyaml read both whole.) */
START_TEST(huge_yaml)
{
	_autofree_ char *scalar = repeat('x', 5 * MIB,
					 "kind: List\nitems:\n- metadata:\n    name: n1\n"
					 "    annotations:\n      a: ",
					 "\n");
	_autofree_ char *fits = repeat('x', 4 * MIB - 100,
				       "kind: List\nitems:\n- metadata:\n    name: n1\n"
				       "    annotations:\n      a: ",
				       "\n");
	_autofree_ char *blob = repeat('x', 3 * MIB, "", "");
	struct vc_buf b = {0};
	struct seen s = {0};

	ck_assert_int_eq(parse_yaml(scalar, &s), -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_ptr_nonnull(strstr(test_log.v[0], "test.yaml: item 0 (node n1): a YAML "
						    "token longer than 4 MiB"));
	ck_assert_int_eq(parse_yaml(fits, &s), 0);
	vc_buf_printf(&b, "kind: List\nitems:\n- metadata:\n    name: n2\n  spec:\n");
	for (int i = 0; i < 6; i++)
		vc_buf_printf(&b, "    k%d: %s\n", i, blob);
	ck_assert_int_eq(parse_yaml(b.data, &s), -EINVAL);
	ck_assert_uint_eq(test_log.n, 2);
	ck_assert_ptr_nonnull(strstr(test_log.v[1], "test.yaml: item 0 (node n2): node "
						    "object larger than 16 MiB"));
	ck_assert_uint_eq(s.names.n, 1);
	vc_buf_clear(&b);
	seen_clear(&s);
}
END_TEST

#define NS "libvirt.feature.node.kubernetes.io/"

static void
add(struct vc_cluster *c, const char *name, const char *const *kv)
{
	struct vc_label_ref refs[64];
	size_t n = 0;

	for (; kv[n * 2]; n++) {
		refs[n].key = kv[n * 2];
		refs[n].value = kv[n * 2 + 1];
	}
	vc_cluster_add(c, name, refs, n);
}

static const char *
model_list(const struct vc_cluster *c, const struct vc_cnode *cn, enum vc_set set)
{
	static char buf[512];
	size_t n = 0;
	uint32_t *ids = vc_cluster_sorted_ids(c, &cn->sets[set], &n);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(buf, i ? "," : "");
		strcat(buf, vc_names_str(&c->names, ids[i]));
	}
	free(ids);
	return buf;
}

START_TEST(decode_schemes)
{
	struct vc_cluster c = {0};
	const char *nfd[] = {NS "cpu-model.EPYC",
			     "true",
			     NS "cpu-model.Penryn",
			     "true",
			     NS "host-model",
			     "EPYC-Genoa",
			     NS "cpu-vendor",
			     "AMD",
			     NS "tsc-frequency",
			     "2596128000",
			     NS "tsc-scalable",
			     "true",
			     NS "sev",
			     "true",
			     NS "arch",
			     "x86_64",
			     "cpu-model.node.kubevirt.io/Ignored",
			     "true",
			     NULL};
	const char *kv[] = {"cpu-model.node.kubevirt.io/Skylake-Server",
			    "true",
			    "host-model-cpu.node.kubevirt.io/Skylake-Server-IBRS",
			    "true",
			    "cpu-vendor.node.kubevirt.io/Intel",
			    "true",
			    "cpu-timer.node.kubevirt.io/tsc-frequency",
			    "2111998000",
			    "kubevirt.io/schedulable",
			    "true",
			    "kubernetes.io/arch",
			    "amd64",
			    NULL};
	const char *none[] = {"kubernetes.io/hostname", "plain", NULL};

	add(&c, "b-nfd", nfd);
	add(&c, "a-kubevirt", kv);
	add(&c, "c-plain", none);
	vc_cluster_sort(&c);
	ck_assert_str_eq(c.nodes[0].name, "a-kubevirt");
	ck_assert(c.nodes[0].scheme == VC_SCHEME_KUBEVIRT);
	ck_assert_str_eq(vc_names_str(&c.names, c.nodes[0].host_model),
			 "Skylake-Server-IBRS");
	ck_assert_str_eq(vc_names_str(&c.names, c.nodes[0].arch), "x86_64");
	ck_assert_uint_eq(c.nodes[0].tsc_frequency, 2111998000ULL);
	ck_assert_str_eq(model_list(&c, &c.nodes[0], VC_SET_MODELS), "Skylake-Server");
	ck_assert(c.nodes[1].scheme == VC_SCHEME_NFD);
	ck_assert_str_eq(model_list(&c, &c.nodes[1], VC_SET_MODELS), "EPYC,Penryn");
	ck_assert(c.nodes[1].tsc_scalable && c.nodes[1].security[VC_SEC_SEV]);
	ck_assert(!c.nodes[2].probed);
	ck_assert_uint_eq(test_log.n, 0);
	vc_cluster_clear(&c);
}
END_TEST

START_TEST(odd_values)
{
	struct vc_cluster c = {0};
	const char *kv[] = {NS "cpu-model.A",
			    "false",
			    NS "cpu-model.B",
			    "true",
			    NS "tsc-frequency",
			    "fast",
			    NS "host-model",
			    "has space",
			    NS "cpu-model.",
			    "true",
			    NS "tsc-scalable",
			    "maybe",
			    NULL};

	add(&c, "n", kv);
	ck_assert_uint_eq(c.odd_labels, 5);
	ck_assert_uint_eq(test_log.n, 5);
	ck_assert_ptr_nonnull(strstr(test_log.v[0],
				     "node n: skipping label '" NS "cpu-model.A=false'"));
	ck_assert(!c.nodes[0].has_tsc);
	ck_assert_uint_eq(c.nodes[0].host_model, VC_NO_NAME);
	vc_cluster_sort(&c);
	ck_assert_str_eq(model_list(&c, &c.nodes[0], VC_SET_MODELS), "B");
	vc_cluster_clear(&c);
}
END_TEST

START_TEST(namespace_rollback_duplicates)
{
	struct vc_cluster c = {.ns = "candidate.example.io"};
	const char *cand[] = {"candidate.example.io/cpu-model.X", "true", NULL};
	const char *old[] = {NS "cpu-model.Y", "true", NULL};

	add(&c, "n1", old);
	ck_assert(!c.nodes[0].probed); /* the default namespace is not ours here */
	add(&c, "n2", cand);
	add(&c, "n3", cand);
	vc_cluster_truncate(&c, 2);
	ck_assert_uint_eq(c.n, 2);
	add(&c, "n2", old); /* re-listed: the last copy wins */
	vc_cluster_sort(&c);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.nodes[1].name, "n2");
	ck_assert(!c.nodes[1].probed);
	vc_cluster_clear(&c);
}
END_TEST

#define KV_MODEL "cpu-model.node.kubevirt.io/"
#define KV_HOST "host-model-cpu.node.kubevirt.io/"
#define KV_VENDOR "cpu-vendor.node.kubevirt.io/"

/* Both schemes: compared only in the default namespace, first difference
 * kept, kinds one side lacks ignored, KubeVirt's odd values not counted. */
/* A command that never reads some sets does not keep them; the others and
 * the node's own fields are decoded as always. */
START_TEST(drop_sets)
{
	const char *kv[] = {NS "cpu-model.EPYC",
			    "true",
			    NS "cpu-model-migration.EPYC",
			    "true",
			    NS "cpu-feature.avx2",
			    "true",
			    NS "machine-type.q35",
			    "true",
			    NS "host-model",
			    "EPYC",
			    NULL};

	for (int drop = 0; drop < 2; drop++) {
		struct vc_cluster c = {0};

		if (drop)
			c.drop_sets = VC_SET_BIT(VC_SET_MACHINES) |
				      VC_SET_BIT(VC_SET_MIGRATION);
		add(&c, "n1", kv);
		vc_cluster_sort(&c);
		ck_assert(c.nodes[0].probed);
		ck_assert_str_eq(vc_names_str(&c.names, c.nodes[0].host_model), "EPYC");
		ck_assert_str_eq(model_list(&c, &c.nodes[0], VC_SET_MODELS), "EPYC");
		ck_assert_str_eq(model_list(&c, &c.nodes[0], VC_SET_FEATURES), "avx2");
		ck_assert_str_eq(model_list(&c, &c.nodes[0], VC_SET_MACHINES),
				 drop ? "" : "q35");
		ck_assert_str_eq(model_list(&c, &c.nodes[0], VC_SET_MIGRATION),
				 drop ? "" : "EPYC");
		vc_cluster_clear(&c);
	}
}
END_TEST

START_TEST(both_schemes)
{
	struct vc_cluster c = {0};
	const char *same[] = {NS "cpu-model.EPYC",
			      "true",
			      NS "host-model",
			      "EPYC",
			      NS "cpu-vendor",
			      "AMD",
			      NS "machine-type.q35",
			      "true",
			      KV_MODEL "EPYC",
			      "true",
			      KV_HOST "EPYC",
			      "true",
			      KV_VENDOR "AMD",
			      "true",
			      NULL};
	const char *vendor[] = {NS "cpu-model.EPYC",
				"true",
				NS "cpu-vendor",
				"AMD",
				KV_MODEL "EPYC",
				"true",
				KV_VENDOR "Intel",
				"true",
				NULL};
	const char *models[] = {NS "cpu-model.EPYC",
				"true",
				NS "cpu-model.Zen",
				"true",
				KV_MODEL "Westmere",
				"true",
				KV_MODEL "EPYC",
				"true",
				KV_MODEL "Conroe",
				"true",
				"cpu-timer.node.kubevirt.io/tsc-frequency",
				"fast",
				NULL};

	add(&c, "same", same);
	ck_assert_ptr_null(c.nodes[0].disagree); /* no machine types in KubeVirt's */
	add(&c, "vendor", vendor);
	ck_assert_str_eq(c.nodes[1].disagree,
			 "vendor: AMD in caps-probe's, Intel in KubeVirt's");
	add(&c, "models", models);
	ck_assert_str_eq(c.nodes[2].disagree,
			 "cpu models: 3 names differ, first Conroe, only in KubeVirt's");
	ck_assert(c.nodes[2].scheme == VC_SCHEME_NFD);
	ck_assert_uint_eq(c.odd_labels, 0); /* KubeVirt's tsc=fast is not ours */
	vc_cluster_clear(&c);

	/* The default namespace named explicitly: still compared. */
	c = (struct vc_cluster){.ns = "libvirt.feature.node.kubernetes.io"};
	add(&c, "vendor", vendor);
	ck_assert_ptr_nonnull(c.nodes[0].disagree);
	vc_cluster_clear(&c);
	ck_assert_uint_eq(test_log.n, 0);
}
END_TEST

/* An explicit namespace: KubeVirt's labels alone are unread, and a
 * candidate's labels are never compared with KubeVirt's. */
START_TEST(explicit_namespace)
{
	struct vc_cluster c = {.ns = "candidate.example.io"};
	struct vc_summary s;
	struct vc_strv w = {0};
	const char *kv[] = {KV_MODEL "EPYC", "true", NULL};
	const char *cand[] = {"candidate.example.io/cpu-model.Zen", "true",
			      KV_MODEL "EPYC", "true", NULL};

	add(&c, "b-kv", kv);
	add(&c, "a-cand", cand);
	vc_cluster_sort(&c);
	ck_assert(c.nodes[1].kubevirt_unread && !c.nodes[1].probed);
	ck_assert(c.nodes[0].probed && !c.nodes[0].kubevirt_unread);
	ck_assert_ptr_null(c.nodes[0].disagree);
	vc_cluster_summarize(&c, &s);
	ck_assert_uint_eq(s.kubevirt_unread, 1);
	vc_report_warnings(&c, &s, &w);
	/* one warning, singular, and not counted as "carry no labels" */
	ck_assert_uint_eq(w.n, 1);
	ck_assert_str_eq(w.v[0],
			 "1 node carries only KubeVirt's labels, none under "
			 "--label-namespace candidate.example.io (first: b-kv): "
			 "listed as unprobed; without --label-namespace KubeVirt's "
			 "labels would be read");
	vc_strv_clear(&w);
	vc_summary_clear(&s);
	vc_cluster_clear(&c);

	/* Without --label-namespace the same node is read, source kubevirt. */
	c = (struct vc_cluster){0};
	add(&c, "b-kv", kv);
	ck_assert(c.nodes[0].probed && c.nodes[0].scheme == VC_SCHEME_KUBEVIRT);
	ck_assert(!c.nodes[0].kubevirt_unread);
	vc_cluster_clear(&c);
}
END_TEST

static void
add_node(struct vc_cluster *c, const char *name, const char *virttype, const char *model,
	 const char *kv_vendor)
{
	const char *kv[] = {NS "virttype",
			    virttype,
			    NS "cpu-vendor",
			    "AMD",
			    model ? model : NS "host-model",
			    model ? "true" : "EPYC",
			    kv_vendor ? kv_vendor : NULL,
			    "true",
			    NULL};

	add(c, name, kv);
}

static size_t
count_matching(const struct vc_strv *w, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n; i++)
		n += strstr(w->v[i], needle) != NULL;
	return n;
}

static void
warnings_of(struct vc_cluster *c, struct vc_strv *w)
{
	struct vc_summary s;

	vc_cluster_sort(c);
	vc_cluster_summarize(c, &s);
	vc_report_warnings(c, &s, w);
	vc_summary_clear(&s);
}

/* Each warning fires when it should, names the first nodes, is capped,
 * and stays away when it should not. */
START_TEST(node_warnings)
{
	struct vc_cluster c = {0};
	struct vc_strv w = {0};
	char name[16];

	/* Only emulated nodes, all with a model: neither warning. */
	add_node(&c, "t1", "qemu", NS "cpu-model.Penryn", NULL);
	add_node(&c, "t2", "qemu", NS "cpu-model.Penryn", NULL);
	warnings_of(&c, &w);
	ck_assert_uint_eq(w.n, 0);
	/* Seven model-less kvm nodes, twelve disagreeing ones. */
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "k%02d", i);
		add_node(&c, name, "kvm", i < 7 ? NULL : NS "cpu-model.Penryn",
			 KV_VENDOR "Intel");
	}
	vc_strv_clear(&w);
	warnings_of(&c, &w);
	ck_assert_uint_eq(count_matching(&w, "the report uses caps-probe's"), 10);
	ck_assert_uint_eq(count_matching(&w,
					 "2 more nodes' caps-probe and KubeVirt labels "
					 "disagree"),
			  1);
	ck_assert_uint_eq(count_matching(&w,
					 "7 nodes (k00, k01, k02, k03, k04, ...) have "
					 "no usable CPU model"),
			  1);
	ck_assert_uint_eq(count_matching(&w, "2 nodes (t1, t2) were probed with software "
					     "emulation (virttype qemu) next to 12 kvm "
					     "nodes"),
			  1);
	vc_strv_clear(&w);
	vc_cluster_clear(&c);
}
END_TEST

START_TEST(summary_and_quorum)
{
	struct vc_cluster c = {0};
	struct vc_summary s;
	const char *a[] = {NS "cpu-model.A", "true", NS "cpu-model.B", "true", NS "arch",
			   "x86_64",         NULL};
	const char *b[] = {NS "cpu-model.A", "true", NS "cpu-model.C", "true", NS "arch",
			   "x86_64",         NULL};
	const char *d[] = {NS "cpu-model.A", "true", NS "arch", "x86_64", NULL};

	add(&c, "n1", a);
	add(&c, "n2", b);
	add(&c, "n3", d);
	vc_cluster_sort(&c);
	vc_cluster_summarize(&c, &s);
	ck_assert_uint_eq(s.probed, 3);
	ck_assert_uint_eq(s.n_archs, 1);
	ck_assert_uint_eq(vc_bits_count(&s.archs[0].global), 1);
	ck_assert_uint_eq(vc_quorum_needed(3, 50), 2); /* ceil(1.5) */
	ck_assert_uint_eq(vc_quorum_needed(3, 34), 2); /* ceil(1.02) */
	ck_assert_uint_eq(vc_quorum_needed(3, 33), 1); /* ceil(0.99) */
	ck_assert_uint_eq(vc_quorum_needed(10, 100), 10);
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
}
END_TEST

/* Bytes the allocator has handed out and not had back (heap and mmap). */
static size_t
heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

static void
add_distinct(struct vc_cluster *c, size_t i)
{
	char name[32], arch[32], model[96], vendor[32];
	struct vc_label_ref l[] = {
		{NS "arch", arch},
		{NS "cpu-model.Common", "true"},
		{model, "true"},
		{NS "cpu-vendor", vendor},
	};

	snprintf(name, sizeof(name), "n%05zu", i);
	snprintf(arch, sizeof(arch), "arch-%05zu", i);
	snprintf(model, sizeof(model), NS "cpu-model.M%05zu", i);
	snprintf(vendor, sizeof(vendor), "V%05zu", i % 7);
	vc_cluster_add(c, name, l, ARRAY_LENGTH(l));
}

/*
 * Every node with its own arch value and its own model: the cluster and
 * its summary must cost about the labels, not nodes x names (per-node
 * dense bitsets, per-arch arrays over every name did: ~1.5 KiB per node
 * and ~200 MB for the summary here).
 */
START_TEST(distinct_names_stay_linear)
{
	const size_t n = 4000;
	struct vc_cluster c = {0};
	struct vc_summary s;
	size_t base = heap_in_use(), cluster_bytes, count;
	const uint32_t *nodes;
	uint32_t common = VC_NO_NAME;

	for (size_t i = 0; i < n; i++)
		add_distinct(&c, i);
	vc_cluster_sort(&c);
	cluster_bytes = heap_in_use() - base;
	vc_cluster_summarize(&c, &s);
	/* names, node records and sets: a few hundred bytes per node */
	ck_assert_msg(cluster_bytes < n * 600, "cluster holds %zu bytes", cluster_bytes);
	ck_assert_msg(heap_in_use() - base - cluster_bytes < n * 64,
		      "summary holds %zu bytes", heap_in_use() - base - cluster_bytes);
	/* arch-NNNNN is no architecture: skipped as odd, one unknown group */
	ck_assert_uint_eq(c.odd_labels, n);
	ck_assert_uint_eq(s.n_archs, 1);
	ck_assert_uint_eq(s.archs[0].arch, VC_NO_NAME);
	ck_assert_uint_eq(s.archs[0].nodes, n);
	ck_assert_uint_eq(vc_bits_count(&s.archs[0].global), 1);
	common = s.archs[0].global.ids[0];
	ck_assert_str_eq(vc_names_str(&c.names, common), "Common");
	ck_assert_uint_eq(vc_bits_count(&s.models), n + 1);
	ck_assert_uint_eq(vc_bits_count(&s.vendors), 7);
	nodes = vc_summary_model_nodes(&s, common, &count);
	ck_assert_uint_eq(count, n);
	ck_assert_str_eq(c.nodes[nodes[n - 1]].name, "n03999");
	nodes = vc_summary_model_nodes(&s, vc_names_intern(&c.names, "M01234", 6),
				       &count);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(c.nodes[nodes[0]].name, "n01234");
	ck_assert_str_eq(model_list(&c, &c.nodes[1234], VC_SET_MODELS), "Common,M01234");
	vc_summary_clear(&s);
	vc_cluster_clear(&c);
}
END_TEST

START_TEST(arch_values)
{
	struct vc_cluster c = {0};
	const char *go[] = {NS "cpu-model.A", "true", "kubernetes.io/arch", "arm64",
			    NULL};
	const char *ours[] = {NS "cpu-model.A", "true", NS "arch", "amd64", NULL};
	const char *bad[] = {NS "cpu-model.A", "true", "kubernetes.io/arch", "bogus",
			     NULL};
	const char *odd_ours[] = {NS "cpu-model.A",     "true",  NS "arch", "x86-64",
				  "kubernetes.io/arch", "s390x", NULL};
	const char *unprobed[] = {"kubernetes.io/arch", "bogus", NULL};

	add(&c, "a", go);
	add(&c, "b", ours);
	add(&c, "c", bad);
	add(&c, "d", odd_ours);
	add(&c, "e", unprobed);
	vc_cluster_sort(&c);
	ck_assert_str_eq(vc_names_str(&c.names, c.nodes[0].arch), "aarch64");
	ck_assert_str_eq(vc_names_str(&c.names, c.nodes[1].arch), "x86_64");
	ck_assert_uint_eq(c.nodes[2].arch, VC_NO_NAME);
	/* our label is odd: kubernetes.io/arch stands in */
	ck_assert_str_eq(vc_names_str(&c.names, c.nodes[3].arch), "s390x");
	ck_assert_uint_eq(c.odd_labels, 2); /* an unprobed node's labels are not read */
	ck_assert_ptr_nonnull(strstr(test_log.v[0],
				     "node c: skipping label "
				     "'kubernetes.io/arch=bogus': not a known "
				     "architecture"));
	ck_assert_ptr_nonnull(strstr(test_log.v[1], "'" NS "arch=x86-64'"));
	ck_assert_str_eq(vc_cluster_arch_name("386"), "i686");
	ck_assert_ptr_null(vc_cluster_arch_name(""));
	vc_cluster_clear(&c);
}
END_TEST

START_TEST(selectors)
{
	struct vc_selector sel = {0};
	struct vc_label_ref l[] = {{"role", "worker"}, {"zone", "a"}};

	ck_assert_int_eq(vc_selector_parse("role=worker, zone!=b,!gpu,zone", &sel), 0);
	ck_assert(vc_selector_match(&sel, l, 2));
	vc_selector_clear(&sel);
	ck_assert_int_eq(vc_selector_parse("role==master", &sel), 0);
	ck_assert(!vc_selector_match(&sel, l, 2));
	vc_selector_clear(&sel);
	ck_assert_int_eq(vc_selector_parse("zone in (a,b)", &sel), -EINVAL);
	vc_selector_clear(&sel);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nodelist");
	TCase *r = tcase_create("reader");
	TCase *d = tcase_create("decode");

	test_log_fixture(r);
	test_log_fixture(d);
	tcase_add_test(r, kubectl_list_any_chunking);
	tcase_add_test(r, metadata_page_and_continue);
	tcase_add_test(r, single_node);
	tcase_add_test(r, bad_inputs);
	tcase_add_test(r, deep_nesting);
	tcase_add_test(r, nul_in_label);
	tcase_add_test(r, node_names);
	tcase_add_test(r, node_name_refusal_is_final);
	tcase_add_test(r, huge_tokens);
	tcase_add_test(r, long_tokens_any_chunking);
	tcase_add_test(r, random_long_tokens_any_chunking);
	tcase_add_test(r, huge_node);
	tcase_add_test(r, huge_yaml);
	tcase_add_test(d, decode_schemes);
	tcase_add_test(d, odd_values);
	tcase_add_test(d, namespace_rollback_duplicates);
	tcase_add_test(d, both_schemes);
	tcase_add_test(d, drop_sets);
	tcase_add_test(d, explicit_namespace);
	tcase_add_test(d, node_warnings);
	tcase_add_test(d, summary_and_quorum);
	tcase_add_test(d, selectors);
	tcase_add_test(d, arch_values);
	tcase_add_test(d, distinct_names_stay_linear);
	suite_add_tcase(s, r);
	suite_add_tcase(s, d);
	return test_run(s);
}
