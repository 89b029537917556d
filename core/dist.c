/*
 * dist.c — hypergeometric and binomial pmfs by ratio recurrences, each with
 * a bound on its relative rounding error (see dist.h).
 *
 * Starting at the mode with weight 1 and walking outwards keeps every weight
 * at most 1, so nothing overflows; dividing by the sum at the end makes the
 * result sum to 1 up to rounding.
 *
 * Error accounting, to first order in u = 2^-53 (exact.c multiplies its final
 * sums by a margin that covers the higher orders): every step of a recurrence
 * is at most four roundings plus the error of the ratio's inputs, so a weight
 * d steps from the mode is off by at most d * (4u + e) relatively, where e is
 * the relative error of the parameters (the odds p/q for the binomial, 0 for
 * the hypergeometric, whose ratios are quotients of integers); the sum of W
 * weights adds (W - 1)u and the division u.  A normalised entry is therefore
 * within (2 * dmax * (4u + e) + (W + 2)u) of its true value, relatively.
 */
#include <math.h>
#include <string.h>

#include "fanout/dist.h"

/* Weights below this are treated as underflowed: the walk stops and bounds the rest. */
#define TINY 1e-280

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t imax(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

void dist_hypergeom(int64_t pop, int64_t succ, int64_t draws, double *out, int64_t len,
		    struct dist_pmf *r)
{
	int64_t lo = imax(0, draws - (pop - succ));
	int64_t hi = imin(draws, succ);
	int64_t fail = pop - succ;
	int64_t mode;
	double sum = 0;

	for (int64_t h = 0; h < len; h++)
		out[h] = 0;
	if (hi >= len)
		hi = len - 1;
	r->lo = lo;
	r->hi = hi;
	r->tail = 0;
	r->rel = 0;
	if (lo > hi)
		return;
	mode = (int64_t)(((double)draws + 1) * ((double)succ + 1) / ((double)pop + 2));
	mode = imin(imax(mode, lo), hi);
	out[mode] = 1;
	/* P(h+1)/P(h) = (succ-h)(draws-h) / ((h+1)(fail-draws+h+1)) */
	for (int64_t h = mode; h < hi; h++)
		out[h + 1] = out[h] * ((double)(succ - h) * (double)(draws - h)) /
			     ((double)(h + 1) * (double)(fail - draws + h + 1));
	for (int64_t h = mode; h > lo; h--)
		out[h - 1] = out[h] * ((double)h * (double)(fail - draws + h)) /
			     ((double)(succ - h + 1) * (double)(draws - h + 1));
	for (int64_t k = lo; k <= hi; k++)
		sum += out[k];
	for (int64_t k = lo; k <= hi; k++)
		out[k] /= sum;
	r->rel = (double)(2 * imax(hi - mode, mode - lo) * 4 + (hi - lo + 2)) * DIST_U;
}

/*
 * The weight walk of dist_binom_range in one direction (dir = +1 or -1) from
 * w[mode] = 1, adding to *sum; returns the bound on the tail it leaves.
 * P(k+1)/P(k) = (n-k)/(k+1) * odds; P(k-1)/P(k) = k/(n-k+1) / odds.
 */
static double walk(int64_t n, int64_t mode, int dir, double odds, double eps, double *w,
		   int64_t *end, double *sum)
{
	int64_t k = mode, stop = dir > 0 ? n : 0;
	double wk = w[mode], s = *sum, tail = 0;

	while (k != stop) {
		double ratio = dir > 0 ? (double)(n - k) * odds / (double)(k + 1)
				       : (double)k * odds / (double)(n - k + 1);
		double next = wk * ratio;
		/*
		 * The ratios fall away from the mode, so the tail is below a
		 * geometric series; it is at least the next weight, so it is only
		 * worth bounding once that is below eps.
		 */
		if (next <= eps * s && ratio < 1 && (tail = next / (1 - ratio)) <= eps * s)
			break;
		if (wk < TINY) {
			tail = TINY * (double)(dir > 0 ? n - k : k);
			break;
		}
		tail = 0;
		k += dir;
		w[k] = wk = next;
		s += next;
	}
	*end = k;
	*sum = s;
	return tail;
}

void dist_binom_range(int64_t n, double p, double q, double pq_rel, double eps, double *out,
		      struct dist_pmf *r)
{
	int64_t mode, lo, hi, dmax;
	double sum = 1, tail, odds_rel, weight_rel, norm, *w;

	r->tail = 0;
	r->rel = 0;
	if (p <= 0 || q <= 0) {
		r->lo = r->hi = p <= 0 ? 0 : n;
		out[0] = 1;
		return;
	}
	mode = imin((int64_t)(((double)n + 1) * p), n);
	/* Weights are kept at out[k] while walking, then moved down to out[k - lo]. */
	w = out;
	w[mode] = 1;
	tail = walk(n, mode, +1, p / q, eps / 2, w, &hi, &sum);
	tail += walk(n, mode, -1, q / p, eps / 2, w, &lo, &sum);
	/* Shift the kept range to out[0..], normalised (a reciprocal: one rounding more than a quotient). */
	norm = 1 / sum;
	for (int64_t k = lo; k <= hi; k++)
		out[k - lo] = w[k] * norm;
	r->lo = lo;
	r->hi = hi;
	odds_rel = 2 * pq_rel + DIST_U;
	dmax = imax(hi - mode, mode - lo);
	weight_rel = (double)dmax * (4 * DIST_U + odds_rel) + (double)(hi - lo + 3) * DIST_U;
	/* The bound's own inputs are off by weight_rel at most. */
	r->tail = fmin(1, tail / sum * (1 + 2 * weight_rel + 1e-12));
	r->rel = 2 * weight_rel + 2 * r->tail;
}

void dist_pull_fail(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch,
		    struct dist_pull *r)
{
	int64_t hi = imin(draws, succ);
	double fail = 0, ok = 0, power = 1, geometric = 0, one_minus = 1 - loss;
	struct dist_pmf hyp;

	dist_hypergeom(pop, succ, draws, scratch, hi + 1, &hyp);

	/* loss^j and 1 - loss^j = (1 - loss)(1 + loss + ... + loss^(j-1)), both without cancellation. */
	for (int64_t j = 0; j <= hi; j++) {
		fail += scratch[j] * power;
		ok += scratch[j] * one_minus * geometric;
		geometric += power;
		power *= loss;
	}
	r->fail = fail;
	r->success = ok;
	r->rel = hyp.rel + (double)(3 * hi + 4) * DIST_U;
}

void dist_binom(int64_t n, double p, double *out)
{
	struct dist_pmf r;

	dist_binom_range(n, p, 1 - p, DIST_U, 0, out, &r);
	memmove(out + r.lo, out, (size_t)(r.hi - r.lo + 1) * sizeof *out);
	for (int64_t k = 0; k < r.lo; k++)
		out[k] = 0;
	for (int64_t k = r.hi + 1; k <= n; k++)
		out[k] = 0;
}

double dist_pull_success(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch)
{
	struct dist_pull r;

	dist_pull_fail(pop, succ, draws, loss, scratch, &r);
	return r.success;
}
