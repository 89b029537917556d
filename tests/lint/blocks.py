#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The lists in openapi.yaml and the man pages that come from the tables.

usage: blocks.py check|write TABLES   (run from the repository root)

TABLES is the build-time tool server/fanoutd/tables.c; `tables json` gives
the presets, modes and models as the code holds them (core/preset.c,
core/model.c, core/calc.c).  A generated block sits between two marker lines:

    openapi.yaml:  # tables: NAME        an enum at the marker's indentation
                   # end tables
    docs/man/*.1:  .\\" tables: NAME      one .Pq Cm line: (a, b, c)
                   .\\" end tables

NAME is presets, modes, models or answer_models (the models less auto).
`write` (make examples) puts each block as the tables say; `check` (make
lint) fails, naming every stale block, when one differs, so adding a preset
touches its table row and its prose, and openapi.yaml's enums and the man
pages' lists follow.  Python standard library only.
"""
import glob
import json
import re
import subprocess
import sys

START = re.compile(r"^(\s*)(?:#|\.\\\") tables: (\w+)\s*$")
END = re.compile(r"^\s*(?:#|\.\\\") end tables\s*$")


def lists(tables_tool):
    t = json.loads(subprocess.run([tables_tool, "json"], capture_output=True, text=True, check=True,
                                  timeout=60).stdout)
    return {"presets": t["presets"], "modes": t["modes"], "models": t["models"],
            "answer_models": [m for m in t["models"] if m != "auto"]}


def render(path, indent, items):
    if path.endswith(".1"):
        return [".Pq Cm " + " , ".join(i.replace("-", "\\-") for i in items) + "\n"]
    return [f"{indent}enum:\n"] + [f"{indent}  - {i}\n" for i in items]


def rewrite(path, known):
    """path's text with every block as the tables say, and the names of the stale ones."""
    with open(path) as f:
        lines = f.readlines()
    out, stale, i = [], [], 0
    while i < len(lines):
        m = START.match(lines[i])
        out.append(lines[i])
        i += 1
        if not m:
            continue
        indent, name = m.groups()
        if name not in known:
            sys.exit(f"{path}:{i}: no table '{name}' (one of {', '.join(known)})")
        end = i
        while end < len(lines) and not END.match(lines[end]):
            end += 1
        if end == len(lines):
            sys.exit(f"{path}:{i}: 'tables: {name}' has no 'end tables' line")
        want = render(path, indent, known[name])
        if lines[i:end] != want:
            stale.append(f"{path}:{i} ({name})")
        out.extend(want)
        i = end
    return "".join(out), stale


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "write"):
        sys.exit(__doc__)
    known = lists(sys.argv[2])
    stale_all = []
    for path in ["openapi.yaml"] + sorted(glob.glob("docs/man/*.1")):
        text, stale = rewrite(path, known)
        if stale and sys.argv[1] == "write":
            with open(path, "w") as f:
                f.write(text)
        stale_all += stale
    for s in stale_all:
        print(("wrote " if sys.argv[1] == "write" else "STALE ") + s)
    if sys.argv[1] == "check":
        print(f"blocks: {len(stale_all)} stale" + ("; `make examples` writes them" if stale_all else ""))
        sys.exit(1 if stale_all else 0)


if __name__ == "__main__":
    main()
