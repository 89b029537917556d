#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fanout, the command-line tool: answers without a server, and split runs
that merge bit for bit.

usage: test_cli.py FANOUT FANOUTD [GROUP ...]   (a group: test_sweep, ...; all by default)

- calc answers min_fanout 3 for the seed's example with no server running;
- in-process answers equal fanoutd's for the same request;
- --shard i/n for every i, then `fanout merge`, equals the whole run byte for
  byte (all tallies, intervals and the per-round curve), for several n;
- --endpoints across 4 fanoutd on loopback, one of them killed (SIGKILL)
  while the run is going, equals the in-process run byte for byte;
- --endpoints with one replica draining (SIGTERM while busy), one stopped
  (SIGSTOP), one answering 503 with Retry-After 30, equals the in-process run
  byte for byte; so does one briefly full single endpoint; when every
  endpoint is gone the run fails at once, saying so; a shard that keeps
  failing lists what it tried; an oversized answer is refused;
- sweeps: the grid's rows are the single answers, the same over endpoints;
  a sweep stopped by SIGINT after its second row keeps those rows and
  --resume finishes it with the file of an uninterrupted run;
- a seed above 2^50 comes back exactly in JSON, table and CSV; tables show
  six digits, CSV holds curve and rounds_to_all_hist;
- bad flags, refusals and damaged shard files are reported, never merged.

