#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every kustomization under manifests/ renders with kubectl kustomize (each
# kubectl in $VC_KUBECTLS, default the one on PATH; 1.21 or newer, for
# components: and patches:) without a warning, the NFD sidecar patch applies
# to a minimal nfd-worker DaemonSet (tests/deploy/manifests/nfd-worker), the
# components (kvm-group, tolerate-all) apply to both, and the rendered
# objects pass tests/deploy/manifests/check.py. The README's install
# commands name overlays that exist.
. "$(dirname "$0")/../common/lib.sh"

SRC=$TEST_SRC_DIR/..
CHECK=$TEST_SRC_DIR/deploy/manifests/check.py
read -r -a kubectls <<<"${VC_KUBECTLS:-kubectl}"
for k in "${kubectls[@]}"; do
	command -v "$k" >/dev/null || skip "no $k (scripts/install-deps --test installs Debian's kubernetes-client)"
done
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"

# kubectl 1.20 and older (kustomize 2.0/3.8) know neither components: nor
# patches: with a target; the current syntax is what every kubectl since
# 1.27 asks for.
usable=()
for k in "${kubectls[@]}"; do
	v=$("$k" version --client 2>/dev/null | grep -o 'v1\.[0-9]*' | head -1)
	[ -n "$v" ] || fail "$k version --client names no version"
	if [ "${v#v1.}" -ge 21 ]; then
		usable+=("$k")
	else
		echo "# $k is kubectl $v, older than 1.21: not used (no components:, no patches: targets)"
	fi
