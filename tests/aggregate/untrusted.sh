#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate against hostile small documents and names: no secret in a
# parse error (kubeconfig, exec credential plugin output), YAML alias
# bombs, nesting past the depth limit (JSON and YAML, from files and from a
# plugin), and control characters in names kept away from the terminal
# (-o table, diff -o text) but kept exactly in JSON and YAML.
. "$(dirname "$0")/../common/lib.sh"
A=$CAPS_AGGREGATE
NODES="$TEST_SRC_DIR/aggregate/cluster/mixed-arch/nodes.json"
REPORT="$TEST_SRC_DIR/aggregate/diff/no-change/old.yaml"
# The token is made of letters no message of ours has two of in a row.
TOKEN=QXZWKVQXZWKVQXZWKVQXZWKVQXZWKVQXZW

no_token() { # the last run's stderr holds no piece of $TOKEN
	if grep -qE '[QXZWKV]{2}' "$TMP/err"; then
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
one_line_error "exec credential plugin output: invalid JSON at line 1, byte"
no_token
ok "broken ExecCredential (JSON) from a plugin: one line with the position, no token"

printf 'kind: ExecCredential\nstatus:\n  token: "%s\n  x: [\n' "$TOKEN" | plugin broken-yaml
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "exec credential plugin output: invalid YAML at line"
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
one_line_error "exec credential plugin output: invalid JSON at line 1, byte 65: nested deeper than 64 levels"
ok "1 MB of nested JSON lists from a plugin: exit 3, one line"

python3 -c 'import sys; n = 10000; sys.stdout.write("kind: x\nstatus: " + "[" * n + "]" * n + "\n")' |
	plugin deep-yaml
run 3 "$A" --kubeconfig "$TMP/exec.kubeconfig"
one_line_error "exec credential plugin output: invalid YAML at line 2, column 72: nested deeper than 64 levels"
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
python3 - "$NODES" "$TMP/evil.json" "$EVIL" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
evil = sys.argv[3].encode('utf-8', 'surrogateescape').decode()
d['items'][0]['metadata']['name'] = 'n1-' + evil
d['items'][5]['metadata']['name'] = 'n6-' + evil  # unprobed: listed apart
d['items'][0]['metadata']['labels']['libvirt.feature.node.kubernetes.io/arch'] = 'x86_64' + evil
json.dump(d, open(sys.argv[2], 'w'))
EOF
run 0 "$A" -f "$TMP/evil.json" -o table
no_controls "$TMP/out" "$TMP/err"
grep -qF 'n1-evil\x1b]0;owned\x07\x1b[2J\x0d\x7f\xc2\x9b' "$TMP/out" || fail "the table does not show the escaped name"
grep -qF 'n6-evil\x1b' "$TMP/out" || fail "the unprobed list does not show the escaped name"
ok "-o table: control characters in node names and arch values escaped"

run 0 "$A" -f "$TMP/evil.json" -o json
cp "$TMP/out" "$TMP/evil-report.json"
run 0 "$A" -f "$TMP/evil.json" -o yaml
cp "$TMP/out" "$TMP/evil-report.yaml"
python3 - "$TMP/evil-report.json" "$TMP/evil-report.yaml" "$EVIL" <<'EOF' || fail "JSON/YAML lost the name"
import json, sys
evil = sys.argv[3].encode('utf-8', 'surrogateescape').decode()
names = [n['node_name'] for n in json.load(open(sys.argv[1]))['nodes_caps']]
assert 'n1-' + evil in names, names
try:
    import yaml
except ImportError:
    sys.exit(0)
names = [n['node_name'] for n in yaml.safe_load(open(sys.argv[2]))['nodes_caps']]
assert 'n1-' + evil in names, names
EOF
# Our own reader agrees: the two reports are the same report.
run 0 "$A" diff "$TMP/evil-report.json" "$TMP/evil-report.yaml"
grep -qx 'no differences' "$TMP/out" || fail "JSON and YAML reports differ"
ok "-o json and -o yaml keep the name exactly (read back by python and by diff)"

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
