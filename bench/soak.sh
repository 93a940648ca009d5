#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Soak: caps-probe in loop mode (--interval 1s) against the embedded QEMU
# driver for SOAK_SECONDS (default 600), while a reader re-parses the
# feature file as fast as it can and checks every copy it reads (expiry
# line, key=value syntax, the caps-digest recomputed over the other
# labels). Reports probes, errors, reads, bad reads, and caps-probe's RSS
# and open file descriptors at the start and at the end.
#
#   bench/soak.sh [BUILD_DIR]        (SOAK_SECONDS=60 for a short run)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SECS=${SOAK_SECONDS:-600}
PROBE=$BUILD/caps-probe
[ -x "$PROBE" ] || { echo "soak: build first (make build)" >&2; exit 2; }
W=$(mktemp -d /tmp/vc-soak-XXXXXX)
trap 'kill $probe $reader 2>/dev/null || true; rm -rf "$W"' EXIT
mkdir -p "$W/features"
if [ -e "$BUILD/tests/warm-root/.warm" ]; then
	cp -a "$BUILD/tests/warm-root" "$W/state"
fi

"$PROBE" --interval 1s --virttype qemu --state-dir "$W/state" --features-dir "$W/features" -v \
	2>"$W/probe.log" &
probe=$!
for _ in $(seq 600); do [ -s "$W/features/virt-caps" ] && break; sleep 0.1; done
[ -s "$W/features/virt-caps" ] || { cat "$W/probe.log" >&2; echo "soak: no first file" >&2; exit 1; }

python3 - "$W/features/virt-caps" "$W/reader.json" <<'PY' &
import json, os, signal, sys
path, out = sys.argv[1:3]
FNV_OFFSET, FNV_PRIME = 0xcbf29ce484222325, 0x100000001b3
reads = bad = 0
first_bad = None
stop = False
def done(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, done)
while not stop:
    with open(path, "rb") as f:
        data = f.read()
    reads += 1
    lines = data.decode().split("\n")
    ok = data.endswith(b"\n") and lines[0].startswith("# +expiry-time=")
    labels = [l for l in lines[1:] if l and not l.startswith("#")]
    ok = ok and all("=" in l for l in labels)
    digest = [l.split("=", 1)[1] for l in labels if l.split("=", 1)[0].endswith("/caps-digest")]
    rest = sorted((l for l in labels if not l.split("=", 1)[0].endswith("/caps-digest")),
                  key=lambda l: l.split("=", 1)[0].encode())
    h = FNV_OFFSET
    for b in "".join(l + "\n" for l in rest).encode():
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    ok = ok and digest == [f"{h:016x}"]
    if not ok:
        bad += 1
        first_bad = first_bad or data[:200].decode(errors="replace")
json.dump({"reads": reads, "bad": bad, "first_bad": first_bad}, open(out, "w"))
PY
reader=$!

sample() { # RSS_KIB HWM_KIB FDS
	awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%s %s ", r, h}' /proc/$probe/status
	ls /proc/$probe/fd | wc -l
}
sleep 10
read -r rss0 hwm0 fd0 <<<"$(sample)"
probes0=$(grep -c 'wrote ' "$W/probe.log" || true)
t0=$(date +%s)
echo "soak: ${SECS}s; start (after 10 s): RSS ${rss0} KiB, peak ${hwm0} KiB, ${fd0} fds"
rss_max=$rss0
while [ $(($(date +%s) - t0)) -lt "$SECS" ]; do
	sleep 10
	kill -0 $probe 2>/dev/null || { echo "soak: caps-probe died" >&2; tail "$W/probe.log" >&2; exit 1; }
	read -r rss _ fds <<<"$(sample)"
	[ "$rss" -gt "$rss_max" ] && rss_max=$rss
	if [ -t 1 ]; then printf '\r  %4ds  RSS %s KiB  fds %s  probes %s ' $(($(date +%s) - t0)) "$rss" "$fds" \
		"$(grep -c 'wrote ' "$W/probe.log")"; fi
done
[ -t 1 ] && echo
read -r rss1 hwm1 fd1 <<<"$(sample)"
kill -TERM $reader
wait $reader || true
kill -TERM $probe
wait $probe || { echo "soak: caps-probe exit status $?" >&2; exit 1; }
probes=$(($(grep -c 'wrote ' "$W/probe.log") - probes0))
errors=$(grep -c 'probe failed' "$W/probe.log" || true)
read -r reads bad <<<"$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["reads"], r["bad"])' "$W/reader.json")"
echo "| duration | probes | probe errors | reads | bad reads | RSS start → end (max) | peak RSS start → end | fds start → end |"
echo "|---|---|---|---|---|---|---|---|"
echo "| ${SECS} s | $probes | $errors | $reads | $bad | ${rss0} → ${rss1} KiB (${rss_max}) | ${hwm0} → ${hwm1} KiB | $fd0 → $fd1 |"
status=0
[ "$errors" = 0 ] || { echo "soak: $errors probe errors:" >&2; grep -m3 'probe failed' -B2 "$W/probe.log" >&2; status=1; }
[ "$bad" = 0 ] || { echo "soak: $bad bad reads, first: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_bad"])' "$W/reader.json")" >&2; status=1; }
[ "$fd1" = "$fd0" ] || { echo "soak: file descriptors $fd0 -> $fd1" >&2; status=1; }
# Growth: allow 1 MiB of allocator noise over the whole run.
[ "$rss1" -le $((rss0 + 1024)) ] || { echo "soak: RSS grew $rss0 -> $rss1 KiB" >&2; status=1; }
exit $status
