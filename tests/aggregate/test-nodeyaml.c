/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming YAML node-list reader: same decoding as the JSON one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "test-common.h"

#include "aggregate/nodeyaml-private.h"
#include "virt-caps/nodelist.h"
#include "virt-caps/nodeyaml.h"

/* What a reader handed over, in order: "name" per node, then its labels
 * as "name:key=value" ("(null)" for a NULL value). */
static void
record(void *data, const char *name, const struct vc_label_ref *l, size_t n)
{
	struct vc_strv *got = data;

	vc_strv_push(got, name);
	for (size_t i = 0; i < n; i++)
		vc_strv_push_owned(got, xasprintf("%s:%s=%s", name, l[i].key,
						  l[i].value ? l[i].value : "(null)"));
}

/* The input in pieces of at most @step bytes, and none across @split. */
struct chunks {
	const char *s;
	size_t len;
	size_t off;
	size_t step;
	size_t split;
};

static ssize_t
chunk_read(void *src, void *buf, size_t size)
{
	struct chunks *c = src;
	size_t n = c->len - c->off;

	if (n > size)
		n = size;
	if (n > c->step)
		n = c->step;
	if (c->off < c->split && n > c->split - c->off)
		n = c->split - c->off;
	memcpy(buf, c->s + c->off, n);
	c->off += n;
	return (ssize_t)n;
}

static int
parse_split(const char *yaml, size_t len, size_t step, size_t split, struct vc_strv *got)
{
	struct chunks c = {.s = yaml, .len = len, .step = step, .split = split};
	struct vc_nodeyaml *p = vc_nodeyaml_new("test.yaml", record, got);
	int rc = vc_nodeyaml_read(p, chunk_read, &c);

	if (rc == 0)
		ck_assert_uint_eq(c.off, len); /* read to the end */
	vc_nodeyaml_free(p);
	return rc;
}

static int
parse(const char *yaml, struct vc_strv *got)
{
	return parse_split(yaml, strlen(yaml), SIZE_MAX, 0, got);
}

static int
parse_json(const char *json, size_t len, struct vc_strv *got)
{
	struct vc_nodelist *p = vc_nodelist_new("test.json", record, got);
	int rc = 0;

	for (size_t off = 0; off < len && rc == 0; off += 1000)
		rc = vc_nodelist_feed(p, json + off, len - off < 1000 ? len - off : 1000);
	if (rc == 0)
		rc = vc_nodelist_finish(p);
	vc_nodelist_free(p);
	return rc;
}

static void
assert_same(const struct vc_strv *a, const struct vc_strv *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_str_eq(a->v[i], b->v[i]);
}

static void
assert_strv(const struct vc_strv *got, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++) {
		ck_assert_msg(n < got->n, "only %zu results, '%s' missing", got->n,
			      want[n]);
		ck_assert_str_eq(got->v[n], want[n]);
	}
	ck_assert_uint_eq(got->n, n);
}

/* Every tests/aggregate/cluster/CASE/nodes.yaml (python3-yaml's
 * safe_dump of nodes.json) gives exactly what nodes.json gives. */
START_TEST(golden_clusters_match_json)
{
	const char *src = getenv("TEST_SRC_DIR");
	_autofree_ char *dir = xasprintf("%s/aggregate/cluster", src);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cases = 0;

	ck_assert_msg(src, "TEST_SRC_DIR is not set (run it with meson test)");
	ck_assert_msg(d, "cannot open %s", dir);
	while ((e = readdir(d))) {
		_autofree_ char *json_path =
			xasprintf("%s/%s/nodes.json", dir, e->d_name);
		_autofree_ char *yaml_path =
			xasprintf("%s/%s/nodes.yaml", dir, e->d_name);
		_autofree_ char *json = NULL;
		struct vc_strv from_json = {0}, from_yaml = {0};
		struct vc_nodeyaml *p;
		size_t len;
		int fd;

		if (e->d_name[0] == '.' || access(json_path, F_OK) != 0)
			continue;
		json = test_read(json_path, &len);
		ck_assert_int_eq(parse_json(json, len, &from_json), 0);
		fd = open(yaml_path, O_RDONLY | O_CLOEXEC);
		ck_assert_msg(fd >= 0, "%s is missing", yaml_path);
		p = vc_nodeyaml_new(yaml_path, record, &from_yaml);
		ck_assert_int_eq(vc_nodeyaml_read_fd(p, fd), 0);
		close(fd);
		ck_assert_uint_gt(from_json.n, 10);
		assert_same(&from_yaml, &from_json);
		vc_nodeyaml_free(p);
		vc_strv_clear(&from_json);
		vc_strv_clear(&from_yaml);
		cases++;
	}
	closedir(d);
	ck_assert_uint_ge(cases, 3);
	ck_assert_uint_eq(test_log.n, 0);
}
END_TEST

