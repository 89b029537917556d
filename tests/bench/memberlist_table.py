#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""docs/OPERATIONS.md's memberlist table: seconds until P(every live node informed)
reaches 99% and 99.99% under memberlist's LAN and WAN defaults, from this
service, beside the time at which Serf's convergence-simulator formula
reaches 99.99% convergence.

    python3 tests/bench/memberlist_table.py build/release/fanout-node

Every row comes from simulate_gossip with the preset (its rounds_to_all_hist,
added up over requests of at most 10^8 node-trials, within the default budget);
a round counts only once the 95% Wilson lower bound of P(full delivery by r)
reaches the target, so the figures err late, never early.  (The exact chain
cannot take these transmit limits at fanout 3 and 4 beyond a few dozen nodes.)
Serf's page draws N / (1 + (N + 1) e^(-c N t)) with c = K/N (1 - loss)
(1 - failed) / 2, t counted in rounds of the gossip interval, and stops at the
first round where it reaches 99.99%.
"""
import json
import math
import subprocess
import sys

PRESETS = {"memberlist-lan": (3, 0.2), "memberlist-wan": (4, 0.5)}
SIZES = [(30, 2000000), (1000, 1000000), (10000, 200000), (100000, 50000)]
ROUNDS = 40
Z = 1.959963984540054


def ask(node, typ, fields):
    msgs = [{"src": "c1", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1",
                                                 "node_ids": ["n1"]}},
            {"src": "c1", "dest": "n1", "body": dict(type=typ, msg_id=2, **fields)}]
    out = subprocess.run([node], check=True,
                         input="".join(json.dumps(m) + "\n" for m in msgs),
                         capture_output=True, text=True).stdout.strip().split("\n")
    body = json.loads(out[-1])["body"]
    if body.get("type") == "error":
        sys.exit(f"{typ} {fields}: {body['text']}")
    return body


def wilson_low(hits, n):
    p = hits / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half


def serf_rounds(n, k, target=0.9999):
    c = k / n * 0.5
    r = 0
    while 1 / (1 + (n + 1) * math.exp(-c * n * r)) < target:
        r += 1
    return r


def main():
    node = sys.argv[1]
    print("| preset | N | transmit_limit | s to 99% | s to 99.99% | trials | P(all) by round 40 (95% lower bound) | Serf formula: s to 99.99% |")
    print("|---|---|---|---|---|---|---|---|")
    for preset, (k, interval) in PRESETS.items():
        for n, trials in SIZES:
            limit = 4 * len(str(n))
            serf = serf_rounds(n, k) * interval
            hist, cum, cells = [0] * (ROUNDS + 1), [], []
            # Split into requests within the default budget; the integer histograms add up exactly.
            chunk = max(1, min(trials, 10**8 // n))
            for first in range(0, trials, chunk):
                b = ask(node, "simulate_gossip", {"nodes": n, "rounds": ROUNDS, "trials": min(chunk, trials - first),
                                                   "first_trial": first, "preset": preset, "seed": 2026})
                hist = [x + y for x, y in zip(hist, b["rounds_to_all_hist"])]
            for h in hist:
                cum.append((cum[-1] if cum else 0) + h)
            for target in (0.99, 0.9999):
                r = next((r for r, c in enumerate(cum) if wilson_low(c, trials) >= target), None)
                cells.append("never" if r is None else f"{r * interval:g}")
            lo = wilson_low(cum[-1], trials)
            plateau = f"{cum[-1] / trials:.6f} (≥ {lo:.6f})"
            print(f"| {preset} | {n} | {limit} | {cells[0]} | {cells[1]} | {trials} | {plateau} | {serf:g} |",
                  flush=True)


if __name__ == "__main__":
    main()
