# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the shell tests. Source it; it sets -eu.
set -eu

: "${CAPS_PROBE:?run through meson test}"
: "${TEST_DATA_DIR:?run through meson test}"
: "${TEST_BUILD_DIR:?run through meson test}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vc-sh-XXXXXX")
cleanup_tmp() {
	# Undo mounts a test left behind before removing its files.
	grep -o " $TMP[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup_tmp EXIT

# The binary itself, for tests that trace its system calls.
CAPS_PROBE_BIN=$CAPS_PROBE
# Under `meson test --setup=valgrind` every caps-probe and caps-aggregate
# runs in valgrind.
if [ -n "${VC_VALGRIND:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VC_VALGRIND" "$CAPS_PROBE" >"$TMP/caps-probe"
	chmod +x "$TMP/caps-probe"
	CAPS_PROBE="$TMP/caps-probe"
	if [ -n "${CAPS_AGGREGATE:-}" ]; then
		printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VC_VALGRIND" "$CAPS_AGGREGATE" >"$TMP/caps-aggregate"
		chmod +x "$TMP/caps-aggregate"
		CAPS_AGGREGATE="$TMP/caps-aggregate"
	fi
fi

checks=0
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# run EXPECTED_STATUS CMD...: run, keep stdout/stderr in $TMP/out, $TMP/err
run() {
	want=$1; shift
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "--- stderr:" >&2; head -20 "$TMP/err" >&2
		fail "exit status $got, expected $want: $*"
	fi
}

# The last run printed exactly one line on stderr, containing $1.
one_line_error() {
	n=$(wc -l <"$TMP/err")
	[ "$n" -eq 1 ] || { cat "$TMP/err" >&2; fail "expected one line on stderr, got $n"; }
	grep -qF -- "$1" "$TMP/err" || { cat "$TMP/err" >&2; fail "stderr lacks '$1'"; }
}

# libvirt's QEMU driver and a QEMU system emulator for this arch.
have_qemu_driver() {
	for d in /usr/lib/*/libvirt/connection-driver /usr/lib64/libvirt/connection-driver \
		/usr/lib/libvirt/connection-driver; do
		[ -e "$d/libvirt_driver_qemu.so" ] && command -v "qemu-system-$(uname -m)" >/dev/null &&
			return 0
	done
	return 1
}

require_qemu_driver() {
	have_qemu_driver || skip "libvirt's QEMU driver or qemu-system-$(uname -m) is not installed"
	if [ "$(id -u)" = 0 ] && ! getent passwd libvirt-qemu >/dev/null; then
		fail "running as root needs the libvirt-qemu user (scripts/install-deps creates it)"
	fi
}

kvm_usable() {
	[ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null
}

# A warm embedded-driver root, made once per build tree (a cold one costs
# seconds of QEMU probing); tests clone it with cp -a.
warm_root() {
	tmpl="$TEST_BUILD_DIR/warm-root"
	(
		flock 9
		if [ ! -e "$tmpl/.warm" ]; then
			rm -rf "$tmpl"
			"$CAPS_PROBE" --stdout --state-dir "$tmpl" --virttype qemu >/dev/null ||
				fail "cannot warm an embedded root in $tmpl"
			touch "$tmpl/.warm"
		fi
	) 9>"$TEST_BUILD_DIR/warm-root.lock"
	echo "$tmpl"
}

clone_root() {
	cp -a "$(warm_root)" "$1"
}