/* As kubectl writes it, with every way YAML has to spell a scalar. */
static const char kubectl_list[] = "apiVersion: v1\n"
				   "items:\n"
				   "- apiVersion: v1\n"
				   "  kind: Node\n"
				   "  metadata:\n"
				   "    annotations:\n"
				   "      name: not-this\n"
				   "    labels:\n"
				   "      a: \"1\"\n"
				   "      b: 'it''s'\n"
				   "      c: \"x\\u00e9\\\n"
				   "        y\"\n"
				   "      d: plain\n"
				   "        folded\n"
				   "      e: |\n"
				   "        lit\n"
				   "        eral\n"
				   "      f: >-\n"
				   "        fold\n"
				   "        ed\n"
				   "      g: true\n"
				   "      h: 5\n"
				   "      i: ~\n"
				   "      j:\n"
				   "      k: !!null ''\n"
				   "      l: \"null\"\n"
				   "      m: !!str ~\n"
				   "      \"n: q\": v # a comment\n"
				   "      5: int-key\n"
				   "    name: n1\n"
				   "  spec:\n"
				   "    items:\n"
				   "    - metadata:\n"
				   "        name: deep\n"
				   "    taints: [{key: a, effect: NoSchedule}]\n"
				   "- kind: Node\n"
				   "  metadata: {name: n2, labels: {x: y}}\n"
				   "kind: List\n"
				   "metadata:\n"
				   "  resourceVersion: \"\"\n";

static const char *const kubectl_want[] = {
	"n1",
	"n1:a=1",
	"n1:b=it's",
	"n1:c=x\xc3\xa9y",
	"n1:d=plain folded",
	"n1:e=lit\neral\n",
	"n1:f=fold ed",
	"n1:g=true",
	"n1:h=5",
	"n1:i=(null)",
	"n1:j=(null)",
	"n1:k=(null)",
	"n1:l=null",
	"n1:m=~",
	"n1:n: q=v",
	"n1:5=int-key",
	"n2",
	"n2:x=y",
	NULL,
};

START_TEST(kubectl_list_any_split)
{
	size_t len = strlen(kubectl_list);

	/* Two chunks split at every byte, then every chunk size. */
	for (size_t i = 0; i <= len; i++) {
		struct vc_strv got = {0};

		ck_assert_int_eq(parse_split(kubectl_list, len, SIZE_MAX, i, &got), 0);
		assert_strv(&got, kubectl_want);
		vc_strv_clear(&got);
	}
	for (size_t step = 1; step <= len; step++) {
		struct vc_strv got = {0};

		ck_assert_int_eq(parse_split(kubectl_list, len, step, 0, &got), 0);
		assert_strv(&got, kubectl_want);
		vc_strv_clear(&got);
	}
	ck_assert_uint_eq(test_log.n, 0);
}
END_TEST

START_TEST(single_node)
{
	const char *node = "apiVersion: v1\n"
			   "kind: Node\n"
			   "metadata:\n"
			   "  labels:\n"
			   "    x: \"y\"\n"
			   "  name: solo\n"
			   "spec: {}\n";
	const char *const want[] = {"solo", "solo:x=y", NULL};
	struct vc_strv got = {0};

	ck_assert_int_eq(parse(node, &got), 0);
	assert_strv(&got, want);
	vc_strv_clear(&got);
}
END_TEST

