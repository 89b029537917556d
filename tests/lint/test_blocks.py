#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""blocks.py itself, on a scratch tree: a stale block fails `check`, `write` mends it.

usage: test_blocks.py   (make lint)

The scratch tree has an openapi.yaml and a man page whose blocks list two
presets, and a stand-in TABLES that knows three, as if a row had been added
to core/preset.c: `check` must name both blocks and exit 1, `write` must put
the third preset in each, the text around them untouched, and `check` must
then pass.  Python standard library only.
"""
import os
import subprocess
import sys
import tempfile

BLOCKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blocks.py")

YAML = """\
    Preset:
      type: string
      # tables: presets
      enum:
        - memberlist-lan
        - cassandra
      # end tables
    After: {}
"""
MAN = """\
.Dd $Mdocdate$
.\\" tables: presets
.Pq Cm memberlist\\-lan , cassandra
.\\" end tables
that fills a real system's defaults.
"""
TABLES = """#!/bin/sh
echo '{"presets": ["memberlist-lan", "cassandra", "new-one"], "modes": [], "models": ["auto"]}'
"""


def run(cwd, *args):
    return subprocess.run([sys.executable, BLOCKS, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def main():
    failed = 0

    def expect(what, ok, detail=""):
        nonlocal failed
        print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": {detail}"))
        failed += not ok

    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "docs", "man"))
        for name, text in [("openapi.yaml", YAML), ("docs/man/x.1", MAN), ("tables", TABLES)]:
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        os.chmod(os.path.join(d, "tables"), 0o755)
        tables = os.path.join(d, "tables")

        p = run(d, "check", tables)
        expect("check fails on stale blocks", p.returncode == 1, p.stdout + p.stderr)
        expect("check names both", "openapi.yaml:3 (presets)" in p.stdout and
               "docs/man/x.1:2 (presets)" in p.stdout, p.stdout)
        p = run(d, "write", tables)
        expect("write succeeds", p.returncode == 0, p.stdout + p.stderr)
        with open(os.path.join(d, "openapi.yaml")) as f:
            got = f.read()
        want = YAML.replace("        - cassandra\n", "        - cassandra\n        - new-one\n")
        expect("write puts the new preset in the enum", got == want, got)
        with open(os.path.join(d, "docs/man/x.1")) as f:
            got = f.read()
        want = MAN.replace("cassandra\n", "cassandra , new\\-one\n")
        expect("write puts the new preset in the man page", got == want, got)
        p = run(d, "check", tables)
        expect("check passes after write", p.returncode == 0, p.stdout + p.stderr)
    print(f"test_blocks: {failed} failure(s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
