#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate against hostile small documents and names: no secret in a
# parse error (kubeconfig, exec credential plugin output), YAML alias
# bombs, nesting past the depth limit (JSON and YAML, from files and from a
# plugin), control characters kept away from the terminal (-o table,
# diff -o text, usage errors), node names that are not Kubernetes node
# names refused (from a file and from the API server).
. "$(dirname "$0")/../common/lib.sh"
A=$CAPS_AGGREGATE
NODES="$TEST_SRC_DIR/aggregate/cluster/mixed-arch/nodes.json"
REPORT="$TEST_SRC_DIR/aggregate/diff/no-change/old.yaml"
# The token is made of letters no message of ours has two of in a row.
TOKEN=QXZWKVQXZWKVQXZWKVQXZWKVQXZWKVQXZW

no_token() { # the last run's stderr holds no piece of $TOKEN
	# not in $TMP's own name (mktemp's letters may pair up: vc-sh-WYK2KQ)
	if sed "s|$TMP||g" "$TMP/err" | grep -qE '[QXZWKV]{2}'; then
		cat "$TMP/err" >&2
		fail "stderr quotes the token"
	fi
}

# A kubeconfig whose user gets a token from the exec plugin $1. The server
# is never reached: the plugin runs first.
exec_kubeconfig() {
	cat >"$TMP/exec.kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: c
contexts:
- name: c
  context: {cluster: k, user: u}
clusters:
- name: k
  cluster: {server: "http://127.0.0.1:1"}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $1
      interactiveMode: Never
EOF
}

plugin() { # plugin NAME: a plugin script printing standard input's text
	cat >"$TMP/$1.txt"
	printf '#!/bin/sh\nexec cat "%s"\n' "$TMP/$1.txt" >"$TMP/$1"
	chmod +x "$TMP/$1"
	exec_kubeconfig "$TMP/$1"
}

# --- 1. no secret in a parse error ------------------------------------------
# yajl's verbose error quoted the first ~30 bytes, token included.
printf '{"users":[{"user":{"token":"%s"}}],"kind":"Config",x}' "$TOKEN" >"$TMP/kc.json"
run 3 "$A" --kubeconfig "$TMP/kc.json"
one_line_error "$TMP/kc.json: invalid JSON at line 1, byte"
no_token
ok "broken JSON kubeconfig: one line with the position, no token"

printf '{"status":{"token":"%s"},"kind":"ExecCredential"' "$TOKEN" | plugin broken-json
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "output of exec credential plugin $TMP/broken-json: invalid JSON at line 1, byte"
no_token
ok "broken ExecCredential (JSON) from a plugin: one line naming the plugin, with the position, no token"

printf 'kind: ExecCredential\nstatus:\n  token: "%s\n  x: [\n' "$TOKEN" | plugin broken-yaml
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "output of exec credential plugin $TMP/broken-yaml: invalid YAML at line"
no_token
ok "broken ExecCredential (YAML) from a plugin: one line with the position, no token"

# --- 2. YAML alias bombs ------------------------------------------------------
# A valid report plus 5 levels of aliases, each x10, over a 1000-byte
# string: 3 KB of text, 100 MB once expanded. Before, only nodes were
# counted (100,000 here, under the million allowed) and diff read it.
python3 - "$REPORT" "$TMP/bomb.yaml" <<'EOF'
import sys
text = open(sys.argv[1]).read()
bomb = ['x-a0: &a0 "' + 'b' * 1000 + '"']
for i in range(1, 6):
    bomb.append(f'x-a{i}: &a{i} [' + ', '.join([f'*a{i - 1}'] * 10) + ']')
open(sys.argv[2], 'w').write(text + '\n'.join(bomb) + '\n')
EOF
run 3 "$A" diff "$TMP/bomb.yaml" "$REPORT"
one_line_error "$TMP/bomb.yaml: invalid YAML at line"
grep -qE 'larger than [0-9]+ bytes once aliases are expanded \(the limit is twice the input plus 1 MiB\)' "$TMP/err" ||
	fail "the alias error does not name the limit: $(cat "$TMP/err")"
ok "YAML alias bomb: exit 3, one line naming the input and the limit"

# Anchors and aliases within the limit still work (kubeconfigs use them).
python3 - "$REPORT" "$TMP/aliases.yaml" <<'EOF'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], 'w').write(text + 'x-a: &a [1, 2, 3]\nx-b: [*a, *a]\n')
EOF
run 0 "$A" diff "$TMP/aliases.yaml" "$REPORT"
ok "a few aliases within the limit are read"

