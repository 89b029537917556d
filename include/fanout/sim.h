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

/*
 * A tally's time base.  Rounds (aligned timers): index r of the per-step
 * arrays is the end of round r.  Quarters (independent timers): time is cut
 * into bins of a quarter gossip interval; with horizon H (in intervals) there
 * are B = sim_steps() = ceil(4H) bins and index b is the bin edge at time
 * sim_edge(b) = min(b / 4, H) intervals.
 */
enum sim_time_base { SIM_TIME_ROUNDS = 0, SIM_TIME_QUARTERS };

/* Bins per gossip interval, and the unit of rounds_to_all_sum, under SIM_TIME_QUARTERS. */
enum { SIM_BINS_PER_INTERVAL = 4, SIM_TIME_UNITS = 4096 };

struct sim_tally {
	enum sim_time_base time_base;
	int64_t rounds;                  /* the last step: R (rounds) or B (quarters) */
	double horizon;                  /* quarters: H in gossip intervals; rounds: R */
	int64_t live;                    /* L */
	int64_t trials;
	int64_t trials_full;             /* trials with every live node informed by R (by H) */
	uint64_t informed_sum;           /* sum over trials of informed live nodes after R (at H) */
	unsigned __int128 informed_sq_sum;
	/*
	 * Over the trials_full trials: rounds to all; quarters: the time to all
	 * in units of 1/SIM_TIME_UNITS of an interval, each trial's rounded to
	 * the nearest unit (so the mean is exact to 1/8192 of an interval and
	 * split runs still merge exactly).
	 */
	uint64_t rounds_to_all_sum;
	uint64_t messages_sum;
	/*
	 * Quarters only (0 under rounds): the sends that count against a
	 * transmit limit (pushes, and pings and acks that carry the message:
	 * memberlist's "transmits"), and those of them on pings and acks.
	 * messages_sum also counts plain pings and acks, and pull requests.
	 */
	uint64_t transmits_sum;
	uint64_t probe_transmits_sum;
	/*
	 * rounds + 1 entries each.  Rounds: trials first fully delivered in
	 * round r.  Quarters: trials first fully delivered in the bin
	 * (edge(b - 1), edge(b)], index 0 for L = 1.
	 */
	int64_t *rounds_to_all_hist;
	uint64_t *informed_by_round;     /* NULL, or sums of informed at step r */
	int64_t *full_by_round;          /* NULL, or counts of trials full by step r */
};

/*
 * One trial under independent timers, as both simulators report it: when[i]
 * is the time (in intervals, ascending, when[0] = 0 for the origin) at which
 * the i-th live node was informed, for the `informed` nodes informed by H.
 */
struct sim_timed {
	double *when;                    /* L entries, owned by the caller */
	int64_t informed;
	uint64_t messages, transmits, probe_transmits;
	uint64_t steps;                  /* the fast sampler's work, as sim_clock_steps counts it; 0 from the agent */
};

/* The tally's last step for p: R, or ceil(4H) under independent timers. */
int64_t sim_steps(const struct gossip_params *p);

/* Time of step b (0 <= b <= sim_steps) in gossip intervals: b, or min(b / 4, H). */
double sim_edge(const struct gossip_params *p, int64_t b);

/*
 * The level of a tally's intervals, and their methods as the answers name
 * them: both hold their level at every number of trials and every truth.
 */
#define SIM_CONFIDENCE 0.95
#define SIM_DELIVERY_SIDE 0.025                /* (1 - SIM_CONFIDENCE) / 2 a side */
#define SIM_DELIVERY_CI_METHOD "empirical_bernstein"
#define SIM_FULL_CI_METHOD "clopper_pearson"

/* A tally's statistics; the intervals are 95% confidence intervals. */
struct sim_summary {
	double delivery_rate;        /* mean informed fraction of live nodes after R */
	double delivery_ci[2];       /* empirical Bernstein (Maurer-Pontil), see tally.c */
	double full_rate;            /* share of trials with full delivery by R */
	double full_ci[2];           /* Clopper-Pearson: 0 at no full trial, 1 at all */
	double avg_rounds_to_all;    /* over trials with full delivery, in rounds or intervals; NaN if none */
	double messages_mean;
};

