/*
 * dist.h — probability mass functions the exact chain is built from.
 *
 * Each function fills `out` with a normalised pmf, computed by the
 * ratio recurrence outwards from the mode and normalised by the sum, so every
 * entry has a small relative error however far in the tail; entries outside
 * the support, and ones below the smallest double, are 0.
 */
#ifndef FANOUT_DIST_H
#define FANOUT_DIST_H

#include <stdint.h>

/*
 * Hypergeometric: out[h] = P(h successes in `draws` draws without replacement
 * from `pop` items of which `succ` are successes), for h < len.
 * Requires 0 <= succ <= pop, 0 <= draws <= pop.
 */
void dist_hypergeom(int64_t pop, int64_t succ, int64_t draws, double *out, int64_t len);

/* Binomial: out[k] = P(k successes in n trials of probability p), k = 0..n. */
void dist_binom(int64_t n, double p, double *out);

/*
 * E[1 - loss^J] for J hypergeometric(pop, succ, draws): the probability that
 * a node asking `draws` distinct peers out of `pop`, `succ` of them informed,
 * hears from at least one when each exchange is lost with probability loss.
 * `scratch` needs min(draws, succ) + 1 doubles.
 */
double dist_pull_success(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch);

#endif