START_TEST(metadata_page)
{
	const char *page = "apiVersion: meta.k8s.io/v1\n"
			   "items:\n"
			   "- metadata:\n"
			   "    labels:\n"
			   "      k: v\n"
			   "    name: a\n"
			   "- apiVersion: meta.k8s.io/v1\n"
			   "  kind: PartialObjectMetadata\n"
			   "  metadata:\n"
			   "    name: b\n"
			   "kind: PartialObjectMetadataList\n"
			   "metadata:\n"
			   "  continue: tok/en=\n"
			   "  resourceVersion: \"9\"\n";
	const char *const want[] = {"a", "a:k=v", "b", NULL};
	struct vc_strv got = {0};
	struct chunks c = {.s = page, .len = strlen(page), .step = 7};
	struct vc_nodeyaml *p = vc_nodeyaml_new("test.yaml", record, &got);

	ck_assert_int_eq(vc_nodeyaml_read(p, chunk_read, &c), 0);
	ck_assert_uint_eq(vc_nodeyaml_count(p), 2);
	assert_strv(&got, want);
	vc_nodeyaml_free(p);
	vc_strv_clear(&got);
}
END_TEST

/* @yaml (@len bytes) is refused with one line that holds @msg, whatever
 * the chunks. */
static void
expect_error_len(const char *yaml, size_t len, const char *msg)
{
	static const size_t steps[] = {1, SIZE_MAX};

	for (size_t i = 0; i < ARRAY_LENGTH(steps); i++) {
		struct vc_strv got = {0};

		vc_strv_clear(&test_log);
		ck_assert_int_eq(parse_split(yaml, len, steps[i], 0, &got), -EINVAL);
		ck_assert_uint_eq(test_log.n, 1);
		ck_assert_msg(strstr(test_log.v[0], msg), "'%s' lacks '%s'",
			      test_log.v[0], msg);
		ck_assert_ptr_eq(strchr(test_log.v[0], '\n'),
				 test_log.v[0] + strlen(test_log.v[0]) - 1);
		vc_strv_clear(&got);
	}
}

static void
expect_error(const char *yaml, const char *msg)
{
	expect_error_len(yaml, strlen(yaml), msg);
}

START_TEST(wrong_kinds)
{
	expect_error(
		"kind: PodList\nitems: []\n",
		"test.yaml: kind is PodList, expected List, NodeList, PartialObjectMetadataList or Node");
	expect_error("items: []\n", "test.yaml: kind is missing");
	expect_error("kind: ~\nitems: []\n", "test.yaml: kind is missing");
	expect_error("kind: List\nitems:\n- kind: Pod\n  metadata: {name: p}\n",
		     "test.yaml: item 0 is a Pod, not a Node");
	expect_error(
		"kind: List\nitems:\n- metadata: {name: a}\n- metadata:\n    labels: {}\n",
		"test.yaml: item 1 has no metadata.name");
	expect_error("kind: Node\nmetadata: {}\n",
		     "test.yaml: the Node has no metadata.name");
}
END_TEST

START_TEST(not_a_list)
{
	expect_error("", "test.yaml: empty input, expected a node list");
	expect_error("# nothing but a comment\n",
		     "test.yaml: empty input, expected a node list");
	expect_error(
		"---\n",
		"test.yaml: not a YAML mapping; expected a Kubernetes node list or Node");
	expect_error("just text\n", "test.yaml: not a YAML mapping");
	expect_error("- kind: List\n",
		     "test.yaml: top level is a sequence, not a Kubernetes");
	expect_error("kind: List\nitems: []\n---\nkind: List\n",
		     "test.yaml: line 3: more than one YAML document");
	expect_error("kind: List\n? [a]\n: b\n",
		     "test.yaml: line 2: mapping keys must be scalars");
	expect_error("kind: List\n<<: {kind: Node}\n",
		     "test.yaml: line 2: YAML merge key << refused");
}
END_TEST

START_TEST(bad_syntax)
{
	expect_error("kind: List\nitems: [\n",
		     "test.yaml: invalid YAML at line 3, column 1: ");
	expect_error(
		"kind: 'List\n",
		"test.yaml: invalid YAML at line 2, column 1: found unexpected end of stream (while scanning a quoted scalar)");
	expect_error("kind: List\n  bad: indent\n",
		     "test.yaml: invalid YAML at line 2, column 6: ");
	expect_error("kind: \xff\n",
		     "test.yaml: invalid YAML near byte 6: invalid leading UTF-8 octet");
}
END_TEST

/* Block YAML has no end marker: a document cut short is still YAML, and
 * only the kind, which kubectl writes after the items, tells. Every cut
 * before the kind is complete is refused. */
