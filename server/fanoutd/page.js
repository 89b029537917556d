// SPDX-License-Identifier: MIT
// page.js — the browser page at /: inputs, answers and charts over fanoutd's API.
//
// Every input is a query parameter of GET /calc_fanout (and of /tradeoff), and
// the page's own address carries the same parameters, so a copied link opens
// the same view.  The page computes nothing of the model itself: the charts
// plot the API's answers, except Serf's logistic estimate (its published
// formula, drawn for comparison) and the simulation's per-round 95 % band
// (the Wilson interval of the counts the API reports).
"use strict";

// The calculator's inputs, in the order they appear; all are API fields.
const FIELDS = ["preset", "nodes", "failed_nodes", "failed_known", "loss", "mode", "target_prob", "rounds",
                "within_seconds", "model", "interval", "timers", "probe_interval", "sync_interval", "seeds",
                "message_bytes", "transmit_limit", "forward_rounds"];
// Fields the page shows in an operator's units, the API taking others: loss
// in percent (the API: a fraction), crashed nodes in percent of N (the API: a
// count, the nearest whole number of nodes).
const PERCENT = { loss: "Message loss", failed_nodes: "Crashed nodes" };
// The simulation's own inputs; in the address only once a simulation ran.
const SIM_FIELDS = ["trials", "seed"];
const LIVE_DELAY_MS = 350;
const Z95 = 1.959963984540054;

const $ = (id) => document.getElementById(id);
const form = $("inputs");
const charts = {};
let calcRun = null;   // AbortController of the calculation in flight
let simRun = null;    // AbortController of the simulation in flight
let timer = 0;
let last = null;      // { query, calc, tradeoff, sim }

// ---- inputs and the address ------------------------------------------------

// A number as typed, or NaN.
function typed(name) {
  const v = form.elements[name].value.trim();
  return v === "" ? NaN : Number(v);
}

// The fields in the API's units: { query, problems } (problems: percent fields out of range).
function read() {
  const q = new URLSearchParams();
  const problems = [];
  for (const name of FIELDS) {
    const v = form.elements[name].value.trim();
    if (v === "") continue;
    if (PERCENT[name]) {
      const pct = Number(v);
      if (!(pct >= 0 && pct <= 100)) {
        problems.push({ field: name, detail: `"${PERCENT[name]}" must be a percentage from 0 to 100` });
        continue;
      }
      if (name === "loss") q.set(name, String(Number((pct / 100).toPrecision(12))));
      else if (typed("nodes") >= 1) q.set(name, String(Math.round((pct / 100) * typed("nodes"))));
      continue;
    }
    // A time budget stands for the rounds (the API refuses both).
    if (name === "rounds" && form.elements.within_seconds.value.trim() !== "") continue;
    q.set(name, v);
  }
  return { query: q, problems };
}

function inputs() {
  return read().query;
}

// The count of crashed nodes the percentage stands for, beside its field.
function showFailedCount() {
  const q = inputs();
  $("failed_nodes-count").textContent = q.has("failed_nodes")
    ? `That is ${q.get("failed_nodes")} of ${q.get("nodes")} nodes.` : "";
  $("rounds").disabled = form.elements.within_seconds.value.trim() !== "";
}

// The shortest percentage of n that stands for the count again.
function percentOf(count, n) {
  for (let digits = 3; digits < 17; digits++) {
    const pct = Number(((count / n) * 100).toPrecision(digits));
    if (Math.round((pct / 100) * n) === count) return String(pct);
  }
  return String((count / n) * 100);
}

function restoreFromAddress() {
  const q = new URLSearchParams(location.search);
  for (const name of FIELDS.concat(SIM_FIELDS)) {
    if (!q.has(name)) continue;
    const v = q.get(name);
    if (name === "loss" && v.trim() !== "" && Number.isFinite(Number(v))) $(name).value = String(Number((Number(v) * 100).toPrecision(12)));
    else if (name === "failed_nodes" && Number(q.get("nodes")) >= 1 && Number.isFinite(Number(v))) {
      $(name).value = percentOf(Number(v), Number(q.get("nodes")));
    } else $(name).value = v;
  }
  return q.has("trials");
}

