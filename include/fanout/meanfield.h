/* SPDX-License-Identifier: MIT */
/*
 * meanfield.h — the deterministic recurrence for the expected informed count.
 *
 * With x informed (a of them pushing) and u = L - x uninformed, one round keeps
 * each uninformed node uninformed with probability
 *   push: (1 - K(1 - loss)/(N - 1))^a      (exact per node, given a senders;
 *         a sender in the last round of a transmit limit sends fewer than K)
 *   pull: prod_{k<K} (1 - (1 - loss)x/(N - 1 - k))   (exact for integer x, loss 0)
 * and multiplies the expected u by it.  The number of uninformed nodes is then
 * taken as Poisson: P(full by r) ~ exp(-(L - x_r)).  Costs O(R) for push and
 * O(R min(K, 1024)) for pull, for any N.
 */
#ifndef FANOUT_MEANFIELD_H
#define FANOUT_MEANFIELD_H

#include "fanout/model.h"

/*
 * Fills *out (arrays of p->rounds + 1); FO_OK, or FO_NOMEM with nothing
 * held, or FO_TOO_LARGE under independent timers (a recurrence over rounds;
 * mf_cost is then infinite).
 */
enum fo_status mf_run(const struct gossip_params *p, struct chain_result *out);

/* Estimated work units of mf_run. */
double mf_cost(const struct gossip_params *p);

#endif
