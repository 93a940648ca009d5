#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# caps-probe --once against the old collection's four virsh calls
# (node-labeller.sh's domcapabilities, hypervisor-cpu-baseline --features,
# capabilities, plus `virsh version`), run one after another through
# files, on the same libvirt and virttype with a warm capability cache.
# Each side has its own embedded root (one root admits one process).
#
#   bench/probe.sh [RUNS] [VIRTTYPE]     defaults: 20, kvm if usable else qemu
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
P=${CAPS_PROBE:-build/caps-probe}
ARCH=$(uname -m)
case $ARCH in x86_64) M=q35 ;; aarch64) M=virt ;; s390x) M=s390-ccw-virtio ;; esac
if [ -n "${2:-}" ]; then V=$2; elif [ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null; then V=kvm; else V=qemu; fi
[ -x "$P" ] || { echo "build first: make build" >&2; exit 2; }

W=$(mktemp -d /tmp/vc-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
export XDG_CACHE_HOME="$W/xdg"
echo "warming the capability cache (first probe of QEMU)..." >&2
"$P" --stdout --state-dir "$W/warm" --virttype "$V" >/dev/null
cp -a "$W/warm" "$W/probe-root"
cp -a "$W/warm" "$W/virsh-root"
mkdir "$W/features"
# One untimed round each, so both roots' caches are checked and hot.
"$P" --once --state-dir "$W/probe-root" --virttype "$V" --features-dir "$W/features" 2>/dev/null
U="qemu:///embed?root=$W/virsh-root"
virsh -c "$U" capabilities >/dev/null

printf 'side\tmedian_ms\tpeak_rss_mib\tmin_ms\tmax_ms\tcpu_ms\n'
python3 bench/measure.py "$RUNS" caps-probe -- \
	"$P" -q --once --state-dir "$W/probe-root" --virttype "$V" --features-dir "$W/features"
python3 bench/measure.py "$RUNS" virsh-x4 -- \
	virsh -c "$U" domcapabilities --machine "$M" --arch "$ARCH" --virttype "$V" ">$W/dc.xml" ";;" \
	virsh -c "$U" hypervisor-cpu-baseline --features "$W/dc.xml" --machine "$M" --arch "$ARCH" \
	--virttype "$V" ">$W/sf.xml" ";;" \
	virsh -c "$U" capabilities ">$W/caps.xml" ";;" \
	virsh -c "$U" version ">$W/version.txt"
echo "# $(date -u +%Y-%m-%d) $(uname -m) $(nproc) cores, libvirt $(virsh -v), virttype $V, $RUNS runs" >&2
