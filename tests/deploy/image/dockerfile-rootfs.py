#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build and run a Dockerfile's image as a plain root filesystem, without a
container engine (none runs on the test machines).

  dockerfile-rootfs.py build --dockerfile F --context DIR --base-tar T --work W
        [--target-arch ARCH] [--build-arg K=V]... [--apt-cache DIR] [--dry-run]
  dockerfile-rootfs.py run --rootfs R --config C [--user U] [--entrypoint P]
        [--volume HOST:CTR]... [--device HOST[:CTR]] [--group-add GID]...
        [--read-only] [--no-shell] [--env K=V]... [-- ARG...]

`build` reads the Dockerfile itself and does what a builder does: every
FROM of a Debian 12 image starts from the debootstrap tarball, RUN steps
run in a chroot with the stage's ARG/ENV values and user, COPY copies from
the context (minus .dockerignore) or from an earlier stage. The last stage
becomes W/rootfs and its config (user, entrypoint, env) W/image.json.

`run` is a small `docker run`: a private mount namespace, a minimal /dev,
volumes bind-mounted, the root file system read-only if asked, then the
entrypoint as the image's user. Must run as root."""

import argparse
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

DEBIAN_12 = re.compile(r"^(docker\.io/)?(library/)?debian:(12|bookworm)(-slim)?$")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SHELLS = ("usr/bin/sh", "usr/bin/dash", "usr/bin/bash", "usr/bin/rbash")


def die(msg, status=3):
    print(f"dockerfile-rootfs: {msg}", file=sys.stderr)
    sys.exit(status)


# ---- Dockerfile parsing ----

def logical_lines(text):
    """Instructions with their line numbers: comments dropped (also inside
    continuations, as Docker does), backslash continuations joined."""
    out, buf, start = [], [], 0
    for no, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        if not buf:
            if not line.strip():
                continue
            start = no
        if line.rstrip().endswith("\\"):
            buf.append(line.rstrip()[:-1])
            continue
        buf.append(line)
        out.append((start, " ".join(s.strip() for s in buf)))
        buf = []
    if buf:
        die("Dockerfile ends inside a continuation line")
    return out


def expand(word, env):
    """${VAR}, ${VAR:-default}, $VAR as Docker expands them outside RUN."""
    def repl(m):
        name = m.group(1) or m.group(3)
        default = m.group(2)
        value = env.get(name, "")
        if default is not None and value == "":
            return default
        return value
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)", repl, word)


def split_flags(args):
    words, flags = args.split(), {}
    while words and words[0].startswith("--"):
        k, _, v = words.pop(0)[2:].partition("=")
        flags[k] = v
    return flags, words


def exec_form(args, no, what):
    try:
        value = json.loads(args)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        die(f"line {no}: {what} must use the exec form (a JSON list): "
            "the image has no shell to run it with")
    return value


# ---- file system helpers ----

def read_dockerignore(context):
    try:
        with open(os.path.join(context, ".dockerignore")) as f:
            lines = [l.strip() for l in f]
    except FileNotFoundError:
        return []
    return [l.strip("/") for l in lines if l and not l.startswith("#")]


def ignored(rel, patterns):
    parts = rel.split("/")
    result = False
    for pat in patterns:
        neg = pat.startswith("!")
        pat = pat[1:] if neg else pat
        for i in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:i]), pat):
                result = not neg
                break
    return result


def copy_entry(src, dst, chown, rel, patterns):
    if patterns is not None and rel and ignored(rel, patterns):
        return
    if os.path.isdir(src) and not os.path.islink(src):
        os.makedirs(dst, exist_ok=True)
        shutil.copystat(src, dst)
        for name in sorted(os.listdir(src)):
            copy_entry(os.path.join(src, name), os.path.join(dst, name), chown,
                       f"{rel}/{name}" if rel else name, patterns)
    else:
        if os.path.lexists(dst) and not os.path.isdir(dst):
            os.unlink(dst)
        shutil.copy2(src, dst, follow_symlinks=False)
    os.lchown(dst, *chown)


def lookup_ids(root, user):
    """USER u[:g] resolved in the image's own passwd/group files."""
    name, _, group = user.partition(":")

    def find(path, key):
        if key.isdigit():
            return int(key), None
        with open(os.path.join(root, path)) as f:
            for line in f:
                fields = line.split(":")
                if fields[0] == key:
                    return int(fields[2]), fields
        die(f"user or group '{key}' is not in the image's /{path}")
    uid, pw = find("etc/passwd", name)
    gid = find("etc/group", group)[0] if group else int(pw[3]) if pw else uid
    home = pw[5] if pw else "/"
    return uid, gid, home