function writeAddress(withSim) {
  const q = inputs();
  if (withSim) for (const name of SIM_FIELDS) if ($(name).value !== "") q.set(name, $(name).value);
  const url = `${location.pathname}?${q}`;
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

// ---- requests ----------------------------------------------------------------

class Problem extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || "request failed");
    this.problem = problem;
  }
}

async function getJSON(path, query, signal) {
  const r = await fetch(`${path}?${query}`, { signal, headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({ status: r.status, detail: `${r.status} ${r.statusText}` }));
  if (!r.ok) throw new Problem(body);
  return body;
}

// ---- errors at their fields --------------------------------------------------

function clearErrors() {
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of document.querySelectorAll("p.error")) el.textContent = "";
  $("use-mean-field").hidden = true;
}

function showProblem(problem) {
  const list = problem.errors || (problem.field ? [{ field: problem.field, detail: problem.detail }] : []);
  let unplaced = list.length === 0;
  for (const e of list) {
    const input = $(e.field);
    const out = $(`${e.field}-error`);
    if (!input || !out) {
      unplaced = true;
      continue;
    }
    input.setAttribute("aria-invalid", "true");
    out.textContent = PERCENT[e.field] && !/percentage/.test(e.detail)
      ? `${e.detail} (the API's own unit; this page sends your percentage converted)` : e.detail;
  }
  $("form-error").textContent = unplaced
    ? `${problem.status || ""} ${problem.title || ""}: ${problem.detail}`.trim()
    : `Please correct the field${list.length > 1 ? "s" : ""} marked below: ${problem.detail}`;
  // Over the budget, the server may suggest the mean field: offer it in one click.
  $("use-mean-field").hidden = !(problem.status === 422 && /mean_field/.test(problem.detail)
                                 && $("model").value !== "mean_field");
}

// ---- readable figures --------------------------------------------------------

// The page's one number format: `digits` significant digits, plain between
// 0.001 and 10^7, else m × 10^e; a probability near 1 as 1 − its complement.
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

function fmt(x, digits = 4) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  if (a === 0 || (a >= 1e-3 && a < 1e7)) return String(Number(x.toPrecision(digits)));
  const [m, e] = x.toExponential(digits - 1).split("e");
  return `${Number(m)} × 10${e.replace("+", "").replace(/./g, (c) => SUPERSCRIPT[c])}`;
}

function prob(p) {
  if (p === null || p === undefined) return "—";
  if (p > 0.999 && p < 1) return `1 − ${fmt(1 - p, 3)}`;
  return fmt(p, 6);
}

function num(x, digits = 3) {
  return fmt(x, digits);
}

// Bytes in SI units (1 kB = 1000 B).
function bytes(b) {
  if (b === null || b === undefined) return "—";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (Math.abs(b) >= 1000 && i < units.length - 1) { b /= 1000; i++; }
  return `${fmt(b, 3)} ${units[i]}`;
}

function quantiles(q, unit) {
  if (!q) return null;
  const f = (x) => (x === null ? "not within R" : `${num(x)}${unit}`);
  return `mean ${f(q.mean)}, median ${f(q.p50)}, p90 ${f(q.p90)}, p99 ${f(q.p99)}`;
}

function fill(dl, rows) {
  dl.replaceChildren();
  for (const [term, value] of rows) {
    if (value === null || value === undefined) continue;
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    dl.append(dt, dd);
  }
}

function modelName(model) {
  return model === "large_n" ? "large N" : model.replace("_", " ");
}

function chosenFanout(calc) {
  return calc.reachable ? calc.min_fanout : calc.best_fanout;
}

// Whether an answer is in continuous time (independent timers).
function timed(answer) {
  return Boolean(answer.params && answer.params.timers === "independent");
}

// The time allowed, in words: R rounds, or the horizon under independent timers.
function horizon(params) {
  if (params.timers !== "independent") return `${params.rounds} rounds`;
  if (params.within_seconds) return `${params.within_seconds} s`;
  return params.interval ? `${num(params.rounds * params.interval)} s` : `${params.rounds} gossip intervals`;
}

// The time allowed, for the headline: seconds where the interval is known.
function within(params) {
  if (params.within_seconds) return `${num(params.within_seconds)} s`;
  if (params.interval && params.timers !== "independent") return `${num(params.rounds * params.interval)} s`;
  return horizon(params);
}

function percent(p) {
  return `${fmt(p * 100, 6)}%`;
}

