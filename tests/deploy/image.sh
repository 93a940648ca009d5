#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The container image, verified without a container engine: debootstrap a
# Debian 12 minbase, build the Dockerfile's stages from it with the
# Dockerfile's own steps (tests/deploy/image/dockerfile-rootfs.py), then run the
# image as `docker run --read-only --user 65532` would and check what
# caps-probe writes against this build tree's caps-probe on the same host.
. "$(dirname "$0")/../common/lib.sh"

SRC=$(cd "$TEST_SRC_DIR/.." && pwd)
TOOL=$TEST_SRC_DIR/deploy/image/dockerfile-rootfs.py
MIRROR=${VC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${VC_IMAGE_CACHE:-$TEST_BUILD_DIR/image-cache}
FEATURES=/etc/kubernetes/node-feature-discovery/features.d

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mounts)"
for t in debootstrap unshare chroot python3; do
	command -v $t >/dev/null || skip "$t is not installed (scripts/install-deps --test)"
done
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"
python3 -c "import urllib.request as u; u.urlopen('$MIRROR/dists/bookworm/Release', timeout=20)" \
	2>/dev/null || skip "Debian mirror $MIRROR is not reachable (set VC_DEBIAN_MIRROR)"
require_qemu_driver

elapsed() { echo $(($(date +%s) - $1)); }
t0=$(date +%s)

# --- the arm64 branch, as text: what the build would do for arm64 ---
python3 "$TOOL" build --dockerfile "$SRC/Dockerfile" --context "$SRC" --work "$TMP/dry" \
	--target-arch arm64 --dry-run >"$TMP/arm64.plan"
grep -q 'RUN /tmp/install-deps --runtime --arch "${TARGETARCH}".*\[TARGETARCH=arm64\]' "$TMP/arm64.plan" ||
	fail "the runtime stage does not install for TARGETARCH=arm64: $(grep RUN "$TMP/arm64.plan")"
arm_pkgs=$("$SRC/scripts/install-deps" --runtime --arch arm64 --print)
echo " $arm_pkgs " | grep -q ' qemu-system-arm ' || fail "arm64 runtime lacks qemu-system-arm: $arm_pkgs"
ok "arm64: the runtime stage installs $arm_pkgs"

# --- Debian 12 minbase, made once per build tree ---
mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9
if [ ! -s "$CACHE/bookworm-minbase.tar" ]; then
	t=$(date +%s)
	debootstrap --variant=minbase bookworm "$TMP/base" "$MIRROR" >"$TMP/debootstrap.log" 2>&1 ||
		{ tail -20 "$TMP/debootstrap.log" >&2; fail "debootstrap failed"; }
	tar -C "$TMP/base" --numeric-owner -cf "$CACHE/bookworm-minbase.tar.new" .
	mv "$CACHE/bookworm-minbase.tar.new" "$CACHE/bookworm-minbase.tar"
	rm -rf --one-file-system "$TMP/base"
	ok "debootstrap bookworm minbase in $(elapsed "$t") s"
fi
flock -u 9

# --- both stages, from the Dockerfile ---
t=$(date +%s)
python3 "$TOOL" build --dockerfile "$SRC/Dockerfile" --context "$SRC" --work "$TMP/img" \
	--base-tar "$CACHE/bookworm-minbase.tar" --apt-cache "$CACHE/apt" >"$TMP/build.log" 2>&1 ||
	{ tail -40 "$TMP/build.log" >&2; fail "image build failed"; }
units=$(meson test -C "$TEST_BUILD_DIR/.." --list --suite unit 2>/dev/null | grep -c ':unit / ')
grep -q "^Ok: *$units *\$" "$TMP/build.log" && grep -q '^Fail: *0 *$' "$TMP/build.log" ||
	fail "the build stage did not pass the $units unit tests: $(grep -E '^(Ok|Fail):' "$TMP/build.log")"
ok "image built from the Dockerfile in $(elapsed "$t") s ($units unit tests passed in the build stage)"
ROOT=$TMP/img/rootfs
CONFIG=$TMP/img/image.json

