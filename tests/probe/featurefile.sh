#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe's feature files through the CLI: --once, splitting at NFD's
# 64 KiB limit, the last good file kept on every error, the loop's retry
# and recovery, and a clean exit on SIGTERM/SIGINT.
. "$(dirname "$0")/../common/lib.sh"
P=$CAPS_PROBE
D=$TEST_DATA_DIR
F="$TMP/features"
mkdir "$F"

run 0 "$P" --once --from-dir "$D/intel-tdx" --features-dir "$F" --interval 1h
run 0 "$P" --stdout --from-dir "$D/intel-tdx"
tail -n +2 "$F/virt-caps" | cmp -s - "$TMP/out" || fail "file body differs from --stdout"
grep -q '^# +expiry-time=' "$F/virt-caps" || fail "no expiry line"
ok "--once writes the labels after an expiry line"

run 0 "$P" --once --from-dir "$D/intel-tdx" --features-dir "$F" --feature-file candidate
[ -f "$F/candidate" ] || fail "--feature-file ignored"
rm "$F/candidate"
ok "--feature-file"

cp "$F/virt-caps" "$TMP/good"
keep_good() {
	cmp -s "$F/virt-caps" "$TMP/good" || fail "last good feature file changed after: $1"
	[ -z "$(ls -A "$F" | grep '^\.')" ] || fail "temp file left after: $1"
	ok "last good file kept: $1"
}
run 4 "$P" --once --connect 'bogus+nowhere:///x' --features-dir "$F"
one_line_error "cannot connect to libvirt at bogus+nowhere:///x"
keep_good "libvirt connection failure (exit 4)"
cp -r "$D/intel-tdx" "$TMP/broken"
echo '<domainCapabilities>' >"$TMP/broken/virsh_domcapabilities.xml"
run 3 "$P" --once --from-dir "$TMP/broken" --features-dir "$F"
keep_good "malformed XML (exit 3)"
run 3 "$P" --once --from-dir "$D/intel-tdx" --features-dir "$TMP/no-such-dir"
one_line_error "features directory $TMP/no-such-dir does not exist"
[ ! -e "$TMP/no-such-dir" ] || fail "missing directory was created"
ok "missing features directory: exit 3"
touch "$TMP/not-a-dir"
run 3 "$P" --once --from-dir "$D/intel-tdx" --features-dir "$TMP/not-a-dir"
one_line_error "is not a directory"
ok "features path is a file: exit 3"

# Splitting: a host with 1500 machine types needs more than 64 KiB.
cp -r "$D/intel-tdx" "$TMP/big"
{
	echo "<capabilities><host><cpu><arch>x86_64</arch></cpu></host><guest><arch name='x86_64'>"
	for i in $(seq 1 1500); do echo "<machine>pc-q35-machine-type-number-$i</machine>"; done
	echo "</arch></guest></capabilities>"
} >"$TMP/big/capabilities.xml"
# A set that grows to two files while a directory is in the way of the
# second: the rename fails, and the first file must still be the old set
# whole (not the first half of the new one); the next probe repairs it.
cp "$F/virt-caps" "$TMP/good"
mkdir "$F/virt-caps-2"
run 3 "$P" --once --from-dir "$TMP/big" --features-dir "$F"
one_line_error "cannot rename $F/.virt-caps-2.tmp to virt-caps-2"
cmp -s "$F/virt-caps" "$TMP/good" || fail "blocked growth changed virt-caps"
[ -z "$(ls -A "$F" | grep '^\.')" ] || fail "temp file left after the blocked growth"
rmdir "$F/virt-caps-2"
ok "growth blocked by a directory: exit 3, the old file kept whole"
run 0 "$P" --once --from-dir "$TMP/big" --features-dir "$F"
[ -f "$F/virt-caps-2" ] || fail "no second file"
sets=$(grep -h '^# virt-caps set=' "$F"/virt-caps* | sed 's/ file=.*//' | sort -u | wc -l)
parts=$(grep -h '^# virt-caps set=' "$F"/virt-caps* | sed 's/.* file=//' | sort | tr '\n' ' ')
[ "$sets" = 1 ] && [ "$parts" = "1/2 2/2 " ] || fail "split files do not name one set: $sets sets, parts $parts"
ok "next probe repaired it: both files of one set"
total=0
for f in "$F"/virt-caps*; do
	[ "$(stat -c %s "$f")" -le 65536 ] || fail "$f is over 64 KiB"
	head -1 "$f" | grep -q '^# +expiry-time=' || fail "$f lacks its expiry line"
	total=$((total + $(grep -vc '^#' "$f")))
done
run 0 "$P" --stdout --from-dir "$TMP/big"
[ "$total" -eq "$(wc -l <"$TMP/out")" ] || fail "split files hold $total labels, not $(wc -l <"$TMP/out")"
ok "split into $(ls "$F" | wc -l) files, each <= 64 KiB, $total labels in all"
run 0 "$P" --once --from-dir "$D/intel-tdx" --features-dir "$F"
[ ! -e "$F/virt-caps-2" ] || fail "surplus virt-caps-2 not removed"
ok "surplus split files removed when the set shrinks"

# Loop: retry keeps the last good file, recovers, exits 0 on SIGTERM.
cp -r "$D/intel-tdx" "$TMP/flaky"
"$P" -v --from-dir "$TMP/flaky" --features-dir "$F" --interval 1s 2>"$TMP/loop.err" &
pid=$!
for _ in $(seq 50); do grep -q 'wrote' "$TMP/loop.err" && break; sleep 0.1; done
cp "$F/virt-caps" "$TMP/good"
cp "$TMP/broken/virsh_domcapabilities.xml" "$TMP/flaky/"
for _ in $(seq 50); do grep -q 'retrying in' "$TMP/loop.err" && break; sleep 0.1; done
grep -q 'retrying in' "$TMP/loop.err" || fail "loop did not report a retry"
tail -n +2 "$F/virt-caps" | cmp -s - <(tail -n +2 "$TMP/good") || fail "labels changed while failing"
cp "$D/intel-tdx/virsh_domcapabilities.xml" "$TMP/flaky/"
n=$(grep -c wrote "$TMP/loop.err")
for _ in $(seq 80); do [ "$(grep -c wrote "$TMP/loop.err")" -gt "$n" ] && break; sleep 0.1; done
[ "$(grep -c wrote "$TMP/loop.err")" -gt "$n" ] || fail "loop did not recover"
kill -TERM $pid
set +e; wait $pid; status=$?; set -e
[ $status -eq 0 ] || fail "SIGTERM: exit status $status"
ok "loop: failure kept the labels, recovered, SIGTERM exits 0"
"$P" -v --from-dir "$D/intel-tdx" --features-dir "$F" --interval 1h 2>"$TMP/loop2.err" &
pid=$!
# The signals are blocked (and taken synchronously) before this line.
for _ in $(seq 300); do grep -q 'probing every' "$TMP/loop2.err" && break; sleep 0.1; done
kill -INT $pid
set +e; wait $pid; status=$?; set -e
[ $status -eq 0 ] || fail "SIGINT: exit status $status"
ok "loop: SIGINT exits 0"
echo "$checks checks passed"
