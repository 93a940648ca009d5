#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback HTTP proxy for caps-aggregate's proxy tests.

It tunnels CONNECT host:port (https servers) and forwards absolute-form
requests (GET http://host:port/path, http servers), and logs one JSON line
per request it received: method and target. --map NAME=IP resolves NAME
(e.g. kube.test, which does not resolve elsewhere) to IP, so that a test
can tell a request that went through the proxy from a direct one.
"""
import argparse
import json
import os
import socket
import socketserver
import sys
import threading
import urllib.parse


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class Handler(socketserver.StreamRequestHandler):
    # Unbuffered: nothing the client sends after the head is left in a buffer.
    rbufsize = 0
    def read_head(self):
        lines = []
        while True:
            line = self.rfile.readline(65536)
            if not line or line in (b"\r\n", b"\n"):
                return lines
            lines.append(line)

    def connect(self, hostport):
        host, _, port = hostport.rpartition(":")
        host = host.strip("[]")
        host = self.server.map.get(host, host)
        return socket.create_connection((host, int(port)), timeout=30)

    def handle(self):
        head = self.read_head()
        if not head:
            return
        method, target, _ = head[0].decode("latin-1").split(" ", 2)
        with self.server.lock, open(self.server.log, "a") as f:
            f.write(json.dumps({"method": method, "target": target}) + "\n")
        if method == "CONNECT":
            upstream = self.connect(target)
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            url = urllib.parse.urlsplit(target)
            port = url.port or 80
            upstream = self.connect(f"{url.hostname}:{port}")
            path = url.path + ("?" + url.query if url.query else "")
            upstream.sendall(f"{method} {path} HTTP/1.1\r\n".encode() + b"".join(head[1:]) + b"\r\n")
        self.wfile.flush()
        t = threading.Thread(target=pipe, args=(upstream, self.connection), daemon=True)
        t.start()
        pipe(self.connection, upstream)
        t.join(30)
        upstream.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--map", action="append", default=[], help="NAME=IP")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.log = args.log
    server.lock = threading.Lock()
    server.map = dict(m.split("=", 1) for m in args.map)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    # Stop by itself after a while: a test never leaves a proxy behind.
    timer = threading.Timer(300, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
