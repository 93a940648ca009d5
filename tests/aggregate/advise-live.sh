#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Live test of what-if and advise: caps-probe reports this machine (the
# virttype given: qemu, or kvm when /dev/kvm is usable; embedded driver), what-if adds that
# report to the amd-pool fixture cluster, and the result must equal what
# advise says of the same cluster labelled the NFD way (the machine's
# feature file plus the fixtures'), whose properties advise-check.py
# checks independently.
. "$(dirname "$0")/../common/lib.sh"
A=${CAPS_AGGREGATE:?}
P=$CAPS_PROBE
S=$TEST_SRC_DIR/aggregate
G=$TEST_SRC_DIR/probe/golden

require_qemu_driver
VIRTTYPE=${1:?virttype: qemu or kvm}
if [ "$VIRTTYPE" = kvm ] && ! kvm_usable; then
	skip "/dev/kvm is missing or not usable here; the kvm virttype cannot be probed"
fi
clone_root "$TMP/root"
export XDG_CACHE_HOME="$TMP/xdg"

run 0 "$P" -o json --state-dir "$TMP/root" --virttype "$VIRTTYPE" --node-name live-node
cp "$TMP/out" "$TMP/live.json"
mkdir "$TMP/live" "$TMP/a1" "$TMP/a2" "$TMP/a3"
run 0 "$P" --once --state-dir "$TMP/root" --virttype "$VIRTTYPE" --features-dir "$TMP/live"
run 0 "$P" --once --from-dir "$G/amd-sev-snp" --features-dir "$TMP/a1"
run 0 "$P" --once --from-dir "$G/amd-sev-snp" --features-dir "$TMP/a2" --feature-file other
run 0 "$P" --once --from-dir "$G/debian12-qemu-tcg-epyc" --features-dir "$TMP/a3"
python3 "$TEST_SRC_DIR/common/nfd-nodes.py" a1="$TMP/a1" a2="$TMP/a2" a3="$TMP/a3" \
	live-node="$TMP/live" >"$TMP/nodes.json"
ok "$VIRTTYPE: probed this machine (report and feature file)"

set +e
"$A" what-if -f "$S/cluster/amd-pool/nodes.json" "$TMP/live.json" -o json >"$TMP/whatif.json" 2>"$TMP/err"
wstatus=$?
"$A" advise -f "$TMP/nodes.json" -o json >"$TMP/advise.json" 2>"$TMP/err2"
astatus=$?
set -e
[ "$wstatus" -le 1 ] || fail "what-if: exit $wstatus: $(cat "$TMP/err")"
[ "$astatus" -le 1 ] || fail "advise: exit $astatus: $(cat "$TMP/err2")"
python3 "$S/advise-check.py" "$TMP/nodes.json" "$TMP/advise.json" || fail "advise-check.py"
ok "advise on the cluster with this machine: every property holds"

python3 - "$TMP/whatif.json" "$TMP/advise.json" "$wstatus" <<'PY' || fail "what-if and advise disagree"
import json, sys
w, a, status = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
leaving = any(v["leaving"] for v in w["global_caps"].values())
assert status == (1 if leaving else 0), (status, w["global_caps"])
key = lambda p: (p["arch"], p["vendor"], p["emulated"])
after = {key(p): p["after"] for p in w["pools"] if p["after"]}
now = {key(p): p for p in a["pools"]}
assert set(after) == set(now), (sorted(after), sorted(now))
for k, p in now.items():
    rec = p["recommendation"] or {"model": None, "extra_features": []}
    assert after[k]["model"] == rec["model"], (k, after[k], rec["model"])
    assert after[k]["extra_features"] == rec["extra_features"], k
    assert after[k]["nodes"] == len(p["nodes"]), k
assert w["added"] == ["live-node"]
PY
ok "$VIRTTYPE: what-if with this machine's report equals advise on the labelled cluster"
