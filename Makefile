# SPDX-License-Identifier: Apache-2.0
# Thin wrapper around meson. `make probe` and `make check` are the two
# commands of the README: each installs what is missing first.

BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_TEST_ARGS ?=
# The image test builds its own tree from the Dockerfile: once, not per run.
SUITES = --no-suite image
STATE_DIR ?= /var/lib/virt-caps

.PHONY: all deps test-deps build probe check test asan valgrind image-test format format-check lint bench clean

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
# ASan+UBSan and under valgrind, and the image test; the last line counts
# all four runs.
check: test-deps
	$(MAKE) test asan valgrind image-test
	scripts/test-summary $(BUILD)/meson-logs/testlog.json \
		$(ASAN_BUILD)/meson-logs/testlog.json $(BUILD)/meson-logs/testlog-valgrind.json \
		$(BUILD)/meson-logs/testlog-image.json

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

format:
	clang-format -i src/*.c include/virt-caps/*.h plugin/*.c tests/*.c tests/*.h

format-check:
	clang-format --dry-run --Werror src/*.c include/virt-caps/*.h plugin/*.c tests/*.c tests/*.h

# Static analysis of src/ and plugin/ with the committed .clang-tidy and
# cppcheck's warning, portability and performance checks.
lint: build
	clang-tidy -p $(BUILD) --quiet src/*.c plugin/*.c
	cppcheck --enable=warning,portability,performance --std=c11 -Iinclude --quiet \
		--error-exitcode=1 src plugin

bench: build
	bench/probe.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
