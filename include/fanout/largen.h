/* SPDX-License-Identifier: MIT */
/*
 * largen.h — P(full delivery by R) at any N, with an interval that covers it.
 *
 * The exact chain costs grow with the live count L; the mean field is cheap
 * but blind to the random early phase, which shifts the finishing round.  This
 * method keeps the early phase random and makes only the late phase
 * deterministic:
 *
 *   1. Early phase: the informed-count chain (with the last W cohorts under a
 *      push window) while fewer than M nodes are informed.  Each transition is
 *      a binomial fitted to the exact mean and variance of the new informed
 *      count (pull alone: exactly binomial; push: the exact first and second
 *      moments of the occupancy, so the sender's K distinct targets and loss
 *      shape its spread).
 *   2. Entry: mass that reaches M or more informed in round r0 leaves the
 *      chain with its informed count i0 (and cohorts).
 *   3. Late phase: from each entry, the mean-field recurrence for the
 *      informed count; each of the L - i0 nodes uninformed at entry stays
 *      uninformed through round R with probability Q, the product of the
 *      per-round stay probabilities (exact per node given the informed count),
 *      and independently, so P(full | entry) = (1 - Q)^(L - i0).
 *
 * The miss probability is summed from the mass that does not reach everyone,
 * never formed as 1 - P.  The interval: the method is run at two thresholds,
 * M and M / FO_LARGEN_CHECK_RATIO; their gap (times FO_LARGEN_SAFETY), a
 * relative floor FO_LARGEN_REL_FLOOR of the miss and of P(full), and every
 * probability trimmed, widen it.  Its coverage is validated against the exact
 * chain and the simulator (tests/validate, docs/VALIDATION.md), not proven.
 *
 * Push windows (forward_rounds T, or transmit_limit X: W = ceil(X/K) rounds,
 * the last sending X - (W-1)K): the senders of a round are the cohorts of the
 * last W rounds, the oldest sending what its limit leaves, in the early
 * transitions and in the late phase's recurrence alike (the late phase keeps
 * the cohort sizes by round).  Up to W = FO_LARGEN_TUPLE_WINDOW the early
 * states carry the cohorts exactly.  Wider windows would make those tuples
 * explode; there the early state is the count alone, which is exact for
 * rounds 1 … W (no cohort has expired yet), each state carrying the mean of
 * its cohorts given the count, and an entry continues with those means.  Mass
 * still below M at round E = min(W, R, FO_LARGEN_WIDE_ROUNDS) enters then;
 * the part below M / FO_LARGEN_CHECK_RATIO counts as never full at the
 * interval's lower end.  A partial last round or a wide window needs at least
 * FO_LARGEN_LIMIT_MIN_LIVE live nodes.  A run with any push window stops
 * with FO_TOO_LARGE past FO_LARGEN_OVERRUN (a partial last round in tuples)
 * or FO_LARGEN_OVERRUN_WIDE (wide windows, and tuple windows without a
 * partial round) times its estimate: slow growth makes many more cohort
 * states than it assumes.  auto simulates those K.
 *
 * Cost depends on M, K and the rounds, not on N; the cancel flag is polled
 * between states.
 */
#ifndef FANOUT_LARGEN_H
#define FANOUT_LARGEN_H

#include "fanout/model.h"

struct largen_result {
	double p_full;          /* point estimate of P(full delivery by R) */
	double miss;            /* its complement, summed from the non-full mass */
	double p_lo, p_hi;      /* interval for the true P(full by R) */
	double miss_lo, miss_hi; /* the same interval for the miss probability */
	double node_miss;       /* P(a given live non-origin node uninformed after R) */
	double work;            /* work units largen_run counted (its transition entries and rounds) */
};

/*
 * Fills *out for fanout p->fanout.  Returns FO_OK; FO_TOO_LARGE when a
 * partial last round or a window wider than FO_LARGEN_TUPLE_WINDOW comes with
 * fewer than FO_LARGEN_LIMIT_MIN_LIVE live nodes, or the work would pass
 * FO_LARGEN_MAX_WORK (or, with a push window, the FO_LARGEN_OVERRUN* multiple
 * of the estimate), or under independent timers (largen_cost is then
 * infinite); FO_NOMEM or FO_CANCELLED otherwise (nothing is held).
 */
enum fo_status largen_run(const struct gossip_params *p, const atomic_int *cancel,
			  struct largen_result *out);

/*
 * largen_run, and the curve into *curve (NULL: none), rounds + 1 entries
 * each: p_full[r] = P(full delivery by r), p_miss[r] its complement summed
 * from the non-full mass, mean_informed[r] = E[informed live nodes], and
 * node_miss; release it with chain_result_release.  Only round R has an
 * interval (the answer's); the rounds before are the main run's point
 * estimates, each the p_full that largen_run with R = r reports, up to
 * entries whose miss fell below FO_LARGEN_TRIM (counted as full).  The
 * mean informed count is the early chain's mean for mass still early and
 * L - (L - i0) Q_r for mass that entered the late phase at i0.  The curve
 * costs one point per entry and round it is not yet full in.
 */
enum fo_status largen_curve(const struct gossip_params *p, const atomic_int *cancel,
			    struct largen_result *out, struct chain_result *curve);

/* Estimated work units of largen_run (an upper-end estimate). */
double largen_cost(const struct gossip_params *p);

#endif
