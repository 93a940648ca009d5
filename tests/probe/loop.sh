#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe's loop against the embedded driver: one summary line per
# probe at the default verbosity, QEMU re-probes reported, failures saying
# whether earlier labels are kept, the health record and --health, and a
# clean exit on SIGINT.
. "$(dirname "$0")/../common/lib.sh"
require_qemu_driver
P=$CAPS_PROBE
S="$TMP/state" # cold: libvirt must probe QEMU on the first probe
F="$TMP/features"
mkdir "$F"

# wait_for PATTERN FILE [N]: until FILE has N (default 1) lines matching.
wait_for() {
	for _ in $(seq 600); do
		[ "$(grep -c -- "$1" "$2" || true)" -ge "${3:-1}" ] && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$2" >&2; fail "caps-probe exited waiting for '$1'"; }
		sleep 0.1
	done
	cat "$2" >&2
	fail "timed out waiting for '$1'"
}

"$P" --interval 1s --virttype qemu --state-dir "$S" --features-dir "$F" 2>"$TMP/loop.err" &
pid=$!
wait_for 'probe ok' "$TMP/loop.err" 2
kill -INT $pid
set +e; wait $pid; status=$?; set -e
[ $status -eq 0 ] || fail "SIGINT: exit status $status"
ok "loop: SIGINT exits 0"
re='^caps-probe: info: probe ok in [0-9.]+s: virttype qemu, host model [^ ,]+, [0-9]+ usable models?, wrote [0-9]+ labels to '"$F"'/virt-caps, '
grep -Eq "${re}first labels\$" "$TMP/loop.err" || fail "no first summary line: $(cat "$TMP/loop.err")"
grep -Eq "${re}labels unchanged\$" "$TMP/loop.err" || fail "no unchanged summary line"
n=$(($(wc -l <"$F/virt-caps") - 1))
grep -q "wrote $n labels" "$TMP/loop.err" || fail "summary label count is not the file's $n"
! grep -q ': label [+-] ' "$TMP/loop.err" || fail "label diff without -v"
ok "loop: one summary line per probe at the default level ($n labels)"

# The cold state directory made libvirt probe QEMU: said once, with the time.
grep -Eq '^caps-probe: info: libvirt probed QEMU anew \(its capability cache in .* was missing or outdated\): this probe took [0-9.]+s$' "$TMP/loop.err" ||
	fail "no re-probe line for a cold cache"
[ "$(grep -c 'probed QEMU anew' "$TMP/loop.err")" = 1 ] || fail "re-probe reported for a warm cache too"
ok "QEMU re-probe reported once, for the cold cache"

# The health record of that run, and --health on it.
h="$S/health"
grep -qx 'consecutive_failures=0' "$h" || fail "health: failures"
grep -qx 'interval=1' "$h" || fail "health: interval"
grep -qx "labels=$n" "$h" || fail "health: labels"
grep -Eqx 'label_digest=[0-9a-f]{16}' "$h" || fail "health: digest"
[ "$(sed -n 's/^last_success=//p' "$h")" = "$(sed -n 's/^last_attempt=//p' "$h")" ] || fail "health: last success is not the last attempt"
ls -A "$S" | grep -q '^\.health' && fail "health temp file left behind"
run 0 "$P" --health=ready --state-dir "$S"
grep -Eq "^ok: last probe at [0-9T:-]+Z succeeded, [0-9]+s ago \(interval 1s\), $n labels\$" "$TMP/out" || fail "--health=ready: $(cat "$TMP/out")"
ok "health record after a good run; --health=ready exits 0"

# Not live: the last attempt is over two intervals old (the loop stopped).
sleep 3
run 1 "$P" --health --state-dir "$S"
grep -Eq '^not live: the last finished probe started [0-9]+s ago \(at .*Z\), over two intervals of 1s: a libvirt call may be stuck$' "$TMP/out" || fail "not live: $(cat "$TMP/out")"
[ "$(wc -l <"$TMP/out")" = 1 ] || fail "--health printed more than one line"
run 1 "$P" --health=live --state-dir "$S"
ok "--health and --health=live: exit 1 after two intervals without a probe"

