#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The small-document parser (`caps-aggregate diff`) on hostile inputs:
# time and peak RSS of each, for one or two binaries (e.g. a build of the
# previous commit as BASE), so that the limits' cost can be compared.
#
#   bench/tree.sh [BASE_CAPS_AGGREGATE]
set -euo pipefail
cd "$(dirname "$0")/.."
A=${CAPS_AGGREGATE:-build/caps-aggregate}
[ -x "$A" ] || { echo "build first: make build" >&2; exit 2; }
W=$(mktemp -d /tmp/vc-bench-tree-XXXXXX)
trap 'rm -rf "$W"' EXIT
R=tests/aggregate/diff/no-change/old.yaml

python3 - "$R" "$W" <<'PY'
import sys
report, w = open(sys.argv[1]).read(), sys.argv[2]
# About 1 MB: the report, then three levels of aliases (x10 each) over a
# 1 MB string: 1 GB once expanded.
big = ['x-a0: &a0 "' + 'b' * 1000000 + '"']
big += [f'x-a{i}: &a{i} [' + ', '.join([f'*a{i - 1}'] * 10) + ']' for i in range(1, 4)]
open(f'{w}/bomb-1mb.yaml', 'w').write(report + '\n'.join(big) + '\n')
small = ['x-a0: &a0 "' + 'b' * 1000 + '"']
small += [f'x-a{i}: &a{i} [' + ', '.join([f'*a{i - 1}'] * 10) + ']' for i in range(1, 7)]
open(f'{w}/bomb-1kb.yaml', 'w').write('\n'.join(small) + '\n')
n = 60000
open(f'{w}/anchors.yaml', 'w').write(
    ''.join(f'a{i}: &x{i} v\n' for i in range(n)) +
    'b: [' + ','.join(f'*x{i}' for i in range(n)) + ']\n')
n = 500000
open(f'{w}/deep.json', 'w').write('[' * n + ']' * n)
open(f'{w}/aliases-ok.yaml', 'w').write(report + 'x-a: &a [1, 2, 3]\nx-b: [*a, *a]\n')
# 40,000 global_caps archs (about 800 KB): diff looked each one up in a
# linear scan of the other report's archs.
archs = ', '.join(f'"arch{i:05d}": ["M"]' for i in range(40000))
open(f'{w}/archs-40k.json', 'w').write('{"nodes_caps": [], "global_caps": {' + archs + '}}\n')
PY

printf 'input\tbytes\tbinary\texit\twall_s\tpeak_rss_mib\n'
for f in bomb-1mb.yaml bomb-1kb.yaml anchors.yaml deep.json aliases-ok.yaml archs-40k.json; do
	for bin in "$A" "$@"; do
		set +e
		# archs-40k.json against itself: every arch is found on both sides
		r=$R
		[ "$f" != archs-40k.json ] || r=$W/$f
		/usr/bin/time -f '%e %M' -o "$W/time" timeout 300 "$bin" diff "$W/$f" "$r" \
			>/dev/null 2>"$W/err"
		rc=$?
		set -e
		read -r wall rss < <(tail -1 "$W/time")
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$(stat -c %s "$W/$f")" "$bin" "$rc" \
			"$wall" "$((rss / 1024))"
	done
done
