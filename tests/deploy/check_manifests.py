#!/usr/bin/python3
"""Checks deploy/'s rendered Kubernetes objects against the server they run.

Usage: check_manifests.py SRC PREFIX RENDERED...
  SRC       the source tree (server/ for the flags, deploy/ for the chart)
  PREFIX    a `cmake --install` prefix, standing in for the image's
            /opt/healthscore
  RENDERED  NAME=FILE: a multi-document YAML file, e.g. `kubectl kustomize`
            output; NAME labels its errors. The Helm chart is rendered here
            (helm_render.py, a subset of Helm's templates) and checked too,
            and compared with the RENDERED file named `base`.

What is checked (no cluster): every container argument is a flag the server
defines; ports in the arguments match the containerPorts, the probes, the
Services and the NetworkPolicy, and the admin port is in none of them; the
probes' kinds, paths and schemes; the grace period against the drain; the
security context; every file flag is under a mounted ConfigMap or Secret
that has the key (the Secrets from deploy/k8s/examples/secrets.example.yaml);
paths into the image exist in the install prefix; the scorecard ConfigMap is
scorecards/default.yaml. Exits 1 listing every problem.
"""
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helm_render  # noqa: E402

IMAGE_PREFIX = "/opt/healthscore"
FILE_FLAGS = ("config", "tls_cert", "tls_key", "tls_client_ca",
              "admin_token_file", "api_token_file")
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def server_flags(src):
    """Every ABSL_FLAG name under server/ (the flags the binary accepts)."""
    names = set()
    pattern = re.compile(r"ABSL_FLAG\(\s*(?:[^,<]|<[^>]*>)+,\s*(\w+)\s*,")
    for root, _, files in os.walk(os.path.join(src, "server")):
        for f in files:
            if f.endswith((".cc", ".h")):
                with open(os.path.join(root, f), encoding="utf-8") as fh:
                    names.update(pattern.findall(fh.read()))
    return names


def parse_args(args):
    """--name=value / --name -> {name_with_underscores: value or True}."""
    flags, problems = {}, []
    for arg in args:
        m = re.fullmatch(r"--([A-Za-z0-9_-]+)(?:=(.*))?", arg)
        if not m:
            problems.append("argument %r is not --name[=value]" % arg)
            continue
        name = m.group(1).replace("-", "_")
        if name in flags:
            problems.append("flag --%s given twice" % m.group(1))
        flags[name] = m.group(2) if m.group(2) is not None else True
    return flags, problems


