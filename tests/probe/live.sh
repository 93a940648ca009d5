#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Live test against the real libvirt + QEMU (embedded driver), for one
# virttype: caps-probe --once writes a valid feature file, and its labels
# (versions, digest, Hyper-V and realtime aside) equal what --from-dir
# computes from the XML that virsh writes for the same settings.
. "$(dirname "$0")/../common/lib.sh"
VIRTTYPE=${1:?virttype}
P=$CAPS_PROBE
ARCH=$(uname -m)

require_qemu_driver
command -v virsh >/dev/null || skip "virsh (libvirt-clients) is not installed"
if [ "$VIRTTYPE" = kvm ] && ! kvm_usable; then
	skip "/dev/kvm is missing or not usable here; the kvm virttype cannot be probed"
fi
case $ARCH in
x86_64) MACHINE=q35 ;;
aarch64) MACHINE=virt ;;
s390x) MACHINE=s390-ccw-virtio ;;
*) skip "arch $ARCH is not supported by caps-probe" ;;
esac

clone_root "$TMP/probe-root"
clone_root "$TMP/virsh-root"
mkdir "$TMP/features" "$TMP/saved"
export XDG_CACHE_HOME="$TMP/xdg" # virsh as an ordinary user writes here

# 1. caps-probe --once writes a feature file.
start=$(date +%s)
run 0 "$P" --once --state-dir "$TMP/probe-root" --virttype "$VIRTTYPE" \
	--features-dir "$TMP/features" --interval 10m --node-name live-node
f="$TMP/features/virt-caps"
[ -f "$f" ] || fail "no feature file written"
[ "$(stat -c %a "$f")" = 644 ] || fail "feature file mode is $(stat -c %a "$f")"
[ "$(stat -c %s "$f")" -le 65536 ] || fail "feature file over 64 KiB"
expiry=$(head -1 "$f" | sed -n 's/^# +expiry-time=//p')
[ -n "$expiry" ] || fail "first line is not an expiry directive: $(head -1 "$f")"
exp_s=$(date -d "$expiry" +%s) || fail "expiry '$expiry' does not parse"
end=$(date +%s)
[ "$exp_s" -ge $((start + 1800)) ] && [ "$exp_s" -le $((end + 1800)) ] ||
	fail "expiry $expiry is not now + 3 x 10m"
ls -A "$TMP/features" | grep -q '^\.' && fail "temp file left behind"
ok "$VIRTTYPE: --once wrote $(($(wc -l <"$f") - 1)) labels, expiry $expiry"

# 2. The same probe on stdout, both schemes.
run 0 "$P" --stdout --state-dir "$TMP/probe-root" --virttype "$VIRTTYPE"
cp "$TMP/out" "$TMP/live.nfd"
tail -n +2 "$f" | cmp -s - "$TMP/live.nfd" || fail "--stdout and the feature file differ"
run 0 "$P" --stdout --state-dir "$TMP/probe-root" --virttype "$VIRTTYPE" --label-scheme kubevirt
cp "$TMP/out" "$TMP/live.kubevirt"
ok "$VIRTTYPE: --stdout equals the feature file"

# 3. The old collection: virsh, one call after another, through files.
V="virsh -q -c qemu:///embed?root=$TMP/virsh-root"
$V domcapabilities --machine "$MACHINE" --arch "$ARCH" --virttype "$VIRTTYPE" \
	>"$TMP/saved/virsh_domcapabilities.xml"
$V hypervisor-cpu-baseline --features "$TMP/saved/virsh_domcapabilities.xml" \
	--machine "$MACHINE" --arch "$ARCH" --virttype "$VIRTTYPE" >"$TMP/saved/supported_features.xml"
$V capabilities >"$TMP/saved/capabilities.xml"
$V version >"$TMP/virsh-version"
ok "$VIRTTYPE: virsh saved the node-labeller files"

strip() { grep -Ev '/(libvirt-version|qemu-version|caps-digest|realtime)=|/hyperv\.|^hyperv\.node|^kubevirt\.io/realtime' "$1" || true; }
run 0 "$P" --from-dir "$TMP/saved" --stdout
strip "$TMP/out" >"$TMP/dir.nfd"
strip "$TMP/live.nfd" >"$TMP/live-stripped.nfd"
diff -u "$TMP/dir.nfd" "$TMP/live-stripped.nfd" >&2 || fail "nfd labels differ from --from-dir on virsh's files"
run 0 "$P" --from-dir "$TMP/saved" --stdout --label-scheme kubevirt
strip "$TMP/out" >"$TMP/dir.kubevirt"
strip "$TMP/live.kubevirt" >"$TMP/live-stripped.kubevirt"
diff -u "$TMP/dir.kubevirt" "$TMP/live-stripped.kubevirt" >&2 || fail "kubevirt labels differ"
n=$(wc -l <"$TMP/dir.kubevirt")
[ "$n" -gt 20 ] || fail "suspiciously few labels ($n)"
ok "$VIRTTYPE: live labels equal --from-dir on virsh's XML ($n kubevirt labels)"

# 4. Versions as virsh reports them; identity labels.
lib=$(sed -n 's/^Using library: libvirt //p' "$TMP/virsh-version")
hv=$(sed -n 's/^Running hypervisor: QEMU //p' "$TMP/virsh-version")
NS=libvirt.feature.node.kubernetes.io
grep -qx "$NS/libvirt-version=$lib" "$TMP/live.nfd" || fail "libvirt-version is not $lib"
grep -qx "$NS/qemu-version=$hv" "$TMP/live.nfd" || fail "qemu-version is not $hv"
grep -qx "$NS/virttype=$VIRTTYPE" "$TMP/live.nfd" || fail "virttype label"
grep -qx "$NS/arch=$ARCH" "$TMP/live.nfd" || fail "arch label"
grep -Eqx "$NS/caps-digest=[0-9a-f]{16}" "$TMP/live.nfd" || fail "caps-digest label"
ok "$VIRTTYPE: libvirt $lib, QEMU $hv, digest present"

# 5. The node report has what the labels say.
run 0 "$P" --output json --state-dir "$TMP/probe-root" --virttype "$VIRTTYPE" --node-name n1
python3 - "$TMP/out" "$TMP/live.nfd" <<'PY' || fail "report and labels disagree"
import json, sys
r = json.load(open(sys.argv[1]))
labels = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]))
ns = "libvirt.feature.node.kubernetes.io/"
def names(prefix):
    return sorted(k[len(ns + prefix):] for k in labels if k.startswith(ns + prefix))
assert r["node_name"] == "n1"
assert r["supported_models"] == names("cpu-model."), "models"
assert r["migration_models"] == names("cpu-model-migration."), "migration"
assert r["supported_features"] == names("cpu-feature."), "features"
assert r["host_cpu_model"]["required_features"] == names("host-model-feature."), "required"
assert r["host_cpu_model"]["name"] == labels.get(ns + "host-model")
assert r["machine_types"] == names("machine-type.")
assert r["libvirt_version"] == labels[ns + "libvirt-version"]
# No TSC counter in libvirt's capabilities (e.g. TCG without /dev/kvm):
# no tsc in the report and no tsc labels.
if r["tsc"] is None:
    assert ns + "tsc-frequency" not in labels, "tsc label without tsc"
else:
    assert str(r["tsc"]["frequency"]) == labels[ns + "tsc-frequency"], "tsc"
PY
ok "$VIRTTYPE: --output json matches the labels"
echo "$checks checks passed"
