#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate explain over a cluster of real captured hosts
# (explain/nodes.json, built by cluster/make-inputs.sh) and libvirt 9.0.0's
# CPU map (cpumap-libvirt9):
#   explain/CASE/args (MODEL [NODE]...) -> out.txt, out.yaml, out.json,
#                                          status (exit status), stderr
# then libvirt's exact blockers against the map-derived lists, and the
# usage and input errors. VC_TEST_REGENERATE=1 rewrites the expected files.
. "$(dirname "$0")/../common/lib.sh"
A=${CAPS_AGGREGATE:?}
S=$TEST_SRC_DIR/aggregate
# Relative paths, so that the outputs name the map the same way everywhere.
cd "$S"
X=(-f explain/nodes.json --cpu-map cpumap-libvirt9)

golden() { # golden EXPECTED_FILE GOT_FILE
	if [ "${VC_TEST_REGENERATE:-}" = 1 ]; then
		cp "$2" "$1"
	elif ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -40 >&2
		fail "$2 differs from $1 (VC_TEST_REGENERATE=1 rewrites it)"
	fi
}

for dir in explain/*/; do
	dir=${dir%/}
	case=$(basename "$dir")
	read -r -a args <"$dir/args"
	set +e
	"$A" explain "${args[@]}" "${X[@]}" >"$TMP/$case.txt" 2>"$TMP/$case.stderr"
	echo $? >"$TMP/$case.status"
	"$A" explain "${X[@]}" -o yaml "${args[@]}" >"$TMP/$case.yaml" 2>/dev/null
	"$A" explain -o json "${args[@]}" "${X[@]}" >"$TMP/$case.json" 2>/dev/null
	set -e
	golden "$dir/status" "$TMP/$case.status"
	golden "$dir/stderr" "$TMP/$case.stderr"
	golden "$dir/out.txt" "$TMP/$case.txt"
	golden "$dir/out.yaml" "$TMP/$case.yaml"
	golden "$dir/out.json" "$TMP/$case.json"
	# JSON gives the reason the text gives: every node that is not usable
	# has a missing list or a note, and a note is the text's "(...)".
	if [ -s "$TMP/$case.json" ]; then
		python3 - "$TMP/$case.json" "$TMP/$case.txt" <<'PY' || fail "$case: a reason is missing in JSON"
import json, sys
d, text = json.load(open(sys.argv[1])), open(sys.argv[2]).read()
for n in d["nodes"]:
    if n["status"] == "usable":
        continue
    assert n["missing"] is not None or n["note"], n
    assert n["note"] is None or "(" + n["note"] + ")" in text, n
PY
	fi
	ok "explain $case: exit status $(cat "$TMP/$case.status"), text, yaml and json"
done

# Every status appears in some case.
for s in usable migration-only not-usable unknown obsolete unprobed; do
	grep -q "\"status\": \"$s\"\|\"status\":\"$s\"" explain/*/out.json ||
		fail "no golden case shows status $s"
done
ok "the golden cases cover all six statuses"

# x2 is the x86-libvirt10-blockers host: libvirt >= 10 named the features
# each unusable model lacks. explain must not call those models usable, and
# gives a list exactly when the map knows the model; how much of libvirt's
# list the map's rule finds is printed, not required (an estimate).
"$CAPS_PROBE" --from-dir "$TEST_DATA_DIR/x86-libvirt10-blockers" -o json >"$TMP/x2.json" ||
	fail "caps-probe cannot read x86-libvirt10-blockers"
python3 - "$A" "$TMP/x2.json" "${X[@]}" <<'PY' || fail "explain disagrees with libvirt's blockers"
import json, os, subprocess, sys
a, report = sys.argv[1], json.load(open(sys.argv[2]))
blockers = report["blockers"]
assert blockers, "the fixture lists no blockers"
maps = os.listdir("cpumap-libvirt9")
found = total = extra = 0
for model, want in sorted(blockers.items()):
    p = subprocess.run([a, "explain", "-o", "json", model, "x2"] + sys.argv[3:],
                       capture_output=True, text=True)
    assert p.returncode == 1, (model, p.returncode, p.stderr)
    node = json.loads(p.stdout)["nodes"][0]
    assert node["status"] == "migration-only", (model, node)
    known = "x86_%s.xml" % model in maps
    assert (node["missing"] is not None) == known, (model, node)
    if not known:
        print("# %s: libvirt lists %s; the 9.0.0 map does not know the model" % (model, ", ".join(want)))
        continue
    got = set(node["missing"])
    both = got & set(want)
    found, total, extra = found + len(both), total + len(want), extra + len(got - set(want))
    print("# %s: libvirt %s; map %s; %d of %d found, %d extra" % (
        model, ",".join(want), ",".join(sorted(got)) or "-", len(both), len(want), len(got - set(want))))
print("# overall: %d of %d of libvirt's blockers found, %d extra" % (found, total, extra))
PY
ok "x86-libvirt10-blockers: statuses agree with libvirt's blockers, lists exactly where the map knows the model"

# Usage errors (2): no MODEL, a MODEL no label can name, a report option.
run 2 "$A" explain "${X[@]}"
one_line_error "explain needs a CPU model"
run 2 "$A" explain "${X[@]}" EPYC/Rome
one_line_error "'EPYC/Rome' is not a CPU model name"
run 2 "$A" explain "${X[@]}" ''
one_line_error "name part is empty"
run 2 "$A" explain "${X[@]}" -o table EPYC
one_line_error "table"
run 2 "$A" explain "${X[@]}" --quorum 50% EPYC
[ ! -s "$TMP/out" ] || fail "a usage error printed output"
ok "usage errors: exit 2, one line, no output"

# Input errors (3): named nodes the input lacks (after reading), a bad map.
run 3 "$A" explain "${X[@]}" EPYC x1 nosuch x9
one_line_error "nodes not in the input: nosuch, x9"
[ ! -s "$TMP/out" ] || fail "partial output with a missing node"
run 3 "$A" explain -f explain/nodes.json --cpu-map "$TMP/no-map" EPYC
one_line_error "no-map"
[ ! -s "$TMP/out" ] || fail "output without a map"
ok "a NODE not in the input and a missing CPU map: exit 3, one line, no output"

# Standard output closed: exit 5, one line.
status=$(closed_pipe "$A" explain "${X[@]}" EPYC-Rome)
[ "$status" = 5 ] || fail "closed standard output: exit status $status, expected 5"
one_line_error "standard output"
ok "closed standard output: exit 5"
echo "$checks checks passed"
