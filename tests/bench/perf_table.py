#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue 22's table from a `make bench` run, into docs/PERFORMANCE.md.

Usage: perf_table.py BENCH_OUTPUT HTTP_OUTPUT DOC

BENCH_OUTPUT is what build/.../bench printed: its rows are the lines
"ROW<TAB>workload<TAB>measured<TAB>anchor<TAB>ratio<TAB>goal<TAB>met".
HTTP_OUTPUT is what `make bench-http` printed (the fanoutd-vs-nginx row, a
ROW line in the same format), or "not measured here" when there is no such
target.  The table, with the date, the machine (lscpu's model name and CPU
count) and the load average, is printed and replaces what stands between
the markers <!-- bench:table begin --> and <!-- bench:table end --> in DOC,
so the figures there are always a run's, never typed by hand.
"""
import datetime
import os
import subprocess
import sys

BEGIN = "<!-- bench:table begin -->"
END = "<!-- bench:table end -->"
HTTP_WORKLOAD = "fanoutd GET /calc_fanout (formula) under wrk, 64 connections"


def rows_of(text):
    """The ROW lines of a run's output, as lists of six cells."""
    out = []
    for line in text.splitlines():
        if line.startswith("ROW\t"):
            cells = line.rstrip("\n").split("\t")[1:]
            if len(cells) == 6:
                out.append(cells)
    return out


def http_row(text):
    """The HTTP row: make bench-http's ROW line, else what it said."""
    rows = rows_of(text)
    if rows:
        return rows[-1]
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    said = lines[-1] if lines else "not measured here"
    return [HTTP_WORKLOAD, said, "nginx serving the same bytes", "-", ">= 1.1x nginx",
            "not measured here" if said == "not measured here" else "see make bench-http"]


def machine():
    """lscpu's model name and CPU count (the environment is C: no locale surprises)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True,
                             env=dict(os.environ, LC_ALL="C")).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown machine"
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    return f"{info.get('Model name', 'unknown CPU')}, {info.get('CPU(s)', '?')} CPUs"


def render(rows):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [
        f"Measured {now} by `make bench` on {machine()}, load average {load:.1f} at the end",
        "of the run (a shared machine: read the ratios, each taken side by side in the run).",
        "",
        "| workload | measured | anchor (same run) | ratio | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(lines) + "\n"


def rewrite(doc, table):
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        sys.exit(f"{doc}: no {BEGIN} ... {END} block")
    text = text[:start + len(BEGIN)] + "\n" + table + text[end:]
    with open(doc, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    with open(sys.argv[1], encoding="utf-8") as f:
        rows = rows_of(f.read())
    try:
        with open(sys.argv[2], encoding="utf-8") as f:
            http = f.read()
    except OSError:
        http = "not measured here"
    if not rows:
        sys.exit(f"{sys.argv[1]}: no ROW lines (did the bench run?)")
    # The order: the simulator rows, the HTTP row, the exact search.
    rows.insert(max(len(rows) - 1, 0), http_row(http))
    table = render(rows)
    print("\n" + table)
    rewrite(sys.argv[3], table)
    print(f"{sys.argv[3]}: table rewritten")


if __name__ == "__main__":
    main()
