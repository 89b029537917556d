/* SPDX-License-Identifier: MIT */
/*
 * broadcast.h — what one broadcast costs and how long it takes, from the
 * per-round figures of a chain calculator or a simulation.
 *
 * Rounds to all: P(full delivery by r), r = 0 … R, is its distribution
 * function; percentile q is the least r where that reaches q (none when it
 * does not within R), and the mean is taken over the broadcasts that reach
 * everyone within R, as simulate_gossip's avg_rounds_to_all is.
 * Messages: by linearity, E[messages in round r] follows from the expected
 * informed counts alone (see broadcast_messages).
 */
#ifndef FANOUT_BROADCAST_H
#define FANOUT_BROADCAST_H

#include <stdint.h>

#include "fanout/calc.h"
#include "fanout/model.h"

struct rounds_to_all {
	double mean;              /* given full delivery within R; NaN if it never is */
	int64_t p50, p90, p99;    /* least r with P(full by r) >= 0.5, 0.9, 0.99; -1: not within R */
};

/* From P(full by r), r = 0 … rounds. */
void rounds_from_cdf(const double *p_full, int64_t rounds, struct rounds_to_all *out);

/*
 * From hist[r], r = 0 … rounds: trials first fully delivered in round r, of
 * `trials` in all.  Percentiles are decided in integers (exact).
 */
void rounds_from_hist(const int64_t *hist, int64_t rounds, int64_t trials,
		      struct rounds_to_all *out);

/*
 * Expected messages over rounds 1 … R from mean_informed[0 … R] (R =
 * p->rounds).  In round r the pushers are the nodes informed within the last
 * W rounds (all informed nodes without a window), K messages each, and
 * gossip_last_sends() for the cohort in its last round:
 *   K (m[r-1] - m[r-W]) + last (m[r-W] - m[r-W-1]),   m[j] = 0 for j < 0;
 * pull adds K requests for each uninformed live node, K (L - m[r-1]).
 */
double broadcast_messages(const struct gossip_params *p, const double *mean_informed);

/*
 * Runs the chain calculator `model` (CALC_EXACT, CALC_MEAN_FIELD or
 * CALC_LARGE_N) at p->fanout: exact_run, mf_run or largen_curve (whose
 * per-round figures are point estimates, largen.h), with their statuses.
 */
enum fo_status broadcast_chain(const struct gossip_params *p, enum calc_model model,
			       const atomic_int *cancel, struct chain_result *out);

#endif