# --- 3. nesting past the depth limit -----------------------------------------
# 1 MB of balanced brackets: yajl_tree_free recursed through all of it.
python3 -c 'import sys; n = 500000; sys.stdout.write("[" * n + "]" * n)' >"$TMP/deep.json"
run 3 "$A" diff "$TMP/deep.json" "$REPORT"
one_line_error "$TMP/deep.json: invalid JSON at line 1, byte 65: nested deeper than 64 levels"
ok "1 MB of nested JSON lists to diff: exit 3, one line"

plugin deep-json <"$TMP/deep.json"
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "output of exec credential plugin $TMP/deep-json: invalid JSON at line 1, byte 65: nested deeper than 64 levels"
ok "1 MB of nested JSON lists from a plugin: exit 3, one line"

python3 -c 'import sys; n = 10000; sys.stdout.write("kind: x\nstatus: " + "[" * n + "]" * n + "\n")' |
	plugin deep-yaml
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "output of exec credential plugin $TMP/deep-yaml: invalid YAML at line 2, column 72: nested deeper than 64 levels"
ok "deeply nested YAML from a plugin: exit 3, one line"

# 70 levels under a key nobody reads: before, silently made null.
python3 - "$REPORT" "$TMP/deep.yaml" <<'EOF'
import sys
text = open(sys.argv[1]).read()
deep = ''.join('  ' * i + f'k{i}:\n' for i in range(70)) + '  ' * 70 + 'leaf\n'
open(sys.argv[2], 'w').write(text + deep)
EOF
run 3 "$A" diff "$TMP/deep.yaml" "$REPORT"
one_line_error "nested deeper than 64 levels"
ok "YAML report nested 70 levels deep: exit 3, not a silent null"