// The answer in one sentence, first: what K does, and whether the preset's own K is enough.
function headline(calc) {
  const params = calc.params || {};
  const k = chosenFanout(calc);
  const goal = `${percent(params.target_prob)} of broadcasts to every node within ${within(params)}`;
  let text = calc.reachable ? `K = ${k} reaches ${goal}`
    : `No fanout reaches ${goal}; the best, K = ${k}, reaches ${percent(calc.delivery_prob)}`;
  if (calc.preset_fanout !== undefined) {
    const system = params.preset.replace(/-.*/, "");
    text += `; ${system}'s default K = ${calc.preset_fanout} is ${calc.reachable && calc.preset_fanout >= k
      ? "enough" : "not enough"}`;
  }
  return `${text}.`;
}

function showFigures(calc) {
  $("headline").textContent = headline(calc);
  const k = chosenFanout(calc);
  const params = calc.params || {};
  const interval = calc.delivery_prob_interval;
  fill($("figures"), [
    [calc.reachable ? "Least fanout K" : "No fanout reaches the target; the best K",
     `${k} (${modelName(calc.model)} model)`],
    [`P(every live node informed within ${horizon(params)})`,
     prob(calc.delivery_prob) + (interval && prob(interval[0]) !== prob(interval[1])
       ? ` (between ${prob(interval[0])} and ${prob(interval[1])})` : "")],
    ["P(one given node still uninformed)", prob(calc.node_miss_prob)],
    ["Could K − 1 do?", calc.fanout_uncertain ? "perhaps: its interval straddles the target" : null],
    ["Least K that might do", calc.min_fanout_possible !== undefined && calc.min_fanout_possible !== null &&
      calc.min_fanout_possible !== k ? `${calc.min_fanout_possible} (its interval reaches the target)` : null],
    [calc.model === "exact" ? "Truncation and rounding error bound" : "Error bound of the approximation",
     calc.error_bound === undefined ? null : fmt(calc.error_bound, 2)],
    [timed(calc) ? "Gossip intervals to everyone" : "Rounds to everyone", quantiles(calc.rounds_to_all, "")],
    ["Time to everyone", quantiles(calc.seconds_to_all, " s")],
    ["Messages per broadcast", calc.messages_per_broadcast === undefined ? null : num(calc.messages_per_broadcast, 4)],
    ["Transmits per broadcast (memberlist's count)", calc.transmits_per_broadcast === undefined ? null
      : num(calc.transmits_per_broadcast, 4)],
    ["Traffic per broadcast", calc.bytes_per_broadcast === undefined ? null : bytes(calc.bytes_per_broadcast)],
    ["Max bandwidth per node (Serf's figure)", calc.max_bytes_per_s_per_node === undefined ? null
      : `${bytes(calc.max_bytes_per_s_per_node)}/s = ${fmt(calc.max_bytes_per_s_per_node * 8 / 1000, 3)} kbit/s`],
    [`The ${params.preset} default fanout`, calc.preset_fanout === undefined ? null
      : `${calc.preset_fanout}: ${calc.preset_fanout >= k ? "enough" : "NOT enough"} for this target`],
  ]);
  $("check").textContent = `Check K = ${k} by simulation`;
}

// Greys the values a preset filled in: placeholders of the fields left empty.
function showPresetValues(calc) {
  for (const name of FIELDS) {
    const el = $(name);
    let v = calc && calc.params && $("preset").value ? calc.params[name] : undefined;
    if (v !== undefined && v !== null && name === "loss") v = fmt(v * 100, 6);
    if (v !== undefined && v !== null && name === "failed_nodes") v = percentOf(v, calc.params.nodes);
    const preset = v === undefined || v === null ? null : `${v} (preset)`;
    if (el.tagName === "INPUT") {
      if (el.dataset.placeholder === undefined) el.dataset.placeholder = el.placeholder;
      el.placeholder = preset || el.dataset.placeholder;
    } else if (name !== "preset") {
      const first = el.options[0];
      if (first.dataset.text === undefined) first.dataset.text = first.textContent;
      first.textContent = preset || first.dataset.text;
    }
  }
}

// ---- charts ------------------------------------------------------------------

const COLORS = { model: "#1f5fa8", fraction: "#2e7d32", sim: "#b35900", serf: "#6a1b9a", target: "#c62828" };

