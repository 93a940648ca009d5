#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate chooses its proxy as kubectl does (client-go's
# http.ProxyFromEnvironment, and the cluster's proxy-url first), never as
# libcurl would from the environment. A real loopback proxy
# (connect-proxy.py) logs what it forwarded. The API server is named
# kube.test, which only the proxy resolves (to 127.0.0.1): a request that
# bypasses the proxy fails to resolve, one through it succeeds, and the
# proxy's log says which happened.
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/apilib.sh"
proxy_pid= socks_pid=
trap 'stop; for p in $proxy_pid $socks_pid; do kill "$p" 2>/dev/null; done; cleanup_tmp' EXIT
if getent hosts kube.test >/dev/null 2>&1; then
	skip "kube.test resolves on this machine; the test needs a name only the proxy knows"
fi

python3 "$TEST_SRC_DIR/aggregate/connect-proxy.py" --log "$TMP/proxy.log" \
	--port-file "$TMP/proxy-port" --map kube.test=127.0.0.1 2>>"$TMP/proxy.err" &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$TMP/proxy-port" ] && break; sleep 0.05; done
[ -s "$TMP/proxy-port" ] || fail "proxy did not start"
P="127.0.0.1:$(cat "$TMP/proxy-port")"
forwarded() { [ -s "$TMP/proxy.log" ] && cat "$TMP/proxy.log"; }
kc=$TMP/kc

# caps-aggregate with only the given proxy variables (and no others from the
# caller's environment): proxied EXPECTED_STATUS VAR=VALUE... -- ARGS...
with_env() {
	local want=$1 vars=()
	shift
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	: >"$TMP/proxy.log"
	run "$want" env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy -u NO_PROXY \
		-u no_proxy -u ALL_PROXY -u all_proxy "${vars[@]}" "$A" --kubeconfig "$kc" \
		--retries 0 --request-timeout 10s "$@"
}
direct() { # the last run went direct: the proxy saw nothing, kube.test did not resolve
	[ ! -s "$TMP/proxy.log" ] || fail "$1: proxied: $(forwarded)"
}
via_proxy() { # the last run went through the proxy to TARGET
	grep -qF "\"target\": \"$2" "$TMP/proxy.log" || fail "$1: not proxied to $2: $(forwarded)"
}

# --- https server ---------------------------------------------------------
start ok
S=kube.test:$PORT
kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt"
with_env 0 HTTPS_PROXY="http://$P" -- -o json
via_proxy HTTPS_PROXY "$S"
grep -q '"method": "CONNECT"' "$TMP/proxy.log" || fail "not a CONNECT tunnel: $(forwarded)"
with_env 0 https_proxy="$P" -- -o json # no scheme: http:// as in Go
via_proxy https_proxy "$S"
ok "https server: HTTPS_PROXY and https_proxy (without scheme) are used, through CONNECT"

with_env 4 HTTP_PROXY="http://$P" -- -o json
direct "HTTP_PROXY for an https server"
with_env 4 ALL_PROXY="http://$P" all_proxy="http://$P" -- -o json
direct "ALL_PROXY"
ok "https server: HTTP_PROXY and ALL_PROXY are not used (libcurl would use ALL_PROXY)"

for np in kube.test .test '*.test' "kube.test:$PORT" "KUBE.TEST" "10.0.0.0/8,kube.test" '*'; do
	with_env 4 HTTPS_PROXY="http://$P" NO_PROXY="$np" -- -o json
	direct "NO_PROXY=$np"
	one_line_error "kube.test"
done
with_env 4 HTTPS_PROXY="http://$P" no_proxy=kube.test -- -o json
direct "no_proxy=kube.test"
with_env 0 HTTPS_PROXY="http://$P" NO_PROXY="kube.test:1,other.test,.kube.test,127.0.0.1" -- -o json
via_proxy "NO_PROXY for other hosts and ports" "$S"
ok "NO_PROXY / no_proxy as Go reads them (names, .domain, *.domain, :port, case, *) go direct"

for host in 127.0.0.1 localhost; do
	kubeconfig_at "$kc" "https://$host:$PORT" "    certificate-authority: $C/ca.crt"
	with_env 0 HTTPS_PROXY="http://$P" -- -o json
	direct "loopback $host"
done
ok "loopback servers (127.0.0.1, localhost) are never proxied"

# --- kubeconfig proxy-url wins: even for loopback and NO_PROXY=* ------------
kubeconfig_at "$kc" "https://127.0.0.1:$PORT" "    certificate-authority: $C/ca.crt
    proxy-url: http://user:proxy-secret@$P"
with_env 0 NO_PROXY='*' HTTPS_PROXY=http://127.0.0.1:9 -- -o json -v
via_proxy proxy-url "127.0.0.1:$PORT"
grep -qF "through the proxy http://$P" "$TMP/err" || fail "proxy not named: $(cat "$TMP/err")"
if grep -q proxy-secret "$TMP/err"; then fail "proxy password in the output"; fi
ok "proxy-url: used even for loopback and NO_PROXY=*, named without its password"
kubeconfig_at "$kc" "https://127.0.0.1:$PORT" "    certificate-authority: $C/ca.crt
    proxy-url: ftp://user:proxy-secret@$P"
with_env 3 -- -o json
one_line_error "kubeconfig $kc: cluster 'fake': proxy-url must start with http://, https:// or socks5://"
if grep -q proxy-secret "$TMP/err"; then fail "proxy password in the error"; fi
ok "proxy-url with another scheme: exit 3, one line, not quoted"

