#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fault injection for caps-probe: libvirt unavailable or failing mid-run
# (bad URI, emulator gone, state directory read-only), the features
# directory full, read-only or replaced by a symlink, a temp file planted by
# another user, SIGKILL and SIGTERM at random points of a write. Each time:
# the last good feature file is never lost or truncated, and the loop
# recovers when the fault goes away. Root is not stopped by chmod, so the
# faults are mounts (tmpfs, read-only binds, a bind over the emulator) in a
# private mount namespace, and another uid through setpriv.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: fault injection needs root (mounts in a private mount namespace)"
	exit 77
fi
if [ -z "${VC_FAULTS_NS:-}" ]; then
	exec unshare --mount --propagation private env VC_FAULTS_NS=1 "$0" "$@"
fi
. "$(dirname "$0")/../common/lib.sh"
require_qemu_driver
P=$CAPS_PROBE
# Unwrapped (valgrind runs it through a script): its own signal mask counts.
P_BIN=$CAPS_PROBE_BIN
F=$TMP/features
EMU=$(command -v "qemu-system-$(uname -m)")
mkdir -p "$F"

labels_of() { grep -v '^#' "$1"; }
mtime() { stat -c %y "$1" 2>/dev/null || echo none; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local limit=$1 what=$2
	shift 2
	for _ in $(seq $((limit * 10))); do
		"$@" && return 0
		kill -0 "$loop" 2>/dev/null || fail "caps-probe exited while waiting for: $what"
		sleep 0.1
	done
	cat "$TMP/loop.err" >&2
	fail "timed out after ${limit}s waiting for: $what"
}
errors_seen() { [ "$(grep -c 'probe failed' "$TMP/loop.err")" -gt "$1" ]; }
rewritten() { [ "$(mtime "$F/virt-caps")" != "$1" ]; }

# start_loop ARGS...: caps-probe in loop mode every 2 s (retries too).
start_loop() {
	: >"$TMP/loop.err"
	"$P" -v --interval 2s --features-dir "$F" "$@" 2>"$TMP/loop.err" &
	loop=$!
	wait_for 120 "the first feature file" test -s "$F/virt-caps"
}
stop_loop() {
	kill -TERM "$loop"
	wait "$loop" || fail "loop did not exit 0 on SIGTERM"
}

# fault_cycle NAME INJECT REMOVE: with the loop running, inject the fault,
# see it fail twice with the file untouched, remove it, see it recover.
fault_cycle() {
	local name=$1 inject=$2 remove=$3 n before
	n=$(grep -c 'probe failed' "$TMP/loop.err" || true)
	$inject
	wait_for 30 "$name: a failed probe" errors_seen "$n"
	cp "$F/virt-caps" "$TMP/kept"
	before=$(mtime "$F/virt-caps")
	wait_for 30 "$name: a second failed probe" errors_seen $((n + 1))
	[ "$(mtime "$F/virt-caps")" = "$before" ] || fail "$name: file rewritten during the fault"
	cmp -s "$TMP/kept" "$F/virt-caps" || fail "$name: last good file changed"
	[ -z "$(find "$F" -name '.virt-caps*')" ] || fail "$name: temp file left: $(ls -A "$F")"
	labels_of "$F/virt-caps" | diff -q - "$TMP/good.labels" >/dev/null ||
		fail "$name: kept labels differ from the good ones"
	$remove
	wait_for 30 "$name: recovery" rewritten "$before"
	labels_of "$F/virt-caps" | diff -q - "$TMP/good.labels" >/dev/null ||
		fail "$name: labels after recovery differ"
	ok "$name: probes failed ($(grep -c 'probe failed' "$TMP/loop.err") so far), last good file kept whole, recovered"
}