# ---- build ----

class Stage:
    def __init__(self, name, root):
        self.name, self.root = name, root
        self.args, self.env, self.user, self.workdir = {}, {}, "0", "/"
        self.entrypoint, self.cmd, self.volumes = None, None, []


class Builder:
    def __init__(self, opts):
        self.o = opts
        arch = opts.target_arch
        self.build_args = {"TARGETARCH": arch, "TARGETOS": "linux",
                           "TARGETPLATFORM": f"linux/{arch}", "BUILDARCH": arch,
                           "BUILDOS": "linux", "BUILDPLATFORM": f"linux/{arch}"}
        for kv in opts.build_arg:
            k, _, v = kv.partition("=")
            self.build_args[k] = v
        self.global_args, self.stages = {}, []
        self.patterns = read_dockerignore(opts.context)

    def log(self, msg):
        print(f"dockerfile-rootfs: {msg}", flush=True)

    def new_root(self, image, no):
        for st in self.stages:
            if st.name == image:
                return st
        if not DEBIAN_12.match(image):
            die(f"line {no}: cannot build FROM '{image}' here: only Debian 12 "
                "images (debootstrap) and earlier stages")
        return None

    def from_(self, no, args):
        _, words = split_flags(args)  # --platform: the build is native
        scope = {**self.global_args}
        image = expand(words[0], scope)
        name = words[2] if len(words) == 3 and words[1].lower() == "as" else str(len(self.stages))
        root = os.path.join(self.o.work, "stages", name)
        parent = self.new_root(image, no)
        self.log(f"stage {name}: FROM {image}")
        if not self.o.dry_run:
            os.makedirs(root)
            if parent:
                subprocess.run(["cp", "-a", parent.root + "/.", root], check=True)
            else:
                with tarfile.open(self.o.base_tar) as t:
                    t.extractall(root, numeric_owner=True)
        st = Stage(name, root)
        if parent:
            st.env, st.user, st.workdir = dict(parent.env), parent.user, parent.workdir
        st.env.setdefault("PATH", DEFAULT_PATH)
        self.stages.append(st)

    def arg(self, st, args):
        for word in args.split():
            k, eq, v = word.partition("=")
            scope = st.args if st else self.global_args
            env = {**self.global_args, **(st.args if st else {})}
            if k in self.build_args:
                scope[k] = self.build_args[k]
            elif eq:
                scope[k] = expand(v, env)
            elif st and k in self.global_args:
                scope[k] = self.global_args[k]

    def run(self, st, no, args):
        cmd = exec_form(args, no, "RUN") if args.startswith("[") else ["/bin/sh", "-c", args]
        env = {**st.args, **st.env}
        self.log(f"stage {st.name}: RUN {args}" + (f"  [{' '.join(f'{k}={v}' for k, v in sorted(st.args.items()))}]" if st.args else ""))
        if self.o.dry_run:
            return
        uid, gid, home = lookup_ids(st.root, st.user)
        env.setdefault("HOME", home)
        os.makedirs(st.root + st.workdir, exist_ok=True)
        mounts = [("proc", "proc", ["-t", "proc", "proc"]),
                  ("sys", "sys", ["-t", "sysfs", "-o", "ro", "sysfs"]),
                  ("dev", "dev", ["--rbind", "/dev"]),
                  ("etc/resolv.conf", None, ["--bind", "/etc/resolv.conf"])]
        if self.o.apt_cache:
            os.makedirs(self.o.apt_cache, exist_ok=True)
            mounts.append(("var/cache/apt/archives", "dir", ["--bind", self.o.apt_cache]))
        script = []
        for path, kind, how in mounts:
            target = os.path.join(st.root, path)
            if kind and not os.path.isdir(target):
                os.makedirs(target)
            if not kind and not os.path.exists(target):
                open(target, "w").close()
            script.append(["mount", *how, target])
        # One private mount namespace per step: nothing stays mounted.
        inner = " && ".join(" ".join(shquote(a) for a in m) for m in script)
        inner += " && exec chroot --userspec=%d:%d %s env -i %s sh -c %s" % (
            uid, gid, shquote(st.root),
            " ".join(shquote(f"{k}={v}") for k, v in sorted(env.items())),
            shquote(f"cd {shquote(st.workdir)} && exec \"$@\""))
        inner += " run " + " ".join(shquote(c) for c in cmd)
        r = subprocess.run(["unshare", "--mount", "--propagation", "private",
                            "sh", "-c", inner])
        if r.returncode:
            die(f"line {no}: RUN failed with exit status {r.returncode}", 1)

    def copy(self, st, no, args):
        flags, words = split_flags(args)
        words = [expand(w, {**st.args, **st.env}) for w in words]
        if len(words) < 2:
            die(f"line {no}: COPY needs a source and a destination")
        *srcs, dest = words
        if not dest.startswith("/"):
            dest = os.path.join(st.workdir, dest)
        chown = (0, 0)
        if "chown" in flags:
            chown = lookup_ids(st.root, flags["chown"])[:2] if not self.o.dry_run else (0, 0)
        if "from" in flags:
            src_st = next((s for s in self.stages if s.name == flags["from"]), None)
            if not src_st:
                die(f"line {no}: COPY --from={flags['from']}: no such stage")
            base, patterns = src_st.root, None
        else:
            base, patterns = os.path.abspath(self.o.context), self.patterns
        self.log(f"stage {st.name}: COPY {' '.join(words)}")
        if self.o.dry_run:
            return
        paths = []
        for s in srcs:
            found = sorted(glob.glob(os.path.join(base, s.lstrip("/"))))
            if not found:
                die(f"line {no}: COPY source '{s}' does not exist")
            paths += found
        to_dir = dest.endswith("/") or len(paths) > 1
        for p in paths:
            rel = os.path.relpath(p, base)
            rel = "" if rel == "." else rel
            if os.path.isdir(p):
                target = st.root + dest
            elif to_dir:
                target = os.path.join(st.root + dest, os.path.basename(p))
                os.makedirs(os.path.dirname(target), exist_ok=True)
            else:
                target = st.root + dest
                os.makedirs(os.path.dirname(target), exist_ok=True)
            copy_entry(p, target, chown, rel, patterns)

    def build(self, text):
        st = None
        for no, line in logical_lines(text):
            word, _, args = line.partition(" ")
            ins, args = word.upper(), args.strip()
            if ins == "FROM":
                self.from_(no, args)
                st = self.stages[-1]
            elif ins == "ARG":
                self.arg(st, args)
            elif st is None:
                die(f"line {no}: {ins} before the first FROM")
            elif ins == "RUN":
                self.run(st, no, args)
            elif ins == "COPY":
                self.copy(st, no, args)
            elif ins == "WORKDIR":
                st.workdir = os.path.join(st.workdir, expand(args, {**st.args, **st.env}))
            elif ins == "ENV":
                for k, v in re.findall(r'(\w+)=("[^"]*"|\S*)', args):
                    st.env[k] = expand(v.strip('"'), {**st.args, **st.env})
            elif ins == "USER":
                st.user = expand(args, {**st.args, **st.env})
            elif ins == "ENTRYPOINT":
                st.entrypoint = exec_form(args, no, "ENTRYPOINT")
            elif ins == "CMD":
                st.cmd = exec_form(args, no, "CMD")
            elif ins == "VOLUME":
                st.volumes += exec_form(args, no, "VOLUME") if args.startswith("[") else args.split()
            elif ins in ("LABEL", "EXPOSE", "STOPSIGNAL"):
                pass
            else:
                die(f"line {no}: {ins} is not supported by this builder")
        if not self.stages:
            die("the Dockerfile has no FROM")
        return self.stages[-1]


