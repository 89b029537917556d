/* SPDX-License-Identifier: MIT */
/*
 * costs.h — the constants the work estimates are fitted with, in one place
 * (the core's internal limits, as config.h holds its tunables).
 *
 * A work unit is about one nanosecond of CPU on the development machine
 * (2 cores); each constant below is the price of one step of an algorithm in
 * those units, chosen so that measured CPU time stays below the estimate over
 * a grid, which the guard (server/common/guard.c) relies on when it stops
 * work past FO_OVERRUN_FACTOR times its estimate.  They are measurements,
 * not knobs: refit them with `make estimates` (tests/bench/estimates.c, which
 * prints measured/estimated by model), never tune them to pass a test.
 */
#ifndef FANOUT_COSTS_H
#define FANOUT_COSTS_H

/*
 * exact_cost (exact.c): ns per unit of each mode's round shape (states times
 * row width times sends, see there), fitted over N = 1000..10^5, K = 1..10,
 * loss 0 and 0.3, R = 6..40 on an idle machine, so that the worst ratio of
 * measured to estimated time is about 0.8 (commit "exact_cost refit on an
 * idle machine": 0.76 push, 0.80 pull, 0.68 push_pull).
 */
#define EXACT_COST_PULL 29.0
#define EXACT_COST_PUSH 2.2
#define EXACT_COST_PUSH_PULL 3.2

/*
 * largen (largen.c): work units charged per transition entry of the early
 * chain, per late-phase round and per point of the curve; they came with the
 * large-N method, and `make estimates` measures how they hold.
 */
#define LG_ENTRY_COST 25.0
#define LG_ROUND_COST 40.0
#define LG_CURVE_COST 30.0

/*
 * largen_timers.c: work units per early-phase pick, probe or pull draw, per
 * late-phase cell update, and per sample (set-up and bookkeeping); measured
 * with the prototype's timing runs (docs/VALIDATION.md, "Independent timers:
 * large N").
 */
#define LT_PICK_COST 2.5
#define LT_CELL_COST 1.2
#define LT_SAMPLE_COST 3000.0
#define LT_PULL_DRAW_COST 120.0
/* largen_timers_rows: per early-phase slot (its buckets and its binomial draws), measured at N = 30 (docs/PERFORMANCE.md). */
#define LT_EARLY_SLOT_COST 120.0

/* calc.c: work units charged for one evaluation of the closed form (fixed costs dominate). */
#define FORMULA_EVAL_COST 100.0

#endif
