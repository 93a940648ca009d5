#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate against API servers that never finish or answer with
# hostile error bodies: a continue token given twice, endless new tokens
# (--max-nodes, --list-timeout), a hanging server and a long Retry-After
# cut short by the deadline, Status bodies nested 32,768 deep or holding
# 40,000 characters of newlines and escapes. Each ends with exit 4 and one
# line. Every run is under `timeout 120` so that a binary without the
# limits fails instead of hanging.
. "$(dirname "$0")/../common/lib.sh"
. "$(dirname "$0")/apilib.sh"
trap 'stop; cleanup_tmp' EXIT
kc=$TMP/kc

# --- 1. usage: the limits are for the API ------------------------------------
for opt in --list-timeout=1m --max-nodes=10; do
	run 2 "$A" -f "$NODES" "$opt"
	one_line_error "${opt%%=*} is for the API; it cannot be used with -f"
done
run 2 "$A" --list-timeout=0s
one_line_error "--list-timeout: '0s' is not a duration"
run 2 "$A" --max-nodes=0
one_line_error "--max-nodes must be a number from 1"
ok "--list-timeout and --max-nodes: usage errors with -f or bad values, exit 2"

# --- 2. a continue token given twice: stopped at once ------------------------
start continue-repeat
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
run 4 timeout 120 "$A" --kubeconfig "$kc"
one_line_error "listing nodes at $URL: page 2 returned a continue token that the API server had already given"
[ "$(requests)" -eq 2 ] || fail "$(requests) requests, expected 2"
ok "a repeated continue token: exit 4 after 2 requests, one line"

# --- 3. endless new tokens: --max-nodes --------------------------------------
start continue-endless
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
run 4 timeout 120 "$A" --kubeconfig "$kc" --max-nodes 7
one_line_error "listing nodes at $URL: more than --max-nodes=7 nodes (page 4); raise --max-nodes"
[ "$(requests)" -eq 4 ] || fail "$(requests) requests, expected 4"
ok "endless new continue tokens, 2 nodes a page: exit 4 on page 4 with --max-nodes 7, one line"

# --- 4. endless new tokens: --list-timeout -----------------------------------
run 4 timeout 120 "$A" --kubeconfig "$kc" --list-timeout 2s
one_line_error "listing nodes at $URL: not finished within --list-timeout=2s"
grep -q "raise --list-timeout" "$TMP/err" || fail "no hint: $(cat "$TMP/err")"
ok "endless new continue tokens: exit 4 at --list-timeout 2s ($(requests) requests), one line"

# --- 5. the deadline caps each request and each wait -------------------------
start hang
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
run 4 timeout 120 "$A" --kubeconfig "$kc" --list-timeout 2s --request-timeout 60s
# A 60 s request timeout would have ended in a timeout retry, not this line.
tail -1 "$TMP/err" | grep -q "not finished within --list-timeout=2s" ||
	fail "request not cut by the deadline: $(cat "$TMP/err")"
start 429-always
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
run 4 timeout 120 "$A" --kubeconfig "$kc" --list-timeout 2s --retries 3
# The wait announced is at most what is left of the 2 s, not 30 s.
wait_s=$(sed -n 's/.*retrying in \([0-9.]*\)s.*/\1/p' "$TMP/err" | head -1)
[ -n "$wait_s" ] && awk -v w="$wait_s" 'BEGIN { exit !(w <= 2.0) }' ||
	fail "Retry-After: 30 not cut to what is left: $(cat "$TMP/err")"
tail -1 "$TMP/err" | grep -q "not finished within --list-timeout=2s" ||
	fail "no deadline error: $(cat "$TMP/err")"
[ "$(requests)" -le 2 ] || fail "$(requests) requests, expected 1 or 2"
ok "the deadline cuts a hanging request and a 30 s Retry-After wait"

# --- 5b. tokens longer than 64 KiB ------------------------------------------
start continue-huge
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
run 4 timeout 120 "$A" --kubeconfig "$kc" --max-nodes 7
one_line_error "listing nodes at $URL: page 1 returned a continue token longer than 64 KiB (the limit)"
[ "$(requests)" -eq 1 ] || fail "$(requests) requests, expected 1"
ok "a 100 KiB continue token: exit 4 after 1 request, one line, not retried"
start ok
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
sed -i "s/token: $TOKEN/token: $big/" "$kc"
run 3 "$A" --kubeconfig "$kc"
one_line_error "kubeconfig $kc: the token of user 'tester' is longer than 64 KiB (the limit); refused"
printf '%s\n' "$big" >"$TMP/token"
kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
sed -i "s|token: $TOKEN|tokenFile: $TMP/token|" "$kc"
run 3 "$A" --kubeconfig "$kc"
one_line_error "token file $TMP/token: the token is longer than 64 KiB (the limit); refused"
[ "$(requests)" -eq 0 ] || fail "$(requests) requests sent"
ok "a 70,000-byte token (kubeconfig, token file): exit 3 before any request, one line"

# --- 6. hostile error bodies --------------------------------------------------
# A smaller stack than the default 8 MiB: a parser that recursed once per
# nesting level (yajl_tree_free does) would overflow it on 32,768 levels.
for sc in error-deep-open error-deep-closed error-long-message; do
	start $sc
	kubeconfig_at "$kc" "$URL" "    certificate-authority: $C/ca.crt"
	run 4 bash -c 'ulimit -s 1024 && exec "$@"' sh "$A" --kubeconfig "$kc"
	one_line_error "listing nodes at $URL failed: HTTP 400"
	# 300 bytes of the message at most, each control byte written as \xNN
	[ "$(wc -c <"$TMP/err")" -lt 1500 ] || fail "$sc: $(wc -c <"$TMP/err") bytes of error"
	if LC_ALL=C grep -q "$(printf '\033')" "$TMP/err"; then fail "$sc: an escape reached stderr"; fi
done
grep -q 'HTTP 400: evil\\x0a\\x1b\[31mline\\x0devil.*\.\.\.$' "$TMP/err" || fail "long message not quoted in part: $(cat "$TMP/err")"
ok "error bodies nested 65,536 and 32,768 deep (1 MiB stack), a 40,000-character message: exit 4, one short line"
stop
echo "$checks checks passed"
