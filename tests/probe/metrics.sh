#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe --metrics-address: usage errors, a port in use, then a loop
# on the embedded QEMU driver (virttype qemu) scraped over loopback: the
# text format (# HELP, # TYPE), the virttype and host_model labels, the
# gauges against the feature file the same probe wrote, the success
# counter growing across probes, 404/405, the bound address only, and a
# slow client that neither takes every connection nor holds one forever.
. "$(dirname "$0")/../common/lib.sh"
P=$CAPS_PROBE
SCRAPE="python3 $TEST_SRC_DIR/probe/metrics-scrape.py"

usage() {
	run 2 "$P" "$@"
	one_line_error "$2"
	ok "usage error: $*"
}
usage --metrics-address 127.0.0.1
usage --metrics-address localhost:9100
usage --metrics-address 127.0.0.1:65536
usage --metrics-address 127.0.0.1:
usage --metrics-address ::1:9100
usage --metrics-address '[::1:9100'
run 2 "$P" --from-dir "$TEST_DATA_DIR/amd-sev-snp" --metrics-address 127.0.0.1:9100
one_line_error "--from-dir never loops"
run 2 "$P" --stdout --metrics-address 127.0.0.1:9100
one_line_error "--metrics-address has no effect with --stdout"
run 2 "$P" --once --metrics-address 127.0.0.1:9100
one_line_error "--metrics-address serves the loop's metrics"
ok "--metrics-address is refused outside the loop"

require_qemu_driver
clone_root "$TMP/root"
mkdir "$TMP/features"
LOOP=(--state-dir "$TMP/root" --virttype qemu --features-dir "$TMP/features")

# A port some other program holds: one error line, exit 3, no probe made.
python3 -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"$TMP/busy" &
holder=$!
for _ in $(seq 100); do [ -s "$TMP/busy" ] && break; sleep 0.1; done
busy=$(cat "$TMP/busy")
run 3 "$P" "${LOOP[@]}" --metrics-address "127.0.0.1:$busy"
one_line_error "--metrics-address 127.0.0.1:$busy: cannot listen there: Address already in use"
[ ! -e "$TMP/features/virt-caps" ] || fail "a feature file was written though the loop never started"
kill "$holder"
wait "$holder" 2>/dev/null || true
ok "a port in use is one clear error, exit 3"

