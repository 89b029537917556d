#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the deployment files against the binaries they deploy.

usage: check_deploy.py FANOUTD FANOUT_NODE FANOUT

- deploy/kubernetes.yaml holds a Deployment, Service, PodDisruptionBudget and
  HorizontalPodAutoscaler that fit together; the pod meets Pod Security
  "restricted"; preStop outlasts endpoint propagation and the grace period
  covers preStop plus FANOUTD_GRACE; FANOUTD_SIM_THREADS follows the CPU
  limit; topology spread is set.
- Every environment name the manifests, unit and Dockerfile set is one the
  binary's --help names; the container port is the one fanoutd listens on;
  fanoutd started with the manifest's environment answers 200 on the probe
  paths and reports as many simulation threads as the CPU limit.
- The Dockerfile has an exec-form HEALTHCHECK through fanoutd --healthcheck,
  the OCI labels, the Makefile's BUILD_PACKAGES, and the version --version says.
- The systemd unit's ExecStart follows the Makefile's BINDIR.
- Every option of each program's --help is in its man page, and back.
- The study Job (Indexed) and its merge Job: completions match --shard's N,
  the index comes from the completion-index annotation, every flag is one
  `fanout --help` lists, the pods meet "restricted"; and their commands,
  run here with the trials cut down, merge to the in-process answer.
- The Slurm script's flags are fanout's; `make slurm` runs it for real.
- fanoutd, traced with strace while it serves every kind of request and
  drains on SIGTERM, makes only system calls the unit's SystemCallFilter
  allows, opens sockets only of RestrictAddressFamilies' families, opens no
  file for writing (ProtectSystem=strict) and maps no memory both writable
  and executable (MemoryDenyWriteExecute): the sandbox cannot break it.

Prints one line per check and "N passed, N failed" at the end.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    import yaml
except ImportError:  # the pyenv Python may lack it; Debian's has python3-yaml
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Seconds a pod may still get new connections after it starts terminating:
# the endpoint controller and kube-proxy on every node must both catch up.
# A few seconds is usual; preStop must sleep at least this long.
ENDPOINT_PROPAGATION = 5

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    if ok:
        passed += 1
    else:
        failed += 1
    return ok


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def help_text(binary):
    return subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout


def options(text):
    """The --options a --help text lists."""
    return set(re.findall(r"^\s+(--[a-z][a-z-]*)", text, re.M))


