#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn NFD feature-file directories into `kubectl get nodes -o json` output,
labelling each node the way nfd-worker and nfd-master would.

usage: nfd-nodes.py [--kind List|NodeList|PartialObjectMetadataList] \
                    NODE=FEATURES_DIR[:ARCH] ... > nodes.json

NFD's local source: regular files only (symlinks followed), dot files
skipped, files over 65536 bytes skipped whole, lines trimmed, '#' comments,
'# +expiry-time=' (expired lines dropped) and '# +no-label' directives,
key[=value] with later lines and later files winning. Labels failing
Kubernetes syntax are dropped, as are namespaces NFD denies
(kubernetes.io and *.kubernetes.io except feature./profile.node.kubernetes.io).
"""
import datetime
import json
import os
import re
import sys

NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "s390x": "s390x"}


def valid(key, value):
    prefix, _, name = key.rpartition("/")
    if not name or len(name) > 63 or not NAME.match(name):
        return False
    if "/" in key and (not prefix or len(prefix) > 253 or not DNS.match(prefix)):
        return False
    if value and (len(value) > 63 or not NAME.match(value)):
        return False
    return True


def allowed(key):
    ns = key.rpartition("/")[0]
    if not ns:
        return True  # nfd-master prefixes it with feature.node.kubernetes.io
    for ok in ("feature.node.kubernetes.io", "profile.node.kubernetes.io"):
        if ns == ok or ns.endswith("." + ok):
            return True
    return not (ns == "kubernetes.io" or ns.endswith(".kubernetes.io"))


def parse(text, now, labels):
    expiry = None
    no_label = False
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("# +expiry-time="):
                try:
                    expiry = datetime.datetime.fromisoformat(
                        line[len("# +expiry-time="):].strip().replace("Z", "+00:00"))
                except ValueError:
                    pass
            elif line == "# +no-label":
                no_label = True
            continue
        if expiry is not None and expiry < now:
            continue
        key, eq, value = line.partition("=")
        if not no_label:
            labels[key] = value if eq else "true"
        no_label = False


def node_labels(directory, now):
    labels = {}
    if not os.path.isdir(directory):  # NFD: no directory, no features
        return labels
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        if os.path.getsize(path) > 65536:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            parse(f.read(), now, labels)
    return {k: v for k, v in labels.items() if valid(k, v) and allowed(k)}


def main():
    args = sys.argv[1:]
    kind = "List"
    if args[:1] == ["--kind"]:
        kind, args = args[1], args[2:]
    now = datetime.datetime.now(datetime.timezone.utc)
    items = []
    for spec in args:
        node, _, rest = spec.partition("=")
        directory, _, arch = rest.partition(":")
        labels = node_labels(directory, now)
        labels["kubernetes.io/hostname"] = node
        labels["kubernetes.io/os"] = "linux"
        labels["kubernetes.io/arch"] = GOARCH.get(arch or "x86_64", arch)
        item = {"metadata": {"name": node, "labels": labels}}
        if kind != "PartialObjectMetadataList":
            item = {"apiVersion": "v1", "kind": "Node", **item,
                    "spec": {"podCIDR": "10.244.0.0/24"},
                    "status": {"capacity": {"cpu": "2"}, "nodeInfo": {"kubeletVersion": "v1.31.0"}}}
        items.append(item)
    if kind == "List":  # kubectl prints items before kind
        doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    else:
        api = "meta.k8s.io/v1" if kind == "PartialObjectMetadataList" else "v1"
        doc = {"kind": kind, "apiVersion": api, "metadata": {"resourceVersion": "1"}, "items": items}
    json.dump(doc, sys.stdout, indent=4)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
