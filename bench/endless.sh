#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate against an API server that hands out a new continue token
# on every page (2 nodes a page, as fast as the loopback server answers):
# how many requests, how long and how much memory until the listing limits
# stop it. usage: bench/endless.sh [BINARY] [SECONDS] [ARGS...]
# BINARY defaults to build/caps-aggregate; a binary without the limits is
# stopped by `timeout SECONDS` (default 20).
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/caps-aggregate}
secs=${2:-20}
shift $(($# > 2 ? 2 : $#))
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
c=$tmp
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bench-ca -keyout "$c/ca.key" \
	-out "$c/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=kube -keyout "$c/s.key" -out "$c/s.csr" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1" >"$c/s.ext"
openssl x509 -req -in "$c/s.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial -days 1 \
	-extfile "$c/s.ext" -out "$c/s.crt" 2>/dev/null
touch "$tmp/log"
python3 tests/aggregate/fake-apiserver.py --nodes tests/aggregate/cluster/mixed-arch/nodes.json \
	--cert "$c/s.crt" --key "$c/s.key" --token t --scenario continue-fast --log "$tmp/log" \
	--port-file "$tmp/port" &
server=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
cat >"$tmp/kc" <<KC
apiVersion: v1
kind: Config
current-context: b
contexts: [{name: b, context: {cluster: b, user: b}}]
clusters: [{name: b, cluster: {server: "https://127.0.0.1:$(cat "$tmp/port")", certificate-authority: $c/ca.crt}}]
users: [{name: b, user: {token: t}}]
KC
set +e
/usr/bin/time -f "%e %M" -o "$tmp/time" timeout "$secs" "$bin" --kubeconfig "$tmp/kc" "$@" \
	>/dev/null 2>"$tmp/err"
status=$?
set -e
read -r wall rss < <(tail -1 "$tmp/time")
printf '%s %s: exit %s, %s requests, %s s, peak RSS %s MiB; last line: %s\n' "$bin" "$*" "$status" \
	"$(wc -l <"$tmp/log")" "$wall" "$((rss / 1024))" "$(tail -1 "$tmp/err" | cut -c1-150)"
