#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Plain-Python Monte Carlo baseline for the gossip model (docs/MODEL.md).

This is the "straightforward Python implementation of the same model" that the
benchmark compares the C simulators against: a list of informed nodes, loops over
nodes, random.sample for peer choice, standard library only, no optimisation
beyond the obvious one a user would write: a trial stops simulating once every
live node is informed (the remaining rounds' message counts follow arithmetically).

Model: N nodes (origin = node 0), fanout K, R synchronous rounds, mode push|pull|push_pull,
independent loss per message (push) or exchange (pull), F failed non-origin nodes chosen
uniformly per trial, and optional forward_rounds T (a node pushes only in the T rounds
after the round it was informed in; the origin is informed in round 0; pull is unlimited).

Usage: python3 gossip_sim.py --nodes 25 --fanout 3 --rounds 5 --trials 20000
Prints one JSON object; simulate(...) returns the same dict when imported.
"""
import argparse
import json
import random
import time

MODES = ("push", "pull", "push_pull")


def pick_peers(rng, node, nodes, fanout):
    """K distinct peers uniformly among the other nodes-1 nodes (failed ones included)."""
    return [p if p < node else p + 1 for p in rng.sample(range(nodes - 1), fanout)]


def run_trial(rng, nodes, fanout, rounds, mode, loss, failed_nodes, forward_rounds):
    """One trial. Returns (informed live count after R, rounds to all or None, messages, informed node-rounds)."""
    failed = [False] * nodes
    for v in rng.sample(range(1, nodes), failed_nodes):
        failed[v] = True
    live = nodes - failed_nodes
    informed_at = [None] * nodes          # round in which each node was informed
    informed_at[0] = 0
    informed = [0]                        # live informed nodes
    rounds_to_all = 0 if live == 1 else None
    messages = 0
    node_rounds = 0
    for r in range(1, rounds + 1):
        newly = set()                     # informed during this round; they act from r + 1
        if mode in ("push", "push_pull"):
            for v in informed:            # nodes informed before round r starts
                if forward_rounds is not None and r - informed_at[v] > forward_rounds:
                    continue
                for peer in pick_peers(rng, v, nodes, fanout):
                    messages += 1
                    if loss and rng.random() < loss:
                        continue
                    if not failed[peer] and informed_at[peer] is None:
                        newly.add(peer)
        if mode in ("pull", "push_pull"):
            for v in range(nodes):
                if failed[v] or informed_at[v] is not None:
                    continue
                for peer in pick_peers(rng, v, nodes, fanout):
                    messages += 1
                    if informed_at[peer] is not None and not (loss and rng.random() < loss):
                        newly.add(v)
        for v in newly:
            informed_at[v] = r
            informed.append(v)
        node_rounds += len(informed)
        if rounds_to_all is None and len(informed) == live:
            rounds_to_all = r
        if len(informed) == live and r < rounds:
            # Everyone live is informed: nothing changes any more, and the rest
            # of the rounds' messages follow arithmetically (no pulls are left;
            # each informed node pushes K a round while its window lasts).
            if mode != "pull":
                for v in informed:
                    last = rounds if forward_rounds is None else min(rounds, informed_at[v] + forward_rounds)
                    messages += fanout * max(0, last - r)
            node_rounds += len(informed) * (rounds - r)
            break
    return len(informed), rounds_to_all, messages, node_rounds


def simulate(nodes, fanout, rounds, trials, mode="push", loss=0.0, failed_nodes=0,
             forward_rounds=None, seed=1):
    """Run `trials` Monte Carlo trials and return the summary dict printed by the CLI."""
    check(nodes, fanout, rounds, trials, mode, loss, failed_nodes, forward_rounds)
    rng = random.Random(seed)
    live = nodes - failed_nodes
    delivery_sum = 0.0
    full = 0
    rounds_sum = 0
    messages_sum = 0
    informed_total = 0
    start = time.perf_counter()
    for _ in range(trials):
        count, to_all, msgs, node_rounds = run_trial(
            rng, nodes, fanout, rounds, mode, loss, failed_nodes, forward_rounds)
        delivery_sum += count / live
        if to_all is not None:
            full += 1
            rounds_sum += to_all
        messages_sum += msgs
        informed_total += node_rounds
    seconds = time.perf_counter() - start
    return {
        "trials": trials,
        "seconds": seconds,
        "seconds_per_trial": seconds / trials,
        "delivery_rate": delivery_sum / trials,
        "full_delivery_rate": full / trials,
        "avg_rounds_to_all": rounds_sum / full if full else None,
        "messages_mean": messages_sum / trials,
        "informed_total": informed_total,
    }


def check(nodes, fanout, rounds, trials, mode, loss, failed_nodes, forward_rounds):
    """Raise ValueError with a clear message for parameters outside the model's domain."""
    if nodes < 1:
        raise ValueError("nodes must be >= 1")
    if not 0 <= fanout <= nodes - 1:
        raise ValueError(f"fanout must be between 0 and nodes-1 = {nodes - 1}")
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    if trials < 1:
        raise ValueError("trials must be >= 1")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    if not 0 <= loss < 1:
        raise ValueError("loss must satisfy 0 <= loss < 1")
    if not 0 <= failed_nodes <= nodes - 1:
        raise ValueError(f"failed-nodes must be between 0 and nodes-1 = {nodes - 1}")
    if forward_rounds is not None and forward_rounds < 1:
        raise ValueError("forward-rounds must be >= 1 (omit it for unlimited)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, required=True, help="cluster size N, origin included")
    parser.add_argument("--fanout", type=int, required=True, help="peers per node per round, 0..N-1")
    parser.add_argument("--rounds", type=int, required=True, help="rounds R >= 1")
    parser.add_argument("--trials", type=int, required=True, help="Monte Carlo trials >= 1")
    parser.add_argument("--mode", choices=MODES, default="push")
    parser.add_argument("--loss", type=float, default=0.0, help="loss probability, 0 <= loss < 1")
    parser.add_argument("--failed-nodes", type=int, default=0, help="crashed non-origin nodes, 0..N-1")
    parser.add_argument("--forward-rounds", type=int, default=None,
                        help="rounds a node pushes after being informed (default unlimited)")
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    try:
        result = simulate(a.nodes, a.fanout, a.rounds, a.trials, a.mode, a.loss,
                          a.failed_nodes, a.forward_rounds, a.seed)
    except ValueError as e:
        parser.error(str(e))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
