#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe writes only inside its features and state directories (and,
# as root, libvirt's runtime directory /run/libvirt), and executes only
# QEMU emulators, never a shell: every file-changing and exec system call
# of a cold probe (QEMU really started) is traced with strace, as root and
# as an ordinary user whose $HOME is unreadable.
. "$(dirname "$0")/../common/lib.sh"
require_qemu_driver
command -v strace >/dev/null || skip "strace is not installed (scripts/install-deps --test)"
strace -f -qq -e trace=execve -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
[ "$(id -u)" = 0 ] || skip "the ordinary-user run needs root to switch users (setpriv)"

# LeakSanitizer cannot run under ptrace; leaks are checked by every other
# test of the ASan run.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
CALLS=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,symlink,symlinkat,link,linkat,chmod,fchmodat,chown,fchownat,lchown,truncate,execve

# check_trace TRACE F STATE EXTRA_PREFIX: every successful call that
# changes a file names a path under F, STATE or EXTRA_PREFIX (or a device
# opened read-write); execve only of caps-probe and QEMU emulators.
check_trace() {
	python3 - "$@" <<'PY'
import re, sys
trace, f, state, extra = sys.argv[1:5]
allowed = [f + "/", state + "/", state] + ([extra] if extra else [])
devices = {"/dev/null", "/dev/kvm", "/dev/urandom", "/dev/random"}
shells = re.compile(r"/(sh|dash|bash|rbash|zsh|busybox)$")
call = re.compile(r'^\d+\s+(\w+)\((?:AT_FDCWD|\d+)?,?\s*"([^"]*)"(.*)\)\s+=\s+(-?\d+)')
bad, execs, writes = [], [], 0
for line in open(trace):
    m = call.match(line)
    if not m:
        continue
    name, path, rest, ret = m.groups()
    if int(ret) < 0:
        continue
    if name == "execve":
        execs.append(path)
        if shells.search(path) or not re.search(r"(caps-probe|/qemu-system-[\w-]+)$", path):
            bad.append(f"exec of {path}")
        continue
    if name in ("open", "openat") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", rest):
        continue
    if not path.startswith("/"):
        # relative to a directory fd: caps-probe only uses the features dir's
        if name in ("openat", "renameat", "renameat2", "unlinkat") and path.startswith((".virt-caps", "virt-caps")):
            writes += 1
            continue
        bad.append(f"{name} of relative path {path}")
        continue
    writes += 1
    if path in devices or any(path == a.rstrip("/") or path.startswith(a) for a in allowed):
        continue
    bad.append(f"{name} {path}")
if bad:
    print("\n".join(sorted(set(bad))), file=sys.stderr)
    sys.exit(1)
print(f"{writes} writes, {len(execs)} execs: {', '.join(sorted(set(p.rsplit('/', 1)[1] for p in execs)))}")
PY
}

# As root: /run/libvirt is libvirt's own runtime directory (documented).
mkdir -p "$TMP/root/f" "$TMP/root/state"
strace -f -qq -o "$TMP/root.trace" -e trace=$CALLS "$CAPS_PROBE_BIN" --once --virttype qemu \
	--state-dir "$TMP/root/state" --features-dir "$TMP/root/f" 2>"$TMP/err" || { cat "$TMP/err" >&2; fail "root probe failed"; }
grep -q 'execve("[^"]*qemu-system' "$TMP/root.trace" || fail "QEMU was not started: the probe was not cold"
summary=$(check_trace "$TMP/root.trace" "$TMP/root/f" "$TMP/root/state" /run/libvirt/) || fail "root: writes outside"
ok "root, cold probe: $summary; all inside features, state and /run/libvirt"

# As an ordinary user with an unreadable $HOME: only the two directories.
# That user cannot reach the build tree (a checkout under /root or in a
# `mktemp -d` is 0700) nor $TMP, so it runs a copy of the binary (linked
# against system libraries only) from a directory it can reach, $SHARED.
shared_tmp
U=$SHARED/user
mkdir -p "$U/f" "$U/state" "$U/home"
chmod 0755 "$U"
chmod 0700 "$U/home"
install -m 0755 "$CAPS_PROBE_BIN" "$U/caps-probe"
chown 65532:65532 "$U/f" "$U/state"
strace -f -qq -o "$TMP/user.trace" -e trace=$CALLS setpriv --reuid 65532 --regid 65532 --clear-groups \
	env -C "$U" HOME="$U/home" "$U/caps-probe" --once --virttype qemu --state-dir "$U/state" \
	--features-dir "$U/f" 2>"$TMP/err" || { cat "$TMP/err" >&2; fail "ordinary-user probe failed"; }
sed -i '/execve("\/usr\/bin\/setpriv"/d; /execve("\/usr\/bin\/env"/d' "$TMP/user.trace"
summary=$(check_trace "$TMP/user.trace" "$U/f" "$U/state" "") || fail "user: writes outside"
ok "uid 65532, unreadable HOME, cold probe: $summary; all inside features and state"
[ "$(stat -c %u:%a "$U/f/virt-caps")" = 65532:644 ] || fail "user: feature file mode"
[ -z "$(find "$U/state" ! -user 65532)" ] || fail "user: state files not owned by the user"
ok "the feature file is 0644; every state file belongs to the user"

# The checker catches what it should.
printf '1 openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_TRUNC) = 3\n' >"$TMP/bad.trace"
! check_trace "$TMP/bad.trace" "$U/f" "$U/state" "" 2>/dev/null || fail "checker missed a write"
printf '1 execve("/bin/sh", ["sh"], 0x0) = 0\n' >"$TMP/bad.trace"
! check_trace "$TMP/bad.trace" "$U/f" "$U/state" "" 2>/dev/null || fail "checker missed a shell"
ok "the trace checker rejects a write to /etc/passwd and an exec of /bin/sh"
echo "$checks checks passed"
