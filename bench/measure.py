#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run a sequence of commands N times; report median wall time and peak RSS.

usage: measure.py RUNS LABEL -- CMD1 [ARGS] [';;' CMD2 ...]

Commands of one sequence run one after another (like the old virsh
collection, through files); a `>FILE` last argument redirects stdout.
Peak RSS is the largest of the sequence's processes (ru_maxrss of each
child, read with wait4), wall time the whole sequence's.
"""
import os
import statistics
import sys
import time


def run_one(argv):
    out = None
    if argv and argv[-1].startswith(">"):
        out = argv[-1][1:]
        argv = argv[:-1]
    pid = os.fork()
    if pid == 0:
        if out:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        if not out:
            os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"measure: {' '.join(argv)} failed with {status}")
    return ru.ru_maxrss  # KiB on Linux


def main():
    runs = int(sys.argv[1])
    label = sys.argv[2]
    assert sys.argv[3] == "--"
    seq, cur = [], []
    for a in sys.argv[4:]:
        if a == ";;":
            seq.append(cur)
            cur = []
        else:
            cur.append(a)
    seq.append(cur)
    walls, rss = [], []
    for _ in range(runs):
        t0 = time.monotonic()
        peak = max(run_one(c) for c in seq)
        walls.append(time.monotonic() - t0)
        rss.append(peak)
    print(f"{label}\t{statistics.median(walls) * 1000:.1f}\t{statistics.median(rss) / 1024:.1f}"
          f"\t{min(walls) * 1000:.1f}\t{max(walls) * 1000:.1f}")


if __name__ == "__main__":
    main()
