#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate a large `kubectl get nodes -o json` list for benchmarks.

usage: gen-nodes.py N TEMPLATE.labels... > nodes.json
       gen-nodes.py --shape SHAPE N > nodes.json

Each TEMPLATE is the label output of a real probe (`caps-probe --stdout`).
Node i takes template i % len(templates) and varies it: a few models and
features dropped (a different host generation), its own hostname, zone and
the other labels a real node carries (NFD's cpuid/kernel labels,
kubernetes.io/*), plus annotations and a status block of realistic size,
so that 10,000 nodes come to roughly 180 MB as the design measured.

Shapes that stress one dimension (small nodes, no templates):
  distinct-models   every node has its own usable model (and a common one)
  distinct-archs    every node has its own kubernetes.io/arch value
  huge-annotation   N MiB of annotation on the second of three nodes
  huge-label        N MiB of label value on the second of three nodes
"""
import json
import random
import sys
import zlib


def load(path):
    labels = {}
    for line in open(path):
        k, _, v = line.rstrip("\n").partition("=")
        labels[k] = v
    return labels


def vary(rng, base, i):
    """Five host generations per template: each drops its own few models and
    features, so global models exist but are fewer than any node's."""
    labels = {}
    generation = i // len(TEMPLATES) % 5
    for k, v in base.items():
        name = k.rpartition("/")[2]
        droppable = name.startswith(("cpu-model.", "cpu-feature.", "cpu-model-migration."))
        if droppable and generation and zlib.crc32(f"{name}/{generation}".encode()) % 100 < 5:
            continue
        labels[k] = v
    labels["kubernetes.io/hostname"] = f"node-{i:05d}"
    labels["kubernetes.io/os"] = "linux"
    labels["kubernetes.io/arch"] = "amd64"
    labels["topology.kubernetes.io/zone"] = f"zone-{i % 3}"
    labels["topology.kubernetes.io/region"] = "region-1"
    labels["node.kubernetes.io/instance-type"] = rng.choice(["m6a.4xlarge", "c6i.8xlarge", "r7a.2xlarge"])
    labels["kubevirt.io/schedulable"] = "true"
    for f in ("AVX", "AVX2", "AVX512F", "SSE4", "FMA3", "AESNI", "HYPERVISOR", "RDRAND", "SHA", "VMX"):
        labels[f"feature.node.kubernetes.io/cpu-cpuid.{f}"] = "true"
    for k in ("kernel-version.full", "kernel-version.major", "kernel-version.minor"):
        labels[f"feature.node.kubernetes.io/{k}"] = "6"
    while len(labels) < 250:
        labels[f"feature.node.kubernetes.io/pci-{len(labels):04x}_{rng.randrange(1 << 16):04x}.present"] = "true"
    return labels


def node(rng, base, i):
    name = f"node-{i:05d}"
    images = [{"names": [f"registry.example/team/image-{rng.randrange(10**6)}@sha256:{rng.randbytes(32).hex()}",
                         f"registry.example/team/image:v{k}.{i % 50}"], "sizeBytes": rng.randrange(10**9)}
              for k in range(4)]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": vary(rng, base, i),
            "name": name,
            "resourceVersion": str(1000 + i),
            "uid": f"{rng.randbytes(16).hex()}",
        },
        "spec": {"podCIDR": f"10.{i // 256 % 256}.{i % 256}.0/24", "providerID": f"aws:///zone/i-{i:017x}"},
        "status": {
            "addresses": [{"address": f"10.0.{i // 256 % 256}.{i % 256}", "type": "InternalIP"},
                          {"address": name, "type": "Hostname"}],
            "allocatable": {"cpu": "16", "devices.kubevirt.io/kvm": "1k", "memory": "64Gi", "pods": "110"},
            "capacity": {"cpu": "16", "devices.kubevirt.io/kvm": "1k", "memory": "64Gi", "pods": "110"},
            "conditions": [{"lastHeartbeatTime": "2026-11-22T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z",
                            "message": "kubelet is posting ready status", "reason": "KubeletReady",
                            "status": "True", "type": "Ready"}],
            "images": images,
            "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.22",
                         "kernelVersion": "6.1.0-27-amd64", "kubeletVersion": "v1.31.2",
                         "osImage": "Debian GNU/Linux 12 (bookworm)"},
        },
    }


TEMPLATES = []


NS = "libvirt.feature.node.kubernetes.io/"


def small_node(i, labels, annotations=None):
    meta = {"name": f"node-{i:05d}", "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return {"kind": "Node", "metadata": meta}


def shape_node(shape, n, i):
    if shape == "distinct-models":
        return small_node(i, {"kubernetes.io/arch": "amd64", NS + "cpu-model.Common": "true",
                              NS + f"cpu-model.Model-{i:06d}": "true"})
    if shape == "distinct-archs":
        return small_node(i, {"kubernetes.io/arch": f"arch-{i:06d}",
                              NS + "cpu-model.Common": "true"})
    labels = {NS + "cpu-model.Common": "true"}
    if i != 1:
        return small_node(i, labels)
    big = "x" * (n << 20)
    if shape == "huge-annotation":
        return small_node(i, labels, {"example.com/blob": big})
    labels["example.com/blob"] = big
    return small_node(i, labels)


def shaped(shape, n):
    out = sys.stdout
    count = 3 if shape.startswith("huge-") else n
    out.write('{"apiVersion":"v1","kind":"List","items":[\n')
    for i in range(count):
        out.write((",\n" if i else "") + json.dumps(shape_node(shape, n, i), separators=(",", ":")))
    out.write('\n],"metadata":{"resourceVersion":""}}\n')


def main():
    if sys.argv[1] == "--shape":
        shaped(sys.argv[2], int(sys.argv[3]))
        return
    n = int(sys.argv[1])
    templates = TEMPLATES
    templates.extend(load(p) for p in sys.argv[2:])
    rng = random.Random(42)
    out = sys.stdout
    out.write('{\n    "apiVersion": "v1",\n    "items": [\n')
    for i in range(n):
        if i:
            out.write(",\n")
        out.write(json.dumps(node(rng, templates[i % len(templates)], i), indent=4))
    out.write('\n    ],\n    "kind": "List",\n    "metadata": {"resourceVersion": ""}\n}\n')


if __name__ == "__main__":
    main()
