#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate against a loopback HTTPS server that answers as the
# Kubernetes API does (tests/aggregate/fake-apiserver.py), with a CA, server and
# client certificates made here by openssl: paging, selectors, the
# metadata-only Accept header, token / client-certificate / exec-plugin /
# in-cluster auth, 401, 403, 429, 500, truncated and garbage bodies,
# 410 Gone, resets, a server that never answers, TLS verification.
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/apilib.sh" # CA, server certificate, start/stop, kubeconfig
mkca rogue-ca
mkcert client ca "/O=system:masters/CN=caps-tester" "extendedKeyUsage=clientAuth"
ok "made a CA, server and client certificates"
trap 'stop; cleanup_tmp' EXIT
all_output=$TMP/all-output
note_output() { cat "$TMP/out" "$TMP/err" >>"$all_output"; }

# 1. token auth, paging with continue, metadata-only Accept, counts
start ok
kubeconfig "$TMP/kc-token" "    token: $TOKEN"
run 0 "$A" --kubeconfig "$TMP/kc-token" --page-size 2 -o json
note_output
python3 - "$TMP/out" "$TMP/requests.log" <<'PY' || fail "paged listing"
import json, sys
r = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(sys.argv[2])]
assert r["cluster"]["nodes"] == 6 and r["cluster"]["probed"] == 5, r["cluster"]
assert r["cluster"]["unprobed"] == ["n6"]
assert len(log) == 3, len(log)
assert all(e["query"]["limit"] == "2" for e in log)
assert "continue" not in log[0]["query"] and all("continue" in e["query"] for e in log[1:])
assert all("as=PartialObjectMetadataList;g=meta.k8s.io;v=v1" in e["accept"] for e in log)
assert all(e["auth"] == "bearer" for e in log)
assert log[0]["user_agent"].startswith("caps-aggregate/")
# one connection (one TLS handshake) for every page
assert len({e["client_port"] for e in log}) == 1, [e["client_port"] for e in log]
PY
ok "token auth: 3 pages of 2 with continue, metadata-only Accept, 6 nodes"
cp "$TMP/out" "$TMP/api-ok.json"

# 2. selector passed through to the API
run 0 "$A" --kubeconfig "$TMP/kc-token" -l 'kubernetes.io/hostname=n2' -o json
note_output
grep -q '"labelSelector": "kubernetes.io/hostname=n2"' "$TMP/requests.log" || fail "selector not sent"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [n["node_name"] for n in r["nodes_caps"]]==["n2"]' "$TMP/out" ||
	fail "selector not applied"
ok "label selector passed through"

# 3. the same report as from the file
run 0 "$A" --kubeconfig "$TMP/kc-token" --page-size 4
cp "$TMP/out" "$TMP/api.yaml"
run 0 "$A" -f "$NODES"
cmp -s "$TMP/out" "$TMP/api.yaml" || fail "API and -f reports differ"
ok "API listing gives the same report as -f on the same nodes"
run 0 "$A" --kubeconfig - --page-size 4 <"$TMP/kc-token"
cmp -s "$TMP/out" "$TMP/api.yaml" || fail "--kubeconfig - gives another report"
ok "--kubeconfig - reads the kubeconfig from standard input"

# 4. client certificate: files, then inline data with inline CA
kubeconfig "$TMP/kc-cert" "    client-certificate: $C/client.crt
    client-key: $C/client.key"
run 0 "$A" --kubeconfig "$TMP/kc-cert" -o json
grep -q '"auth": "client-certificate"' "$TMP/requests.log" || fail "no client certificate seen"
kubeconfig "$TMP/kc-inline" "    client-certificate-data: $(b64 "$C/client.crt")
    client-key-data: $(b64 "$C/client.key")" "    certificate-authority-data: $(b64 "$C/ca.crt")"
run 0 "$A" --kubeconfig "$TMP/kc-inline" -o table
ok "client certificate and key: files and inline data (inline CA too)"

