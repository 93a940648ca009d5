#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run a sequence of commands N times; report median wall time and peak RSS.

usage: measure.py [--status N] RUNS LABEL -- CMD1 [ARGS] [';;' CMD2 ...]

Commands of one sequence run one after another (like the old virsh
collection, through files); a `>FILE` last argument redirects stdout.
Peak RSS is the largest of the sequence's processes (each one's peak,
reported by GNU time), wall time the whole sequence's, CPU time the
user + system time of its processes (steadier than wall time on a shared
machine). Every command must exit 0, or N with --status N (for inputs
that must be refused).

Prints: LABEL median_ms peak_rss_mib min_ms max_ms median_cpu_ms
"""
import os
import statistics
import sys
import time


# ru_maxrss of a forked child counts what it had before exec: this
# Python's ~10 MiB. GNU time, small itself, forks the command and reports
# the command's own peak (%M); without it the figure has that floor.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_one(argv):
    out = None
    if argv and argv[-1].startswith(">"):
        out = argv[-1][1:]
        argv = argv[:-1]
    shown = argv
    rss_file = f"/tmp/measure-rss-{os.getpid()}"
    if GNU_TIME:
        argv = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file, "--"] + argv
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
    if os.waitstatus_to_exitcode(status) != EXPECT:
        sys.exit(f"measure: {' '.join(shown)} exited {os.waitstatus_to_exitcode(status)}, not {EXPECT}")
    rss = ru.ru_maxrss  # KiB on Linux
    if GNU_TIME:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1])
        os.unlink(rss_file)
    return rss, ru.ru_utime + ru.ru_stime


EXPECT = 0


def main():
    global EXPECT
    args = sys.argv[1:]
    if args[0] == "--status":
        EXPECT = int(args[1])
        args = args[2:]
    runs = int(args[0])
    label = args[1]
    assert args[2] == "--"
    seq, cur = [], []
    for a in args[3:]:
        if a == ";;":
            seq.append(cur)
            cur = []
        else:
            cur.append(a)
    seq.append(cur)
    walls, rss, cpus = [], [], []
    for _ in range(runs):
        t0 = time.monotonic()
        results = [run_one(c) for c in seq]
        walls.append(time.monotonic() - t0)
        rss.append(max(r[0] for r in results))
        cpus.append(sum(r[1] for r in results))
    print(f"{label}\t{statistics.median(walls) * 1000:.1f}\t{statistics.median(rss) / 1024:.1f}"
          f"\t{min(walls) * 1000:.1f}\t{max(walls) * 1000:.1f}\t{statistics.median(cpus) * 1000:.1f}")


if __name__ == "__main__":
    main()
