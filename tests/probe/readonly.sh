#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# An unwritable features directory. Root is not stopped by chmod, so the
# directory is made read-only with a read-only bind mount (or, as an
# ordinary user, with chmod).
. "$(dirname "$0")/../common/lib.sh"
P=$CAPS_PROBE
F="$TMP/features"
mkdir "$F"
run 0 "$P" --once --from-dir "$TEST_DATA_DIR/amd-sev-snp" --features-dir "$F"
cp "$F/virt-caps" "$TMP/good"
if [ "$(id -u)" = 0 ]; then
	mount --bind "$F" "$F" 2>/dev/null && mount -o remount,bind,ro "$F" 2>/dev/null ||
		skip "cannot make a read-only bind mount here (mount not permitted)"
	how="read-only bind mount"
else
	chmod a-w "$F"
	how="chmod a-w"
fi
run 3 "$P" --once --from-dir "$TEST_DATA_DIR/intel-tdx" --features-dir "$F"
one_line_error "cannot create $F/.virt-caps.tmp"
cmp -s "$F/virt-caps" "$TMP/good" || fail "last good file changed"
ok "unwritable features directory ($how): exit 3, one-line error, last good file kept"
echo "$checks checks passed"
