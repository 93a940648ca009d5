#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check `caps-aggregate advise -o json` against the node list it was
computed from, independently of the C code:

usage: advise-check.py NODES.json ADVICE.json [NAMESPACE]

- pools partition the probed nodes by (arch, vendor, virttype), with
  emulated true for qemu, false for kvm, null otherwise;
- an unranked recommendation (ranked: false) has no patch;
- candidates are exactly the models every node of the pool labels usable,
  ranked ones first by falling rank, ties and unranked ones by name;
- the recommended model is the first candidate, usable on every node of
  its pool, and every extra feature is in every node's cpu-feature set;
- without a common model, `remove` is exactly the pool's nodes lacking
  the named model, and no model is lacked by fewer nodes.
Prints one line per failed check and exits 1 when any failed.
"""
import json
import sys

NS = sys.argv[3] if len(sys.argv) > 3 else "libvirt.feature.node.kubernetes.io"
errors = []


def node_caps(item):
    labels = item["metadata"].get("labels") or {}
    pre = NS + "/"
    caps = {"models": set(), "features": set(), "arch": None, "vendor": None,
            "virttype": None}
    for k, v in labels.items():
        if not k.startswith(pre):
            continue
        k = k[len(pre):]
        if k.startswith("cpu-model.") and v == "true":
            caps["models"].add(k[len("cpu-model."):])
        elif k.startswith("cpu-feature.") and v == "true":
            caps["features"].add(k[len("cpu-feature."):])
        elif k == "cpu-vendor":
            caps["vendor"] = v
        elif k == "arch":
            caps["arch"] = v
        elif k == "virttype":
            caps["virttype"] = v
    caps["probed"] = any(k.startswith(pre) for k in labels)
    return caps


def check(cond, what):
    if not cond:
        errors.append(what)


def check_pool(p, nodes):
    names = p["nodes"]
    for n in names:
        c = nodes[n]
        check(c["arch"] == p["arch"], f"{n}: arch {c['arch']} in pool {p['arch']}")
        check((c["vendor"] or "unknown") == p["vendor"],
              f"{n}: vendor {c['vendor']} in pool {p['vendor']}")
        check(c["virttype"] == p["virttype"], f"{n}: virttype {c['virttype']} in pool {p['virttype']}")
        emulated = {"qemu": True, "kvm": False}.get(c["virttype"])
        check(emulated == p["emulated"], f"{n}: virttype {c['virttype']}, emulated {p['emulated']}")
    common = set.intersection(*(nodes[n]["models"] for n in names))
    cands = [c["model"] for c in p["candidates"]]
    check(set(cands) == common, f"pool {p['arch']}/{p['vendor']}: candidates {cands} != {sorted(common)}")
    keys = [(c["rank"] is None, -(c["rank"] or 0), c["model"]) for c in p["candidates"]]
    check(keys == sorted(keys), f"pool {p['arch']}/{p['vendor']}: candidates not ranked: {cands}")
    rec = p["recommendation"]
    if rec:
        check(rec["model"] == cands[0], f"recommended {rec['model']} is not the first candidate")
        check(rec["ranked"] == (p["candidates"][0]["rank"] is not None), f"ranked {rec['ranked']}")
        check(rec["ranked"] or p["patch"] is None, f"unranked {rec['model']} has a patch")
        for n in names:
            check(rec["model"] in nodes[n]["models"], f"{n}: recommended {rec['model']} not usable")
            missing = set(rec["extra_features"]) - nodes[n]["features"]
            check(not missing, f"{n}: lacks extra features {sorted(missing)}")
        check(set(rec["gives_up"]) == set(names), "gives_up does not name every node")
        total = sum(len(v) for v in rec["gives_up"].values())
        check(rec["cost"]["features"] == total and rec["cost"]["nodes"] == len(names),
              f"cost {rec['cost']} != {total} features, {len(names)} nodes")
        check(p["no_common"] is None, "a pool with a recommendation has no_common")
        return
    check(not cands, "candidates but no recommendation")
    nc = p["no_common"]
    if nc["model"] is None:
        check(all(not nodes[n]["models"] for n in names), "no_common model null but models exist")
        return
    lacking = sorted(n for n in names if nc["model"] not in nodes[n]["models"])
    check(lacking == sorted(nc["remove"]), f"remove {nc['remove']} != nodes lacking {nc['model']}: {lacking}")
    every = set().union(*(nodes[n]["models"] for n in names))
    if not every:
        check(False, f"no_common names {nc['model']}, which no node of the pool labels usable")
        return
    best = min(sum(m not in nodes[n]["models"] for n in names) for m in every)
    check(len(lacking) == best, f"{nc['model']} lacked by {len(lacking)} nodes, some model by {best}")


def main():
    items = json.load(open(sys.argv[1]))["items"]
    advice = json.load(open(sys.argv[2]))
    nodes = {i["metadata"]["name"]: node_caps(i) for i in items}
    seen = []
    for p in advice["pools"]:
        check_pool(p, nodes)
        seen += p["nodes"]
    probed = sorted(n for n, c in nodes.items() if c["probed"])
    check(sorted(seen) == probed, f"pools hold {sorted(seen)}, probed nodes are {probed}")
    for e in errors:
        print("advise-check:", e)
    sys.exit(1 if errors else 0)


main()