# Failing probes: not ready (with the error), still live; "no labels
# published yet" while no feature file exists, "previous labels kept" after.
F2="$TMP/features2"
mkdir "$F2"
"$P" --interval 1h --virttype kvm --kvm-device "$TMP/no-kvm" --state-dir "$S" --features-dir "$F2" 2>"$TMP/fail.err" &
pid=$!
wait_for 'probe failed' "$TMP/fail.err"
run 1 "$P" --health=ready --state-dir "$S"
grep -Eq "^not ready: the last 1 probe failed, the last at .*Z: --virttype kvm: cannot open $TMP/no-kvm: No such file" "$TMP/out" || fail "not ready: $(cat "$TMP/out")"
run 0 "$P" --health=live --state-dir "$S"
kill -TERM $pid; wait $pid || fail "SIGTERM: exit status $?"
grep -q '^caps-probe: warning: probe failed (1 in a row) after [0-9.]*s; retrying in [0-9]*s, no labels published yet$' "$TMP/fail.err" || fail "no 'no labels published yet': $(cat "$TMP/fail.err")"
cp "$F/virt-caps" "$F2/"
"$P" --interval 1h --virttype kvm --kvm-device "$TMP/no-kvm" --state-dir "$S" --features-dir "$F2" 2>"$TMP/fail.err" &
pid=$!
wait_for 'probe failed' "$TMP/fail.err"
kill -TERM $pid; wait $pid || fail "SIGTERM: exit status $?"
grep -q 'retrying in [0-9]*s, previous labels kept$' "$TMP/fail.err" || fail "no 'previous labels kept': $(cat "$TMP/fail.err")"
ok "failing probes: not ready with the error, live; labels kept only when there are some"

# --health on no record, a malformed one, and with other options.
run 1 "$P" --health --state-dir "$TMP/none"
grep -q "^not live: no health record in $TMP/none" "$TMP/out" || fail "no record: $(cat "$TMP/out")"
run 1 "$P" --health=ready --state-dir "$TMP/none"
grep -q "^not ready: no health record in $TMP/none" "$TMP/out" || fail "no record, ready: $(cat "$TMP/out")"
mkdir "$TMP/bad" && printf 'started=1\ninterval=abc\n' >"$TMP/bad/health"
run 3 "$P" --health --state-dir "$TMP/bad"
one_line_error "$TMP/bad/health: line 2 is not a health record line"
run 2 "$P" --health --virttype kvm
one_line_error "--health takes no option but --state-dir"
run 2 "$P" --health=sometimes
one_line_error "--health must be live, ready or both, not 'sometimes'"
ok "--health: missing record exit 1 naming the check, malformed exit 3, usage errors exit 2"

# A FIFO or a symbolic link named health: refused at once, never opened
# blocking (a FIFO would hang the reader); timeout bounds a regression.
mkdir "$TMP/fifo" "$TMP/sym"
mkfifo "$TMP/fifo/health"
run 3 timeout 20 "$P" --health --state-dir "$TMP/fifo"
one_line_error "$TMP/fifo/health: a FIFO, not a regular file"
ln -s "$S/health" "$TMP/sym/health"
run 3 timeout 20 "$P" --health=ready --state-dir "$TMP/sym"
one_line_error "$TMP/sym/health: a symbolic link, not a regular file"
ok "--health: a FIFO or symlink record is an error (exit 3), without blocking"

# The loop replaces a FIFO record (and a malformed one) with a warning,
# and still exits on SIGTERM; its temp file planted as a FIFO is replaced too.
start_failing_loop() {
	timeout 60 "$P" --interval 1h --virttype kvm --kvm-device "$TMP/no-kvm" --state-dir "$1" --features-dir "$F2" 2>"$TMP/fail.err" &
	pid=$!
	wait_for 'probe failed' "$TMP/fail.err"
	kill -TERM $pid
	wait $pid || fail "SIGTERM: exit status $? ($(cat "$TMP/fail.err"))"
	[ -f "$1/health" ] && [ ! -L "$1/health" ] || fail "$1/health is not a regular file now"
	grep -qx 'interval=3600' "$1/health" || fail "$1/health is not the loop's record"
}
mkfifo "$TMP/fifo/.health.tmp"
start_failing_loop "$TMP/fifo"
grep -q "^caps-probe: warning: replacing the malformed health record $TMP/fifo/health: a FIFO, not a regular file\$" "$TMP/fail.err" ||
	fail "no FIFO warning: $(cat "$TMP/fail.err")"
