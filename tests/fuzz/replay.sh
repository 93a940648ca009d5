#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# replay.sh REPLAY_BINARY TARGET: every seed and regression input of TARGET
# through the target once (under valgrind in the valgrind setup).
set -euo pipefail
. "$(dirname "$0")/seeds.sh"
bin=$1
mapfile -t files < <(fuzz_seeds "$2" | sort)
[ ${#files[@]} -gt 0 ] || { echo "no seeds for $2" >&2; exit 1; }
# shellcheck disable=SC2086
exec ${VC_VALGRIND:-} "$bin" "${files[@]}"