def split_address(value):
    m = re.fullmatch(r"(\[[^\]]+\]|[^:]*):(\d+)", value or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def is_subset(small, big):
    return bool(small) and all(big.get(k) == v for k, v in small.items())


class Checker:
    def __init__(self, src, prefix, flags, secrets):
        self.src, self.prefix, self.flags = src, prefix, flags
        self.secrets = secrets  # name -> set of keys
        self.problems = []

    def fail(self, label, message):
        self.problems.append("%s: %s" % (label, message))

    def check(self, label, docs):
        bad = lambda m: self.fail(label, m)  # noqa: E731
        by_kind = {}
        for d in docs:
            by_kind.setdefault(d["kind"], []).append(d)
        for kind in ("Deployment", "Service", "NetworkPolicy",
                     "PodDisruptionBudget", "HorizontalPodAutoscaler",
                     "ConfigMap"):
            if kind not in by_kind:
                bad("no %s" % kind)
        if len(by_kind.get("Deployment", [])) != 1:
            bad("%d Deployments, expected 1" % len(by_kind.get("Deployment", [])))
            return
        dep = by_kind["Deployment"][0]
        spec = dep["spec"]
        pod = spec["template"]["spec"]
        pod_labels = spec["template"]["metadata"].get("labels", {})
        if not is_subset(spec["selector"].get("matchLabels", {}), pod_labels):
            bad("the Deployment's selector %s does not match its pod labels %s"
                % (spec["selector"], pod_labels))
        if spec.get("replicas", 1) < 3:
            bad("replicas: %s; the design runs at least 3" % spec.get("replicas"))
        containers = [c for c in pod["containers"] if c["name"] == "healthscore"]
        if len(containers) != 1:
            bad("no container named healthscore")
            return
        c = containers[0]

        # Every argument a flag the server defines.
        args, problems = parse_args(c.get("args", []))
        for p in problems:
            bad(p)
        for name in args:
            if name not in self.flags:
                bad("argument --%s is not a flag of healthscore-server (no "
                    "ABSL_FLAG(..., %s, ...) under server/)"
                    % (name.replace("_", "-"), name))

        # Ports.
        listen_host, grpc_port = split_address(args.get("listen"))
        http_host, http_port = split_address(args.get("http_listen"))
        admin = args.get("admin_listen", "127.0.0.1:50052")
        admin_host, admin_port = split_address(admin)
        if grpc_port is None:
            bad("--listen=%s is not host:port" % args.get("listen"))
        if http_port is None:
            bad("--http-listen=%s is not host:port" % args.get("http_listen"))
        for flag, host in (("--listen", listen_host), ("--http-listen", http_host)):
            if host in LOOPBACK:
                bad("%s on %s: no other pod or kubelet could reach it" % (flag, host))
        if not (admin.startswith("unix:") or admin_host in LOOPBACK):
            bad("--admin-listen=%s is not loopback or unix:; the admin API must "
                "stay private to the pod" % admin)
        named = {}
        numbers = set()
        for p in c.get("ports", []):
            numbers.add(p["containerPort"])
            if "name" in p:
                named[p["name"]] = p["containerPort"]
        if numbers != {grpc_port, http_port}:
            bad("containerPorts %s, expected exactly --listen's %s and "
                "--http-listen's %s" % (sorted(numbers), grpc_port, http_port))
        if admin_port in numbers:
            bad("the admin port %s is a containerPort" % admin_port)

        def resolve(ref):
            return named.get(ref) if isinstance(ref, str) else ref

        # Probes.
        tls = "tls_cert" in args
        if tls != ("tls_key" in args):
            bad("--tls-cert and --tls-key go together")
        if not tls and "plaintext" not in args:
            bad("neither --tls-cert nor --plaintext: a non-loopback listener "
                "needs one of them")
        paths = {"readinessProbe": "/readyz", "livenessProbe": "/healthz",
                 "startupProbe": "/readyz"}
        for probe_name, path in paths.items():
            probe = c.get(probe_name)
            if probe is None:
                if probe_name != "startupProbe":
                    bad("no %s" % probe_name)
                continue
            kinds = [k for k in ("httpGet", "grpc", "tcpSocket", "exec") if k in probe]
            if len(kinds) != 1:
                bad("%s has %s, expected one of httpGet or grpc" % (probe_name, kinds))
                continue
            if kinds[0] == "grpc":
                if probe["grpc"].get("port") != grpc_port:
                    bad("%s: grpc port %s, not --listen's %s"
                        % (probe_name, probe["grpc"].get("port"), grpc_port))
                if tls:
                    bad("%s: the kubelet's gRPC probe cannot speak TLS, and "
                        "--tls-cert is set" % probe_name)
            elif kinds[0] == "httpGet":
                get = probe["httpGet"]
                if resolve(get.get("port")) != http_port:
                    bad("%s: port %s is not --http-listen's %s"
                        % (probe_name, get.get("port"), http_port))
                if get.get("path") != path:
                    bad("%s: path %s, expected %s" % (probe_name, get.get("path"), path))
                scheme = get.get("scheme", "HTTP")
                if scheme != ("HTTPS" if tls else "HTTP"):
                    bad("%s: scheme %s with%s --tls-cert"
                        % (probe_name, scheme, "" if tls else "out"))
            else:
                bad("%s: %s probe; use httpGet or grpc" % (probe_name, kinds[0]))

        # The drain fits in the grace period.
        drain = int(args.get("drain_seconds", 0))
        grace = int(args.get("grace_seconds", 5))
        period = pod.get("terminationGracePeriodSeconds", 30)
        if period <= drain + grace + 2:
            bad("terminationGracePeriodSeconds %s is not more than --drain-seconds"
                " %s + --grace-seconds %s + 2" % (period, drain, grace))
        if drain < 1:
            bad("--drain-seconds=%s: endpoints need time to drop the pod" % drain)

        # Security context.
        psc = pod.get("securityContext", {})
        csc = c.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True and csc.get("runAsNonRoot") is not True:
            bad("runAsNonRoot is not true")
        if psc.get("runAsUser", csc.get("runAsUser", 0)) == 0:
            bad("runAsUser is 0 or unset")
        if csc.get("readOnlyRootFilesystem") is not True:
            bad("readOnlyRootFilesystem is not true")
        if csc.get("allowPrivilegeEscalation") is not False:
            bad("allowPrivilegeEscalation is not false")

        # Files: under a mounted volume that has them.
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        mounts = c.get("volumeMounts", [])
        configmaps = {d["metadata"]["name"]: d for d in by_kind.get("ConfigMap", [])}
        for m in mounts:
            if m["name"] not in volumes:
                bad("volumeMount %s names no volume" % m["name"])
        if not any(m["mountPath"] == "/tmp" and "emptyDir" in volumes.get(m["name"], {})
                   for m in mounts):
            bad("no emptyDir on /tmp (the root filesystem is read-only)")
        for flag in FILE_FLAGS:
            value = args.get(flag)
            if not isinstance(value, str):
                continue
            mount = next((m for m in mounts
                          if value.startswith(m["mountPath"].rstrip("/") + "/")), None)
            if mount is None:
                bad("--%s=%s is under no volumeMount" % (flag.replace("_", "-"), value))
                continue
            if "subPath" in mount:
                bad("--%s is mounted with subPath: updates never reach it"
                    % flag.replace("_", "-"))
            key = value[len(mount["mountPath"].rstrip("/")) + 1:]
            volume = volumes.get(mount["name"], {})
            if "configMap" in volume:
                cm = configmaps.get(volume["configMap"]["name"])
                if cm is None:
                    bad("ConfigMap %s (for --%s) is not among the objects"
                        % (volume["configMap"]["name"], flag))
                elif key not in cm.get("data", {}):
                    bad("ConfigMap %s has no key %s (for --%s)"
                        % (cm["metadata"]["name"], key, flag))
            elif "secret" in volume:
                name = volume["secret"]["secretName"]
                if key not in self.secrets.get(name, set()):
                    bad("Secret %s (for --%s) with key %s is not in "
                        "deploy/k8s/examples/secrets.example.yaml" % (name, flag, key))
            else:
                bad("--%s is on volume %s, neither a ConfigMap nor a Secret"
                    % (flag, mount["name"]))
        config = args.get("config")
        if isinstance(config, str):
            mount = next((m for m in mounts if config.startswith(m["mountPath"] + "/")), None)
            if mount and "configMap" in volumes.get(mount["name"], {}):
                cm = configmaps[volumes[mount["name"]]["configMap"]["name"]]
                with open(os.path.join(self.src, "scorecards", "default.yaml"),
                          encoding="utf-8") as fh:
                    if cm["data"][os.path.basename(config)] != fh.read():
                        bad("the scorecard ConfigMap differs from scorecards/default.yaml")
        plugin_dir = args.get("plugin_dir")
        if not (isinstance(plugin_dir, str) and plugin_dir.startswith(IMAGE_PREFIX + "/")):
            bad("--plugin-dir=%s is not under %s" % (plugin_dir, IMAGE_PREFIX))
        elif not os.path.isdir(self.prefix + plugin_dir[len(IMAGE_PREFIX):]):
            bad("--plugin-dir=%s is not in the install prefix" % plugin_dir)

        # Environment: secrets exist; $(VAR) in args is defined.
        env = {e["name"]: e for e in c.get("env", [])}
        for e in env.values():
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["key"] not in self.secrets.get(ref["name"], set()):
                bad("env %s: Secret %s key %s is not in secrets.example.yaml"
                    % (e["name"], ref["name"], ref["key"]))
        for arg in c.get("args", []):
            for var in re.findall(r"\$\((\w+)\)", arg):
                if var not in env:
                    bad("argument %s uses $(%s), which env does not define" % (arg, var))

        # Services.
        services = by_kind.get("Service", [])
        headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
        for s in services:
            name = s["metadata"]["name"]
            if not is_subset(s["spec"].get("selector", {}), pod_labels):
                bad("Service %s selects %s, not the pods' labels" % (name, s["spec"].get("selector")))
            for p in s["spec"]["ports"]:
                target = resolve(p.get("targetPort", p["port"]))
                if target not in (grpc_port, http_port):
                    bad("Service %s port %s targets %s, neither --listen nor --http-listen"
                        % (name, p["port"], p.get("targetPort")))
        if not any(resolve(p.get("targetPort", p["port"])) == grpc_port
                   for s in headless for p in s["spec"]["ports"]):
            bad("no headless Service (clusterIP: None) on the gRPC port %s" % grpc_port)
        if not any(resolve(p.get("targetPort", p["port"])) == http_port
                   for s in services for p in s["spec"]["ports"]):
            bad("no Service on the HTTP port %s" % http_port)

        # NetworkPolicy: the public ports only.
        for np in by_kind.get("NetworkPolicy", []):
            name = np["metadata"]["name"]
            if not is_subset(np["spec"]["podSelector"].get("matchLabels", {}), pod_labels):
                bad("NetworkPolicy %s does not select the pods" % name)
            if "Ingress" not in np["spec"].get("policyTypes", []):
                bad("NetworkPolicy %s does not restrict Ingress" % name)
            allowed = set()
            for rule in np["spec"].get("ingress", []):
                if "ports" not in rule:
                    bad("NetworkPolicy %s has an ingress rule for every port" % name)
                for p in rule.get("ports", []):
                    allowed.add(resolve(p["port"]))
            if admin_port in allowed:
                bad("NetworkPolicy %s lets the admin port %s in" % (name, admin_port))
            if allowed != {grpc_port, http_port}:
                bad("NetworkPolicy %s allows ports %s, expected %s"
                    % (name, sorted(allowed, key=str), sorted({grpc_port, http_port})))

        # PDB, HPA.
        for pdb in by_kind.get("PodDisruptionBudget", []):
            if not is_subset(pdb["spec"]["selector"].get("matchLabels", {}), pod_labels):
                bad("PodDisruptionBudget %s does not select the pods" % pdb["metadata"]["name"])
        for hpa in by_kind.get("HorizontalPodAutoscaler", []):
            ref = hpa["spec"]["scaleTargetRef"]
            if ref["kind"] != "Deployment" or ref["name"] != dep["metadata"]["name"]:
                bad("HorizontalPodAutoscaler targets %s %s, not the Deployment"
                    % (ref["kind"], ref["name"]))
            if hpa["spec"].get("minReplicas", 1) < 2:
                bad("HorizontalPodAutoscaler minReplicas under 2")


def report(problems):
    """Prints each problem, or PASS; -> the exit code."""
    for p in problems:
        print("FAIL: " + p)
    print("PASS" if not problems else "%d problem(s)" % len(problems))
    return 1 if problems else 0


def summary(docs):
    """What the kustomize base and the Helm chart must agree on."""
    out = {"objects": sorted((d["kind"], d["metadata"]["name"]) for d in docs)}
    for d in docs:
        if d["kind"] == "Service":
            out["service " + d["metadata"]["name"]] = (
                d["spec"].get("clusterIP"),
                sorted((p.get("name"), p["port"], p.get("targetPort")) for p in d["spec"]["ports"]))
        if d["kind"] == "Deployment":
            pod = d["spec"]["template"]["spec"]
            c = pod["containers"][0]
            out["args"] = c.get("args")
            out["ports"] = sorted((p["name"], p["containerPort"]) for p in c["ports"])
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                out[probe] = c.get(probe)
            out["replicas"] = d["spec"].get("replicas")
            out["terminationGracePeriodSeconds"] = pod.get("terminationGracePeriodSeconds")
            out["volumes"] = sorted(v["name"] for v in pod.get("volumes", []))
            out["mounts"] = sorted((m["name"], m["mountPath"]) for m in c.get("volumeMounts", []))
            out["env"] = c.get("env")
            out["resources"] = c.get("resources")
            out["securityContext"] = c.get("securityContext")
            out["podSecurityContext"] = pod.get("securityContext")
            out["selector"] = d["spec"]["selector"]
            out["podLabels"] = d["spec"]["template"]["metadata"].get("labels")
            out["strategy"] = d["spec"].get("strategy")
        if d["kind"] in ("PodDisruptionBudget", "HorizontalPodAutoscaler"):
            out[d["kind"]] = d["spec"]
        if d["kind"] == "NetworkPolicy":
            out["networkpolicy"] = d["spec"].get("ingress")
    return out


def self_test(checker, base):
    """Each mistake below, made in a copy of the base, must be reported."""
    import copy

    def container(docs):
        dep = next(d for d in docs if d["kind"] == "Deployment")
        return dep, dep["spec"]["template"]["spec"], dep["spec"]["template"]["spec"]["containers"][0]

    def kind(docs, k, name=None):
        return next(d for d in docs if d["kind"] == k and name in (None, d["metadata"]["name"]))

    def set_arg(c, flag, value):
        c["args"] = [a for a in c["args"] if not a.startswith(flag + "=")] + [flag + "=" + value]

    mutations = [
        ("an unknown flag", "is not a flag of healthscore-server",
         lambda d: container(d)[2]["args"].append("--no-such-flag=1")),
        ("the admin port let in", "lets the admin port",
         lambda d: kind(d, "NetworkPolicy")["spec"]["ingress"][0]["ports"].append({"port": 50052})),
        ("a probe on another port", "readinessProbe: port 9999",
         lambda d: container(d)[2]["readinessProbe"]["httpGet"].update(port=9999)),
        ("the readiness path", "readinessProbe: path /healthz",
         lambda d: container(d)[2]["readinessProbe"]["httpGet"].update(path="/healthz")),
        ("a gRPC probe with TLS", "cannot speak TLS",
         lambda d: container(d)[2].update(livenessProbe={"grpc": {"port": 50051}})),
        ("a short grace period", "terminationGracePeriodSeconds 20",
         lambda d: container(d)[1].update(terminationGracePeriodSeconds=20)),
        ("no headless Service", "no headless Service",
         lambda d: kind(d, "Service", "healthscore-grpc")["spec"].pop("clusterIP")),
        ("a writable root", "readOnlyRootFilesystem",
         lambda d: container(d)[2]["securityContext"].update(readOnlyRootFilesystem=False)),
        ("the admin API on every address", "is not loopback",
         lambda d: set_arg(container(d)[2], "--admin-listen", "0.0.0.0:50052")),
        ("the HTTP port moved in the args only", "containerPorts",
         lambda d: set_arg(container(d)[2], "--http-listen", "0.0.0.0:8081")),
        ("the scorecard by subPath", "subPath",
         lambda d: container(d)[2]["volumeMounts"][0].update(subPath="scorecard.yaml")),
        ("a stale scorecard", "differs from scorecards/default.yaml",
         lambda d: kind(d, "ConfigMap")["data"].update({"scorecard.yaml": "scorecard: old\n"})),
        ("a Secret key nobody makes", "not in secrets.example.yaml",
         lambda d: container(d)[2]["env"][0]["valueFrom"]["secretKeyRef"].update(key="url")),
        ("a plugin dir not in the image", "is not in the install prefix",
         lambda d: set_arg(container(d)[2], "--plugin-dir", "/opt/healthscore/lib/plugins")),
    ]
    failures = 0
    for what, expected, mutate in mutations:
        docs = copy.deepcopy(base)
        mutate(docs)
        checker.problems = []
        checker.check("mutant", docs)
        if not any(expected in p for p in checker.problems):
            print("FAIL: self-test: %s was not reported (expected %r; got %s)"
                  % (what, expected, checker.problems))
            failures += 1
    try:
        helm_render.parse(helm_render.tokenize("{{ with .Values }}x{{ end }}", "t"), "t", {})
        print("FAIL: self-test: helm_render accepted {{ with }}")
        failures += 1
    except helm_render.TemplateError:
        pass
    checker.problems = []
    print("self-test: %d mistakes made, %d reported" % (len(mutations), len(mutations) - failures))
    return failures == 0


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    src, prefix = argv[1], argv[2]
    flags = server_flags(src)
    if len(flags) < 10:
        sys.exit("found only %d ABSL_FLAG names under %s/server" % (len(flags), src))
    secrets = {}
    with open(os.path.join(src, "deploy/k8s/examples/secrets.example.yaml"), encoding="utf-8") as fh:
        for d in yaml.safe_load_all(fh):
            secrets[d["metadata"]["name"]] = set(d.get("stringData", {})) | set(d.get("data", {}))
    checker = Checker(src, prefix, flags, secrets)
    rendered = {}
    for spec in argv[3:]:
        label, path = spec.split("=", 1)
        with open(path, encoding="utf-8") as fh:
            rendered[label] = [d for d in yaml.safe_load_all(fh) if d]
        checker.check("kustomize " + label, rendered[label])
        print("kustomize %s: %d objects checked" % (label, len(rendered[label])))

    if "base" in rendered and not self_test(Checker(src, prefix, flags, secrets),
                                            rendered["base"]):
        return 1

    chart = os.path.join(src, "deploy/helm/healthscore")
    try:
        helm_docs = helm_render.render_chart(chart, release="healthscore")
    except helm_render.TemplateError as e:
        checker.fail("helm", "cannot render: %s" % e)
        helm_docs = []
    if helm_docs:
        checker.check("helm", helm_docs)
        print("helm: %d objects checked" % len(helm_docs))
        with open(os.path.join(chart, "values.yaml"), encoding="utf-8") as fh:
            values = yaml.safe_load(fh)
        values["tls"]["enabled"] = False
        plain = helm_render.render_chart(chart, release="healthscore", values=values)
        checker.check("helm tls.enabled=false", plain)
        print("helm tls.enabled=false: %d objects checked" % len(plain))
        if "base" in rendered:
            a, b = summary(rendered["base"]), summary(helm_docs)
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    checker.fail("helm vs kustomize base", "%s: kustomize %s, helm %s"
                                 % (key, a.get(key), b.get(key)))
            print("helm vs kustomize base: %d properties compared" % len(a))
    return report(checker.problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