python3 - "$CONFIG" <<'PY' || fail "image config: see above"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["user"].split(":")[0] not in ("", "0", "root"), f"runs as {c['user']}"
assert c["entrypoint"] == ["/usr/bin/caps-probe"], c["entrypoint"]
assert "/var/lib/virt-caps" in c["volumes"], c["volumes"]
PY
ok "image: user $(python3 -c "import json; print(json.load(open('$CONFIG'))['user'])"), entrypoint caps-probe, state volume"
for f in usr/bin/gcc usr/bin/cc usr/include/libvirt usr/bin/meson; do
	[ ! -e "$ROOT/$f" ] || fail "runtime image contains build tool $f"
done
[ "$(stat -c %u:%a "$ROOT/usr/bin/caps-probe")" = 0:755 ] || fail "caps-probe must be root-owned 0755"
ok "runtime: no compiler or headers; binaries root-owned, not writable by the image user"
ok "runtime root file system: $(du -sm "$ROOT" | cut -f1) MiB"

# The user's ids, from the image's passwd.
uid=65532
gid=65532
grep -q "^virt-caps:x:$uid:$gid:" "$ROOT/etc/passwd" || fail "no virt-caps user $uid:$gid in the image"

# --- the init container of the manifests, run in the image ---
# NFD's host directory is root:root 0755; the manifests' init container
# (as root, every capability dropped but CHOWN) opens it to group 65532.
mkdir -p "$TMP/host/features.d" "$TMP/host/state"
chmod 0755 "$TMP/host/features.d"
mapfile -t init < <(python3 - "$SRC/manifests/standalone/daemonset.yaml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["initContainers"][0]
print(*c["command"], sep="\n")
print("CAPS=" + ",".join(c["securityContext"]["capabilities"]["add"]))
PY
)
caps=${init[-1]#CAPS=}
unset 'init[-1]'
run 0 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --user 0:0 --read-only --no-shell \
	--cap-add "$caps" --volume "$TMP/host/features.d:$FEATURES" --entrypoint "${init[0]}" -- "${init[@]:1}"
[ "$(stat -c %u:%g:%a "$TMP/host/features.d")" = "0:$gid:775" ] ||
	fail "init container left $(stat -c %u:%g:%a "$TMP/host/features.d")"
ok "init container (${init[*]}, caps $caps only) makes features.d root:$gid 0775"

# --- caps-probe as the image's user: read-only root, no shell ---
chown "$uid:$gid" "$TMP/host/state"
echo "# +expiry-time=2099-01-01T00:00:00Z" >"$TMP/host/features.d/other-plugin"
chmod 0644 "$TMP/host/features.d/other-plugin"
virttypes=qemu
devargs=()
if kvm_usable; then
	virttypes="qemu kvm"
	# /dev/kvm as stock Debian and Ubuntu nodes have it, root:kvm 0660,
	# whatever this host's mode: a node of the test's own, same device.
	kvm_gid=$(getent group kvm | cut -d: -f3)
	[ -n "$kvm_gid" ] || kvm_gid=$(stat -c %g /dev/kvm)
	mknod "$TMP/kvm" c "$((0x$(stat -c %t /dev/kvm)))" "$((0x$(stat -c %T /dev/kvm)))"
	chown "0:$kvm_gid" "$TMP/kvm"
	chmod 0660 "$TMP/kvm"
	# The groups the manifests' kvm-group component adds, with this node's
	# kvm gid put in as the README tells an operator to.
	cp -r "$SRC/manifests" "$TMP/manifests"
	sed -i "s/KVM_GID/$kvm_gid/" "$TMP/manifests/components/kvm-group/supplemental-groups.yaml"
	mapfile -t knob_groups < <(python3 - "$TMP/manifests/components/kvm-group/supplemental-groups.yaml" <<'PY'
import sys, yaml
print(*yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["securityContext"]["supplementalGroups"], sep="\n")
PY
)
	[ "${knob_groups[*]}" = "$kvm_gid" ] || fail "kvm-group adds '${knob_groups[*]}', not the kvm gid $kvm_gid"
	devargs=(--device "$TMP/kvm:/dev/kvm")
	for g in "${knob_groups[@]}"; do devargs+=(--group-add "$g"); done
fi
for vt in $virttypes; do
	rm -f "$TMP/host/features.d/virt-caps"
	t=$(date +%s)
	run 0 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell "${devargs[@]}" \
		--volume "$TMP/host/features.d:$FEATURES" --volume "$TMP/host/state:/var/lib/virt-caps" \
		--env NODE_NAME=image-node -- --once --virttype "$vt"
	f=$TMP/host/features.d/virt-caps
	[ -f "$f" ] || fail "$vt: no feature file written"
	[ "$(stat -c %u:%a "$f")" = "$uid:644" ] || fail "$vt: feature file is $(stat -c %u:%a "$f")"
	head -1 "$f" | grep -q '^# +expiry-time=20[0-9-]*T' || fail "$vt: no expiry line"
	"$CAPS_PROBE" --stdout --virttype "$vt" --state-dir "$TMP/host-state-$vt" >"$TMP/host-$vt.labels" ||
		fail "$vt: host caps-probe failed"
	grep -v '^#' "$f" >"$TMP/image-$vt.labels"
	diff -u "$TMP/host-$vt.labels" "$TMP/image-$vt.labels" >&2 ||
		fail "$vt: the image's labels differ from this build's on the same host"
	ok "$vt: caps-probe --once in the image (uid $uid, read-only root, no shell) wrote $(wc -l <"$TMP/image-$vt.labels") labels, identical to the host build's, in $(elapsed "$t") s"
done

# --- /dev/kvm root:kvm 0660 without the kvm-group knob ---
# The probe as the standalone DaemonSet runs it (its args, --once for the
# loop), uid 65532 without the kvm group: an error, no TCG labels published
# under kvm, and the last good file stays.
if [ -n "${kvm_gid:-}" ]; then
	mapfile -t ds_args < <(python3 - "$SRC/manifests/standalone/daemonset.yaml" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]
c = [c for c in spec["containers"] if c["name"] == "caps-probe"][0]
print(*(a for a in c["args"] if not a.startswith("--interval=")), sep="\n")
PY
)
	# The DaemonSet's exec readiness probe, run in the image as the kubelet
	# would (no shell), after the probe with the group succeeded.
	mapfile -t ready < <(python3 - "$SRC/manifests/standalone/daemonset.yaml" <<'PY'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]
