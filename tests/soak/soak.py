#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Soak test: fanoutd and fanout-node under a long, mixed, partly hostile load.

Usage: soak.py FANOUTD FANOUT_NODE SECONDS

Against fanoutd (127.0.0.1, a port the kernel picks), client threads send for
SECONDS a mix of valid requests (cheap and worker-pool ones, GETs and POSTs),
malformed ones (bad JSON, trailing bytes, bad fields, junk methods and
paths), slow ones (the request in pieces, well inside the read deadline) and
disconnecting ones (a heavy request then a close, or half a request then a
close).  Every request except the disconnecting ones must be answered.
Through fanout-node, a writer sends a long mixed stream of lines for the same
time; every answerable line must be answered exactly once.

RSS of both processes is sampled every second; the median of the last fifth
of the run must be within 10 % of the median of the second fifth (after the
warm-up).  Prints
what was sent, answered by status, lost, and the RSS series; exits 1 on a
loss, a crash or RSS growth.  Python standard library only.
"""
import collections
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

FANOUTD, NODE, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3])
CLIENTS = 6

VALID = [
    ("POST", "/calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5}),
    ("POST", "/calc_fanout", {"nodes": 1000, "target_prob": 0.999, "rounds": 12, "model": "mean_field"}),
    ("POST", "/calc_fanout", {"nodes": 100000, "target_prob": 0.99, "rounds": 20, "model": "formula"}),
    ("POST", "/simulate_gossip", {"nodes": 200, "fanout": 3, "rounds": 10, "trials": 50, "seed": 1}),
    ("POST", "/simulate_gossip", {"nodes": 20000, "fanout": 3, "rounds": 20, "trials": 30}),
    ("GET", "/calc_fanout?nodes=25&target_prob=0.99&rounds=5", None),
    ("GET", "/healthz", None), ("GET", "/readyz", None), ("GET", "/metrics", None),
    ("GET", "/openapi.yaml", None), ("OPTIONS", "/calc_fanout", None),
]
MALFORMED = [
    ("POST", "/calc_fanout", b"{"), ("POST", "/calc_fanout", b'{"nodes":25,"target_prob":0.99,"rounds":5}xyz'),
    ("POST", "/calc_fanout", b'{"nodes":25}{"nodes":3}'), ("POST", "/calc_fanout", b"\x00\xff" * 50),
    ("POST", "/calc_fanout", b'{"nodes":"25","target_prob":2,"rounds":-1}'),
    ("POST", "/simulate_gossip", b'{"nodes":10,"fanout":30,"rounds":5,"trials":0}'),
    ("POST", "/calc_fanout", b'{"nodes":1000000,"target_prob":0.9,"rounds":30,"model":"exact"}'),
    ("PUT", "/calc_fanout", b""), ("OPTIONSX", "/healthz", b""), ("GET", "/nowhere", b""),
    ("POST", "/calc_fanout", b'{"pad":"' + b"x" * 70000 + b'"}'),
]
ERRORS = collections.Counter()
HEAVY = json.dumps({"nodes": 1000000, "fanout": 3, "rounds": 100, "trials": 20, "seed": 5}).encode()


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = collections.Counter()
        self.status = collections.Counter()
        self.lost = collections.Counter()
        self.examples = []

    def add(self, kind, status):
        with self.lock:
            self.sent[kind] += 1
            if status is None:
                self.lost[kind] += 1
            else:
                self.status[status] += 1


def one_request(port, method, path, body, source):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    data = body if isinstance(body, bytes) or body is None else json.dumps(body)
    try:
        conn.request(method, path, body=data)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException) as e:
        ERRORS[type(e).__name__ + " " + str(e)[:60]] += 1
        return None
    finally:
        conn.close()


def slow_request(port, rng, source):
    body = json.dumps({"nodes": 25 + rng.randrange(100), "target_prob": 0.99, "rounds": 5}).encode()
    data = b"POST /calc_fanout HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body), body)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0)) as s:
            step = max(1, len(data) // 5)
            for i in range(0, len(data), step):
                s.sendall(data[i:i + step])
                time.sleep(0.05)
            reply = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        m = re.match(rb"HTTP/1\.1 (\d+)", reply)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def leaving_request(port, rng, source):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0)) as s:
            if rng.random() < 0.5:
                s.sendall(b"POST /simulate_gossip HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                          % (len(HEAVY), HEAVY))
                time.sleep(0.02)
            else:
                s.sendall(b"POST /calc_fanout HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"nodes\":")
    except OSError:
        pass


def client(port, seed, stop, tally):
    """One client address (127.0.0.N), like one host on a network."""
    rng = random.Random(seed)
    source = f"127.0.0.{seed + 10}"
    while not stop.is_set():
        r = rng.random()
        if r < 0.70:
            method, path, body = rng.choice(VALID)
            tally.add("valid", one_request(port, method, path, body, source))
        elif r < 0.85:
            method, path, body = rng.choice(MALFORMED)
            tally.add("malformed", one_request(port, method, path, body, source))
        elif r < 0.93:
            tally.add("slow", slow_request(port, rng, source))
        else:
            leaving_request(port, rng, source)
            with tally.lock:
                tally.sent["disconnecting"] += 1


def soak_fanoutd(stop, rss, result):
    proc = subprocess.Popen([FANOUTD, "--port", "0", "--sim-threads", "1", *os.environ.get("SOAK_ARGS", "").split()],
                            stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    port = int(re.search(r"port (\d+)", line).group(1))
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    tally = Tally()
    threads = [threading.Thread(target=client, args=(port, i, stop, tally)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    while not stop.is_set():
        rss.append(rss_kb(proc.pid))
        stop.wait(1)
    for t in threads:
        t.join(120)
    alive = proc.poll() is None
    proc.terminate()
    code = proc.wait(60)
    result.update(tally=tally, alive=alive, code=code)


def node_lines(rng, msg_id):
    """(line, answerable) for one message of the mix."""
    body = rng.choice([
        {"type": "calc_fanout", "nodes": 25 + rng.randrange(500), "target_prob": 0.99, "rounds": 6},
        {"type": "calc_fanout", "nodes": 10 ** rng.randrange(2, 7), "target_prob": 0.999, "rounds": 20,
         "model": "formula"},
        {"type": "simulate_gossip", "nodes": 300, "fanout": 3, "rounds": 8, "trials": 40},
        {"type": "calc_fanout", "nodes": "x", "target_prob": 2},
        {"type": "nope" + "\u00e9" * rng.randrange(80)},
        {"type": "calc_fanout", "nodes": 1000000, "target_prob": 0.9, "rounds": 30, "model": "exact"},
    ])
    r = rng.random()
    if r < 0.05:
        return "not json {", False
    if r < 0.08:
        return json.dumps({"dest": "n1", "body": body}), False
    body = dict(body, msg_id=msg_id)
    return json.dumps({"src": "c1", "dest": "n1", "body": body}), True


def soak_node(stop, rss, result):
    proc = subprocess.Popen([NODE, "--sim-threads", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    expected, answers = set(), collections.Counter()
    sent = collections.Counter()
    codes = collections.Counter()

    def reader():
        for line in proc.stdout:
            body = json.loads(line)["body"]
            answers[body.get("in_reply_to")] += 1
            codes[body["type"] if body["type"] != "error" else f"error {body['code']}"] += 1

    rt = threading.Thread(target=reader)
    rt.start()
    rng = random.Random(7)
    proc.stdin.write(b'{"src":"c0","dest":"n1","body":{"type":"init","msg_id":0,"node_id":"n1","node_ids":["n1"]}}\n')
    expected.add(0)
    msg_id = 1
    last = 0
    while not stop.is_set():
        line, answerable = node_lines(rng, msg_id)
        proc.stdin.write(line.encode() + b"\n")
        sent["answerable" if answerable else "unanswerable"] += 1
        if answerable:
            expected.add(msg_id)
        msg_id += 1
        if msg_id % 200 == 0:
            proc.stdin.flush()
            # Keep at most a few thousand lines in flight.
            while len(expected) - sum(codes.values()) > 2000 and not stop.is_set():
                time.sleep(0.05)
        now = time.monotonic()
        if now - last >= 1:
            rss.append(rss_kb(proc.pid))
            last = now
    proc.stdin.close()
    code = proc.wait(120)
    rt.join(60)
    lost = [m for m in expected if answers[m] == 0]
    twice = [m for m in expected if answers[m] > 1]
    result.update(sent=sent, lost=lost, twice=twice, code=code, codes=codes)


def rss_verdict(name, series):
    """Flat: the median of the last fifth within 10 % of the median of the second fifth.

    Medians, because RSS swings while requests are in flight (a simulation's
    tallies, a 64 KiB body): a leak shows as a level that keeps rising, a
    swing does not.  The maximum is printed too."""
    series = [x for x in series if x]
    if len(series) < 10:
        return f"{name}: too few RSS samples", False
    fifth = len(series) // 5
    base = statistics.median(series[fifth:2 * fifth])
    late = statistics.median(series[-fifth:])
    ok = late <= base * 1.10
    picks = [series[int(i * (len(series) - 1) / 8)] for i in range(9)]
    return (f"{name}: RSS KiB median {base:.0f} after warm-up, {late:.0f} at the end "
            f"({(late / base - 1) * 100:+.1f} %), max {max(series[fifth:])}; series {picks}", ok)


def main():
    stop = threading.Event()
    rss_d, rss_n, res_d, res_n = [], [], {}, {}
    threads = [threading.Thread(target=soak_fanoutd, args=(stop, rss_d, res_d)),
               threading.Thread(target=soak_node, args=(stop, rss_n, res_n))]
    start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join(300)
    took = time.monotonic() - start
    ok = True
    t = res_d["tally"]
    print(f"soak: {took:.0f} s")
    print(f"fanoutd: sent {sum(t.sent.values())} {dict(t.sent)}")
    print(f"fanoutd: answered by status {dict(sorted(t.status.items()))}")
    print(f"fanoutd: lost {sum(t.lost.values())} {dict(t.lost)}; alive at the end {res_d['alive']}, "
          f"exit {res_d['code']}")
    if ERRORS:
        print(f"fanoutd: client errors {dict(ERRORS.most_common(5))}")
    ok &= not t.lost and res_d["alive"] and res_d["code"] == 0 and 500 not in t.status
    print(f"fanout-node: sent {sum(res_n['sent'].values())} lines {dict(res_n['sent'])}; "
          f"replies {dict(res_n['codes'])}")
    print(f"fanout-node: lost {len(res_n['lost'])}, answered twice {len(res_n['twice'])}, exit {res_n['code']}")
    ok &= not res_n["lost"] and not res_n["twice"] and res_n["code"] == 0
    for name, series in (("fanoutd", rss_d), ("fanout-node", rss_n)):
        text, flat = rss_verdict(name, series)
        print(text)
        ok &= flat
    print("soak: " + ("passed" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
