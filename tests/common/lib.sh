# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the shell tests. Source it; it sets -eu.
set -eu

: "${CAPS_PROBE:?run through meson test}"
: "${TEST_DATA_DIR:?run through meson test}"
: "${TEST_BUILD_DIR:?run through meson test}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vc-sh-XXXXXX")
# A directory other users can reach, made by shared_tmp (see there).
SHARED=
cleanup_tmp() {
	local d
	for d in "$TMP" ${SHARED:+"$SHARED"}; do
		# Undo mounts a test left behind before removing its files.
		grep -o " ${d}[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do
			umount -l "$m" 2>/dev/null || true
		done
		rm -rf "$d"
	done
}
trap cleanup_tmp EXIT

# shared_tmp: sets $SHARED to a directory (0755, root's) that every user can
# reach, removed on exit. What a test runs as another uid must live there
# or elsewhere on the system, never in $TMP (0700) or the build and source
# trees: a checkout under /root or in a `mktemp -d` is 0700 too. It is
# under /tmp (world-searchable), not $TMPDIR, which may be private.
shared_tmp() {
	[ -z "$SHARED" ] || return 0
	(($(stat -L -c '0%a' /tmp) & 1)) || fail "/tmp is not searchable by other users ($(stat -L -c %A /tmp))"
	SHARED=$(mktemp -d /tmp/vc-shared-XXXXXX)
	chmod 0755 "$SHARED"
}

# as_uid UID CMD...: CMD as uid and gid UID, no supplementary groups, run
# from $SHARED (the test's own working directory may be out of its reach).
as_uid() {
	local uid=$1
	shift
	shared_tmp
	(cd "$SHARED" && exec setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@")
}

# The binary itself, for tests that trace its system calls.
CAPS_PROBE_BIN=$CAPS_PROBE
# Under `meson test --setup=valgrind` every caps-probe and caps-aggregate
# runs in valgrind, named by its absolute path: some tests run them with a
# PATH of their own (exec plugin lookup).
if [ -n "${VC_VALGRIND:-}" ]; then
	VC_VALGRIND="$(command -v valgrind)${VC_VALGRIND#valgrind}"
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

# closed_pipe CMD...: run CMD with its standard output a pipe whose reader
# has gone (what `| head` leaves behind); stderr in $TMP/err, prints the exit
# status (negative: killed by that signal).
closed_pipe() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
with open(sys.argv[1], "w") as err:
    print(subprocess.run(sys.argv[2:], stdout=w, stderr=err).returncode)' "$TMP/err" "$@"
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
