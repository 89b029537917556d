#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every example output in README.md, docs/*.md and docs/man/*.1 is what the
programs print: each marked example is run against this build and compared.

usage: examples.py check|write BUILD_DIR

An example is a marker, then a block of `$ command` lines each followed by
the output it must print:

    Markdown:  <!-- example -->        then a ```sh fenced block
    mdoc:      .\\" example            then a .Bd -literal ... .Ed block

A command's continuation lines end with a backslash.  Commands run with bash
from the repository's root, with build/release/ read as BUILD_DIR, and
`fanout`, `fanoutd`, `fanout-node` found in BUILD_DIR first on PATH.  A
command that speaks to localhost:8080 reaches a fanoutd this script started
on a free loopback port.  `check` fails (exit 1) naming every example whose
output differs; `write` puts the programs' output in place (`make
examples`).  Choose commands whose output is deterministic (fixed seeds).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MD_MARK = "<!-- example -->"
MAN_MARK = '.\\" example'


def man_unescape(line):
    return line.replace("\\&", "").replace("\\-", "-").replace("\\e", "\\")


def man_escape(line):
    line = line.replace("\\", "\\e")
    return "\\&" + line if line.startswith((".", "'")) else line


def blocks(text, man):
    """(start, end) line indexes of each marked block's body, and its lines."""
    lines = text.split("\n")
    mark = MAN_MARK if man else MD_MARK
    found = []
    for i, line in enumerate(lines):
        if line.strip() != mark:
            continue
        opener = i + 1
        if man:
            assert lines[opener].startswith(".Bd -literal"), f"line {i + 1}: {mark} not before .Bd -literal"
            close = next(j for j in range(opener + 1, len(lines)) if lines[j] == ".Ed")
        else:
            assert lines[opener].startswith("```"), f"line {i + 1}: {mark} not before a fenced block"
            close = next(j for j in range(opener + 1, len(lines)) if lines[j] == "```")
        body = lines[opener + 1:close]
        found.append((opener + 1, close, [man_unescape(l) for l in body] if man else body))
    return lines, found


def parse(body):
    """[(command text, expected output lines)] of one block."""
    items, i = [], 0
    while i < len(body):
        line = body[i]
        assert line.startswith("$ "), f"an example block must start with '$ ': {line!r}"
        cmd = [line[2:]]
        while cmd[-1].endswith("\\") and i + 1 < len(body):
            i += 1
            cmd.append(body[i])
        i += 1
        out = []
        while i < len(body) and not body[i].startswith("$ "):
            out.append(body[i])
            i += 1
        items.append(("\n".join(cmd), out))
    return items


def start_fanoutd(build, log):
    """fanoutd on a free loopback port (its log in the file `log`): (process, port)."""
    proc = subprocess.Popen([os.path.join(build, "fanoutd"), "--address", "127.0.0.1", "--port", "0"],
                            stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        with open(log.name) as f:
            m = re.search(r"listening on 127\.0\.0\.1 port (\d+)", f.read())
        if m:
            return proc, int(m.group(1))
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("examples: fanoutd did not say its port")


def run(cmd, build, port):
    shown = cmd.replace("build/release/", build.rstrip("/") + "/")
    shown = shown.replace("localhost:8080", f"127.0.0.1:{port}")
    env = dict(os.environ, PATH=os.path.abspath(build) + os.pathsep + os.environ["PATH"], LC_ALL="C")
    p = subprocess.run(["bash", "-o", "pipefail", "-c", shown], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, env=env)
    out = p.stdout.rstrip("\n").split("\n") if p.stdout.strip() else []
    if p.returncode != 0:
        out.append(f"[exit {p.returncode}: {p.stderr.strip()}]")
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "write"):
        raise SystemExit(__doc__)
    mode, build = sys.argv[1], sys.argv[2]
    files = ["README.md"] + sorted(glob.glob("docs/*.md")) + sorted(glob.glob("docs/man/*.1"))
    log = tempfile.NamedTemporaryFile("w+", prefix="examples-fanoutd-", suffix=".log")
    proc, port = start_fanoutd(build, log)
    checked = differ = 0
    try:
        for rel in files:
            path = os.path.join(ROOT, rel)
            man = rel.endswith(".1")
            with open(path) as f:
                text = f.read()
            lines, found = blocks(text, man)
            for start, close, body in reversed(found):
                new = []
                for cmd, want in parse(body):
                    got = run(cmd, build, port)
                    checked += 1
                    if got != want:
                        differ += 1
                        print(f"{'FAIL' if mode == 'check' else 'new '} {rel}:{start + 1}: $ {cmd}")
                        if mode == "check":
                            for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
                                if w != g:
                                    print(f"     want: {w[:200]}\n     got:  {g[:200]}")
                                    break
                    new += ["$ " + cmd.split("\n")[0]] + cmd.split("\n")[1:] + got
                if man:
                    new = [man_escape(l) for l in new]
                lines[start:close] = new
            if mode == "write":
                with open(path, "w") as f:
                    f.write("\n".join(lines))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    print(f"examples: {checked} checked, {differ} {'differ' if mode == 'check' else 'rewritten'}")
    sys.exit(1 if mode == "check" and (differ or not checked) else 0)


if __name__ == "__main__":
    main()
