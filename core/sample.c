/* SPDX-License-Identifier: MIT */
/*
 * sample.c — see sample.h.
 */
#include <math.h>

#include "fanout/sample.h"

/* Below this mean the binomial is drawn by inversion (expected O(n p) steps), from it by BTRS. */
#define BINOMIAL_BTRS_MEAN 10.0

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

/*
 * fc(x) = log x! - ((x + 1/2) log(x + 1) - (x + 1) + log(2 pi) / 2), the
 * remainder of Stirling's formula at z = x + 1: for x < 30 from this table
 * (each entry the double nearest the value computed to 60 digits), above by
 * the series 1/(12z) - 1/(360z^3) + 1/(1260z^5) - 1/(1680z^7), whose next
 * term is below 4e-17 there.
 */
static const double stirling_rest[30] = {
	0.081061466795327261, 0.041340695955409297, 0.027677925684998338,
	0.020790672103765093, 0.016644691189821193, 0.013876128823070748,
	0.01189670994589177, 0.010411265261972096, 0.0092554621827127329,
	0.0083305634333628708, 0.0075736754879518406, 0.0069428401072095299,
	0.0064089941880042071, 0.0059513701127588475, 0.0055547335519628011,
	0.0052076559196096404, 0.0049013959484347381, 0.0046291537493340284,
	0.0043855602492323242, 0.0041663196919969224, 0.0039679542186408599,
	0.0037876180684444346, 0.0036229602246830948, 0.0034720213829787668,
	0.003333155636728093, 0.0032049702280550381, 0.0030862786826087773,
	0.0029760639835504088, 0.0028734493623524663, 0.0027776749297526936,
};

static double stirling_fc(double x)
{
	double z, zz;

	if (x < 30)
		return stirling_rest[(int)x];
	z = x + 1;
	zz = 1 / (z * z);
	return (1.0 / 12 - zz * (1.0 / 360 - zz * (1.0 / 1260 - zz * (1.0 / 1680)))) / z;
}

/*
 * log x! - log y! for whole x, y >= 0, given log(y + 1) and fc(y):
 * (x + 1/2) log1p((x - y)/(y + 1)) + (x - y)(log(y + 1) - 1) + fc(x) - fc(y).
 * No large logarithms are subtracted, so the error stays a few units of
 * |x - y| log y in the last place instead of y log y.
 */
static double log_fact_diff(double x, double y, double log_y1, double fc_y)
{
	return (x + 0.5) * log1p((x - y) / (y + 1)) + (x - y) * (log_y1 - 1) + stirling_fc(x) - fc_y;
}

/*
 * BTRS, Hörmann's transformed rejection with squeeze ("The generation of
 * binomial random variates", J. Statist. Comput. Simul. 46, 1993), for
 * p <= 1/2 and n p >= BINOMIAL_BTRS_MEAN.  x = (2a/us + b) u + c with u
 * uniform on (-1/2, 1/2) and us = 1/2 - |u| has density 1/(a/us^2 + b) in
 * u, so k = floor(x) accepted when v alpha / (a/us^2 + b) <= f(k)/f(m) (v
 * uniform, f the pmf, m its mode) is exactly Binomial(n, p) wherever the
 * hat alpha/(a/us^2 + b) lies above f(k)/f(m); the paper's constants make
 * it so for n p >= 10, and its squeeze (us >= 0.07 and v <= v_r) accepts
 * only points under f.  sample_btrs_margins measures both for the tests.
 */
struct btrs {
	double n, a, b, c, alpha, v_r, lpq, m, nm, log_m1, log_nm1, fc_m, fc_nm;
};

static void btrs_setup(struct btrs *t, uint64_t n, double p)
{
	double q = 1 - p, spq = sqrt((double)n * p * q);

	t->n = (double)n;
	t->b = 1.15 + 2.53 * spq;
	t->a = -0.0873 + 0.0248 * t->b + 0.01 * p;
	t->c = t->n * p + 0.5;
	t->alpha = (2.83 + 5.1 / t->b) * spq;
	t->v_r = 0.92 - 4.2 / t->b;
	t->lpq = log(p / q);
	t->m = floor((t->n + 1) * p);
	t->nm = t->n - t->m;
	t->log_m1 = log1p(t->m);
	t->log_nm1 = log1p(t->nm);
	t->fc_m = stirling_fc(t->m);
	t->fc_nm = stirling_fc(t->nm);
}

/* The candidate k = floor(x(u)) (-1 outside [0, n], us = 0 included). */
static double btrs_candidate(const struct btrs *t, double u, double us)
{
	double k = floor((2 * t->a / us + t->b) * u + t->c);

	return k >= 0 && k <= t->n ? k : -1;
}

/* log(f(k) / f(m)). */
static double btrs_log_ratio(const struct btrs *t, double k)
{
	return (k - t->m) * t->lpq - log_fact_diff(k, t->m, t->log_m1, t->fc_m) -
	       log_fact_diff(t->n - k, t->nm, t->log_nm1, t->fc_nm);
}

static uint64_t binomial_btrs(struct rng *r, uint64_t n, double p)
{
	struct btrs t;

	btrs_setup(&t, n, p);
	for (;;) {
		double u = rng_unit(r) - 0.5, v = rng_unit(r), us = 0.5 - fabs(u);
		double k = btrs_candidate(&t, u, us);

		if (k < 0)
			continue;
		if (us >= 0.07 && v <= t.v_r)
			return (uint64_t)k;
		if (log(v * t.alpha / (t.a / (us * us) + t.b)) <= btrs_log_ratio(&t, k))
			return (uint64_t)k;
	}
}

void sample_btrs_margins(uint64_t n, double p, int steps, double *hat, double *squeeze)
{
	struct btrs t;

	btrs_setup(&t, n, p);
	*hat = -INFINITY;
	*squeeze = INFINITY;
	for (int i = 1; i < steps; i++) {
		double u = -0.5 + (double)i / steps, us = 0.5 - fabs(u), k = btrs_candidate(&t, u, us);
		double gap;
		if (k < 0)
			continue;
		gap = btrs_log_ratio(&t, k) + log((t.a / (us * us) + t.b) / t.alpha);
		*hat = fmax(*hat, gap);
		if (us >= 0.07)
			*squeeze = fmin(*squeeze, gap - log(t.v_r));
	}
}

uint64_t sample_binomial(struct rng *r, uint64_t n, double p)
{
	if (n == 0 || p <= 0)
		return 0;
	if (p >= 1)
		return n;
	if (p > 0.5)
		return n - sample_binomial(r, n, 1 - p);
	if ((double)n * p < BINOMIAL_BTRS_MEAN)
		return binomial_inversion(r, n, p);
	return binomial_btrs(r, n, p);
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
