#!/usr/bin/python3
"""Checks deploy/Dockerfile against an install prefix, without an engine.

Usage: check_dockerfile.py SRC/deploy/Dockerfile PREFIX (SRC for the flags)
  PREFIX  a `cmake --install` prefix, standing in for the image's
          /opt/healthscore (what the build stage installs and the runtime
          stage copies)

Checked: the build stage installs into the prefix the runtime stage copies;
ENTRYPOINT's, CMD's and HEALTHCHECK's paths under the prefix exist (the
binaries executable); the runtime stage runs as a numeric non-root user;
every library that ldd resolves for the installed binaries and plugins
belongs to a package (dpkg -S) that the runtime stage installs, or that one
of those depends on (dpkg's Depends, followed), or that every Debian image
has (Priority: required); every package it names exists (apt-cache).
Not checked: that the image builds or runs (docs/operations.md).
Exits 1 listing every problem.
"""
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_manifests import IMAGE_PREFIX, report, server_flags  # noqa: E402


def instructions(text):
    """-> [(INSTRUCTION, arguments)], continuation lines joined."""
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def exec_form(args):
    args = args.strip()
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def apt_installs(run_args):
    """The package names of every `apt-get install` in a RUN line."""
    names = []
    for command in re.split(r"&&|;", run_args):
        words = command.split()
        if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
            names += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return names


def packages_of(paths):
    """-> {path: package} from one dpkg -S call (the real path, or the path)."""
    wanted = {}
    for p in paths:
        wanted.setdefault(os.path.realpath(p), p)
        wanted.setdefault(p, p)
    r = run(["dpkg", "-S"] + sorted(wanted))
    found = {}
    for line in r.stdout.splitlines():
        pkg, _, path = line.partition(": ")
        if path in wanted:
            found.setdefault(wanted[path], pkg.split(":")[0].split(",")[0].strip())
    return found


