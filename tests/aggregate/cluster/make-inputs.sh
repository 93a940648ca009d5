#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Rebuild the nodes.json (and nodes.yaml) inputs of the cluster golden cases from the host
# fixtures in tests/probe/golden: caps-probe --from-dir writes each node's feature
# files, tests/common/nfd-nodes.py labels the nodes as NFD would.
#   tests/aggregate/cluster/make-inputs.sh build/caps-probe
set -euo pipefail
P=$(realpath "${1:?path to caps-probe}")
cd "$(dirname "$0")"
D=../../probe/golden
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

probe() { # probe NODE CASE [caps-probe args...]
	local node=$1 case=$2
	shift 2
	mkdir -p "$W/$node"
	"$P" -q --once --from-dir "$D/$case" --features-dir "$W/$node" "$@"
}

probe n1 amd-sev-snp
probe n2 intel-tdx
probe n3 x86-usable-edge
probe n4 debian12-qemu-tcg-epyc
probe n5 s390x-pv
python3 ../../common/nfd-nodes.py n1="$W/n1" n2="$W/n2" n3="$W/n3" n4="$W/n4" n5="$W/n5:s390x" \
	n6="$W/none" >mixed-arch/nodes.json

probe a1 amd-sev-snp
probe a2 amd-sev-snp --feature-file other
probe a3 debian12-qemu-tcg-epyc
python3 ../../common/nfd-nodes.py a1="$W/a1" a2="$W/a2" a3="$W/a3" >amd-pool/nodes.json

# KubeVirt's own labels; k3 has both schemes (ours win); k4 has odd values.
probe k1 intel-tdx --label-scheme kubevirt
probe k2 x86-usable-edge --label-scheme kubevirt
probe k3 intel-tdx --label-scheme kubevirt
probe k3 amd-sev-snp --feature-file virt-caps-nfd
probe k4 amd-sev-snp
cat >"$W/k4/zz-odd" <<'ODD'
libvirt.feature.node.kubernetes.io/cpu-model.Penryn=false
libvirt.feature.node.kubernetes.io/tsc-frequency=fast
libvirt.feature.node.kubernetes.io/cpu-vendor=
ODD
python3 ../../common/nfd-nodes.py --kind PartialObjectMetadataList k1="$W/k1" k2="$W/k2" k3="$W/k3" \
	k4="$W/k4" >kubevirt-scheme/nodes.json

# Both schemes on one node: s1 the same host in both (no warning), s2
# another host in each (host model differs), s3 the same host plus one
# machine type only KubeVirt's labels name (lists differ). s4 has no
# usable model; s5 and s6 are software-emulated (virttype qemu) next to
# the kvm nodes.
probe s1 intel-tdx --label-scheme kubevirt
probe s1 intel-tdx --feature-file virt-caps-nfd
probe s2 intel-tdx --label-scheme kubevirt
probe s2 amd-sev-snp --feature-file virt-caps-nfd
probe s3 amd-sev-snp --label-scheme kubevirt
probe s3 amd-sev-snp --feature-file virt-caps-nfd
echo "machine-type.node.kubevirt.io/pc-q35-rhel8.6.0=true" >"$W/s3/zz-extra"
probe s4 debian12-kvm-epyc-milan
probe s5 debian12-qemu-tcg-epyc
probe s6 x86-empty-vendor-sev-only
python3 ../../common/nfd-nodes.py s1="$W/s1" s2="$W/s2" s3="$W/s3" s4="$W/s4" s5="$W/s5" \
	s6="$W/s6" >both-schemes/nodes.json

# --label-namespace candidate...: only that namespace counts. c1 has it,
# ours and KubeVirt's (another host: no warning, a candidate differs on
# purpose); c2 and c3 only KubeVirt's (unread, one warning); c4 only the
# default namespace (unprobed); c1 and c5 are both virttype qemu, with
# no kvm node (no emulation warning).
CAND=candidate.libvirt.feature.node.kubernetes.io
probe c1 debian12-qemu-tcg-epyc --label-namespace $CAND --feature-file virt-caps-candidate
probe c1 amd-sev-snp
probe c1 intel-tdx --label-scheme kubevirt --feature-file virt-caps-kubevirt
probe c2 intel-tdx --label-scheme kubevirt
probe c3 x86-usable-edge --label-scheme kubevirt
probe c4 amd-sev-snp
probe c5 x86-empty-vendor-sev-only --label-namespace $CAND
python3 ../../common/nfd-nodes.py c1="$W/c1" c2="$W/c2" c3="$W/c3" c4="$W/c4" c5="$W/c5" \
	>explicit-namespace/nodes.json

# m1 and m2 have no usable model (this machine's kvm host: its models
# are all on KubeVirt's obsolete list), m3 has some.
probe m1 debian12-kvm-epyc-milan
probe m2 debian12-kvm-epyc-milan
probe m3 amd-sev-snp
python3 ../../common/nfd-nodes.py m1="$W/m1" m2="$W/m2" m3="$W/m3" >no-model/nodes.json

# The same lists as `kubectl get nodes -o yaml` prints them (key order kept).
for c in mixed-arch amd-pool kubevirt-scheme both-schemes explicit-namespace no-model; do
	python3 -c 'import json, sys, yaml