# --- 4. control characters in names ---------------------------------------------
EVIL=$'evil\e]0;owned\a\e[2J\r\x7f\xc2\x9b'
# no_controls FILE...: no C0 control but LF, no DEL, no C1 (UTF-8 or raw).
no_controls() {
	python3 - "$@" <<'EOF' || fail "control characters in $*"
import re, sys
for f in sys.argv[1:]:
    data = open(f, 'rb').read()
    m = re.search(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|(?<![\xc0-\xff])[\x80-\x9f]', data)
    if m:
        sys.exit(f'{f}: byte {m.start()}: {data[m.start():m.start() + 8]!r}')
EOF
}
python3 - "$NODES" "$TMP/evil.json" "$TMP/evil-arch.json" "$EVIL" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
evil = sys.argv[4].encode('utf-8', 'surrogateescape').decode()
name = d['items'][5]['metadata']['name']
d['items'][5]['metadata']['name'] = 'n6-' + evil  # an unprobed node
json.dump(d, open(sys.argv[2], 'w'))
d['items'][5]['metadata']['name'] = name
d['items'][0]['metadata']['labels']['libvirt.feature.node.kubernetes.io/arch'] = 'x86_64' + evil
json.dump(d, open(sys.argv[3], 'w'))
EOF
# No API server accepts such a node name: it is refused, and the refusal
# quotes it escaped, never raw.
run 3 "$A" -f "$TMP/evil.json" -o table
one_line_error "$TMP/evil.json: item 5: node name 'n6-evil\x1b]0;owned\x07\x1b[2J\x0d\x7f\xc2\x9b' is not a valid Kubernetes node name"
no_controls "$TMP/err"
[ ! -s "$TMP/out" ] || fail "a table despite the refused name"
ok "-o table: a node name with control characters is refused, quoted escaped"

# Label values still reach the table's run (here: its warning): kept inert.
run 0 "$A" -f "$TMP/evil-arch.json" -o table
no_controls "$TMP/out" "$TMP/err"
grep -qF 'x86_64evil\x1b]0;owned\x07\x1b[2J\x0d\x7f\xc2\x9b' "$TMP/err" ||
	fail "the odd arch warning does not show the escaped value: $(cat "$TMP/err")"
ok "-o table: control characters in an arch value escaped"

# Reports are another input (diff reads them, hand-edited or not): names
# with control characters reach diff -o text.
run 0 "$A" -f "$NODES" -o json
cp "$TMP/out" "$TMP/evil-report.json"

python3 - "$TMP/evil-report.json" "$TMP/evil2.json" "$EVIL" <<'EOF'
import json, sys
evil = sys.argv[3].encode('utf-8', 'surrogateescape').decode()
r = json.load(open(sys.argv[1]))
r['nodes_caps'][0]['host_cpu_model']['name'] = 'H' + evil
r['nodes_caps'][0]['supported_models'].append('M' + evil)
r['nodes_caps'][1]['node_name'] = 'n2-' + evil
r['global_caps']['arch-' + evil] = ['G' + evil]
json.dump(r, open(sys.argv[2], 'w'))
EOF
run 0 "$A" diff -o text "$TMP/evil-report.json" "$TMP/evil2.json"
no_controls "$TMP/out" "$TMP/err"
grep -qF 'global_caps (arch-evil\x1b]0;owned\x07' "$TMP/out" || fail "diff text: arch not escaped"
grep -qF 'host model EPYC-Genoa -> Hevil\x1b' "$TMP/out" || fail "diff text: host model not escaped"
ok "diff -o text: control characters in names, models and archs escaped"

# --- 5. node names no API server accepts ---------------------------------------
# One 1,000,000-character name among 300 nodes padded every -o table row
# to it: 302 MB of output from 1 MB of input. Names are DNS subdomains of
# at most 253 characters, as the API server enforces.
python3 - "$TMP/long.json" <<'EOF'
import json, sys
items = [{"metadata": {"name": f"n{i}", "labels": {
    "libvirt.feature.node.kubernetes.io/arch": "x86_64",
    "libvirt.feature.node.kubernetes.io/cpu-model.EPYC": "true"}}} for i in range(300)]
items[7]["metadata"]["name"] = "a" * 1000000
json.dump({"kind": "List", "items": items}, open(sys.argv[1], "w"))
EOF
run 3 "$A" -f "$TMP/long.json" -o table
one_line_error "$TMP/long.json: item 7: node name 'aaaa"
grep -qF "is 1000000 characters long; a Kubernetes node name has at most 253" "$TMP/err" ||
	fail "the refusal does not give the length and the limit: $(cat "$TMP/err")"
[ "$(wc -c <"$TMP/err")" -lt 300 ] || fail "the refusal quotes the whole name"
[ ! -s "$TMP/out" ] || fail "a table despite the refused name"
ok "-f: a 1,000,000-character node name is refused with one short line, exit 3"

printf 'kind: Node\nmetadata:\n  name: Worker_1\n' >"$TMP/upper.yaml"
run 3 "$A" -f "$TMP/upper.yaml"
one_line_error "$TMP/upper.yaml: the Node: node name 'Worker_1' is not a valid Kubernetes node name"
ok "-f (YAML): a node name with capitals and '_' is refused, exit 3"

# From the API server: final (exit 4), not retried: it would send the same.
if command -v openssl >/dev/null && python3 -c 'import ssl' 2>/dev/null; then
	. "$(dirname "$0")/apilib.sh"
	trap 'stop; cleanup_tmp' EXIT # a failed check must not leave the server running
	NODES=$TMP/long.json
	start ok
	kubeconfig_at "$TMP/api.kubeconfig" "$URL" "    certificate-authority-data: $(b64 "$C/ca.crt")"
	run 4 "$A" --kubeconfig "$TMP/api.kubeconfig"
	one_line_error "/api/v1/nodes: item 7: node name 'aaaa"
	[ "$(requests)" = 1 ] || fail "the page was read $(requests) times, expected once"
	stop
	ok "API: an invalid node name is refused once, exit 4, no retry"
else
	echo "# not checked: the API case needs openssl and python3's ssl module"
fi

# --- 6. exec credential plugins that cannot run ---------------------------------
# Before, all of these said "failed (exit status 127)", the child's own exit.
exec_kubeconfig vc-no-such-plugin
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "exec credential plugin vc-no-such-plugin was not found in PATH"
ok "a plugin command not in PATH: one line saying so, exit 3"
exec_kubeconfig "$TMP/missing-plugin"
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "exec credential plugin $TMP/missing-plugin does not exist"
printf '#!/bin/sh\nexit 0\n' >"$TMP/not-executable"
chmod 0644 "$TMP/not-executable"
exec_kubeconfig "$TMP/not-executable"
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "cannot run exec credential plugin $TMP/not-executable: Permission denied"
ok "a plugin path that does not exist or cannot be run: one line saying which, exit 3"

# A plugin without a #! line: glibc's execvp ran it with /bin/sh; kubectl
# (Go) fails with "exec format error". It must not run at all.
mkdir "$TMP/bin"
printf 'touch "%s"\necho "{\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"t\\"}}"\n' \
	"$TMP/shebangless-ran" >"$TMP/bin/vc-shebangless"
chmod +x "$TMP/bin/vc-shebangless"
for cmd in "$TMP/bin/vc-shebangless" vc-shebangless; do
	exec_kubeconfig "$cmd"
	run 3 env PATH="$TMP/bin:$PATH" "$A" --kubeconfig "$TMP/exec.kubeconfig"
	one_line_error "cannot run exec credential plugin $cmd: exec format error"
	[ ! -e "$TMP/shebangless-ran" ] || fail "$cmd without #! was run by a shell"
done
ok "a plugin without #! (by path and in PATH): exec format error, exit 3, never run by /bin/sh"

# PATH is searched as Go's exec.LookPath searches it: the first executable
# file wins (a directory or non-executable file of that name is skipped),
# and one found only relative to the working directory (an empty PATH
# entry) is refused.
mkdir -p "$TMP/p1/vc-plug" "$TMP/p2" "$TMP/p3"
printf '#!/bin/sh\nexit 5\n' >"$TMP/p2/vc-plug"
printf '#!/bin/sh\nexit 6\n' >"$TMP/p3/vc-plug"
chmod +x "$TMP/p3/vc-plug"
exec_kubeconfig vc-plug
run 3 env PATH="$TMP/p1:$TMP/p2:$TMP/p3" "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "exec credential plugin vc-plug failed (exit status 6)"
(cd "$TMP/p3" && run 3 env PATH=":$TMP/p1" "$A" --kubeconfig "$TMP/exec.kubeconfig")
one_line_error "exec credential plugin vc-plug was found only relative to the working directory"
ok "PATH lookup as Go's: directories and non-executables skipped, a match relative to the working directory refused"

# A command relative to the kubeconfig's directory is shown as written
# (it was ././plug.sh with the kubeconfig in the working directory).
mkdir "$TMP/cwd"
printf '#!/bin/sh\nexit 7\n' >"$TMP/cwd/plug.sh"
chmod +x "$TMP/cwd/plug.sh"
exec_kubeconfig ./plug.sh
cp "$TMP/exec.kubeconfig" "$TMP/cwd/kc"
(cd "$TMP/cwd" && run 3 "$A" --kubeconfig kc)
one_line_error "exec credential plugin ./plug.sh failed (exit status 7)"
(cd "$TMP" && run 3 "$A" --kubeconfig cwd/kc)
one_line_error "exec credential plugin cwd/plug.sh failed (exit status 7)"
ok "a relative plugin command is shown without a doubled ./"

# A -f file may carry label keys the API server would never admit: a model
# name with shell syntax or ESC must not reach advise's kubectl snippet or
# a terminal. Such a label is skipped with a warning (escaped); the rest
# of the node is used.
python3 - "$TEST_SRC_DIR/aggregate/cluster/amd-pool/nodes.json" "$TMP/evil-keys.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["items"] = d["items"][:2]
ns = "libvirt.feature.node.kubernetes.io/"
for it in d["items"]:
    labels = it["metadata"]["labels"]
    for k in [k for k in labels if "/cpu-model." in k]:
        del labels[k]
    labels[ns + "cpu-model.X'$(touch PWNED)'"] = "true"
    labels[ns + "cpu-model.Esc\x1b[2J"] = "true"
    labels[ns + "cpu-model.EPYC"] = "true"
    labels[ns + "cpu-feature.bad;feature"] = "true"
json.dump(d, open(sys.argv[2], "w"))
PY
(cd "$TMP" && run 0 "$A" advise -f "$TMP/evil-keys.json" --cpu-map "$TEST_SRC_DIR/aggregate/cpumap-libvirt9")
[ ! -e "$TMP/PWNED" ] || fail "a label key ran a command"
grep -q "recommended: EPYC$" "$TMP/out" || fail "advise without the odd keys: $(cat "$TMP/out")"
! grep -q -e "PWNED" -e "Esc" -e "bad;feature" "$TMP/out" || fail "an odd key reached advise's output: $(cat "$TMP/out")"
grep -q "skipping label 'libvirt.feature.node.kubernetes.io/cpu-model.Esc\\\\x1b\[2J=true'" "$TMP/err" ||
	fail "no escaped warning for the ESC key: $(cat "$TMP/err")"
grep -q "cpu-model.X'\$(touch PWNED)'=true': name part" "$TMP/err" || fail "no warning for the shell key: $(cat "$TMP/err")"
ok "label keys with invalid name parts (shell syntax, ESC) are skipped with an escaped warning, never printed by advise"
