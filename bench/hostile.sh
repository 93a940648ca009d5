#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate -f on inputs shaped to hurt (bench/gen-nodes.py --shape):
# 40,000 nodes each with its own usable model, 40,000 nodes each with its
# own kubernetes.io/arch value (both must stay linear in the input), and
# one 200 MiB annotation (refused at the 4 MiB token limit: exit 3), as a
# JSON file, as JSON through a pipe (64 KiB reads) and as YAML.
#
#   bench/hostile.sh [RUNS] [MIB]     defaults: 5, 200
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
MIB=${2:-200}
A=${CAPS_AGGREGATE:-build/caps-aggregate}
[ -x "$A" ] || { echo "build first: make build" >&2; exit 2; }
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base=/tmp; fi
W=$(mktemp -d "$base/vc-bench-hostile-XXXXXX")
trap 'rm -rf "$W"' EXIT

printf 'input\tinput_mb\tside\tmedian_ms\tpeak_rss_mib\tmin_ms\tmax_ms\tcpu_ms\n'
for shape in distinct-models distinct-archs; do
	python3 bench/gen-nodes.py --shape "$shape" 40000 >"$W/$shape.json"
	mb=$(($(stat -c %s "$W/$shape.json") / 1000000))
	python3 bench/measure.py "$RUNS" "caps-aggregate" -- "$A" -q -f "$W/$shape.json" -o json \
		">$W/out.json" | sed "s/^/$shape-40000\t$mb\t/"
done

python3 bench/gen-nodes.py --shape huge-annotation "$MIB" >"$W/huge.json"
# The same list as kubectl -o yaml would print it, written by hand.
python3 - "$W/huge.json" >"$W/huge.yaml" <<'PY'
import json, sys
print("kind: List\nitems:")
for it in json.load(open(sys.argv[1]))["items"]:
    m = it["metadata"]
    print(f"- metadata:\n    name: {m['name']}\n    labels:")
    for k, v in m["labels"].items():
        print(f"      {k}: \"{v}\"")
    for k, v in m.get("annotations", {}).items():
        print(f"    annotations:\n      {k}: {v}")
PY
mb=$(($(stat -c %s "$W/huge.json") / 1000000))
python3 bench/measure.py --status 3 "$RUNS" "caps-aggregate" -- "$A" -q -f "$W/huge.json" \
	| sed "s/^/annotation-${MIB}MiB.json\t$mb\t/"
python3 bench/measure.py --status 3 "$RUNS" "caps-aggregate" -- sh -c "cat '$W/huge.json' | '$A' -q -f -" \
	| sed "s/^/annotation-${MIB}MiB.json|pipe\t$mb\t/"
python3 bench/measure.py --status 3 "$RUNS" "caps-aggregate" -- "$A" -q -f "$W/huge.yaml" \
	| sed "s/^/annotation-${MIB}MiB.yaml\t$mb\t/"
echo "# $(date -u +%Y-%m-%d) $(uname -m) $(nproc) cores, runs: $RUNS" >&2
