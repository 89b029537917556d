/* SPDX-License-Identifier: MIT */
/*
 * exact.h — the exact distribution of the informed count, round by round.
 *
 * The model is exchangeable, so the number of informed live nodes (with the
 * sizes of the last T cohorts when a push window T is in effect) is a Markov
 * chain.  From i informed of which a push, the new informed count is:
 *   push: a senders in turn; each one's new hits among the m live uninformed
 *         nodes not yet reached this round are hypergeometric(N-1, m, K),
 *         each delivered with probability 1 - loss;
 *   pull: binomial(L - i, s) with s = E[1 - loss^J], J ~ hypergeometric(N-1, i, K);
 *   push_pull: the push outcome, then each node it missed pulls independently.
 * exact.c computes a round for all states at once (see its header), keeps
 * only the mass that is not negligible, and bounds what that and rounding
 * cost: chain_result.round_bound[r] bounds |reported - true| for p_full[r]
 * and p_miss[r] (and node_miss at R), error_bound the largest of them.  The
 * argument is in exact.c's header; tests/rational checks it against exact
 * rational arithmetic.
 */
#ifndef FANOUT_EXACT_H
#define FANOUT_EXACT_H

#include "fanout/model.h"

/*
 * Fills *out (arrays of p->rounds + 1) for fanout p->fanout.  Checks *cancel
 * every few milliseconds of work.  Returns FO_OK;
 * FO_TOO_LARGE when the push window makes more than FO_EXACT_MAX_STATES
 * states, or under independent timers (a chain over rounds; exact_cost is
 * then infinite, so auto simulates); FO_NOMEM or FO_CANCELLED otherwise.  On any failure *out holds
 * nothing to release.
 */
enum fo_status exact_run(const struct gossip_params *p, const atomic_int *cancel,
			 struct chain_result *out);

/*
 * exact_run with up to `threads` threads (1 or 2 matter): in the rounds
 * whose states spread wide, a push_pull sweep's tiles are split with a second
 * thread, while *other_done is non-zero (NULL: always; a search passes its
 * speculative run's flag, so two chains do not share one core three ways).
 * The figures are exact_run's to the last bit.
 */
enum fo_status exact_run_mt(const struct gossip_params *p, const atomic_int *cancel, int threads,
			    const atomic_int *other_done, struct chain_result *out);

/*
 * exact_run for a search that only needs to know whether P(full at R)
 * reaches `target`: without a push window, two rounds and again one round
 * before the end it bounds P(full at R) from above (the nodes' "informed"
 * events within a round are negatively associated; see exact.c); *upper is
 * the last bound computed (1 when none: a window, target <= 0, or a chain
 * settled before then).  Up to 12 rounds before those it tries a looser
 * bound through thresholds, round after round, and reports it only when it
 * decides.  When *upper < target / 2 the rounds left are not
 * computed: the K is decided (it does not reach the target) and *out holds
 * nothing to release although FO_OK is returned; otherwise *out is
 * exact_run's, bit for bit.
 */
enum fo_status exact_run_decide(const struct gossip_params *p, const atomic_int *cancel, double target,
				struct chain_result *out, double *upper);
/*
 * The same chain computed the slow, obvious way, for tests: one transition
 * row per state (the senders one by one, the pulls as a binomial per count
 * of nodes the pushes missed), as the windowed chain does.  O(L^3) and more.
 */
enum fo_status exact_run_reference(const struct gossip_params *p, struct chain_result *out);

/* Estimated work units of exact_run for these parameters (may be huge). */
double exact_cost(const struct gossip_params *p);

#endif
