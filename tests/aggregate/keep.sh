#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate --keep against the loopback fake API server's ConfigMaps
# (fake-apiserver.py --configmaps): the first run creates the ConfigMap,
# the next compares and updates it with the resourceVersion read, a lost
# model fails the run (exit 1) and is stored all the same, a conflict is
# read again once, a report too big for a ConfigMap and a 403 are clear
# errors with nothing printed; --keep file:PATH does the same in a file.
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/apilib.sh"
python3 -c 'import yaml' 2>/dev/null || skip "python3 has no yaml module"
trap 'stop; cleanup_tmp' EXIT
CM=caps-aggregate-report
export CONFIGMAPS=$TMP/configmaps.json
keep() { "$A" --kubeconfig "$TMP/kc" --keep "configmap/$CM" --keep-namespace virt-caps "$@"; }

# check.py OUT [lost|kept|first]: stdout is one valid YAML report whose
# trailing comments say the verdict, and the stored report is exactly it.
check() {
	python3 - "$TMP/out" "$CONFIGMAPS" "$1" <<'PY' || fail "check $1"
import json, sys, yaml
out, cms, want = sys.argv[1:]
text = open(out).read()
doc = yaml.safe_load(text)  # the whole log, comments included, is YAML
assert doc["cluster"]["nodes"] > 0 and "warnings" in doc, doc.keys()
report, _, comment = text.partition("\n# ")
comment = "# " + comment
report += "\n"
stored = json.load(open(cms))["virt-caps/caps-aggregate-report"]["data"]["report"]
assert stored == report, "the stored report is not the one printed"
assert all(l.startswith("#") for l in comment.splitlines()), comment
if want == "first":
    assert "no previous report" in comment, comment
elif want == "kept":
    assert "verdict: nothing usable was lost" in comment, comment
else:
    assert "verdict: something usable was lost" in comment, comment
PY
}
methods() { python3 -c 'import json,sys; print(" ".join(e["method"] for e in map(json.loads, open(sys.argv[1])) if "/configmaps" in e["path"]))' "$TMP/requests.log"; }

# 1. first run: no ConfigMap yet, created
start ok
kubeconfig "$TMP/kc" "    token: $TOKEN" # PORT is kept across restarts
run 0 keep
check first
[ "$(methods)" = "GET POST" ] || fail "first run: $(methods)"
[ ! -s "$TMP/err" ] || fail "first run wrote to stderr: $(cat "$TMP/err")"
ok "first run: ConfigMap created (GET 404, POST) with the printed report, log is YAML"

# 2. same nodes: compared, updated with the resourceVersion read
rv1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["virt-caps/'$CM'"]["metadata"]["resourceVersion"])' "$CONFIGMAPS")
start ok
run 0 keep
check kept
[ "$(methods)" = "GET PUT" ] || fail "second run: $(methods)"
grep -q '"method": "PUT"' "$TMP/requests.log" || fail "no PUT"
rv2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["virt-caps/'$CM'"]["metadata"]["resourceVersion"])' "$CONFIGMAPS")
[ "$rv2" -gt "$rv1" ] || fail "resourceVersion not advanced: $rv1 -> $rv2"
ok "second run: nothing lost, exit 0, ConfigMap updated ($rv1 -> $rv2)"

# 3. n1 loses the usable model EPYC-Genoa: exit 1, the loss named, stored anyway
python3 - "$NODES" "$TMP/lossy.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
labels = d["items"][0]["metadata"]["labels"]
del labels["libvirt.feature.node.kubernetes.io/cpu-model.EPYC-Genoa"]
json.dump(d, open(sys.argv[2], "w"))
PY
NODES=$TMP/lossy.json start ok
run 1 keep
check lost
grep -q '^#.*n1.*EPYC-Genoa' "$TMP/out" || fail "the comment does not name n1's lost EPYC-Genoa"
[ ! -s "$TMP/err" ] || fail "a loss wrote to stderr: $(cat "$TMP/err")"
python3 - "$CONFIGMAPS" <<'PY' || fail "the stored report still lists EPYC-Genoa for n1"
import json, sys, yaml
r = yaml.safe_load(json.load(open(sys.argv[1]))["virt-caps/caps-aggregate-report"]["data"]["report"])
n1 = [n for n in r["nodes_caps"] if n["node_name"] == "n1"][0]
assert "EPYC-Genoa" not in n1["supported_models"] and "EPYC-Milan" in n1["supported_models"]
PY
ok "a lost model: exit 1, named in the comments, new report stored"
run 0 keep
check kept
ok "the next run compares with the stored one: the loss alarms once"