# 5. exec credential plugin (client.authentication.k8s.io/v1)
cat >"$TMP/plugin.sh" <<PLUGIN
#!/bin/sh
case "\$KUBERNETES_EXEC_INFO" in *'"interactive":false'*) ;; *) exit 9 ;; esac
[ "\$VC_PLUGIN_ENV" = set-by-kubeconfig ] || exit 8
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$TOKEN"}}'
PLUGIN
chmod +x "$TMP/plugin.sh"
kubeconfig "$TMP/kc-exec" "    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./plugin.sh
      args: [--cluster, fake]
      env: [{name: VC_PLUGIN_ENV, value: set-by-kubeconfig}]
      interactiveMode: Never"
run 0 "$A" --kubeconfig "$TMP/kc-exec" -o json
note_output
grep -q '"auth": "bearer"' "$TMP/requests.log" || fail "plugin token not used"
ok "exec plugin (relative command, args, env, KUBERNETES_EXEC_INFO) supplies the token"
printf '#!/bin/sh\necho not-json\n' >"$TMP/plugin.sh"
run 3 "$A" --kubeconfig "$TMP/kc-exec"
note_output
one_line_error "returned no ExecCredential with a token or client certificate"
printf '#!/bin/sh\nexit 5\n' >"$TMP/plugin.sh"
run 3 "$A" --kubeconfig "$TMP/kc-exec"
one_line_error "exec credential plugin $TMP/plugin.sh failed (exit status 5)"
ok "failing exec plugins: one-line error, exit 3"

# 6. KUBECONFIG list merged as kubectl does; --context
cat >"$TMP/kc-a" <<KC
apiVersion: v1
kind: Config
current-context: from-b
users:
- name: tester
  user: {token: $TOKEN}
KC
cat >"$TMP/kc-b" <<KC
apiVersion: v1
kind: Config
current-context: ignored-later-file
contexts:
- {name: from-b, context: {cluster: fake, user: tester}}
- {name: other, context: {cluster: nowhere, user: tester}}
clusters:
- {name: fake, cluster: {server: "$URL", certificate-authority: $C/ca.crt}}
users:
- name: tester
  user: {token: wrong-token-from-later-file}
KC
: >"$TMP/empty-kc" # zero length: an empty config for client-go, skipped
run 0 env KUBECONFIG="$TMP/missing:$TMP/empty-kc:$TMP/kc-a:$TMP/kc-b" "$A" -o json
note_output
run 3 env KUBECONFIG="$TMP/kc-a:$TMP/kc-b" "$A" --context other
one_line_error "kubeconfig $TMP/kc-b: cluster 'nowhere' was not found for context 'other'"
run 3 env KUBECONFIG="$TMP/kc-a:$TMP/kc-b" "$A" --context nope
one_line_error "kubeconfig $TMP/kc-a (and the other \$KUBECONFIG files): context 'nope' not found"
ok "KUBECONFIG list: missing and empty files skipped, first file wins, current-context, --context"

# 6b. mistakes kubectl's validation refuses: never an anonymous request
: >"$TMP/requests.log"
sed 's/user: tester}/user: tesster}/' "$TMP/kc-b" >"$TMP/kc-typo"
run 3 "$A" --kubeconfig "$TMP/kc-typo" --context from-b
one_line_error "kubeconfig $TMP/kc-typo: user 'tesster' was not found for context 'from-b'"
kubeconfig "$TMP/kc-nocmd" "    exec: {apiVersion: client.authentication.k8s.io/v1, args: [x]}"
run 3 "$A" --kubeconfig "$TMP/kc-nocmd"
one_line_error "kubeconfig $TMP/kc-nocmd: user 'tester': exec needs a command"
[ "$(requests)" -eq 0 ] || fail "$(requests) requests sent"
ok "a context naming an unknown user, exec without command: exit 3 before any request"
kubeconfig "$TMP/kc-b64" "    client-certificate-data: '%%%'"
run 3 "$A" --kubeconfig "$TMP/kc-b64"
one_line_error "kubeconfig $TMP/kc-b64: user 'tester': client-certificate-data is not valid base64"
kubeconfig "$TMP/kc-b64" "    token: $TOKEN" "    certificate-authority-data: '%%%'"
run 3 "$A" --kubeconfig "$TMP/kc-b64"
one_line_error "kubeconfig $TMP/kc-b64: cluster 'fake': certificate-authority-data is not valid base64"
sed '/server:/d' "$TMP/kc-b64" >"$TMP/kc-noserver"
run 3 "$A" --kubeconfig "$TMP/kc-noserver"
one_line_error "kubeconfig $TMP/kc-noserver: cluster 'fake' of context 'test' has no server"
ok "bad base64, no server: the error names the kubeconfig file"