# --- libvirt unavailable: one-shot --------------------------------------
run 0 "$P" --once --from-dir "$TEST_DATA_DIR/amd-sev-snp" --features-dir "$F"
cp "$F/virt-caps" "$TMP/good"
run 4 "$P" --once --connect 'bogus:///nowhere' --features-dir "$F"
one_line_error "bogus:///nowhere"
cmp -s "$TMP/good" "$F/virt-caps" || fail "bad URI: last good file changed"
ok "bad URI: exit 4, one-line error naming it, last good file kept"
if [ ! -S /run/libvirt/libvirt-sock ]; then
	run 4 "$P" --once --connect qemu:///system --features-dir "$F"
	cmp -s "$TMP/good" "$F/virt-caps" || fail "no daemon: last good file changed"
	ok "qemu:///system without a daemon: exit 4, last good file kept"
fi
S=$TMP/state
clone_root "$S"
mount --bind "$S" "$S"
mount -o remount,bind,ro "$S"
run 3 "$P" --once --virttype qemu --state-dir "$S" --features-dir "$F"
one_line_error "state directory $S is not writable"
cmp -s "$TMP/good" "$F/virt-caps" || fail "read-only state: last good file changed"
umount "$S"
ok "read-only state directory: exit 3, one-line error naming it, last good file kept"
touch "$TMP/not-an-emulator"
mount --bind "$TMP/not-an-emulator" "$EMU"
run 4 "$P" --once --virttype qemu --state-dir "$S" --features-dir "$F"
cmp -s "$TMP/good" "$F/virt-caps" || fail "emulator gone: last good file changed"
umount "$EMU"
ok "emulator gone (non-executable file over $EMU): exit 4 ($(tail -1 "$TMP/err" | cut -c1-80)), last good file kept"

