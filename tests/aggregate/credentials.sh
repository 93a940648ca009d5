#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-aggregate's credentials against the loopback HTTPS server that answers
# as the Kubernetes API does (tests/aggregate/fake-apiserver.py):
# - a token with CR, LF or another control character, from each source (token
#   file, kubeconfig, in-cluster service account, exec plugin), is refused
#   with one line naming the source, never the token, exit 3, and no request
#   reaches the server; token files are trimmed of white space as client-go
#   trims them;
# - exec plugins: --exec-timeout kills a plugin that never ends and its whole
#   process group; a plugin that exits leaving a child holding its standard
#   output is not waited for; output over 1 MiB is an error; nothing of the
#   plugin is left running;
# - core dumps are off and the process is not dumpable, as seen by a real
#   plugin process reading /proc/$PPID.
A_BIN=${CAPS_AGGREGATE:?run through meson test} # before lib.sh wraps it for valgrind
. "$(dirname "$0")/../common/lib.sh"
command -v pgrep >/dev/null || skip "pgrep (procps) is not installed"
RAND=$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')
TOKEN="vc-cred-token-$RAND"
# Text a bad token carries after its CR LF: must never be printed either.
INJECTED="X-Injected-$RAND"
# Not in $TMP (0700): the last part runs caps-aggregate as another uid.
shared_tmp
C=$SHARED/certs
. "$(dirname "$0")/apilib.sh" # CA, server certificate, start/stop, kubeconfig
chmod 0755 "$C" && chmod 0644 "$C"/*
trap 'stop; cleanup_tmp' EXIT
start ok
ok "made a CA and a server certificate, started the fake API server"
# refused MESSAGE CMD...: exit 3, one line containing MESSAGE, no token text
# on stderr, no request sent.
refused() {
	local msg=$1 before
	shift
	before=$(requests)
	run 3 "$@"
	one_line_error "$msg"
	if grep -qF -e "$TOKEN" -e "$INJECTED" -e "$RAND" "$TMP/err"; then
		fail "the token appears on stderr: $(cat "$TMP/err")"
	fi
	[ "$(requests)" -eq "$before" ] || fail "a request reached the server: $(tail -1 "$TMP/requests.log")"
}

# --- 1. header injection, each source -----------------------------------------
printf '%s\r\n%s: 1\n' "$TOKEN" "$INJECTED" >"$TMP/token-crlf"
kubeconfig "$TMP/kc-file-crlf" "    tokenFile: $TMP/token-crlf"
refused "token file $TMP/token-crlf: the token contains a control character" \
	"$A" --kubeconfig "$TMP/kc-file-crlf"
printf '%s\0%s\n' "$TOKEN" "$INJECTED" >"$TMP/token-nul"
kubeconfig "$TMP/kc-file-nul" "    tokenFile: $TMP/token-nul"
refused "token file $TMP/token-nul: the token contains a control character" \
	"$A" --kubeconfig "$TMP/kc-file-nul"
ok "token file with CR LF or NUL: exit 3, one line naming the file, no request"

printf ' \t\n\r\n' >"$TMP/token-empty"
kubeconfig "$TMP/kc-file-empty" "    tokenFile: $TMP/token-empty"
refused "token file $TMP/token-empty is empty" "$A" --kubeconfig "$TMP/kc-file-empty"
printf '  \t%s \r\n\n' "$TOKEN" >"$TMP/token-blanks"
kubeconfig "$TMP/kc-file-blanks" "    tokenFile: $TMP/token-blanks"
run 0 "$A" --kubeconfig "$TMP/kc-file-blanks" -o json
tail -1 "$TMP/requests.log" | grep -q '"auth": "bearer"' || fail "trimmed token not accepted"
ok "token file: surrounding white space trimmed as client-go does; only white space is an error"

kubeconfig "$TMP/kc-inline-crlf" "    token: \"$TOKEN\\r\\n$INJECTED: 1\""
refused "kubeconfig $TMP/kc-inline-crlf: the token of user 'tester' contains a control character" \
	"$A" --kubeconfig "$TMP/kc-inline-crlf"
kubeconfig "$TMP/kc-inline-tab" "    token: \"$TOKEN\\t$INJECTED\""
refused "kubeconfig $TMP/kc-inline-tab: the token of user 'tester' contains a control character" \
	"$A" --kubeconfig "$TMP/kc-inline-tab"
ok "kubeconfig token with CR LF or a tab: exit 3, one line naming the file and user, no request"

mkdir "$TMP/sa"
cp "$C/ca.crt" "$TMP/sa/ca.crt"
printf '%s\n%s: 1' "$TOKEN" "$INJECTED" >"$TMP/sa/token"
refused "token file $TMP/sa/token: the token contains a control character" \
	env -u KUBECONFIG HOME="$TMP/nohome" KUBERNETES_SERVICE_HOST=127.0.0.1 \
	KUBERNETES_SERVICE_PORT="$PORT" VIRT_CAPS_SERVICEACCOUNT_DIR="$TMP/sa" "$A"
printf '%s\n' "$TOKEN" >"$TMP/sa/token"
run 0 env -u KUBECONFIG HOME="$TMP/nohome" KUBERNETES_SERVICE_HOST=127.0.0.1 \
	KUBERNETES_SERVICE_PORT="$PORT" VIRT_CAPS_SERVICEACCOUNT_DIR="$TMP/sa" "$A" -o json
ok "in-cluster service account token with LF inside: refused; with a final LF: accepted"

exec_kubeconfig() { # exec_kubeconfig FILE PLUGIN
	kubeconfig "$1" "    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $2
      interactiveMode: Never"
}
cat >"$TMP/plugin-crlf" <<PLUGIN
#!/bin/sh
# JSON escapes, printed as they are (dash's echo would turn them into CR LF)
printf '%s\\n' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$TOKEN\\r\\n$INJECTED: 1"}}'
PLUGIN
chmod +x "$TMP/plugin-crlf"
exec_kubeconfig "$TMP/kc-exec-crlf" "$TMP/plugin-crlf"
refused "exec credential plugin $TMP/plugin-crlf returned a token with a control character" \
	"$A" --kubeconfig "$TMP/kc-exec-crlf"
ok "exec plugin token with CR LF: exit 3, one line naming the plugin, no request"

# --- 2. exec plugin time and output limits --------------------------------------
# A number no other test uses, to find the plugin's processes by.
SLEEP=$((200000 + RANDOM))
left_behind() { # left_behind: fail when a process of the plugins still runs
	if pgrep -f "sleep $SLEEP" >/dev/null || pgrep -f "$TMP/plugin-" >/dev/null; then
		pgrep -af "sleep $SLEEP|$TMP/plugin-" >&2 || true
		fail "a plugin process was left behind"
	fi
}
# A guard, not a timed assertion: a regression fails here instead of hanging.
GUARD=(timeout -s KILL 120)

printf '#!/bin/sh\nsleep %s\n' "$SLEEP" >"$TMP/plugin-hang"
chmod +x "$TMP/plugin-hang"
exec_kubeconfig "$TMP/kc-exec-hang" "$TMP/plugin-hang"
refused "exec credential plugin $TMP/plugin-hang did not finish within 1s (--exec-timeout)" \
	"${GUARD[@]}" "$A" --kubeconfig "$TMP/kc-exec-hang" --exec-timeout 1s
left_behind
ok "a plugin that never ends: killed after --exec-timeout with its child, exit 3"

cat >"$TMP/plugin-bg" <<PLUGIN
#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$TOKEN"}}'
sleep $SLEEP &
exit 0
PLUGIN
chmod +x "$TMP/plugin-bg"
exec_kubeconfig "$TMP/kc-exec-bg" "$TMP/plugin-bg"
# Waiting for the child to close standard output would take the whole
# --exec-timeout and fail the run; it must end when the plugin exits.
run 0 "${GUARD[@]}" "$A" --kubeconfig "$TMP/kc-exec-bg" --exec-timeout 20s -o json
tail -1 "$TMP/requests.log" | grep -q '"auth": "bearer"' || fail "the plugin's token was not used"
left_behind
ok "a plugin that exits leaving a child on its stdout: its credential is used at once, the child killed"

cat >"$TMP/plugin-big" <<'PLUGIN'
#!/usr/bin/env python3
import sys
sys.stdout.write('{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
                 '"status":{"token":"t"},"padding":"' + "x" * (1100 * 1024) + '"}\n')
PLUGIN
chmod +x "$TMP/plugin-big"
exec_kubeconfig "$TMP/kc-exec-big" "$TMP/plugin-big"
refused "exec credential plugin $TMP/plugin-big wrote more than 1048576 bytes" \
	"${GUARD[@]}" "$A" --kubeconfig "$TMP/kc-exec-big"
left_behind
ok "plugin output over 1 MiB: an error (not silently truncated), exit 3"

run 2 "$A" -f "$NODES" --exec-timeout 5s
one_line_error "--exec-timeout is for the API; it cannot be used with -f"
run 2 "$A" --exec-timeout 0
one_line_error "--exec-timeout: '0' is not a duration"
run 0 "$A" --help
grep -q -- "--exec-timeout=DUR" "$TMP/out" || fail "--exec-timeout missing from --help"
ok "--exec-timeout: API only, must be positive, in --help"

# --- 2b. exec apiVersion, interactiveMode, provideClusterInfo ---------------------
# The plugin records the KUBERNETES_EXEC_INFO it got, and answers with the
# apiVersion given as its first argument.
cat >"$TMP/plugin-api" <<PLUGIN
#!/bin/sh
printf '%s\n' "\$KUBERNETES_EXEC_INFO" >"$TMP/exec-info"
echo '{"apiVersion":"client.authentication.k8s.io/'"\$1"'","kind":"ExecCredential","status":{"token":"$TOKEN"}}'
PLUGIN
chmod +x "$TMP/plugin-api"
api_kubeconfig() { # api_kubeconfig FILE ANSWER-VERSION EXEC-YAML-LINES
	kubeconfig "$1" "    exec:
      command: $TMP/plugin-api
      args: [$2]
$3"
}
not_run() { [ ! -e "$TMP/exec-info" ] || fail "$1: the plugin was run: $(cat "$TMP/exec-info")"; }
G=client.authentication.k8s.io
for api in '' "      apiVersion: $G/v1alpha1" "      apiVersion: v1" "      apiVersion: \"$G/v1\\\",\\\"spec\\\":{\\\"interactive\\\":true},\\\"z\\\":\\\"\""; do
	rm -f "$TMP/exec-info"
	api_kubeconfig "$TMP/kc-api" v1 "$api"
	refused "kubeconfig $TMP/kc-api: user 'tester': exec apiVersion must be $G/v1 or $G/v1beta1" \
		"$A" --kubeconfig "$TMP/kc-api"
	not_run "apiVersion line '$api'"
done
ok "exec apiVersion missing, v1alpha1, another or with JSON in it: exit 3 naming kubeconfig and user, plugin not run"

for v in v1 v1beta1; do
	api_kubeconfig "$TMP/kc-api" "$v" "      apiVersion: $G/$v"
	run 0 "$A" --kubeconfig "$TMP/kc-api" -o json
	tail -1 "$TMP/requests.log" | grep -q '"auth": "bearer"' || fail "$v: the plugin's token was not used"
	want="{\"kind\":\"ExecCredential\",\"apiVersion\":\"$G/$v\",\"spec\":{\"interactive\":false}}"
	[ "$(cat "$TMP/exec-info")" = "$want" ] || fail "$v: KUBERNETES_EXEC_INFO $(cat "$TMP/exec-info")"
done
api_kubeconfig "$TMP/kc-api" v1beta1 "      apiVersion: $G/v1"
refused "exec credential plugin $TMP/plugin-api did not answer with apiVersion $G/v1" \
	"$A" --kubeconfig "$TMP/kc-api"
api_kubeconfig "$TMP/kc-api" v1 "      apiVersion: $G/v1beta1"
refused "exec credential plugin $TMP/plugin-api did not answer with apiVersion $G/v1beta1" \
	"$A" --kubeconfig "$TMP/kc-api"
ok "exec v1 and v1beta1: KUBERNETES_EXEC_INFO of that version; an answer of another version is refused (exit 3)"

rm -f "$TMP/exec-info"
api_kubeconfig "$TMP/kc-api" v1 "      apiVersion: $G/v1
      interactiveMode: Always"
refused "kubeconfig $TMP/kc-api: user 'tester': exec interactiveMode must be Never or IfAvailable" \
	"$A" --kubeconfig "$TMP/kc-api"
not_run "interactiveMode: Always"
api_kubeconfig "$TMP/kc-api" v1 "      apiVersion: $G/v1
      interactiveMode: IfAvailable
      provideClusterInfo: true"
run 0 "$A" --kubeconfig "$TMP/kc-api" -o json
n=$(grep -c "kubeconfig $TMP/kc-api: user 'tester': exec provideClusterInfo is not supported" "$TMP/err")
[ "$n" = 1 ] || fail "provideClusterInfo: $n warnings: $(cat "$TMP/err")"
ok "exec interactiveMode Always: exit 3 (no terminal is given); provideClusterInfo: one warning"

# --- 2c. impersonation and basic auth: refused, never ignored -------------------
# Ignored, impersonation ran the request as the real identity (the token's),
# and username/password went out anonymous.
for setting in "as: admin-$RAND" "as-uid: \"$RAND\"" "as-groups: [system:masters]" \
	"as-user-extra: {scopes: [$RAND]}"; do
	kubeconfig "$TMP/kc-as" "    token: $TOKEN
    $setting"
	refused "kubeconfig $TMP/kc-as: user 'tester' sets ${setting%%:*} (impersonation), which caps-aggregate does not support" \
		"$A" --kubeconfig "$TMP/kc-as"
done
for setting in "username: tester
    password: pw-$RAND" "password: pw-$RAND" "username: tester"; do
	kubeconfig "$TMP/kc-basic" "    $setting"
	refused "kubeconfig $TMP/kc-basic: user 'tester' sets username/password (basic authentication), which caps-aggregate does not support" \
		"$A" --kubeconfig "$TMP/kc-basic"
done
ok "impersonation (as, as-uid, as-groups, as-user-extra) and basic auth: exit 3 naming kubeconfig and user, no request, no value shown"

# --- 3. no core dumps, not dumpable -------------------------------------------------
# The plugin is a real child process: it reports what it sees of its parent.
cat >"$SHARED/plugin-proc" <<PLUGIN
#!/bin/sh
core=\$(awk '/^Max core file size/ {print \$5 "/" \$6}' /proc/\$PPID/limits)
echo "parent core limit \$core, /proc/\$PPID/status owned by uid \$(stat -c %u /proc/\$PPID/status)" >&2
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$TOKEN"}}'
PLUGIN
chmod 0755 "$SHARED/plugin-proc"
exec_kubeconfig "$SHARED/kc-proc" "$SHARED/plugin-proc"
chmod 0644 "$SHARED/kc-proc"
cp "$A_BIN" "$SHARED/caps-aggregate"
# A core limit that is not 0 to start with, so that 0 means caps-aggregate set it.
ulimit -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
[ "$(ulimit -c)" != 0 ] || skip "the core file size limit is 0 and cannot be raised"
if [ "$(id -u)" = 0 ]; then
	uid=4242
	run 0 as_uid $uid "$SHARED/caps-aggregate" --kubeconfig "$SHARED/kc-proc" -o json
else # an ordinary user already: /proc/PID of its own processes is its own
	uid=$(id -u)
	run 0 "$SHARED/caps-aggregate" --kubeconfig "$SHARED/kc-proc" -o json
fi
grep -q "parent core limit 0/0," "$TMP/err" || fail "core dumps not disabled: $(cat "$TMP/err")"
grep -q "status owned by uid 0\$" "$TMP/err" ||
	fail "caps-aggregate (uid $uid) is dumpable: $(cat "$TMP/err")"
ok "core file size limit 0 (soft and hard) and not dumpable (/proc/PID owned by root, run as uid $uid)"
echo "$checks checks passed"