# start_loop ADDR: caps-probe's loop in the background, every second;
# sets $pid and $url once it says where it serves.
start_loop() {
	"$P" -v "${LOOP[@]}" --interval 1s --metrics-address "$1" 2>"$TMP/loop.err" &
	pid=$!
	for _ in $(seq 600); do
		url=$(sed -n 's|^caps-probe: info: serving metrics on \(http://.*\)$|\1|p' "$TMP/loop.err")
		[ -n "$url" ] && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$TMP/loop.err" >&2; fail "caps-probe exited"; }
		sleep 0.1
	done
	fail "caps-probe never said where it serves metrics"
}
# sample NAME [LABELS]: the value of one sample of the last scrape.
sample() {
	awk -F'\t' -v n="$1" -v l="${2-}" '$1 == n && (l == "" || $3 == l) { print $4 }' "$TMP/scrape"
}
# wait_successes N: scrape until at least N probes succeeded (a probe a
# second, or 8 s when libvirt probes QEMU anew; two minutes at most).
wait_successes() {
	for _ in $(seq 1200); do
		$SCRAPE "$url" >"$TMP/scrape"
		[ "$(sample caps_probe_probes_total result=success)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "fewer than $1 successful probes after two minutes"
}

start_loop 127.0.0.1:0
trap 'kill "$pid" 2>/dev/null || true; cleanup_tmp' EXIT
wait_successes 1
grep -q $'^caps_probe_probes_total\tcounter\tresult=failure\t0$' "$TMP/scrape" ||
	fail "no failure counter at 0: $(cat "$TMP/scrape")"
for m in probe_duration_seconds last_success_timestamp_seconds labels usable_models; do
	grep -q "^caps_probe_$m"$'\tgauge\t' "$TMP/scrape" || fail "no gauge caps_probe_$m"
done
ok "scrape: counters and gauges, each with # HELP and # TYPE"

f="$TMP/features/virt-caps"
NS=libvirt.feature.node.kubernetes.io
host_model=$(sed -n "s|^$NS/host-model=||p" "$f")
[ -n "$host_model" ] || fail "the feature file has no host-model label"
labels="host_model=$host_model,virttype=qemu"
[ "$(sample caps_probe_labels "$labels")" = $(($(wc -l <"$f") - 1)) ] ||
	fail "caps_probe_labels{$labels} is not the feature file's label count: $(cat "$TMP/scrape")"
[ "$(sample caps_probe_usable_models "$labels")" = "$(grep -c "^$NS/cpu-model\.[^=]*=true$" "$f")" ] ||
	fail "caps_probe_usable_models is not the number of cpu-model labels"
last=$(sample caps_probe_last_success_timestamp_seconds "$labels")
now=$(date +%s)
awk -v t="$last" -v now="$now" 'BEGIN { exit !(t > now - 600 && t <= now + 1) }' ||
	fail "last success time $last is not a recent Unix time (now $now)"
ok "gauges labelled virttype=qemu host_model=$host_model agree with the feature file"

first=$(sample caps_probe_probes_total result=success)
wait_successes $((first + 2))
ok "the success counter grows across probes ($first, then $(sample caps_probe_probes_total result=success))"

[ "$($SCRAPE --status GET "${url%/metrics}/")" = 404 ] || fail "GET / is not 404"
[ "$($SCRAPE --status GET "${url%/metrics}/metrics/x")" = 404 ] || fail "GET /metrics/x is not 404"
[ "$($SCRAPE --status POST "$url")" = 405 ] || fail "POST /metrics is not 405"
[ "$($SCRAPE --status PUT "$url")" = 405 ] || fail "PUT /metrics is not 405"
[ "$($SCRAPE --status HEAD "$url")" = 200 ] || fail "HEAD /metrics is not 200"
ok "only GET (and HEAD) /metrics: 404 elsewhere, 405 for other methods"

# Bound to 127.0.0.1 only: 127.0.0.2 (also loopback) finds nothing there.
port=${url##*:}
port=${port%%/*}
python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.2", int(sys.argv[1])), timeout=10)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$port" || fail "the server answers on 127.0.0.2 too: not bound to the given address"
ok "bound to the given address only"

# A slow client (slowloris) from 127.0.0.1 trickling headers: at most
# VC_METRICS_MAX_PER_IP (4) connections held, scrapes from 127.0.0.2
# still answered, and the held ones closed by the request deadline
# although they never go quiet for the inactivity timeout.
if python3 -c 'import socket; socket.create_connection(("127.0.0.1", int(__import__("sys").argv[1])), source_address=("127.0.0.2", 0))' "$port" 2>/dev/null; then
	python3 "$TEST_SRC_DIR/probe/metrics-slowloris.py" "$port" 4 >"$TMP/slow" ||
		fail "slow client: $(cat "$TMP/slow")"
	sed 's/^/# /' "$TMP/slow"
	ok "a slow client holds 4 connections at most, and only until the deadline"
else
	echo "# cannot connect from 127.0.0.2 here: the slow-client check is skipped"
fi

kill "$pid"
wait "$pid" || fail "caps-probe exited $? on SIGTERM"
grep -q "signal received, exiting" "$TMP/loop.err" || fail "no clean exit"
$SCRAPE --status GET "$url" 2>/dev/null && fail "still serving after exit"
ok "SIGTERM stops the server with the loop"

if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	start_loop '[::1]:0'
	wait_successes 1
	[ -n "$(sample caps_probe_labels "$labels")" ] || fail "no labels gauge over IPv6"
	kill "$pid"
	wait "$pid" || fail "caps-probe exited $? on SIGTERM"
	ok "IPv6: served on $url"
else
	echo "# no IPv6 loopback here: [::1] not checked"
fi
