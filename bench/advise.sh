#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate advise against the report (`caps-aggregate -o json`) on the
# 10,000-node list bench/aggregate.sh builds (bench/gen-nodes.py over this
# machine's probes and fixture hosts), runs interleaved. advise reads the
# same input, then groups, intersects and ranks in time linear in the
# labels: it must cost no more than the report.
#
#   bench/advise.sh [RUNS]     default: 5
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
P=${CAPS_PROBE:-build/caps-probe}
A=${CAPS_AGGREGATE:-build/caps-aggregate}
[ -x "$A" ] && [ -x "$P" ] || { echo "build first: make build" >&2; exit 2; }

. bench/lib.sh
bench_workdir advise
bench_templates

printf 'nodes\tinput_mb\tside\tmedian_ms\tpeak_rss_mib\tmin_ms\tmax_ms\tcpu_ms\n'
n=10000
python3 bench/gen-nodes.py "$n" "$W/live-qemu.labels" "$W/debian12-qemu-tcg-epyc.labels" \
	"$W"/*.labels >"$W/nodes.json"
mb=$(($(stat -c %s "$W/nodes.json") / 1000000))
# advise exits 1 when a pool has no common model: not a failure here.
st=0
"$A" advise -q -f "$W/nodes.json" -o json >"$W/advise.json" || st=$?
[ "$st" -le 1 ] || { echo "advise failed: exit $st" >&2; exit 1; }
python3 tests/aggregate/advise-check.py "$W/nodes.json" "$W/advise.json"
for _ in $(seq "$RUNS"); do
	python3 bench/measure.py 1 "report" -- "$A" -q -f "$W/nodes.json" -o json ">$W/out.json"
	python3 bench/measure.py --status "$st" 1 "advise" -- "$A" advise -q -f "$W/nodes.json" \
		-o json ">$W/out.json"
	python3 bench/measure.py --status "$st" 1 "advise-text" -- "$A" advise -q \
		-f "$W/nodes.json" ">$W/out.txt"
done | python3 bench/median.py | sed "s/^/$n\t$mb\t/"
echo "# $(date -u +%Y-%m-%d) $(uname -m) $(nproc) cores, runs: $RUNS" >&2
