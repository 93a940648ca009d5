#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Golden tests of caps-aggregate's outputs:
#   tests/aggregate/cluster/CASE/nodes.json (+ args)  -> report.yaml, report.json,
#                                              report.table, stderr
#   tests/aggregate/diff/CASE/old.* new.*             -> diff.txt, diff.yaml, diff.json,
#                                              status (exit status), stderr
# Each output is also produced twice to check it is byte-identical.
# VC_TEST_REGENERATE=1 rewrites the expected files for review.
. "$(dirname "$0")/../common/lib.sh"
A=${CAPS_AGGREGATE:?}
S=$TEST_SRC_DIR/aggregate

golden() { # golden EXPECTED_FILE GOT_FILE
	if [ "${VC_TEST_REGENERATE:-}" = 1 ]; then
		cp "$2" "$1"
	elif ! cmp -s "$1" "$2"; then
		diff -u "$1" "$2" | head -40 >&2
		fail "$2 differs from $1 (VC_TEST_REGENERATE=1 rewrites it)"
	fi
}

for dir in "$S"/cluster/*/; do
	dir=${dir%/}
	dir=${dir%/}
	case=$(basename "$dir")
	args=()
	[ -f "$dir/args" ] && read -r -a args <"$dir/args"
	for fmt in yaml json table; do
		ext=$fmt
		run 0 "$A" -f "$dir/nodes.json" -o "$fmt" "${args[@]}"
		cp "$TMP/out" "$TMP/$case.$ext"
		[ "$fmt" = yaml ] && cp "$TMP/err" "$TMP/$case.stderr"
		run 0 "$A" -f - -o "$fmt" "${args[@]}" <"$dir/nodes.json"
		cmp -s "$TMP/out" "$TMP/$case.$ext" || fail "$case: -f - and -f FILE differ ($fmt)"
		golden "$dir/report.$ext" "$TMP/$case.$ext"
		# The same nodes as `kubectl get nodes -o yaml` prints them.
		run 0 "$A" -f "$dir/nodes.yaml" -o "$fmt" "${args[@]}"
		cmp -s "$TMP/out" "$TMP/$case.$ext" || fail "$case: -f nodes.yaml differs from nodes.json ($fmt)"
	done
	sed "s|$dir/||g" "$TMP/$case.stderr" >"$TMP/$case.stderr.rel"
	golden "$dir/stderr" "$TMP/$case.stderr.rel"
	ok "cluster $case: yaml, json and table reports, from JSON and from YAML"
done

for dir in "$S"/diff/*/; do
	dir=${dir%/}
	dir=${dir%/}
	case=$(basename "$dir")
	old=$(ls "$dir"/old.*)
	new=$(ls "$dir"/new.*)
	set +e
	"$A" diff "$old" "$new" >"$TMP/$case.txt" 2>"$TMP/$case.err"
	status=$?
	"$A" diff "$old" "$new" -o yaml >"$TMP/$case.yaml" 2>/dev/null
	"$A" diff -o json "$old" "$new" >"$TMP/$case.json" 2>/dev/null
	set -e
	echo "$status" >"$TMP/$case.status"
	sed "s|$dir/||g" "$TMP/$case.err" >"$TMP/$case.stderr"
	golden "$dir/status" "$TMP/$case.status"
	golden "$dir/stderr" "$TMP/$case.stderr"
	golden "$dir/diff.txt" "$TMP/$case.txt"
	golden "$dir/diff.yaml" "$TMP/$case.yaml"
	golden "$dir/diff.json" "$TMP/$case.json"
	ok "diff $case: exit status $status, text, yaml and json"
done
echo "$checks checks passed"