c = [c for c in spec["containers"] if c["name"] == "caps-probe"][0]
print(*c["readinessProbe"]["exec"]["command"], sep="\n")
PY
)
	health() { # STATUS: the readiness probe's command in the image
		run "$1" python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell \
			--volume "$TMP/host/state:/var/lib/virt-caps" --entrypoint "/usr/bin/${ready[0]}" -- "${ready[@]:1}"
	}
	health 0
	ok "readinessProbe (${ready[*]}) in the image after the kvm probe: exit 0, $(cat "$TMP/out")"
	cp "$f" "$TMP/good"
	run 4 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell \
		--device "$TMP/kvm:/dev/kvm" --volume "$TMP/host/features.d:$FEATURES" \
		--volume "$TMP/host/state:/var/lib/virt-caps" --env NODE_NAME=image-node -- "${ds_args[@]}" --once
	cmp -s "$TMP/good" "$f" || fail "without the kvm group the feature file changed"
	grep -q "cannot open /dev/kvm read-write: Permission denied" "$TMP/err" ||
		fail "the error does not name /dev/kvm: $(cat "$TMP/err")"
	grep -q "add gid $kvm_gid to the pod's securityContext.supplementalGroups" "$TMP/err" ||
		fail "the error does not name the gid to add: $(cat "$TMP/err")"
	! grep -q accel "$TMP/err" || fail "libvirt's accel message instead of ours: $(cat "$TMP/err")"
	ok "no kvm group, /dev/kvm root:$kvm_gid 0660: the manifests' probe (${ds_args[*]} --once) exits 4, the last good file stays: $(head -1 "$TMP/err")"
	health 1
	grep -q '^not ready: .*cannot open /dev/kvm' "$TMP/out" || fail "readiness does not say why: $(cat "$TMP/out" "$TMP/err")"
	ok "readinessProbe after it: exit 1, naming /dev/kvm"
	# Without --virttype the probe falls back to QEMU's software CPUs,
	# and says so in its labels.
	run 0 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell \
		--device "$TMP/kvm:/dev/kvm" --volume "$TMP/host/state:/var/lib/virt-caps" -- --stdout
	grep -qx 'libvirt.feature.node.kubernetes.io/virttype=qemu' "$TMP/out" ||
		fail "no kvm group and no --virttype: $(grep virttype= "$TMP/out")"
	grep -q '^caps-probe: warning: cannot open /dev/kvm read-write' "$TMP/err" ||
		fail "the fallback to qemu is not a warning naming /dev/kvm: $(cat "$TMP/err")"
	ok "no kvm group, no --virttype: a warning naming /dev/kvm, labels say virttype=qemu, never kvm"
	# With the knob's group (the kvm run above) the same device works.
	grep -qx 'libvirt.feature.node.kubernetes.io/virttype=kvm' "$TMP/image-kvm.labels" ||
		fail "with the kvm group: no virttype=kvm label"
	ok "with kvm-group's gid $kvm_gid as a supplementary group: caps-probe probed kvm (virttype=kvm)"
