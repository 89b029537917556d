#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""perf_table.py on a made-up bench output, and docs/PERFORMANCE.md's block (run by make docs)."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import perf_table  # noqa: E402

BENCH = """fanout bench: 2 CPUs (x)
noise line
ROW\tsimulate push, vs plain Python\t1 ms per trial\tPython 2 s per trial\t2000x\t>= 2000x\tmet
ROW\tsimulate N=1e6\t0.5 s\t-\t-\t<= 0.35 s\tnot met
ROW\tcalc_fanout exact (K search)\t2 s\tone thread: 3 s\t1.5x\t<= 3 s\tmet
"""
DOC = "# T\n\nbefore\n\n<!-- bench:table begin -->\nold | table\n<!-- bench:table end -->\n\nafter\n"


def run(bench, http, doc):
    with tempfile.TemporaryDirectory() as d:
        paths = [os.path.join(d, n) for n in ("bench.txt", "http.txt", "doc.md")]
        for p, text in zip(paths, (bench, http, doc)):
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([sys.executable, os.path.join(HERE, "perf_table.py"), *paths],
                           capture_output=True, text=True, check=False)
        with open(paths[2], encoding="utf-8") as f:
            return r.returncode, f.read()


class PerfTable(unittest.TestCase):
    def test_rows_in_the_issue_order(self):
        code, doc = run(BENCH, "not measured here\n", DOC)
        self.assertEqual(code, 0)
        body = doc.split("<!-- bench:table begin -->")[1].split("<!-- bench:table end -->")[0]
        rows = [x for x in body.splitlines() if x.startswith("| ") and "---" not in x][1:]
        self.assertEqual(len(rows), 4)
        self.assertIn("vs plain Python", rows[0])
        self.assertIn("| not measured here |", rows[2])  # HTTP before the exact search
        self.assertIn("K search", rows[3])
        self.assertIn("Measured ", body)
        self.assertIn("CPUs, load average", body)
        self.assertTrue(doc.startswith("# T\n\nbefore\n") and doc.endswith("\n\nafter\n"))
        self.assertNotIn("old | table", doc)

    def test_http_row_from_bench_http(self):
        http = "wrk says things\nROW\tfanoutd vs nginx\t70k req/s\tnginx 60k req/s\t1.17x\t>= 1.1x nginx\tmet\n"
        code, doc = run(BENCH, http, DOC)
        self.assertEqual(code, 0)
        self.assertIn("| fanoutd vs nginx | 70k req/s | nginx 60k req/s | 1.17x | >= 1.1x nginx | met |", doc)

    def test_refuses_without_rows_or_markers(self):
        self.assertNotEqual(run("no rows\n", "not measured here\n", DOC)[0], 0)
        code, doc = run(BENCH, "not measured here\n", "# no markers\n")
        self.assertNotEqual(code, 0)
        self.assertEqual(doc, "# no markers\n")

    def test_performance_md_block_is_generated(self):
        with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn(perf_table.BEGIN, text)
        body = text.split(perf_table.BEGIN)[1].split(perf_table.END)[0]
        self.assertIn("by `make bench` on", body)
        self.assertIn("| workload | measured | anchor (same run) | ratio | goal | met |", body)


if __name__ == "__main__":
    unittest.main()
