#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scrape caps-probe's metrics endpoint for tests/probe/metrics.sh.

  metrics-scrape.py URL            GET URL, check the text exposition format,
                                   print one sample a line:
                                   NAME<TAB>TYPE<TAB>k=v,k=v (sorted)<TAB>VALUE
  metrics-scrape.py --status METHOD URL
                                   print the HTTP status of METHOD URL

Exits 1 with one line on stderr when the answer is not valid text format:
a sample without its # HELP and # TYPE, a type other than counter or
gauge, a malformed label set, a bad value or content type.
"""
import re
import sys
import urllib.error
import urllib.request

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(%s)(?:\{(.*)\})? (\S+)$" % NAME)


def die(msg):
    print("metrics-scrape: " + msg, file=sys.stderr)
    sys.exit(1)


def status(method, url):
    req = urllib.request.Request(url, method=method, data=b"x=1" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = re.compile(LABEL).match(text, pos)
        if not m:
            die("malformed label set {%s}" % text)
        labels[m.group(1)] = unescape(m.group(2))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                die("malformed label set {%s}" % text)
            pos += 1
    return labels


def parse(body):
    helps, types, out = set(), {}, []
    for line in body.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split(" ")[2])
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            if kind not in ("counter", "gauge"):
                die("%s has type %s" % (name, kind))
            types[name] = kind
        else:
            m = SAMPLE.match(line)
            if not m:
                die("not a sample line: %r" % line)
            name, labels, value = m.group(1), parse_labels(m.group(2) or ""), m.group(3)
            if name not in helps or name not in types:
                die("%s has no # HELP or # TYPE before it" % name)
            float(value)
            flat = ",".join("%s=%s" % kv for kv in sorted(labels.items()))
            out.append("\t".join((name, types[name], flat, value)))
    return out


def main():
    if sys.argv[1] == "--status":
        print(status(sys.argv[2], sys.argv[3]))
        return
    with urllib.request.urlopen(sys.argv[1], timeout=30) as r:
        ctype = r.headers.get("Content-Type", "")
        body = r.read().decode("utf-8")
    if not ctype.startswith("text/plain; version=0.0.4"):
        die("content type %r" % ctype)
    print("\n".join(parse(body)))


main()
