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
bad 3 "not a YAML mapping; expected a Kubernetes node list or Node, as kubectl get nodes -o json or -o yaml prints" 'not json at all'
bad 3 "kind is PodList, expected List" '{"kind":"PodList","items":[]}'
bad 3 "item 0 is a Pod, not a Node" '{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p"}}]}'
bad 3 "the list has no nodes" '{"apiVersion":"v1","items":[],"kind":"List","metadata":{}}'
bad 3 "none of the 1 nodes carries CPU capability labels" \
	'{"kind":"NodeList","items":[{"metadata":{"name":"n","labels":{"a":"b"}}}]}'
bad 3 "top level is an array" '[{"kind":"Node"}]'
# Only KubeVirt's labels under an explicit namespace: unread, and the
# error says so (the labels exist), not "no capability labels".
printf '%s' '{"kind":"NodeList","items":[{"metadata":{"name":"n","labels":{"cpu-model.node.kubevirt.io/EPYC":"true"}}}]}' >"$TMP/kv.json"
run 3 "$A" -f "$TMP/kv.json" --label-namespace candidate.example.io
one_line_error "none of the 1 nodes carries labels under --label-namespace candidate.example.io; 1 of them carries KubeVirt's, which are read only without --label-namespace"
[ ! -s "$TMP/out" ] || fail "partial output on error"
run 0 "$A" -f "$TMP/kv.json" -o json
grep -q '"source": *"kubevirt"' "$TMP/out" || fail "without --label-namespace KubeVirt's labels are read"
ok "explicit --label-namespace never falls back to KubeVirt's labels"
# One grammar: each subcommand has its own options, nothing is ignored.
usage_says() { # usage_says MESSAGE ARGS...: exit 2, one line with MESSAGE
	local msg=$1
	shift
	run 2 "$A" "$@"
	one_line_error "$msg"
	ok "usage error: $* ($msg)"
}
usage_says "--output must be yaml, json or table, not 'text'" -o text -f "$N"
usage_says "diff: unknown option '--quorum'" diff --quorum 50% a.yaml b.yaml
usage_says "diff: unknown option '-f'" diff -f x a.yaml b.yaml
usage_says "--output must be yaml, json or text, not 'table'" diff -o table a.yaml b.yaml
usage_says "standard input ('-') can be only one of OLD and NEW" diff - -
usage_says "standard input ('-') can be read only once" -f - -f -
for api in --kubeconfig=k --context=c --page-size=5 --request-timeout=5s --retries=1; do
	usage_says "${api%%=*} is for the API; it cannot be used with -f" -f "$N" "$api"
done

# A usage error quotes the user's argument escaped, as every stderr line
# is: a raw ESC would reach the terminal, a newline make two lines.
EVIL=$'\e[2J\r\nX\a'
SHOWN='\x1b[2J\x0d\x0aX\x07'
usage_escaped() { # usage_escaped ARGS...: exit 2, one inert line quoting $SHOWN
	usage_says "$SHOWN'" "$@"
	! tr -d '\n' <"$TMP/err" | LC_ALL=C grep -q '[[:cntrl:]]' || fail "raw control bytes: $*"
}
usage_escaped -o "$EVIL" -f "$N"
usage_escaped --quorum "$EVIL" -f "$N"
usage_escaped --label-namespace "$EVIL" -f "$N"
usage_escaped --page-size "$EVIL"
usage_escaped -f "$N" "$EVIL"
usage_escaped "--$EVIL"
usage_escaped diff -o "$EVIL" a.yaml b.yaml
usage_escaped diff "--$EVIL" a.yaml b.yaml

