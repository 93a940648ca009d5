#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe's command line: usage errors, bad --from-dir contents, and
# the outputs of --from-dir against the golden files.
. "$(dirname "$0")/../common/lib.sh"
P=$CAPS_PROBE
D=$TEST_DATA_DIR

run 0 "$P" --help
grep -q '^Usage: caps-probe' "$TMP/out" || fail "--help lacks a usage line"
grep -q -- '--label-scheme' "$TMP/out" || fail "--help does not list --label-scheme"
ok "--help"
run 0 "$P" --version
grep -Eq '^caps-probe [0-9]+\.[0-9]+\.[0-9]+ \(libvirt [0-9.]+\)$' "$TMP/out" || fail "--version: $(cat "$TMP/out")"
ok "--version"

usage() {
	run 2 "$P" "$@"
	one_line_error "$1"
	ok "usage error: $*"
}
usage --no-such-flag
usage --interval 5y --stdout
usage --interval 0 --stdout
usage --output xml
usage --label-scheme foo --stdout
usage --label-namespace Upper.Case --stdout
usage --feature-file .hidden --once
usage --virttype xen --stdout
usage --stdout --output=json
run 2 "$P" --stdout extra-argument
one_line_error "unexpected argument 'extra-argument'"
ok "stray argument"
# Usage errors quote the argument escaped (src/core/cli.c, shared with
# caps-aggregate): no raw ESC for the terminal, no second line.
for args in "-o|"$'\e[2J\r\nX' "--stdout|"$'\e[2J\r\nX' "--interval|"$'\e[2J\r\nX'; do
	run 2 "$P" "${args%%|*}" "${args#*|}" --stdout
	one_line_error "'"'\x1b[2J\x0d\x0aX'"'"
	! tr -d '\n' <"$TMP/err" | LC_ALL=C grep -q '[[:cntrl:]]' || fail "raw control bytes: ${args%%|*}"
	ok "usage error quotes the argument escaped: ${args%%|*}"
done
run 2 "$P" --from-dir "$D/amd-sev-snp" --connect qemu:///system --stdout
one_line_error "--from-dir does not talk to libvirt"
ok "--from-dir with --connect"

bad_dir() {
	# bad_dir CASE MESSAGE: a copy of a good case, broken by the caller
	run 3 "$P" --from-dir "$TMP/$1" --stdout
	one_line_error "$2"
	[ ! -s "$TMP/out" ] || fail "partial output on error"
	ok "bad --from-dir: $1"
}
cp -r "$D/amd-sev-snp" "$TMP/missing-file"
rm "$TMP/missing-file/supported_features.xml"
bad_dir missing-file "cannot read $TMP/missing-file/supported_features.xml: No such file or directory"
cp -r "$D/amd-sev-snp" "$TMP/malformed"
head -c 300 "$D/amd-sev-snp/virsh_domcapabilities.xml" >"$TMP/malformed/virsh_domcapabilities.xml"
bad_dir malformed "$TMP/malformed/virsh_domcapabilities.xml: malformed XML at line"
cp -r "$D/amd-sev-snp" "$TMP/empty"
: >"$TMP/empty/capabilities.xml"
bad_dir empty "$TMP/empty/capabilities.xml: empty document, expected <capabilities>"
cp -r "$D/amd-sev-snp" "$TMP/wrong-root"
cp "$D/amd-sev-snp/capabilities.xml" "$TMP/wrong-root/supported_features.xml"
bad_dir wrong-root "root element is <capabilities>, expected <cpu>"
cp -r "$D/amd-sev-snp" "$TMP/binary"
head -c 4096 /dev/urandom >"$TMP/binary/virsh_domcapabilities.xml"
run 3 "$P" --from-dir "$TMP/binary" --stdout
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "binary garbage: not a one-line error"
ok "bad --from-dir: random bytes"
run 3 "$P" --from-dir "$TMP/does-not-exist" --stdout
one_line_error "cannot read $TMP/does-not-exist/virsh_domcapabilities.xml"
ok "bad --from-dir: no such directory"
run 3 "$P" --from-dir "$D/x86-host-model-unsupported" --stdout
one_line_error "host-model CPU is not supported"
ok "x86_64 host without a supported host-model"

# aarch64 needs no supported_features.xml.
run 0 "$P" --from-dir "$D/aarch64-no-host-model" --stdout
grep -q '/machine-type.virt=true' "$TMP/out" || fail "aarch64 labels missing"
ok "aarch64 without supported_features.xml"

