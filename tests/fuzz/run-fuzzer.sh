#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-fuzzer.sh FUZZER TARGET: run a libFuzzer target for $VC_FUZZ_SECONDS
# (default 60) on a corpus in the build tree, seeded from the test data.
# A crash, leak, sanitizer report or timeout fails the test; its input is
# kept in the build tree's fuzz-artifacts/TARGET/ to become a regression
# (tests/fuzz/regressions/TARGET/).
set -euo pipefail
. "$(dirname "$0")/seeds.sh"
bin=$1 t=$2
secs=${VC_FUZZ_SECONDS:-60}
corpus=$TEST_BUILD_DIR/fuzz-corpus/$t
artifacts=$TEST_BUILD_DIR/fuzz-artifacts/$t
mkdir -p "$corpus" "$artifacts"
fuzz_seeds "$t" | while read -r f; do cp "$f" "$corpus/seed-$(sha1sum <"$f" | cut -c1-16)"; done
# Something to start from where the test data has nothing (kubeconfig).
[ -n "$(ls -A "$corpus")" ] || printf 'apiVersion: v1\nkind: Config\n' >"$corpus/seed-minimal"
before=$(ls "$corpus" | wc -l)
set +e
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$artifacts/log" 2>&1
rc=$?
set -e
grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$artifacts/log" || true
echo "$t: ${secs}s, corpus $before -> $(ls "$corpus" | wc -l) inputs, exit status $rc"
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|Test unit written' "$artifacts/log" | head -20 >&2
	exit 1
fi