def dependency_closure(packages):
    """The packages and everything they depend on, from dpkg's database."""
    depends = {}
    r = run(["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\n"])
    for line in r.stdout.splitlines():
        name, _, deps = line.partition("\t")
        firsts = []
        for dep in deps.split(","):
            # apt installs the first alternative that is not there already.
            first = dep.split("|")[0].strip()
            if first:
                firsts.append(re.split(r"[\s(:]", first)[0])
        depends[name] = firsts
    seen, todo = set(), list(packages)
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(depends.get(p, []))
    return seen


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    dockerfile, prefix = argv[1], argv[2]
    problems = []
    with open(dockerfile, encoding="utf-8") as fh:
        steps = instructions(fh.read())
    stages, current = [], None
    for word, args in steps:
        if word == "FROM":
            m = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
            current = {"image": m.group(1), "name": m.group(2), "steps": []}
            stages.append(current)
        elif current is not None:
            current["steps"].append((word, args))
    if len(stages) < 2:
        sys.exit("FAIL: %s has %d stages; expected a build and a runtime stage"
                 % (dockerfile, len(stages)))
    build, final = stages[0], stages[-1]
    for stage in stages:
        if stage["image"] != "debian:bookworm-slim":
            problems.append("stage %s is FROM %s, not debian:bookworm-slim"
                            % (stage["name"] or "final", stage["image"]))
    build_runs = " ".join(a for w, a in build["steps"] if w == "RUN")
    if not re.search(r"cmake --install \S+.*--prefix %s\b" % re.escape(IMAGE_PREFIX), build_runs):
        problems.append("the build stage does not `cmake --install ... --prefix %s`" % IMAGE_PREFIX)
    if "scripts/setup" not in build_runs:
        problems.append("the build stage does not run scripts/setup")

    def in_prefix(path, what, executable=False):
        if not path.startswith(IMAGE_PREFIX + "/"):
            return
        local = prefix + path[len(IMAGE_PREFIX):]
        if not os.path.exists(local):
            problems.append("%s: %s is not in the install prefix" % (what, path))
        elif executable and not os.access(local, os.X_OK):
            problems.append("%s: %s is not executable in the install prefix" % (what, path))

    copies = [a for w, a in final["steps"] if w == "COPY"]
    if not any(re.fullmatch(r"--from=%s\s+%s/?\s+%s/?" % (re.escape(build["name"] or "0"),
                                                        IMAGE_PREFIX, IMAGE_PREFIX), c)
               for c in copies):
        problems.append("the runtime stage does not COPY --from=%s %s %s"
                        % (build["name"], IMAGE_PREFIX, IMAGE_PREFIX))
    for c in copies:
        if not c.startswith("--from="):
            problems.append("the runtime stage copies from the context: COPY %s" % c)
    entry = cmd = None
    for word, args in final["steps"]:
        if word == "ENTRYPOINT":
            entry = exec_form(args)
        elif word == "CMD":
            cmd = exec_form(args)
        elif word == "HEALTHCHECK":
            m = re.search(r"\bCMD\s+(.*)$", args)
            hc = exec_form(m.group(1)) if m else []
            if not hc:
                problems.append("HEALTHCHECK has no CMD")
            else:
                in_prefix(hc[0], "HEALTHCHECK", executable=True)
        elif word == "USER":
            uid = args.split(":")[0]
            if not uid.isdigit() or uid == "0":
                problems.append("USER %s: use a numeric non-root uid (runAsNonRoot "
                                "can check only a number)" % args)
    if not entry:
        problems.append("no ENTRYPOINT")
    else:
        in_prefix(entry[0], "ENTRYPOINT", executable=True)
    src = os.path.dirname(os.path.dirname(os.path.abspath(dockerfile)))
    flags = server_flags(src)
    for arg in (cmd or []):
        name = re.match(r"--([\w-]+)", arg)
        if not name or name.group(1).replace("-", "_") not in flags:
            problems.append("CMD %s is not a flag of healthscore-server" % arg)
    for arg in (cmd or []):
        m = re.match(r"--[\w-]+=(?:sqlite:)?(/.*)", arg)
        if m:
            in_prefix(m.group(1), "CMD %s" % arg)
    if not any(w == "USER" for w, _ in final["steps"]):
        problems.append("the runtime stage has no USER: it would run as root")

    # Runtime libraries.
    listed = []
    for word, args in final["steps"]:
        if word == "RUN":
            listed += apt_installs(args)
    if not listed:
        problems.append("the runtime stage installs no packages")
    known = set(re.findall(r"^Package: (\S+)$",
                           run(["apt-cache", "show", "--no-all-versions"] + listed).stdout, re.M))
    for p in listed:
        if p not in known:
            problems.append("runtime package %s: apt-cache knows no such package" % p)
    required = {line.split()[0] for line in
                run(["dpkg-query", "-W", "-f=${Package} ${Priority}\n"]).stdout.splitlines()
                if line.endswith(" required")}
    covered = dependency_closure(set(listed) | required)
    elfs = []
    for root, _, files in os.walk(prefix):
        for f in files:
            path = os.path.join(root, f)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    elfs.append(path)
    if not elfs:
        problems.append("no ELF file in %s" % prefix)
    libs = {}
    for elf in elfs:
        r = run(["ldd", elf])
        for line in r.stdout.splitlines():
            if "not found" in line:
                problems.append("%s: %s" % (os.path.relpath(elf, prefix), line.strip()))
            m = re.match(r"\s*(\S+) => (/\S+)", line)
            if m:
                libs.setdefault(m.group(2), os.path.relpath(elf, prefix))
    packages = {}
    owners = packages_of([lib for lib in libs if not lib.startswith(prefix)])
    for lib, user in sorted(libs.items()):
        if lib.startswith(prefix):
            continue
        pkg = owners.get(lib)
        if pkg is None:
            problems.append("%s (loaded by %s) belongs to no Debian package" % (lib, user))
            continue
        packages[pkg] = lib
        if pkg not in covered:
            problems.append("%s (loaded by %s) is in package %s, which the runtime "
                            "stage does not install" % (lib, user, pkg))
    print("Dockerfile: %d ELF files, %d libraries from %d packages, %d packages listed"
          % (len(elfs), len(libs), len(packages), len(listed)))
    return report(problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
