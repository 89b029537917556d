#!/usr/bin/env python3
"""The exact chain's figures against exact rational arithmetic.

Usage: python3 test_rational.py DUMP [I ...]   (only CASES[I], and no long run)

DUMP is tests/rational/dump.c built against libfanout: it prints what
exact_run reports, exactly.  This file computes the same chain with Python's
fractions.Fraction, with no truncation and no rounding (a double such as the
loss 0.1 is itself an exact binary fraction), straight from the model: one row
per state, the senders one by one, the pulls as binomials.  For every case and
every round it asserts that

    |reported - true| <= round_bound[r] <= error_bound

for P(full), P(miss) and (at R) node_miss, that every figure lies in [0, 1],
and that the comparisons with targets down to 1 - 1e-15 come out right
wherever the bound says they can be trusted.  brute.c (the unit tests) checks
the chain's transitions against labelled nodes; this checks its arithmetic.
"""
import json
import subprocess
import sys
from decimal import Decimal, getcontext
from fractions import Fraction
from math import comb

# (N, K, R, mode, loss, F, T[, X]): every mode, exact binary losses and 0.1, failures, windows,
# transmit limits (X, with a partial last round when K does not divide it).
CASES = [
    # N   K  R   mode         loss      F  T
    (25, 3, 5, "push", "0", 0, 0),            # MODEL.md's reference point
    (8, 3, 8, "push", "0", 0, 0),             # miss around 1e-15 and below
    (8, 2, 6, "push", "0.25", 1, 0),
    (7, 2, 6, "push", "0.1", 0, 0),
    (8, 1, 6, "pull", "0", 0, 0),
    (8, 2, 12, "pull", "0.25", 2, 0),
    (6, 3, 9, "pull", "0.5", 0, 0),
    (8, 1, 5, "push_pull", "0", 0, 0),
    (7, 2, 8, "push_pull", "0.25", 1, 0),
    (6, 1, 10, "push_pull", "0.1", 2, 0),
    (7, 2, 6, "push", "0", 0, 1),             # infect and die
    (7, 1, 7, "push", "0.25", 1, 2),
    (6, 2, 6, "push_pull", "0.5", 0, 2),
    (2, 1, 400, "push", "0.875", 0, 0),       # long R, tiny N
    (3, 1, 60, "pull", "0.75", 0, 0),
    (1, 0, 3, "push", "0", 0, 0),             # only the origin
    (7, 2, 6, "push", "0", 0, 0, 3),          # transmit_limit: 2 then 1
    (7, 3, 6, "push", "0.25", 1, 0, 4),       # 3 then 1, with loss and a failure
    (6, 2, 6, "push_pull", "0.5", 0, 0, 5),   # 2, 2, 1; pull is not limited
]

TARGETS = [Fraction(1) - Fraction(t) for t in (Fraction(1, 10**3), Fraction(1, 10**6), Fraction(1, 10**9),
                                                 Fraction(1, 10**12), Fraction(1, 10**15))]


def hyp(pop, succ, draws, h):
    """P(h successes in `draws` draws without replacement from pop items, succ successes)."""
    if h < 0 or h > draws or h > succ or draws - h > pop - succ:
        return Fraction(0)
    return Fraction(comb(succ, h) * comb(pop - succ, draws - h), comb(pop, draws))


def binom(n, p, k):
    return comb(n, k) * p**k * (1 - p)**(n - k)


def row(n, k, loss, live, i, a, pushes, pulls, b=0, last=0):
    """{c: P(c new informed)} from i informed of which a push k and b push `last`."""
    u = live - i
    fresh = {u: Fraction(1)}
    if pushes:
        for sends in [k] * a + [last] * b:
            nxt = {}
            for m, pm in fresh.items():
                for h in range(0, min(sends, m) + 1):
                    ph = hyp(n - 1, m, sends, h)
                    if ph == 0:
                        continue
                    for d in range(h + 1):
                        nxt[m - d] = nxt.get(m - d, 0) + pm * ph * binom(h, 1 - loss, d)
            fresh = nxt
    out = {}
    if pulls:
        s = 1 - sum(hyp(n - 1, i, k, j) * loss**j for j in range(0, min(k, i) + 1))
        for m, pm in fresh.items():
            for j in range(m + 1):
                c = u - m + j
                out[c] = out.get(c, 0) + pm * binom(m, s, j)
    else:
        for m, pm in fresh.items():
            out[u - m] = out.get(u - m, 0) + pm
    return out