def cpus(quantity):
    """A Kubernetes CPU quantity ("2", "1500m") in CPUs, rounded up as resourceFieldRef does."""
    q = str(quantity)
    return -(-int(q[:-1]) // 1000) if q.endswith("m") else -(-float(q) // 1)


def by_kind(docs):
    out = {}
    for d in docs:
        if d:
            out.setdefault(d["kind"], []).append(d)
    return out


def env_names(container):
    return [e["name"] for e in container.get("env", [])]


def check_restricted(pod, where):
    """Pod Security Standards, "restricted" profile (v1.25+)."""
    psc = pod.get("securityContext", {})
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        check(not pod.get(key), f"{where}: no {key}")
    allowed_volumes = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                       "persistentVolumeClaim", "projected", "secret"}
    for v in pod.get("volumes", []):
        kinds = set(v) - {"name"}
        check(kinds <= allowed_volumes, f"{where}: volume {v['name']} is of an allowed type")
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        sc = c.get("securityContext", {})
        name = f"{where} container {c['name']}"
        check(not sc.get("privileged"), f"{name}: not privileged")
        check(sc.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation false")
        check(sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, f"{name}: runAsNonRoot")
        check(sc.get("runAsUser", psc.get("runAsUser", 1)) != 0, f"{name}: not uid 0")
        seccomp = sc.get("seccompProfile", psc.get("seccompProfile", {})).get("type")
        check(seccomp in ("RuntimeDefault", "Localhost"), f"{name}: seccompProfile {seccomp}")
        caps = sc.get("capabilities", {})
        check("ALL" in caps.get("drop", []), f"{name}: drops ALL capabilities")
        check(set(caps.get("add", [])) <= {"NET_BIND_SERVICE"}, f"{name}: adds no capability")
        check(not any(p.get("hostPort") for p in c.get("ports", [])), f"{name}: no hostPort")


def start_fanoutd(binary, env):
    """fanoutd on a free loopback port with `env`; (process, port, first log line)."""
    full = dict(os.environ, **env)
    full.update(FANOUTD_ADDRESS="127.0.0.1", FANOUTD_PORT="0")
    proc = subprocess.Popen([binary], env=full, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.search(r"listening on \S+ port (\d+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"fanoutd did not start: {line!r}")
    return proc, int(m.group(1)), line


def get_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def check_kubernetes(fanoutd, fanoutd_help):
    kinds = by_kind(yaml.safe_load_all(read("deploy/kubernetes.yaml")))
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        check(kind in kinds, f"kubernetes.yaml has a {kind}")
    dep = kinds["Deployment"][0]
    pod = dep["spec"]["template"]["spec"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    check(dep["spec"]["selector"]["matchLabels"].items() <= labels.items(),
          "Deployment selector matches its pod labels")
    check_restricted(pod, "Deployment")
    c = next(c for c in pod["containers"] if c["name"] == "fanoutd")
    env = {e["name"]: e for e in c.get("env", [])}

    for name in env:
        check(name in fanoutd_help, f"env {name} is named in fanoutd --help")
    ports = {p.get("name"): p["containerPort"] for p in c["ports"]}
    listen = int(env["FANOUTD_PORT"]["value"]) if "FANOUTD_PORT" in env else \
        int(re.search(r"--port N.*default (\d+)", fanoutd_help).group(1))
    check(ports.get("http") == listen, f"containerPort {ports.get('http')} is fanoutd's port {listen}")
    probes = [c.get(p) for p in ("readinessProbe", "livenessProbe", "startupProbe") if c.get(p)]
    check(len(probes) >= 2, "readiness and liveness probes")
    for p in probes:
        port = p["httpGet"]["port"]
        check(port in ports or port in ports.values(), f"probe port {port} is a container port")

    limit = c["resources"]["limits"].get("cpu")
    check(limit is not None, "container has a CPU limit")
    sim = env.get("FANOUTD_SIM_THREADS", {})
    ref = sim.get("valueFrom", {}).get("resourceFieldRef", {})
    if ref:
        check(ref.get("resource") == "limits.cpu" and str(ref.get("divisor", "1")) == "1" and
              ref.get("containerName", c["name"]) == c["name"],
              "FANOUTD_SIM_THREADS is this container's limits.cpu in whole CPUs")
        sim_threads = int(cpus(limit))
    else:
        sim_threads = int(sim.get("value", -1))
        check(sim_threads == cpus(limit), f"FANOUTD_SIM_THREADS {sim_threads} equals the CPU limit {limit}")

    pre = c.get("lifecycle", {}).get("preStop", {})
    if "sleep" in pre:
        sleep = float(pre["sleep"]["seconds"])
    else:
        cmd = pre.get("exec", {}).get("command", [])
        sleep = float(cmd[1]) if len(cmd) == 2 and cmd[0].endswith("/sleep") else 0
    check(sleep > ENDPOINT_PROPAGATION, f"preStop sleeps {sleep} s > {ENDPOINT_PROPAGATION} s of propagation")
    grace = float(env.get("FANOUTD_GRACE", {}).get("value", 30))
    check(pod.get("terminationGracePeriodSeconds", 30) > sleep + grace,
          f"terminationGracePeriodSeconds {pod.get('terminationGracePeriodSeconds')} > preStop {sleep}"
          f" + FANOUTD_GRACE {grace}")

    spread = pod.get("topologySpreadConstraints", [])
    check(any(s["topologyKey"] == "kubernetes.io/hostname" for s in spread), "spread across nodes")
    check(all(s["labelSelector"]["matchLabels"].items() <= labels.items() for s in spread),
          "spread constraints select the pod's own labels")

    svc = kinds["Service"][0]["spec"]
    check(svc["selector"].items() <= labels.items(), "Service selects the pods")
    check(all(p["targetPort"] in ports or p["targetPort"] in ports.values() for p in svc["ports"]),
          "Service targets a container port")
    pdb = kinds["PodDisruptionBudget"][0]["spec"]
    check(pdb["selector"]["matchLabels"].items() <= labels.items(), "PodDisruptionBudget selects the pods")
    hpa = kinds["HorizontalPodAutoscaler"][0]["spec"]
    check(hpa["scaleTargetRef"]["kind"] == "Deployment" and
          hpa["scaleTargetRef"]["name"] == dep["metadata"]["name"], "HPA scales the Deployment")
    check(any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in hpa["metrics"]),
          "HPA scales on CPU")
    check(hpa["minReplicas"] > pdb.get("minAvailable", 0), "HPA's floor leaves room for the PDB")
    check("replicas" not in dep["spec"], "the HPA alone sets the replica count")

    # The pod's own environment, run: probes answer and the thread count follows the limit.
    run_env = {k: str(v.get("value", sim_threads)) for k, v in env.items()}
    proc, port, line = start_fanoutd(fanoutd, run_env)
    try:
        for p in probes:
            path = p["httpGet"]["path"]
            check(get_status(f"http://127.0.0.1:{port}{path}") == 200, f"fanoutd answers 200 at {path}")
        m = re.search(r"(\d+) simulation thread", line)
        check(m and int(m.group(1)) == min(sim_threads, 64),
              f"fanoutd with the pod's environment uses {sim_threads} simulation threads ({line.strip()})")
        hc = subprocess.run([fanoutd, "--healthcheck", f"http://127.0.0.1:{port}/healthz"])
        check(hc.returncode == 0, "fanoutd --healthcheck exits 0 against a live fanoutd")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    hc = subprocess.run([fanoutd, "--healthcheck", f"http://127.0.0.1:{port}/healthz"],
                        stderr=subprocess.DEVNULL)
    check(hc.returncode == 1, "fanoutd --healthcheck exits 1 once it has stopped")


def check_dockerfile(fanoutd, fanoutd_help):
    text = read("Dockerfile")
    joined = text.replace("\\\n", " ")
    hc = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", joined, re.M)
    check(hc is not None, "Dockerfile has a HEALTHCHECK in exec form (no shell needed)")
    if hc:
        cmd = yaml.safe_load(hc.group(1))
        check(cmd[0] == "/usr/local/bin/fanoutd" and cmd[1] == "--healthcheck",
              "HEALTHCHECK runs fanoutd --healthcheck")
    labels = dict(re.findall(r'(org\.opencontainers\.image\.[a-z.]+)="([^"]*)"', text))
    for key in ("title", "description", "version", "base.name", "licenses"):
        check(f"org.opencontainers.image.{key}" in labels, f"OCI label org.opencontainers.image.{key}")
    spdx = re.search(r"^SPDX-License-Identifier: (\S+)|^(MIT) License$", read("LICENSE"), re.M)
    check(spdx is not None and labels.get("org.opencontainers.image.licenses") == (spdx.group(1) or spdx.group(2)),
          "OCI licenses label names the LICENSE file's license")
    version = subprocess.run([fanoutd, "--version"], capture_output=True, text=True).stdout.split()[-1]
    check(labels.get("org.opencontainers.image.version") == version,
          f"OCI version label is fanoutd --version ({version})")
    for name in re.findall(r"^ENV\s+([A-Z_]+)=", text, re.M):
        check(name in fanoutd_help, f"Dockerfile ENV {name} is named in fanoutd --help")
    build = re.search(r"^BUILD_PACKAGES\s*=\s*(.*)$", read("Makefile"), re.M).group(1).split()
    first_stage = text.split("\nFROM ")[1]
    check(all(p in first_stage.split() for p in build), "build stage installs the Makefile's BUILD_PACKAGES")
    base = re.findall(r"^FROM\s+(\S+)", text, re.M)[-1]
    check(labels.get("org.opencontainers.image.base.name") == base,
          "OCI base.name label is the final stage's base image")
    expose = re.search(r"^EXPOSE\s+(\d+)", text, re.M)
    default_port = re.search(r"--port N.*default (\d+)", fanoutd_help).group(1)
    check(expose and expose.group(1) == default_port, "EXPOSE is fanoutd's default port")


def check_unit(fanoutd_help):
    unit = read("deploy/fanoutd.service.in")
    check(re.search(r"^ExecStart=@BINDIR@/fanoutd\b", unit, re.M) is not None,
          "the unit's ExecStart follows BINDIR")
    for name in re.findall(r"\b(FANOUTD_[A-Z_]+)=", unit):
        check(name in fanoutd_help, f"unit sets {name}, named in fanoutd --help")


def check_man(program, help_txt):
    page = read(f"docs/man/{program}.1")
    entries = {"--" + f.replace("\\-", "-") for f in re.findall(r"^\.It Fl \\-([a-z\\-]+)", page, re.M)}
    named = {"--" + f.replace("\\-", "-") for f in re.findall(r"\bFl \\-([a-z\\-]+)", page)}
    in_help = options(help_txt)
    check(in_help <= named and entries <= in_help,
          f"{program}.1 names every option of {program} --help and no other"
          f" (only in help: {sorted(in_help - named)}, only in page: {sorted(entries - in_help)})")


def syscall_groups():
    """systemd-analyze's syscall groups, each expanded to its system calls."""
    text = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True).stdout
    groups, cur = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            cur = groups.setdefault(line.strip(), [])
        elif cur is not None and line.strip() and not line.strip().startswith("#"):
            cur.append(line.strip())

    def expand(name, seen=()):
        out = set()
        for item in groups.get(name, []):
            out |= expand(item, seen + (name,)) if item.startswith("@") and item not in seen else {item}
        return out
    return expand


def unit_syscalls(unit, expand):
    """The system calls a unit's SystemCallFilter= lines allow (allow-list, then ~deny lines)."""
    allowed = None
    for line in re.findall(r"^SystemCallFilter=(.*)$", unit, re.M):
        deny = line.startswith("~")
        names = set()
        for item in line.lstrip("~").split():
            names |= expand(item) if item.startswith("@") else {item}
        if deny:
            allowed -= names
        else:
            allowed = names if allowed is None else allowed | names
    return allowed


def exercise(proc, fanoutd, trace):
    """Every kind of request to the traced fanoutd, then SIGTERM; the trace's lines, then the healthcheck's result."""
    m = re.search(r"port (\d+)", proc.stderr.readline())
    base = f"http://127.0.0.1:{m.group(1)}"
    for path, body in [("/healthz", None), ("/readyz", None), ("/metrics", None), ("/", None),
                       ("/openapi.yaml", None), ("/nope", None),
                       ("/calc_fanout", {"nodes": 200, "target_prob": 0.99, "rounds": 8}),
                       ("/calc_fanout", {"nodes": 10 ** 6, "target_prob": 0.99, "rounds": 30}),
                       ("/simulate_gossip", {"nodes": 5000, "fanout": 3, "rounds": 20, "trials": 3000,
                                             "seed": 1, "curve": True}),
                       ("/simulate_gossip", {"nodes": "bad"})]:
        data = json.dumps(body).encode() if body else None
        try:
            urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=60).read()
        except urllib.error.HTTPError:
            pass
    hc = subprocess.run(["strace", "-f", "-qq", "-o", trace + ".hc", fanoutd, "--healthcheck",
                         base + "/healthz"], timeout=60)
    # SIGTERM to fanoutd itself (strace's child), so the drain is traced too.
    with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
        child = int(f.read().split()[0])
    os.kill(child, signal.SIGTERM)
    proc.wait(timeout=120)
    lines = []
    for name in (trace, trace + ".hc"):
        with open(name) as f:
            lines += f.read().splitlines()
    return lines + [hc.returncode == 0]


def check_sandbox(fanoutd):
    unit = read("deploy/fanoutd.service.in")
    allowed = unit_syscalls(unit, syscall_groups())
    families = set(re.search(r"^RestrictAddressFamilies=(.*)$", unit, re.M).group(1).split())
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "trace")
        env = dict(os.environ, FANOUTD_ADDRESS="127.0.0.1", FANOUTD_PORT="0")
        proc = subprocess.Popen(["strace", "-f", "-qq", "-o", trace, fanoutd], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            lines = exercise(proc, fanoutd, trace)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    check(lines.pop(), "fanoutd --healthcheck works under strace")
    calls = {m.group(1) for ln in lines if (m := re.match(r"^\d+\s+([a-z_0-9]+)\(", ln))}
    check(len(calls) > 20, f"strace saw fanoutd's system calls ({len(calls)} kinds)")
    check(allowed is not None and calls <= allowed,
          f"every system call fanoutd made is allowed by SystemCallFilter (not: {sorted(calls - (allowed or set()))})")
    used = {m.group(1) for ln in lines if (m := re.search(r"\bsocket\((AF_[A-Z0-9]+)", ln))}
    check(used and used <= families, f"sockets only of RestrictAddressFamilies ({sorted(used)})")
    writes = [ln for ln in lines if re.search(r"\bopenat\(.*(O_WRONLY|O_RDWR|O_CREAT)", ln)]
    check(not writes, f"no file opened for writing ({writes[:2]})")
    wx = [ln for ln in lines if re.search(r"\b(mmap|mprotect)\(.*(PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE)", ln)]
    check(not wx, f"no memory both writable and executable ({wx[:2]})")


def flag_names(args):
    return {a.split("=", 1)[0] for a in args if a.startswith("--")}


def check_study(fanout, fanout_help, tmp):
    known = options(fanout_help)
    study = by_kind(yaml.safe_load_all(read("deploy/kubernetes-study.yaml")))
    merge = by_kind(yaml.safe_load_all(read("deploy/kubernetes-study-merge.yaml")))["Job"][0]
    job = study["Job"][0]
    pvc = study["PersistentVolumeClaim"][0]["metadata"]["name"]
    spec = job["spec"]
    check(spec.get("completionMode") == "Indexed", "study Job is an Indexed Job")
    c = spec["template"]["spec"]["containers"][0]
    args = c["args"]
    shard = next((a.split("=", 1)[1] for a in args if a.startswith("--shard=")), "")
    m = re.fullmatch(r"\$\((\w+)\)/(\d+)", shard)
    check(m is not None and int(m.group(2)) == spec["completions"],
          f"--shard {shard} splits into the Job's {spec['completions']} completions")
    env = {e["name"]: e for e in c.get("env", [])}
    ref = env.get(m.group(1) if m else "", {}).get("valueFrom", {}).get("fieldRef", {})
    check(ref.get("fieldPath") == "metadata.annotations['batch.kubernetes.io/job-completion-index']",
          "the shard index is the pod's completion index")
    check(any(a.startswith("--seed=") for a in args), "the study's run has a seed")
    for job_doc, name in ((job, "study"), (merge, "merge")):
        pod = job_doc["spec"]["template"]["spec"]
        check_restricted(pod, f"{name} Job")
        cont = pod["containers"][0]
        check(flag_names(cont["args"]) <= known,
              f"{name} Job's flags are fanout's: {sorted(flag_names(cont['args']) - known) or 'all'}")
        check(cont["command"] == ["/usr/local/bin/fanout"], f"{name} Job runs fanout")
        check(all(v.get("persistentVolumeClaim", {}).get("claimName") == pvc for v in pod["volumes"]),
              f"{name} Job mounts the study's volume")
    for name in env:
        check(name == m.group(1) or name in fanout_help, f"study env {name} is named in fanout --help")
    n = spec["completions"]
    mount = c["volumeMounts"][0]["mountPath"]
    merge_files = [a for a in merge["spec"]["template"]["spec"]["containers"][0]["args"] if a.startswith("/")]
    check(merge_files == [f"{mount}/shard-{i}.json" for i in range(n)],
          "the merge Job reads every shard the study writes")

    # The two Jobs' commands, run here with a handful of trials.
    def local(a, index):
        a = [x.replace(f"$({m.group(1)})", str(index)).replace(mount, tmp) for x in a]
        return [("--trials=8" if x.startswith("--trials=") else x) for x in a]
    for i in range(n):
        subprocess.run([fanout, *local(args, i)], check=True)
    merged = subprocess.run([fanout, *local(merge["spec"]["template"]["spec"]["containers"][0]["args"], 0)],
                            capture_output=True, text=True, check=True).stdout
    whole_args = [a for a in local(args, 0) if not a.startswith(("--shard=", "--output="))]
    whole = subprocess.run([fanout, *whole_args], capture_output=True, text=True, check=True).stdout
    check(merged == whole, "the Jobs' commands (trials cut to 8) merge to the in-process answer")

    slurm = read("deploy/slurm-study.sh")
    body = [ln for ln in slurm.split("set -euo pipefail", 1)[1].splitlines() if not ln.lstrip().startswith("#")]
    used = set(re.findall(r"(--[a-z][a-z-]*)", "\n".join(body)))
    check(used <= known, f"the Slurm script's fanout flags are fanout's: {sorted(used - known) or 'all'}")
    check(re.search(r"^#SBATCH --array=0-(\d+)$", slurm, re.M) is not None, "the Slurm script is a job array")


def main():
    fanoutd, node, fanout = sys.argv[1:4]
    fanoutd_help, node_help, fanout_help = help_text(fanoutd), help_text(node), help_text(fanout)
    check_kubernetes(fanoutd, fanoutd_help)
    check_dockerfile(fanoutd, fanoutd_help)
    check_unit(fanoutd_help)
    check_man("fanoutd", fanoutd_help)
    check_man("fanout-node", node_help)
    check_man("fanout", fanout_help)
    with tempfile.TemporaryDirectory() as tmp:
        check_study(fanout, fanout_help, tmp)
    check_sandbox(fanoutd)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
