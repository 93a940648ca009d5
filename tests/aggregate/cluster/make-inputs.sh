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