def chain(n, k, r, mode, loss, f, t, x=0):
    """[(P(full by round q), distribution of the informed count at q)] for q = 0..r."""
    live = n - f
    pushes, pulls = mode != "pull", mode != "push"
    last = k
    if x and k:
        # X sends: K a round for ceil(X/K) rounds, the last one what is left.
        t = -(-x // k)
        last = x - (t - 1) * k
    window = t if pushes and 0 < t and (t < r or (t == r and last < k)) else 0
    state = {(1,) + ((1,) + (0,) * (window - 1) if window else ()): Fraction(1)}
    rows = {}
    out = []
    for q in range(r + 1):
        counts = {}
        for s, pm in state.items():
            counts[s[0]] = counts.get(s[0], 0) + pm
        out.append(counts)
        if q == r:
            break
        nxt = {}
        for s, pm in state.items():
            i = s[0]
            a = sum(s[1:]) if window else i
            b = s[window] if window and last < k else 0
            key = (i, a - b, b)
            if key not in rows:
                rows[key] = row(n, k, loss, live, i, a - b, pushes, pulls, b, last)
            for c, pc in rows[key].items():
                ns = (i + c,) + ((c,) + s[1:window] if window else ())
                nxt[ns] = nxt.get(ns, 0) + pm * pc
        state = nxt
    return out


def check_case(dump, case):
    n, k, r, mode, loss_text, f, t = case[:7]
    x = case[7] if len(case) > 7 else 0
    loss = Fraction(float(loss_text))  # the double the C code parses, exactly
    got = json.loads(subprocess.run([dump, str(n), str(k), str(r), mode, loss_text, str(f), str(t), str(x)],
                                    check=True, capture_output=True, text=True).stdout)
    live = n - f
    dist = chain(n, k, r, mode, loss, f, t, x)
    h = lambda s: Fraction(float.fromhex(s))
    bound_all = h(got["error_bound"])
    worst = Fraction(0)
    for q in range(r + 1):
        full = dist[q].get(live, Fraction(0))
        miss = sum(pm for i, pm in dist[q].items() if i != live)
        pf, pmiss, bound = h(got["p_full"][q]), h(got["p_miss"][q]), h(got["round_bound"][q])
        mbound, fbound = h(got["miss_bound"][q]), h(got["full_bound"][q])
        assert mbound <= bound, f"{case} round {q}: miss_bound above round_bound"
        assert fbound <= bound, f"{case} round {q}: full_bound above round_bound"
        assert abs(pf - full) <= fbound, (f"{case} round {q}: p_full reported {float(pf)!r}, "
                                          f"true {float(full)!r}, off by more than full_bound {float(fbound):.3g}")
        assert abs(pmiss - miss) <= mbound, (f"{case} round {q}: p_miss reported {float(pmiss)!r}, "
                                             f"true {float(miss)!r}, off by more than miss_bound "
                                             f"{float(mbound):.3g}")
        assert 0 <= pf <= 1 and 0 <= pmiss <= 1, f"{case} round {q}: outside [0, 1]"
        assert bound <= bound_all, f"{case} round {q}: round_bound above error_bound"
        for name, rep, true in (("p_full", pf, full), ("p_miss", pmiss, miss)):
            err = abs(rep - true)
            worst = max(worst, err / bound if bound else (0 if err == 0 else Fraction(10**9)))
            assert err <= bound, (f"{case} round {q}: {name} reported {float(rep)!r}, true {float(true)!r}, "
                                  f"off by {float(err):.3g} > bound {float(bound):.3g}")
        if q == r:
            for target in TARGETS:
                # A comparison the bound says is decided must be decided right.
                if abs(miss - (1 - target)) > mbound:
                    assert (pmiss <= 1 - target) == (miss <= 1 - target), f"{case}: target {float(target)}"
    node = (sum(pm * (live - i) for i, pm in dist[r].items()) / (live - 1)) if live > 1 else Fraction(0)
    nm, bound = h(got["node_miss"]), h(got["round_bound"][r])
    assert 0 <= nm <= 1 and abs(nm - node) <= bound, \
        f"{case}: node_miss reported {float(nm)!r}, true {float(node)!r}, bound {float(bound):.3g}"
    return float(worst), float(h(got["round_bound"][r])), float(dist[r].get(live, 0))


def check_long_run(dump):
    """N = 2, R = 10^6, loss 0.999999: P(miss) = loss^R, from 60-digit decimals."""
    getcontext().prec = 60
    loss_text, rounds = "0.999999", 1000000
    got = json.loads(subprocess.run([dump, "2", "1", str(rounds), "push", loss_text, "0", "0"],
                                    check=True, capture_output=True, text=True).stdout)
    true = Decimal(float(loss_text)) ** rounds
    rep = Decimal(float.fromhex(got["p_miss"][rounds]))
    bound = Decimal(float.fromhex(got["round_bound"][rounds]))
    node = Decimal(float.fromhex(got["node_miss"]))
    assert abs(rep - true) <= bound, f"N=2 R=1e6: miss {rep} true {true} bound {bound}"
    assert abs(node - true) <= bound, f"N=2 R=1e6: node_miss {node} true {true} bound {bound}"
    print(f"  N=2 R=1e6 loss 0.999999: miss {float(rep)!r}, true {float(true)!r}, bound {float(bound):.2g}")


def main():
    dump = sys.argv[1]
    picked = [CASES[int(i)] for i in sys.argv[2:]]
    for case in picked or CASES:
        worst, bound, full = check_case(dump, case)
        print(f"  {case}: P(full)={full:.12g}, bound at R {bound:.2g}, worst error/bound {worst:.2g}")
    if picked:
        print(f"rational: {len(picked)} case(s), every figure within its bound")
        return
    check_long_run(dump)
    print(f"rational: {len(CASES) + 1} cases, every figure within its bound")


if __name__ == "__main__":
    main()