# diff: a report is one answer per node and per arch. The same node twice
# (before: reported added and removed, exit 0) or the same arch twice in
# global_caps (before: the first silently won) is refused, exit 3.
run 0 "$A" -q -f "$N" -o json
cp "$TMP/out" "$TMP/report.json"
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
r = json.load(open(f"{d}/report.json"))
twice = json.loads(json.dumps(r))
twice["nodes_caps"].append(dict(twice["nodes_caps"][0], supported_models=[]))
json.dump(twice, open(f"{d}/node-twice.json", "w"))
# JSON text by hand: a dict cannot hold one key twice.
text = json.dumps(r).replace('"global_caps": {', '"global_caps": {"x86_64": [], ', 1)
open(f"{d}/arch-twice.json", "w").write(text)
# Archs on one side only, on both, out of order: one merge must pair them.
a = json.loads(json.dumps(r))
a["global_caps"] = {"x86_64": ["A", "B"], "aarch64": ["C"], "s390x": ["D"]}
b = json.loads(json.dumps(r))
b["global_caps"] = {"s390x": ["D", "E"], "ppc64le": ["F"], "x86_64": ["B"], "riscv64": []}
json.dump(a, open(f"{d}/archs-old.json", "w"))
json.dump(b, open(f"{d}/archs-new.json", "w"))
PY
run 3 "$A" diff "$TMP/node-twice.json" "$TMP/report.json"
one_line_error "$TMP/node-twice.json: not a caps-aggregate report: node 'n1' is listed twice in nodes_caps"
run 3 "$A" diff "$TMP/report.json" "$TMP/node-twice.json"
one_line_error "$TMP/node-twice.json: not a caps-aggregate report: node 'n1' is listed twice"
ok "diff: a report listing a node twice is refused, exit 3"
run 3 "$A" diff "$TMP/report.json" "$TMP/arch-twice.json"
one_line_error "$TMP/arch-twice.json: not a caps-aggregate report: global_caps has arch 'x86_64' twice"
ok "diff: a report listing an arch twice in global_caps is refused, exit 3"
truncate -s 300M "$TMP/huge-report.json" # sparse: costs no disk
run 3 "$A" diff "$TMP/huge-report.json" "$TMP/report.json"
one_line_error "$TMP/huge-report.json: larger than 268435456 bytes"
rm -f "$TMP/huge-report.json"
ok "diff: a report over 256 MiB is refused before it is read, exit 3"
run 1 "$A" diff -o json "$TMP/archs-old.json" "$TMP/archs-new.json"
python3 - "$TMP/out" <<'PY' || fail "diff of per-arch global_caps: $(cat "$TMP/out")"
import json, sys
g = [(e["arch"], e["lost"], e["gained"]) for e in json.load(open(sys.argv[1]))["global"]]
assert g == [("aarch64", ["C"], []), ("ppc64le", [], ["F"]), ("riscv64", [], []),
             ("s390x", [], ["E"]), ("x86_64", ["A"], [])], g
PY
ok "diff: global_caps compared arch by arch, archs on one side or both"

# Limits on hostile input: one token over 4 MiB, one node over 16 MiB,
# as JSON and as YAML; refused with one line naming the node, exit 3.
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
ns = "libvirt.feature.node.kubernetes.io/"
def node(name, **meta):
    return {"metadata": dict(name=name, labels={ns + "cpu-model.A": "true"}, **meta)}
def write(stem, items):
    doc = {"kind": "List", "items": items}
    json.dump(doc, open(f"{d}/{stem}.json", "w"))
    with open(f"{d}/{stem}.yaml", "w") as f:  # what kubectl -o yaml prints, by hand
        f.write("kind: List\nitems:\n")
        for it in items:
            m = it["metadata"]
            f.write(f"- metadata:\n    name: {m['name']}\n    labels:\n      {ns}cpu-model.A: \"true\"\n")
            if "annotations" in m:
                f.write("    annotations:\n")
                for k, v in m["annotations"].items():
                    f.write(f"      {k}: {v}\n")
