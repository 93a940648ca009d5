#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Golden tests of `caps-aggregate advise` and `what-if`:
#   tests/aggregate/advise/CASE/args (one line: the subcommand and its
#   arguments, paths relative to tests/aggregate) -> expected.txt,
#   expected.yaml, expected.json, status (exit status), stderr.
# Every case ranks with tests/aggregate/cpumap-libvirt9 (Debian 12's
# libvirt 9.0.0 map, copied), so goldens do not follow this machine's map.
# Each advise result is also checked by advise-check.py against its node
# list, independently of the C code, and the YAML and JSON outputs must
# hold the same data. VC_TEST_REGENERATE=1 rewrites the expected files.
. "$(dirname "$0")/../common/lib.sh"
A=${CAPS_AGGREGATE:?}
S=$TEST_SRC_DIR/aggregate
MAP=cpumap-libvirt9
cd "$S"

golden() { # golden EXPECTED_FILE GOT_FILE
	if [ "${VC_TEST_REGENERATE:-}" = 1 ]; then
		cp "$2" "$1"
	elif ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -40 >&2
		fail "$2 differs from $1 (VC_TEST_REGENERATE=1 rewrites it)"
	fi
}

# The node list an advise case reads (its -f argument).
nodes_of() {
	local prev=
	for a in "$@"; do
		[ "$prev" = -f ] && echo "$a"
		prev=$a
	done
}

same_data() { # same_data YAML JSON
	python3 -c 'import json, sys, yaml
sys.exit(yaml.safe_load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"
}

for dir in advise/*/; do
	dir=${dir%/}
	case=$(basename "$dir")
	[ -f "$dir/args" ] || continue
	read -r -a args <"$dir/args"
	# A case that names its own map gets no second --cpu-map (a usage error).
	if [[ " ${args[*]} " == *" --cpu-map "* ]]; then
		cmd=("$A" "${args[@]}")
	else
		cmd=("$A" "${args[0]}" --cpu-map "$MAP" "${args[@]:1}")
	fi
	set +e
	"${cmd[@]}" >"$TMP/$case.txt" 2>"$TMP/$case.stderr"
	echo $? >"$TMP/$case.status"
	"${cmd[@]}" -o yaml >"$TMP/$case.yaml" 2>/dev/null
	"${cmd[@]}" -o json >"$TMP/$case.json" 2>/dev/null
	"${cmd[@]}" -o json >"$TMP/$case.again" 2>/dev/null
	set -e
	golden "$dir/status" "$TMP/$case.status"
	golden "$dir/stderr" "$TMP/$case.stderr"
	golden "$dir/expected.txt" "$TMP/$case.txt"
	golden "$dir/expected.yaml" "$TMP/$case.yaml"
	golden "$dir/expected.json" "$TMP/$case.json"
	cmp -s "$TMP/$case.json" "$TMP/$case.again" || fail "$case: two runs differ"
	status=$(cat "$TMP/$case.status")
	if [ "$status" -le 1 ]; then
		same_data "$TMP/$case.yaml" "$TMP/$case.json" || fail "$case: YAML and JSON differ"
	else
		[ ! -s "$TMP/$case.txt" ] || fail "$case: exit $status with output"
		[ "$(wc -l <"$TMP/$case.stderr")" = 1 ] || fail "$case: not one error line"
	fi
	if [ "${args[0]}" = advise ] && [ "$status" -le 1 ]; then
		python3 "$S/advise-check.py" "$(nodes_of "${args[@]}")" "$TMP/$case.json" ||
			fail "$case: advise-check.py"
	fi
	ok "$case: status $status, text, yaml and json"
done

# The property check can fail: a recommended model some node lacks.
python3 - "$TMP/amd-kvm-tcg.json" >"$TMP/broken.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["pools"][0]["recommendation"]["extra_features"].append("no-such-feature")
json.dump(d, sys.stdout)
PY
if python3 "$S/advise-check.py" cluster/amd-pool/nodes.json "$TMP/broken.json" >"$TMP/out"; then
	fail "advise-check.py accepted an extra feature no node has"
fi
grep -q "lacks extra features" "$TMP/out" || fail "advise-check.py: $(cat "$TMP/out")"
ok "advise-check.py refuses a feature no node has"

# The system's map (whatever libvirt is installed): the properties hold.
if [ -f /usr/share/libvirt/cpu_map/index.xml ]; then
	for nodes in cluster/*/nodes.json advise/inputs/no-common.json; do
		[ "$nodes" = cluster/kubevirt-scheme/nodes.json ] && continue # not nfd labels
		run_status=0
		# a case's --label-namespace applies to advise too (--quorum does not)
		args=() ns=() case_args=()
		[ -f "$(dirname "$nodes")/args" ] && read -ra case_args <"$(dirname "$nodes")/args"
		if [ "${case_args[0]:-}" = --label-namespace ]; then
			args=("${case_args[@]:0:2}") ns=("${case_args[1]}")
		fi
		"$A" advise -f "$nodes" "${args[@]}" -o json >"$TMP/sys.json" 2>"$TMP/err" || run_status=$?
		[ "$run_status" -le 1 ] || fail "advise -f $nodes ${args[*]} with the system map: exit $run_status"
		python3 "$S/advise-check.py" "$nodes" "$TMP/sys.json" "${ns[@]}" || fail "$nodes, system map"
	done
	ok "the system's CPU map: every property holds"
fi

# Usage errors: one line, exit 2, nothing on standard output.
for a in "advise extra" "what-if" "advise -o table" "what-if -f - -" "advise --cpu-map" \
	"what-if --remove"; do
	read -r -a argv <<<"$a"
	run 2 "$A" "${argv[@]}"
	[ ! -s "$TMP/out" ] || fail "$a: output on a usage error"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "$a: not one error line: $(cat "$TMP/err")"
	grep -q "(see caps-aggregate ${argv[0]} --help)\$" "$TMP/err" ||
		fail "$a: does not point at ${argv[0]} --help: $(cat "$TMP/err")"
done
grep -qxF "caps-aggregate: advise: --output must be yaml, json or text, not 'table' (see caps-aggregate advise --help)" \
	<("$A" advise -o table 2>&1) || fail "advise -o table does not name advise"
ok "usage errors: exit 2, one line, pointing at the subcommand's --help"

# A report without supported_models: exit 3 naming the file and the key.
python3 -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1])); del d["supported_models"]
yaml.safe_dump(d, open(sys.argv[2], "w"))' advise/inputs/w-intel.yaml "$TMP/partial.yaml"
run 3 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json "$TMP/partial.yaml"
grep -qx "caps-aggregate: error: $TMP/partial.yaml: not a caps-probe node report: no 'supported_models' key" \
	"$TMP/err" || fail "partial report: $(cat "$TMP/err")"
