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

# The same lists as `kubectl get nodes -o yaml` prints them (key order kept).
for c in mixed-arch amd-pool kubevirt-scheme; do
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
