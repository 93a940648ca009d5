#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe's feature files through the CLI: --once, splitting at NFD's
# 64 KiB limit, the last good file kept on every error, and --from-dir
# as an offline computation that never loops.
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

# --from-dir is offline: without --once it prints and exits, never loops
# and never writes the default features directory. (The loop's retry and
# recovery run against the live driver: faults.sh, loop.sh.)
ls -A "$F" >"$TMP/before"
run 0 timeout 20 "$P" --from-dir "$D/intel-tdx"
grep -q '/virttype=' "$TMP/out" || fail "--from-dir alone did not print the labels"
[ ! -s "$TMP/err" ] || fail "--from-dir alone printed: $(head -1 "$TMP/err")"
ls -A "$F" | cmp -s - "$TMP/before" || fail "--from-dir alone wrote a file"
run 2 "$P" --from-dir "$D/intel-tdx" --features-dir "$F"
one_line_error "--from-dir never loops and writes a feature file only with --once: --features-dir has no effect"
run 2 "$P" --from-dir "$D/intel-tdx" --interval 1h
one_line_error "--interval has no effect"
run 2 "$P" --from-dir "$D/intel-tdx" --once
one_line_error "--from-dir --once writes only into an explicit --features-dir"
ok "--from-dir: prints and exits; writes only with --once --features-dir"
echo "$checks checks passed"