# The CLI prints what the golden files hold.
for dir in "$D"/*/; do
	name=$(basename "$dir")
	[ -e "$dir/expected-error" ] && continue
	run 0 "$P" --from-dir "$dir" --stdout --label-scheme kubevirt
	cmp -s "$TMP/out" "$dir/labels.kubevirt" || fail "$name: --stdout --label-scheme kubevirt differs"
	run 0 "$P" --from-dir "$dir" --stdout
	cmp -s "$TMP/out" "$dir/labels.nfd" || fail "$name: --stdout differs"
	run 0 "$P" --from-dir "$dir" --output yaml --node-name "$name"
	cmp -s "$TMP/out" "$dir/report.yaml" || fail "$name: --output yaml differs"
	run 0 "$P" --from-dir "$dir" -o json --node-name "$name"
	cmp -s "$TMP/out" "$dir/report.json" || fail "$name: --output json differs"
	ok "$name: CLI output equals the golden files"
done

# Node name: flag, then $NODE_NAME, then the host name.
run 0 env NODE_NAME=from-env "$P" --from-dir "$D/amd-sev-snp" -o yaml
grep -q '^node_name: from-env$' "$TMP/out" || fail "NODE_NAME not used"
run 0 env -u NODE_NAME "$P" --from-dir "$D/amd-sev-snp" -o yaml
grep -q "^node_name: $(hostname)\$" "$TMP/out" || fail "host name not used"
ok "node name sources"

# --obsolete-models replaces KubeVirt's list and enables obsolete-host-model.
run 0 "$P" --from-dir "$D/amd-sev-snp" --stdout --label-scheme kubevirt --obsolete-models EPYC-Genoa,EPYC
grep -q '^node-labeller.kubevirt.io/obsolete-host-model=true$' "$TMP/out" || fail "no obsolete-host-model"
! grep -q '^cpu-model.node.kubevirt.io/EPYC=' "$TMP/out" || fail "obsolete EPYC still usable"
ok "--obsolete-models"
run 0 "$P" --from-dir "$D/amd-sev-snp" --stdout --label-namespace candidate.libvirt.feature.node.kubernetes.io
[ "$(grep -vc '^candidate\.libvirt\.feature\.node\.kubernetes\.io/' "$TMP/out")" -eq 0 ] || fail "namespace not applied"
ok "--label-namespace"
# Verbosity: warnings only by default, -v adds info, -v -v debug.
mkdir "$TMP/verbosity"
run 0 "$P" --once --from-dir "$D/intel-tdx" --features-dir "$TMP/verbosity"
[ ! -s "$TMP/err" ] || fail "default verbosity printed: $(head -1 "$TMP/err")"
run 0 "$P" -v --once --from-dir "$D/intel-tdx" --features-dir "$TMP/verbosity"
grep -q '^caps-probe: info: wrote [0-9]* labels' "$TMP/err" || fail "-v does not show info"
! grep -q ': debug: ' "$TMP/err" || fail "-v shows debug"
run 0 "$P" -q --once --from-dir "$D/intel-tdx" --features-dir "$TMP/verbosity"
[ ! -s "$TMP/err" ] || fail "-q printed something"
ok "verbosity: quiet by default, -v info"

# Standard output that cannot be written: one line, exit 5, for both outputs.
for mode in --stdout "--output json"; do
	set +e
	# shellcheck disable=SC2086
	"$P" --from-dir "$D/intel-tdx" $mode >/dev/full 2>"$TMP/err"
	st=$?
	set -e
	[ $st -eq 5 ] || fail "$mode > /dev/full: exit status $st, expected 5"
	one_line_error "cannot write the output to standard output: No space left on device"
done
ok "a failed write of standard output: exit 5, one line"
st=$(closed_pipe "$P" --stdout --from-dir "$D/intel-tdx")
[ "$st" = 5 ] || fail "--stdout into a closed pipe: exit status $st, expected 5"
one_line_error "cannot write the output to standard output: Broken pipe"
ok "a closed pipe: exit 5, one line (no SIGPIPE)"

# Options that would mean nothing in the chosen mode are refused.
run 2 "$P" --from-dir "$D/intel-tdx" --stdout --arch aarch64
one_line_error "--from-dir does not talk to libvirt: --arch has no effect"
run 2 "$P" --from-dir "$D/intel-tdx" --stdout --virttype kvm
one_line_error "--virttype has no effect"
run 2 "$P" --stdout --from-dir "$D/intel-tdx" --features-dir "$TMP"
one_line_error "--features-dir has no effect with --stdout"
run 2 "$P" -o json --from-dir "$D/intel-tdx" --once
one_line_error "--once has no effect with --output"
run 2 "$P" --stdout --connect qemu:///system --state-dir "$TMP"
one_line_error "--state-dir has no effect with --connect"
run 2 "$P" --stdout --connect ''
one_line_error "an empty value is not allowed"
ok "options without effect in the chosen mode are usage errors"

# A libvirt failure is one line of ours: libvirt's own log lines appear
# with -v -v only.
bad_uri="qemu:///embed?root=/proc/vc-no-such-dir"
run 4 "$P" --stdout --connect "$bad_uri"
one_line_error "cannot connect to libvirt at $bad_uri"
run 4 "$P" -v --stdout --connect "$bad_uri"
one_line_error "cannot connect to libvirt at $bad_uri"
run 4 "$P" -v -v --stdout --connect "$bad_uri"
grep -q 'virStateInitialize' "$TMP/err" || fail "-v -v does not show libvirt's log"
grep -q "^caps-probe: error: cannot connect to libvirt" "$TMP/err" || fail "-v -v lost our error"
ok "libvirt failure: one line, libvirt's detail at -v -v"
echo "$checks checks passed"
