/* SPDX-License-Identifier: MIT */
/*
 * config.h — the tunables of the core (libfanout.a), in one place.
 *
 * Each value can be overridden at build time (-DNAME=value).  Work is counted
 * in "work units", calibrated so that one unit is roughly one nanosecond on
 * the 2-core machine the project is developed on (see the cost functions in
 * calc.h and sim.h).  The settings of the programs (ports, threads, time
 * limits, budgets) are in server/common/settings.h; the constants fitted to
 * measured time that the cost functions use are in core/costs.h.
 */
#ifndef FANOUT_CONFIG_H
#define FANOUT_CONFIG_H


/* Largest "rounds" any request may ask for; per-round arrays are this long. */
#ifndef FO_MAX_ROUNDS
#define FO_MAX_ROUNDS 1000000
#endif

/* Largest integer a JSON client can send exactly (2^53 - 1). */
#ifndef FO_MAX_JSON_INT
#define FO_MAX_JSON_INT 9007199254740991LL
#endif

/* "auto" answers with the exact chain when its estimate is below this. */
#ifndef FO_EXACT_AUTO_LIMIT
#define FO_EXACT_AUTO_LIMIT 2e8
#endif

/*
 * The exact chain drops probabilities below this, and reports their sum.  It
 * is tested entry by entry: far above the default, a wide distribution can
 * lose all its mass in a few rounds (error_bound then reports 1).
 */
#ifndef FO_EXACT_EPSILON
#define FO_EXACT_EPSILON 1e-20
#endif

/*
 * Planning does not even predict the fanout when exact's cost at K = 1 is past
 * this (about three hours): such a request can only be refused or handed on.
 */
#ifndef FO_EXACT_HOPELESS
#define FO_EXACT_HOPELESS 1e13
#endif

/* The exact chain with forward_rounds refuses past this many distinct states. */
#ifndef FO_EXACT_MAX_STATES
#define FO_EXACT_MAX_STATES (1 << 21)
#endif

/* Longest push window (forward_rounds) the exact chain tracks: a state keys one cohort per round. */
#ifndef FO_EXACT_MAX_WINDOW
#define FO_EXACT_MAX_WINDOW 64
#endif

/* tradeoff: rows past the least K that reaches the target, when max_fanout is not given. */
#ifndef FO_TRADEOFF_EXTRA_FANOUT
#define FO_TRADEOFF_EXTRA_FANOUT 3
#endif

/* tradeoff's estimate: rows costed one by one; the rest at the dearer end (planning stays cheap). */
#ifndef FO_TRADEOFF_COST_ROWS
#define FO_TRADEOFF_COST_ROWS 4
#endif

/* calc: the mean field that predicts where a K search starts looks this many rounds ahead at most. */
#ifndef FO_PREDICT_MAX_ROUNDS
#define FO_PREDICT_MAX_ROUNDS 64
#endif

/* calc: with a push window, the prediction tries K = 1 … this at most (mean field, a few µs each). */
#ifndef FO_PREDICT_MAX_LINEAR
#define FO_PREDICT_MAX_LINEAR 4096
#endif

/*
 * Work units the mean field may spend predicting where a search or a
 * tradeoff's rows end (planning runs it before any budget is known, so it
 * must be cheap for every request; past this the prediction looks fewer
 * rounds ahead, or gives up and assumes the worst).
 */
#ifndef FO_PREDICT_WORK
#define FO_PREDICT_WORK 2e6
#endif

/* largen: the early phase is the random chain until this many are informed. */
#ifndef FO_LARGEN_THRESHOLD
#define FO_LARGEN_THRESHOLD 1000
#endif

/* largen with a push window: states carry cohorts, so the early phase is shorter. */
#ifndef FO_LARGEN_THRESHOLD_WINDOW
#define FO_LARGEN_THRESHOLD_WINDOW 200
#endif