START_TEST(truncated)
{
	size_t end =
		strstr(kubectl_list, "kind: List") - kubectl_list + strlen("kind: List");

	for (size_t len = 0; len < end; len++) {
		struct vc_strv got = {0};

		vc_strv_clear(&test_log);
		ck_assert_msg(parse_split(kubectl_list, len, SIZE_MAX, 0, &got) ==
				      -EINVAL,
			      "cut at %zu accepted", len);
		ck_assert_uint_eq(test_log.n, 1);
		vc_strv_clear(&got);
	}
	expect_error("kind: List\nitems:\n- metadata: {name: \"n",
		     "test.yaml: invalid YAML at line 3");
}
END_TEST

START_TEST(anchors_and_aliases)
{
	expect_error(
		"kind: List\nitems:\n- &n {metadata: {name: a}}\n- *n\n",
		"test.yaml: line 3: YAML anchor &n refused (kubectl never writes anchors or aliases)");
	expect_error(
		"kind: List\nitems:\n- *n\n",
		"test.yaml: line 3: YAML alias *n refused (kubectl never writes anchors or aliases)");
	expect_error("kind: &k List\n", "test.yaml: line 1: YAML anchor &k refused");
	expect_error("kind: List\nitems: &i []\n",
		     "test.yaml: line 2: YAML anchor &i refused");
}
END_TEST

START_TEST(nul_bytes)
{
	const char raw[] = "kind: List\nitems: []\n\0\n";
	const char *escaped =
		"kind: List\n"
		"items:\n"
		"- metadata:\n"
		"    name: n\n"
		"    labels:\n"
		"      \"libvirt.feature.node.kubernetes.io/cpu-model.EPYC\\0x\": \"t\\0\"\n";
	const char *const want[] = {
		"n", "n:libvirt.feature.node.kubernetes.io/cpu-model.EPYC x=t ", NULL};
	struct vc_strv got = {0};

	expect_error_len(
		raw, sizeof(raw) - 1,
		"test.yaml: invalid YAML near byte 21: control characters are not allowed");
	/* An escaped NUL must not shorten a key into a different, valid
	 * one: as in JSON it becomes a space; a name holding one is refused. */
	ck_assert_int_eq(parse(escaped, &got), 0);
	assert_strv(&got, want);
	vc_strv_clear(&got);
	expect_error(
		"kind: List\nitems:\n- metadata: {name: \"n\\0x\"}\n",
		"test.yaml: item 0: node name 'n' is not a valid Kubernetes node name");
}
END_TEST

/* The YAML reader refuses what the JSON one does: names the API server
 * would not accept (DNS-1123 subdomains of at most 253 characters). */
START_TEST(node_names)
{
	static const char *const bad[] = {
		"Node1", "n_1", "\"-n\"", "n-", "a..b", "\"n\\e[2J\"", "'n x'",
	};
	struct vc_strv got = {0};
	_autofree_ char *long_name = NULL;
	_autofree_ char *yaml = NULL;
	char name[300];

	for (size_t i = 0; i < ARRAY_LENGTH(bad); i++) {
		_autofree_ char *doc =
			xasprintf("kind: Node\nmetadata: {name: %s}\n", bad[i]);

		expect_error(doc, "test.yaml: the Node: node name '");
		ck_assert_ptr_nonnull(
			strstr(test_log.v[0], "is not a valid Kubernetes node name"));
	}
	memset(name, 'a', sizeof(name));
	name[254] = '\0';
	long_name = xasprintf("kind: List\nitems:\n- metadata: {name: %s}\n", name);
	expect_error(long_name, "test.yaml: item 0: node name 'aaaa");
	ck_assert_ptr_nonnull(
		strstr(test_log.v[0],
		       "is 254 characters long; a Kubernetes node name has at most 253"));
	name[253] = '\0';
	yaml = xasprintf(
		"kind: List\nitems:\n- metadata: {name: %s}\n- metadata: {name: a.b-c.9}\n",
		name);
	ck_assert_int_eq(parse(yaml, &got), 0);
	ck_assert_uint_eq(got.n, 2);
	vc_strv_clear(&got);
}
END_TEST