# --- proxy URLs libcurl cannot parse: its error would quote the password ----
no_secret() {
	if grep -q proxy-secret "$TMP/err"; then fail "$1: proxy password in the output: $(cat "$TMP/err")"; fi
}
kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt"
for bad in "http://user:proxy-secret@[::1" "http://us er:proxy-secret@$P" "http://u:proxy/secret@[::1"; do
	with_env 3 HTTPS_PROXY="$bad" -- -o json
	one_line_error "HTTPS_PROXY: 'http://"
	grep -q "is not a usable proxy URL" "$TMP/err" || fail "$bad: $(cat "$TMP/err")"
	no_secret "HTTPS_PROXY=$bad"
	direct "HTTPS_PROXY=$bad"
	kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt
    proxy-url: \"$bad\""
	with_env 3 -- -o json
	one_line_error "kubeconfig $kc: cluster 'fake': proxy-url 'http://"
	no_secret "proxy-url: $bad"
	kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt"
done
ok "unparsable proxy URLs (HTTPS_PROXY, proxy-url): exit 3, one line naming the source, no password"
with_env 0 HTTPS_PROXY="HTTP://user:proxy-secret@$P" -- -o json -v
via_proxy "HTTPS_PROXY with an upper-case scheme" "$S"
no_secret "upper-case scheme"
kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt
    proxy-url: HTTP://$P"
with_env 0 -- -o json
via_proxy "proxy-url with an upper-case scheme" "$S"
kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt"
with_env 4 HTTPS_PROXY="http://user:proxy-secret@[::1" NO_PROXY=kube.test -- -o json
one_line_error "kube.test"
no_secret "an unused proxy"
ok "an upper-case scheme is lower-cased as Go does; a proxy NO_PROXY makes moot is not checked"

# --- control bytes in the proxy's user or password ---------------------------
# libcurl drops such credentials and then connects without the proxy.
for cred in "u:hun%0Ater2" "u:proxy-secret%00" "u:a%01b" "u:a%0db" "u:a%1Fb" "u%0a:proxy-secret" "u:a%7fb"; do
	with_env 3 HTTPS_PROXY="http://$cred@$P" -- -o json
	one_line_error "HTTPS_PROXY: 'http://$P' is not a usable proxy URL: its user or password"
	direct "HTTPS_PROXY=http://$cred@..."
	kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt
    proxy-url: \"http://$cred@$P\""
	with_env 3 -- -o json
	one_line_error "kubeconfig $kc: cluster 'fake': proxy-url 'http://$P' is not a usable proxy URL"
	direct "proxy-url: http://$cred@..."
	no_secret "proxy-url: http://$cred@..."
	kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt"
done
with_env 0 HTTPS_PROXY="http://u:p%20w%25d@$P" -- -o json
via_proxy "a password with %20 and %25" "$S"
ok "a percent-encoded control byte in the proxy's user or password: exit 3, never a direct connection"

# --- socks5: names resolved by the proxy (socks5h), as Go's SOCKS5 dialer ----
python3 "$TEST_SRC_DIR/aggregate/connect-proxy.py" --socks5 --log "$TMP/proxy.log" \
	--port-file "$TMP/socks-port" --map kube.test=127.0.0.1 2>>"$TMP/proxy.err" &
socks_pid=$!
for _ in $(seq 100); do [ -s "$TMP/socks-port" ] && break; sleep 0.05; done
[ -s "$TMP/socks-port" ] || fail "socks5 proxy did not start"
SP="127.0.0.1:$(cat "$TMP/socks-port")"
via_socks() { # the last run went through the SOCKS5 proxy to TARGET by name
	grep -qF "\"method\": \"SOCKS5\", \"target\": \"$2\"" "$TMP/proxy.log" ||
		fail "$1: not through socks5 to $2: $(forwarded)"
}
for scheme in socks5 SOCKS5; do
	kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt
    proxy-url: $scheme://$SP"
	with_env 0 -- -o json
	via_socks "proxy-url: $scheme://" "$S"
done
kubeconfig_at "$kc" "https://$S" "    certificate-authority: $C/ca.crt"
with_env 0 HTTPS_PROXY="socks5://proxy-user:proxy-secret@$SP" -- -o json -v
via_socks "HTTPS_PROXY=socks5://user:password@" "$S"
grep -qF '"user": "proxy-user"' "$TMP/proxy.log" || fail "socks5 user not sent: $(forwarded)"
no_secret "HTTPS_PROXY=socks5://"
ok "socks5:// proxies (proxy-url, HTTPS_PROXY, with a user): used, the proxy resolves the name"

# --- http server ------------------------------------------------------------
start ok server --plain
S=kube.test:$PORT
kubeconfig_at "$kc" "http://$S" ""
with_env 0 HTTP_PROXY="http://$P" -- -o json
via_proxy HTTP_PROXY "http://$S/api/v1/nodes"
with_env 0 http_proxy="http://$P" -- -o json
via_proxy http_proxy "http://$S/api/v1/nodes"
with_env 4 HTTPS_PROXY="http://$P" -- -o json
direct "HTTPS_PROXY for an http server"
ok "http server: HTTP_PROXY (libcurl reads only http_proxy) and http_proxy are used, HTTPS_PROXY is not"
stop
echo "$checks checks passed"