printf 'started=1\ninterval=abc\n' >"$TMP/bad/health"
start_failing_loop "$TMP/bad"
grep -q "^caps-probe: warning: replacing the malformed health record $TMP/bad/health: line 2 is not a health record line\$" "$TMP/fail.err" ||
	fail "no malformed warning: $(cat "$TMP/fail.err")"
! grep -q 'error: .*health' "$TMP/fail.err" || fail "a replaced record is reported as an error"
ok "loop: a FIFO or malformed record is a warning and replaced by a regular file"

# Hand-made records: hrec LAST_ATTEMPT LAST_SUCCESS FAILURES INTERVAL [ERROR]
mkdir "$TMP/h"
hrec() {
	printf 'started=%s\nlast_attempt=%s\nlast_success=%s\nconsecutive_failures=%s\ninterval=%s\nlabels=7\nlabel_digest=00000000000000ff\nlast_error=%s\n' \
		"$1" "$1" "$2" "$3" "$4" "${5:-}" >"$TMP/h/health"
}
now=$(date +%s)

# From the future (the clock went back): healthy for neither check.
hrec $((now + 1000)) $((now + 1000)) 0 100
run 1 "$P" --health --state-dir "$TMP/h"
grep -Eq '^not live: the record is from the future: started .*Z is (99[0-9]|1000)s ahead of this clock' "$TMP/out" || fail "future: $(cat "$TMP/out")"
run 1 "$P" --health=ready --state-dir "$TMP/h"
grep -q '^not ready: the record is from the future' "$TMP/out" || fail "future, ready: $(cat "$TMP/out")"
hrec $((now - 1)) $((now - 1)) 0 100
run 0 "$P" --health --state-dir "$TMP/h"
ok "--health: a record from the future is not healthy"

# Out of range: after year 9999, an interval over a year, a negative time.
for bad in 'last_attempt=253402300800' 'last_success=9223372036854775807' 'interval=31536001'; do
	hrec 1 1 0 100
	printf '%s\n' "$bad" >>"$TMP/h/health"
	run 3 "$P" --health --state-dir "$TMP/h"
	one_line_error "$TMP/h/health: line 9: ${bad%%=*} out of range (a time after year 9999 or an interval over a year)"
done
hrec -5 1 0 100
run 3 "$P" --health --state-dir "$TMP/h"
one_line_error "$TMP/h/health: line 1 is not a health record line"
hrec 253402300799 253402300799 0 31536000
run 1 "$P" --health --state-dir "$TMP/h"
grep -q '^not live: the record is from the future: started 9999-12-31T23:59:59Z' "$TMP/out" || fail "year 9999: $(cat "$TMP/out")"
ok "--health: out-of-range times and intervals are malformed (exit 3)"

# last_error is terminal text: control characters come out escaped.
hrec $((now - 1)) $((now - 50)) 2 100 "$(printf 'boom\033]0;owned\007 here')"
run 1 "$P" --health=ready --state-dir "$TMP/h"
grep -qF 'not ready: the last 2 probes failed, the last at ' "$TMP/out" || fail "failed: $(cat "$TMP/out")"
grep -qF ': boom\x1b]0;owned\x07 here' "$TMP/out" || fail "last_error not escaped: $(cat -v "$TMP/out")"
! grep -q "$(printf '\033')" "$TMP/out" || fail "raw ESC in --health output"
ok "--health: last_error is escaped"

# Readiness follows the labels' expiry (3 intervals after the success).
hrec $((now - 250)) $((now - 250)) 0 100
run 0 "$P" --health=ready --state-dir "$TMP/h"
run 1 "$P" --health=live --state-dir "$TMP/h"
hrec $((now - 400)) $((now - 400)) 0 100
run 1 "$P" --health=ready --state-dir "$TMP/h"
grep -Eq '^not ready: last success 40[0-9]s ago \(at .*Z\), labels expired \(3 intervals of 100s\)$' "$TMP/out" || fail "stale: $(cat "$TMP/out")"
ok "--health=ready: not ready once the last success's labels expired"
echo "$checks checks passed"
