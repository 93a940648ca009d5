#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check rendered manifests (`kubectl kustomize` output) for the fields each
kind requires and for virt-caps' own promises.

usage: check.py standalone|sidecar|aggregate|aggregate-pvc|examples RENDERED.yaml [OPTION]...

  --supplemental-groups=GID[,GID]...  the probe's pod has exactly these
                    supplementalGroups (components/kvm-group); without it,
                    none
  --tolerate-all    the standalone DaemonSet also tolerates every taint
                    (components/tolerate-all)

Prints one `ok` line per check; the first failed check exits 1 naming the
object and the field."""
import re
import sys

import yaml

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "NodeFeatureRule"}
FEATURES_D = "/etc/kubernetes/node-feature-discovery/features.d"
checks = 0
opts = {}


def ok(cond, what):
    global checks
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1
    print(f"ok {checks} - {what}")


def get(obj, path, default=None):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return default
        obj = obj[part]
    return obj


def name_of(o):
    return f"{o.get('kind')}/{get(o, 'metadata.name')}"


def check_pod_spec(o, spec):
    n = name_of(o)
    containers = spec.get("containers") or []
    ok(containers, f"{n}: has containers")
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    ok(len(volumes) == len(spec.get("volumes") or []), f"{n}: volume names are unique")
    for c in containers + (spec.get("initContainers") or []):
        ok(c.get("name") and c.get("image"), f"{n}: container {c.get('name')} has a name and an image")
        for m in c.get("volumeMounts") or []:
            ok(m.get("name") in volumes, f"{n}/{c['name']}: mount {m.get('name')} names a volume of the pod")
            ok(str(m.get("mountPath", "")).startswith("/"), f"{n}/{c['name']}: mount {m['name']} has an absolute path")
        for e in c.get("env") or []:
            ok(e.get("name") and ("value" in e or "valueFrom" in e), f"{n}/{c['name']}: env {e.get('name')} has a value")
        if "virt-caps" in c["image"]:
            for k in ("requests", "limits"):
                ok(get(c, f"resources.{k}"), f"{n}/{c['name']}: resources.{k} set")


def pod_spec(o):
    kind = o["kind"]
    if kind in ("DaemonSet", "Deployment", "Job"):
        return get(o, "spec.template.spec")
    if kind == "CronJob":
        return get(o, "spec.jobTemplate.spec.template.spec")
    return None


def check_required(o):
    n = name_of(o)
    ok(o.get("apiVersion") and o.get("kind") and get(o, "metadata.name"),
       f"{n}: apiVersion, kind and metadata.name")
    if o["kind"] in CLUSTER_SCOPED:
        ok(not get(o, "metadata.namespace"), f"{n}: cluster-scoped, no namespace")
    else:
        ok(get(o, "metadata.namespace"), f"{n}: has a namespace")
    kind = o["kind"]
    if kind == "DaemonSet":
        sel = get(o, "spec.selector.matchLabels") or {}
        labels = get(o, "spec.template.metadata.labels") or {}
        ok(sel and all(labels.get(k) == v for k, v in sel.items()),
           f"{n}: selector matches the template labels")
    if kind == "Job":
        ok(get(o, "spec.template.spec.restartPolicy") in ("Never", "OnFailure"),
           f"{n}: restartPolicy Never or OnFailure")
    if kind == "CronJob":
        ok(len(str(get(o, "spec.schedule", "")).split()) == 5, f"{n}: five-field schedule")
        ok(get(o, "spec.jobTemplate.spec.template.spec.restartPolicy") in ("Never", "OnFailure"),
           f"{n}: job template restartPolicy Never or OnFailure")
    if kind == "ClusterRole":
        ok(o.get("rules"), f"{n}: has rules")
    if kind == "ClusterRoleBinding":
        ok(all(get(o, f"roleRef.{k}") for k in ("apiGroup", "kind", "name")), f"{n}: complete roleRef")
        ok(o.get("subjects") and all(s.get("namespace") for s in o["subjects"]
                                     if s.get("kind") == "ServiceAccount"),
           f"{n}: service account subjects name their namespace")
    if kind == "VirtualMachine":
        ok(get(o, "spec.template.spec.domain") is not None, f"{n}: spec.template.spec.domain")
        ok(("running" in o["spec"]) != ("runStrategy" in o["spec"]), f"{n}: running or runStrategy")
    if kind == "NodeFeatureRule":
        for r in get(o, "spec.rules") or []:
            ok(r.get("name") and (r.get("labels") or r.get("taints")) and
               (r.get("matchFeatures") or r.get("matchAny")), f"{n}: rule {r.get('name')} complete")
    spec = pod_spec(o)
    if spec is not None:
        check_pod_spec(o, spec)


def check_probe_container(o, spec, c):
    n = f"{name_of(o)}/{c['name']}"
    sc = c.get("securityContext") or {}
    pod_sc = spec.get("securityContext") or {}
    ok(sc.get("runAsNonRoot") is True and sc.get("runAsUser", 0) != 0, f"{n}: non-root")
    ok(sc.get("readOnlyRootFilesystem") is True, f"{n}: read-only root file system")
    ok(sc.get("allowPrivilegeEscalation") is False, f"{n}: no privilege escalation")
    ok(get(sc, "capabilities.drop") == ["ALL"] and not get(sc, "capabilities.add"),
       f"{n}: every capability dropped, none added")
    ok("privileged" not in sc or sc["privileged"] is False, f"{n}: not privileged")
    seccomp = get(sc, "seccompProfile.type") or get(pod_sc, "seccompProfile.type")
    ok(seccomp == "RuntimeDefault", f"{n}: RuntimeDefault seccomp")
    for k in ("requests", "limits"):
        ok(get(c, f"resources.{k}", {}).get("devices.kubevirt.io/kvm") == "1",
           f"{n}: {k} devices.kubevirt.io/kvm: \"1\"")
        ok(get(c, f"resources.{k}.memory") and get(c, f"resources.{k}.cpu"), f"{n}: {k} cpu and memory")
    env = {e["name"]: e for e in c.get("env") or []}
    ok(get(env.get("NODE_NAME", {}), "valueFrom.fieldRef.fieldPath") == "spec.nodeName",
       f"{n}: NODE_NAME from the downward API")
    mounts = {m["name"]: m for m in c.get("volumeMounts") or []}
    vols = {v["name"]: v for v in spec.get("volumes") or []}
    fd = [m for m in mounts.values() if m["mountPath"].rstrip("/") == FEATURES_D]
    ok(len(fd) == 1 and not fd[0].get("readOnly"), f"{n}: features.d mounted read-write")
    ok(get(vols[fd[0]["name"]], "hostPath.path", "").rstrip("/") == FEATURES_D,
       f"{n}: features.d is the host's directory")
    state = [m for m in mounts.values() if m["mountPath"] == "/var/lib/virt-caps"]
    ok(len(state) == 1 and "emptyDir" in vols[state[0]["name"]], f"{n}: state directory on an emptyDir")
    args = c.get("args") or []
    ok("--virttype=kvm" in args, f"{n}: --virttype=kvm (no silent TCG labels)")
    ok("--state-dir=/var/lib/virt-caps" in args, f"{n}: --state-dir=/var/lib/virt-caps")
    check_health_probes(n, c)
    ok(not c.get("command"), f"{n}: the image's entrypoint (caps-probe) runs")
    return fd[0]["name"]


def check_health_probes(n, c):
    """Exec-form readiness and liveness probes that ask caps-probe --health
    about the state directory the loop writes its status record in."""
    for kind, what in (("readinessProbe", "ready"), ("livenessProbe", "live")):
        p = c.get(kind) or {}
        ok(get(p, "exec.command") == ["caps-probe", f"--health={what}", "--state-dir=/var/lib/virt-caps"],
           f"{n}: {kind} runs caps-probe --health={what} on the state directory")
        ok(not any(k in p for k in ("httpGet", "tcpSocket", "grpc")), f"{n}: {kind} is exec only")
        ok(int(p.get("timeoutSeconds", 1)) >= 5, f"{n}: {kind} timeout of 5 s or more")
    live = c["livenessProbe"]
    ok(int(live.get("periodSeconds", 10)) * int(live.get("failureThreshold", 3)) >= 300,
       f"{n}: liveness restarts after 5 minutes of failures at the earliest")


def check_supplemental_groups(o, spec):
    n = name_of(o)
    groups = get(spec, "securityContext.supplementalGroups")
    want = opts.get("supplemental-groups")
    if want is None:
        ok(groups is None, f"{n}: no supplementalGroups (components/kvm-group not used)")
        return
    ok(isinstance(groups, list) and groups and all(type(g) is int and 0 < g < 2**31 for g in groups),
       f"{n}: supplementalGroups are numeric gids, not {groups} (set the nodes' kvm gid)")
    ok(groups == [int(g) for g in want.split(",")], f"{n}: supplementalGroups {groups} == {want}")


def check_init_container(o, spec, features_volume):
    inits = [c for c in spec.get("initContainers") or [] if "install" in (c.get("command") or [])[:1]]
    n = name_of(o)
    ok(len(inits) == 1, f"{n}: one init container prepares features.d")
    c = inits[0]
    cmd = c["command"]
    ok(cmd[-1].rstrip("/") == FEATURES_D and "-g" in cmd and cmd[cmd.index("-g") + 1] == "65532",
       f"{n}/{c['name']}: install -d -g 65532 on features.d")
    ok(re.fullmatch(r"0?775", cmd[cmd.index("-m") + 1]) is not None, f"{n}/{c['name']}: mode 0775")
    sc = c.get("securityContext") or {}
    ok(get(sc, "capabilities.drop") == ["ALL"] and get(sc, "capabilities.add") == ["CHOWN"],
       f"{n}/{c['name']}: every capability dropped but CHOWN")
    ok(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False,
       f"{n}/{c['name']}: read-only root, no escalation")
    ok([m["name"] for m in c.get("volumeMounts") or []] == [features_volume],
       f"{n}/{c['name']}: mounts features.d only")


def probe_daemonset(docs, name):
    ds = [o for o in docs if o["kind"] == "DaemonSet" and get(o, "metadata.name") == name]
    ok(len(ds) == 1, f"DaemonSet/{name} rendered")
    spec = get(ds[0], "spec.template.spec")
    probes = [c for c in spec["containers"] if c["name"] == "caps-probe"]
    ok(len(probes) == 1, f"DaemonSet/{name}: one caps-probe container")
    vol = check_probe_container(ds[0], spec, probes[0])
    check_supplemental_groups(ds[0], spec)
    check_init_container(ds[0], spec, vol)
    return ds[0], spec


def mode_standalone(docs):
    ns = [o for o in docs if o["kind"] == "Namespace"]
    ok(len(ns) == 1 and get(ns[0], "metadata.labels", {}).get("pod-security.kubernetes.io/enforce")
       == "privileged", "Namespace/virt-caps admits a hostPath pod (Pod Security level privileged)")
    ds, spec = probe_daemonset(docs, "caps-probe")
    ok(spec.get("nodeSelector") == {"kubevirt.io/schedulable": "true"},
       "DaemonSet/caps-probe: only on KubeVirt-schedulable nodes")
    ok(spec.get("automountServiceAccountToken") is False, "DaemonSet/caps-probe: no API token mounted")
    want = [{"operator": "Exists", "effect": "NoSchedule"}]
    if "tolerate-all" in opts:
        want.append({"operator": "Exists"})
    ok(spec.get("tolerations") == want, f"DaemonSet/caps-probe: tolerations {want}")
    ok(get(ds, "metadata.namespace") == "virt-caps", "DaemonSet/caps-probe: namespace virt-caps")


def mode_sidecar(docs):
    ds, spec = probe_daemonset(docs, "nfd-worker")
    ok(get(ds, "metadata.namespace") == "node-feature-discovery", "nfd-worker stays in NFD's namespace")
    worker = [c for c in spec["containers"] if c["name"] == "nfd-worker"]
    ok(len(worker) == 1 and len(spec["containers"]) == 2, "nfd-worker kept, caps-probe added")
    for c in spec["containers"]:
        for m in c.get("volumeMounts") or []:
            if m["name"] == "features-d" and c["name"] != "caps-probe":
                ok(m.get("readOnly") is True, f"{c['name']}: features-d stays read-only")
    ok(get(ds, "spec.template.metadata.annotations", {}).get("kubectl.kubernetes.io/default-container")
       == "nfd-worker", "kubectl's default container stays nfd-worker")


def mode_aggregate_base(docs):
    kinds = {o["kind"]: o for o in docs}
    for k in ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Job", "CronJob"):
        ok(k in kinds, f"{k} rendered")
    role = kinds["ClusterRole"]
    ok(role["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}],
       "ClusterRole: get and list nodes, nothing else")
    b = kinds["ClusterRoleBinding"]
    sa = kinds["ServiceAccount"]
    ok(get(b, "roleRef.name") == get(role, "metadata.name") and get(b, "roleRef.kind") == "ClusterRole",
       "binding refers to the ClusterRole")
    ok(b["subjects"] == [{"kind": "ServiceAccount", "name": get(sa, "metadata.name"),
                          "namespace": get(sa, "metadata.namespace")}], "binding names the service account")
    for k in ("Job", "CronJob"):
        spec = pod_spec(kinds[k])
        ok(spec.get("serviceAccountName") == get(sa, "metadata.name"), f"{k}: runs as the service account")
        c = spec["containers"][0]
        ok(c.get("command") == ["/usr/bin/caps-aggregate"], f"{k}: runs caps-aggregate")
        sc, psc = c.get("securityContext") or {}, spec.get("securityContext") or {}
        ok(psc.get("runAsNonRoot") is True and sc.get("readOnlyRootFilesystem") is True and
           get(sc, "capabilities.drop") == ["ALL"], f"{k}: non-root, read-only, no capabilities")


def check_kept_report(docs, how):
    """The CronJob keeps the report (--keep) and says only errors (-q)."""
    cron = [o for o in docs if o["kind"] == "CronJob"][0]
    args = pod_spec(cron)["containers"][0].get("args", [])
    rules = get(cron, "spec.jobTemplate.spec.podFailurePolicy.rules") or []
    ok({"action": "FailJob", "onExitCodes": {"containerName": "caps-aggregate", "operator": "In",
                                             "values": [1]}} in rules,
       "CronJob: a loss (exit 1) fails the Job, not retried into a success")
    ok(how in args and "-q" in args and "--output=yaml" in args,
       f"CronJob: {how}, -q, YAML: its log is one report and it fails on a loss")


def mode_aggregate(docs):
    mode_aggregate_base(docs)
    kinds = {o["kind"]: o for o in docs}
    role, b, cm = kinds.get("Role"), kinds.get("RoleBinding"), kinds.get("ConfigMap")
    ok(role and b and cm, "Role, RoleBinding and ConfigMap for the kept report rendered")
    name = get(cm, "metadata.name")
    ok(not cm.get("data"), f"ConfigMap {name} shipped empty (so that create is never needed)")
    ok(role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [name],
                          "verbs": ["get", "update"]}],
       f"Role: get and update of the ConfigMap {name} only")
    ok(get(b, "roleRef.kind") == "Role" and get(b, "roleRef.name") == get(role, "metadata.name") and
       b["subjects"] == [{"kind": "ServiceAccount", "name": "caps-aggregate", "namespace": "virt-caps"}],
       "RoleBinding gives the Role to the service account")
    ok(get(role, "metadata.namespace") == get(cm, "metadata.namespace") == "virt-caps",
       "Role and ConfigMap in the virt-caps namespace")
    check_kept_report(docs, f"--keep=configmap/{name}")


def mode_aggregate_pvc(docs):
    mode_aggregate_base(docs)
    kinds = [o["kind"] for o in docs]
    ok("Role" not in kinds and "ConfigMap" not in kinds, "no ConfigMap and no Role with a volume")
    pvc = [o for o in docs if o["kind"] == "PersistentVolumeClaim"]
    ok(len(pvc) == 1, "one PersistentVolumeClaim")
    cron = [o for o in docs if o["kind"] == "CronJob"][0]
    spec = pod_spec(cron)
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["name"]: m["mountPath"] for m in spec["containers"][0].get("volumeMounts", [])}
    claimed = [n for n, v in vols.items()
               if get(v, "persistentVolumeClaim.claimName") == get(pvc[0], "metadata.name")]
    ok(len(claimed) == 1 and claimed[0] in mounts, "CronJob mounts the claim")
    path = mounts.get(claimed[0] if claimed else "", "/nowhere")
    ok(get(spec, "securityContext.fsGroup") == get(spec, "securityContext.runAsGroup"),
       "fsGroup: the volume is writable by the pod's group")
    check_kept_report(docs, f"--keep=file:{path}/report.yaml")


def mode_examples(docs):
    vm = [o for o in docs if o["kind"] == "VirtualMachine"]
    ok(len(vm) == 1, "one VirtualMachine")
    ok(get(vm[0], "spec.runStrategy") == "Halted", "the example VM does not start by itself")
    sel = get(vm[0], "spec.template.spec.nodeSelector") or {}
    model = get(vm[0], "spec.template.spec.domain.cpu.model")
    ok(sel.get(f"libvirt.feature.node.kubernetes.io/cpu-model.{model}") == "true",
       f"VM selects nodes where its CPU model {model} is usable")
    nfr = [o for o in docs if o["kind"] == "NodeFeatureRule"]
    ok(len(nfr) == 1, "one NodeFeatureRule")
    for r in nfr[0]["spec"]["rules"]:
        for m in r["matchFeatures"]:
            ok(m["feature"] == "local.label" and all(
                k.startswith("libvirt.feature.node.kubernetes.io/") for k in m["matchExpressions"]),
                f"rule {r['name']} reads caps-probe's labels")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    for a in sys.argv[3:]:
        k, eq, v = a.partition("=")
        if k not in ("--supplemental-groups", "--tolerate-all") or (k == "--tolerate-all") == bool(eq):
            sys.exit(f"check.py: unknown option {a}\n{__doc__}")
        opts[k[2:]] = v
    with open(sys.argv[2]) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    ok(docs, f"{sys.argv[2]}: objects rendered")
    for o in docs:
        check_required(o)
    globals()["mode_" + sys.argv[1].replace("-", "_")](docs)


if __name__ == "__main__":
    main()
