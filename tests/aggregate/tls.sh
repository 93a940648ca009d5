#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate's trust in the API server: a CA named by the kubeconfig is
# the only CA trusted (a server whose certificate comes from a CA in the
# system store gets no request at all), the system store is used when the
# kubeconfig names no CA, insecure-skip-tls-verify with a CA is refused as
# kubectl refuses it, and a token sent to an http:// server is warned about.
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/apilib.sh"
trap 'stop; cleanup_tmp' EXIT

# --- 1. insecure-skip-tls-verify together with a CA: exit 3, one line -------
start ok
for ca in "certificate-authority: $C/ca.crt" "certificate-authority-data: $(b64 "$C/ca.crt")"; do
	kubeconfig_at "$TMP/kc-both" "$URL" "    insecure-skip-tls-verify: true
    $ca"
	run 3 "$A" --kubeconfig "$TMP/kc-both"
	one_line_error "kubeconfig $TMP/kc-both: cluster 'fake' sets both insecure-skip-tls-verify and ${ca%%:*}"
	grep -q "specifying a root certificates file with the insecure flag is not allowed" "$TMP/err" ||
		fail "not kubectl's reason: $(cat "$TMP/err")"
	[ "$(requests)" -eq 0 ] || fail "a request was sent"
done
ok "insecure-skip-tls-verify with certificate-authority or -data: exit 3, one line naming file and cluster"

# --- 2. a token to a plain http:// server: one warning line ------------------
start ok server --plain
kubeconfig_at "$TMP/kc-http" "$URL" ""
run 0 "$A" --kubeconfig "$TMP/kc-http" -o json
[ "$(grep -c 'plain http://' "$TMP/err")" -eq 1 ] || fail "not one plain-http warning: $(cat "$TMP/err")"
grep -qF "warning: kubeconfig $TMP/kc-http: the API server $URL is plain http://: the bearer token travels in clear text" "$TMP/err" ||
	fail "warning lacks the server or the reason: $(cat "$TMP/err")"
grep -q '"auth": "bearer"' "$TMP/requests.log" || fail "token not sent"
ok "token to an http:// server: one warning naming the server, the listing works"
stop

# --- 3. CA pinning against a CA in the system store --------------------------
# A second CA, trusted system-wide in a private mount namespace only: its
# hashed link and its place in ca-certificates.crt, where libcurl's
# default CA path and bundle look.
unshare -m --propagation private true 2>/dev/null ||
	skip "cannot make a private mount namespace (unshare -m): $(unshare -m true 2>&1 | head -1)"
mkca public-ca
mkcert public-server public-ca /CN=public "subjectAltName=IP:127.0.0.1"
store=$TMP/system-certs
mkdir "$store"
cp "$C/public-ca.crt" "$store/virt-caps-test-public-ca.pem"
cp "$C/public-ca.crt" "$store/ca-certificates.crt"
openssl rehash "$store" 2>/dev/null || c_rehash "$store" >/dev/null
in_store() { # in_store EXPECTED CMD...: CMD with $store as /etc/ssl/certs
	run "$1" unshare -m --propagation private sh -c \
		'mount --bind "$0" /etc/ssl/certs && exec "$@"' "$store" "${@:2}"
}
start ok public-server
kubeconfig_at "$TMP/kc-system" "$URL" ""
in_store 0 "$A" --kubeconfig "$TMP/kc-system" -o json
[ "$(requests)" -ge 1 ] || fail "no request with the system store"
ok "no CA in the kubeconfig: a server certified by the system store is trusted (the setup works)"
for ca in "certificate-authority: $C/ca.crt" "certificate-authority-data: $(b64 "$C/ca.crt")"; do
	start ok public-server
	kubeconfig_at "$TMP/kc-pinned" "$URL" "    $ca"
	in_store 4 "$A" --kubeconfig "$TMP/kc-pinned" --retries 0
	one_line_error "cannot list nodes at $URL"
	[ "$(requests)" -eq 0 ] || fail "${ca%%:*}: the server got $(requests) requests"
	ok "${ca%%:*} names the kube CA: a system-trusted server is refused, no request sent"
done
stop
echo "$checks checks passed"
