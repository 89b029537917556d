/* SPDX-License-Identifier: MIT */
/*
 * binom.c — the Clopper-Pearson interval of a binomial proportion (sim.h),
 * from the regularized incomplete beta function: P(X >= k | n, p) = I_p(k, n - k + 1).
 */
#include <math.h>

#include "fanout/sim.h"

/* Continued-fraction iterations at most; it converges in O(sqrt(max(a, b))). */
#define BETA_CF_MAX 100000
#define BETA_CF_EPS 1e-15
#define BETA_TINY 1e-300
/* Bisection steps on [0, 1]: far past double precision. */
#define BISECT_STEPS 200

/*
 * 1 / (1 + d1 / (1 + d2 / (1 + …))) of I_x(a, b)'s expansion, by the modified
 * Lentz method: d(2m+1) = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),
 * d(2m) = m(b-m)x / ((a+2m-1)(a+2m)).
 */
static double beta_cf(double a, double b, double x)
{
	/* Lentz's two running ratios, carried from one term to the next. */
	struct { double c, d; } l = { 1, 0 };
	double f = 1;

	for (int j = 1; j <= BETA_CF_MAX; j++) {
		double m = (double)(j / 2), dj, delta;
		if (j % 2)
			dj = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		else
			dj = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		l.d = 1 + dj * l.d;
		if (fabs(l.d) < BETA_TINY)
			l.d = BETA_TINY;
		l.c = 1 + dj / l.c;
		if (fabs(l.c) < BETA_TINY)
			l.c = BETA_TINY;
		l.d = 1 / l.d;
		delta = l.c * l.d;
		f *= delta;
		if (fabs(delta - 1) < BETA_CF_EPS)
			break;
	}
	return 1 / f;
}

double sim_beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	if (x > (a + 1) / (a + b + 2))
		return 1 - sim_beta_inc(b, a, 1 - x);
	front = exp(a * log(x) + b * log1p(-x) + lgamma(a + b) - lgamma(a) - lgamma(b)) / a;
	return fmin(1, front * beta_cf(a, b, x));
}

/* The x in [0, 1] with I_x(a, b) = y (I rises with x). */
static double beta_inv(double a, double b, double y)
{
	double lo = 0, hi = 1;

	for (int i = 0; i < BISECT_STEPS; i++) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		if (sim_beta_inc(a, b, mid) < y)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}

void sim_clopper_pearson(int64_t hits, int64_t n, double alpha, double ci[2])
{
	double k = (double)hits, m = (double)n, half = alpha / 2;

	/* Closed forms at the ends: (alpha/2)^(1/n) and its mirror. */
	if (hits <= 0)
		ci[0] = 0;
	else if (hits >= n)
		ci[0] = exp(log(half) / m);
	else
		ci[0] = beta_inv(k, m - k + 1, half);
	if (hits >= n)
		ci[1] = 1;
	else if (hits <= 0)
		ci[1] = -expm1(log(half) / m);
	else
		ci[1] = beta_inv(k + 1, m - k, 1 - half);
}
