/* SPDX-License-Identifier: MIT */
/*
 * dist.h — probability mass functions the exact chain is built from.
 *
 * Each pmf is computed by the ratio recurrence outwards from the mode and
 * normalised by the sum, so every entry has a small relative error however
 * far in the tail; each function also returns a bound on that relative error
 * (first order in the unit roundoff, see dist.c), which the exact chain adds
 * to its error_bound.
 */
#ifndef FANOUT_DIST_H
#define FANOUT_DIST_H

#include <stdint.h>

/*
 * Hypergeometric: out[h] = P(h successes in `draws` draws without replacement
 * from `pop` items of which `succ` are successes), for h < len; entries
 * outside the support are 0.  Requires 0 <= succ <= pop, 0 <= draws <= pop.
 * Returns the bound on every entry's relative error.
 */
double dist_hypergeom(int64_t pop, int64_t succ, int64_t draws, double *out, int64_t len);

/* Where a truncated pmf lives and how far it is from the true one. */
struct dist_pmf {
	int64_t lo, hi; /* the entries kept: k in [lo, hi] */
	double tail;    /* upper bound on the true probability outside [lo, hi] */
	double rel;     /* bound on each kept entry's relative error (truncation included) */
};

/*
 * Binomial(n, p), with q = 1 - p given separately so that neither loses
 * relative precision (pq_rel: the relative error of each, as the caller
 * computed them).  Keeps the range [lo, hi] around the mode outside which the
 * probability is at most eps (eps = 0: the whole support, less what
 * underflows), bounding the dropped tails by geometric series; fills
 * out[k - lo] for k in [lo, hi] with the kept entries normalised to sum 1.
 * `out` needs n + 1 doubles of room.
 */
void dist_binom_range(int64_t n, double p, double q, double pq_rel, double eps, double *out,
		      struct dist_pmf *r);

/* Binomial over its whole support: out[k] = P(k successes in n trials of probability p), k = 0..n. */
void dist_binom(int64_t n, double p, double *out);

/* 1 - E[loss^J] alone (see dist_pull_fail). */
double dist_pull_success(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch);

/*
 * For a node asking `draws` distinct peers out of `pop`, `succ` of them
 * informed, each exchange lost with probability loss: returns the
 * probability E[loss^J] (J hypergeometric(pop, succ, draws)) that it hears
 * from none, and sets *success to 1 - E[loss^J], computed without
 * cancellation; *rel bounds the relative error of both.  `scratch` needs
 * min(draws, succ) + 1 doubles.
 */
double dist_pull_fail(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch,
		      double *success, double *rel);

#endif
