#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate -f against the same computation in jq (bench/aggregate.jq)
# on generated node lists of 1,000 and 10,000 nodes whose labels come from
# real probe outputs (this machine's libvirt for the qemu and kvm virttypes,
# plus fixture hosts), varied per node (bench/gen-nodes.py); and against
# the floor, a bare yajl parse of the same file (bench/yajl-floor.c), run
# in turn with caps-aggregate so that both see the same machine.
#
#   bench/aggregate.sh [RUNS] [JQ_RUNS]     defaults: 5, 3
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
JQ_RUNS=${2:-3}
P=${CAPS_PROBE:-build/caps-probe}
A=${CAPS_AGGREGATE:-build/caps-aggregate}
F=${YAJL_FLOOR:-build/bench/yajl-floor}
[ -x "$A" ] && [ -x "$P" ] && [ -x "$F" ] || { echo "build first: make build" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is not installed (scripts/install-deps --test)" >&2; exit 2; }

. bench/lib.sh
bench_workdir agg
bench_templates

printf 'nodes\tinput_mb\tside\tmedian_ms\tpeak_rss_mib\tmin_ms\tmax_ms\tcpu_ms\n'
for n in 1000 10000; do
	python3 bench/gen-nodes.py "$n" "$W/live-qemu.labels" "$W/debian12-qemu-tcg-epyc.labels" \
		"$W"/*.labels >"$W/nodes.json"
	mb=$(($(stat -c %s "$W/nodes.json") / 1000000))
	# Both sides must agree before they are timed.
	"$A" -q -f "$W/nodes.json" -o json >"$W/ours.json"
	jq -f bench/aggregate.jq "$W/nodes.json" >"$W/jq.json"
	python3 - "$W/ours.json" "$W/jq.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["global_caps"] == b["global_caps"] and a["model_support"] == b["model_support"]
ours = {n["node_name"]: n for n in a["nodes_caps"]}
for n in b["nodes_caps"]:
    for k, v in n.items():
        assert ours[n["node_name"]][k] == v, (n["node_name"], k)
PY
	# Interleaved, one run each at a time: the ratio is what counts and
	# this machine's speed drifts within minutes.
	for _ in $(seq "$RUNS"); do
		python3 bench/measure.py 1 "caps-aggregate" -- "$A" -q -f "$W/nodes.json" -o json \
			">$W/out.json"
		python3 bench/measure.py 1 "yajl-floor" -- "$F" "$W/nodes.json"
	done | python3 bench/median.py | sed "s/^/$n\t$mb\t/"
	python3 bench/measure.py "$JQ_RUNS" "jq" -- jq -f bench/aggregate.jq "$W/nodes.json" \
		">$W/out.json" | sed "s/^/$n\t$mb\t/"
done
echo "# $(date -u +%Y-%m-%d) $(uname -m) $(nproc) cores, $(jq --version), runs: $RUNS (jq $JQ_RUNS)" >&2