# 6c. a server URL with a password, a query or a fragment
for bad in "https://admin:hunter2@127.0.0.1:$PORT" "https://127.0.0.1:$PORT/?x=hunter2" \
	"https://127.0.0.1:$PORT/#hunter2" "https://admin:hunter2@[::1" \
	"https://127.0.0.1:$PORT#" "https://127.0.0.1:$PORT?" "ftp://127.0.0.1:$PORT"; do
	URL=$bad kubeconfig "$TMP/kc-server" "    token: $TOKEN"
	run 3 "$A" --kubeconfig "$TMP/kc-server"
	one_line_error "kubeconfig $TMP/kc-server: cluster 'fake': server '"
	if grep -q hunter2 "$TMP/err"; then fail "$bad: quoted: $(cat "$TMP/err")"; fi
done
[ "$(requests)" -eq 0 ] || fail "$(requests) requests sent"
ok "server URL with user:password@, ?query, #fragment (even empty), another scheme or bad syntax: exit 3, not quoted, no request"

# 6d. a server without a scheme: https when a CA is configured, as client-go
# decides (libcurl alone would guess http:// and send the token in clear)
URL=127.0.0.1:$PORT kubeconfig "$TMP/kc-noscheme" "    token: $TOKEN"
run 0 "$A" --kubeconfig "$TMP/kc-noscheme" -o json
note_output
if grep -q "clear text" "$TMP/err"; then fail "no scheme + CA: plain HTTP used"; fi
ok "server '127.0.0.1:PORT' with a CA: https, the listing works"
URL=127.0.0.1:1 kubeconfig "$TMP/kc-noscheme-http" "    token: $TOKEN" \
	"    insecure-skip-tls-verify: false"
run 4 "$A" --kubeconfig "$TMP/kc-noscheme-http" --retries 0
grep -q "http://127.0.0.1:1.*clear text" "$TMP/err" || fail "no scheme, no TLS: not warned as http: $(cat "$TMP/err")"
ok "server without a scheme and no TLS settings: http, with the plain-HTTP warning"