ok "a report without supported_models: exit 3 naming file and key"

# A report is refused (exit 3, one line naming the file and the field),
# never used with labels dropped: each case changes one field of a good
# report with a python expression on d.
bad_report() { # bad_report NAME PYTHON_STATEMENT EXPECTED_ERROR_TAIL [json]
	local f=$TMP/$1.${4:-yaml}
	python3 -c 'import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
exec(sys.argv[2])
out = open(sys.argv[3], "w")
json.dump(d, out) if sys.argv[3].endswith(".json") else yaml.safe_dump(d, out)' \
		advise/inputs/w-intel.yaml "$2" "$f"
	run 3 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json "$f"
	[ ! -s "$TMP/out" ] || fail "$1: output on a bad report"
	grep -qxF "caps-aggregate: error: $f: $3" "$TMP/err" || fail "$1: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "$1: not one error line: $(cat "$TMP/err")"
	ok "what-if: $1: exit 3, '$3'"
}
bad_report node-name 'd["node_name"] = "W_Intel"' \
	"node_name 'W_Intel' is not a valid Kubernetes node name (at most 253 lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit)"
bad_report host-model 'd["host_cpu_model"]["name"] = "Sapphire Rapids"' \
	"host_cpu_model.name 'Sapphire Rapids' cannot be a label: value may only hold letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
bad_report vendor 'd["host_cpu_model"]["vendor"] = "Intel;"' \
	"host_cpu_model.vendor 'Intel;' cannot be a label: value may only hold letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
bad_report arch 'd["arch"] = "x86/64"' \
	"arch 'x86/64' cannot be a label: value may only hold letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
bad_report model 'd["supported_models"].append("Evil'"'"'Model")' \
	"supported_models 'Evil'Model' cannot be a label: name part may only hold letters, digits, '-', '_' and '.'"
bad_report feature 'd["supported_features"].append("avx!")' \
	"supported_features 'avx!' cannot be a label: name part must start and end with a letter or digit"
bad_report number-in-models 'd["supported_models"].append(486)' \
	"'supported_models' is not a list of strings" json
bad_report yaml-number-in-models 'd["supported_models"].append(486)' \
	"'supported_models' is not a list of strings"
bad_report virttype-null 'd["virttype"] = None' \
	"not a caps-probe node report: 'virttype' is null"
bad_report virttype-missing 'del d["virttype"]' \
	"not a caps-probe node report: no 'virttype' key"

# A second YAML document would be ignored: refused.
{ cat advise/inputs/w-intel.yaml; echo ---; cat advise/inputs/w-intel.yaml; } >"$TMP/two.yaml"
run 3 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json "$TMP/two.yaml"
grep -qxF "caps-aggregate: error: $TMP/two.yaml: more than one YAML document (line 49): one is expected" \
	"$TMP/err" || fail "two documents: $(cat "$TMP/err")"
ok "what-if: a report with two YAML documents: exit 3"
# ... while one document with an explicit end marker is fine.
{ echo ---; cat advise/inputs/w-intel.yaml; echo ...; } >"$TMP/one.yaml"
run 0 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json "$TMP/one.yaml"
ok "what-if: one document between --- and ...: exit 0"

# --remove: each node once, and never a node that also has a report.
run 2 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json --remove a1 --remove a1
grep -qxF "caps-aggregate: --remove a1 given twice (see caps-aggregate what-if --help)" "$TMP/err" ||
	fail "--remove twice: $(cat "$TMP/err")"
run 2 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json --remove a3 advise/inputs/a3-milan.json
grep -qxF "caps-aggregate: a3 is both removed and in a report (advise/inputs/a3-milan.json): a report replaces a node of its name (see caps-aggregate what-if --help)" \
	"$TMP/err" || fail "--remove and a report: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] || fail "--remove and a report: output"
ok "what-if: --remove twice, or of a node with a report: usage errors (exit 2)"

# -l chooses the cluster's nodes only: a report is always added, and -v says so.
run 1 "$A" what-if --cpu-map "$MAP" -f cluster/amd-pool/nodes.json -l kubernetes.io/hostname=a1 -v \
	-o json advise/inputs/w-intel.yaml
grep -qxF "caps-aggregate: info: -l kubernetes.io/hostname=a1 selects the cluster's nodes; the 1 report is added whatever its labels" \
	"$TMP/err" || fail "-l info line: $(cat "$TMP/err")"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
nodes = sorted(n for p in d["pools"] if p["after"] for n in [p["arch"] + "/" + p["vendor"]])
assert d["added"] == ["w-intel"], d["added"]
assert nodes == ["x86_64/AMD", "x86_64/Intel"], nodes' "$TMP/out" || fail "-l: the report was not added"
ok "what-if -l: the report is added, -v says so"
