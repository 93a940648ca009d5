# SPDX-License-Identifier: Apache-2.0
# Shared by the API transport tests (tls.sh, proxy.sh, limits.sh): a CA and
# certificates made by openssl, the loopback fake API server
# (fake-apiserver.py) and kubeconfigs naming it. Source after lib.sh.
A=$CAPS_AGGREGATE
command -v openssl >/dev/null || skip "openssl is not installed"
python3 -c 'import ssl' 2>/dev/null || skip "python3 has no ssl module"
TOKEN=${TOKEN:-"vc-test-token-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')"}
NODES="$TEST_SRC_DIR/aggregate/cluster/mixed-arch/nodes.json"
C=${C:-$TMP/certs} # credentials.sh puts them where another uid can read
mkdir -p "$C"

mkca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-keyout "$C/$1.key" -out "$C/$1.crt" 2>/dev/null
}
mkcert() { # mkcert NAME CA SUBJECT EXT
	openssl req -newkey rsa:2048 -nodes -subj "$3" -keyout "$C/$1.key" -out "$C/$1.csr" 2>/dev/null
	printf '%s\n' "$4" >"$C/$1.ext"
	openssl x509 -req -in "$C/$1.csr" -CA "$C/$2.crt" -CAkey "$C/$2.key" -CAcreateserial \
		-days 2 -extfile "$C/$1.ext" -out "$C/$1.crt" 2>/dev/null
}
mkca ca
mkcert server ca /CN=kube-apiserver "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kube.test"

server_pid=
# start SCENARIO [CERT-NAME] [--plain]: the fake server with $C/CERT-NAME.crt
# (default server); sets PORT and URL.
start() {
	local cert=${2:-server}
	stop
	rm -f "$TMP/port" "$TMP/requests.log"
	touch "$TMP/requests.log"
	python3 "$TEST_SRC_DIR/aggregate/fake-apiserver.py" --nodes "$NODES" --cert "$C/$cert.crt" \
		--key "$C/$cert.key" --client-ca "$C/ca.crt" --token "$TOKEN" --scenario "$1" \
		--log "$TMP/requests.log" --port-file "$TMP/port" --port "${PORT:-0}" ${3:-} \
		${CONFIGMAPS:+--configmaps "$CONFIGMAPS"} \
		2>>"$TMP/server.err" &
	server_pid=$!
	for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	[ -s "$TMP/port" ] || fail "fake API server did not start"
	PORT=$(cat "$TMP/port") # kept across restarts: kubeconfigs name it
	URL="https://127.0.0.1:$PORT"
	[ -z "${3:-}" ] || URL="http://127.0.0.1:$PORT"
}
stop() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=
}

# kubeconfig FILE USER-YAML [CLUSTER-EXTRA]: the server is $URL; the cluster
# part defaults to the test CA (an empty CLUSTER-EXTRA names none).
kubeconfig() {
	cat >"$1" <<KC
apiVersion: v1
kind: Config
current-context: test
contexts:
- name: test
  context: {cluster: fake, user: tester}
clusters:
- name: fake
  cluster:
    server: $URL
${3-    certificate-authority: $C/ca.crt}
users:
- name: tester
  user:
$2
KC
}
# kubeconfig_at FILE SERVER CLUSTER-EXTRA: the user has the test token.
kubeconfig_at() { URL=$2 kubeconfig "$1" "    token: $TOKEN" "$3"; }
b64() { base64 -w0 <"$1"; }
requests() { wc -l <"$TMP/requests.log"; }
