/* SPDX-License-Identifier: MIT */
/*
 * sample.h — exact samplers for the fast simulator, over the rng in rng.h.
 *
 * "Exact" means each draw has the named distribution up to floating-point
 * rounding: no normal or Poisson approximations.  The binomial is drawn by
 * inversion when n min(p, 1 - p) < 10, else by Hörmann's BTRS (transformed
 * rejection with squeeze, O(1) expected work); Beta comes from two
 * Marsaglia–Tsang gammas.  The occupancy (balls thrown into cells, some
 * empty) compares uniform integers with integers.
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

/* Binomial(n, p); 0 when p is NaN (never a hang). */
uint64_t sample_binomial(struct rng *r, uint64_t n, double p);

/*
 * The same draw, for several with one p: *lq is log1p(-p), or NaN to be
 * computed here when the draw needs it (by inversion) and kept there.
 */
uint64_t sample_binomial_lq(struct rng *r, uint64_t n, double p, double *lq);

/*
 * A multinomial of n over the classes 0 … top with weights w (summing to 1),
 * drawn from the top: the n left all have a class <= j, so class j takes
 * Binomial(left, w[j] / below[j]), below[j] = w[0] + … + w[j] summed upwards
 * (never a difference, which could lose all its digits when w[j] is near
 * 1).  Adds to count[1 … top] (class 0 takes the rest, not written); below
 * is top + 1 doubles of scratch.
 */
void sample_multinomial_down(struct rng *r, int64_t n, const double *w, int64_t top, double *below,
			     int64_t *count);

/*
 * For tests, BTRS at (n, p) (p <= 1/2, n p >= 10) on the grid u = -1/2 +
 * i/steps: *hat gets the largest log of f(k)/f(m) over the hat (at most 0
 * when the hat covers the pmf, which exactness needs), *squeeze the
 * smallest log of the same over the squeeze's level where it accepts (at
 * least 0 when the squeeze accepts only points under the pmf).
 */
void sample_btrs_margins(uint64_t n, double p, int steps, double *hat, double *squeeze);

/*
 * Failures before the first success of independent trials with success
 * probability p in (0, 1]; UINT64_MAX when p is 0 (never).
 */
uint64_t sample_geometric(struct rng *r, double p);

/*
 * Occupancy: b balls thrown one after another, each into one of n cells
 * (n >= 1) uniformly and independently, when m of the cells (0 <= m <= n)
 * are empty; returns how many stay empty.  In chunks: the balls of a chunk
 * that land among the cells empty at its start are a binomial draw, and only
 * those are thrown, each filling a cell with probability (cells still empty)
 * / (cells empty at the start), an exact comparison of integers.
 */
int64_t sample_occupancy(struct rng *r, int64_t n, int64_t m, int64_t b);

/*
 * For tests, and sample_occupancy's own step: c balls thrown one by one
 * into n cells with m empty (the whole occupancy, no chunks), each a 32-bit
 * half of a 64-bit word (n < 2^32) or, with `wide`, a whole word; returns
 * how many stay empty.  A half or word at or above the largest multiple of
 * n it holds is rejected and the next one used, so each throw is uniform.
 */
int64_t sample_throws(struct rng *r, int64_t n, int64_t m, int64_t c, int wide);

/*
 * A draw from pmf[lo..hi] (which sums to `total`) by inversion; pmf entries
 * below lo are ignored.
 */
int64_t sample_discrete(struct rng *r, const double *pmf, int64_t lo, int64_t hi, double total);

#endif
