# SPDX-License-Identifier: Apache-2.0
# Thin wrapper around meson. `make probe` and `make check` are the two
# commands of the README: each installs what is missing first.

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
MESON_TEST_ARGS ?=
# Every C file of the project (clang-format; tests/common/style.sh checks the same).
C_FILES = $(shell find src include plugin tests bench -name '*.[ch]' ! -path '*/regressions/*' | sort)
# The image test builds its own tree from the Dockerfile: once, not per run.
SUITES = --no-suite image
STATE_DIR ?= /var/lib/virt-caps

.PHONY: all deps test-deps build probe check test asan valgrind image-test fuzz format format-check lint bench soak clean

all: build

deps:
	scripts/install-deps

test-deps:
	scripts/install-deps --test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --werror

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The main job: probe this machine, print its labels and its node report.
probe: deps build
	$(BUILD)/caps-probe --stdout --state-dir $(STATE_DIR)
	$(BUILD)/caps-probe --output yaml --state-dir $(STATE_DIR)

# Everything: unit, CLI, live and manifest tests, the same suite under
# ASan+UBSan and under valgrind, the image test, every fuzz target for
# FUZZ_SECONDS and the static analysers; the last line counts every run.
check: test-deps
	$(MAKE) test asan valgrind image-test fuzz lint
	scripts/test-summary $(BUILD)/meson-logs/testlog.json \
		$(ASAN_BUILD)/meson-logs/testlog.json $(BUILD)/meson-logs/testlog-valgrind.json \
		$(BUILD)/meson-logs/testlog-image.json $(FUZZ_BUILD)/meson-logs/testlog-fuzz.json

test: build
	meson test -C $(BUILD) --print-errorlogs $(SUITES) $(MESON_TEST_ARGS)
	scripts/test-summary $(BUILD)/meson-logs/testlog.json

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --werror -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug

asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	meson test -C $(ASAN_BUILD) --print-errorlogs $(SUITES) $(MESON_TEST_ARGS)
	scripts/test-summary $(ASAN_BUILD)/meson-logs/testlog.json

valgrind: build
	meson test -C $(BUILD) --setup=valgrind --print-errorlogs $(SUITES) $(MESON_TEST_ARGS)
	scripts/test-summary $(BUILD)/meson-logs/testlog-valgrind.json

# The container image's root file system, built from the Dockerfile with
# debootstrap and run read-only as the image's user (needs root and a
# Debian mirror; about 2 minutes, see the README).
image-test: build
	meson test -C $(BUILD) --suite image --print-errorlogs --logbase testlog-image
	scripts/test-summary $(BUILD)/meson-logs/testlog-image.json

# libFuzzer targets (clang, ASan+UBSan), each run for FUZZ_SECONDS on a
# corpus seeded from the test data; a crash fails and leaves its input in
# $(FUZZ_BUILD)/tests/fuzz-artifacts/TARGET/.
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --werror -Dfuzzing=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	VC_FUZZ_SECONDS=$(FUZZ_SECONDS) meson test -C $(FUZZ_BUILD) --suite fuzz --num-processes 2 \
		--print-errorlogs --logbase testlog-fuzz
	scripts/test-summary $(FUZZ_BUILD)/meson-logs/testlog-fuzz.json

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run --Werror $(C_FILES)

# Static analysis of src/ and plugin/ with the committed .clang-tidy and
# cppcheck's warning, portability and performance checks. The compile
# database is gcc's: clang must not fail (-Werror) on gcc-only warnings.
lint: build
	clang-tidy -p $(BUILD) --quiet --extra-arg=-Wno-unknown-warning-option src/*/*.c plugin/*.c
	cppcheck --enable=warning,portability,performance --std=c11 -Iinclude -Isrc --quiet \
		--error-exitcode=1 src plugin

bench: build
	bench/probe.sh

# caps-probe in loop mode for SOAK_SECONDS (default 600) with a reader.
soak: build
	bench/soak.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