Everything listens on 127.0.0.1 only; every process started is ended by PID.
Prints one line per check and "N passed, N failed" at the end.
"""
import csv
import http.server
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
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
            p.send_signal(signal.SIGCONT)
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


TIMED = {"nodes": 64, "fanout": 3, "transmit_limit": 8, "timers": "independent", "interval": 0.2,
         "probe_interval": 1, "within_seconds": 1.1, "trials": 1001, "seed": 9, "curve": True}


def test_timers(tmp, url):
    """Independent timers: flags, presets, a time budget, and split runs that merge exactly."""
    usage = fanout("--help").stdout
    check(all(f in usage for f in ("--timers NAME", "--probe-interval X", "--within-seconds X")),
          "--help lists --timers, --probe-interval and --within-seconds")
    whole = fanout("simulate", *flags(TIMED)).stdout
    answer = json.loads(whole)
    check(answer["params"]["timers"] == "independent" and len(answer["rounds_to_all_hist"]) == 23 and
          answer["hist_bin_seconds"] == 0.05, "independent timers: 22 quarter bins to 1.1 s, 0.05 s each")
    for n in (2, 5):
        files = []
        for i in range(n):
            path = os.path.join(tmp, f"timed-{i}.json")
            fanout("simulate", *flags(TIMED), "--shard", f"{i}/{n}", "--output", path)
            files.append(path)
        check(fanout("merge", *files).stdout == whole,
              f"independent timers: {n} shards merged == one run, byte for byte")
    with open(files[1]) as f:
        doc = json.load(f)
    doc["answer"]["transmits_sum"] += 1
    with open(os.path.join(tmp, "timed-bad.json"), "w") as f:
        json.dump(doc, f)
    p = fanout("merge", *files[:1], os.path.join(tmp, "timed-bad.json"), *files[2:], check_rc=False)
    check(p.returncode != 0 and "exactly" in p.stderr, "merge refuses a timed shard whose transmits were changed")
    check(json.loads(fanout("simulate", *flags(TIMED)).stdout) == post(f"{url}/simulate_gossip", TIMED),
          "fanout simulate under independent timers answers as fanoutd does")
    # A time budget for the rounds: aligned, floor(within / interval) rounds.
    by_time = json.loads(fanout("calc", "--nodes", 25, "--target-prob", 0.99, "--interval", 0.2,
                                "--within-seconds", 0.6).stdout)
    by_rounds = json.loads(fanout("calc", "--nodes", 25, "--target-prob", 0.99, "--interval", 0.2,
                                  "--rounds", 3).stdout)
    check(by_time["params"]["rounds"] == 3 and by_time["min_fanout"] == by_rounds["min_fanout"] and
          by_time["delivery_prob"] == by_rounds["delivery_prob"],
          "calc --within-seconds 0.6 --interval 0.2 is calc --rounds 3")
    p = fanout("calc", "--nodes", 25, "--target-prob", 0.99, "--rounds", 3, "--within-seconds", 1, check_rc=False)
    check(p.returncode == 2 and "(--within-seconds)" in p.stderr, "--within-seconds beside --rounds is refused")
    preset = json.loads(fanout("simulate", "--preset", "memberlist-lan", "--nodes", 64, "--within-seconds", 1,
                               "--trials", 100, "--seed", 1).stdout)
    check((preset["params"]["timers"], preset["params"]["probe_interval"]) == ("independent", 1),
          "memberlist-lan: independent timers and a 1 s probe, echoed under params")
    # A node alone has no one to ping; the fast simulator used to spin on it for good (fuzz_core, 2026-12-05).
    alone = {"nodes": 1, "fanout": 0, "rounds": 50, "trials": 3, "seed": 1, "preset": "memberlist-lan"}
    req = urllib.request.Request(f"{url}/simulate_gossip", data=json.dumps(alone).encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            got = json.loads(r.read())
    except Exception as e:  # the old hang: no answer at all
        got = {"error": str(e)}
    check(got.get("full_delivery_rate") == 1 and got.get("messages_mean") == 0,
          "memberlist-lan with one node: answered at once, no pings")


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


class Stub(http.server.BaseHTTPRequestHandler):
    """A replica that answers every POST 503 with a Retry-After, or with a huge body."""
    mode, retry_after, hits = "503", "30", 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).hits += 1
        if self.mode == "huge":
            self.send_response(200)
            self.send_header("Content-Length", str(200 * 1024 * 1024))
            self.end_headers()
            try:
                self.wfile.write(b"{")
            except OSError:  # the client refused the answer and left, as it should
                pass
            return
        body = b'{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"stub says no"}'
        self.send_response(503)
        if self.retry_after:
            self.send_header("Retry-After", self.retry_after)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # a client past its attempt budget may leave before the body
            pass

    def log_message(self, *args):
        pass


def start_stub(mode, retry_after):
    handler = type("StubHandler", (Stub,), {"mode": mode, "retry_after": retry_after, "hits": 0})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, handler, f"http://127.0.0.1:{srv.server_address[1]}"


def test_flaky_fleet():
    """Issue 18.3-4: a draining, a stopped and a 503-ing replica beside a healthy one."""
    run = {"nodes": 20000, "fanout": 3, "rounds": 20, "trials": 3000, "seed": 43, "loss": 0.05, "curve": True}
    whole = fanout("simulate", *flags(run)).stdout
    draining, d_url, d_log = start_server("--sim-threads", "1", "--grace", "120", "--timeout", "600",
                                          "--work-budget", "1e10")
    stopped, s_url, _ = start_server("--sim-threads", "1")
    healthy, h_url, _ = start_server("--sim-threads", "1")
    stub, handler, b_url = start_stub("503", "30")
    # The draining replica is busy with a long job and then told to stop: it answers 503 meanwhile.
    long_job = threading.Thread(target=lambda: post_quietly(d_url + "/simulate_gossip", {
        "nodes": 1000000, "fanout": 3, "rounds": 100, "trials": 200, "seed": 5}), daemon=True)
    long_job.start()
    for _ in range(3000):  # until the long job runs (bounded: 30 s)
        with urllib.request.urlopen(d_url + "/metrics", timeout=60) as r:
            if re.search(rb"^fanoutd_work_in_flight 1$", r.read(), re.M):
                break
        time.sleep(0.01)
    draining.send_signal(signal.SIGTERM)
    check(wait_for_log(d_log, "draining", draining, limit=30), "one replica is draining (SIGTERM while busy)")
    stopped.send_signal(signal.SIGSTOP)
    start = time.monotonic()
    try:
        p = subprocess.run([FANOUT, "simulate", *map(str, flags(run)), "--endpoints",
                            ",".join((d_url, s_url, b_url, h_url)), "--shard-trials", "100"],
                           capture_output=True, text=True, timeout=600)
    finally:
        took = time.monotonic() - start
        stopped.send_signal(signal.SIGCONT)
        stub.shutdown()
    check(p.returncode == 0, f"the run over a draining, a stopped, a 503 and a healthy replica finished "
          f"(exit {p.returncode}: {p.stderr[-300:]})")
    check(p.stdout == whole, "... and equals the in-process run, byte for byte")
    check("stalled" in p.stderr, "the stopped replica's transfers were abandoned as stalled")
    # Two in flight at first, then two again after each 30 s rest at most (a slow, sanitized run).
    check(handler.hits <= 2 * (1 + int(took // 30)), f"the replica answering 503 with Retry-After 30 got "
          f"{handler.hits} requests in {took:.0f} s: it rested 30 s after each 503")
    check("draining" in p.stderr, "the draining replica's 503 was seen and its shard went elsewhere")
    long_job.join(timeout=600)


def post_quietly(url, body):
    """post(), for load whose answer does not matter (it may time out on a slow build)."""
    try:
        post(url, body)
    except OSError:
        pass


def test_single_endpoint_briefly_full():
    """A Service address whose one replica is full for a moment: the run waits it out."""
    proc, url, _ = start_server("--sim-threads", "1", "--threads", "1", "--queue", "1")
    run = {"nodes": 2000, "fanout": 3, "rounds": 12, "trials": 400, "seed": 9}
    whole = fanout("simulate", *flags(run)).stdout
    busy = [threading.Thread(target=lambda: post_quietly(url + "/simulate_gossip", {
        "nodes": 1000000, "fanout": 3, "rounds": 100, "trials": 30, "seed": s}), daemon=True) for s in (1, 2)]
    for b in busy:
        b.start()
    time.sleep(0.2)
    p = fanout("simulate", *flags(run), "--endpoints", url, "--shard-trials", "100", check_rc=False)
    for b in busy:
        b.join(timeout=600)
    check(p.returncode == 0 and p.stdout == whole,
          f"one briefly full endpoint: the run waited (503s: {p.stderr.count('answered (503')}) and equals "
          f"the in-process run")
    proc.kill()


def test_all_gone_and_budget():
    """Every endpoint gone fails at once; a shard that keeps failing lists its attempts."""
    p = fanout("simulate", "--nodes", 100, "--fanout", 3, "--rounds", 5, "--trials", 100, "--seed", 1,
               "--endpoints", "http://127.0.0.1:9,http://127.0.0.1:7", check_rc=False)
    check(p.returncode != 0 and "no endpoint is reachable" in p.stderr and p.stderr.count("retrying") < 8,
          f"all endpoints gone: a clear failure after {p.stderr.count('retrying')} retries")
    stub, handler, url = start_stub("503", None)
    p = fanout("simulate", "--nodes", 100, "--fanout", 3, "--rounds", 5, "--trials", 100, "--seed", 1,
               "--endpoints", url, "--backoff", "0.001", check_rc=False)
    check(p.returncode != 0 and "failed 10 times; tried:" in p.stderr and "stub says no" in p.stderr,
          "a shard's attempt budget: the run stops listing what it tried")
    stub.shutdown()
    stub, handler, url = start_stub("huge", None)
    p = fanout("simulate", "--nodes", 100, "--fanout", 3, "--rounds", 5, "--trials", 100, "--seed", 1,
               "--endpoints", url, check_rc=False)
    check(p.returncode != 0 and "answer over" in p.stderr, "an answer over the size bound is refused")
    stub.shutdown()


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
    check(p.returncode == 2 and p.stderr.count("\n") == 1 and "unknown option '--fanuot'" in p.stderr
          and "did you mean '--fanout'?" in p.stderr,
          "a misspelt flag is refused in one line, with the nearest flag")
    p = fanout(check_rc=False)
    check(p.returncode == 2 and p.stderr.startswith("usage: fanout") and len(p.stderr.splitlines()) <= 5
          and "unknown command" not in p.stderr, "fanout alone prints a short usage and exits 2")
    p = fanout("simulat", check_rc=False)
    check(p.returncode == 2 and "did you mean 'simulate'?" in p.stderr, "a misspelt command gets a suggestion")
    p = fanout("merge", check_rc=False)
    check(p.returncode == 2 and "name the shard files" in p.stderr, "merge with no files exits 2")
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


BIG_SEED = 4767549831167740   # above 2^50: cJSON's %.15g would write 4.76754983116774e+15


def test_output():
    sim = ["simulate", "--nodes", 25, "--fanout", 3, "--rounds", 5, "--trials", 100, "--seed", BIG_SEED]
    text = fanout(*sim, "--curve", "true").stdout
    check(f'"seed":{BIG_SEED},' in text and json.loads(text)["seed"] == BIG_SEED,
          "a seed above 2^50 comes back exactly in JSON")
    answer = json.loads(text)
    check([p["round"] for p in answer["curve"]] == list(range(6)),
          "simulate's curve starts at round 0, like calc's")
    calc = json.loads(fanout("calc", "--nodes", 25, "--target-prob", 0.99, "--rounds", 5, "--curve", "true").stdout)
    check(calc["curve"][0]["round"] == 0, "calc's curve starts at round 0")
    table = fanout(*sim, "--format", "table").stdout
    cells = dict(line.split(None, 1) for line in table.splitlines() if line.strip())
    check(cells["seed"].strip() == str(BIG_SEED), "a seed above 2^50 comes back exactly in a table")
    check(not re.search(r"\d\.\d{16}", table), "a table shows no 17-digit numbers")
    check(cells["rounds_to_all_hist"].strip() == json.dumps(answer["rounds_to_all_hist"], separators=(",", ":")),
          "a table shows rounds_to_all_hist")
    row = next(csv.DictReader(io.StringIO(fanout(*sim, "--format", "csv", "--curve", "true").stdout)))
    check(row["seed"] == str(BIG_SEED), "a seed above 2^50 comes back exactly in CSV")
    check(json.loads(row["rounds_to_all_hist"]) == answer["rounds_to_all_hist"] and
          json.loads(row["curve"]) == answer["curve"], "CSV holds curve and rounds_to_all_hist as JSON cells")
    out = fanout("sweep", *sim, "--fanout", "2,3").stdout
    head = next(csv.reader(io.StringIO(out)))
    check("fanout" in head and "params.fanout" not in head and "params.nodes" in head,
          "a sweep's CSV does not repeat a swept field as params.*")
    check(next(csv.DictReader(io.StringIO(out)))["seed"] == str(BIG_SEED), "a sweep's CSV keeps the seed exact")


def test_sweep_resume(tmp):
    # Points 1 and 2 are quick; point 3 (10^5 nodes) takes about a second of CPU.
    grid = ["sweep", "simulate", "--nodes", "100,200,100000,300", "--fanout", 3, "--rounds", 30,
            "--trials", 500, "--seed", 5, "--sim-threads", 1]
    whole = fanout(*grid).stdout
    path = os.path.join(tmp, "study.csv")
    proc = subprocess.Popen([FANOUT, *map(str, grid), "--output", path], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(path) and open(path).read().count("\n") >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    kept = open(path).read()
    rows = kept.count("\n") - 1
    check(proc.returncode == 130 and 2 <= rows < 4 and whole.startswith(kept) and
          f"after {rows} of 4 rows" in err and "--resume" in err,
          f"SIGINT after the second row keeps the rows done ({rows}) and says where it stopped")
    p = fanout(*grid, "--resume", path)
    check(p.stdout == "" and open(path).read() == whole,
          "--resume finishes the sweep; the file equals an uninterrupted run")
    # A last line cut short (the process killed mid-write) is dropped and written again.
    lines = fanout(*grid[:3], "100,200,300", *grid[4:], "--format", "jsonl").stdout
    path = os.path.join(tmp, "study.jsonl")
    with open(path, "w") as f:
        f.write(lines.splitlines(keepends=True)[0] + lines.splitlines()[1][:40])
    fanout(*grid[:3], "100,200,300", *grid[4:], "--format", "jsonl", "--resume", path)
    check(open(path).read() == lines, "--resume (jsonl) drops a cut last line and finishes the sweep")
    with open(path, "w") as f:
        f.write(lines.splitlines(keepends=True)[1])
    p = fanout(*grid[:3], "100,200,300", *grid[4:], "--format", "jsonl", "--resume", path, check_rc=False)
    check(p.returncode != 0 and "not the row of this sweep" in p.stderr,
          "--resume refuses a file of another sweep")


def main():
    # Named groups (test_sweep ...) run alone; the endpoints' replicas start when one needs them.
    groups = ["test_calc_without_server", "test_same_as_fanoutd", "test_shard_merge", "test_timers", "test_output",
              "test_sweep_resume",
              "test_endpoints_with_a_replica_killed", "test_refusals", "test_sweep",
              "test_flaky_fleet", "test_single_endpoint_briefly_full", "test_all_gone_and_budget"]
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
            if "test_timers" in wanted:
                _, url, _ = start_server()
                test_timers(tmp, url)
            if "test_output" in wanted:
                test_output()
            if "test_sweep_resume" in wanted:
                test_sweep_resume(tmp)
            if wanted & set(groups[6:9]):
                reps = test_endpoints_with_a_replica_killed()
                if "test_refusals" in wanted:
                    test_refusals(reps)
                if "test_sweep" in wanted:
                    test_sweep(reps)
            if "test_flaky_fleet" in wanted:
                test_flaky_fleet()
            if "test_single_endpoint_briefly_full" in wanted:
                test_single_endpoint_briefly_full()
            if "test_all_gone_and_budget" in wanted:
                test_all_gone_and_budget()
        finally:
            stop_all()
    print(f"cli: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