yaml.safe_dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), allow_unicode=True, sort_keys=False)' \
		"$c/nodes.json" "$c/nodes.yaml"
done

# diff cases: reports of small clusters before and after a change.
A=$(realpath ../../build/caps-aggregate 2>/dev/null || true)
[ -x "$A" ] || A=$(dirname "$P")/caps-aggregate
mkdir -p ../diff/host-change ../diff/gain-only ../diff/no-change ../diff/not-a-report
probe b3 intel-tdx
python3 ../../common/nfd-nodes.py a1="$W/a1" a2="$W/a2" a3="$W/b3" >"$W/after.json"
"$A" -q -f amd-pool/nodes.json >../diff/host-change/old.yaml
"$A" -q -f "$W/after.json" -o json >../diff/host-change/new.json
python3 ../../common/nfd-nodes.py a1="$W/a1" a2="$W/a2" >"$W/two.json"
"$A" -q -f amd-pool/nodes.json -o json >../diff/gain-only/old.json
"$A" -q -f "$W/two.json" >../diff/gain-only/new.yaml
"$A" -q -f amd-pool/nodes.json >../diff/no-change/old.yaml
"$A" -q -f amd-pool/nodes.json -o json >../diff/no-change/new.json
cp amd-pool/nodes.json ../diff/not-a-report/old.json
"$A" -q -f amd-pool/nodes.json >../diff/not-a-report/new.yaml
mkdir -p ../diff/global-loss
cp ../diff/gain-only/new.yaml ../diff/global-loss/old.yaml
cp ../diff/gain-only/old.json ../diff/global-loss/new.json

# explain: every node status over real hosts. x1 and x2 are EPYC-Genoa hosts
# (x2's libvirt 10 printed <blockers>), x4 a Milan host whose usable models
# are all obsolete, x6 the TCG host as an older labeller labels it (no
# cpu-model-migration labels), x7 unprobed, x8 an s390x host (no CPU map).
mkdir -p ../explain
probe x1 amd-sev-snp
probe x2 x86-libvirt10-blockers
probe x3 intel-tdx
probe x4 debian12-kvm-epyc-milan
probe x5 debian12-qemu-tcg-epyc
probe x6 debian12-qemu-tcg-epyc
sed -i '/cpu-model-migration\./d' "$W/x6/virt-caps"
probe x8 s390x-pv
python3 ../../common/nfd-nodes.py x1="$W/x1" x2="$W/x2" x3="$W/x3" x4="$W/x4" x5="$W/x5" \
	x6="$W/x6" x7="$W/none" x8="$W/x8:s390x" >../explain/nodes.json

# An older report: no virttype, vendor, source or emulated per node (and
# no sources or acceleration counts): unknown, so no vendor or virttype
# change is reported against the new one, only the host model's.
mkdir -p ../diff/old-report
python3 -c 'import sys, yaml
r = yaml.safe_load(open(sys.argv[1]))
for k in ("sources", "acceleration"):
    del r["cluster"][k]
for n in r["nodes_caps"]:
    for k in ("virttype", "source", "emulated"):
        del n[k]
    del n["host_cpu_model"]["vendor"]
yaml.safe_dump(r, open(sys.argv[2], "w"), sort_keys=False)' ../diff/host-change/old.yaml ../diff/old-report/old.yaml
cp ../diff/host-change/new.json ../diff/old-report/new.json

# advise: an AMD KVM pool where one node (this machine's KVM capture: every
# usable model is obsolete) has no model, next to hosts with blockers.
mkdir -p ../advise/inputs
probe c1 amd-sev-snp
probe c2 x86-libvirt10-blockers
probe c3 debian12-kvm-epyc-milan
probe c4 debian12-qemu-tcg-epyc
python3 ../../common/nfd-nodes.py c1="$W/c1" c2="$W/c2" c3="$W/c3" c4="$W/c4" >../advise/inputs/no-common.json

# what-if: node reports as caps-probe -o prints them.
"$P" -q --from-dir "$D/intel-tdx" --node-name w-intel -o yaml >../advise/inputs/w-intel.yaml
"$P" -q --from-dir "$D/debian12-kvm-epyc-milan" --node-name a3 -o json >../advise/inputs/a3-milan.json
"$P" -q --from-dir "$D/x86-libvirt10-blockers" --node-name a1 -o yaml >../advise/inputs/a1-blockers.yaml

# advise pools by acceleration: amd-pool with a1 and a2 unlabelled
# (accel-unknown), or a1 unlabelled and a2 virttype hvf (accel-mixed).
python3 - amd-pool/nodes.json ../advise/inputs <<'PY'
import json, sys
K = "libvirt.feature.node.kubernetes.io/virttype"
for name, vt in (("accel-unknown", {"a1": None, "a2": None}),
                 ("accel-mixed", {"a1": None, "a2": "hvf"})):
    d = json.load(open(sys.argv[1]))
    for i in d["items"]:
        labels = i["metadata"]["labels"]
        if i["metadata"]["name"] in vt:
            if vt[i["metadata"]["name"]] is None:
                del labels[K]
            else:
                labels[K] = vt[i["metadata"]["name"]]
    json.dump(d, open(f"{sys.argv[2]}/{name}.json", "w"), indent=1)
PY