write("token", [node("n0"), node("n1", annotations={"a": "x" * (5 << 20)})])
write("object", [node("n0"), node("n1", annotations={f"a{i}": "x" * (3 << 20) for i in range(6)})])
PY
for f in token.json token.yaml; do
	run 3 "$A" -f "$TMP/$f"
	one_line_error "$TMP/$f: item 1 (node n1): a $(echo "${f#token.}" | tr a-z A-Z) "
	grep -qF "longer than 4 MiB" "$TMP/err" || fail "$f: the limit is not named"
	[ ! -s "$TMP/out" ] || fail "$f: partial output"
done
ok "a 5 MiB annotation: exit 3, one line naming the node and the 4 MiB limit"
for f in object.json object.yaml; do
	run 3 "$A" -f "$TMP/$f"
	one_line_error "$TMP/$f: item 1 (node n1): node object larger than 16 MiB"
done
ok "a node of 18 MiB in 3 MiB annotations: exit 3, one line naming the node"

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
for sel in '!!!' ',' 'a,,b' 'a=b=c' 'no key=1'; do
	run 2 "$A" -f "$N" -l "$sel"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "-l '$sel': not one line"
	[ ! -s "$TMP/out" ] || fail "-l '$sel': output"
done
run 0 "$A" -f "$N" -l '' -o json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["cluster"]["nodes"]==6' "$TMP/out" ||
	fail "-l '' does not select every node"
ok "-l with -f: malformed selectors are usage errors; '' selects every node (as kubectl)"

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

# Several -f inputs are merged; a node in two of them is an error.
python3 - "$N" "$TMP/half1.json" "$TMP/half2.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
items = doc["items"]
for path, part in ((sys.argv[2], items[:3]), (sys.argv[3], items[3:])):
    json.dump(dict(doc, items=part), open(path, "w"))
PY
run 0 "$A" -f "$N" -o json --quorum 50%
cp "$TMP/out" "$TMP/whole.json"
run 0 "$A" -f "$TMP/half1.json" -f "$TMP/half2.json" -o json --quorum 50%
cmp -s "$TMP/out" "$TMP/whole.json" || fail "-f A -f B differs from the whole list"
run 0 "$A" -f "$TMP/half2.json" -f - -o json --quorum 50% <"$TMP/half1.json"
cmp -s "$TMP/out" "$TMP/whole.json" || fail "-f B -f - differs from the whole list"
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["metadata"]["name"])' "$TMP/half1.json")
run 3 "$A" -f "$TMP/half1.json" -f "$N"
one_line_error "node $first is in both $TMP/half1.json and $N"
[ ! -s "$TMP/out" ] || fail "partial output with a duplicate node"
ok "-f repeated: lists merged, a node in two of them is an error naming both"
python3 - "$N" "$TMP/dup.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["items"].append(doc["items"][1])
json.dump(doc, open(sys.argv[2], "w"))
PY
second=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][1]["metadata"]["name"])' "$N")
run 3 "$A" -f "$TMP/dup.json"
one_line_error "$TMP/dup.json: node $second is listed twice"
[ ! -s "$TMP/out" ] || fail "partial output with a node listed twice"
ok "a node listed twice in one -f input: exit 3, one line naming the input and the node"

# `kubectl get nodes -o yaml` output: same report as its JSON, from a file,
# from stdin, merged with a JSON list; YAML that kubectl never writes is
# refused with one line.
Y=${N%.json}.yaml
run 0 "$A" -f - -o json --quorum 50% <"$Y"
cmp -s "$TMP/out" "$TMP/whole.json" || fail "-f - with YAML differs from the JSON report"
python3 - "$TMP/half2.json" "$TMP/half2.yaml" <<'PY'
import json, sys, yaml
yaml.safe_dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), sort_keys=False)
PY
run 0 "$A" -f "$TMP/half1.json" -f "$TMP/half2.yaml" -o json --quorum 50%
cmp -s "$TMP/out" "$TMP/whole.json" || fail "JSON + YAML inputs differ from the whole list"
printf 'kind: List\nitems:\n- &n {kind: Node, metadata: {name: a}}\n- *n\n' >"$TMP/alias.yaml"
run 3 "$A" -f "$TMP/alias.yaml"
one_line_error "$TMP/alias.yaml: line"
grep -qi 'alias\|anchor' "$TMP/err" || fail "alias not named: $(cat "$TMP/err")"
printf 'kind: PodList\nitems: []\n' >"$TMP/pods.yaml"
run 3 "$A" -f "$TMP/pods.yaml"
one_line_error "kind is PodList, expected List"
ok "-f reads kubectl's YAML too (file, stdin, mixed with JSON); aliases and other kinds refused"

# The report's shape does not depend on the cluster: global_caps and the
# quorum's parts are maps keyed by arch, for one arch as for several.
python3 - "$N" "$TMP/one-arch.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["items"] = [i for i in doc["items"] if i["metadata"]["labels"].get("kubernetes.io/arch") == "amd64"]
json.dump(doc, open(sys.argv[2], "w"))
PY
for input in "$N" "$TMP/one-arch.json"; do
	run 0 "$A" -f "$input" -o json --quorum 50%
	python3 - "$TMP/out" <<'PY' || fail "$input: report shape"
import json, sys
r = json.load(open(sys.argv[1]))
archs = r["cluster"]["archs"]
for part in (r["global_caps"], r["quorum"]["models"], r["quorum"]["nodes_needed"]):
    assert isinstance(part, dict) and sorted(part) == sorted(archs), part
assert all(isinstance(v, list) for v in r["global_caps"].values())
PY
done
ok "global_caps and quorum are maps keyed by arch (1 and several arches)"

