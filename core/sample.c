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

/* Inversion, given lq = log1p(-p): walk the pmf up from 0 until it passes a uniform. */
static uint64_t binomial_inversion(struct rng *r, uint64_t n, double p, double lq)
{
	double u = rng_unit(r), odds = p / (1 - p);
	double pk = exp((double)n * lq), cdf = pk;
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
	double n, a, b, c, alpha, v_r, lpq, m, nm, log_m1, log_nm1, fc_m, fc_nm, p;
	int exact; /* lpq .. fc_nm set (btrs_setup_exact) */
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
	t->m = floor((t->n + 1) * p);
	t->nm = t->n - t->m;
	t->p = p;
	t->exact = 0;
}

/* The constants of btrs_log_ratio, needed only when the squeeze does not accept. */
static void btrs_setup_exact(struct btrs *t)
{
	t->lpq = log(t->p / (1 - t->p));
	t->log_m1 = log1p(t->m);
	t->log_nm1 = log1p(t->nm);
	t->fc_m = stirling_fc(t->m);
	t->fc_nm = stirling_fc(t->nm);
	t->exact = 1;
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
		if (!t.exact)
			btrs_setup_exact(&t);
		if (log(v * t.alpha / (t.a / (us * us) + t.b)) <= btrs_log_ratio(&t, k))
			return (uint64_t)k;
	}
}

void sample_btrs_margins(uint64_t n, double p, int steps, double *hat, double *squeeze)
{
	struct btrs t;

	btrs_setup(&t, n, p);
	btrs_setup_exact(&t);
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

void sample_multinomial_down(struct rng *r, int64_t n, const double *w, int64_t top, double *below,
			     int64_t *count)
{
	below[0] = w[0];
	for (int64_t j = 1; j <= top; j++)
		below[j] = below[j - 1] + w[j];
	for (int64_t j = top; j >= 1 && n > 0; j--) {
		int64_t c = 0;
		if (w[j] > 0)
			c = (int64_t)sample_binomial(r, (uint64_t)n, fmin(1, w[j] / below[j]));
		count[j] += c;
		n -= c;
	}
}

uint64_t sample_binomial(struct rng *r, uint64_t n, double p)
{
	double lq = NAN;

	return sample_binomial_lq(r, n, p, &lq);
}

uint64_t sample_binomial_lq(struct rng *r, uint64_t n, double p, double *lq)
{
	/* A NaN p draws 0, as inversion would, and never reaches BTRS, which would not stop. */
	if (n == 0 || !(p > 0))
		return 0;
	if (p >= 1)
		return n;
	if (p > 0.5)
		return n - sample_binomial(r, n, 1 - p);
	if ((double)n * p < BINOMIAL_BTRS_MEAN) {
		if (isnan(*lq))
			*lq = log1p(-p);
		return binomial_inversion(r, n, p, *lq);
	}
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

/*
 * Below this many cells a 64-bit word gives two throws of 32 bits each (a
 * throw is then rejected with probability below n / 2^32).
 */
#define OCCUPANCY_NARROW ((int64_t)1 << 28)

/*
 * The balls of a chunk expected to land in empty cells, squared, per empty
 * cell: the chunk's binomial (~100 ns) spread over its balls against the
 * throws wasted on cells the chunk itself filled (~lambda^2 / 2E at ~1.5 ns),
 * lambda = sqrt(2 E 100 / 1.5).
 */
#define OCCUPANCY_CHUNK 128.0

/*
 * c throws into n cells of which m are empty; returns how many stay empty.
 * A throw is a uniform word x below lim = n L, L = floor((2^w - 1) / n), so
 * that floor(x / L) is a uniform cell in [0, n); numbering the empty cells
 * first, it is empty iff x < m L.  thr holds m L and drops by L whenever a
 * throw fills a cell, so a throw costs a comparison and no division.
 */
static uint64_t throws_narrow(struct rng *r, uint32_t n, uint32_t m, uint64_t c)
{
	uint32_t cell = UINT32_MAX / n, lim = n * cell, thr = m * cell;

	while (c >= 2) {
		uint64_t w = rng_next(r);
		uint32_t x = (uint32_t)w, y = (uint32_t)(w >> 32);
		if (x < lim && y < lim) {
			thr -= cell & -(uint32_t)(x < thr);
			thr -= cell & -(uint32_t)(y < thr);
			c -= 2;
			continue;
		}
		/* A rejected half is skipped; the other still counts. */
		if (x < lim) {
			thr -= cell & -(uint32_t)(x < thr);
			c--;
		}
		if (y < lim) {
			thr -= cell & -(uint32_t)(y < thr);
			c--;
		}
	}
	if (c == 1) {
		uint32_t x;
		do
			x = (uint32_t)rng_next(r);
		while (x >= lim);
		thr -= cell & -(uint32_t)(x < thr);
	}
	return thr / cell;
}

static uint64_t throws_wide(struct rng *r, uint64_t n, uint64_t m, uint64_t c)
{
	uint64_t cell = UINT64_MAX / n, lim = n * cell, thr = m * cell;

	for (; c > 0; c--) {
		uint64_t x;
		do
			x = rng_next(r);
		while (x >= lim);
		thr -= cell & -(uint64_t)(x < thr);
	}
	return thr / cell;
}

/*
 * In chunks: of a chunk's c balls, Binomial(c, m / n) land among the m
 * cells empty at its start, each uniformly and independently, so only
 * those are thrown, into those m cells.  The chunk holds about lambda n / m
 * balls, lambda = sqrt(OCCUPANCY_CHUNK m) landing among the m, at most m.
 */
int64_t sample_occupancy(struct rng *r, int64_t n, int64_t m, int64_t b)
{
	while (b > 0 && m > 0) {
		double lambda = fmin(sqrt(OCCUPANCY_CHUNK * (double)m), (double)m);
		double want = ceil(lambda * (double)n / (double)m);
		int64_t c = want < (double)b ? (int64_t)want : b;
		uint64_t in = sample_binomial(r, (uint64_t)c, (double)m / (double)n);

		if (in > 0)
			m = sample_throws(r, m, m, (int64_t)in, m >= OCCUPANCY_NARROW);
		b -= c;
	}
	return m;
}

int64_t sample_throws(struct rng *r, int64_t n, int64_t m, int64_t c, int wide)
{
	return (int64_t)(wide ? throws_wide(r, (uint64_t)n, (uint64_t)m, (uint64_t)c)
			      : throws_narrow(r, (uint32_t)n, (uint32_t)m, (uint64_t)c));
}
