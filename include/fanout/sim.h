/* SPDX-License-Identifier: MIT */
/*
 * sim.h — Monte Carlo simulation of the gossip model, and its tallies.
 *
 * Trial t of a run with seed s draws only from rng_stream(s, t), so a run is a
 * pure function of (parameters, seed, first trial, trial count).  A tally
 * holds integer sums only: merging the tallies of trials [0, a) and [a, b)
 * gives, bit for bit, the tally of [0, b), in any order.
 *
 * sim_agent_run is the reference simulator: it keeps every node and follows
 * MODEL.md's round literally, so it is slow (O(N R K) a trial) and obviously
 * right; faster simulators are tested against it.
 */
#ifndef FANOUT_SIM_H
#define FANOUT_SIM_H

#include <stdint.h>

#include "fanout/config.h"
#include "fanout/model.h"

struct sim_tally {
	int64_t rounds;                  /* R */
	int64_t live;                    /* L */
	int64_t trials;
	int64_t trials_full;             /* trials with every live node informed by R */
	uint64_t informed_sum;           /* sum over trials of informed live nodes after R */
	unsigned __int128 informed_sq_sum;
	uint64_t rounds_to_all_sum;      /* over the trials_full trials */
	uint64_t messages_sum;
	int64_t *rounds_to_all_hist;     /* R + 1 counts of trials first fully delivered in round r */
	uint64_t *informed_by_round;     /* NULL, or R + 1 sums of informed after round r */
	int64_t *full_by_round;          /* NULL, or R + 1 counts of trials full by round r */
};

/* A tally's statistics; the intervals are 95% confidence intervals. */
struct sim_summary {
	double delivery_rate;        /* mean informed fraction of live nodes after R */
	double delivery_ci[2];
	double full_rate;            /* share of trials with full delivery by R */
	double full_ci[2];           /* Wilson score interval */
	double avg_rounds_to_all;    /* over trials with full delivery; NaN if none */
	double messages_mean;
};

/*
 * Sets up an empty tally for p (with its rounds-to-all histogram); with
 * `curve`, also allocates the per-round curve arrays.
 * Returns FO_OK, or FO_NOMEM if allocation fails (nothing is then held).
 */
enum fo_status sim_tally_init(struct sim_tally *t, const struct gossip_params *p, int curve);

/* Frees the per-round arrays and the histogram. */
void sim_tally_release(struct sim_tally *t);

/*
 * Adds one trial: informed[r] is the informed live count after round r
 * (r = 0 … R), rounds_to_all the first full round or -1, messages its count.
 */
void sim_tally_add(struct sim_tally *t, const int64_t *informed, int64_t rounds_to_all,
		   uint64_t messages);

/* Adds `from` into `into`; both made by sim_tally_init for the same p and curve. */
void sim_tally_merge(struct sim_tally *into, const struct sim_tally *from);

/* The statistics of a tally with at least one trial. */
void sim_summarize(const struct sim_tally *t, struct sim_summary *s);

/* Wilson score interval at z = 1.96 for `hits` successes in n >= 1 trials. */
void sim_wilson(double hits, double n, double ci[2]);

/*
 * Runs trials first_trial … first_trial + trials - 1 of the reference
 * simulator and adds them to *t.  Returns FO_OK, FO_NOMEM, FO_TOO_LARGE (see
 * sim_counts_fit), or FO_CANCELLED
 * (checked between rounds; *t then holds the trials finished).
 */
enum fo_status sim_agent_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			     int64_t trials, const atomic_int *cancel, struct sim_tally *t);

/*
 * The fast simulator (sim_fast.c): samples the informed-count chain exactly,
 * in O(L K + R) a trial and memory independent of N.  Runs trials
 * first_trial … first_trial + trials - 1 on up to `threads` threads
 * (FO_SIM_MAX_THREADS at most) and adds them to *t; the result is the same,
 * bit for bit, for any number of threads.  FO_OK, FO_NOMEM, FO_TOO_LARGE (see
 * sim_counts_fit), or FO_CANCELLED
 * (checked between trials; *t then holds the trials finished).
 */
enum fo_status sim_fast_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			    int64_t trials, int threads, const atomic_int *cancel, struct sim_tally *t);

/*
 * Trial `trial` of the fast simulator alone: informed[0..R] gets the informed
 * count after each round, *messages its messages and *rounds_to_all the first
 * round with full delivery, or -1 if none.  FO_OK, or FO_NOMEM with the
 * outputs unset.
 */
enum fo_status sim_fast_trial(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			      int64_t *informed, uint64_t *messages, int64_t *rounds_to_all);

/*
 * Clopper-Pearson interval, two-sided at confidence 1 - alpha, for the
 * probability of an event seen `hits` times in n >= 1 trials: ci[0] is the
 * least p with P(X >= hits | p) >= alpha / 2, ci[1] the largest with
 * P(X <= hits | p) >= alpha / 2 (0 and 1 at the ends).  Conservative: it
 * covers with probability at least 1 - alpha whatever p is.
 */
void sim_clopper_pearson(int64_t hits, int64_t n, double alpha, double ci[2]);

/* The regularized incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1. */
double sim_beta_inc(double a, double b, double x);

/*
 * Non-zero when every sum a tally keeps for `trials` trials of p fits in its
 * 64-bit integer: messages are at most 2 K L R a trial (a push and a pull per
 * live node and round), so 2 K L R trials must stay below 2^64.  Simulations
 * refuse runs that do not fit (FO_TOO_LARGE) rather than count wrongly.
 */
int sim_counts_fit(const struct gossip_params *p, int64_t trials);

/* Estimated work units of sim_fast_run on one thread. */
double sim_fast_cost(const struct gossip_params *p, int64_t trials);

#endif