/* largen: the check run uses threshold / this; the two answers' gap measures the error. */
#ifndef FO_LARGEN_CHECK_RATIO
#define FO_LARGEN_CHECK_RATIO 4
#endif

/* largen: the interval is this many gaps wide on each side (validated, tests/validate). */
#ifndef FO_LARGEN_SAFETY
#define FO_LARGEN_SAFETY 3
#endif

/* largen: plus this share of min(P, miss) on each side, for what the gap cannot see. */
#ifndef FO_LARGEN_REL_FLOOR
#define FO_LARGEN_REL_FLOOR 0.02
#endif

/* largen with a push window: plus this share of min(P, miss) (cohorts stay random late). */
#ifndef FO_LARGEN_WINDOW_REL
#define FO_LARGEN_WINDOW_REL 0.1
#endif

/* largen with a push window: plus this much (tail events the late phase cannot see). */
#ifndef FO_LARGEN_WINDOW_ABS
#define FO_LARGEN_WINDOW_ABS 1e-9
#endif

/* largen: plus this much on each side, for rounding and tails below what was validated. */
#ifndef FO_LARGEN_ABS_FLOOR
#define FO_LARGEN_ABS_FLOOR 1e-13
#endif

/* largen: transition weights below this (relative to the mode) are dropped and counted. */
#ifndef FO_LARGEN_TRIM
#define FO_LARGEN_TRIM 1e-22
#endif

/* largen: widest push window followed with exact cohort tuples (one count per round in a state). */
#ifndef FO_LARGEN_TUPLE_WINDOW
#define FO_LARGEN_TUPLE_WINDOW 3
#endif

/* largen, wider windows: the early chain is the count alone (cohorts as means), so M can be large. */
#ifndef FO_LARGEN_THRESHOLD_WIDE
#define FO_LARGEN_THRESHOLD_WIDE 1000
#endif

/* largen: fewest live nodes for a partial last round or a wide window (validated from here up). */
#ifndef FO_LARGEN_LIMIT_MIN_LIVE
#define FO_LARGEN_LIMIT_MIN_LIVE 10000
#endif

/* largen, wider windows: the early phase ends by this round at the latest (forced entries). */
#ifndef FO_LARGEN_WIDE_ROUNDS
#define FO_LARGEN_WIDE_ROUNDS 64
#endif

/* largen: pull failure is summed over the hypergeometric up to this fanout. */
#ifndef FO_LARGEN_PULL_EXACT
#define FO_LARGEN_PULL_EXACT 4096
#endif

/* largen push_pull: below this many expected push hits, push and pull are convolved exactly. */
#ifndef FO_LARGEN_MIXED
#define FO_LARGEN_MIXED 32
#endif

/* largen: fewer uninformed (or window senders) than this count as none. */
#ifndef FO_LARGEN_SATURATED
#define FO_LARGEN_SATURATED 1e-6
#endif

/* largen, partial last round in cohort tuples: stops past this many times its estimate (~3 ns a unit there). */
#ifndef FO_LARGEN_OVERRUN
#define FO_LARGEN_OVERRUN 1
#endif

/* largen, windows wider than the tuples (and tuple windows without a partial round): stops past this many times its estimate; auto then simulates. */
#ifndef FO_LARGEN_OVERRUN_WIDE
#define FO_LARGEN_OVERRUN_WIDE 4
#endif

/* largen: refuses (too large) past this many work units, whatever the budget. */
#ifndef FO_LARGEN_MAX_WORK
#define FO_LARGEN_MAX_WORK 6e10
#endif

/* calc under independent timers: the aligned rounds whose prediction starts the K search, per interval of the horizon. */
#ifndef FO_PREDICT_TIMERS_SPEEDUP
#define FO_PREDICT_TIMERS_SPEEDUP 1.8
#endif

/* largen under independent timers: slots per interval Δ (every phase rounded to its slot). */
#ifndef FO_LT_SLOTS
#define FO_LT_SLOTS 16
#endif