# '-' is standard input for diff too (either side).
cp "$TMP/whole.json" "$TMP/old.json"
run 0 "$A" -f "$TMP/half1.json" -o yaml
cp "$TMP/out" "$TMP/new.yaml"
set +e
"$A" diff "$TMP/old.json" "$TMP/new.yaml" >"$TMP/diff.files" 2>/dev/null
st_files=$?
"$A" diff "$TMP/old.json" - <"$TMP/new.yaml" >"$TMP/diff.stdin" 2>/dev/null
st_stdin=$?
set -e
[ "$st_files" = "$st_stdin" ] || fail "diff OLD -: exit $st_stdin, with files $st_files"
sed "s|$TMP/new.yaml|standard input|g" "$TMP/diff.files" | cmp -s - "$TMP/diff.stdin" ||
	cmp -s "$TMP/diff.files" "$TMP/diff.stdin" || fail "diff OLD - differs from diff OLD NEW"
[ -s "$TMP/diff.stdin" ] || fail "diff OLD - printed nothing"
ok "diff OLD - reads NEW from standard input"

# A report that cannot be written: one line, exit 5 (streamed YAML, table, diff,
# streamed advice).
M=$TEST_SRC_DIR/aggregate/cpumap-libvirt9
for args in "-q -f $N" "-q -f $N -o table" "-q -f $N -o json" "diff $TMP/old.json $TMP/old.json" \
	"advise -q --cpu-map $M -f $N -o json" "advise -q --cpu-map $M -f $N -o yaml"; do
	set +e
	# shellcheck disable=SC2086
	"$A" $args >/dev/full 2>"$TMP/err"
	st=$?
	set -e
	[ $st -eq 5 ] || fail "$args > /dev/full: exit status $st, expected 5"
	one_line_error "cannot write the output to standard output: No space left on device"
done
ok "a failed write of the report: exit 5, one line"
for args in "-q -f $N" "-q -f $N -o table" "diff $TMP/old.json $TMP/old.json"; do
	# shellcheck disable=SC2086
	st=$(closed_pipe "$A" $args)
	[ "$st" = 5 ] || fail "$args into a closed pipe: exit status $st, expected 5"
	one_line_error "cannot write the output to standard output: Broken pipe"
done
ok "a closed pipe: exit 5, one line (no SIGPIPE)"
set +e
"$A" --help >/dev/full 2>"$TMP/err"
st=$?
set -e
[ $st -eq 5 ] || fail "--help > /dev/full: exit status $st, expected 5"
one_line_error "cannot write the output"
ok "--help that cannot be written: exit 5"

# Usage errors name what was wrong; other messages name the input.
usage_says "unknown option '-Z'" -Zv -f "$N"
usage_says "unknown option '-Z'" -vZ -f "$N"
usage_says "diff: unknown option '-Z'" diff -Zv a b
usage_says "option '-o' needs a value" -vo
usage_says "'diff' comes first" -v diff a b
run 3 "$A" -f "$N" -l 'no-such-label=1'
one_line_error "no node of the input matches -l no-such-label=1"
echo '{}' >"$TMP/empty-report.json"
run 3 "$A" diff "$TMP/old.json" - <"$TMP/empty-report.json"
one_line_error "standard input: not a caps-aggregate report"
ok "messages name the input: a selector that matches nothing, diff's standard input"

# YAML's leading blanks (indentation, line numbers) survive however the
# input is split into reads.
printf '  kind: List\n  items:\n  - metadata:\n      name: n1\n      labels:\n        libvirt.feature.node.kubernetes.io/arch: x86_64\n        libvirt.feature.node.kubernetes.io/cpu-model.EPYC: "true"\n' >"$TMP/indented.yaml"
run 0 "$A" -f "$TMP/indented.yaml" -o json
cp "$TMP/out" "$TMP/indented.json"
grep -q '"EPYC"' "$TMP/indented.json" || fail "indented YAML: EPYC not read"
(printf '  '; sleep 0.2; tail -c +3 "$TMP/indented.yaml") | run 0 "$A" -f - -o json
cmp -s "$TMP/out" "$TMP/indented.json" || fail "indented YAML split into reads gives another report"
(printf '\n\n\n'; sleep 0.2; printf 'kind: List\nitems: [\n') | run 3 "$A" -f -
one_line_error "standard input: invalid YAML at line 6"
ok "leading blanks are kept for the parser: indentation and line numbers"
echo "$checks checks passed"
