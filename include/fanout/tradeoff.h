/* SPDX-License-Identifier: MIT */
/*
 * tradeoff.h — the latency/traffic frontier: for each fanout K, the least
 * number of rounds that reaches a target probability of full delivery.
 *
 * One chain run per K at R = max_rounds (p->rounds) gives P(full by r) for
 * every r <= R at once, so the table costs about as much as calc_fanout's
 * search over K.  Rows go K = 1, 2, … up to max_fanout; by default that is
 * the least K that reaches the target within max_rounds, plus
 * FO_TRADEOFF_EXTRA_FANOUT, and at most gossip_fanout_top() (N - 1, or the
 * transmit limit X in push alone, past which every K is the same chain).
 */
#ifndef FANOUT_TRADEOFF_H
#define FANOUT_TRADEOFF_H

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/model.h"

struct tradeoff_row {
	int64_t fanout;
	enum calc_model model;    /* what answered this row (large_n's may be simulated, see below) */
	int64_t rounds;           /* least R <= max_rounds with P(full by R) >= target; -1: none */
	/*
	 * Under independent timers (simulation only) `rounds` counts quarter-
	 * interval bins (sim.h) and time is that bin edge in intervals
	 * (sim_edge); otherwise time = rounds.  Unset when rounds is -1.
	 */
	double time;
	double delivery_prob;     /* P(full by rounds), or by max_rounds when none */
	double prob_by_max_rounds; /* P(full by max_rounds), whatever `rounds` is */
	double messages;          /* expected messages per broadcast over `rounds` rounds; NaN: none */
	double error_bound;       /* exact: probability discarded, else 0 */
	double p_lo, p_hi;        /* simulation: Clopper-Pearson interval of delivery_prob; large_n: its own */
	double max_lo, max_hi;    /* the same interval of prob_by_max_rounds (at max_rounds) */
	int64_t trials;           /* simulation: trials run for this K (0 otherwise) */
	uint64_t seed;            /* simulation: their seed (calc_sim_seed) */
};

struct tradeoff {
	int64_t count;
	struct tradeoff_row *rows; /* count rows, K = first … first + count - 1; free with tradeoff_release */
};

/*
 * Fills *out for model CALC_EXACT, CALC_MEAN_FIELD, CALC_LARGE_N or
 * CALC_SIMULATION (for each K calc_sim_trials trials of the fast simulator
 * at R = max_rounds; a row's rounds is the least r whose Clopper-Pearson
 * lower end of P(full by r) meets the target), p->rounds being
 * max_rounds and p->fanout ignored; max_fanout 0 means the default.
 * large_n's curve proposes each row's R and large_n at that R confirms it
 * with its interval's lower end (so a row is the least r that interval
 * shows); a K whose large_n run outgrows its estimate is simulated.  Before
 * each K it adds that run's estimated cost to the work done and stops with
 * FO_TOO_LARGE past work_limit; under independent timers large_n's runs
 * (one per K, largen_timers_rows) charge their looks as they go instead,
 * and tradeoff_run_mt runs `threads` K side by side, charging each batch
 * its dearest run (wall time).  FO_OK, or FO_TOO_LARGE, FO_NOMEM,
 * FO_CANCELLED with nothing held.  N = 1 gives no rows.
 */
enum fo_status tradeoff_run(const struct gossip_params *p, enum calc_model model, double target,
			    int64_t max_fanout, double work_limit, const atomic_int *cancel,
			    struct tradeoff *out);

/* Estimated work units of tradeoff_run (the default max_fanout predicted by the mean field). */
double tradeoff_cost(const struct gossip_params *p, enum calc_model model, double target,
		     int64_t max_fanout);

/*
 * The most rows tradeoff_run may give: max_fanout when given, else the
 * default's prediction (as tradeoff_cost makes it); at most N - 1 (L - 1
 * with failed_known).  Costs at most twice FO_PREDICT_WORK.
 */
int64_t tradeoff_rows(const struct gossip_params *p, double target, int64_t max_fanout);

/*
 * tradeoff_run and tradeoff_cost with simulations on `threads` threads, and
 * under independent timers large_n's K `threads` at a time (work:
 * one-thread / threads).  Each row is the same whatever the threads.
 */
enum fo_status tradeoff_run_mt(const struct gossip_params *p, enum calc_model model, double target,
			       int64_t max_fanout, double work_limit, int threads,
			       const atomic_int *cancel, struct tradeoff *out);
double tradeoff_cost_mt(const struct gossip_params *p, enum calc_model model, double target,
			int64_t max_fanout, int threads);

/*
 * tradeoff_run_mt and tradeoff_cost_mt with rows from K = min_fanout (1 or
 * more; no row below it is run or charged) up to max_fanout or the default
 * last row.  Each row is the one tradeoff_run_mt gives for that K (every K
 * is its own run); the default last row is FO_TRADEOFF_EXTRA_FANOUT past the
 * first reached row from min_fanout on.  A min_fanout past the last row
 * gives no rows.
 */
enum fo_status tradeoff_run_from(const struct gossip_params *p, enum calc_model model, double target,
				 int64_t min_fanout, int64_t max_fanout, double work_limit, int threads,
				 const atomic_int *cancel, struct tradeoff *out);
double tradeoff_cost_from(const struct gossip_params *p, enum calc_model model, double target,
			  int64_t min_fanout, int64_t max_fanout, int threads);

void tradeoff_release(struct tradeoff *t);

#endif
