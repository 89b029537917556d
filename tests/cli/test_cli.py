#!/usr/bin/env python3
"""fanout, the command-line tool: answers without a server, and split runs
that merge bit for bit.

usage: test_cli.py FANOUT FANOUTD [GROUP ...]   (a group: test_sweep, ...; all by default)

- calc answers min_fanout 3 for the seed's example with no server running;
- in-process answers equal fanoutd's for the same request;
- --shard i/n for every i, then `fanout merge`, equals the whole run byte for
  byte (all tallies, intervals and the per-round curve), for several n;
- --endpoints across 4 fanoutd on loopback, one of them killed (SIGKILL)
  while the run is going, equals the in-process run byte for byte;
- sweeps: the grid's rows are the single answers, the same over endpoints;
- bad flags, refusals and damaged shard files are reported, never merged.

Everything listens on 127.0.0.1 only; every process started is ended by PID.
Prints one line per check and "N passed, N failed" at the end.
"""
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

FANOUT, FANOUTD = sys.argv[1], sys.argv[2]
passed = failed = 0
servers = []


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if ok:
        passed += 1
    else:
        failed += 1
    return ok


def fanout(*args, check_rc=True):
    p = subprocess.run([FANOUT, *map(str, args)], capture_output=True, text=True, timeout=600)
    if check_rc and p.returncode != 0:
        raise SystemExit(f"fanout {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
    return p


def start_server(*extra):
    """fanoutd on a free loopback port; (process, base URL, log path)."""
    log = tempfile.NamedTemporaryFile("w+", prefix="fanoutd-", suffix=".log", delete=False)
    proc = subprocess.Popen([FANOUTD, "--address", "127.0.0.1", "--port", "0", *extra],
                            stderr=log, text=True)
    servers.append(proc)
    for _ in range(500):
        with open(log.name) as f:
            m = re.search(r"listening on \S+ port (\d+)", f.read())
        if m:
            return proc, f"http://127.0.0.1:{m.group(1)}", log.name
        time.sleep(0.01)
    raise SystemExit("fanoutd did not start")


def stop_all():
    for p in servers:
        if p.poll() is None:
            p.kill()
        p.wait()


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def flags(fields):
    out = []
    for k, v in fields.items():
        out += ["--" + k.replace("_", "-"), json.dumps(v) if isinstance(v, bool) else v]
    return out


def test_calc_without_server():
    p = fanout("calc", "--nodes", 25, "--target-prob", 0.99, "--rounds", 5)
    check(json.loads(p.stdout)["min_fanout"] == 3, "calc --nodes 25 --target-prob 0.99 --rounds 5: min_fanout 3")
    table = fanout("calc", "--nodes", 25, "--target-prob", 0.99, "--rounds", 5, "--format", "table").stdout
    check(re.search(r"^min_fanout\s+3$", table, re.M) is not None, "--format table has the min_fanout row")
    rows = list(csv.DictReader(io.StringIO(fanout("calc", "--nodes", 25, "--target-prob", 0.99,
                                                  "--rounds", 5, "--format", "csv").stdout)))
    check(len(rows) == 1 and rows[0]["min_fanout"] == "3", "--format csv has one row with min_fanout 3")


def test_same_as_fanoutd(url):
    for op, cmd, fields in [
        ("calc_fanout", "calc", {"nodes": 200, "target_prob": 0.999, "rounds": 9, "loss": 0.1}),
        ("calc_fanout", "calc", {"nodes": 100000, "target_prob": 0.99, "rounds": 20, "model": "mean_field"}),
        ("simulate_gossip", "simulate", {"nodes": 500, "fanout": 2, "rounds": 14, "trials": 700, "seed": 3,
                                         "mode": "push_pull", "failed_nodes": 20, "curve": True}),
    ]:
        local = json.loads(fanout(cmd, *flags(fields)).stdout)
        check(local == post(f"{url}/{op}", fields), f"fanout {cmd} answers as fanoutd does: {fields}")


RUNS = [
    {"nodes": 2000, "fanout": 3, "rounds": 12, "trials": 5003, "seed": 7, "loss": 0.1, "curve": True},
    {"nodes": 300, "fanout": 2, "rounds": 9, "trials": 1000, "seed": 11, "mode": "pull", "failed_nodes": 30,
     "first_trial": 12345},
    {"nodes": 50, "fanout": 1, "rounds": 3, "trials": 7, "seed": 5, "curve": True},  # few reach everyone
]


def test_shard_merge(tmp):
    for run in RUNS:
        whole = fanout("simulate", *flags(run)).stdout
        for n in (1, 3, 7):
            if n > run["trials"]:
                continue
            files = []
            for i in range(n):
                path = os.path.join(tmp, f"shard-{i}.json")
                fanout("simulate", *flags(run), "--shard", f"{i}/{n}", "--output", path)
                files.append(path)
            merged = fanout("merge", *reversed(files)).stdout
            check(merged == whole, f"{n} shards merged == one run, byte for byte: {run}")
    # What merge must refuse.
    run = RUNS[0]
    for i in range(2):
        fanout("simulate", *flags(run), "--shard", f"{i}/2", "--output", os.path.join(tmp, f"m{i}.json"))
    p = fanout("merge", os.path.join(tmp, "m0.json"), check_rc=False)
    check(p.returncode != 0 and "2 shards" in p.stderr, "merge refuses a missing shard")
    p = fanout("merge", os.path.join(tmp, "m0.json"), os.path.join(tmp, "m0.json"), check_rc=False)
    check(p.returncode != 0 and "repeated" in p.stderr, "merge refuses a repeated shard")
    other = dict(run, seed=8)
    fanout("simulate", *flags(other), "--shard", "1/2", "--output", os.path.join(tmp, "o1.json"))
    p = fanout("merge", os.path.join(tmp, "m0.json"), os.path.join(tmp, "o1.json"), check_rc=False)
    check(p.returncode != 0 and "different runs" in p.stderr, "merge refuses shards of different runs")
    with open(os.path.join(tmp, "m1.json")) as f:
        doc = json.load(f)
    doc["answer"]["messages_sum"] += 1
    with open(os.path.join(tmp, "bad1.json"), "w") as f:
        json.dump(doc, f)
    p = fanout("merge", os.path.join(tmp, "m0.json"), os.path.join(tmp, "bad1.json"), check_rc=False)
    check(p.returncode != 0 and "exactly" in p.stderr, "merge refuses a shard whose sums do not match its rates")
    p = fanout("simulate", "--nodes", 10, "--fanout", 2, "--rounds", 3, "--trials", 10, "--shard", "0/2",
               check_rc=False)
    check(p.returncode != 0 and "--seed" in p.stderr, "--shard without --seed is refused")


def wait_for_log(path, pattern, proc, limit=300):
    """Waits (up to `limit` s, as a safety net only) until `pattern` is in the log."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        with open(path) as f:
            if re.search(pattern, f.read()):
                return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def test_endpoints_with_a_replica_killed():
    # Enough shards that the run is still going after the victim's first answer.
    run = {"nodes": 20000, "fanout": 3, "rounds": 20, "trials": 6000, "seed": 42, "loss": 0.05,
           "curve": True}
    whole = fanout("simulate", *flags(run)).stdout
    reps = [start_server("--sim-threads", "1") for _ in range(4)]
    urls = ",".join(u for _, u, _ in reps)
    victim, _, victim_log = reps[1]
    p = subprocess.Popen([FANOUT, "simulate", *map(str, flags(run)), "--endpoints", urls,
                          "--shard-trials", "50"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    served = wait_for_log(victim_log, r"POST /simulate_gossip\S* 200", p)
    running = p.poll() is None
    victim.send_signal(signal.SIGKILL)
    out, err = p.communicate(timeout=600)
    check(served and running, "one replica was killed (SIGKILL) after serving a shard, while the run went on")
    check(p.returncode == 0, f"the run finished (exit {p.returncode})")
    check("retrying" in err, f"shards were retried on other replicas ({err.count('retrying')} retries)")
    check(out == whole, "--endpoints over 4 replicas, one killed, == the in-process run, byte for byte")
    # The default split, all replicas but the victim alive.
    out = fanout("simulate", *flags(run), "--endpoints", urls).stdout
    check(out == whole, "--endpoints with the default shard size == the in-process run")
    # A one-request operation through the endpoints, and a Service-like single URL.
    calc = {"nodes": 1000, "target_prob": 0.999, "rounds": 10}
    check(fanout("calc", *flags(calc), "--endpoints", reps[0][1]).stdout == fanout("calc", *flags(calc)).stdout,
          "calc through --endpoints == in-process")
    return reps


def test_refusals(reps):
    _, url, _ = start_server("--work-budget", "1000")
    p = fanout("simulate", "--nodes", 1000, "--fanout", 3, "--rounds", 10, "--trials", 100, "--seed", 1,
               "--endpoints", url, check_rc=False)
    check(p.returncode != 0 and "422" in p.stderr and "budget" in p.stderr,
          "an over-budget shard stops the run with the server's reason, not retried")
    p = fanout("simulate", "--nodes", 1000, "--fanout", 3, "--rounds", 10, "--trials", 100, "--seed", 1,
               "--endpoints", "http://127.0.0.1:9", check_rc=False)
    check(p.returncode != 0 and "failed" in p.stderr, "an unreachable endpoint fails after its retries")
    p = fanout("simulate", "--nodes", 25, "--fanuot", 3, check_rc=False)
    check(p.returncode == 2 and "unknown option '--fanuot'" in p.stderr, "a misspelt flag is refused")
    p = fanout("simulate", "--nodes", 25, "--target-prob", 0.9, check_rc=False)
    check(p.returncode != 0 and "not a field" in p.stderr, "a field of another operation is refused")
    p = fanout("simulate", "--nodes", 25, "--rounds", 5, "--trials", 0, check_rc=False)
    check(p.returncode == 2 and "(--fanout)" in p.stderr and "(--trials)" in p.stderr,
          "every bad field is reported with its flag")


def test_sweep(reps):
    base = {"nodes": 1000, "rounds": 15, "trials": 300, "seed": 1}
    out = fanout("sweep", "simulate", *flags(base), "--fanout", "2:4", "--loss", "0,0.1").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    check(len(rows) == 6 and [r["fanout"] for r in rows] == ["2", "2", "3", "3", "4", "4"],
          "sweep --fanout 2:4 --loss 0,0.1: 6 rows, the last flag turning fastest")
    single = json.loads(fanout("simulate", *flags(base), "--fanout", 3, "--loss", 0.1).stdout)
    check(rows[3]["delivery_rate"] == json.dumps(single["delivery_rate"]) and
          rows[3]["messages_sum"] == str(single["messages_sum"]), "a sweep row is the single answer")
    lines = fanout("sweep", "simulate", *flags(base), "--fanout", "2:4", "--loss", "0,0.1",
                   "--format", "jsonl").stdout.splitlines()
    check(len(lines) == 6 and json.loads(lines[3])["answer"] == single, "jsonl lines hold request and answer")
    urls = ",".join(u for p, u, _ in reps if p.poll() is None)
    remote = fanout("sweep", "simulate", *flags(base), "--fanout", "2:4", "--loss", "0,0.1",
                    "--endpoints", urls).stdout
    check(remote == out, "the sweep over --endpoints == in-process, byte for byte")
    out = fanout("sweep", "calc", "--nodes", "100,1000", "--target-prob", 0.99, "--rounds", "8:12:2",
                 "--model", "auto,mean_field").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    check(len(rows) == 12 and "answer.model" in rows[0] and rows[1]["answer.model"] == "mean_field",
          "calc sweep: 12 rows; the asked model and the answering one both shown")


def main():
    # Named groups (test_sweep ...) run alone; the endpoints' replicas start when one needs them.
    groups = ["test_calc_without_server", "test_same_as_fanoutd", "test_shard_merge",
              "test_endpoints_with_a_replica_killed", "test_refusals", "test_sweep"]
    wanted = set(sys.argv[3:]) or set(groups)
    if wanted - set(groups):
        raise SystemExit(f"test_cli.py: no group {sorted(wanted - set(groups))}; the groups: {groups}")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if "test_calc_without_server" in wanted:
                test_calc_without_server()
            if "test_same_as_fanoutd" in wanted:
                _, url, _ = start_server()
                test_same_as_fanoutd(url)
            if "test_shard_merge" in wanted:
                test_shard_merge(tmp)
            if wanted & set(groups[3:]):
                reps = test_endpoints_with_a_replica_killed()
                if "test_refusals" in wanted:
                    test_refusals(reps)
                if "test_sweep" in wanted:
                    test_sweep(reps)
        finally:
            stop_all()
    print(f"cli: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
