# SPDX-License-Identifier: Apache-2.0
# Shared by the caps-aggregate benchmarks: a work directory and the label
# templates gen-nodes.py builds node lists from. Source it from the
# repository's top directory with P (caps-probe) set.

# bench_workdir NAME: $W, on tmpfs when there is one: the VM's page-cache
# reclaim would otherwise turn part of the measurement into disk reads.
bench_workdir() {
	local base=/tmp
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
	W=$(mktemp -d "$base/vc-bench-$1-XXXXXX")
	trap 'rm -rf "$W"' EXIT
	export XDG_CACHE_HOME="$W/xdg"
}

# bench_templates: $W/*.labels from this machine (qemu, and kvm when
# /dev/kvm is usable) and three captured hosts.
bench_templates() {
	echo "probing this machine for label templates..." >&2
	"$P" -q --stdout --state-dir "$W/root" --virttype qemu >"$W/live-qemu.labels"
	# -c first: as root, <> would create a regular file /dev/kvm.
	if [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null; then
		"$P" -q --stdout --state-dir "$W/root" --virttype kvm >"$W/live-kvm.labels"
	fi
	for c in debian12-qemu-tcg-epyc amd-sev-snp intel-tdx; do
		"$P" -q --stdout --from-dir "tests/probe/golden/$c" >"$W/$c.labels"
	done
}
