#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The C sources are formatted as .clang-format says (make format fixes it).
set -eu
cd "$TEST_SRC_DIR/.."
command -v clang-format >/dev/null || { echo "SKIP: clang-format is not installed"; exit 77; }
clang-format --dry-run --Werror src/*.c include/virt-caps/*.h plugin/*.c tests/*.c tests/*.h tests/fuzz/*.c tests/fuzz/*.h
echo "ok 1 - clang-format clean ($(ls src/*.c include/virt-caps/*.h plugin/*.c tests/*.c tests/*.h tests/fuzz/*.c tests/fuzz/*.h | wc -l) files)"
