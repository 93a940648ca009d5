#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate's command line: usage errors, malformed node lists and
# reports give one line and the documented exit status; -l filters -f
# input locally; the output is identical run after run.
. "$(dirname "$0")/../common/lib.sh"
A=$CAPS_AGGREGATE
N=$TEST_SRC_DIR/aggregate/cluster/mixed-arch/nodes.json

run 0 "$A" --help
grep -q '^Usage: caps-aggregate' "$TMP/out" || fail "--help"
grep -q 'ceil(N \* nodes / 100)' "$TMP/out" || fail "--help does not state the quorum rule"
run 0 "$A" --version
ok "--help states the quorum rule; --version"

usage() {
	run 2 "$A" "$@"
	one_line_error "$1"
	ok "usage error: $*"
}
usage --bogus
usage --output xml -f "$N"
usage --quorum 0 -f "$N"
usage --quorum 101% -f "$N"
usage --page-size 0
usage --request-timeout never
usage --label-namespace BAD_NS -f "$N"
run 2 "$A" -f "$N" extra
one_line_error "unexpected argument 'extra'"
run 2 "$A" -f "$N" -l 'zone in (a,b)'
one_line_error "set-based terms are not supported with -f"
run 2 "$A" diff only-one.yaml
one_line_error "diff takes two report files"
ok "stray arguments"

bad() { # bad STATUS MESSAGE CONTENT
	printf '%s' "$3" >"$TMP/in.json"
	run "$1" "$A" -f "$TMP/in.json"
	one_line_error "$2"
	[ ! -s "$TMP/out" ] || fail "partial output on error"
	ok "malformed input gives exit $1: $2"
}
bad 3 "empty input" ""
bad 3 "invalid JSON near byte" '{"kind":"List","items":[{"metadata":{"name":"n"'
bad 3 "invalid JSON near byte" 'not json at all'
bad 3 "kind is PodList, expected List" '{"kind":"PodList","items":[]}'
bad 3 "item 0 is a Pod, not a Node" '{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p"}}]}'
bad 3 "the list has no nodes" '{"apiVersion":"v1","items":[],"kind":"List","metadata":{}}'
bad 3 "none of the 1 nodes carries CPU capability labels" \
	'{"kind":"NodeList","items":[{"metadata":{"name":"n","labels":{"a":"b"}}}]}'
bad 3 "top level is an array" '[{"kind":"Node"}]'
run 3 "$A" -f "$TMP/nonexistent.json"
one_line_error "cannot open $TMP/nonexistent.json"
ok "missing file: exit 3"

# A single Node (kubectl get node NAME -o json) and stdin.
python3 - "$N" >"$TMP/one.json" <<'PY'
import json, sys
print(json.dumps(json.load(open(sys.argv[1]))["items"][0]))
PY
run 0 "$A" -f - -o json <"$TMP/one.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["cluster"]["nodes"]==1' "$TMP/out" ||
	fail "single Node not read"
ok "a single Node from stdin"

# -l with -f filters locally.
run 0 "$A" -f "$N" -l 'kubernetes.io/arch=s390x' -o json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [n["node_name"] for n in r["nodes_caps"]]==["n5"], r' \
	"$TMP/out" || fail "selector"
run 0 "$A" -f "$N" -l 'kubernetes.io/arch!=s390x,!no-such-label' -o json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["cluster"]["nodes"]==5' "$TMP/out" ||
	fail "selector with != and !"
ok "-l filters -f input locally"

# Deterministic: the same input in another order gives the same bytes.
python3 - "$N" >"$TMP/shuffled.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["items"].reverse()
for item in doc["items"]:
    labels = item["metadata"]["labels"]
    item["metadata"]["labels"] = dict(reversed(list(labels.items())))
print(json.dumps(doc))
PY
for fmt in yaml json table; do
	run 0 "$A" -f "$N" -o $fmt --quorum 50%
	cp "$TMP/out" "$TMP/a.$fmt"
	run 0 "$A" -f "$TMP/shuffled.json" -o $fmt --quorum 50%
	cmp -s "$TMP/out" "$TMP/a.$fmt" || fail "$fmt output depends on input order"
done
ok "byte-identical output whatever the order of nodes and labels"

# The report's YAML reads back as the same data as its JSON.
python3 - "$TMP/a.yaml" "$TMP/a.json" <<'PY' || fail "YAML and JSON reports differ"
import json, sys, yaml
assert yaml.safe_load(open(sys.argv[1])) == json.load(open(sys.argv[2]))
PY
ok "the YAML report reads back as the same data as the JSON one"
echo "$checks checks passed"
