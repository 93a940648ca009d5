#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A /dev/kvm that exists but cannot be opened (stock root:kvm 0660, the
# probe as uid 65532): caps-probe names the device, the errno and the two
# remedies; --virttype kvm fails (exit 4) before libvirt, the automatic
# virttype falls back to qemu with a warning. Runs against the real
# /dev/kvm of this machine, as an ordinary user switched to by setpriv.
. "$(dirname "$0")/../common/lib.sh"
require_qemu_driver
[ "$(id -u)" = 0 ] || skip "switching to uid 65532 needs root (setpriv)"
[ -c /dev/kvm ] || skip "/dev/kvm does not exist here"
mode=$(stat -c %a /dev/kvm)
gid=$(stat -c %g /dev/kvm)
[ $((0$mode & 06)) = 0 ] || skip "/dev/kvm is $mode: others may open it, nothing to refuse"
[ "$gid" != 65532 ] || skip "/dev/kvm belongs to gid 65532"

shared_tmp
U=$SHARED/kvm
mkdir -p "$U/state" "$U/f"
chmod 0755 "$U"
install -m 0755 "$CAPS_PROBE_BIN" "$U/caps-probe"
cp -a "$(warm_root)/." "$U/state/"
chown -R 65532:65532 "$U/state" "$U/f"
as65532() { run "$1" as_uid 65532 env -C "$U" HOME="$U" "${@:2}"; }

# Explicit kvm: exit 4, one line, before libvirt says anything about accels.
as65532 4 "$U/caps-probe" --stdout --virttype kvm --state-dir "$U/state"
one_line_error "--virttype kvm: cannot open /dev/kvm read-write: Permission denied"
grep -q "device uid 0 gid $gid mode 0$mode; this process uid 65532 gid 65532, not in group $gid" "$TMP/err" ||
	fail "no ownership detail: $(cat "$TMP/err")"
grep -q "add gid $gid to the pod's securityContext.supplementalGroups" "$TMP/err" || fail "no supplementalGroups remedy"
grep -q "device_ownership_from_security_context" "$TMP/err" || fail "no runtime remedy"
! grep -q "accel" "$TMP/err" || fail "libvirt's accel message leaked"
[ ! -s "$TMP/out" ] || fail "output on error"
ok "--virttype kvm as 65532: exit 4, device, errno, gid $gid and both remedies"

# Automatic: falls back to qemu, with a warning (shown by default).
as65532 0 "$U/caps-probe" --stdout --state-dir "$U/state"
grep -q '^caps-probe: warning: cannot open /dev/kvm read-write: Permission denied (.*add gid '"$gid"'.*falling back to software emulation (virttype qemu)' "$TMP/err" ||
	fail "no fallback warning: $(cat "$TMP/err")"
[ "$(grep -c . "$TMP/err")" = 1 ] || fail "more than the warning on stderr: $(cat "$TMP/err")"
grep -qx 'libvirt.feature.node.kubernetes.io/virttype=qemu' "$TMP/out" || fail "not virttype qemu"
ok "automatic virttype as 65532: qemu, with one warning line"

# With the kvm group, the same user opens it: no warning, virttype kvm.
run 0 setpriv --reuid 65532 --regid 65532 --groups "$gid" env -C "$U" HOME="$U" \
	"$U/caps-probe" --stdout --state-dir "$U/state"
! grep -q 'cannot open /dev/kvm' "$TMP/err" || fail "warning with the kvm group: $(cat "$TMP/err")"
grep -qx 'libvirt.feature.node.kubernetes.io/virttype=kvm' "$TMP/out" || fail "not virttype kvm with the group"
ok "with gid $gid added: virttype kvm, no warning"

# No device at all: info (a node without KVM), not a warning; kvm fails.
as65532 0 "$U/caps-probe" --stdout --state-dir "$U/state" --kvm-device "$U/no-kvm"
! grep -q 'warning' "$TMP/err" || fail "a missing device warned: $(cat "$TMP/err")"
as65532 4 "$U/caps-probe" --stdout --virttype kvm --state-dir "$U/state" --kvm-device "$U/no-kvm"
one_line_error "cannot open $U/no-kvm: No such file or directory (no KVM on this node"
ok "missing device: silent fallback by default, an error with --virttype kvm"
echo "$checks checks passed"
