#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of fanoutd against a running server, with real clients.

Usage: test_http.py FANOUTD FANOUT_NODE OPENAPI_JSON

Every answer, success or problem, is checked against the schema that
openapi.yaml (bundled to JSON by redocly) gives for its path, method, status
and content type; an undocumented status fails the test.  Requests go through
Python's http.client and through curl; the same requests through fanout-node
must give the same answer fields.  Servers listen on 127.0.0.1 only, on a port
the kernel picks, and every wait is bounded.  Python standard library only.
"""
import email.utils
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

FANOUTD = NODE = None
SPEC = None
WAIT = 60  # seconds any single wait may take before the test fails

# A simulation the default budget accepts that runs for about a second on one
# simulation thread (servers in the Work tests run with --sim-threads 1).
HEAVY = {"nodes": 1000000, "fanout": 3, "rounds": 100, "trials": 60, "seed": 5}
# The time limit for servers whose heavy work must finish: queued simulations
# under the sanitizers on a shared, loaded machine can pass the default 30 s.
SLOW_TIMEOUT = "600"


# ---- a JSON Schema subset: what openapi.yaml uses ---------------------------

def resolve(schema):
    while "$ref" in schema:
        node = SPEC
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def type_ok(value, t):
    return {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool)
        or isinstance(value, float) and value.is_integer(),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }[t]


def validate(value, schema, where="$"):
    """Raises AssertionError naming the place where value breaks schema."""
    schema = resolve(schema)
    if "allOf" in schema:
        for s in schema["allOf"]:
            validate(value, s, where)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            passed = 0
            for s in schema[key]:
                try:
                    validate(value, s, where)
                    passed += 1
                except AssertionError:
                    pass
            assert passed == 1 if key == "oneOf" else passed >= 1, f"{where}: {key} matched {passed}"
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(type_ok(value, t) for t in types), f"{where}: {value!r} is not {types}"
    if "const" in schema:
        assert value == schema["const"], f"{where}: {value!r} != {schema['const']!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for key, ok in (("minimum", lambda a, b: a >= b), ("maximum", lambda a, b: a <= b),
                        ("exclusiveMinimum", lambda a, b: a > b), ("exclusiveMaximum", lambda a, b: a < b)):
            if key in schema:
                assert ok(value, schema[key]), f"{where}: {value} breaks {key} {schema[key]}"
    if isinstance(value, list):
        assert len(value) >= schema.get("minItems", 0), f"{where}: too few items"
        assert len(value) <= schema.get("maxItems", len(value)), f"{where}: too many items"
        if "items" in schema:
            for i, item in enumerate(value):
                validate(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            assert name in value, f"{where}: missing required {name!r}"
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in props:
                validate(item, props[name], f"{where}.{name}")
            elif extra is False:
                raise AssertionError(f"{where}: undocumented property {name!r}")
            elif isinstance(extra, dict):
                validate(item, extra, f"{where}.{name}")


def documented_response(method, route, status):
    """The openapi.yaml response object for this answer; fails if there is none."""
    if route not in SPEC["paths"]:
        assert status == 404, f"{method} {route}: {status} on an undocumented path"
        return resolve(SPEC["components"]["responses"]["NotFound"])
    if status == 405:  # any method outside the path's Allow list
        return resolve(SPEC["components"]["responses"]["MethodNotAllowed"])
    op = SPEC["paths"][route].get(method.lower())
    assert op, f"{method} {route}: undocumented method answered {status}"
    assert str(status) in op["responses"], f"{method} {route}: status {status} undocumented"
    return resolve(op["responses"][str(status)])


def check_contract(method, path, status, headers, body):
    """The answer must be documented in openapi.yaml and match its schema."""
    doc = documented_response(method, path.split("?")[0], status)
    assert headers.get("access-control-allow-origin") == "*", f"{method} {path}: no CORS header"
    for name in doc.get("headers", {}):
        assert name.lower() in headers, f"{method} {path} {status}: header {name} missing"
    if not doc.get("content") or method == "HEAD":
        return
    media = {key.split(";")[0].strip(): value for key, value in doc["content"].items()}
    ctype = headers.get("content-type", "").split(";")[0].strip()
    assert ctype in media, f"{method} {path} {status}: content type {ctype!r} undocumented"
    schema = media[ctype].get("schema")
    if schema and ctype.endswith("json"):
        validate(json.loads(body), schema, f"{method} {path} {status}")


# ---- servers and clients ----------------------------------------------------

class Server:
    """A fanoutd on 127.0.0.1 and a port the kernel picked, one thread a simulation."""

    def __init__(self, *args, env=None):
        self.proc = subprocess.Popen([FANOUTD, "--port", "0", "--sim-threads", "1", *args],
                                     stderr=subprocess.PIPE, env=env)
        line = self.proc.stderr.readline().decode()
        match = re.search(r"listening on \S+ port (\d+)", line)
        assert match, f"fanoutd did not start: {line!r}"
        self.port = int(match.group(1))
        self.log = [line]
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for line in self.proc.stderr:
            self.log.append(line.decode())

    def request(self, method, path, body=None, headers=None, raw=False):
        """(status, headers, body text); checks the answer against the contract."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        conn.request(method, path, body=data, headers=headers or {})
        resp = conn.getresponse()
        text = resp.read().decode()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        if not raw:
            check_contract(method, path, resp.status, hdrs, text)
        return resp.status, hdrs, text

    def post(self, path, body):
        status, _, text = self.request("POST", path, body)
        return status, json.loads(text)

    def metric(self, name):
        _, _, text = self.request("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return None

    def wait_metric(self, name, value):
        deadline = time.monotonic() + WAIT
        while self.metric(name) != value:
            assert time.monotonic() < deadline, f"{name} never reached {value}"
            time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=WAIT)
        self.reader.join(timeout=WAIT)
        return code


class Background:
    """fn(*args) running in a thread; .result once .wait() returns."""

    def __init__(self, fn, *args):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self.thread.start()

    def _run(self, fn, args):
        self.result = fn(*args)

    def wait(self):
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "background request did not finish"
        return self.result


def node_answer(body):
    """The same request through fanout-node: its answer fields."""
    lines = json.dumps({"src": "c1", "dest": "n1", "body": dict(body, type=body["type"], msg_id=1)})
    proc = subprocess.run([NODE], input=(lines + "\n").encode(), capture_output=True, timeout=WAIT)
    reply = json.loads(proc.stdout)["body"]
    for key in ("type", "msg_id", "in_reply_to"):
        reply.pop(key, None)
    return reply