/* largen under independent timers: the early phase is sampled until this many are informed. */
#ifndef FO_LT_THRESHOLD
#define FO_LT_THRESHOLD 1000
#endif

/* largen under independent timers: samples of the first look; each look doubles them ... */
#ifndef FO_LT_FIRST_SAMPLES
#define FO_LT_FIRST_SAMPLES 128
#endif

/* ... up to this many. */
#ifndef FO_LT_MAX_SAMPLES
#define FO_LT_MAX_SAMPLES 8192
#endif

/*
 * ... or, for a target that FO_LT_MAX_SAMPLES cannot show (past about
 * 0.9988) when the budget pays for the look that could, up to this many
 * (largen_timers.h, "More looks").
 */
#ifndef FO_LT_MOST_SAMPLES
#define FO_LT_MOST_SAMPLES 131072
#endif

/* largen under independent timers: the interval is this many gaps (M against M / 4) wider each side. */
#ifndef FO_LT_SAFETY
#define FO_LT_SAFETY 3
#endif

/* largen under independent timers: plus this share of min(P, miss), for the slots' gap to continuous time. */
#ifndef FO_LT_REL
#define FO_LT_REL 0.1
#endif

/* largen under independent timers: largest transmit limit or forward_rounds it follows. */
#ifndef FO_LT_MAX_BUDGET
#define FO_LT_MAX_BUDGET 4096
#endif

/* largen under independent timers: most slots up to the horizon (horizon x FO_LT_SLOTS). */
#ifndef FO_LT_MAX_SLOTS
#define FO_LT_MAX_SLOTS 100000
#endif

/* calc_fanout/tradeoff by simulation: two-sided confidence of each K's Clopper-Pearson interval. */
#ifndef FO_CALC_SIM_CONFIDENCE
#define FO_CALC_SIM_CONFIDENCE 0.999
#endif

/* calc_fanout/tradeoff by simulation: one-thread work units one K may spend on trials. */
#ifndef FO_CALC_SIM_EVAL_WORK
#define FO_CALC_SIM_EVAL_WORK 4e8
#endif

/* calc_fanout/tradeoff by simulation: most trials for one K (past it the interval barely narrows). */
#ifndef FO_CALC_SIM_MAX_TRIALS
#define FO_CALC_SIM_MAX_TRIALS 100000
#endif

/* calc_fanout/tradeoff by simulation: at least this many times the trials that could show the target. */
#ifndef FO_CALC_SIM_RESOLVE_FACTOR
#define FO_CALC_SIM_RESOLVE_FACTOR 3
#endif

/*
 * calc_fanout under auto: when large_n's interval for a K with a push window
 * wider than FO_LARGEN_TUPLE_WINDOW straddles the target (too wide to say),
 * a simulation of that K decides, with trials enough to tell large_n's
 * point estimate from the target, costing at most this many one-thread work
 * units (the rerun at the K found costs as much again).
 */
/*
 * calc_fanout with two threads or more runs the exact chain of the K below
 * the predicted one beside the prediction's (calc.c, spec_start) when that
 * chain costs at least this many work units (about a millisecond: a thread
 * costs far less).
 */
#ifndef FO_CALC_SPEC_MIN_WORK
#define FO_CALC_SPEC_MIN_WORK 1e6
#endif

#ifndef FO_CALC_STRADDLE_WORK
#define FO_CALC_STRADDLE_WORK 1e9
#endif

/*
 * calc_fanout under auto with a push window: trials of the simulation run
 * before large_n for each K; a K whose 99.9% interval from them falls short
 * of the target is not run through large_n.
 */
#ifndef FO_CALC_PROBE_TRIALS
#define FO_CALC_PROBE_TRIALS 64
#endif

/* Most threads one simulation request may use. */
#ifndef FO_SIM_MAX_THREADS
#define FO_SIM_MAX_THREADS 64
#endif

#endif
