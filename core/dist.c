/*
 * dist.c — hypergeometric and binomial pmfs by ratio recurrences.
 *
 * Starting at the mode with weight 1 and walking outwards keeps every weight
 * at most 1, so nothing overflows; weights that underflow are far below any
 * probability the callers can resolve.  Dividing by the sum at the end makes
 * the result sum to 1 up to rounding.
 */
#include <math.h>

#include "fanout/dist.h"

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t imax(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static void normalise(double *out, int64_t lo, int64_t hi)
{
	double sum = 0;

	for (int64_t k = lo; k <= hi; k++)
		sum += out[k];
	for (int64_t k = lo; k <= hi; k++)
		out[k] /= sum;
}

void dist_hypergeom(int64_t pop, int64_t succ, int64_t draws, double *out, int64_t len)
{
	int64_t lo = imax(0, draws - (pop - succ));
	int64_t hi = imin(draws, succ);
	int64_t fail = pop - succ;
	int64_t mode;

	for (int64_t h = 0; h < len; h++)
		out[h] = 0;
	if (hi >= len)
		hi = len - 1;
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
	normalise(out, lo, hi);
}

void dist_binom(int64_t n, double p, double *out)
{
	int64_t mode;
	double odds;

	for (int64_t k = 0; k <= n; k++)
		out[k] = 0;
	if (p <= 0 || p >= 1) {
		out[p <= 0 ? 0 : n] = 1;
		return;
	}
	mode = imin((int64_t)(((double)n + 1) * p), n);
	odds = p / (1 - p);
	out[mode] = 1;
	for (int64_t k = mode; k < n; k++)
		out[k + 1] = out[k] * (double)(n - k) / (double)(k + 1) * odds;
	for (int64_t k = mode; k > 0; k--)
		out[k - 1] = out[k] * (double)k / ((double)(n - k + 1) * odds);
	normalise(out, 0, n);
}

double dist_pull_success(int64_t pop, int64_t succ, int64_t draws, double loss, double *scratch)
{
	int64_t hi = imin(draws, succ);
	double success = 0;

	dist_hypergeom(pop, succ, draws, scratch, hi + 1);
	for (int64_t j = 1; j <= hi; j++)
		success += scratch[j] * (1 - pow(loss, (double)j));
	return success;
}