class Api(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server()

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def test_reference_point_with_curl(self):
        """The README's curl line, and the browser-style GET."""
        url = f"127.0.0.1:{self.srv.port}/calc_fanout"
        out = subprocess.run(["curl", "-s", "-d", '{"nodes":25,"target_prob":0.99,"rounds":5}', url],
                             capture_output=True, timeout=WAIT)
        answer = json.loads(out.stdout)
        self.assertEqual(answer["min_fanout"], 3)
        self.assertAlmostEqual(answer["miss_prob"], 0.005274, delta=1e-6)
        out = subprocess.run(["curl", "-s", "-i", url + "?nodes=25&target_prob=0.99&rounds=5&model=formula"],
                             capture_output=True, timeout=WAIT)
        head, _, body = out.stdout.decode().partition("\r\n\r\n")
        self.assertIn("200 OK", head.splitlines()[0])
        self.assertEqual(json.loads(body)["min_fanout"], 15)

    def test_calc_answers_follow_the_contract(self):
        for body in ({"nodes": 25, "target_prob": 0.99, "rounds": 5},
                     {"nodes": 25, "target_prob": 0.99, "rounds": 5, "model": "mean_field"},
                     {"nodes": 25, "target_prob": 0.99, "rounds": 5, "model": "formula"},
                     {"nodes": 10, "target_prob": 0.5, "rounds": 1, "loss": 0.5},
                     {"nodes": 40, "target_prob": 0.9, "rounds": 6, "mode": "pull", "failed_nodes": 3},
                     {"nodes": 30, "target_prob": 0.9, "rounds": 6, "mode": "push_pull", "forward_rounds": 2},
                     {"nodes": 1, "target_prob": 0.9, "rounds": 1},
                     {"nodes": 1000000, "target_prob": 0.999, "rounds": 40}):
            status, answer = self.srv.post("/calc_fanout", body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer, node_answer(dict(body, type="calc_fanout")), body)

    def test_simulation_answers_follow_the_contract(self):
        body = {"nodes": 30, "fanout": 2, "rounds": 6, "trials": 300, "seed": 9, "curve": True,
                "mode": "push_pull", "loss": 0.1, "failed_nodes": 2}
        status, answer = self.srv.post("/simulate_gossip", body)
        self.assertEqual(status, 200)
        self.assertEqual([p["round"] for p in answer["curve"]], list(range(7)))  # 0 … R, like calc_fanout's
        self.assertEqual(answer, node_answer(dict(body, type="simulate_gossip")))
        query = "&".join(f"{k}={json.dumps(v) if isinstance(v, bool) else v}" for k, v in body.items())
        status, _, text = self.srv.request("GET", "/simulate_gossip?" + query)
        self.assertEqual((status, json.loads(text)), (200, answer))
        status, answer = self.srv.post("/simulate_gossip", {"nodes": 10, "fanout": 3, "rounds": 5, "trials": 5})
        self.assertTrue(0 <= answer["seed"] < 2 ** 53)

    def test_operator_terms_follow_the_contract(self):
        """Presets, transmit_limit, interval, message_bytes, params, rounds_to_all, curve."""
        calcs = ({"nodes": 1000, "target_prob": 0.99, "rounds": 20, "preset": "memberlist-lan", "curve": True,
                  "model": "mean_field", "timers": "aligned"},
                 {"nodes": 30, "target_prob": 0.99, "rounds": 8, "transmit_limit": 9, "interval": 0.5,
                  "message_bytes": 100, "curve": True},
                 {"nodes": 30, "target_prob": 0.99, "rounds": 5, "preset": "cassandra", "timers": "aligned"},
                 {"nodes": 100, "target_prob": 0.9, "rounds": 10, "model": "formula", "transmit_limit": 5,
                  "preset": "memberlist-wan"})
        for body in calcs:
            status, answer = self.srv.post("/calc_fanout", body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer, node_answer(dict(body, type="calc_fanout")), body)
            self.assertEqual(answer["params"]["nodes"], body["nodes"])
        status, answer = self.srv.post("/calc_fanout", calcs[0])
        self.assertEqual(answer["params"]["transmit_limit"], 16)
        self.assertEqual(len(answer["curve"]), 21)
        # auto with memberlist-lan at 1000 nodes: past exact and large_n, a simulation with its
        # interval, the same answer from both front ends (the seed is fixed by the parameters).
        body = dict(calcs[0], model="auto")
        status, answer = self.srv.post("/calc_fanout", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["model"], "simulation")
        self.assertGreaterEqual(answer["delivery_prob_interval"][0], 0.99)
        self.assertEqual(len(answer["curve"]), 21)
        self.assertEqual(answer, node_answer(dict(body, type="calc_fanout")))
        sims = ({"nodes": 1000, "rounds": 30, "trials": 200, "seed": 4, "preset": "memberlist-local"},
                {"nodes": 50, "fanout": 3, "rounds": 12, "trials": 300, "seed": 4, "transmit_limit": 5,
                 "interval": 1, "message_bytes": 64, "curve": True})
        for body in sims:
            status, answer = self.srv.post("/simulate_gossip", body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer, node_answer(dict(body, type="simulate_gossip")), body)
            # Presets run independent timers: a bin every quarter interval.
            bins = 4 if answer["params"].get("timers") == "independent" else 1
            self.assertEqual(len(answer["rounds_to_all_hist"]), bins * body["rounds"] + 1)
            self.assertEqual(sum(answer["rounds_to_all_hist"]), answer["trials_full"])

    def test_solve_for_both_doors(self):
        """solve_for transmit_limit and interval: the same answer by POST, GET and fanout-node."""
        for body in ({"nodes": 30, "target_prob": 0.999, "preset": "memberlist-lan", "timers": "aligned",
                      "within_seconds": 3, "solve_for": "transmit_limit"},
                     {"nodes": 1000, "target_prob": 0.999, "fanout": 3, "loss": 0.05, "within_seconds": 3,
                      "solve_for": "interval"}):
            status, answer = self.srv.post("/calc_fanout", body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["solve_for"], body["solve_for"])
            self.assertEqual(answer, node_answer(dict(body, type="calc_fanout")))
            query = "&".join(f"{k}={v}" for k, v in body.items())
            status, _, text = self.srv.request("GET", "/calc_fanout?" + query)
            self.assertEqual((status, json.loads(text)), (200, answer))
        self.assertEqual((answer["min_rounds"], answer["max_interval"]), (11, 3 / 11))
        status, problem = self.srv.post("/calc_fanout", {"nodes": 30, "target_prob": 0.99, "rounds": 5,
                                                          "fanout": 3})
        self.assertEqual((status, problem["field"]), (400, "fanout"))
        status, problem = self.srv.post("/calc_fanout", {"nodes": 30, "target_prob": 0.99, "fanout": 3,
                                                          "solve_for": "interval"})
        self.assertEqual((status, problem["field"]), (400, "within_seconds"))

    def test_seeds_both_doors(self):
        """seeds: the same answer by POST, GET and fanout-node, within the contract; refused by field."""
        for path, body in (("/simulate_gossip", {"nodes": 40, "preset": "cassandra", "failed_nodes": 5,
                                                 "seeds": 3, "rounds": 6, "trials": 200, "seed": 7}),
                           ("/calc_fanout", {"nodes": 40, "preset": "cassandra", "failed_nodes": 5, "seeds": 0,
                                             "target_prob": 0.9, "rounds": 8}),
                           ("/tradeoff", {"nodes": 30, "preset": "cassandra", "seeds": 2, "target_prob": 0.9,
                                          "max_rounds": 8, "max_fanout": 2})):
            status, answer = self.srv.post(path, body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["params"]["seeds"], body["seeds"])
            self.assertEqual(answer, node_answer(dict(body, type=path[1:])))
            query = "&".join(f"{k}={v}" for k, v in body.items())
            status, _, text = self.srv.request("GET", path + "?" + query)
            self.assertEqual((status, json.loads(text)), (200, answer))
        status, problem = self.srv.post("/simulate_gossip", {"nodes": 40, "fanout": 1, "seeds": 3, "rounds": 6,
                                                              "trials": 10})
        self.assertEqual((status, problem["field"]), (400, "seeds"))
        status, problem = self.srv.post("/calc_fanout", {"nodes": 40, "preset": "cassandra", "seeds": 3,
                                                          "target_prob": 0.9, "rounds": 8, "model": "exact"})
        self.assertEqual((status, problem["field"]), (400, "model"))
        self.assertIn('"seeds"', problem["detail"])

    def test_independent_timers_follow_the_contract(self):
        """timers, probe_interval, within_seconds: answers in time, every quarter interval, both doors."""
        body = {"nodes": 64, "fanout": 3, "transmit_limit": 8, "timers": "independent", "interval": 0.2,
                "probe_interval": 1, "within_seconds": 1, "trials": 300, "seed": 3, "curve": True,
                "message_bytes": 1400}
        status, answer = self.srv.post("/simulate_gossip", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer, node_answer(dict(body, type="simulate_gossip")))
        query = "&".join(f"{k}={json.dumps(v) if isinstance(v, bool) else v}" for k, v in body.items())
        status, _, text = self.srv.request("GET", "/simulate_gossip?" + query)
        self.assertEqual((status, json.loads(text)), (200, answer))
        params = answer["params"]
        self.assertEqual((params["timers"], params["probe_interval"], params["within_seconds"], params["rounds"]),
                         ("independent", 1, 1, 5))
        self.assertEqual((answer["hist_bin"], answer["hist_bin_seconds"]), (0.25, 0.05))
        self.assertEqual(len(answer["rounds_to_all_hist"]), 21)
        self.assertEqual(sum(answer["rounds_to_all_hist"]), answer["trials_full"])
        self.assertEqual([p["t"] for p in answer["curve"]], [b / 4 for b in range(1, 21)])
        # (JSON numbers as cJSON writes them: 15 digits when they read back within an ulp.)
        for p in answer["curve"]:
            self.assertAlmostEqual(p["seconds"], p["t"] * 0.2, delta=1e-15)
        for key in ("mean", "p50", "p90", "p99"):
            r = answer["rounds_to_all"][key]
            if r is None:
                self.assertIsNone(answer["seconds_to_all"][key])
            else:
                self.assertAlmostEqual(answer["seconds_to_all"][key], r * 0.2, delta=1e-14)
        for key in ("p50", "p90", "p99"):
            if answer["rounds_to_all"][key] is not None:
                self.assertEqual(answer["rounds_to_all"][key] * 4 % 1, 0)
        self.assertLessEqual(answer["transmits_mean"], 64 * 8)
        self.assertLessEqual(answer["probe_transmits_sum"], answer["transmits_sum"])
        self.assertAlmostEqual(answer["bytes_per_broadcast"], answer["messages_mean"] * 1400, delta=1e-9)
        # A preset brings its timers: memberlist's LAN, independent with a 1 s probe.
        body = {"nodes": 64, "preset": "memberlist-lan", "within_seconds": 1, "trials": 200, "seed": 4}
        status, answer = self.srv.post("/simulate_gossip", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual((answer["params"]["timers"], answer["params"]["probe_interval"]), ("independent", 1))
        self.assertEqual(answer, node_answer(dict(body, type="simulate_gossip")))
        body = {"nodes": 10, "preset": "memberlist-lan", "within_seconds": 1, "target_prob": 0.9, "curve": True,
                "model": "simulation"}
        status, answer = self.srv.post("/calc_fanout", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer, node_answer(dict(body, type="calc_fanout")))
        self.assertEqual([p["t"] for p in answer["curve"]], [b / 4 for b in range(0, 21)])
        self.assertIn("transmits_per_broadcast", answer)
        body = {"nodes": 10, "preset": "memberlist-lan", "within_seconds": 1.5, "target_prob": 0.9, "max_fanout": 2}
        status, answer = self.srv.post("/tradeoff", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer, node_answer(dict(body, type="tradeoff")))
        self.assertEqual(answer["params"]["max_rounds"], 8)
        for r in answer["rows"]:
            if r["rounds"] is None:
                self.assertIsNone(r["seconds"])
            else:
                self.assertAlmostEqual(r["seconds"], r["rounds"] * 0.2, delta=1e-14)
        # The rules, each at its field.
        for body, field, detail in (
                ({"nodes": 25, "target_prob": 0.9, "rounds": 5, "timers": "async"}, "timers", "aligned, independent"),
                ({"nodes": 25, "target_prob": 0.9, "rounds": 5, "interval": 1, "probe_interval": 1},
                 "probe_interval", "independent"),
                ({"nodes": 25, "target_prob": 0.9, "within_seconds": 1}, "within_seconds", "interval"),
                ({"nodes": 25, "target_prob": 0.9, "rounds": 5, "interval": 1, "within_seconds": 1},
                 "within_seconds", "not both")):
            status, answer = self.srv.post("/calc_fanout", body)
            self.assertEqual((status, answer["field"]), (400, field), answer)
            self.assertIn(detail, answer["detail"])
        # Aligned timers keep the round model: within_seconds stands for floor(within / interval) rounds.
        status, by_rounds = self.srv.post("/calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 3,
                                                          "interval": 0.2})
        status, by_time = self.srv.post("/calc_fanout", {"nodes": 25, "target_prob": 0.99, "within_seconds": 0.79,
                                                        "interval": 0.2})
        self.assertEqual(status, 200, by_time)
        self.assertEqual(by_time.pop("params"), dict(by_rounds.pop("params"), timers="aligned",
                                                     probe_interval=None, within_seconds=0.79))
        self.assertEqual(by_time, by_rounds)

    def test_tradeoff_band_at_max_rounds(self):
        """Each approximate row carries the interval of P(full by max_rounds), at that R whatever its own rounds."""
        def get(path):
            status, _, text = self.srv.request("GET", path)
            return status, json.loads(text)
        query = "nodes=100000&target_prob=0.999"
        status, trade = get("/tradeoff?" + query + "&max_rounds=12")
        self.assertEqual((status, trade.get("model")), (200, "large_n"), trade)
        status, calc = get("/calc_fanout?" + query + "&rounds=12")
        self.assertEqual(status, 200, calc)
        earlier = 0
        for r in trade["rows"]:
            lo, hi = r["delivery_prob_by_max_rounds_interval"]
            self.assertTrue(lo <= r["delivery_prob_by_max_rounds"] <= hi, r)
            if r["rounds"] is None or r["rounds"] == 12:
                self.assertEqual([lo, hi], r["delivery_prob_interval"], r)
            else:
                earlier += 1
                self.assertGreater(lo, r["delivery_prob_interval"][1], r)
            if r["fanout"] == calc["min_fanout"]:
                # large_n's own interval at this K and R, as calc_fanout answers it.
                self.assertEqual([lo, hi], calc["delivery_prob_interval"], r)
        self.assertGreater(earlier, 0, "a row reaching the target before max_rounds")
        status, trade = get("/tradeoff?nodes=12&target_prob=0.99&max_rounds=6&model=simulation&max_fanout=3")
        self.assertEqual(status, 200, trade)
        self.assertEqual(trade["rows"][-1]["rounds"], 4, trade["rows"][-1])
        for r in trade["rows"]:
            lo, hi = r["delivery_prob_by_max_rounds_interval"]
            self.assertTrue(lo <= r["delivery_prob_by_max_rounds"] <= hi, r)
            if r["rounds"] in (None, 6):
                self.assertEqual([lo, hi], r["delivery_prob_interval"], r)
        self.assertNotEqual(trade["rows"][-1]["delivery_prob_by_max_rounds_interval"],
                            trade["rows"][-1]["delivery_prob_interval"])

    def test_tradeoff_both_doors(self):
        """MODEL.md's example within the default budget, by POST and GET, as fanout-node answers."""
        body = {"nodes": 1000, "target_prob": 0.999, "interval": 0.2, "message_bytes": 1400}
        status, answer = self.srv.post("/tradeoff", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["model"], "exact")
        self.assertEqual(answer, node_answer(dict(body, type="tradeoff")))
        reached = [r for r in answer["rows"] if r["rounds"] is not None]
        self.assertEqual(len(answer["rows"]), answer["rows"].index(reached[0]) + 4)
        status, _, text = self.srv.request("GET", "/tradeoff?nodes=1000&target_prob=0.999&interval=0.2&message_bytes=1400")
        self.assertEqual((status, json.loads(text)), (200, answer))
        for body in ({"nodes": 200, "target_prob": 0.99, "preset": "memberlist-lan", "max_rounds": 30, "timers": "aligned"},
                     {"nodes": 100, "target_prob": 0.99, "max_fanout": 2, "mode": "pull", "model": "mean_field"}):
            status, answer = self.srv.post("/tradeoff", body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer, node_answer(dict(body, type="tradeoff")))
        status, answer = self.srv.post("/tradeoff", {"nodes": 100, "target_prob": 0.99, "max_fanout": 100})
        self.assertEqual((status, answer["field"]), (400, "max_fanout"))
        # Rows from min_fanout (the page's second chart): those of the table from K = 1, by both doors.
        body = {"nodes": 1000, "target_prob": 0.999, "max_fanout": 6}
        _, whole = self.srv.post("/tradeoff", body)
        status, answer = self.srv.post("/tradeoff", dict(body, min_fanout=4))
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["rows"], whole["rows"][3:])
        self.assertEqual((answer["params"]["min_fanout"], "min_fanout" in whole["params"]), (4, False))
        self.assertEqual(answer, node_answer(dict(body, min_fanout=4, type="tradeoff")))
        status, answer = self.srv.post("/tradeoff", dict(body, min_fanout=7))
        self.assertEqual((status, answer["field"]), (400, "min_fanout"))
        # Fleet scale: large_n per K within the default budget, each row with its interval.
        for target in (0.99, 0.9999):
            body = {"nodes": 1000000, "target_prob": target, "transmit_limit": 28, "interval": 0.2}
            status, answer = self.srv.post("/tradeoff", body)
            self.assertEqual((status, answer["model"]), (200, "large_n"), answer)
            self.assertEqual(answer, node_answer(dict(body, type="tradeoff")))
            self.assertLessEqual(len(answer["rows"]), 28)
            for r in answer["rows"]:
                lo, hi = r["delivery_prob_interval"]
                self.assertEqual(r["model"], "large_n")
                self.assertTrue(lo <= r["delivery_prob"] <= hi, r)
                if r["rounds"] is not None:
                    self.assertGreaterEqual(lo, target, r)
        status, answer = self.srv.post("/tradeoff", {"nodes": 100000, "target_prob": 0.99, "model": "exact"})
        self.assertEqual(status, 422, answer)

    def test_large_n_curve_over_time(self):
        # Issue 17: large_n under independent timers gives its curve over time (a point every
        # quarter interval, each with its interval) and times to all that are never early,
        # the same through both doors and within the contract.
        body = {"nodes": 100000, "target_prob": 0.99, "preset": "memberlist-lan", "within_seconds": 1,
                "curve": True}
        status, answer = self.srv.post("/calc_fanout", body)
        self.assertEqual((status, answer["model"]), (200, "large_n"), answer)
        self.assertEqual(answer, node_answer(dict(body, type="calc_fanout")))
        curve = answer["curve"]
        self.assertEqual([p["t"] for p in curve], [b / 4 for b in range(21)])
        first = {}
        for i, p in enumerate(curve):
            lo, hi = p["full_delivery_prob_interval"]
            if i == len(curve) - 1:
                # At the horizon the answer's own interval counts too (the higher lower end).
                lo = max(lo, answer["delivery_prob_interval"][0])
            self.assertTrue(p["full_delivery_prob_interval"][0] <= p["full_delivery_prob"] <= hi, p)
            self.assertAlmostEqual(p["seconds"], 0.2 * p["t"])
            for level in (0.5, 0.9, 0.99):
                if lo >= level:
                    first.setdefault(level, p["t"])
        times = answer["rounds_to_all"]
        self.assertEqual((times["p50"], times["p90"], times["p99"]),
                         (first.get(0.5), first.get(0.9), first.get(0.99)))
        self.assertAlmostEqual(answer["seconds_to_all"]["p50"], 0.2 * times["p50"])
        self.assertIn("never early", answer["note"])

    def test_bad_requests_name_the_field(self):
        cases = [("{", None, "not valid JSON"), ("[1]", None, "JSON object"), ("", None, "not valid JSON"),
                 ({"nodes": "25", "target_prob": 0.9, "rounds": 5}, "nodes", "must be an integer"),
                 ({"nodes": 25, "target_prob": 2, "rounds": 5}, "target_prob", "less than 1"),
                 ({"nodes": 25, "target_prob": 0.9, "rounds": 5, "mode": "gossip"}, "mode", "one of"),
                 ({"nodes": 25, "target_prob": 0.9}, "rounds", "is required"),
                 ({"nodes": 1e300, "target_prob": 0.9, "rounds": 5}, "nodes", "2^53"),
                 ({"nodes": 25, "target_prob": 0.9, "rounds": 5, "failed_nodes": -1}, "failed_nodes", "from 0")]
        for body, field, words in cases:
            status, answer = self.srv.post("/calc_fanout", body)
            self.assertEqual(status, 400, body)
            self.assertIn(words, answer["detail"])
            self.assertEqual(answer.get("field"), field, body)
        status, _, text = self.srv.request("GET", "/calc_fanout?nodes=25&rounds=5&target_prob=%2299%22")
        self.assertEqual((status, json.loads(text)["field"]), (400, "target_prob"))

    def test_unknown_fields_are_refused_with_the_nearest(self):
        """A typo is a 400 naming it and the nearest field, through the body and the query."""
        status, answer = self.srv.post("/calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5, "los": 0.3})
        self.assertEqual((status, answer["field"]), (400, "los"))
        self.assertIn('unknown field "los" (did you mean "loss"?)', answer["detail"])
        status, _, text = self.srv.request("GET", "/calc_fanout?nodes=25&target_prob=0.99&rounds=5&los=0.3")
        self.assertEqual((status, json.loads(text)["field"]), (400, "los"))
        status, answer = self.srv.post("/tradeoff", {"nodes": 25, "target_prob": 0.99, "rounds": 5})
        self.assertEqual(status, 400)
        self.assertEqual(answer["errors"], [{"field": "rounds", "detail": '"rounds" is not a field of tradeoff'}])
        status, _, text = self.srv.request("GET", "/simulate_gossip?nodes=25&fanout=3&rounds=5&trials=9&sed=1")
        self.assertIn('(did you mean "seed"?)', json.loads(text)["detail"])

    def test_integers_above_2_to_the_50_are_exact(self):
        """cJSON alone writes 4767549831167740 as 4.76754983116774e+15."""
        seed = 4767549831167740
        status, _, text = self.srv.request("POST", "/simulate_gossip",
                                           {"nodes": 25, "fanout": 3, "rounds": 5, "trials": 20, "seed": seed})
        self.assertEqual(status, 200)
        self.assertIn(f'"seed":{seed},', text)
        status, _, text = self.srv.request("GET", f"/simulate_gossip?nodes=25&fanout=3&rounds=5&trials=20&seed={seed}")
        self.assertIn(f'"seed":{seed},', text)

    def test_not_found_and_method_not_allowed(self):
        status, _, _ = self.srv.request("GET", "/nowhere")
        self.assertEqual(status, 404)
        for method, path, allow in (("PUT", "/calc_fanout", "GET, POST, OPTIONS"),
                                    ("DELETE", "/simulate_gossip", "GET, POST, OPTIONS"),
                                    ("POST", "/healthz", "GET, HEAD, OPTIONS"),
                                    ("HEAD", "/calc_fanout", "GET, POST, OPTIONS")):
            status, headers, _ = self.srv.request(method, path)
            self.assertEqual((status, headers.get("allow")), (405, allow), (method, path))

    def test_body_limit(self):
        big = '{"nodes":25,"target_prob":0.99,"rounds":5,"pad":"' + "x" * 70000 + '"}'
        status, _, _ = self.srv.request("POST", "/calc_fanout", big)
        self.assertEqual(status, 413)
        # Chunked, so the size is only known while reading.
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Transfer-Encoding: chunked",
                              "--data-binary", "@-", f"127.0.0.1:{self.srv.port}/calc_fanout"],
                             input=big.encode(), capture_output=True, timeout=WAIT)
        self.assertEqual(out.stdout, b"413")

    def test_over_budget(self):
        status, answer = self.srv.post("/simulate_gossip", {"nodes": 1000000, "fanout": 3, "rounds": 100, "trials": 1000})
        self.assertEqual(status, 422)
        self.assertEqual(answer["field"], "trials")
        self.assertGreater(answer["estimate"], answer["budget"])
        status, answer = self.srv.post("/calc_fanout", {"nodes": 1000000, "target_prob": 0.9, "rounds": 30, "model": "exact"})
        self.assertEqual((status, answer["field"]), (422, "nodes"))

    def test_cors_preflight_and_plain_routes(self):
        for path in SPEC["paths"]:
            status, headers, _ = self.srv.request("OPTIONS", path)
            self.assertEqual(status, 204, path)
            self.assertIn("Content-Type", headers["access-control-allow-headers"])
        status, _, text = self.srv.request("GET", "/healthz")
        self.assertEqual((status, json.loads(text)["status"]), (200, "ok"))
        status, _, text = self.srv.request("GET", "/readyz")
        self.assertEqual((status, json.loads(text)["status"]), (200, "ready"))
        status, headers, text = self.srv.request("GET", "/openapi.yaml")
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "openapi.yaml")) as f:
            self.assertEqual((status, text), (200, f.read()))
        status, _, text = self.srv.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn("calc_fanout", text)
        status, headers, text = self.srv.request("HEAD", "/healthz")
        self.assertEqual((status, text), (200, ""))

    def test_keep_alive(self):
        """GETs and POSTs keep the connection open (probes and browsers reuse it)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=WAIT)
        for method, path, body in (("GET", "/healthz", None), ("GET", "/", None),
                                   ("POST", "/calc_fanout", '{"nodes":25,"target_prob":0.99,"rounds":5}'),
                                   ("OPTIONS", "/calc_fanout", None), ("GET", "/healthz", None)):
            conn.request(method, path, body=body)
            resp = conn.getresponse()
            resp.read()
            self.assertIn(resp.status, (200, 204), path)
            self.assertNotEqual((resp.getheader("Connection") or "").lower(), "close", (method, path))
        conn.close()

    def test_metrics_count_requests(self):
        # A server of its own: a request is counted when libmicrohttpd reports it complete,
        # which may come just after its client has read the answer, so the count is waited for.
        srv = Server()
        try:
            srv.request("GET", "/healthz")
            srv.request("GET", "/healthz")
            srv.wait_metric('fanoutd_requests_total{path="/healthz",status="200"}', 2)
            _, _, text = srv.request("GET", "/metrics")
            self.assertIn("# TYPE fanoutd_request_duration_seconds histogram", text)
            buckets = [float(l.split()[-1]) for l in text.splitlines()
                       if l.startswith('fanoutd_request_duration_seconds_bucket{path="/healthz"')]
            self.assertEqual(buckets, sorted(buckets))
            for name in ("fanoutd_work_in_flight", "fanoutd_trials_simulated_total", "fanoutd_draining",
                         "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                         "process_max_fds", "process_virtual_memory_bytes", "process_start_time_seconds"):
                self.assertIsNotNone(srv.metric(name), name)
            self.assertGreater(srv.metric("process_resident_memory_bytes"), 1 << 20)
            self.assertGreater(srv.metric("process_open_fds"), 2)
            self.assertAlmostEqual(srv.metric("process_start_time_seconds"), time.time(), delta=600)
            self.assertIn('fanoutd_build_info{version="', text)
            # Prometheus' own linter, where it is installed (Debian's prometheus package; not a test
            # dependency, as it is large): no complaint about names, types or help texts.
            if shutil.which("promtool"):
                lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                                      text=True, timeout=WAIT)
                self.assertEqual((lint.returncode, lint.stdout + lint.stderr), (0, ""))
            self.assertIn("# TYPE process_cpu_seconds_total counter", text)
            # Every simulated trial counts: simulate_gossip's, and calc_fanout's and tradeoff's searches.
            before = srv.metric("fanoutd_trials_simulated_total")
            srv.request("POST", "/simulate_gossip", {"nodes": 25, "fanout": 3, "rounds": 5, "trials": 7, "seed": 1})
            self.assertEqual(srv.metric("fanoutd_trials_simulated_total"), before + 7)
            status, _, text = srv.request("POST", "/calc_fanout", {"nodes": 200, "target_prob": 0.99, "rounds": 10,
                                                                   "model": "simulation"})
            answer = json.loads(text)
            self.assertEqual((status, answer["model"]), (200, "simulation"))
            # The search's trials (at least the K returned) and the rerun at K for the answer's figures.
            self.assertGreaterEqual(srv.metric("fanoutd_trials_simulated_total"), before + 7 + 2 * answer["trials"])
            before = srv.metric("fanoutd_trials_simulated_total")
            status, _, text = srv.request("POST", "/tradeoff", {"nodes": 200, "target_prob": 0.99, "max_fanout": 3,
                                                                "max_rounds": 12, "model": "simulation"})
            rows = json.loads(text)["rows"]
            self.assertEqual(srv.metric("fanoutd_trials_simulated_total"), before + sum(r["trials"] for r in rows))
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_garbage_never_hurts(self):
        for body in (b"\x00\xff" * 100, b"[" * 50000, b'{"nodes":' + b"9" * 5000 + b"}",
                     b'{"nodes":25,"target_prob":0.9,"rounds":5,"nodes":"x"}', "ü".encode() * 1000):
            status, _, _ = self.srv.request("POST", "/calc_fanout", body)
            self.assertIn(status, (200, 400, 413))
        with socket.create_connection(("127.0.0.1", self.srv.port), timeout=WAIT) as s:
            s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            s.recv(4096)
        status, _, _ = self.srv.request("GET", "/healthz")
        self.assertEqual(status, 200)


class Work(unittest.TestCase):
    """The worker pool: isolation, saturation, time limit, disconnects, drain."""

    def test_cheap_requests_answered_while_simulations_run(self):
        srv = Server("--threads", "2", "--timeout", SLOW_TIMEOUT)
        try:
            sims = [Background(srv.post, "/simulate_gossip", HEAVY) for _ in range(2)]
            srv.wait_metric("fanoutd_work_in_flight", 2)
            times = []
            for _ in range(5):
                start = time.monotonic()
                self.assertEqual(srv.request("GET", "/healthz")[0], 200)
                status, _ = srv.post("/calc_fanout", {"nodes": 25, "target_prob": 0.99, "rounds": 5,
                                                      "model": "formula"})
                self.assertEqual(status, 200)
                times.append(time.monotonic() - start)
            # Both cheap answers came back while both simulations were still running.
            self.assertEqual(srv.metric("fanoutd_work_in_flight"), 2)
            print(f"\nhttp: /healthz + formula calc while 2 simulations ran: max {max(times) * 1e3:.1f} ms",
                  file=sys.stderr)
            for sim in sims:
                self.assertEqual(sim.wait()[0], 200)
            self.assertEqual(srv.metric("fanoutd_trials_simulated_total"), 2 * HEAVY["trials"])
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_full_queue_answers_503_at_once(self):
        # The first runs long (2.5 times HEAVY) so that on a loaded machine it cannot
        # finish before the second is queued.
        srv = Server("--threads", "1", "--queue", "1", "--timeout", SLOW_TIMEOUT, "--work-budget", "1e10")
        try:
            first = Background(srv.post, "/simulate_gossip", dict(HEAVY, trials=150))
            srv.wait_metric("fanoutd_work_in_flight", 1)
            second = Background(srv.post, "/simulate_gossip", HEAVY)
            srv.wait_metric("fanoutd_work_in_flight", 2)
            status, headers, _ = srv.request("POST", "/simulate_gossip", HEAVY)
            self.assertEqual(status, 503)
            self.assertEqual(headers["retry-after"], "1")
            for sim in (first, second):
                self.assertEqual(sim.wait()[0], 200)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_time_limit_answers_504(self):
        srv = Server("--timeout", "0.05")
        try:
            status, answer = srv.post("/simulate_gossip", HEAVY)
            self.assertEqual(status, 504, answer)
            self.assertIn("time limit", answer["detail"])
            self.assertEqual(srv.metric('fanoutd_cancelled_total{reason="timeout"}'), 1)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_disconnect_cancels_work(self):
        srv = Server()
        try:
            body = json.dumps(HEAVY).encode()
            with socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT) as s:
                s.sendall(b"POST /simulate_gossip HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                          % (len(body), body))
                srv.wait_metric("fanoutd_work_in_flight", 1)
            srv.wait_metric('fanoutd_cancelled_total{reason="disconnect"}', 1)
            srv.wait_metric("fanoutd_work_in_flight", 0)
            self.assertEqual(srv.metric("fanoutd_trials_simulated_total"), 0)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_sigterm_lets_running_work_finish(self):
        srv = Server("--timeout", SLOW_TIMEOUT, "--grace", SLOW_TIMEOUT)
        sim = Background(srv.post, "/simulate_gossip", HEAVY)
        srv.wait_metric("fanoutd_work_in_flight", 1)
        srv.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + WAIT
        readyz = None
        while readyz != 503 and time.monotonic() < deadline and sim.thread.is_alive():
            try:
                readyz = srv.request("GET", "/readyz")[0]
            except ConnectionError:
                break
        self.assertEqual(sim.wait()[0], 200)
        self.assertEqual(srv.proc.wait(timeout=WAIT), 0)
        self.assertIn(readyz, (503, None))
        self.assertTrue(any("draining" in line for line in srv.log))


class CommandLine(unittest.TestCase):
    def test_help_version_and_bad_flags(self):
        out = subprocess.run([FANOUTD, "--help"], capture_output=True, timeout=WAIT)
        self.assertEqual(out.returncode, 0)
        for flag in ("--address", "--port", "--threads", "--body-limit", "--work-budget", "--timeout",
                     "--log-format", "FANOUTD_PORT"):
            self.assertIn(flag.encode(), out.stdout)
        out = subprocess.run([FANOUTD, "--version"], capture_output=True, timeout=WAIT)
        self.assertTrue(out.stdout.startswith(b"fanoutd "))
        for args in (["--port", "70000"], ["--log-format", "xml"], ["--bogus"], ["--timeout"]):
            out = subprocess.run([FANOUTD, *args], capture_output=True, timeout=WAIT)
            self.assertEqual(out.returncode, 2, args)
            self.assertIn(b"fanoutd:", out.stderr)

    def test_environment_twins_and_json_log(self):
        env = dict(os.environ, FANOUTD_BODY_LIMIT="100", FANOUTD_LOG_FORMAT="json")
        srv = Server(env=env)
        try:
            status, _, _ = srv.request("POST", "/calc_fanout", '{"nodes":25,"target_prob":0.99,"rounds":5,'
                                                              '"pad":"' + "x" * 200 + '"}')
            self.assertEqual(status, 413)
        finally:
            self.assertEqual(srv.stop(), 0)
        entries = [json.loads(l) for l in srv.log if l.startswith("{")]
        self.assertTrue(any(e.get("status") == 413 and e["path"] == "/calc_fanout" and e["method"] == "POST"
                            for e in entries), srv.log)


# The files fanoutd serves as they are, each with its ETag and caching.
ASSETS = ("/", "/page.js", "/page.css", "/chart.js", "/favicon.svg", "/openapi.yaml")


class Conventions(unittest.TestCase):
    """HTTP habits around the page and the API: caching, security headers, ids, newlines."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def test_etag_and_304(self):
        for path in ASSETS:
            status, headers, body = self.srv.request("GET", path)
            tag = headers.get("etag", "")
            self.assertEqual(status, 200, path)
            self.assertRegex(tag, r'^"[0-9a-f]{32}"$', path)
            self.assertIn(headers["cache-control"], ("no-cache", "public, max-age=86400"), path)
            for match in (tag, f'"other", W/{tag}', "*"):
                status, again, body = self.srv.request("GET", path, headers={"If-None-Match": match})
                self.assertEqual((status, body, again["etag"]), (304, "", tag), (path, match))
            status, _, body = self.srv.request("GET", path, headers={"If-None-Match": '"other"'})
            self.assertEqual(status, 200, path)
            status, _, _ = self.srv.request("HEAD", path, headers={"If-None-Match": tag})
            self.assertEqual(status, 304, path)

    def test_gzip_when_accepted(self):
        """Assets precompressed: gzip when the client accepts it (not with q=0), its own ETag, Vary always."""
        import gzip
        for path in ASSETS:
            _, plain_headers, _ = self.srv.request("GET", path)
            self.assertEqual(plain_headers.get("vary"), "Accept-Encoding", path)
            self.assertNotIn("content-encoding", plain_headers, path)
            conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=WAIT)
            conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
            resp = conn.getresponse()
            raw = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            conn.close()
            self.assertEqual(resp.status, 200, path)
            if hdrs.get("content-encoding") == "gzip":
                plain = self.srv.request("GET", path, raw=True)[2].encode()
                self.assertEqual(gzip.decompress(raw), plain, path)
                self.assertLess(len(raw), len(plain), path)
                self.assertEqual(hdrs["etag"], plain_headers["etag"][:-1] + '-gz"', path)
            else:
                self.assertEqual(path, "/favicon.svg")  # too small to gain
            _, hdrs, _ = self.srv.request("GET", path, headers={"Accept-Encoding": "gzip;q=0"}, raw=True)
            self.assertNotIn("content-encoding", hdrs, path)

    def test_every_answer_has_security_headers_and_a_final_newline(self):
        cases = [("GET", "/", None), ("GET", "/healthz", None), ("GET", "/metrics", None),
                 ("GET", "/openapi.yaml", None), ("GET", "/page.js", None), ("GET", "/nowhere", None),
                 ("DELETE", "/calc_fanout", None), ("POST", "/calc_fanout", '{"nodes":25,"target_prob":0.99,"rounds":5}'),
                 ("POST", "/calc_fanout", "{"), ("POST", "/calc_fanout", '{"nodes":0}'),
                 ("GET", "/tradeoff?nodes=25&target_prob=0.99", None), ("OPTIONS", "/", None)]
        for method, path, body in cases:
            status, headers, text = self.srv.request(method, path, body)
            self.assertEqual(headers.get("x-content-type-options"), "nosniff", path)
            self.assertIn("script-src 'self'", headers.get("content-security-policy", ""), path)
            self.assertIn("default-src 'none'", headers["content-security-policy"], path)
            if text:
                self.assertTrue(text.endswith("\n"), (method, path, status, text[-40:]))

    def test_the_page_needs_no_inline_script_or_style(self):
        _, _, page = self.srv.request("GET", "/")
        self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page), [])
        self.assertNotRegex(page, r"<style|\sstyle=|\son[a-z]+=|javascript:")
        for src in re.findall(r'(?:src|href)="(/[^"]*)"', page):
            status, _, _ = self.srv.request("GET", src.split("?")[0])
            self.assertEqual(status, 200, src)

    def test_request_id_echoed_or_generated_and_logged(self):
        _, headers, _ = self.srv.request("GET", "/healthz", headers={"X-Request-Id": "trace-42.a:b_c"})
        self.assertEqual(headers["x-request-id"], "trace-42.a:b_c")
        ids = set()
        for bad in (None, "has space", "x" * 65, ""):
            _, headers, _ = self.srv.request("GET", "/healthz", headers={"X-Request-Id": bad} if bad is not None else {})
            self.assertRegex(headers["x-request-id"], r"^[0-9a-f]{16}$", bad)
            ids.add(headers["x-request-id"])
        self.assertEqual(len(ids), 4)
        deadline = time.monotonic() + WAIT
        while not any("trace-42.a:b_c" in line for line in self.srv.log):
            self.assertLess(time.monotonic(), deadline, self.srv.log[-3:])
            time.sleep(0.02)

    def test_empty_and_null_query_values_are_absent(self):
        """What URLSearchParams writes for empty inputs (curve=) and null both mean absent."""
        base = "/calc_fanout?nodes=25&target_prob=0.99&rounds=5"
        _, _, plain = self.srv.request("GET", base)
        status, _, text = self.srv.request("GET", base + "&curve=&forward_rounds=null&transmit_limit=&loss=")
        self.assertEqual((status, json.loads(text)), (200, json.loads(plain)))
        status, _, text = self.srv.request("GET", base + "&curve=true&forward_rounds=2")
        self.assertEqual(status, 200)
        self.assertIn("curve", json.loads(text))


