#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Vectorised numpy Monte Carlo baseline for the push gossip model (docs/MODEL.md).

The second anchor of `make bench` (issue 22) beside the plain-Python one
(gossip_sim.py): what a user who knows numpy would write.  A round is a few
array operations over all informed senders at once: each draws K distinct
peers among the other N - 1 nodes (rows with a repeated peer are drawn again,
which is the same uniform K-subset), loss thins the messages, failed nodes
ignore them, and a trial stops once every live node is informed.

Push only (the row it anchors is push); same flags as gossip_sim.py.
Usage: python3 gossip_numpy.py --nodes 100000 --fanout 3 --rounds 100 --trials 5
Prints one JSON object.
"""
import argparse
import json
import time

import numpy as np


def peers(rng, senders, nodes, fanout):
    """An array (len(senders), fanout): distinct peers of each sender, never itself."""
    n = len(senders)
    out = rng.integers(0, nodes - 1, size=(n, fanout))
    rows = np.arange(n)
    while fanout > 1 and len(rows):
        sub = out[rows]
        dup = np.zeros(len(rows), dtype=bool)
        for a in range(fanout):
            for b in range(a + 1, fanout):
                dup |= sub[:, a] == sub[:, b]
        rows = rows[dup]
        out[rows] = rng.integers(0, nodes - 1, size=(len(rows), fanout))
    # Peer p >= sender is p + 1: uniform over the others.
    return out + (out >= senders[:, None])


def run_trial(rng, nodes, fanout, rounds, loss, failed_nodes):
    """One trial: (informed live count after R, rounds to all or None)."""
    failed = np.zeros(nodes, dtype=bool)
    if failed_nodes:
        failed[1 + rng.choice(nodes - 1, failed_nodes, replace=False)] = True
    live = nodes - failed_nodes
    informed = np.zeros(nodes, dtype=bool)
    informed[0] = True
    senders = np.array([0])
    count = 1
    if count == live:
        return count, 0
    for r in range(1, rounds + 1):
        t = peers(rng, senders, nodes, fanout).ravel()
        if loss:
            t = t[rng.random(len(t)) >= loss]
        before = informed.copy()
        informed[t] = True
        informed &= ~failed
        new = np.flatnonzero(informed & ~before)
        count += len(new)
        senders = np.concatenate((senders, new))
        if count == live:
            return count, r
    return count, None


def simulate(nodes, fanout, rounds, trials, loss=0.0, failed_nodes=0, seed=1):
    rng = np.random.default_rng(seed)
    full = 0
    delivery = 0.0
    start = time.perf_counter()
    for _ in range(trials):
        count, to_all = run_trial(rng, nodes, fanout, rounds, loss, failed_nodes)
        full += to_all is not None
        delivery += count / (nodes - failed_nodes)
    seconds = time.perf_counter() - start
    return {
        "trials": trials,
        "seconds": seconds,
        "seconds_per_trial": seconds / trials,
        "delivery_rate": delivery / trials,
        "full_delivery_rate": full / trials,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--fanout", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--mode", choices=("push",), default="push")
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--failed-nodes", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    if not (a.nodes >= 2 and 1 <= a.fanout <= a.nodes - 1 and a.rounds >= 1 and a.trials >= 1
            and 0 <= a.loss < 1 and 0 <= a.failed_nodes <= a.nodes - 1):
        parser.error("parameters outside the model's domain")
    print(json.dumps(simulate(a.nodes, a.fanout, a.rounds, a.trials, a.loss, a.failed_nodes, a.seed)))


if __name__ == "__main__":
    main()