# 4. a conflict (another writer between GET and PUT): read again, retried once
NODES=$TMP/lossy.json start cm-conflict-once
run 0 keep -v
check kept
[ "$(methods)" = "GET PUT GET PUT" ] || fail "conflict: $(methods)"
grep -q '409 Conflict.*reading it again' "$TMP/err" || fail "conflict not said at -v"
ok "409 Conflict: read again and stored on the second try"
NODES=$TMP/lossy.json start cm-conflict-always
cp "$CONFIGMAPS" "$TMP/before.json"
run 4 keep
[ ! -s "$TMP/out" ] || fail "a failed store printed a report"
one_line_error "configmap virt-caps/$CM: changed by someone else twice while this run stored its report (409 Conflict)"
ok "409 twice: exit 4, one line, no report printed"

# 5. RBAC: 403 names the verb, the identity and the Role
NODES=$TMP/lossy.json start cm-403
run 4 keep
[ ! -s "$TMP/out" ] || fail "403 printed a report"
one_line_error "configmap virt-caps/$CM: user 'tester' may not get it (403 Forbidden): it needs get and update on this one ConfigMap"
grep -qF 'cannot get resource \"configmaps\"' "$TMP/err" || grep -qF 'cannot get resource "configmaps"' "$TMP/err" || fail "403: the server's words not quoted"
ok "403: exit 4, one line naming user, verb and the Role needed"

