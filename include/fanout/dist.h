/*
 * dist.h — probability mass functions the exact chain is built from.
 *
 * Each pmf is computed by the ratio recurrence outwards from the mode and
 * normalised by the sum, so every entry has a small relative error however
 * far in the tail.  One convention for that error: a function whose results
 * carry one fills a struct the caller passes (struct dist_pmf for a pmf,
 * struct dist_pull for a pull's probabilities) whose `rel` member bounds each
 * value's relative error, first order in the unit roundoff DIST_U (see
 * dist.c); the exact chain adds it to its error_bound.  None returns a bound
 * or sets one through a loose pointer.  Nothing here allocates or fails.
 */
#ifndef FANOUT_DIST_H
#define FANOUT_DIST_H

#include <float.h>
#include <stdint.h>

/* The unit roundoff u = 2^-53, the unit of every error bound. */
#define DIST_U (DBL_EPSILON / 2)

/* Where a truncated pmf lives and how far it is from the true one. */
struct dist_pmf {
	int64_t lo, hi; /* the entries kept: k in [lo, hi] */
	double tail;    /* upper bound on the true probability outside [lo, hi] */
	double rel;     /* bound on each kept entry's relative error (truncation included) */
};

/*
 * Hypergeometric: out[h] = P(h successes in `draws` draws without replacement
 * from `pop` items of which `succ` are successes), for h < len; entries
 * outside the support are 0.  Requires 0 <= succ <= pop, 0 <= draws <= pop.
 * Unlike dist_binom_range, out is indexed by h itself: *r gets the support
 * below len as [lo, hi] (lo > hi when it has none there), tail 0 (what lies
 * at len and beyond is left out, not bounded) and rel.
 */
void dist_hypergeom(int64_t pop, int64_t succ, int64_t draws, double *out, int64_t len,
		    struct dist_pmf *r);

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

/* A pull's two outcomes, each computed directly (neither as 1 minus the other). */
struct dist_pull {
	double fail;     /* E[loss^J]: it hears from none */
	double success;  /* 1 - E[loss^J] */
	double rel;      /* bound on the relative error of both */
};

/*
 * For a node asking `draws` distinct peers out of `pop`, `succ` of them
 * informed, each exchange lost with probability loss (J hypergeometric(pop,
 * succ, draws)): fills *r.  `scratch` needs min(draws, succ) + 1 doubles.
 */
void dist_pull_fail(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch,
		    struct dist_pull *r);

#endif