START_TEST(non_string_label_values)
{
	const char *yaml =
		"kind: List\n"
		"items:\n"
		"- metadata:\n"
		"    name: n\n"
		"    labels: {a: null, b: Null, c: NULL, d: ~, e: , f: false, g: 0x1F, "
		"h: 'null', i: !!null , j: !!str null, k: !!int 5}\n";
	const char *const want[] = {
		"n",          "n:a=(null)", "n:b=(null)", "n:c=(null)", "n:d=(null)",
		"n:e=(null)", "n:f=false",  "n:g=0x1F",   "n:h=null",   "n:i=(null)",
		"n:j=null",   "n:k=5",      NULL};
	struct vc_strv got = {0};

	ck_assert_int_eq(parse(yaml, &got), 0);
	assert_strv(&got, want);
	vc_strv_clear(&got);
	expect_error(
		"kind: List\nitems:\n- metadata:\n    name: n\n    labels:\n      a: {}\n",
		"test.yaml: label values must be strings, not mappings");
	expect_error(
		"kind: List\nitems:\n- metadata:\n    name: n\n    labels:\n      a:\n      - 1\n",
		"test.yaml: label values must be strings, not sequences");
}
END_TEST

/* JSON is YAML: @depth nested arrays under the root give the same
 * answer from both readers. */
static int
nested(size_t depth, bool as_yaml)
{
	struct vc_buf b = {0};
	struct vc_strv got = {0};
	int rc;

	vc_buf_printf(&b, "{\"kind\":\"List\",\"items\":[],\"x\":");
	for (size_t i = 0; i < depth; i++)
		vc_buf_printf(&b, "[");
	for (size_t i = 0; i < depth; i++)
		vc_buf_printf(&b, "]");
	vc_buf_printf(&b, "}");
	rc = as_yaml ? parse(b.data, &got) : parse_json(b.data, b.len, &got);
	vc_buf_clear(&b);
	vc_strv_clear(&got);
	return rc;
}