# 6. a report over 1 MiB: refused before any write, pointing to the PVC overlay
python3 - "$NODES" "$TMP" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["items"][:2]:
    with open(f'{sys.argv[2]}/{n["metadata"]["name"]}.labels', "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in n["metadata"]["labels"].items())
PY
python3 "$TEST_SRC_DIR/../bench/gen-nodes.py" 1400 "$TMP/n1.labels" "$TMP/n2.labels" >"$TMP/big.json"
NODES=$TMP/big.json start ok
run 3 keep
[ ! -s "$TMP/out" ] || fail "a report too big printed"
one_line_error "does not fit in a ConfigMap (at most 1048576 bytes of data)"
grep -qF "manifests/aggregate-pvc, --keep file:PATH" "$TMP/err" || fail "too big: no pointer to the PVC overlay"
[ "$(methods)" = "" ] || fail "too big: ConfigMap calls made: $(methods)"
ok "report over 1 MiB: exit 3 before any ConfigMap call, names the PVC overlay"

# 7. the ConfigMap the manifest ships (no data): updated, not created
echo '{"other-ns/'$CM'": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "'$CM'", "namespace": "other-ns", "resourceVersion": "7"}}}' >"$CONFIGMAPS"
mkdir -p "$TMP/sa" && echo other-ns >"$TMP/sa/namespace"
start ok
VIRT_CAPS_SERVICEACCOUNT_DIR=$TMP/sa run 0 "$A" --kubeconfig "$TMP/kc" --keep "configmap/$CM"
grep -q '^# kept in configmap other-ns/'$CM': no previous report' "$TMP/out" || fail "empty ConfigMap: $(tail -2 "$TMP/out")"
[ "$(methods)" = "GET PUT" ] || fail "empty ConfigMap: $(methods)"
ok "the shipped empty ConfigMap is updated (GET PUT); namespace from the service account"

# 8. a kept report that is not a report: exit 3, nothing overwritten
echo '{"virt-caps/'$CM'": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "'$CM'", "namespace": "virt-caps", "resourceVersion": "7"}, "data": {"report": "[unclosed"}}}' >"$CONFIGMAPS"
start ok
run 3 keep
one_line_error "the previous report kept in configmap virt-caps/$CM (remove it to start again): invalid JSON"
[ "$(methods)" = "GET" ] || fail "unreadable previous: $(methods)"
ok "an unreadable kept report: exit 3, not overwritten"

# 9. --keep file:PATH (the PVC overlay)
stop
mkdir -p "$TMP/vol"
run 0 "$A" -f "$NODES" --keep "file:$TMP/vol/report.yaml"
grep -q '^# kept in file .*: no previous report' "$TMP/out" || fail "file: first"
run 1 "$A" -f "$TMP/lossy.json" --keep "file:$TMP/vol/report.yaml"
grep -q 'verdict: something usable was lost' "$TMP/out" || fail "file: loss"
sed '/^#/d' "$TMP/out" | cmp -s - "$TMP/vol/report.yaml" || fail "file: not stored"
run 0 "$A" -f "$TMP/lossy.json" --keep "file:$TMP/vol/report.yaml"
[ ! -e "$TMP/vol/report.yaml.tmp" ] || fail "file: temporary left behind"
run 5 "$A" -f "$NODES" --keep "file:$TMP/no-such-dir/report.yaml"
one_line_error "cannot store the report in $TMP/no-such-dir/report.yaml: No such file or directory"
[ ! -s "$TMP/out" ] || fail "file: a failed store printed"
ok "--keep file:PATH: first, loss (exit 1, stored), no loss, unwritable (exit 5)"

# 9b. a link planted at the temporary name: removed, its target untouched
echo "not yours" >"$TMP/victim"
ln -sf "$TMP/victim" "$TMP/vol/report.yaml.tmp"
run 0 "$A" -f "$TMP/lossy.json" --keep "file:$TMP/vol/report.yaml"
[ "$(cat "$TMP/victim")" = "not yours" ] || fail "file: the planted link's target was written"
[ ! -e "$TMP/vol/report.yaml.tmp" ] && [ ! -L "$TMP/vol/report.yaml.tmp" ] || fail "file: the link is left"
sed '/^#/d' "$TMP/out" | cmp -s - "$TMP/vol/report.yaml" || fail "file: not stored past the link"
ok "--keep file:PATH: a symlink at PATH.tmp is replaced, its target untouched"

# 10. usage
run 2 "$A" -f "$NODES" --keep secret/x
one_line_error "--keep takes configmap/NAME or file:PATH, not 'secret/x'"
run 2 "$A" -f "$NODES" --keep "file:$TMP/r" -o json
one_line_error "--keep prints YAML"
run 2 "$A" -f "$NODES" --keep "file:$TMP/r" --keep-namespace x
one_line_error "--keep-namespace goes with --keep=configmap/NAME"
ok "usage errors: bad --keep, -o json, --keep-namespace with a file"
run 2 "$A" -f "$NODES" --kubeconfig "$TMP/kc"
one_line_error "--kubeconfig is for the API; it cannot be used with -f"
run 2 "$A" -f "$NODES" --page-size 5 --keep "configmap/$CM"
one_line_error "--page-size is for the API; it cannot be used with -f"
ok "usage errors: -f with API options, --page-size even with --keep"

# 11. only data.report changes: other keys, binaryData, annotations and
# foreign labels of the ConfigMap read stay (the PUT carries them back)
echo '{}' >"$CONFIGMAPS"
start ok
run 0 keep
python3 - "$CONFIGMAPS" <<'PY'
import json, sys
cms = json.load(open(sys.argv[1]))
cm = cms["virt-caps/caps-aggregate-report"]
cm["data"]["notes"] = "kept by hand"
cm["binaryData"] = {"blob": "AAEC"}
cm["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{\"x\":1}"}
cm["metadata"]["labels"]["team"] = "infra"
json.dump(cms, open(sys.argv[1], "w"))
PY
start ok
run 1 keep -f "$TMP/lossy.json"
[ "$(methods)" = "GET PUT" ] || fail "keep others: $(methods)"
python3 - "$CONFIGMAPS" "$TMP/out" <<'PY' || fail "the PUT lost part of the ConfigMap"
import json, sys
cm = json.load(open(sys.argv[1]))["virt-caps/caps-aggregate-report"]
assert cm["data"]["notes"] == "kept by hand", cm["data"]
assert cm["binaryData"] == {"blob": "AAEC"}, cm
assert cm["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] == "{\"x\":1}"
assert cm["metadata"]["labels"]["team"] == "infra" and cm["metadata"]["labels"]["app.kubernetes.io/name"] == "caps-aggregate"
assert cm["data"]["report"] == open(sys.argv[2]).read().partition("\n# ")[0] + "\n"
PY
ok "-f with --kubeconfig and --keep configmap: only data.report updated, the rest kept"

# 12. someone else's ConfigMap of that name: refused, not taken over
echo '{"virt-caps/'$CM'": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "'$CM'", "namespace": "virt-caps", "resourceVersion": "3"}, "data": {"config.yaml": "a: b"}}}' >"$CONFIGMAPS"
cp "$CONFIGMAPS" "$TMP/before.json"
start ok
run 3 keep
one_line_error "ConfigMap virt-caps/$CM holds other data and no report: not ours; choose another name"
[ "$(methods)" = "GET" ] || fail "foreign ConfigMap: $(methods)"
cmp -s "$CONFIGMAPS" "$TMP/before.json" || fail "foreign ConfigMap changed"
[ ! -s "$TMP/out" ] || fail "foreign ConfigMap: a report printed"
echo '{"virt-caps/'$CM'": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "'$CM'", "namespace": "virt-caps", "resourceVersion": "3"}, "binaryData": {"k": "AA=="}}}' >"$CONFIGMAPS"
start ok
run 3 keep
one_line_error "holds other data and no report: not ours"
ok "a ConfigMap with other data (or binaryData) and no report: exit 3, untouched"

# 13. GET 404 then POST 403: the ConfigMap is missing, and the remedy
echo '{}' >"$CONFIGMAPS"
start cm-create-403
run 4 keep
one_line_error "configmap virt-caps/$CM: the ConfigMap does not exist and user 'tester' may not create it (403 Forbidden): re-apply manifests/aggregate, which ships it empty, or grant create"
[ "$(methods)" = "GET POST" ] || fail "create 403: $(methods)"
ok "POST 403 after GET 404: says the ConfigMap does not exist and how to fix it"

# 14. a 200 that is not JSON (a proxy's page)
start cm-get-html
run 4 keep
one_line_error "configmap virt-caps/$CM: the API server's answer (HTTP 200, Content-Type text/html) is not JSON"
ok "a non-JSON 200 on GET: says so, with its content type"

# 15. the log is one YAML document with stdout and stderr merged, also when
# the kubeconfig warns (tls-server-name); -v asks for the lines on stderr
kubeconfig "$TMP/kcw" "    token: $TOKEN" "    certificate-authority: $C/ca.crt
    tls-server-name: localhost"
start ok
set +e
"$A" --kubeconfig "$TMP/kcw" --keep "configmap/$CM" --keep-namespace virt-caps >"$TMP/merged" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || fail "merged: exit $rc: $(cat "$TMP/merged")"
python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["cluster"]["nodes"] > 0' "$TMP/merged" || fail "the merged log is not one YAML document"
run 0 "$A" --kubeconfig "$TMP/kcw" --keep "configmap/$CM" --keep-namespace virt-caps -v
grep -q 'tls-server-name is not supported' "$TMP/err" || fail "-v: the kubeconfig warning is not shown"
ok "--keep: stdout+stderr is one YAML document despite a warning; -v shows it"

# 16. a node still listed whose labels expired: a loss, not a removal
python3 - "$NODES" "$TMP/expired.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["items"][0]
n["metadata"]["labels"] = {k: v for k, v in n["metadata"]["labels"].items() if k.startswith("kubernetes.io/")}
json.dump(d, open(sys.argv[2], "w"))
PY
NODES=$TMP/expired.json start ok
run 1 keep
grep -q '^#   node n1: no longer probed (labels gone)' "$TMP/out" || fail "expired labels: $(grep '^#' "$TMP/out")"
grep -q '^#.*removed' "$TMP/out" && fail "expired labels reported as removed"
ok "a node whose labels expired: exit 1, 'no longer probed', not 'removed'"
