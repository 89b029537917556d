#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real memberlist (mlcheck's JSON lines) beside this service's answer for the
same preset (`fanout simulate --preset memberlist-lan|memberlist-local`).

    compare.py FANOUT REAL.jsonl...          the table (text, and markdown to --md FILE)
    compare.py --smoke REAL.jsonl            sanity of a short run; exit 1 if not sane

The service's seconds come from its JSON `seconds_to_all` (p50/p90/p99),
whatever timer model it uses (lock-step rounds today; `timers: independent`
when the preset sets it); only if that object is absent are they rounds_to_all
times the interval.  Each row is marked with service/real for p50 and p90
(the goal is within 10%; both percentiles counted as the service counts them,
over all broadcasts, one that missed a node counting as never; the real
columns themselves are over the broadcasts that reached everyone), whether the service's P(all) lies in the real run's
95% Clopper-Pearson interval, and whether its transmits per broadcast are within
2% of the real ones.  The service's `transmits_mean` is the comparable figure:
its `messages_mean` also counts every ping and ack sent within the horizon
(MODEL.md: probes are messages), which the real run does not count as the
broadcast's.  Both sides give the share of transmits that rode on pings and
acks.
"""
import json
import math
import subprocess
import sys

PRESET = {"lan": "memberlist-lan", "local": "memberlist-local"}
ROUNDS, TRIALS, SEED = 20, 20000, 1


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def service(fanout, cfg, n):
    cmd = [fanout, "simulate", "--preset", PRESET[cfg], "--nodes", str(n),
           "--rounds", str(ROUNDS), "--trials", str(TRIALS), "--seed", str(SEED)]
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True,
                                    timeout=600).stdout)
    sec = out.get("seconds_to_all")
    if not isinstance(sec, dict):
        dt = out["params"]["interval"]
        sec = {k: out["rounds_to_all"][k] * dt for k in ("p50", "p90", "p99")}
    timers = out["params"].get("timers", "aligned")
    transmits = out.get("transmits_mean", out["messages_mean"])
    on_probes = out.get("probe_transmits_mean", 0.0) / transmits if transmits else 0.0
    return {"p_all": out["full_delivery_rate"], "sec": [sec["p50"], sec["p90"], sec["p99"]],
            "transmits": transmits, "on_probes": on_probes, "timers": timers,
            "cmd": " ".join(cmd[1:])}


def binom_le(k, n, p):
    """P(X <= k) for X ~ Binomial(n, p), 0 < p < 1."""
    lg = math.lgamma
    return sum(math.exp(lg(n + 1) - lg(j + 1) - lg(n - j + 1) + j * math.log(p)
                        + (n - j) * math.log1p(-p)) for j in range(k + 1))


def clopper_pearson(k, n):
    """The exact 95% interval for a binomial proportion, by bisection."""
    def root(f, target):  # f increasing in p
        a, b = 0.0, 1.0
        for _ in range(100):
            m = (a + b) / 2
            a, b = (m, b) if f(m) < target else (a, m)
        return (a + b) / 2
    lo = 0.0 if k == 0 else root(lambda p: 1 - binom_le(k - 1, n, p), 0.025)
    hi = 1.0 if k == n else root(lambda p: 1 - binom_le(k, n, p), 0.975)
    return lo, hi


def over_all(r):
    """The real percentiles as the service counts them: over all broadcasts,
    one that missed a node counting as never (None when q falls there)."""
    per = r.get("per_broadcast")
    if not per:
        return [None, None, None]
    times = sorted(b[1] / 1e6 for b in per if b[0] == r["nodes"])
    out = []
    for q in (0.5, 0.9, 0.99):
        need = -(-int(q * 1000) * len(per) // 1000)  # ceil(q * B)
        out.append(times[need - 1] if need <= len(times) else None)
    return out


def num(x, f="{:.3f}"):
    return "-" if x is None else f.format(x)


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt_row(r, s):
    lo, hi = clopper_pearson(r["full"], r["broadcasts"])
    real = over_all(r)
    rat = [ratio(s["sec"][j], real[j]) for j in (0, 1)]
    inside = lo <= s["p_all"] <= hi
    within = abs(s["transmits"] / r["transmits_mean"] - 1) <= 0.02
    return [r["config"], str(r["nodes"]), f"{r['full']}/{r['broadcasts']}",
            f"{r['p_all']:.3f} [{lo:.3f}, {hi:.3f}]", "/".join(num(x) for x in r["seconds_p50_p90_p99"]),
            f"{r['transmits_mean']:.1f}", f"{100 * r['probe_share']:.1f}%",
            f"{s['p_all']:.4f}", "/".join(num(x) for x in s["sec"]), f"{s['transmits']:.1f}",
            f"{100 * s['on_probes']:.1f}%",
            "/".join(num(x, "{:.2f}") for x in rat), "yes" if inside else "NO", "yes" if within else "NO"]


HEAD = ["config", "N", "full", "real P(all) [95%]", "real s p50/p90/p99", "real transmits",
        "real on probes", "service P(all)", "service s p50/p90/p99", "service transmits",
        "service on probes", "p50/p90 ratio", "P in CI", "transmits ±2%"]


def table(fanout, paths, md):
    lines, timers = [], set()
    for r in sorted(load(paths), key=lambda r: (r["config"], r["nodes"])):
        s = service(fanout, r["config"], r["nodes"])
        timers.add(s["timers"])
        lines.append(fmt_row(r, s))
    width = [max(len(x) for x in col) for col in zip(HEAD, *lines)]
    for row in [HEAD] + lines:
        print("  ".join(x.rjust(w) for x, w in zip(row, width)))
    print(f"service: fanout simulate --preset memberlist-CONFIG --nodes N --rounds {ROUNDS} "
          f"--trials {TRIALS} --seed {SEED}; timers: {', '.join(sorted(timers))}")
    if md:
        with open(md, "w") as f:
            f.write("| " + " | ".join(HEAD) + " |\n|" + "---|" * len(HEAD) + "\n")
            for row in lines:
                f.write("| " + " | ".join(row) + " |\n")


def smoke(path):
    ok = True
    for r in load([path]):
        want = r["nodes"] * r["transmit_limit"]
        checks = {
            "P(all) > 0.9": r["p_all"] > 0.9,
            "seconds p50 > 0": r["seconds_p50_p90_p99"][0] > 0,
            f"transmits within 2% of N*X = {want}": abs(r["transmits_mean"] / want - 1) <= 0.02,
            "some transmits on pings/acks": 0 < r["probe_share"] < 0.5,
        }
        for name, good in checks.items():
            print(f"{r['config']} N={r['nodes']}: {name}: {'ok' if good else 'FAILED'}")
            ok = ok and good
        print(f"  P(all) {r['p_all']:.3f} over {r['broadcasts']}, seconds p50/p90/p99 "
              f"{r['seconds_p50_p90_p99']}, transmits {r['transmits_mean']:.1f}, "
              f"on probes {100 * r['probe_share']:.1f}%")
    return ok


def main(argv):
    if len(argv) == 2 and argv[0] == "--smoke":
        return 0 if smoke(argv[1]) else 1
    md = None
    if len(argv) > 2 and argv[0] == "--md":
        md, argv = argv[1], argv[2:]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    table(argv[0], argv[1:], md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