// The round length the answer used (given, or from the preset), or null.
function seconds(calc) {
  const v = calc.params ? calc.params.interval : null;
  return v > 0 ? v : null;
}

// Shows a figure's chart, or instead of it the reason it is not drawn; a
// note that comes with the data (the mean field's optimism) stays beside it.
function figure(id, reason, note) {
  $(`${id}-note`).textContent = reason || (note ? `Note: ${note}.` : "");
  $(id).querySelector(".chart").hidden = Boolean(reason);
  return !reason;
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  config.options = Object.assign({
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: "nearest", intersect: false },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 18 } } },
  }, config.options);
  charts[id] = new Chart($(id), config);
}

function axis(title, extra) {
  return Object.assign({ type: "linear", title: { display: true, text: title } }, extra);
}

// Serf's logistic estimate of the informed fraction after t rounds.
function serfFraction(n, k, loss, failedFraction, t) {
  const c = (k / n) * (1 - loss) * (1 - failedFraction) / 2;
  return 1 / (1 + (n + 1) * Math.exp(-c * n * t));
}

// The Wilson 95 % interval of `hits` successes out of `n`.
function wilson(hits, n) {
  const p = hits / n, z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

// A curve point's time in rounds, or in gossip intervals (`t`) under independent timers.
const when = (p) => (p.t !== undefined ? p.t : p.round);

function drawConvergence(calc, sim) {
  if (!figure("fig-convergence", Array.isArray(calc.curve) ? null
    : `Not drawn: ${calc.note || "the answer has no per-round curve"}.`)) return;
  const dt = seconds(calc);
  const x = (r) => (dt ? r * dt : r);
  const k = chosenFanout(calc);
  const n = calc.params.nodes;
  const loss = calc.params.loss;
  const failed = calc.params.failed_nodes / n;
  const rounds = when(calc.curve[calc.curve.length - 1]);
  const full = calc.curve.map((p) => ({ x: x(when(p)), y: p.full_delivery_prob }));
  const mean = calc.curve.map((p) => ({ x: x(when(p)), y: p.informed_fraction }));
  const serf = [];
  for (let i = 0; i <= 60; i++) {
    const t = (rounds * i) / 60;
    serf.push({ x: x(t), y: serfFraction(n, k, loss, failed, t) });
  }
  const model = modelName(calc.model);
  const datasets = [
    { label: `P(everyone informed), ${model}`, data: full, borderColor: COLORS.model,
      backgroundColor: COLORS.model, borderWidth: 2.5 },
    { label: `Mean informed fraction, ${model}`, data: mean, borderColor: COLORS.fraction,
      backgroundColor: COLORS.fraction, borderWidth: 2 },
    { label: "Serf's logistic estimate (informed fraction)", data: serf, borderColor: COLORS.serf,
      backgroundColor: COLORS.serf, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 },
  ];
  if (sim && Array.isArray(sim.curve)) {
    const band = sim.curve.map((p) => ({ r: when(p), ci: wilson(Math.round(p.full_delivery_rate * sim.trials), sim.trials) }));
    datasets.push(
      { label: "simulation band low", data: band.map((b) => ({ x: x(b.r), y: b.ci[0] })), borderWidth: 0,
        pointRadius: 0, borderColor: "rgba(179,89,0,0.25)", backgroundColor: "rgba(179,89,0,0.25)" },
      { label: `Simulation, 95 % band of P(everyone) (${sim.trials} trials)`,
        data: band.map((b) => ({ x: x(b.r), y: b.ci[1] })), borderWidth: 0, pointRadius: 0, fill: "-1",
        borderColor: "rgba(179,89,0,0.25)", backgroundColor: "rgba(179,89,0,0.25)" },
      { label: "Simulation, mean informed fraction", data: sim.curve.map((p) => ({ x: x(when(p)), y: p.informed_fraction })),
        showLine: false, pointStyle: "crossRot", pointRadius: 5, borderColor: COLORS.sim, backgroundColor: COLORS.sim });
  }
  draw("chart-convergence", {
    type: "line",
    data: { datasets },
    options: {
      scales: {
        x: axis(dt ? "time since the broadcast (seconds)" : timed(calc) ? "time since the broadcast (gossip intervals)"
          : "round", { min: 0, max: x(rounds) }),
        y: axis("probability or fraction (0–1)", { min: 0, max: 1 }),
      },
      plugins: {
        title: { display: true, text: `Convergence with fanout K = ${k}` },
        legend: { position: "bottom", labels: { boxWidth: 18, filter: (item) => item.text !== "simulation band low" } },
      },
    },
  });
}

function drawTradeoff(calc, trade) {
  if (!figure("fig-tradeoff", trade.reason, trade.note)) return;
  const rows = trade.rows;
  const useSeconds = rows.some((r) => r.seconds !== undefined);
  const y = (r) => (r.rounds === null ? null : useSeconds ? r.seconds : r.rounds);
  const k = chosenFanout(calc);
  const chosen = rows.find((r) => r.fanout === k);
  const datasets = [
    { label: useSeconds ? "Least time to the target (s)" : timed(calc) ? "Least time to the target (gossip intervals)"
      : "Least rounds to the target",
      data: rows.map((r) => ({ x: r.fanout, y: y(r) })), borderColor: COLORS.model,
      backgroundColor: COLORS.model, yAxisID: "y", spanGaps: false, borderWidth: 2.5 },
    { label: "Messages per broadcast", data: rows.map((r) => ({ x: r.fanout, y: r.messages_per_broadcast })),
      borderColor: COLORS.fraction, backgroundColor: COLORS.fraction, yAxisID: "messages", borderDash: [2, 3],
      borderWidth: 2 },
  ];
  if (chosen && y(chosen) !== null) {
    datasets.push({ label: `Chosen: K = ${k}`, data: [{ x: k, y: y(chosen) }], showLine: false,
                    pointStyle: "rectRot", pointRadius: 10, borderColor: COLORS.target,
                    backgroundColor: COLORS.target, yAxisID: "y" });
  }
  draw("chart-tradeoff", {
    type: "line",
    data: { datasets },
    options: {
      scales: {
        x: axis("fanout K (peers per node per round)", { ticks: { precision: 0 } }),
        y: axis(useSeconds ? "least time to the target (seconds)" : timed(calc) ? "least time to the target (gossip intervals)"
          : "least rounds to the target",
                { position: "left", beginAtZero: true }),
        messages: axis("messages per broadcast", { position: "right", beginAtZero: true,
                                                   grid: { drawOnChartArea: false } }),
      },
      plugins: { title: { display: true, text: `Trade-off at target ${calc.params.target_prob}` } },
    },
  });
}

// Probabilities near 1 are told apart by their nines: the by-fanout chart
// plots 1 − P on a reversed log axis, labelled with P itself.  A miss below
// double precision's resolution is drawn at that resolution.
const MISS_FLOOR = 1e-16;
const miss = (p) => Math.max(1 - p, MISS_FLOOR);
const nines = (v) => (v >= 1e-6 ? fmt(1 - v, 15) : `1 − ${fmt(v, 1)}`);

// P(full by R) for each K: the rows of a tradeoff whose max_rounds is R.
function drawByFanout(calc, trade) {
  if (!figure("fig-byk", trade.reason, trade.note)) return;
  const rows = trade.rows;
  const target = Number(calc.params.target_prob);
  const k = chosenFanout(calc);
  const ks = rows.map((r) => r.fanout);
  const datasets = [
    { label: `P(everyone informed within ${horizon(calc.params)}), ${modelName(trade.model)}`,
      data: rows.map((r) => ({ x: r.fanout, y: miss(r.delivery_prob_by_max_rounds) })),
      borderColor: COLORS.model, backgroundColor: COLORS.model, borderWidth: 2.5 },
    { label: `Target ${target}`, data: [{ x: Math.min(...ks), y: miss(target) }, { x: Math.max(...ks), y: miss(target) }],
      borderColor: COLORS.target, backgroundColor: COLORS.target, borderDash: [8, 4], pointRadius: 0 },
  ];
  // Where the model is approximate, the interval it vouches for at the chosen K.
  const interval = calc.model === "exact" ? null : calc.delivery_prob_interval;
  if (interval) {
    datasets.push({ label: `The answer's interval at K = ${k} (${modelName(calc.model)})`,
                    data: [{ x: k, y: miss(interval[0]) }, { x: k, y: miss(interval[1]) }],
                    borderColor: COLORS.sim, backgroundColor: COLORS.sim, borderWidth: 4, pointStyle: "dash",
                    pointRadius: 8 });
  }
  // The band at the points' own R: each row's interval of P(full by max_rounds).
  const band = rows.filter((r) => Array.isArray(r.delivery_prob_by_max_rounds_interval));
  if (band.length) {
    datasets.push(
      { label: "interval low", data: band.map((r) => ({ x: r.fanout, y: miss(r.delivery_prob_by_max_rounds_interval[0]) })),
        borderWidth: 0, pointRadius: 0, borderColor: "rgba(31,95,168,0.2)", backgroundColor: "rgba(31,95,168,0.2)" },
      { label: "Where the model is approximate: its interval", fill: "-1",
        data: band.map((r) => ({ x: r.fanout, y: miss(r.delivery_prob_by_max_rounds_interval[1]) })), borderWidth: 0, pointRadius: 0,
        borderColor: "rgba(31,95,168,0.2)", backgroundColor: "rgba(31,95,168,0.2)" });
  }
  draw("chart-byk", {
    type: "line",
    data: { datasets },
    options: {
      scales: {
        x: axis("fanout K (peers per node per round)", { min: Math.min(...ks), ticks: { precision: 0 } }),
        y: axis(`P(all informed within ${horizon(calc.params)})`, {
          type: "logarithmic", reverse: true, max: 1,
          ticks: { callback: (v) => (Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? nines(v) : "") } }),
      },
      plugins: {
        title: { display: true, text: ["Full delivery by fanout", `(a scale of nines; chosen K = ${k})`] },
        legend: { position: "bottom", labels: { boxWidth: 18, filter: (item) => item.text !== "interval low" } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${nines(c.parsed.y)}` } },
      },
    },
  });
}

// One chart a task, so that no task blocks input for long on a slow phone.
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

// Chart.js (200 kB) is fetched when the first chart comes into view, not with the page.
let chartLibrary = null;
function loadChartLibrary() {
  if (typeof Chart !== "undefined") return Promise.resolve();
  if (!chartLibrary) {
    chartLibrary = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/chart.js";
      script.onload = resolve;
      script.onerror = () => { chartLibrary = null; reject(new Error("/chart.js did not load")); };
      document.head.append(script);
    });
  }
  return chartLibrary;
}

// Each figure is drawn when it comes near the screen: its data-drawn names
// the answer it shows (#charts' data-answer names the latest).
const DRAWERS = {
  "fig-convergence": (a) => drawConvergence(a.calc, a.sim),
  "fig-tradeoff": (a) => drawTradeoff(a.calc, a.tradeoff),
  "fig-byk": (a) => drawByFanout(a.calc, a.byRounds),
};
const nearScreen = new Set();
let answerSerial = 0;
let drawing = false;

async function drawVisible() {
  if (drawing || !last) return;
  drawing = true;
  try {
    for (;;) {
      const serial = String(answerSerial);
      const id = Object.keys(DRAWERS).find((f) => nearScreen.has(f) && $(f).dataset.drawn !== serial);
      if (!id) break;
      await loadChartLibrary();
      await nextTask();
      if (serial !== String(answerSerial)) continue;
      Chart.defaults.color = "#222";
      Chart.defaults.font.size = 13;
      DRAWERS[id](last);
      $(id).dataset.drawn = serial;
    }
  } catch (e) {
    $("form-error").textContent = `The charts could not be drawn: ${e.message}`;
  } finally {
    drawing = false;
  }
}

const observer = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (e.isIntersecting) nearScreen.add(e.target.id);
    else nearScreen.delete(e.target.id);
  }
  drawVisible();
}, { rootMargin: "200px 0px" });
for (const id of Object.keys(DRAWERS)) observer.observe($(id));

function drawAll() {
  if (!last) return;
  answerSerial++;
  $("charts").dataset.answer = String(answerSerial);
  $("charts").hidden = false;
  drawVisible();
}

function showRaw() {
  const parts = { calc_fanout: last.calc };
  if (last.tradeoff.rows) parts.tradeoff = last.tradeoff;
  if (last.byRounds.rows) parts[`tradeoff with max_rounds ${last.calc.params.rounds}`] = last.byRounds;
  if (last.sim) parts.simulate_gossip = last.sim;
  $("raw").textContent = JSON.stringify(parts, null, 2);
}

// ---- calculating and simulating ---------------------------------------------

function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", String(on));
}

// A tradeoff answer, or { reason } when the service cannot give one.
async function tradeoffOrReason(query, signal) {
  if (query.get("model") === "formula") return { reason: "Not drawn: the textbook formula has no P(full delivery)." };
  try {
    return await getJSON("/tradeoff", query, signal);
  } catch (e) {
    if (e instanceof Problem) return { reason: `Not drawn: ${e.message}.` };
    throw e;
  }
}

// The command line that asks the same as an API query: fanout OP --field value ...
function cliCommand(op, query) {
  const quote = (v) => (/^[A-Za-z0-9._,:+-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);
  const words = ["fanout", op];
  for (const [name, value] of query) words.push(`--${name.replaceAll("_", "-")}`, quote(value));
  return words.join(" ");
}

// When the target is out of reach under a transmit limit: what to raise it
// to, from solve_for transmit_limit at the preset's K (or the best K); null
// when there is no limit.  When the search is past this server's work
// budget, the command line that runs it under its own budget.
async function raiseAdvice(query, calc, signal) {
  const params = calc.params || {};
  if (calc.reachable || !params.transmit_limit || params.mode === "pull") return null;
  const k = calc.preset_fanout !== undefined ? calc.preset_fanout : calc.best_fanout;
  const q = new URLSearchParams(query);
  for (const name of ["transmit_limit", "forward_rounds", "curve", "model"]) q.delete(name);
  q.set("solve_for", "transmit_limit");
  q.set("fanout", String(k));
  try {
    const s = await getJSON("/calc_fanout", q, signal);
    if (!s.reachable) return `Even without a transmit limit K = ${k} falls short: allow more time.`;
    if (s.retransmit_mult) {
      return `To reach it at K = ${k}, raise RetransmitMult from ${s.preset_retransmit_mult} to ${s.retransmit_mult}` +
        ` (transmit limit ${s.min_transmit_limit}).`;
    }
    return `To reach it at K = ${k}, raise the transmit limit to ${s.min_transmit_limit}.`;
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    if (e.problem.status === 422 && e.problem.budget !== undefined) {
      return `Searching for the transmit limit that would reach it at K = ${k} is past this server's work` +
        ` budget; the command line runs that search under its own: ${cliCommand("calc", q)}`;
    }
    return null;
  }
}

async function calculate() {
  clearTimeout(timer);
  if (calcRun) calcRun.abort();
  if (simRun) simRun.abort();
  const run = new AbortController();
  calcRun = run;
  const { query, problems } = read();
  writeAddress(false);
  if (problems.length) {
    // A field the page itself can judge: said at the field, the old answer dimmed.
    clearErrors();
    showProblem({ errors: problems, detail: problems.map((e) => e.detail).join("; ") });
    stale(true);
    $("status").textContent = "Not calculated: see the message.";
    calcRun = null;
    return;
  }
  busy($("calculate"), true);
  $("status").textContent = "Calculating…";
  try {
    const withCurve = new URLSearchParams(query);
    withCurve.set("curve", "true");
    const tradeQuery = new URLSearchParams(query);
    tradeQuery.delete("rounds");
    tradeQuery.delete("within_seconds");
    const atRounds = new URLSearchParams(tradeQuery);
    if (query.has("within_seconds")) atRounds.set("within_seconds", query.get("within_seconds"));
    else atRounds.set("max_rounds", query.get("rounds") || "");
    const byRoundsAnswer = tradeoffOrReason(atRounds, run.signal);
    byRoundsAnswer.catch(() => {});   // awaited below; a calc_fanout error may come first
    const calc = await getJSON("/calc_fanout", withCurve, run.signal);
    // The answer first, before any chart: the headline, the figures, then what to raise.
    clearErrors();
    $("answer").hidden = false;
    $("sim-figures").hidden = true;
    $("answer").classList.remove("stale");
    showFigures(calc);
    showPresetValues(calc);
    const advice = raiseAdvice(query, calc, run.signal).then((raise) => {
      if (raise && calcRun === run) $("headline").textContent += ` ${raise}`;
    });
    // The trade-off's rows: the chosen K, marked on them, and the three above it (what a
    // larger K buys), not every K from 1, whose runs would not fit the budget at large N.
    const k = chosenFanout(calc);
    if (k !== null && k !== undefined && calc.params.nodes > 1) {
      tradeQuery.set("min_fanout", String(Math.max(1, k)));
      tradeQuery.set("max_fanout", String(Math.min(calc.params.nodes - 1, k + 3)));
    }
    const [tradeoff, byRounds] = await Promise.all([tradeoffOrReason(tradeQuery, run.signal), byRoundsAnswer, advice]);
    last = { query, calc, tradeoff, byRounds, sim: null };
    stale(false);
    showRaw();
    drawAll();
    $("status").textContent = "Up to date.";
  } catch (e) {
    if (e.name === "AbortError") return;
    run.abort();
    clearErrors();
    stale(true);
    if (e instanceof Problem) showProblem(e.problem);
    else $("form-error").textContent = `The service did not answer: ${e.message}`;
    $("status").textContent = "Not calculated: see the message.";
  } finally {
    if (calcRun === run) {
      calcRun = null;
      busy($("calculate"), false);
    }
  }
}

async function simulate() {
  if (!last) return;
  if (simRun) simRun.abort();
  const run = new AbortController();
  simRun = run;
  const q = new URLSearchParams(last.query);
  for (const drop of ["target_prob", "model"]) q.delete(drop);
  q.set("fanout", String(chosenFanout(last.calc)));
  q.set("curve", "true");
  for (const name of SIM_FIELDS) {
    const v = $(name).value.trim();
    if (v !== "") q.set(name, v);
  }
  busy($("check"), true);
  $("status").textContent = "Simulating…";
  for (const name of SIM_FIELDS) {
    $(name).removeAttribute("aria-invalid");
    $(`${name}-error`).textContent = "";
  }
  try {
    const sim = await getJSON("/simulate_gossip", q, run.signal);
    last.sim = sim;
    $("seed").value = String(sim.seed);
    writeAddress(true);
    const ci = sim.full_delivery_rate_ci;
    const p = last.calc.delivery_prob;
    const verdict = p >= ci[0] && p <= ci[1] ? "the model's value lies inside it"
      : "the model's value lies OUTSIDE it";
    const dl = $("sim-figures");
    fill(dl, [
      ["Simulated", `K = ${q.get("fanout")}, ${sim.trials} trials, seed ${sim.seed} (${sim.simulator} simulator)`],
      ["Everyone informed in", `${fmt(sim.full_delivery_rate * 100, 4)}% of trials, 95% interval ` +
        `${fmt(ci[0] * 100, 4)}–${fmt(ci[1] * 100, 4)}%; ${verdict}`],
      [`Mean informed fraction after ${horizon(sim.params)}`, num(sim.delivery_rate, 6)],
      [timed(sim) ? "Mean time to everyone (trials that got there)" : "Mean rounds to everyone (trials that got there)",
       timed(sim) && seconds(sim) ? `${num(sim.avg_rounds_to_all * seconds(sim))} s` : num(sim.avg_rounds_to_all)],
      ["Messages per broadcast (mean)", num(sim.messages_mean, 4)],
    ]);
    dl.hidden = false;
    showRaw();
    drawAll();
    $("status").textContent = "Simulation done.";
  } catch (e) {
    if (e.name === "AbortError") return;
    if (e instanceof Problem) showProblem(e.problem);
    else $("form-error").textContent = `The service did not answer: ${e.message}`;
    $("status").textContent = "Not simulated: see the message.";
  } finally {
    if (simRun === run) {
      simRun = null;
      busy($("check"), false);
    }
  }
}

function scheduled() {
  if (!$("live").checked) return;
  clearTimeout(timer);
  timer = setTimeout(calculate, LIVE_DELAY_MS);
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  calculate();
});
// An answer to other inputs is dimmed until the new one arrives.
function stale(on) {
  for (const id of ["answer", "charts"]) $(id).classList.toggle("stale", on);
}

form.addEventListener("input", (e) => {
  if (e.target.id === "live") return;
  stale(true);
  showFailedCount();
  scheduled();
});
form.addEventListener("change", (e) => { if (e.target.tagName === "SELECT") scheduled(); });
$("check").addEventListener("click", simulate);
$("use-mean-field").addEventListener("click", () => {
  $("model").value = "mean_field";
  $("use-mean-field").hidden = true;
  calculate();
});

const withSim = restoreFromAddress();
showFailedCount();
calculate().then(() => { if (withSim && last) simulate(); });