# An HTTP date as RFC 9110 writes it (IMF-fixdate).
IMF_FIXDATE = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT"


class AnswerCache(unittest.TestCase):
    """Issue 22: a GET whose answer depends on its query alone is answered again from the
    connection thread's cache: the same bytes, a request id of its own, counted in the metrics;
    never for another query, never an error or a refusal, never a simulation without a seed.
    Requests go over one kept-alive connection, so that one connection thread, and its cache,
    answers them all."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server()
        cls.conn = http.client.HTTPConnection("127.0.0.1", cls.srv.port, timeout=WAIT)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        assert cls.srv.stop() == 0

    def get(self, path):
        """(status, headers, body text) over the class's connection; checked against the contract."""
        self.conn.request("GET", path)
        resp = self.conn.getresponse()
        text = resp.read().decode()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        check_contract("GET", path, resp.status, hdrs, text)
        return resp.status, hdrs, text

    def figures(self):
        return tuple(self.srv.metric("fanoutd_answer_cache_" + name)
                     for name in ("hits_total", "misses_total", "entries"))

    def test_same_query_same_bytes_new_request_id(self):
        path = "/calc_fanout?nodes=25&target_prob=0.99&rounds=5&model=formula"
        hits, misses, entries = self.figures()
        first = self.get(path)
        again = self.get(path)
        self.assertEqual((first[0], again[0]), (200, 200))
        self.assertEqual(again[2], first[2])
        self.assertNotEqual(again[1]["x-request-id"], first[1]["x-request-id"])
        for name in ("content-type", "x-content-type-options", "content-security-policy",
                     "access-control-allow-origin", "access-control-expose-headers"):
            self.assertEqual(again[1].get(name), first[1].get(name), name)
        self.assertEqual(self.figures()[0], hits + 1)
        # Another value of one parameter is another answer, computed, as POST gives it.
        status, _, text = self.get(path.replace("nodes=25", "nodes=26"))
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(text), self.srv.post("/calc_fanout", {
            "nodes": 26, "target_prob": 0.99, "rounds": 5, "model": "formula"})[1])
        self.assertNotEqual(text, first[2])
        self.assertEqual(self.figures()[0], hits + 1)

    def test_concurrent_answers_carry_their_own_ids(self):
        """A cached answer's response is made once and sent again with only its X-Request-Id
        changed (issue 22): answers on many connections at once, to both connection threads,
        each carry their own id, the same bytes, and the headers in a computed answer's order."""
        path = "/calc_fanout?nodes=31&target_prob=0.99&rounds=5&model=formula"
        self.conn.request("GET", path, headers={"X-Request-Id": "computed"})
        resp = self.conn.getresponse()
        body = resp.read()
        order = [k.lower() for k, _ in resp.getheaders()]
        self.assertEqual(order, ["date", "access-control-allow-origin", "access-control-expose-headers",
                                 "x-content-type-options", "content-security-policy", "x-request-id",
                                 "content-type", "content-length"])
        wrong = []

        def client(n):
            conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=WAIT)
            try:
                for i in range(150):
                    rid = f"c{n}-{i}"
                    conn.request("GET", path, headers={"X-Request-Id": rid})
                    r = conn.getresponse()
                    got = r.read()
                    date = email.utils.parsedate_to_datetime(r.getheader("Date"))
                    if (r.status, r.getheader("X-Request-Id"), got, [k.lower() for k, _ in r.getheaders()]) != \
                            (200, rid, body, order) or not re.fullmatch(IMF_FIXDATE, r.getheader("Date")) or \
                            abs(date.timestamp() - time.time()) > 2:
                        wrong.append((rid, r.status, r.getheader("X-Request-Id"), r.getheader("Date")))
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT * 4)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertEqual(wrong, [])
        # A second later, a response of the new second, its Date new and the rest as before.
        dates = []
        for _ in range(2):
            self.conn.request("GET", path)
            r = self.conn.getresponse()
            self.assertEqual((r.read(), [k.lower() for k, _ in r.getheaders()]), (body, order))
            dates.append(email.utils.parsedate_to_datetime(r.getheader("Date")).timestamp())
            time.sleep(1.1)
        self.assertGreaterEqual(dates[1] - dates[0], 1)
        # With a Connection header, or over HTTP/1.0, libmicrohttpd may write one: the same headers.
        for request in (b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nX-Request-Id: ka\r\n\r\n",
                        b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: ka\r\n\r\n",
                        b"GET %s HTTP/1.0\r\nX-Request-Id: ka\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", self.srv.port), timeout=WAIT) as s:
                s.sendall(request % path.encode())
                data = b""
                while not data.endswith(body):
                    chunk = s.recv(65536)
                    self.assertTrue(chunk, data)
                    data += chunk
            head = data[:-len(body)].decode().split("\r\n")
            names = [line.split(":")[0].lower() for line in head[1:] if line]
            self.assertEqual([n for n in names if n != "connection"], order, request)
            self.assertIn("x-request-id: ka", [line.lower() for line in head])

    def test_errors_refusals_and_unseeded_simulations_are_not_kept(self):
        hits, _, entries = self.figures()
        for path, status in (("/calc_fanout?nodes=0&target_prob=0.99&rounds=5", 400),
                             ("/simulate_gossip?nodes=1000000&fanout=3&rounds=100&trials=100000000", 422)):
            for _ in range(2):
                self.assertEqual(self.get(path)[0], status, path)
        seeds = {json.loads(self.get("/simulate_gossip?nodes=25&fanout=3&rounds=5&trials=9")[2])["seed"]
                 for _ in range(2)}
        self.assertEqual(len(seeds), 2)
        self.assertEqual((self.figures()[0], self.figures()[2]), (hits, entries))
        # With its seed, a simulation is the request's alone, and kept.
        path = "/simulate_gossip?nodes=25&fanout=3&rounds=5&trials=9&seed=3"
        self.assertEqual(self.get(path)[2], self.get(path)[2])
        self.assertEqual(self.figures()[0], hits + 1)

    def test_bounded(self):
        for n in range(2, 402):
            self.assertEqual(self.get(f"/calc_fanout?nodes={n}&target_prob=0.9&rounds=6&model=formula")[0], 200)
        self.assertLessEqual(self.figures()[2], 256)  # FO_HTTP_CACHE_SLOTS


