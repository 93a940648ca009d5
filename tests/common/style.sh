#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The C sources are formatted as .clang-format says (make format fixes it).
set -eu
cd "$TEST_SRC_DIR/.."
command -v clang-format >/dev/null || { echo "SKIP: clang-format is not installed"; exit 77; }
# Every C file of the project, wherever it sits (the Makefile's list is the same).
mapfile -t files < <(find src include plugin tests bench -name '*.[ch]' ! -path '*/regressions/*' | sort)
[ "${#files[@]}" -gt 40 ] || { echo "not ok 1 - only ${#files[@]} C files found"; exit 1; }
clang-format --dry-run --Werror "${files[@]}"
echo "ok 1 - clang-format clean (${#files[@]} files)"