fi
ls -A "$TMP/host/features.d" >"$TMP/ls"
[ "$(cat "$TMP/ls")" = "$(printf 'other-plugin\nvirt-caps')" ] || fail "features.d holds: $(cat "$TMP/ls")"
[ "$(cat "$TMP/host/features.d/other-plugin")" = "# +expiry-time=2099-01-01T00:00:00Z" ] ||
	fail "another plugin's file was touched"
ls "$TMP/host/state/cache/qemu/capabilities/"*.xml >/dev/null 2>&1 || fail "no QEMU capability cache in the state volume"
ok "only virt-caps written in features.d (other files untouched); QEMU's cache is in the state volume"

# Warm: the second probe reads the cache.
t=$(date +%s%N)
run 0 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell "${devargs[@]}" \
	--volume "$TMP/host/features.d:$FEATURES" --volume "$TMP/host/state:/var/lib/virt-caps" \
	-- --once --virttype qemu
ok "warm probe in the image: $((($(date +%s%N) - t) / 1000000)) ms (with the chroot set-up)"

# Without the state volume the read-only root cannot hold QEMU's cache: a
# clear error, and the last good file stays.
cp "$TMP/host/features.d/virt-caps" "$TMP/good"
run 3 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell \
	--volume "$TMP/host/features.d:$FEATURES" -- --once --virttype qemu
grep -q '/var/lib/virt-caps' "$TMP/err" || fail "the error does not name the state directory: $(cat "$TMP/err")"
cmp -s "$TMP/good" "$TMP/host/features.d/virt-caps" || fail "the last good feature file changed"
ok "no state volume: exit 3 naming /var/lib/virt-caps; the last good file is kept"

# --- caps-aggregate in the image reads what the probe wrote ---
mkdir -p "$TMP/host/in"
python3 "$TEST_SRC_DIR/common/nfd-nodes.py" "image-node=$TMP/host/features.d" >"$TMP/host/in/nodes.json"
chmod -R a+rX "$TMP/host/in"
run 0 python3 "$TOOL" run --rootfs "$ROOT" --config "$CONFIG" --read-only --no-shell \
	--volume "$TMP/host/in:/in" --entrypoint /usr/bin/caps-aggregate -- -f /in/nodes.json -o json
cp "$TMP/out" "$TMP/image-report.json"
"$CAPS_AGGREGATE" -f "$TMP/host/in/nodes.json" -o json >"$TMP/host-report.json"
cmp -s "$TMP/image-report.json" "$TMP/host-report.json" || fail "caps-aggregate in the image reports differently"
ok "caps-aggregate in the image: the same report as the host build"

# --- arm64 packages exist in Debian's arm64 archive ---
run 0 python3 "$TOOL" run --rootfs "$TMP/img/stages/build" --config "$CONFIG" --user 0:0 --cap-add ALL \
	--volume /etc/resolv.conf:/etc/resolv.conf --entrypoint /bin/sh -- -c \
	"dpkg --add-architecture arm64 && apt-get update -qq && for p in $arm_pkgs; do
	   a=\$(apt-cache show --no-all-versions \$p:arm64 | sed -n 's/^Architecture: //p');
	   [ -n \"\$a\" ] || a=\$(apt-cache show --no-all-versions \$p | sed -n 's/^Architecture: //p');
	   echo \"\$p \$a\"; done"
# Architecture-independent packages (ca-certificates) are 'all'.
[ "$(grep -cE '^[^ ]+ (arm64|all)$' "$TMP/out")" = "$(echo "$arm_pkgs" | wc -w)" ] ||
	fail "arm64: $(cat "$TMP/out" "$TMP/err")"
ok "arm64: every runtime package exists in Debian 12's arm64 archive"

echo "$checks checks passed in $(elapsed "$t0") s"
