#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback HTTP proxy for caps-aggregate's proxy tests.

It tunnels CONNECT host:port (https servers) and forwards absolute-form
requests (GET http://host:port/path, http servers), and logs one JSON line
per request it received: method and target. --map NAME=IP resolves NAME
(e.g. kube.test, which does not resolve elsewhere) to IP, so that a test
can tell a request that went through the proxy from a direct one.

With --socks5 it is a SOCKS5 proxy instead (RFC 1928, CONNECT only, no
authentication or RFC 1929 user/password): it logs method "SOCKS5", the
target as the client named it (a name when the client left resolving to
the proxy, as socks5h does) and the user, if any.
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


class Socks5Handler(Handler):
    def read(self, n):
        data = self.rfile.read(n)
        if len(data) != n:
            raise EOFError("short SOCKS5 message")
        return data

    def auth(self):
        """The method the client offered, and its user for method 2."""
        ver, nmethods = self.read(2)
        methods = self.read(nmethods)
        if ver != 5:
            raise EOFError("not SOCKS5")
        if 2 in methods:
            self.wfile.write(b"\x05\x02")
            self.read(1)
            user = self.read(self.read(1)[0]).decode("latin-1")
            self.read(self.read(1)[0])
            self.wfile.write(b"\x01\x00")
            return user
        if 0 not in methods:
            self.wfile.write(b"\x05\xff")
            raise EOFError("no acceptable method")
        self.wfile.write(b"\x05\x00")
        return None

    def target(self):
        _, cmd, _, atyp = self.read(4)
        if atyp == 1:
            host = socket.inet_ntop(socket.AF_INET, self.read(4))
        elif atyp == 4:
            host = "[" + socket.inet_ntop(socket.AF_INET6, self.read(16)) + "]"
        else:
            host = self.read(self.read(1)[0]).decode("latin-1")
        port = int.from_bytes(self.read(2), "big")
        return cmd, f"{host}:{port}"

    def handle(self):
        try:
            user = self.auth()
            cmd, target = self.target()
        except EOFError:
            return
        entry = {"method": "SOCKS5", "target": target}
        if user is not None:
            entry["user"] = user
        with self.server.lock, open(self.server.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
        if cmd != 1:
            self.wfile.write(b"\x05\x07\x00\x01" + bytes(6))
            return
        upstream = self.connect(target)
        self.wfile.write(b"\x05\x00\x00\x01" + bytes(6))
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
    p.add_argument("--socks5", action="store_true", help="a SOCKS5 proxy, not HTTP")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Socks5Handler if args.socks5 else Handler)
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
