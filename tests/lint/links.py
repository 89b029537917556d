#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every link in the repository stays inside it.

Markdown links must point at files that exist in the repository (or at
loopback addresses, for examples of the running service), and no text file
may refer to the specs outside the repository (../shared).
"""
import pathlib
import re
import subprocess
import sys

LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>]+)>")
LOCAL = re.compile(r"^https?://(localhost|127\.0\.0\.1|\[::1\])[:/]")


def main():
    root = pathlib.Path(subprocess.check_output(["git", "rev-parse", "--show-toplevel"], text=True).strip())
    files = subprocess.check_output(["git", "ls-files"], cwd=root, text=True).split()
    problems = []
    for name in files:
        path = root / name
        if name.startswith("tests/node_modules") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if "../shared" in text and name != "tests/lint/links.py":
            problems.append(f"{name}: refers to ../shared, outside the repository")
        if not name.endswith(".md"):
            continue
        for m in LINK.finditer(text):
            target = m.group(1) or m.group(2)
            if target.startswith("#"):
                continue
            if re.match(r"^[a-z]+:", target):
                if not LOCAL.match(target):
                    problems.append(f"{name}: links outside the repository: {target}")
                continue
            dest = (path.parent / target.split("#")[0]).resolve()
            if root not in dest.parents and dest != root or not dest.exists():
                problems.append(f"{name}: broken or outside link: {target}")
    for p in problems:
        print(p)
    print(f"links: {len(files)} files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
