#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A slow client against caps-probe's metrics endpoint, for metrics.sh.

  metrics-slowloris.py PORT PER_IP

Opens 2 * PER_IP connections to 127.0.0.1:PORT from 127.0.0.1, each with
a request line and a header but no end of headers, then:
  1. scrapes from 127.0.0.2: it must answer 200 while those are held;
  2. checks that exactly PER_IP of them are held and the rest were closed
     at once (the per-IP limit);
  3. trickles a header line a second into the held ones (under the
     inactivity timeout) until the server closes them all (the request
     deadline), two minutes at most;
  4. scrapes from 127.0.0.1: the slots are free again.
Prints one line per step; exits 1 with one line on stderr on failure.
"""
import select
import socket
import sys
import time

HOST = "127.0.0.1"


def die(msg):
    print("metrics-slowloris: " + msg, file=sys.stderr)
    sys.exit(1)


def scrape(port, source):
    """GET /metrics from SOURCE; the status code, or the error."""
    try:
        s = socket.create_connection((HOST, port), timeout=30, source_address=(source, 0))
        s.sendall(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
    except OSError as e:
        return "error: %s" % e
    if b"\ncaps_probe_probes_total{" not in data:
        return "no metrics in %r" % data[:80]
    return data.split(b" ")[1].decode()


def closed(s):
    """True when the server has closed S (end of file or reset)."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(4096) == b""
    except OSError:
        return True


def main():
    port, per_ip = int(sys.argv[1]), int(sys.argv[2])
    socks = []
    for _ in range(2 * per_ip):
        s = socket.create_connection((HOST, port), timeout=30)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    t0 = time.monotonic()
    # The server accepts in order: once it answered this later
    # connection, it has dealt with the slow ones.
    st = scrape(port, "127.0.0.2")
    if st != "200":
        die("scrape from 127.0.0.2 while 127.0.0.1 holds connections: %s" % st)
    print("scrape from 127.0.0.2 while 127.0.0.1 trickles: 200")
    held = [s for s in socks if not closed(s)]
    if len(held) != per_ip:
        die("%d of %d slow connections held, not the per-IP limit %d"
            % (len(held), len(socks), per_ip))
    print("held %d of %d connections from 127.0.0.1, the rest closed at once"
          % (len(held), len(socks)))
    while held and time.monotonic() - t0 < 120:
        time.sleep(1)
        for s in held:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
        held = [s for s in held if not closed(s)]
    if held:
        die("%d slow connections still open after two minutes of trickling" % len(held))
    print("the server closed the trickling connections after %.0f s" % (time.monotonic() - t0))
    st = scrape(port, HOST)
    if st != "200":
        die("scrape from 127.0.0.1 after its slow connections were closed: %s" % st)
    print("scrape from 127.0.0.1 afterwards: 200")


main()
