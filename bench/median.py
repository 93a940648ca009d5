#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fold single-run lines of measure.py (LABEL wall rss min max cpu) into one
line per label: median wall, median peak RSS, min, max, median CPU; then
the ratio of the first label to the second, by wall and by CPU time.

usage: ... | median.py
"""
import statistics
import sys


def main():
    runs = {}
    for line in sys.stdin:
        label, wall, rss, _, _, cpu = line.split("\t")
        runs.setdefault(label, []).append((float(wall), float(rss), float(cpu)))
    med = {}
    for label, r in runs.items():
        walls = [x[0] for x in r]
        med[label] = (statistics.median(walls), statistics.median(x[2] for x in r))
        print(f"{label}\t{med[label][0]:.1f}\t{statistics.median(x[1] for x in r):.1f}"
              f"\t{min(walls):.1f}\t{max(walls):.1f}\t{med[label][1]:.1f}")
    if len(med) == 2:
        (a, (aw, ac)), (b, (bw, bc)) = med.items()
        print(f"{a}/{b}\t{aw / bw:.2f}x\t\t\t\t{ac / bc:.2f}x")


if __name__ == "__main__":
    main()
