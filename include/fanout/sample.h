/* SPDX-License-Identifier: MIT */
/*
 * sample.h — exact samplers for the fast simulator, over the rng in rng.h.
 *
 * "Exact" means each draw has the named distribution up to floating-point
 * rounding: no normal or Poisson approximations.  The binomial uses the
 * order-statistic recursion (the j-th smallest of n uniforms is Beta(j,
 * n - j + 1), which splits Bin(n, p) into a smaller binomial) down to
 * inversion when n p is small; Beta comes from two Marsaglia–Tsang gammas.
 */
#ifndef FANOUT_SAMPLE_H
#define FANOUT_SAMPLE_H

#include <stdint.h>

#include "fanout/rng.h"

/* Standard normal (Marsaglia's polar method). */
double sample_normal(struct rng *r);

/* Gamma(shape, 1), shape > 0. */
double sample_gamma(struct rng *r, double shape);

/* Beta(a, b), a, b > 0. */
double sample_beta(struct rng *r, double a, double b);

/* Binomial(n, p). */
uint64_t sample_binomial(struct rng *r, uint64_t n, double p);

/*
 * Failures before the first success of independent trials with success
 * probability p in (0, 1]; UINT64_MAX when p is 0 (never).
 */
uint64_t sample_geometric(struct rng *r, double p);

/*
 * A draw from pmf[lo..hi] (which sums to `total`) by inversion; pmf entries
 * below lo are ignored.
 */
int64_t sample_discrete(struct rng *r, const double *pmf, int64_t lo, int64_t hi, double total);

#endif