def shquote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def cmd_build(o):
    with open(o.dockerfile) as f:
        text = f.read()
    if not o.dry_run:
        if os.path.exists(o.work):
            die(f"{o.work} exists; give a new work directory")
        os.makedirs(os.path.join(o.work, "stages"))
    last = Builder(o).build(text)
    config = {"user": last.user, "entrypoint": last.entrypoint, "cmd": last.cmd,
              "env": last.env, "workdir": last.workdir, "volumes": last.volumes}
    if o.dry_run:
        json.dump(config, sys.stdout, indent=2)
        print()
        return
    os.rename(last.root, os.path.join(o.work, "rootfs"))
    with open(os.path.join(o.work, "image.json"), "w") as f:
        json.dump(config, f, indent=2)


# ---- run ----

def cmd_run(o):
    with open(o.config) as f:
        config = json.load(f)
    root = os.path.abspath(o.rootfs)
    uid, gid, home = lookup_ids(root, o.user or config["user"])
    entry = [o.entrypoint] if o.entrypoint else config["entrypoint"] or []
    argv = entry + (o.args if o.args else config["cmd"] or [])
    if not argv:
        die("nothing to run: no entrypoint, no command", 2)
    steps = [["mount", "--bind", root, root],
             ["mount", "-t", "proc", "proc", root + "/proc"],
             ["mount", "-t", "sysfs", "-o", "ro,nosuid,nodev,noexec", "sysfs", root + "/sys"],
             ["mount", "-t", "tmpfs", "-o", "mode=0755,nosuid", "dev", root + "/dev"]]
    devices = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"] + o.device
    mountpoints = []
    for d in devices:
        # HOST:CTR as docker run --device: a test's own device node (its
        # owner and mode chosen) appears at the container's path.
        host, _, ctr = d.partition(":")
        steps.append(["touch", root + (ctr or host)])
        steps.append(["mount", "--bind", host, root + (ctr or host)])
    for v in o.volume:
        host, _, ctr = v.partition(":")
        if os.path.isdir(host):
            mountpoints.append(root + ctr)
        elif not os.path.exists(root + ctr):
            open(root + ctr, "w").close()
        steps.append(["mount", "--bind", host, root + ctr])
    if o.no_shell:
        # Anything that tries to exec a shell fails with EACCES.
        for sh in SHELLS:
            if os.path.exists(os.path.join(root, sh)) and not os.path.islink(os.path.join(root, sh)):
                steps.append(["mount", "--bind", "/dev/null", os.path.join(root, sh)])
    if o.read_only:
        steps.append(["mount", "-o", "remount,bind,ro", root])
    for mp in mountpoints + [root + "/proc", root + "/sys", root + "/dev"]:
        os.makedirs(mp, exist_ok=True)
    env = {"PATH": DEFAULT_PATH, **config["env"], "HOME": home}
    for kv in o.env:
        k, _, v = kv.partition("=")
        env[k] = v
    groups = ",".join(str(g) for g in [gid] + o.group_add)
    caps = "+all" if "ALL" in o.cap_add else ",".join(["-all"] + [f"+{c.lower()}" for c in o.cap_add])
    script = " && ".join(" ".join(shquote(a) for a in s) for s in steps)
    # The host's chroot, then the image's own setpriv (util-linux, no
    # shell): user, groups and a bounding set as `capabilities: drop: [ALL]`.
    script += " && exec chroot %s setpriv --reuid=%d --regid=%d --groups=%s " \
              "--bounding-set=%s --inh-caps=-all --no-new-privs env -i -C / %s %s" % (
                  shquote(root), uid, gid, groups, caps,
                  " ".join(shquote(f"{k}={v}") for k, v in sorted(env.items())),
                  " ".join(shquote(a) for a in argv))
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script])
    sys.exit(r.returncode)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--dockerfile", required=True)
    b.add_argument("--context", required=True)
    b.add_argument("--base-tar")
    b.add_argument("--work", required=True)
    b.add_argument("--target-arch", default="amd64")
    b.add_argument("--build-arg", action="append", default=[])
    b.add_argument("--apt-cache")
    b.add_argument("--dry-run", action="store_true")
    r = sub.add_parser("run")
    r.add_argument("--rootfs", required=True)
    r.add_argument("--config", required=True)
    r.add_argument("--user")
    r.add_argument("--entrypoint")
    r.add_argument("--volume", action="append", default=[])
    r.add_argument("--device", action="append", default=[])
    r.add_argument("--group-add", action="append", default=[], type=int)
    r.add_argument("--env", action="append", default=[])
    r.add_argument("--cap-add", action="append", default=[])
    r.add_argument("--read-only", action="store_true")
    r.add_argument("--no-shell", action="store_true")
    r.add_argument("args", nargs="*")
    o = p.parse_args()
    if o.command == "build":
        if not o.dry_run and not o.base_tar:
            die("build needs --base-tar", 2)
        cmd_build(o)
    else:
        cmd_run(o)


if __name__ == "__main__":
    main()