done
[ ${#usable[@]} -gt 0 ] ||
	skip "only kubectl older than 1.21 here (${kubectls[*]}); the manifests need kustomize 4 (kubectl 1.21+)"
kubectls=("${usable[@]}")

# No deprecated kustomize fields anywhere (kubectl 1.27+ warns on each).
if grep -nE '^(bases|patchesStrategicMerge|patchesJson6902|vars|commonLabels):' \
	"$SRC"/manifests/*/kustomization.yaml "$SRC"/manifests/components/*/kustomization.yaml >"$TMP/deprecated"; then
	fail "deprecated kustomize fields: $(cat "$TMP/deprecated")"
fi
ok "no bases:, patchesStrategicMerge:, patchesJson6902:, vars: or commonLabels: in manifests/"

# The sidecar overlay's base is NFD's release on GitHub; here it is the
# minimal stand-in, and nothing else of the overlay changes.
mkdir -p "$TMP/sidecar/overlay"
cp -r "$TEST_SRC_DIR/deploy/manifests/nfd-worker" "$TMP/sidecar/"
cp "$SRC"/manifests/nfd-sidecar/* "$TMP/sidecar/overlay/"
grep -q '^- github.com/kubernetes-sigs/node-feature-discovery/' "$TMP/sidecar/overlay/kustomization.yaml" ||
	fail "nfd-sidecar's base is not NFD's default overlay"
sed -i 's#^- github.com/kubernetes-sigs/node-feature-discovery/.*#- ../nfd-worker#' \
	"$TMP/sidecar/overlay/kustomization.yaml"

render() { # KUBECTL DIR OUT: renders, and says nothing on stderr (no warning)
	if ! "$1" kustomize "$2" >"$3" 2>"$TMP/kerr"; then
		cat "$TMP/kerr" >&2
		fail "$1 kustomize $2 failed"
	fi
	[ ! -s "$TMP/kerr" ] || fail "$1 kustomize $2 warns: $(cat "$TMP/kerr")"
}

# with_components DIR COMPONENT...: DIR's kustomization uses the components,
# as the README tells an operator to add them.
with_components() {
	local dir=$1
	shift
	echo "components:" >>"$dir/kustomization.yaml"
	for c in "$@"; do echo "- ../components/$c" >>"$dir/kustomization.yaml"; done
}

for k in "${kubectls[@]}"; do
	v=$("$k" version --client 2>/dev/null | grep -o 'v1\.[0-9]*' | head -1)
	for m in standalone aggregate aggregate-pvc examples namespace; do
		render "$k" "$SRC/manifests/$m" "$TMP/$m.yaml"
		ok "$m renders with kubectl $v"
	done
	render "$k" "$TMP/sidecar/overlay" "$TMP/sidecar.yaml"
	ok "nfd-sidecar patch applies to nfd-worker with kubectl $v"
	for m in standalone sidecar aggregate aggregate-pvc examples; do
		python3 "$CHECK" "$m" "$TMP/$m.yaml" >"$TMP/check.out" ||
			fail "$m rendered by kubectl $v: $(tail -1 "$TMP/check.out")"
		ok "$m: $(grep -c '^ok' "$TMP/check.out") checks of the rendered objects (kubectl $v)"
	done
	# The knobs. kvm-group as shipped holds a placeholder the checker (and
	# the API server) refuses; with a gid, exactly that gid is added.
	rm -rf "$TMP/knobs" && mkdir "$TMP/knobs"
	cp -r "$SRC/manifests" "$TMP/knobs/"
	cp -r "$TMP/sidecar/nfd-worker" "$TMP/knobs/"
	cp -r "$TMP/sidecar/overlay" "$TMP/knobs/manifests/nfd-sidecar-test"
	with_components "$TMP/knobs/manifests/standalone" kvm-group
	with_components "$TMP/knobs/manifests/nfd-sidecar-test" kvm-group
	sed -i 's#^- \.\./nfd-worker$#- ../../nfd-worker#' "$TMP/knobs/manifests/nfd-sidecar-test/kustomization.yaml"
	render "$k" "$TMP/knobs/manifests/standalone" "$TMP/kvm-unset.yaml"
	run 1 python3 "$CHECK" standalone "$TMP/kvm-unset.yaml" --supplemental-groups=993
	grep -q "supplementalGroups are numeric gids, not \['KVM_GID'\]" "$TMP/err" ||
		fail "the unedited kvm-group placeholder passed: $(cat "$TMP/err")"
	ok "kvm-group unedited: KVM_GID rendered and refused by the checker"
	sed -i 's/KVM_GID/993, 994/' "$TMP/knobs/manifests/components/kvm-group/supplemental-groups.yaml"
	render "$k" "$TMP/knobs/manifests/standalone" "$TMP/kvm-standalone.yaml"
	python3 "$CHECK" standalone "$TMP/kvm-standalone.yaml" --supplemental-groups=993,994 >"$TMP/check.out" ||
		fail "standalone with kvm-group: $(tail -1 "$TMP/check.out")"
	render "$k" "$TMP/knobs/manifests/nfd-sidecar-test" "$TMP/kvm-sidecar.yaml"
	python3 "$CHECK" sidecar "$TMP/kvm-sidecar.yaml" --supplemental-groups=993,994 >"$TMP/check.out" ||
		fail "sidecar with kvm-group: $(tail -1 "$TMP/check.out")"
	ok "kvm-group with gids 993, 994: standalone and sidecar pods get exactly those supplementalGroups (kubectl $v)"
	with_components "$TMP/knobs/manifests/standalone" tolerate-all
	sed -i '0,/^components:$/!{/^components:$/d}' "$TMP/knobs/manifests/standalone/kustomization.yaml"
	render "$k" "$TMP/knobs/manifests/standalone" "$TMP/tolerate-all.yaml"
	python3 "$CHECK" standalone "$TMP/tolerate-all.yaml" --supplemental-groups=993,994 --tolerate-all \
		>"$TMP/check.out" || fail "standalone with tolerate-all: $(tail -1 "$TMP/check.out")"
	run 1 python3 "$CHECK" standalone "$TMP/tolerate-all.yaml" --supplemental-groups=993,994
	grep -q 'DaemonSet/caps-probe: tolerations' "$TMP/err" || fail "tolerate-all not seen: $(cat "$TMP/err")"
	ok "tolerate-all adds a toleration of every taint to the default NoSchedule one (kubectl $v)"

	# Both renderings agree object for object.
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

# ... a probe container without its health probes, and a VM that starts.
edit() { # RENDERED -- python statement on each object d
	python3 - "$1" "$2" >"$TMP/bad.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    exec(sys.argv[2])
yaml.safe_dump_all(docs, sys.stdout)
PY
}
edit "$TMP/standalone.yaml" 'd.get("kind") == "DaemonSet" and d["spec"]["template"]["spec"]["containers"][0].pop("livenessProbe")'
run 1 python3 "$CHECK" standalone "$TMP/bad.yaml"
grep -q 'livenessProbe runs caps-probe --health=live' "$TMP/err" || fail "missing liveness probe not caught"
edit "$TMP/sidecar.yaml" '[c["readinessProbe"]["exec"]["command"].__setitem__(2, "--state-dir=/tmp")
 for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == "caps-probe"]'
run 1 python3 "$CHECK" sidecar "$TMP/bad.yaml"
grep -q 'readinessProbe runs caps-probe --health=ready' "$TMP/err" || fail "readiness on another state dir not caught"
ok "check.py rejects a probe container without liveness, or with readiness on another state directory"
edit "$TMP/standalone.yaml" 'd.get("kind") == "DaemonSet" and d["spec"]["template"]["spec"].pop("tolerations")'
run 1 python3 "$CHECK" standalone "$TMP/bad.yaml"
grep -q 'tolerations' "$TMP/err" || fail "missing tolerations not caught"
edit "$TMP/examples.yaml" 'd.get("kind") == "VirtualMachine" and d["spec"].update(runStrategy="Always")'
run 1 python3 "$CHECK" examples "$TMP/bad.yaml"
grep -q 'does not start by itself' "$TMP/err" || fail "a VM that starts was not caught"
ok "check.py rejects a DaemonSet without tolerations and an example VM with runStrategy Always"

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