# 7. in-cluster service account (token is a JWT naming the account)
mkdir "$TMP/sa"
jwt_payload=$(printf '{"sub":"system:serviceaccount:virt-caps:caps-aggregate"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
printf '%s' "$TOKEN" >"$TMP/sa/token"
cp "$C/ca.crt" "$TMP/sa/ca.crt"
run 0 env -u KUBECONFIG HOME="$TMP/nohome" KUBERNETES_SERVICE_HOST=127.0.0.1 \
	KUBERNETES_SERVICE_PORT="$(cat "$TMP/port")" VIRT_CAPS_SERVICEACCOUNT_DIR="$TMP/sa" "$A" -o json
ok "in-cluster: service host/port, token and CA from the service account"
run 3 env -u KUBECONFIG -u KUBERNETES_SERVICE_HOST HOME="$TMP/nohome" "$A"
one_line_error "no kubeconfig found"
ok "no configuration at all: one-line error, exit 3"
run 3 "$A" --kubeconfig "$TMP/does-not-exist"
one_line_error "cannot read $TMP/does-not-exist"
kubeconfig "$TMP/kc-missing-ca" "    token: $TOKEN" "    certificate-authority: $TMP/no-ca.crt"
run 3 "$A" --kubeconfig "$TMP/kc-missing-ca"
one_line_error "cannot read certificate authority $TMP/no-ca.crt"
ok "kubeconfig or CA file missing: exit 3"
missing_file() { # missing_file USER-YAML MESSAGE
	kubeconfig "$TMP/kc-missing" "$1"
	run 3 "$A" --kubeconfig "$TMP/kc-missing"
	one_line_error "$2"
}
missing_file "    client-certificate: $TMP/no.crt
    client-key: $C/client.key" "$TMP/no.crt"
missing_file "    client-certificate: $C/client.crt
    client-key: $TMP/no.key" "$TMP/no.key"
missing_file "    tokenFile: $TMP/no-token" "$TMP/no-token"
ok "client certificate, key or token file missing: exit 3, one line naming the file"

# 8. refusals: 401 and 403 name the identity and the permission
start 401
run 4 "$A" --kubeconfig "$TMP/kc-token"
note_output
one_line_error "did not accept the credentials of user 'tester' (401 Unauthorized)"
[ "$(requests)" -eq 1 ] || fail "401 was retried"
start 403
printf 'x.%s.y' "$jwt_payload" >"$TMP/sa/token"
run 4 env -u KUBECONFIG HOME="$TMP/nohome" KUBERNETES_SERVICE_HOST=127.0.0.1 \
	KUBERNETES_SERVICE_PORT="$(cat "$TMP/port")" VIRT_CAPS_SERVICEACCOUNT_DIR="$TMP/sa" "$A"
one_line_error "user 'system:serviceaccount:virt-caps:caps-aggregate' may not list nodes"
grep -q 'cannot list resource \\"nodes\\"\|cannot list resource "nodes"' "$TMP/err" || fail "server's reason missing"
ok "401 and 403: one-line errors naming the user and 'list nodes', exit 4, no retry"
printf '%s' "$TOKEN" >"$TMP/sa/token"

# 9. transient failures are retried; the result is complete and not doubled
retried() { # retried SCENARIO EXPECTED_REQUESTS MESSAGE
	start "$1"
	run 0 "$A" --kubeconfig "$TMP/kc-token" --page-size 2 -o json
	note_output
	grep -q "retrying in\|listing again" "$TMP/err" || fail "$1: no retry reported"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["cluster"]["nodes"]==6, r["cluster"]' \
		"$TMP/out" || fail "$1: wrong node count after retry"
	[ "$(requests)" -eq "$2" ] || fail "$1: $(requests) requests, expected $2"
	ok "$1: $3"
}
retried 429-once 4 "429 then success (Retry-After honoured)"
retried 500-once 4 "500 then success"
retried truncated-once 4 "a truncated body is retried"
retried garbage-once 4 "an HTML body is retried"
retried reset-once 4 "a reset connection is retried"
retried gone-once 5 "410 Gone restarts the listing without duplicates"

start huge
run 0 "$A" --kubeconfig "$TMP/kc-token" --page-size 2 -o json
note_output
cmp -s "$TMP/out" "$TMP/api-ok.json" || fail "5,000 foreign labels per node changed the report"
ok "5,000 foreign labels and a 1 MiB annotation per node: the same report"

# A page with a token over the 4 MiB limit is the server's failure: each
# attempt stops there; the retries end with exit 4 and nothing printed.
start huge-token
run 4 "$A" --kubeconfig "$TMP/kc-token" --page-size 2 --retries 3
note_output
one_line_error "page 1 of $URL/api/v1/nodes: item 0 (node "
grep -q "item 0 (node [a-z0-9-]*): a JSON string longer than 4 MiB" "$TMP/err" ||
	fail "huge-token: the limit is not named: $(cat "$TMP/err")"
# Not retried: the server would send the same page again.
[ "$(requests)" -eq 1 ] || fail "huge-token: $(requests) requests, expected 1"
[ ! -s "$TMP/out" ] || fail "huge-token: partial report printed"
ok "a 5 MiB annotation in a page: refused at the limit at once, exit 4, one line"

start dup-node
run 4 "$A" --kubeconfig "$TMP/kc-token" --page-size 2
one_line_error "the API server listed node "
[ ! -s "$TMP/out" ] || fail "dup-node: a report was printed"
ok "a node listed twice by the server: exit 4, one line, no report"

for sc in reset-always gone-always; do
	start $sc
	run 4 "$A" --kubeconfig "$TMP/kc-token" --page-size 2 --retries 2
	note_output
	[ -z "$(cat "$TMP/out")" ] || fail "$sc: partial report printed"
	tail -1 "$TMP/err" | grep -q "failed\|in a row" ||
		fail "$sc: no final error: $(tail -1 "$TMP/err")"
	ok "$sc: exit 4 after $(requests) requests, nothing printed ($(tail -1 "$TMP/err" | cut -c1-70))"
done

start truncated-always
run 4 "$A" --kubeconfig "$TMP/kc-token" --retries 1
note_output
tail -1 "$TMP/err" | grep -q "failed after 2 attempts" || fail "no final error"
[ "$(requests)" -eq 2 ] || fail "expected 2 attempts"
ok "a body that is always truncated: exit 4 after the retries"
run 4 "$A" --kubeconfig "$TMP/kc-token" --retries 0
one_line_error "failed after 1 attempt: page 1:"

# A broken body: its reader's complaint is the reason of each retry's
# warning and of one final error; never an error line per attempt.
start trailing-always
run 4 "$A" --kubeconfig "$TMP/kc-token" --retries 2
note_output
[ "$(grep -c '^caps-aggregate: error:' "$TMP/err")" -eq 1 ] || fail "one error line expected: $(cat "$TMP/err")"
[ "$(grep -c '^caps-aggregate: warning: .*retrying' "$TMP/err")" -eq 2 ] || fail "two retry warnings expected: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 3 ] || fail "3 lines expected: $(cat "$TMP/err")"
tail -1 "$TMP/err" | grep -q "failed after 3 attempts: page 1 of $URL/api/v1/nodes: invalid JSON" ||
	fail "the reader's complaint is not the reason: $(tail -1 "$TMP/err")"
if grep -qF '\x0a' "$TMP/err"; then fail "a newline in a message: $(cat "$TMP/err")"; fi
[ "$(requests)" -eq 3 ] || fail "trailing-always: $(requests) requests, expected 3"
ok "a body with trailing garbage: a warning per retry, one final error naming the reader's complaint"
for sc in status-200 podlist; do
	start $sc
	run 4 "$A" --kubeconfig "$TMP/kc-token" --retries 2
	note_output
	one_line_error "page 1 of $URL/api/v1/nodes: "
	grep -q "not a Node\|kind is Status" "$TMP/err" || fail "$sc: kind not named: $(cat "$TMP/err")"
	[ "$(requests)" -eq 1 ] || fail "$sc: $(requests) requests, expected 1 (not retried)"
done
ok "a 200 body of another kind (Status, PodList): one line, exit 4, not retried"

start gone-first
run 4 "$A" --kubeconfig "$TMP/kc-token" --retries 2
note_output
one_line_error "listing nodes at $URL failed: HTTP 410: the resource is gone"
if grep -q "continue token" "$TMP/err"; then fail "410 on page 1 blamed on a continue token"; fi
[ "$(requests)" -eq 1 ] || fail "410 on page 1: $(requests) requests, expected 1"
ok "410 to the first request (no continue token sent): exit 4, one line, no restart; '1 attempt'"

start hang
t0=$(date +%s)
run 4 "$A" --kubeconfig "$TMP/kc-token" --request-timeout 1s --retries 1
[ $(($(date +%s) - t0)) -lt 20 ] || fail "timeout took too long"
tail -1 "$TMP/err" | grep -qi "timed out\|timeout" || fail "no timeout reason: $(tail -1 "$TMP/err")"
ok "a server that never answers: request timeout, exit 4"
stop

# 9b. the highest verbosity, for the secrets check at the end
cat >"$TMP/plugin.sh" <<PLUGIN
#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$TOKEN"}}'
PLUGIN
start ok
for kc in kc-token kc-exec kc-cert kc-inline; do
	run 0 "$A" -v -v --kubeconfig "$TMP/$kc" -o json
	note_output
done
has() { grep -qF -- "$1" "$TMP/err" || fail "-v: no '$1' in: $(cat "$TMP/err")"; }
run 0 "$A" -v --kubeconfig "$TMP/kc-token" --page-size 2 -o json
note_output
has "info: kubeconfig $TMP/kc-token: context 'test', server $URL, user 'tester'"
has "info: page 1: 2 nodes (2 so far)"
has "info: page 3: 2 nodes (6 so far)"
has "info: listed 6 nodes in 3 pages from $URL in "
if grep -q "debug:" "$TMP/err"; then fail "-v printed debug lines: $(cat "$TMP/err")"; fi
run 0 "$A" -v -v --kubeconfig "$TMP/kc-exec" --page-size 4 -o json
note_output
has "info: exec credential plugin $TMP/plugin.sh gave a token in "
has "debug: authenticating as user 'tester' with a bearer token from the exec credential plugin"
has "debug: trusting only the CA in $C/ca.crt"
has "debug: GET $URL/api/v1/nodes?limit=4"
has "debug: GET $URL/api/v1/nodes?limit=4&continue="
has "debug: page 2: HTTP 200, "
run 0 "$A" -v -f "$NODES" -o json
has "info: read $NODES: 6 nodes"
run 0 "$A" --kubeconfig "$TMP/kc-token" -o json
if grep -q "info:" "$TMP/err"; then fail "info lines without -v: $(cat "$TMP/err")"; fi
ok "-v says what is done (kubeconfig, context, server, user, plugin, pages, totals, -f inputs), -v -v adds detail"
start 401
run 4 "$A" -v -v --kubeconfig "$TMP/kc-token"
note_output
run 4 "$A" -v -v --kubeconfig "$TMP/kc-exec"
note_output
stop

# 10. TLS: a server certificate from another CA is refused at once
mkcert rogue rogue-ca /CN=rogue "subjectAltName=IP:127.0.0.1"
cp "$C/rogue.crt" "$C/server.crt"
cp "$C/rogue.key" "$C/server.key"
start ok
run 4 "$A" --kubeconfig "$TMP/kc-token"
one_line_error "cannot list nodes at $URL"
[ "$(requests)" -eq 0 ] || fail "request sent over an unverified connection"
ok "unverified server certificate: exit 4, nothing sent, no retry"
kubeconfig "$TMP/kc-insecure" "    token: $TOKEN" "    insecure-skip-tls-verify: true"
run 0 "$A" --kubeconfig "$TMP/kc-insecure" -o json
grep -q "insecure-skip-tls-verify is set" "$TMP/err" || fail "no warning for insecure-skip-tls-verify"
ok "insecure-skip-tls-verify only when the kubeconfig says so, with a warning"
note_output
stop

# 11. secrets never reach any output, the -v -v runs of 9b included
cat "$TMP/server.err" >>"$all_output" 2>/dev/null || true
if grep -qF "$TOKEN" "$all_output" "$TMP/requests.log"; then
	fail "the token appears in the output"
fi
key_line=$(sed -n 2p "$C/client.key")
b64_key=$(b64 "$C/client.key" | cut -c1-40)
if grep -qF -e "$key_line" -e "$b64_key" "$all_output"; then
	fail "the client key appears in the output"
fi
ok "neither the token nor the client key appears in any output, -v -v runs included ($(wc -l <"$all_output") lines checked)"
echo "$checks checks passed"