# --- the loop against the embedded driver, faults mid-run ---------------
rm -f "$F"/*
start_loop --virttype qemu --state-dir "$S"
labels_of "$F/virt-caps" >"$TMP/good.labels"

# Regression (found by bench/soak.sh): a new embedded connection per probe
# exhausted libvirt's driver table after about 20 probes.
probes() { [ "$(grep -c 'wrote ' "$TMP/loop.err")" -ge 25 ]; }
wait_for 120 "25 probes" probes
! grep -q 'probe failed\|Too many drivers' "$TMP/loop.err" || fail "the loop failed within 25 probes"
ok "25 probes in a row on one embedded root, no error (one libvirt connection per process)"

emu_gone() { mount --bind "$TMP/not-an-emulator" "$EMU"; }
emu_back() { umount "$EMU"; }
fault_cycle "emulator removed mid-run" emu_gone emu_back

state_ro() { mount --bind "$S" "$S" && mount -o remount,bind,ro "$S"; }
state_rw() { umount "$S"; }
fault_cycle "state directory read-only mid-run" state_ro state_rw

features_ro() { mount --bind "$F" "$F" && mount -o remount,bind,ro "$F"; }
features_rw() { umount "$F"; }
fault_cycle "features directory read-only" features_ro features_rw

features_link() { mv "$F" "$F.real" && ln -s "$F.real" "$F"; }
features_dir() { rm "$F" && mv "$F.real" "$F"; }
n_before=$(ls -A "$F" | wc -l)
fault_cycle "features directory replaced by a symlink" features_link features_dir
grep -q 'symlinks are not followed' "$TMP/loop.err" || fail "symlink: no clear error"
[ "$(ls -A "$F" | wc -l)" = "$n_before" ] || fail "symlink: something written through it"
stop_loop

# A full file system: a small tmpfs, filled up while the loop runs.
cp "$F/virt-caps" "$TMP/save"
mount -t tmpfs -o size=64k,mode=0755 vc-full "$F"
cp "$TMP/save" "$F/virt-caps"
start_loop --virttype qemu --state-dir "$S"
fill() { dd if=/dev/zero of="$F/filler" bs=1k count=1024 2>/dev/null || true; }
unfill() { rm -f "$F/filler"; }
fault_cycle "features directory full (64 KiB tmpfs)" fill unfill
grep -q 'No space left on device' "$TMP/loop.err" || fail "full: ENOSPC not reported"
stop_loop
umount "$F"

# --- a temp file planted by another user -------------------------------
# A world-writable features directory that uid 4242 can reach: under
# $SHARED, since $TMP and the build tree may be out of its reach.
shared_tmp
W=$SHARED/features
mkdir "$W"
chmod 0777 "$W"
cp "$F/virt-caps" "$W/"
echo 'victim' >"$TMP/victim"
as_uid 4242 sh -c "echo 'planted=1' > '$W/.virt-caps.tmp'"
run 0 "$P" --once --from-dir "$TEST_DATA_DIR/amd-sev-snp" --features-dir "$W"
[ ! -e "$W/.virt-caps.tmp" ] && [ "$(stat -c %u:%a "$W/virt-caps")" = 0:644 ] &&
	! grep -q planted "$W/virt-caps" || fail "planted regular temp file was reused"
rm -f "$W/.virt-caps.tmp"
as_uid 4242 ln -s "$TMP/victim" "$W/.virt-caps.tmp"
run 0 "$P" --once --from-dir "$TEST_DATA_DIR/intel-tdx" --features-dir "$W"
[ "$(cat "$TMP/victim")" = victim ] || fail "planted symlink was followed"
[ ! -L "$W/.virt-caps.tmp" ] || fail "planted symlink left in place"
ok "temp files planted by uid 4242 (a file, a symlink to a victim): replaced, never followed"

# --- SIGKILL at random points of a write: old or new, never partial ------
"$P" --stdout --from-dir "$TEST_DATA_DIR/amd-sev-snp" >"$TMP/a.labels"
"$P" --stdout --from-dir "$TEST_DATA_DIR/intel-tdx" >"$TMP/b.labels"
rm -f "$F"/* "$F"/.virt-caps*
run 0 "$P" --once --from-dir "$TEST_DATA_DIR/amd-sev-snp" --features-dir "$F"
kills=0
for i in $(seq 1 60); do
	host=amd-sev-snp
	[ $((i % 2)) = 0 ] || host=intel-tdx
	"$P" --once --from-dir "$TEST_DATA_DIR/$host" --features-dir "$F" 2>/dev/null &
	sleep "0.0$((RANDOM % 30))"
	kill -KILL $! 2>/dev/null && kills=$((kills + 1))
	wait $! 2>/dev/null || true
	labels_of "$F/virt-caps" >"$TMP/now.labels"
	cmp -s "$TMP/now.labels" "$TMP/a.labels" || cmp -s "$TMP/now.labels" "$TMP/b.labels" ||
		fail "after SIGKILL $i: feature file is neither the old nor the new one"
	head -1 "$F/virt-caps" | grep -q '^# +expiry-time=' || fail "after SIGKILL $i: no expiry line"
done
run 0 "$P" --once --from-dir "$TEST_DATA_DIR/amd-sev-snp" --features-dir "$F"
[ -z "$(find "$F" -name '.virt-caps*')" ] || fail "a leftover temp file was not cleaned up"
ok "SIGKILL at random points: $kills kills during 60 runs, the file always whole (old or new); leftovers cleaned"

# A signal before main() has blocked SIGTERM kills any process; from then
# on (SigBlk has bit 15) it must end the loop cleanly wherever it lands.
term_blocked() { (($(printf '%d' "0x$(awk '/^SigBlk/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0)") & 0x4000)); }
# The loop probes the embedded driver (--from-dir is offline, never a loop):
# its labels are a third possible content of the file.
"$P" --stdout --virttype qemu --state-dir "$S" >"$TMP/c.labels"
terms=0
for i in $(seq 1 20); do
	"$P_BIN" --interval 1h --virttype qemu --state-dir "$S" --features-dir "$F" 2>/dev/null &
	for _ in $(seq 200); do term_blocked $! && break; sleep 0.005; done
	sleep "0.0$((RANDOM % 20))"
	kill -TERM $!
	wait $! || fail "SIGTERM $i: exit status $?"
	terms=$((terms + 1))
	labels_of "$F/virt-caps" >"$TMP/now.labels"
	cmp -s "$TMP/now.labels" "$TMP/a.labels" || cmp -s "$TMP/now.labels" "$TMP/b.labels" ||
		cmp -s "$TMP/now.labels" "$TMP/c.labels" ||
		fail "after SIGTERM $i: feature file is neither the old nor the new one"
done
ok "SIGTERM at random points of the loop: $terms exits with status 0, the file always whole"
echo "$checks checks passed"
