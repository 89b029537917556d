/* SPDX-License-Identifier: MIT */
/*
 * sample.c — see sample.h.
 */
#include <math.h>

#include "fanout/sample.h"

/* Below this mean the binomial is drawn by inversion (expected O(n p) steps). */
#define BINOMIAL_INVERSION_MEAN 16.0

/* From this success probability up, geometric draws count Bernoulli trials. */
#define GEOMETRIC_BY_TRIALS 0.25

double sample_normal(struct rng *r)
{
	double u, s;

	do {
		double v;
		u = 2 * rng_unit(r) - 1;
		v = 2 * rng_unit(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	return u * sqrt(-2 * log(s) / s);
}

/* Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1) U^(1/shape). */
double sample_gamma(struct rng *r, double shape)
{
	double d, c;

	if (shape < 1) {
		double u = 1 - rng_unit(r); /* (0, 1] */
		return sample_gamma(r, shape + 1) * pow(u, 1 / shape);
	}
	d = shape - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		double x, v, u;
		do {
			x = sample_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = 1 - rng_unit(r);
		if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

double sample_beta(struct rng *r, double a, double b)
{
	double x = sample_gamma(r, a), y = sample_gamma(r, b);

	return x / (x + y);
}

/* Inversion: walk the pmf up from 0 until it passes a uniform. */
static uint64_t binomial_inversion(struct rng *r, uint64_t n, double p)
{
	double u = rng_unit(r), odds = p / (1 - p);
	double pk = exp((double)n * log1p(-p)), cdf = pk;
	uint64_t k = 0;

	while (u >= cdf && k < n) {
		pk *= (double)(n - k) / (double)(k + 1) * odds;
		k++;
		cdf += pk;
	}
	return k;
}

uint64_t sample_binomial(struct rng *r, uint64_t n, double p)
{
	uint64_t j;
	double x;

	if (n == 0 || p <= 0)
		return 0;
	if (p >= 1)
		return n;
	if (p > 0.5)
		return n - sample_binomial(r, n, 1 - p);
	if ((double)n * p < BINOMIAL_INVERSION_MEAN)
		return binomial_inversion(r, n, p);
	/* U_(j) ~ Beta(j, n-j+1): the uniforms below it, or above it, are again uniform. */
	j = n / 2 + 1;
	x = sample_beta(r, (double)j, (double)(n - j + 1));
	if (x <= p)
		return j + sample_binomial(r, n - j, (p - x) / (1 - x));
	return sample_binomial(r, j - 1, p / x);
}

uint64_t sample_geometric(struct rng *r, double p)
{
	double g;

	if (p >= 1)
		return 0;
	if (p <= 0)
		return UINT64_MAX;
	if (p >= GEOMETRIC_BY_TRIALS) {
		/* Likely successes: counting trials costs fewer than two logarithms. */
		uint64_t failures = 0;
		while (!(rng_unit(r) < p))
			failures++;
		return failures;
	}
	g = floor(log(1 - rng_unit(r)) / log1p(-p));
	return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}

int64_t sample_discrete(struct rng *r, const double *pmf, int64_t lo, int64_t hi, double total)
{
	double u = rng_unit(r) * total, cdf = 0;

	for (int64_t k = lo; k < hi; k++) {
		cdf += pmf[k];
		if (u < cdf)
			return k;
	}
	return hi;
}