START_TEST(depth_limit)
{
	for (size_t depth = 126; depth <= 129; depth++)
		ck_assert_int_eq(nested(depth, true), nested(depth, false));
	vc_strv_clear(&test_log);
	ck_assert_int_eq(nested(127, true), 0); /* 128 levels with the root */
	ck_assert_int_eq(nested(128, true), -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_str_eq(test_log.v[0],
			 "error: test.yaml: YAML nested deeper than 128 levels\n");
	ck_assert_int_eq(nested(100000, true), -EINVAL);
}
END_TEST

/* A label key may have 317 bytes (253 of prefix); YAML emitters write
 * keys over 128 as explicit "? key" entries. */
START_TEST(long_keys)
{
	char key[318];
	_autofree_ char *simple = NULL, *explicit = NULL, *want = NULL;
	struct vc_strv a = {0}, b = {0};

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	simple = xasprintf("kind: Node\nmetadata:\n  name: n\n  labels:\n    %s: v\n",
			   key);
	explicit = xasprintf(
		"kind: Node\nmetadata:\n  name: n\n  labels:\n    ? %s\n    : v\n", key);
	want = xasprintf("n:%s=v", key);
	ck_assert_int_eq(parse(simple, &a), 0);
	ck_assert_int_eq(parse(explicit, &b), 0);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_str_eq(a.v[1], want);
	assert_same(&a, &b);
	vc_strv_clear(&a);
	vc_strv_clear(&b);
}
END_TEST

/* The filter gets the callback's data: record() pushes to @got, the
 * first member, and want_keep() to @asked. */
struct filtered {
	struct vc_strv got;
	struct vc_strv asked;
};

static bool
want_keep(void *data, const char *key, size_t len)
{
	struct filtered *f = data;

	vc_strv_push_owned(&f->asked, xstrndup(key, len));
	return len >= 4 && memcmp(key, "keep", 4) == 0;
}

START_TEST(filter)
{
	const char *yaml = "kind: Node\n"
			   "metadata:\n"
			   "  name: n\n"
			   "  labels: {keep1: a, drop: b, \"keep\\0\": ~}\n";
	const char *const want[] = {"n", "n:keep1=a", "n:keep =(null)", NULL};
	struct filtered f = {0};
	struct chunks c = {.s = yaml, .len = strlen(yaml), .step = 3};
	struct vc_nodeyaml *p = vc_nodeyaml_new("test.yaml", record, &f);

	vc_nodeyaml_set_filter(p, want_keep);
	ck_assert_int_eq(vc_nodeyaml_read(p, chunk_read, &c), 0);
	vc_nodeyaml_free(p);
	assert_strv(&f.got, want);
	ck_assert_uint_eq(f.asked.n, 3);
	ck_assert_str_eq(f.asked.v[0], "keep1");
	ck_assert_str_eq(f.asked.v[1], "drop");
	/* the key's length counts its NUL, as yajl's does */
	ck_assert_mem_eq(f.asked.v[2], "keep\0", 5);
	vc_strv_clear(&f.got);
	vc_strv_clear(&f.asked);
}
END_TEST

static ssize_t
failing_read(void *src, void *buf, size_t size)
{
	return -EIO;
}

START_TEST(read_error)
{
	struct vc_strv got = {0};
	struct vc_nodeyaml *p = vc_nodeyaml_new("nodes.yaml", record, &got);

	ck_assert_int_eq(vc_nodeyaml_read(p, failing_read, NULL), -EINVAL);
	ck_assert_uint_eq(test_log.n, 1);
	ck_assert_str_eq(test_log.v[0],
			 "error: nodes.yaml: cannot read: Input/output error\n");
	vc_nodeyaml_free(p);
}
END_TEST

/* A list made up while it is read: nodes reach the callback long before
 * the input ends, so the reader never needs it whole. */
struct gen {
	size_t nodes;
	size_t next;
	char text[128];
	size_t len;
	size_t off;
	size_t delivered;
	size_t first_node_at;
	size_t seen;
};

static void
gen_refill(struct gen *g)
{
	int n;

	if (g->next == 0)
		n = snprintf(g->text, sizeof(g->text), "apiVersion: v1\nitems:\n");
	else if (g->next <= g->nodes)
		n = snprintf(g->text, sizeof(g->text),
			     "- metadata:\n    name: node-%zu\n    labels: {a: \"1\"}\n",
			     g->next - 1);
	else if (g->next == g->nodes + 1)
		n = snprintf(g->text, sizeof(g->text), "kind: List\n");
	else
		n = 0;
	g->len = (size_t)n;
	g->off = 0;
	g->next++;
}

static ssize_t
gen_read(void *src, void *buf, size_t size)
{
	struct gen *g = src;
	size_t n;

	if (g->off == g->len)
		gen_refill(g);
	n = g->len - g->off < size ? g->len - g->off : size;
	memcpy(buf, g->text + g->off, n);
	g->off += n;
	g->delivered += n;
	return (ssize_t)n;
}

static void
gen_node(void *data, const char *name, const struct vc_label_ref *l, size_t n)
{
	struct gen *g = data;

	if (g->seen++ == 0)
		g->first_node_at = g->delivered;
	ck_assert_uint_eq(n, 1);
}

START_TEST(streams)
{
	struct gen g = {.nodes = 20000};
	struct vc_nodeyaml *p = vc_nodeyaml_new("gen.yaml", gen_node, &g);

	ck_assert_int_eq(vc_nodeyaml_read(p, gen_read, &g), 0);
	ck_assert_uint_eq(vc_nodeyaml_count(p), 20000);
	ck_assert_uint_eq(g.seen, 20000);
	ck_assert_uint_gt(g.delivered, 1000000);
	ck_assert_uint_lt(g.first_node_at, 100000);
	vc_nodeyaml_free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nodeyaml");
	TCase *r = tcase_create("reader");
	TCase *e = tcase_create("errors");

	test_log_fixture(r);
	test_log_fixture(e);
	tcase_set_timeout(r, 120);
	tcase_add_test(r, golden_clusters_match_json);
	tcase_add_test(r, kubectl_list_any_split);
	tcase_add_test(r, single_node);
	tcase_add_test(r, metadata_page);
	tcase_add_test(r, non_string_label_values);
	tcase_add_test(r, node_names);
	tcase_add_test(r, long_keys);
	tcase_add_test(r, filter);
	tcase_add_test(r, streams);
	tcase_add_test(e, wrong_kinds);
	tcase_add_test(e, not_a_list);
	tcase_add_test(e, bad_syntax);
	tcase_add_test(e, truncated);
	tcase_add_test(e, anchors_and_aliases);
	tcase_add_test(e, nul_bytes);
	tcase_add_test(e, depth_limit);
	tcase_add_test(e, read_error);
	suite_add_tcase(s, r);
	suite_add_tcase(s, e);
	return test_run(s);
}
