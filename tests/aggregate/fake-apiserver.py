#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A loopback HTTPS server that answers GET /api/v1/nodes as the Kubernetes
API server does, for caps-aggregate's API client tests.

It serves the nodes of a `kubectl get nodes -o json` file as metadata-only
pages (PartialObjectMetadataList, limit/continue, labelSelector with
equality terms), checks a bearer token or a client certificate, answers
with Kubernetes Status objects on errors, and can misbehave on purpose
(--scenario). Each request is logged as one JSON line (never the token).
With --plain it speaks HTTP without TLS.

With --configmaps FILE it also serves ConfigMaps (GET, POST, PUT of
/api/v1/namespaces/NS/configmaps[/NAME]) as the API server does for
caps-aggregate --keep: a resourceVersion per object, 409 Conflict on a
stale one or on creating one that exists, 404 on updating a missing one,
422 past 1 MiB of data. Scenarios cm-403 (every call refused),
cm-create-403 (POST refused), cm-get-html (a proxy's HTML page with
200 on GET). FILE holds them ({"NS/NAME": object}), read at
start and rewritten after each change, so tests can seed and inspect them.
"""
import argparse
import base64
import http.server
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse

ACCEPT_META = "as=PartialObjectMetadataList"


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.count = 0
        with open(args.nodes) as f:
            self.nodes = json.load(f)["items"]
        self.configmaps = {}
        self.rv = 1000
        self.puts = 0
        if args.configmaps and os.path.exists(args.configmaps):
            with open(args.configmaps) as f:
                self.configmaps = json.load(f)
            self.rv += sum(int(o["metadata"]["resourceVersion"]) for o in self.configmaps.values())

    def save_configmaps(self):
        tmp = self.args.configmaps + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.configmaps, f, indent=1)
        os.rename(tmp, self.args.configmaps)

    def bump(self, obj):
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)


CM_PATH = re.compile(r"^/api/v1/namespaces/([a-z0-9-]+)/configmaps(?:/([a-z0-9.-]+))?$")
CM_MAX = 1 << 20


def selector_match(selector, labels):
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.split("=", 1)
            if labels.get(k) != v.lstrip("="):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, doc, extra=None, truncate=False):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def authenticated(self):
        auth = self.headers.get("Authorization", "")
        if self.server.state.args.token and auth == "Bearer " + self.server.state.args.token:
            return "bearer"
        cert = getattr(self.connection, "getpeercert", lambda: None)()
        if cert:
            return "client-certificate"
        return None

    def read_body(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        try:
            return json.loads(self.rfile.read(n))
        except ValueError:
            return None

    def configmap(self, method, ns, name):
        """The ConfigMap calls of caps-aggregate --keep, under state.lock."""
        state = self.server.state
        sc = state.args.scenario
        key = f"{ns}/{name}"
        if sc == "cm-403":
            verb = {"GET": "get", "POST": "create", "PUT": "update"}[method]
            return 403, status(403, "Forbidden",
                               f'configmaps "{name}" is forbidden: User "system:serviceaccount:virt-caps:caps-aggregate" '
                               f'cannot {verb} resource "configmaps" in API group "" in the namespace "{ns}"')
        if sc == "cm-create-403" and method == "POST":
            return 403, status(403, "Forbidden",
                               f'configmaps is forbidden: User "system:serviceaccount:virt-caps:caps-aggregate" '
                               f'cannot create resource "configmaps" in API group "" in the namespace "{ns}"')
        if method == "GET":
            if key not in state.configmaps:
                return 404, status(404, "NotFound", f'configmaps "{name}" not found')
            return 200, state.configmaps[key]
        obj = self.read_body()
        if not isinstance(obj, dict) or obj.get("kind") != "ConfigMap":
            return 400, status(400, "BadRequest", "not a ConfigMap")
        meta = obj.setdefault("metadata", {})
        name = name or meta.get("name")
        key = f"{ns}/{name}"
        if meta.get("name") != name or meta.get("namespace", ns) != ns:
            return 400, status(400, "BadRequest", "the name or namespace does not match the path")
        size = sum(len(k.encode()) + len(v.encode()) for k, v in obj.get("data", {}).items())
        if size > CM_MAX:
            return 422, status(422, "Invalid", f'ConfigMap "{name}" is invalid: []: Too long: must have at most {CM_MAX} bytes')
        conflict = status(409, "Conflict", f'Operation cannot be fulfilled on configmaps "{name}": '
                          'the object has been modified; please apply your changes to the latest version and try again')
        if method == "POST":
            if key in state.configmaps:
                return 409, status(409, "AlreadyExists", f'configmaps "{name}" already exists')
        else:
            if key not in state.configmaps:
                return 404, status(404, "NotFound", f'configmaps "{name}" not found')
            state.puts += 1
            if sc == "cm-conflict-always" or sc == "cm-conflict-once" and state.puts == 1:
                state.bump(state.configmaps[key])  # another writer came first
                state.save_configmaps()
                return 409, conflict
            rv = meta.get("resourceVersion")
            if rv and rv != state.configmaps[key]["metadata"]["resourceVersion"]:
                return 409, conflict
        state.bump(obj)
        state.configmaps[key] = obj
        state.save_configmaps()
        return (201 if method == "POST" else 200), obj

    def configmap_call(self, method, entry):
        state = self.server.state
        m = CM_PATH.match(urllib.parse.urlsplit(self.path).path)
        if not m or not state.args.configmaps or bool(m.group(2)) != (method != "POST"):
            self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        if not entry["auth"]:
            self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            return
        if state.args.scenario == "cm-get-html" and method == "GET":
            body = b"<html><body>Service Unavailable</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with state.lock:
            code, doc = self.configmap(method, m.group(1), m.group(2))
        self.send_json(code, doc)

    def log_request_entry(self, method):
        state = self.server.state
        with state.lock:
            state.count += 1
            n = state.count
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        entry = {"n": n, "method": method, "path": url.path,
                 "query": {k: v[0] for k, v in query.items()},
                 "accept": self.headers.get("Accept", ""), "auth": self.authenticated(),
                 "user_agent": self.headers.get("User-Agent", ""),
                 "client_port": self.client_address[1]}
        with state.lock, open(state.args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
        return entry

    def do_POST(self):
        self.configmap_call("POST", self.log_request_entry("POST"))

    def do_PUT(self):
        self.configmap_call("PUT", self.log_request_entry("PUT"))

    def page(self, query):
        nodes = self.server.state.nodes
        sel = query.get("labelSelector", [""])[0]
        nodes = [n for n in nodes if selector_match(sel, n["metadata"].get("labels", {}))]
        limit = int(query.get("limit", ["0"])[0] or 0) or len(nodes) or 1
        cont = query.get("continue", [""])[0]
        start = int(base64.b64decode(cont).decode().split("=")[1]) if cont else 0
        items = [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                  "metadata": self.bloat(n["metadata"])} for n in nodes[start:start + limit]]
        if self.server.state.args.scenario == "dup-node" and start == 0:
            items.append(items[0])  # a server bug: one node listed twice
        meta = {"resourceVersion": "4242"}
        if start + limit < len(nodes):
            meta["continue"] = base64.b64encode(f"offset={start + limit}".encode()).decode()
        return {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                "metadata": meta, "items": items}

    def bloat(self, meta):
        """Scenario huge: 5,000 foreign labels and a 1 MiB annotation per node.
        Scenario huge-token: a 5 MiB annotation (more than any real object)."""
        if self.server.state.args.scenario == "huge-token":
            return dict(meta, annotations={"example.com/blob": "x" * (5 << 20)})
        if self.server.state.args.scenario != "huge":
            return meta
        meta = dict(meta)
        labels = dict(meta.get("labels", {}))
        for i in range(5000):
            labels[f"vendor{i % 50}.example.com/some-rather-long-label-name-{i:05d}"] = "v" * 63
        meta["labels"] = labels
        meta["annotations"] = {"example.com/blob": "x" * (1 << 20)}
        return meta

    def endless(self, n, query):
        """Scenarios continue-*: pages that never end."""
        sc = self.server.state.args.scenario
        items = [{"metadata": {"name": f"endless-{n}-{i}", "labels": {}}} for i in range(2)]
        token = "same-token" if sc == "continue-repeat" else f"token-{n}"
        if sc == "continue-huge":  # 100 KiB: longer than any real one
            token = f"token-{n}-" + "x" * (100 << 10)
        if sc == "continue-endless":
            time.sleep(0.1)  # a slow server: the deadline test needs few requests
        # continue-fast (bench/endless.sh): as fast as it can
        self.send_json(200, {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                             "metadata": {"continue": token}, "items": items})

    def hostile_error(self, sc):
        """Scenarios error-*: 400 bodies made to hurt the Status parser."""
        if sc == "error-deep-open":
            body = b"[" * 65536
        elif sc == "error-deep-closed":
            body = b"[" * 32768 + b"]" * 32768
        else:  # error-long-message: 40,000 characters (55 KiB as JSON), newlines and escapes
            msg = ("evil\n\x1b[31mline\r" * 2500)[:40000]
            body = json.dumps(status(400, "BadRequest", msg)).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def misbehave(self, n, query):
        """Return True when the scenario answered this request itself."""
        sc = self.server.state.args.scenario
        if sc.startswith("continue-"):
            self.endless(n, query)
            return True
        if sc.startswith("error-"):
            self.hostile_error(sc)
            return True
        if sc == "429-always":
            self.send_json(429, status(429, "TooManyRequests", "too many requests"),
                           {"Retry-After": "30"})
            return True
        if sc == "hang":
            time.sleep(30)
            return True
        if sc == "401":
            self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            return True
        if sc == "403":
            self.send_json(403, status(403, "Forbidden",
                                       'nodes is forbidden: User "system:serviceaccount:default:caps" '
                                       'cannot list resource "nodes" in API group "" at the cluster scope'))
            return True
        if sc == "429-once" and n == 1:
            self.send_json(429, status(429, "TooManyRequests", "too many requests"),
                           {"Retry-After": "1"})
            return True
        if sc == "500-once" and n == 1:
            self.send_json(500, status(500, "InternalError", "etcdserver: leader changed"))
            return True
        if sc == "truncated-once" and n == 1 or sc == "truncated-always":
            self.send_json(200, self.page(query), truncate=True)
            return True
        if sc == "garbage-once" and n == 1:
            body = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        if sc == "reset-once" and n == 1 or sc == "reset-always":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            self.close_connection = True
            return True
        if sc == "status-200":  # a Status where the list should be
            self.send_json(200, status(200, "Success", "not a list"))
            return True
        if sc == "podlist":
            self.send_json(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {},
                                 "items": [{"kind": "Pod", "metadata": {"name": "p"}}]})
            return True
        if sc == "trailing-always":  # a whole page, then garbage
            body = json.dumps(self.page(query)).encode() + b" trailing"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        if sc == "gone-first":  # 410 to a request without a continue token
            self.send_json(410, status(410, "Gone", "the resource is gone"))
            return True
        if (sc == "gone-once" and n == 2 or sc == "gone-always") and "continue" in query:
            self.send_json(410, status(410, "Expired", "The provided continue parameter is too old"))
            return True
        return False

    def do_GET(self):
        state = self.server.state
        with state.lock:
            state.count += 1
            n = state.count
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        who = self.authenticated()
        entry = {"n": n, "method": "GET", "path": url.path, "query": {k: v[0] for k, v in query.items()},
                 "accept": self.headers.get("Accept", ""), "auth": who,
                 "user_agent": self.headers.get("User-Agent", ""),
                 "client_port": self.client_address[1]}
        with state.lock, open(state.args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
        if CM_PATH.match(url.path):
            self.configmap_call("GET", entry)
            return
        if url.path != "/api/v1/nodes":
            self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            return
        if self.misbehave(n, query):
            return
        if not who:
            self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            return
        if ACCEPT_META not in self.headers.get("Accept", ""):
            self.send_json(406, status(406, "NotAcceptable", "metadata-only listing expected"))
            return
        self.send_json(200, self.page(query))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client-ca")
    p.add_argument("--token")
    p.add_argument("--scenario", default="ok")
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--plain", action="store_true", help="HTTP without TLS")
    p.add_argument("--configmaps", help="serve ConfigMaps, kept in this JSON file")
    args = p.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    if not args.plain:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.load_verify_locations(args.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    # Stop by itself after a while: a test never leaves a server behind.
    timer = threading.Timer(300, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
