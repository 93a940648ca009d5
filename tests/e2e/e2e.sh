#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end cluster simulation: caps-probe on several simulated nodes
# (the real libvirt with the kvm and qemu virttypes, plus --from-dir
# fixtures of hosts this machine cannot be: SEV-SNP, TDX, s390x, aarch64),
# their feature files labelled as NFD labels nodes (tests/common/nfd-nodes.py),
# caps-aggregate over the node list, and the report checked field by field
# against what each node's own probe printed.
. "$(dirname "$0")/../common/lib.sh"
P=$CAPS_PROBE
A=$CAPS_AGGREGATE
D=$TEST_DATA_DIR
require_qemu_driver

mkdir "$TMP/features" "$TMP/expect"
specs=()
live() { # live NODE VIRTTYPE
	clone_root "$TMP/root-$1"
	mkdir "$TMP/features/$1"
	run 0 "$P" --once --state-dir "$TMP/root-$1" --virttype "$2" --features-dir "$TMP/features/$1" \
		--node-name "$1" --interval 10m
	run 0 "$P" --output json --state-dir "$TMP/root-$1" --virttype "$2" --node-name "$1"
	cp "$TMP/out" "$TMP/expect/$1.json"
	specs+=("$1=$TMP/features/$1:$(uname -m)")
}
fixture() { # fixture NODE CASE ARCH
	mkdir "$TMP/features/$1"
	run 0 "$P" --once --from-dir "$D/$2" --features-dir "$TMP/features/$1" --node-name "$1"
	run 0 "$P" --output json --from-dir "$D/$2" --node-name "$1"
	cp "$TMP/out" "$TMP/expect/$1.json"
	specs+=("$1=$TMP/features/$1:$3")
}

live node-qemu qemu
if kvm_usable; then
	live node-kvm kvm
	ok "probed two real hosts: qemu and kvm virttypes"
else
	ok "probed one real host (qemu virttype; /dev/kvm is not usable here, so no kvm node)"
fi
fixture node-sev amd-sev-snp x86_64
fixture node-tdx intel-tdx x86_64
fixture node-edge x86-usable-edge x86_64
fixture node-s390 s390x-pv s390x
fixture node-arm aarch64-no-host-model aarch64
specs+=("node-unprobed=$TMP/features/none:x86_64")
ok "probed 5 fixture hosts"

python3 "$TEST_SRC_DIR/common/nfd-nodes.py" "${specs[@]}" >"$TMP/nodes.json"
python3 "$TEST_SRC_DIR/common/nfd-nodes.py" --kind PartialObjectMetadataList "${specs[@]}" >"$TMP/meta.json"
run 0 "$A" -f "$TMP/nodes.json" -o json --quorum 50%
cp "$TMP/out" "$TMP/report.json"
run 0 "$A" -f "$TMP/meta.json" -o json --quorum 50%
cmp -s "$TMP/out" "$TMP/report.json" || fail "List and PartialObjectMetadataList reports differ"
ok "caps-aggregate read $(grep -c '"name"' "$TMP/nodes.json") nodes (List and PartialObjectMetadataList agree)"

python3 - "$TMP/report.json" "$TMP/expect" <<'PY' || fail "report does not match the probes"
import json, math, os, sys
report = json.load(open(sys.argv[1]))
expect = {f[:-5]: json.load(open(os.path.join(sys.argv[2], f))) for f in os.listdir(sys.argv[2])}
nodes = {n["node_name"]: n for n in report["nodes_caps"]}
assert sorted(nodes) == sorted(expect), (sorted(nodes), sorted(expect))
for name, want in expect.items():
    got = nodes[name]
    # caps-probe's report only: labels never carry them, so neither can
    # caps-aggregate's nodes_caps (pop fails if the probe left them out).
    for probe_only in ("blockers", "deprecated_models"):
        want.pop(probe_only)
    # caps-aggregate's only: where the node's data came from and whether
    # its CPU was emulated (pop fails if the report left them out).
    assert got.pop("source") == "nfd", name
    assert got.pop("emulated") == {"kvm": False, "qemu": True}[want["virttype"]], name
    for field in want:
        assert got[field] == want[field], f"{name}.{field}: {got[field]!r} != {want[field]!r}"
    assert got.keys() == want.keys(), name
c = report["cluster"]
assert c["nodes"] == len(expect) + 1 and c["probed"] == len(expect)
assert c["unprobed"] == ["node-unprobed"]
assert c["vendors"] == sorted({n["host_cpu_model"]["vendor"] for n in expect.values()} - {None})
archs = sorted({n["arch"] for n in expect.values()})
assert c["archs"] == archs
for arch in archs:
    members = [n for n in expect.values() if n["arch"] == arch]
    common = set(members[0]["supported_models"])
    for n in members[1:]:
        common &= set(n["supported_models"])
    assert report["global_caps"][arch] == sorted(common), arch
    need = math.ceil(len(members) * 50 / 100)
    assert report["quorum"]["nodes_needed"][arch] == need
    counts = {}
    for n in members:
        for m in n["supported_models"]:
            counts[m] = counts.get(m, 0) + 1
    assert report["quorum"]["models"][arch] == sorted(m for m, k in counts.items() if k >= need)
support = {m["model"]: m for m in report["model_support"]}
for model, entry in support.items():
    having = sorted(n for n, e in expect.items() if model in e["supported_models"])
    assert entry["nodes"] == having and entry["count"] == len(having), model
assert sorted(support) == sorted({m for e in expect.values() for m in e["supported_models"]})
assert any("mixed CPU vendors" in w for w in report["warnings"])
assert c["sources"] == {"nfd": len(expect), "kubevirt": 0}
accel = [n["virttype"] for n in expect.values()]
assert c["acceleration"] == {"kvm": accel.count("kvm"), "emulated": accel.count("qemu"), "unknown": 0}
tcg = [w for w in report["warnings"] if "software emulation (virttype qemu)" in w]
assert len(tcg) == (1 if "kvm" in accel else 0), tcg
PY
ok "every node's report equals its own probe's; global_caps, quorum and model_support recomputed"

# The table shows each probed node once.
run 0 "$A" -f "$TMP/nodes.json" -o table
for n in node-qemu node-sev node-tdx node-edge node-s390 node-arm; do
	grep -q "^$n " "$TMP/out" || fail "table lacks $n"
done
ok "table lists every probed node"
echo "$checks checks passed"