/*
 * Sets up an empty tally for p (with its rounds-to-all histogram) in p's
 * time base; with `curve`, also allocates the per-step curve arrays.
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

/*
 * Adds one trial of an independent-timers tally (time base quarters): the
 * curve at every bin edge, the bin and time of full delivery, the counts.
 */
void sim_tally_add_timed(struct sim_tally *t, const struct sim_timed *trial);

/*
 * As sim_tally_add_timed from counts: by_edge[b] the live nodes informed by
 * sim_edge(b) (b = 0 … rounds), `all` the time to all (read when every live
 * node was informed); trial->when is not read.
 */
void sim_tally_add_edges(struct sim_tally *t, const struct sim_timed *trial, double all, const int64_t *by_edge);

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
 * One trial of the reference simulator under independent timers: when (N
 * entries) gets the times nodes were informed, *out the rest (out->when is
 * set to when).  FO_OK or FO_NOMEM.
 */
enum fo_status sim_agent_timed(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			       double *when, struct sim_timed *out);

/*
 * The fast simulator (sim_fast.c): samples the informed-count chain exactly,
 * in O(L K + R) a trial and memory independent of N.  Under independent
 * timers (sim_clock.c) it keeps every live node's phases instead: O(L) memory
 * and about O(L log L) work a trial, plus each probe tick while the message
 * can still move; for plain push (sim_bins.c) it keeps counts per phase bin
 * and the few nodes whose place in their bin matters: about O(L / S) work.  Runs trials
 * first_trial … first_trial + trials - 1 on up to `threads` threads
 * (FO_SIM_MAX_THREADS at most) and adds them to *t; the result is the same,
 * bit for bit, for any number of threads.  FO_OK, FO_NOMEM, FO_TOO_LARGE (see
 * sim_counts_fit), or FO_CANCELLED
 * (checked between trials; *t then holds the trials finished).  With seeds
 * (seed_gossip, seeds > 0) it runs the agent simulator's trials instead
 * (the same tally as sim_agent_run); with seeds 0 its own, each followed by
 * a binomial draw of the wasted unreachable exchanges (sim_fast_trial and
 * sim_fast_timed, one trial alone, leave them out).
 */
enum fo_status sim_fast_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			    int64_t trials, int threads, const atomic_int *cancel, struct sim_tally *t);

/*
 * Trial `trial` of the fast simulator alone: informed[0..R] gets the informed
 * count after each round, *messages its messages and *rounds_to_all the first
 * round with full delivery, or -1 if none.  Under independent timers the
 * steps are the quarter-interval bin edges (sim_steps + 1 entries) and
 * *rounds_to_all the bin of full delivery.  FO_OK, or FO_NOMEM with the
 * outputs unset.
 */
enum fo_status sim_fast_trial(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			      int64_t *informed, uint64_t *messages, int64_t *rounds_to_all);

/* How the fast simulator draws a push round (sim_fast.c): by its cost, or forced, for tests. */
enum sim_push_method {
	SIM_PUSH_AUTO,
	SIM_PUSH_STAGED, /* in two stages (as AUTO when K > 64, where it never stages) */
	SIM_PUSH_SERIAL, /* sender by sender */
};

/* sim_fast_trial with the push round's method chosen. */
enum fo_status sim_fast_trial_as(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				 enum sim_push_method method, int64_t *informed, uint64_t *messages,
				 int64_t *rounds_to_all);

/*
 * Trial `trial` of the fast simulator under independent timers
 * (sim_clock.c): like sim_agent_timed, and of the same law.
 */
enum fo_status sim_fast_timed(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			      double *when, struct sim_timed *out);

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
/*
 * Under independent timers: the steps (struct sim_timed.steps) one trial of
 * the fast sampler is expected to take, for sim_fast_cost; an estimate that
 * holds within a few times of the count (tests/unit/test_timers.c).
 */
double sim_clock_steps(const struct gossip_params *p);

#endif
