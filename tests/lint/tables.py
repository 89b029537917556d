#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""openapi.yaml's enums, the page's selects and the asset list against the tables.

Usage: tables.py TABLES FANOUT   (run from the repository root; make lint)

TABLES is the build-time tool server/fanoutd/tables.c (`tables json`: the
operations, modes, models and presets as the code holds them); FANOUT the CLI,
asked which models tradeoff accepts.  Fails, naming both sides, when
openapi.yaml's Mode, Preset and model enums, its paths, or its Cache-Control
values disagree with the tables and the Makefile's ASSETS, or when the page's
mode and model selects do.  A new preset, mode or model therefore fails here
until openapi.yaml (and the page) say so too; blocks.py writes the enums
it marks (make examples).  Python standard library and
PyYAML (python3-yaml).
"""
import html.parser
import json
import re
import subprocess
import sys

import yaml

failed = 0


def check(what, got, want):
    global failed
    if got != want:
        failed += 1
        print(f"FAIL {what}: openapi.yaml or the page has {got}, the tables {want}")
    else:
        print(f"ok   {what}")


class Selects(html.parser.HTMLParser):
    """The option values of every <select>, by its id."""

    def __init__(self):
        super().__init__()
        self.selects, self.current = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.current = self.selects.setdefault(attrs.get("id"), [])
        elif tag == "option" and self.current is not None:
            self.current.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.current = None


def tradeoff_models(fanout, models):
    """The models tradeoff accepts, asked of the CLI (a refusal names "model")."""
    out = []
    for m in models:
        p = subprocess.run([fanout, "tradeoff", "--nodes", "10", "--target-prob", "0.9",
                            "--max-fanout", "1", "--max-rounds", "1", "--model", m],
                           capture_output=True, text=True, timeout=60)
        if not (p.returncode != 0 and '"model"' in p.stderr):
            out.append(m)
    return out


def main():
    tables_tool, fanout = sys.argv[1], sys.argv[2]
    tables = json.loads(subprocess.run([tables_tool, "json"], capture_output=True, text=True,
                                       check=True, timeout=60).stdout)
    with open("openapi.yaml") as f:
        spec = yaml.safe_load(f)
    schemas = spec["components"]["schemas"]
    models = tables["models"]
    answered = [m for m in models if m != "auto"]
    trade = tradeoff_models(fanout, models)

    check("Mode enum", schemas["Mode"]["enum"], tables["modes"])
    check("Preset enum", schemas["Preset"]["enum"], tables["presets"])
    check("calc_fanout request model enum", schemas["CalcFanoutRequest"]["properties"]["model"]["enum"],
          models)
    check("GET model parameter enum", spec["components"]["parameters"]["model"]["schema"]["enum"], models)
    check("calc_fanout answer model enum", schemas["CalcFanoutAnswer"]["properties"]["model"]["enum"],
          answered)
    check("tradeoff request model enum",
          sorted(schemas["TradeoffRequest"]["properties"]["model"]["enum"]), sorted(trade))
    check("tradeoff answer model enum", sorted(schemas["TradeoffAnswer"]["properties"]["model"]["enum"]),
          sorted(m for m in trade if m != "auto"))

    with open("Makefile") as f:
        assets = re.findall(r"'(/[^|']*)\|[^|']*\|[^|']*\|([^']*)'", f.read())
    paths = list(spec["paths"])
    check("operation paths", [p for p in paths if p.strip("/") in tables["operations"]],
          ["/" + op for op in tables["operations"]])
    check("asset paths (Makefile ASSETS)", sorted(p for p in paths if p in dict(assets)),
          sorted(p for p, _ in assets))
    check("Cache-Control values (Makefile ASSETS)",
          sorted(spec["components"]["headers"]["Cache-Control"]["schema"]["enum"]),
          sorted({c for _, c in assets}))

    page = Selects()
    with open("server/fanoutd/page.html") as f:
        page.feed(f.read())
    check("page's mode select", [v for v in page.selects["mode"] if v], tables["modes"])
    check("page's model select", sorted(v for v in page.selects["model"] if v), sorted(answered))
    print(f"tables: {failed} disagreement(s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
