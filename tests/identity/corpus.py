#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Byte-identity corpus: the same requests through every door, answers kept as bytes.

Usage:
  corpus.py run BUILD_DIR OUT_FILE     answers of BUILD_DIR's fanoutd, fanout-node and fanout
  corpus.py compare BEFORE AFTER       exit 0 and "identical (N answers)" when they agree

A refactoring that must not change behaviour runs `run` with the binaries of
before and after (`make identity BEFORE=old/build/release` does both and
compares), then `compare`.  The requests cover every operation, model, mode,
preset and error, each through fanoutd (POST and GET), fanout-node and the
fanout CLI, with fixed seeds, so answers are deterministic.  Only what is
inherently variable is masked: the Date and X-Request-Id headers, an asset's
ETag and length (the files served change with the source), and the seed
fanoutd makes up when a request gives none.  Python standard library only;
servers listen on 127.0.0.1 and every wait is bounded.
"""
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import urllib.parse

WAIT = 120  # seconds any one answer may take

MODES = ["push", "pull", "push_pull"]
PRESETS = ["memberlist-lan", "memberlist-wan", "memberlist-local", "cassandra"]
CALC_MODELS = ["auto", "exact", "mean_field", "formula", "large_n", "simulation"]
TRADE_MODELS = ["auto", "exact", "simulation", "mean_field"]


def valid_requests():
    """(operation, fields) pairs that should be answered."""
    out = []
    calc = lambda **f: out.append(("calc_fanout", f))
    sim = lambda **f: out.append(("simulate_gossip", f))
    trade = lambda **f: out.append(("tradeoff", f))
    calc(nodes=25, target_prob=0.99, rounds=5)
    calc(nodes=5, target_prob=0.99, rounds=5)
    for model in CALC_MODELS:
        calc(nodes=40, target_prob=0.99, rounds=6, model=model)
        calc(nodes=60, target_prob=0.999, rounds=8, model=model, mode="push_pull")
    for mode in MODES:
        calc(nodes=30, target_prob=0.99, rounds=6, mode=mode)
        calc(nodes=30, target_prob=0.99, rounds=6, mode=mode, loss=0.1, failed_nodes=2)
        calc(nodes=50, target_prob=0.95, rounds=8, mode=mode, forward_rounds=2)
        calc(nodes=30, target_prob=0.95, rounds=6, mode=mode, transmit_limit=3, curve=True)
        sim(nodes=100, fanout=3, rounds=10, trials=200, seed=7, mode=mode)
        sim(nodes=100, fanout=2, rounds=12, trials=100, seed=8, mode=mode, loss=0.2,
            failed_nodes=5, curve=True)
        trade(nodes=100, target_prob=0.99, mode=mode)
    for preset in PRESETS:
        calc(nodes=40, target_prob=0.999, preset=preset)
        calc(nodes=30, target_prob=0.999, preset=preset, rounds=8, interval=0.5,
             message_bytes=512, curve=True)
        sim(nodes=200, rounds=15, trials=100, seed=11, preset=preset)
        sim(nodes=200, fanout=2, rounds=15, trials=100, seed=12, preset=preset,
            message_bytes=100, curve=True)
        trade(nodes=40, target_prob=0.99, preset=preset, max_fanout=4, max_rounds=6)
    for model in TRADE_MODELS:
        trade(nodes=30, target_prob=0.99, model=model, max_fanout=4, max_rounds=8)
    calc(nodes=1000000, target_prob=0.99, rounds=20)
    calc(nodes=5000, target_prob=0.99, rounds=20, mode="pull", model="large_n")
    calc(nodes=3, target_prob=0.5, rounds=1)
    calc(nodes=10, target_prob=0.999999, rounds=2)
    calc(nodes=30, target_prob=0.99, rounds=6, loss=0.5, mode="pull", curve=True)
    calc(nodes=120, target_prob=0.99, rounds=10, model="simulation")
    sim(nodes=1, fanout=1, rounds=1, trials=1, seed=0)
    sim(nodes=50, fanout=3, rounds=8, trials=1000, seed=3, first_trial=500)
    sim(nodes=1000, fanout=3, rounds=15, trials=50, seed=9007199254740991)
    sim(nodes=50, fanout=0, rounds=5, trials=10, seed=1)
    sim(nodes=64, fanout=4, rounds=6, trials=300, seed=5, interval=2, message_bytes=64)
    sim(nodes=20, fanout=2, rounds=10, trials=50, seed=5, forward_rounds=1, transmit_limit=3)
    trade(nodes=25, target_prob=0.99)
    trade(nodes=10000, target_prob=0.9999, interval=1, message_bytes=1000)
    trade(nodes=300, target_prob=0.99, max_fanout=3, max_rounds=4, loss=0.1)
    # Independent timers, time budgets and solve_for: every curve, tally and row kind.
    sim(nodes=64, fanout=3, transmit_limit=8, timers="independent", interval=0.2,
        probe_interval=1, within_seconds=1, trials=300, seed=3, curve=True, message_bytes=1400)
    sim(nodes=40, fanout=2, rounds=6, trials=100, seed=4, timers="independent", curve=True)
    sim(nodes=40, fanout=2, trials=100, seed=4, timers="aligned", interval=0.5,
        within_seconds=3, curve=True)
    calc(nodes=40, target_prob=0.99, rounds=6, timers="independent", curve=True)
    calc(nodes=40, target_prob=0.99, rounds=6, timers="independent", model="simulation",
         interval=0.2, curve=True)
    calc(nodes=2000, target_prob=0.99, rounds=12, timers="independent", model="large_n")
    calc(nodes=40, target_prob=0.99, timers="independent", interval=0.5, within_seconds=2.5,
         curve=True, message_bytes=100)
    calc(nodes=30, target_prob=0.999, preset="memberlist-lan", timers="aligned",
         within_seconds=3, solve_for="transmit_limit")
    calc(nodes=1000, target_prob=0.999, fanout=3, loss=0.05, within_seconds=3,
         solve_for="interval")
    calc(nodes=200, target_prob=0.99, fanout=2, rounds=8, solve_for="transmit_limit",
         model="simulation")
    trade(nodes=2000, target_prob=0.99, model="large_n", max_fanout=4, max_rounds=12)
    trade(nodes=500, target_prob=0.99, timers="independent", model="large_n", max_fanout=4,
          max_rounds=10)
    trade(nodes=60, target_prob=0.99, timers="independent", max_fanout=4, max_rounds=8)
    trade(nodes=60, target_prob=0.99, interval=0.5, within_seconds=4, max_fanout=4)
    return out


def error_requests():
    """(operation, fields) pairs that must be refused, each naming its field."""
    out = [
        ("calc_fanout", {}),
        ("calc_fanout", {"nodes": 25}),
        ("calc_fanout", {"nodes": 25.5, "target_prob": 0.99, "rounds": 5}),
        ("calc_fanout", {"nodes": "25", "target_prob": 0.99, "rounds": 5}),
        ("calc_fanout", {"nodes": True, "target_prob": 0.99, "rounds": 5}),
        ("calc_fanout", {"nodes": 25, "target_prob": 1, "rounds": 5}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0, "rounds": 0}),
        ("calc_fanout", {"nodes": 0, "target_prob": 0.99, "rounds": 5}),
        ("calc_fanout", {"nodes": -3, "target_prob": 0.99, "rounds": -1}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "los": 0.1}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "mode": "gossip"}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "model": "magic"}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "preset": "etcd"}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "loss": 1.5}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "failed_nodes": 25}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "interval": 0}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "message_bytes": 0}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "forward_rounds": 0}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "transmit_limit": 0}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "curve": 1}),
        ("calc_fanout", {"nodes": 10 ** 18, "target_prob": 0.99, "rounds": 5}),
        ("calc_fanout", {"nodes": 100000, "target_prob": 0.99, "rounds": 100000, "model": "exact"}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "seed": 3}),
        ("calc_fanout", {"nodes": None, "target_prob": 0.99, "rounds": 5}),
        ("simulate_gossip", {"nodes": 100, "fanout": 3, "rounds": 10}),
        ("simulate_gossip", {"nodes": 100, "fanout": 3, "rounds": 10, "trials": 0, "seed": 1}),
        ("simulate_gossip", {"nodes": 100, "fanout": 3, "rounds": 10, "trials": 10, "seed": -1}),
        ("simulate_gossip", {"nodes": 100, "fanout": 3, "rounds": 10, "trials": 10,
                             "seed": 2 ** 53}),
        ("simulate_gossip", {"nodes": 100, "fanout": 3, "rounds": 10, "trials": 10, "seed": 1,
                             "first_trial": -1}),
        ("simulate_gossip", {"nodes": 100, "fanout": 3, "rounds": 10, "trials": 10, "seed": 1,
                             "model": "exact"}),
        ("simulate_gossip", {"nodes": 10 ** 9, "fanout": 3, "rounds": 40, "trials": 10 ** 9,
                             "seed": 1}),
        ("simulate_gossip", {"nodes": 100, "fanout": 300, "rounds": 10, "trials": 10, "seed": 1}),
        ("tradeoff", {"nodes": 100}),
        ("tradeoff", {"nodes": 100, "target_prob": 0.99, "max_fanout": 0}),
        ("tradeoff", {"nodes": 100, "target_prob": 0.99, "rounds": 5}),
        ("tradeoff", {"nodes": 100, "target_prob": 0.99, "model": "formula"}),
        ("tradeoff", {"nodes": 10 ** 7, "target_prob": 0.99, "model": "exact", "max_rounds": 5000}),
        ("calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "interval": 0.2,
                         "probe_interval": 1}),
        ("calc_fanout", {"nodes": 30, "target_prob": 0.99, "fanout": 3, "solve_for": "interval"}),
        ("calc_fanout", {"nodes": 30, "target_prob": 0.999, "preset": "memberlist-lan",
                         "within_seconds": 3, "solve_for": "interval"}),
        ("calc_fanout", {"nodes": 30, "target_prob": 0.99, "rounds": 5, "fanout": 3}),
        ("calc_fanout", {"nodes": 30, "target_prob": 0.99, "rounds": 5, "within_seconds": 2,
                         "interval": 1}),
        ("tradeoff", {"nodes": 60, "target_prob": 0.99, "timers": "independent",
                      "model": "exact"}),
    ]
    return out


def budget_requests():
    """(operation, fields) pairs refused at a budget of 1000 work units, one per kind of advice
    (the field to lower: plan.c's advise functions and the time budget standing for rounds),
    and the models that cannot follow independent timers or syncs."""
    out = []
    calc = lambda **f: out.append(("calc_fanout", dict(nodes=1000, target_prob=0.99, **f)))
    calc(fanout=3, within_seconds=4, solve_for="interval")
    calc(fanout=3, rounds=20, solve_for="transmit_limit")
    calc(fanout=3, interval=0.2, within_seconds=4, solve_for="transmit_limit")
    for model in CALC_MODELS:
        calc(rounds=20, model=model)
    calc(rounds=20, model="large_n", transmit_limit=8)
    for model in ["auto", "exact", "mean_field"]:
        calc(interval=0.2, within_seconds=4, model=model)
    calc(rounds=20, timers="independent", interval=0.2, model="exact")
    calc(rounds=20, preset="serf-lan", model="large_n")
    out.append(("simulate_gossip", dict(nodes=1000, fanout=3, rounds=20, trials=1000, seed=1)))
    out.append(("simulate_gossip", dict(nodes=1000, fanout=3, interval=0.2, within_seconds=4,
                                        trials=1000, seed=1)))
    for model in ["exact", "auto"]:
        out.append(("tradeoff", dict(nodes=1000, target_prob=0.99, model=model)))
    out.append(("tradeoff", dict(nodes=1000, target_prob=0.99, interval=0.2, within_seconds=4)))
    return out


def cli_args(op, fields):
    cmd = {"calc_fanout": "calc", "simulate_gossip": "simulate", "tradeoff": "tradeoff"}[op]
    args = [cmd]
    for k, v in fields.items():
        if v is None:
            continue
        args += ["--" + k.replace("_", "-"), json.dumps(v) if not isinstance(v, str) else v]
    return args


def query(fields):
    return urllib.parse.urlencode({k: ("null" if v is None else json.dumps(v)
                                       if not isinstance(v, str) else v)
                                   for k, v in fields.items()})


# The CLI with the daemons' work budget, so the same requests are refused.
CLI_ENV = dict(os.environ, FANOUT_SIM_THREADS="2", FANOUT_WORK_BUDGET="2e9")

MASKED_HEADERS = {"date": "<date>", "x-request-id": "<id>"}


class Fanoutd:
    def __init__(self, path):
        self.proc = subprocess.Popen([path, "--port", "0", "--sim-threads", "2", "--threads", "2"],
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        line = self.proc.stderr.readline().decode()
        match = re.search(r"listening on \S+ port (\d+)", line)
        if not match:
            self.proc.kill()
            raise SystemExit(f"fanoutd did not start: {line!r}")
        self.port = int(match.group(1))

    def ask(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        asset = method == "GET" and path in ("/", "/page.js", "/page.css", "/favicon.svg",
                                              "/chart.js", "/openapi.yaml")
        head = [f"{resp.status} {resp.reason}"]
        for k, v in resp.getheaders():
            low = k.lower()
            if low in MASKED_HEADERS:
                v = MASKED_HEADERS[low]
            elif asset and low in ("etag", "content-length"):
                v = "<asset>"
            head.append(f"{k}: {v}")
        text = "<asset body>" if asset and resp.status == 200 else data.decode("utf-8", "replace")
        return "\n".join(head) + "\n\n" + text

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


class Node:
    """One fanout-node, asked one line at a time so replies and msg_ids are in order."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path, "--threads", "2", "--sim-threads", "2"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.next_id = 1

    def line(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def ask(self, body):
        body = dict(body, msg_id=self.next_id)
        self.next_id += 1
        self.line(json.dumps({"src": "c1", "dest": "n1", "body": body}))
        return self.proc.stdout.readline().decode().rstrip("\n")

    def stop(self):
        self.proc.stdin.close()
        rest = self.proc.stdout.read().decode()
        code = self.proc.wait(timeout=WAIT)
        return rest, code


def run(build, out_path):
    fanoutd_path = os.path.join(build, "fanoutd")
    node_path = os.path.join(build, "fanout-node")
    cli_path = os.path.join(build, "fanout")
    answers = []

    def keep(name, text):
        answers.append((name, text))

    valid, errors = valid_requests(), error_requests()
    srv = Fanoutd(fanoutd_path)
    try:
        for i, (op, fields) in enumerate(itertools.chain(valid, errors)):
            body = json.dumps(fields)
            keep(f"http POST /{op} {body}", srv.ask("POST", f"/{op}", body))
            keep(f"http GET /{op}?{query(fields)}",
                 srv.ask("GET", f"/{op}?{query(fields)}"))
        # What only HTTP can get wrong.
        for method, path, body, headers in [
            ("POST", "/calc_fanout", "{\"nodes\":25,", None),
            ("POST", "/calc_fanout", "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5} x", None),
            ("POST", "/calc_fanout", "[1,2]", None),
            ("POST", "/calc_fanout", "", None),
            ("POST", "/calc_fanout", "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5}",
             {"Content-Type": "text/plain"}),
            ("POST", "/calc_fanout", "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"pad\":\""
             + "x" * 70000 + "\"}", None),
            ("GET", "/calc_fanout?nodes=25&target_prob=0.99&rounds=5&nodes=26", None, None),
            ("GET", "/calc_fanout?nodes=abc&target_prob=0.99&rounds=5", None, None),
            ("GET", "/calc_fanout?nodes=25&target_prob=0.99&rounds=5&curve=true", None, None),
            ("GET", "/nowhere", None, None),
            ("GET", "/calc_fanout/extra", None, None),
            ("PUT", "/calc_fanout", "{}", None),
            ("DELETE", "/tradeoff", None, None),
            ("OPTIONS", "/calc_fanout", None, {"Origin": "http://example.test",
                                               "Access-Control-Request-Method": "POST"}),
            ("OPTIONS", "/simulate_gossip", None, None),
            ("POST", "/healthz", "", None),
            ("GET", "/healthz", None, None),
            ("GET", "/readyz", None, None),
            ("HEAD", "/healthz", None, None),
            ("GET", "/", None, None),
            ("GET", "/page.js", None, None),
            ("GET", "/page.css", None, None),
            ("GET", "/favicon.svg", None, None),
            ("GET", "/chart.js", None, None),
            ("GET", "/openapi.yaml", None, None),
        ]:
            label = body if body is None or len(body) < 200 else f"<{len(body)} bytes>"
            keep(f"http {method} {path} {headers or ''} {label}",
                 srv.ask(method, path, body, headers))
        # No seed: fanoutd makes one up and echoes it; everything else must still agree
        # in form, so keep the status and the keys only.
        resp = srv.ask("POST", "/simulate_gossip",
                       json.dumps({"nodes": 50, "fanout": 3, "rounds": 8, "trials": 20}))
        head, _, text = resp.partition("\n\n")
        head = re.sub(r"(?m)^Content-Length: \d+$", "Content-Length: <varies>", head)
        keep("http POST /simulate_gossip without seed (keys only)",
             head + "\n\n" + json.dumps(sorted(json.loads(text))))
    finally:
        srv.stop()

    node = Node(node_path)
    try:
        keep("node init", node.ask({"type": "init", "node_id": "n1", "node_ids": ["n1"]}))
        for op, fields in itertools.chain(valid, errors):
            keep(f"node {op} {json.dumps(fields)}", node.ask(dict(fields, type=op)))
        keep("node unknown type", node.ask({"type": "broadcast", "message": 1}))
        keep("node type not a string", node.ask({"type": 3}))
        keep("node calc with envelope id",
             node.ask({"type": "calc_fanout", "nodes": 25, "target_prob": 0.99, "rounds": 5,
                       "in_reply_to": 4}))
        for bad in ["not json", "{\"src\":\"c1\"}", "[]"]:
            node.line(bad)
        keep("node after unanswerable lines",
             node.ask({"type": "calc_fanout", "nodes": 26, "target_prob": 0.99, "rounds": 5}))
        rest, code = node.stop()
        keep("node end", f"exit {code}\n{rest}")
    except BaseException:
        node.proc.kill()
        raise

    def cli(name, args, stdin=None):
        proc = subprocess.run([cli_path, *args], capture_output=True, timeout=WAIT,
                              input=stdin, env=CLI_ENV)
        keep(f"cli {name} {' '.join(args)}",
             f"exit {proc.returncode}\nstdout:\n{proc.stdout.decode()}\n"
             f"stderr:\n{proc.stderr.decode()}")

    for op, fields in itertools.chain(valid, errors):
        cli("", cli_args(op, fields))
    for op, fields in budget_requests():
        cli("budget", cli_args(op, fields) + ["--work-budget", "1000"])
    for fmt in ["table", "csv"]:
        cli("format", ["calc", "--nodes", "25", "--target-prob", "0.99", "--rounds", "5",
                       "--curve", "true", "--format", fmt])
        cli("format", ["simulate", "--nodes", "100", "--fanout", "3", "--rounds", "10",
                       "--trials", "100", "--seed", "4", "--format", fmt])
        cli("format", ["tradeoff", "--nodes", "100", "--target-prob", "0.99", "--format", fmt])
    cli("sweep", ["sweep", "calc", "--nodes", "10:40:10", "--target-prob", "0.9,0.99",
                  "--rounds", "5"])
    cli("sweep", ["sweep", "simulate", "--nodes", "100", "--fanout", "2:4", "--loss", "0,0.1",
                  "--rounds", "10", "--trials", "50", "--seed", "1", "--format", "jsonl"])
    cli("sweep", ["sweep", "tradeoff", "--nodes", "50,500", "--target-prob", "0.99"])
    shards = []
    for i in range(3):
        args = ["simulate", "--nodes", "200", "--fanout", "3", "--rounds", "12", "--trials",
                "300", "--seed", "21", "--shard", f"{i}/3"]
        proc = subprocess.run([cli_path, *args], capture_output=True, timeout=WAIT, env=CLI_ENV)
        shards.append(proc.stdout)
        keep(f"cli shard {' '.join(args)}", f"exit {proc.returncode}\n{proc.stdout.decode()}")
    shard_dir = os.path.join(os.path.dirname(os.path.abspath(out_path)), "identity-shards")
    os.makedirs(shard_dir, exist_ok=True)
    paths = []
    for i, data in enumerate(shards):
        paths.append(os.path.join(shard_dir, f"shard-{i}.json"))
        with open(paths[-1], "wb") as f:
            f.write(data)
    cli("merge", ["merge", *paths])
    cli("merge", ["merge", "--format", "table", *paths])
    for args in [[], ["frobnicate"], ["calc"], ["calc", "--nodes"], ["calc", "--bogus", "1"],
                 ["calc", "--nodes", "25", "--target-prob", "0.99", "--rounds", "5",
                  "--format", "xml"],
                 ["simulate", "--nodes", "10", "--fanout", "2", "--rounds", "5", "--trials",
                  "10", "--shard", "0/2"],
                 ["sweep", "calc", "--nodes", "5:1", "--target-prob", "0.9", "--rounds", "3"],
                 ["merge"], ["--version"], ["--help"]]:
        cli("misc", args)
    for name in ["fanoutd", "fanout-node"]:
        for flag in ["--help", "--version", "--bogus"]:
            proc = subprocess.run([os.path.join(build, name), flag], capture_output=True,
                                  timeout=WAIT, stdin=subprocess.DEVNULL)
            keep(f"{name} {flag}", f"exit {proc.returncode}\nstdout:\n{proc.stdout.decode()}\n"
                 f"stderr:\n{proc.stderr.decode()}")

    with open(out_path, "w") as f:
        for name, text in answers:
            f.write(f"=== {name}\n{text}\n")
    print(f"{len(answers)} answers in {out_path}")


def load(path):
    with open(path) as f:
        parts = re.split(r"^=== ", f.read(), flags=re.M)
    return [p for p in parts if p]


def compare(before, after):
    a, b = load(before), load(after)
    diffs = [(x, y) for x, y in zip(a, b) if x != y]
    if len(a) != len(b):
        print(f"different: {len(a)} answers before, {len(b)} after")
        return 1
    for x, y in diffs[:5]:
        print("--- before\n" + x[:2000] + "\n+++ after\n" + y[:2000])
    if diffs:
        print(f"different: {len(diffs)} of {len(a)} answers")
        return 1
    print(f"identical ({len(a)} answers)")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "run":
        run(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return compare(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