class AccessLog(unittest.TestCase):
    """Issue 22: the access log is buffered per connection thread, written out every 100 ms and
    when fanoutd stops, so no line is lost or cut."""

    def ids_logged(self, srv, prefix):
        return [line.split()[-1] for line in srv.log if line.rstrip().split(" ")[-1].startswith(prefix)]

    def send(self, srv, prefix, count):
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=WAIT)
        for i in range(count):
            conn.request("GET", "/healthz", headers={"X-Request-Id": f"{prefix}{i}"})
            self.assertEqual(conn.getresponse().read() != b"", True)
        conn.close()

    def test_lines_are_written_out_while_running(self):
        srv = Server()
        try:
            # 200 lines are far less than a buffer holds: only the timer writes them out.
            self.send(srv, "tick-", 200)
            deadline = time.monotonic() + WAIT
            while len(self.ids_logged(srv, "tick-")) < 200:
                self.assertLess(time.monotonic(), deadline, srv.log[-3:])
                time.sleep(0.02)
            self.assertEqual(sorted(self.ids_logged(srv, "tick-")), sorted(f"tick-{i}" for i in range(200)))
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_sigterm_loses_no_line(self):
        srv = Server()
        try:
            self.send(srv, "term-", 500)
        finally:
            srv.proc.send_signal(signal.SIGTERM)
            self.assertEqual(srv.stop(), 0)
        self.assertEqual(sorted(self.ids_logged(srv, "term-")), sorted(f"term-{i}" for i in range(500)))
        self.assertIn("stopped", srv.log[-1])


    def test_lines_whole_in_a_regular_file(self):
        """With stderr a regular file, a full buffer goes out in one write (not in PIPE_BUF
        pieces): every line still arrives once and whole, through SIGTERM."""
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen([FANOUTD, "--port", "0", "--sim-threads", "1"], stderr=log)
            try:
                deadline = time.monotonic() + WAIT
                port = None
                while port is None:
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.02)
                    log.seek(0)
                    match = re.search(rb"listening on \S+ port (\d+)", log.read())
                    port = match and int(match.group(1))
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
                for i in range(2000):
                    conn.request("GET", "/calc_fanout?nodes=25&target_prob=0.99&rounds=5&model=formula",
                                 headers={"X-Request-Id": f"file-{i}"})
                    self.assertEqual(conn.getresponse().read()[:1], b"{")
                conn.close()
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(WAIT), 0)
            log.seek(0)
            lines = log.read().decode().splitlines()
        ids = [line.split(" ")[-1] for line in lines if " file-" in line]
        self.assertEqual(sorted(ids), sorted(f"file-{i}" for i in range(2000)))
        for line in lines:
            if " file-" in line:
                self.assertRegex(line, r'^\S+Z 127\.0\.0\.1 "GET /calc_fanout" 200 \d+ \d+\.\d{3}ms file-\d+$')

    def test_line_fields(self):
        """Each field of a text access line, a long path cut to 127 bytes and a client's odd
        characters made '?' (the line is formatted by hand, issue 22)."""
        srv = Server()
        long_path = "/" + "p" * 300
        try:
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=WAIT)
            for path, rid in (("/calc_fanout?nodes=25&target_prob=0.99&rounds=5&model=formula", "fmt-1"),
                              (long_path, "fmt-2"), ("/x%22y\\z", "fmt-3")):
                conn.request("GET", path, headers={"X-Request-Id": rid})
                resp = conn.getresponse()
                length = len(resp.read())
                want = {"fmt-1": (200, "/calc_fanout"), "fmt-2": (404, long_path[:127]),
                        "fmt-3": (404, '/x?y?z')}[rid]
                self.assertEqual(resp.status, want[0])
                deadline = time.monotonic() + WAIT
                while not self.ids_logged(srv, rid):
                    self.assertLess(time.monotonic(), deadline, srv.log[-3:])
                    time.sleep(0.02)
                line = next(l for l in srv.log if l.rstrip().endswith(" " + rid)).rstrip("\n")
                self.assertRegex(line, r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 "GET (\S+)" '
                                       r'(\d{3}) (\d+) (\d+)\.\d{3}ms ' + re.escape(rid) + "$")
                m = re.search(r'"GET (\S+)" (\d{3}) (\d+) ', line)
                self.assertEqual((m.group(1), int(m.group(2)), int(m.group(3))), (want[1], want[0], length))
            conn.close()
        finally:
            self.assertEqual(srv.stop(), 0)


class JsonLog(unittest.TestCase):
    def test_every_line_is_json_from_start_to_stop(self):
        srv = Server("--log-format", "json")
        try:
            _, _, body = srv.request("GET", "/healthz", headers={"X-Request-Id": "json-log-1"})
        finally:
            self.assertEqual(srv.stop(), 0)
        entries = [json.loads(line) for line in srv.log]
        self.assertEqual(entries[0]["event"], "start")
        self.assertEqual(entries[-1]["event"], "stop")
        self.assertTrue(any(e.get("request_id") == "json-log-1" and e["status"] == 200 for e in entries))
        access = next(e for e in entries if e.get("request_id") == "json-log-1")
        self.assertEqual(sorted(access), ["bytes", "method", "ms", "path", "remote", "request_id", "status", "time"])
        self.assertEqual((access["method"], access["path"], access["remote"], access["bytes"]),
                         ("GET", "/healthz", "127.0.0.1", len(body.encode())))
        self.assertRegex(access["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIsInstance(access["ms"], float)


if __name__ == "__main__":
    FANOUTD, NODE = (os.path.abspath(p) for p in sys.argv[1:3])
    with open(sys.argv[3]) as f:
        SPEC = json.load(f)
    del sys.argv[1:4]
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"http: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
