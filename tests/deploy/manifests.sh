#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every kustomization under manifests/ renders with kubectl kustomize (each
# kubectl in $VC_KUBECTLS, default the one on PATH: Debian's kubectl 1.20 on
# a fresh machine), the NFD sidecar patch applies to a minimal nfd-worker
# DaemonSet (tests/deploy/manifests/nfd-worker), and the rendered objects pass
# tests/deploy/manifests/check.py. The README's install commands name overlays
# that exist.
. "$(dirname "$0")/../common/lib.sh"

SRC=$TEST_SRC_DIR/..
CHECK=$TEST_SRC_DIR/deploy/manifests/check.py
read -r -a kubectls <<<"${VC_KUBECTLS:-kubectl}"
for k in "${kubectls[@]}"; do
	command -v "$k" >/dev/null || skip "no $k (scripts/install-deps --test installs Debian's kubernetes-client)"
done
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"

# The sidecar overlay's base is NFD's release on GitHub; here it is the
# minimal stand-in, and nothing else of the overlay changes.
mkdir -p "$TMP/sidecar/overlay"
cp -r "$TEST_SRC_DIR/deploy/manifests/nfd-worker" "$TMP/sidecar/"
cp "$SRC"/manifests/nfd-sidecar/* "$TMP/sidecar/overlay/"
grep -q '^- github.com/kubernetes-sigs/node-feature-discovery/' "$TMP/sidecar/overlay/kustomization.yaml" ||
	fail "nfd-sidecar's base is not NFD's default overlay"
sed -i 's#^- github.com/kubernetes-sigs/node-feature-discovery/.*#- ../nfd-worker#' \
	"$TMP/sidecar/overlay/kustomization.yaml"

render() { # KUBECTL DIR OUT
	if ! "$1" kustomize "$2" >"$3" 2>"$TMP/kerr"; then
		cat "$TMP/kerr" >&2
		fail "$1 kustomize $2 failed"
	fi
}

for k in "${kubectls[@]}"; do
	v=$("$k" version --client 2>/dev/null | grep -o 'v1\.[0-9]*' | head -1)
	for m in standalone aggregate examples namespace; do
		render "$k" "$SRC/manifests/$m" "$TMP/$m.yaml"
		ok "$m renders with kubectl $v"
	done
	render "$k" "$TMP/sidecar/overlay" "$TMP/sidecar.yaml"
	ok "nfd-sidecar patch applies to nfd-worker with kubectl $v"
	for m in standalone sidecar aggregate examples; do
		python3 "$CHECK" "$m" "$TMP/$m.yaml" >"$TMP/check.out" ||
			fail "$m rendered by kubectl $v: $(tail -1 "$TMP/check.out")"
		ok "$m: $(grep -c '^ok' "$TMP/check.out") checks of the rendered objects (kubectl $v)"
	done
	# Both renderings agree object for object (kustomize 2.0 and newer).
	if [ -e "$TMP/first-standalone.yaml" ]; then
		for m in standalone sidecar aggregate examples; do
			cmp -s "$TMP/first-$m.yaml" "$TMP/$m.yaml" || fail "$m renders differently with kubectl $v"
		done
		ok "kubectl $v renders exactly what ${kubectls[0]} renders"
	else
		for m in standalone sidecar aggregate examples; do cp "$TMP/$m.yaml" "$TMP/first-$m.yaml"; done
	fi
done

# The checker itself catches a broken patch: a sidecar whose features.d
# mount is read-only, and an nfd-worker that got write access.
mutate() { # RENDERED CONTAINER -- python statement on mount m of features-d
	python3 - "$1" "$2" "$3" >"$TMP/bad.yaml" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
for c in d["spec"]["template"]["spec"]["containers"]:
    for m in c.get("volumeMounts", []):
        if c["name"] == sys.argv[2] and m["name"] == "features-d":
            exec(sys.argv[3])
yaml.safe_dump(d, sys.stdout)
PY
}
mutate "$TMP/sidecar.yaml" caps-probe 'm["readOnly"] = True'
run 1 python3 "$CHECK" sidecar "$TMP/bad.yaml"
grep -q 'features.d mounted read-write' "$TMP/err" || fail "bad sidecar not caught: $(cat "$TMP/err")"
ok "check.py rejects a read-only sidecar mount"
mutate "$TMP/sidecar.yaml" nfd-worker 'del m["readOnly"]'
run 1 python3 "$CHECK" sidecar "$TMP/bad.yaml"
grep -q 'nfd-worker: features-d stays read-only' "$TMP/err" || fail "writable nfd-worker not caught"
ok "check.py rejects an nfd-worker with write access"
python3 - "$TMP/aggregate.yaml" >"$TMP/bad.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    if d["kind"] == "ClusterRole":
        d["rules"][0]["verbs"].append("patch")
yaml.safe_dump_all(docs, sys.stdout)
PY
run 1 python3 "$CHECK" aggregate "$TMP/bad.yaml"
grep -q 'get and list nodes, nothing else' "$TMP/err" || fail "wider ClusterRole not caught"
ok "check.py rejects a ClusterRole that can patch nodes"

# The README's install commands use overlays that exist and render.
grep -o 'kubectl apply -k manifests/[a-z-]*' "$SRC/README.md" | sort -u >"$TMP/readme-cmds"
[ -s "$TMP/readme-cmds" ] || fail "README has no 'kubectl apply -k manifests/...' command"
while read -r _ _ _ dir; do
	[ -f "$SRC/$dir/kustomization.yaml" ] || fail "README names $dir, which has no kustomization.yaml"
	grep -q "kubectl apply -k $dir\$" "$SRC/$dir/kustomization.yaml" ||
		fail "$dir/kustomization.yaml does not document 'kubectl apply -k $dir'"
done <"$TMP/readme-cmds"
ok "README's install commands: $(wc -l <"$TMP/readme-cmds") overlays, each documented in its kustomization"
echo "$checks checks passed"
