/* SPDX-License-Identifier: MIT */
/*
 * test_sample.c — the exact samplers against their distributions: chi-square
 * at fixed seeds, failing a correct sampler with probability about 1e-6.
 */
#include <math.h>
#include <stdlib.h>

#include "fanout/dist.h"
#include "fanout/sample.h"
#include "stats.h"
#include "suites.h"

#define DRAWS 60000

/*
 * Inversion below n min(p, 1 - p) = 10, BTRS from it: both sides of the
 * switch, p = 1/2, p > 1/2 (drawn as n - Bin(n, 1 - p)), small and large n.
 */
static const struct { uint64_t n; double p; } binomials[] = {
	/* { n, p } */
	{ 10, 0.3 }, { 50, 0.9 }, { 1000, 0.01 }, { 1000, 0.5 }, { 1000000, 0.3 }, { 123457, 0.0001 },
	{ 100, 0.0999 }, { 100, 0.1 }, { 20, 0.5 }, { 21, 0.47 }, { 25, 0.42 }, { 40, 0.75 },
	{ 64, 0.84375 }, { 200, 0.3 }, { 1000, 0.013 }, { 5000, 0.002 }, { 30000, 0.5 },
	{ 250000, 0.00005 }, { 999999, 0.01 },
};

START_TEST(test_binomial)
{
	uint64_t n = binomials[_i].n;
	double p = binomials[_i].p, chi2;
	double *pmf = malloc((n + 1) * sizeof *pmf);
	int64_t *count = calloc(n + 1, sizeof *count);
	struct rng r;
	int df, outside = 0;

	rng_stream(&r, 31, (uint64_t)_i);
	dist_binom((int64_t)n, p, pmf);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k = sample_binomial(&r, n, p);
		count[k <= n ? k : n]++;
		outside += k > n;
	}
	ck_assert_int_eq(outside, 0);
	chi2 = chi_square(count, pmf, (int)n + 1, DRAWS, &df);
	ck_assert_msg(chi2 < chi_square_limit(df), "Bin(%llu, %g): chi2 %.1f, df %d, limit %.1f",
		      (unsigned long long)n, p, chi2, df, chi_square_limit(df));
	free(pmf);
	free(count);
}
END_TEST

/*
 * BTRS's hat lies above the pmf and its squeeze below it (what makes the
 * sampler exact) on a grid of (n, p) with n p >= 10, from the smallest
 * means to n = 10^12, each over 20000 points of u.
 */
START_TEST(test_btrs_hat_covers)
{
	static const double ns[] = { 20, 23, 40, 100, 1e3, 1e4, 1e6, 1e9, 1e12 };
	static const double ps[] = { 0.5, 0.45, 0.3, 0.1, 0.01, 1e-4, 1e-6, 1e-9 };
	int checked = 0;

	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		for (size_t j = 0; j <= sizeof ps / sizeof ps[0]; j++) {
			/* The last column: the smallest mean BTRS takes, n p = 10. */
			double p = j < sizeof ps / sizeof ps[0] ? ps[j] : 10 / ns[i], hat, squeeze;
			if (ns[i] * p < 10 || p > 0.5)
				continue;
			sample_btrs_margins((uint64_t)ns[i], p, 20000, &hat, &squeeze);
			ck_assert_msg(hat <= 0 && squeeze >= 0, "n %g p %g: hat %g squeeze %g", ns[i], p, hat,
				      squeeze);
			checked++;
		}
	ck_assert_int_ge(checked, 50);
}
END_TEST

/* Far beyond what the chi-square tests can tabulate: mean and variance at n = 10^12. */
START_TEST(test_binomial_huge_n)
{
	static const double ps[] = { 0.3, 1e-10, 0.999999 };
	const double n = 1e12, p = ps[_i], mean = n * p, var = n * p * (1 - p);
	double sum = 0, sq = 0;
	struct rng r;

	rng_stream(&r, 34, (uint64_t)_i);
	for (int i = 0; i < DRAWS; i++) {
		double k = (double)sample_binomial(&r, (uint64_t)n, p);
		ck_assert(k <= n);
		sum += k - mean;
		sq += (k - mean) * (k - mean);
	}
	ck_assert_double_le(fabs(sum / DRAWS), 5 * sqrt(var / DRAWS));
	/* Near-normal, so the sample variance's standard error is about var sqrt(2/n): 2.5% at 5 of them. */
	ck_assert_double_le(fabs(sq / DRAWS - var), 0.03 * var);
}
END_TEST

/* Both ways of drawing: counting trials (p >= 1/4) and the logarithm. */
START_TEST(test_geometric)
{
	static const double ps[] = { 0.6, 0.3, 0.01 };
	double p = ps[_i], expected[2001], chi2;
	int64_t count[2001] = { 0 };
	struct rng r;
	int df;

	rng_stream(&r, 32, (uint64_t)_i);
	for (int k = 0; k < 2000; k++)
		expected[k] = pow(1 - p, k) * p;
	expected[2000] = pow(1 - p, 2000);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t g = sample_geometric(&r, p);
		count[g < 2000 ? g : 2000]++;
	}
	chi2 = chi_square(count, expected, 2001, DRAWS, &df);
	ck_assert_msg(chi2 < chi_square_limit(df), "Geometric(%g): chi2 %.1f df %d", p, chi2, df);
	ck_assert_uint_eq(sample_geometric(&r, 1), 0);
	ck_assert_uint_eq(sample_geometric(&r, 0), UINT64_MAX);
}
END_TEST

/* Beta (and so gamma) by its mean and variance, within 5 standard errors. */
START_TEST(test_beta_moments)
{
	static const double shapes[][2] = { { 2.5, 4 }, { 0.5, 0.7 }, { 500, 501 } };
	double a = shapes[_i][0], b = shapes[_i][1], sum = 0, sq = 0;
	double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
	struct rng r;
	int outside = 0;

	rng_stream(&r, 33, (uint64_t)_i);
	for (int i = 0; i < DRAWS; i++) {
		double x = sample_beta(&r, a, b);
		outside += !(x >= 0 && x <= 1);
		sum += x;
		sq += (x - mean) * (x - mean);
	}
	ck_assert_int_eq(outside, 0);
	ck_assert_double_le(fabs(sum / DRAWS - mean), 5 * sqrt(var / DRAWS));
	/* The sample variance's own spread: sqrt((m4 - var^2)/n) <= sqrt(2 var^2 + ...); 10% is ample at 60000. */
	ck_assert_double_le(fabs(sq / DRAWS - var), 0.1 * var);
}
END_TEST

/*
 * The exact law of the cells filled when c balls are thrown into n cells
 * with m empty: pmf[f], f = 0..min(m, c), by the chain e -> e - 1 with
 * probability e / n a ball.  Returns min(m, c).
 */
static int64_t occupancy_pmf(double n, int64_t m, int64_t c, double *pmf)
{
	int64_t top = m < c ? m : c;

	pmf[0] = 1;
	for (int64_t f = 1; f <= top; f++)
		pmf[f] = 0;
	for (int64_t ball = 0; ball < c; ball++)
		for (int64_t f = ball < top ? ball : top; f >= 0; f--) {
			double fill = (double)(m - f) / n * pmf[f];
			pmf[f] -= fill;
			if (f < top)
				pmf[f + 1] += fill;
		}
	return top;
}

/* Draws of `filled` (at most top) against pmf[0..top] by chi-square; a message names the case. */
static void check_filled(const int64_t *count, const double *pmf, int64_t top, const char *what,
			 double n, int64_t m, int64_t c)
{
	int df;
	double chi2 = chi_square(count, pmf, (int)top + 1, DRAWS, &df);

	ck_assert_msg(chi2 < chi_square_limit(df), "%s n %.17g m %lld c %lld: chi2 %.1f df %d limit %.1f",
		      what, n, (long long)m, (long long)c, chi2, df, chi_square_limit(df));
}

/*
 * Throws one by one, 32-bit halves and whole words: small n where balls
 * often meet; n = 2^31 + 1 (halves), where about half the draws are
 * rejected (L = 1: the multiple of n a half holds is n itself), and n =
 * floor(2^64 / 3) + 1 (words), where a third are (L = 2), so a rejected
 * draw counted as a throw would show.  Odd c ends on a lone half.
 */
static const struct { int64_t n, m, c; int wide; } throw_cases[] = {
	/* n  m  c  wide */
	{ 5, 5, 7, 0 }, { 5, 3, 8, 1 }, { 1, 1, 3, 0 }, { 1000, 400, 601, 0 }, { 1000, 999, 1500, 1 },
	{ ((int64_t)1 << 31) + 1, (int64_t)1 << 30, 301, 0 },
	{ 6148914691236517206, 2049638230412172402, 300, 1 },
};

START_TEST(test_throws)
{
	int64_t n = throw_cases[_i].n, m = throw_cases[_i].m, c = throw_cases[_i].c, top;
	double *pmf = malloc((size_t)(c + 1) * sizeof *pmf);
	int64_t *count = calloc((size_t)(c + 1), sizeof *count);
	struct rng r;

	top = occupancy_pmf((double)n, m, c, pmf);
	rng_stream(&r, 35, (uint64_t)_i);
	for (int i = 0; i < DRAWS; i++) {
		int64_t left = sample_throws(&r, n, m, c, throw_cases[_i].wide);
		ck_assert(left >= 0 && left <= m && m - left <= top);
		count[m - left]++;
	}
	check_filled(count, pmf, top, throw_cases[_i].wide ? "words" : "halves", (double)n, m, c);
	free(pmf);
	free(count);
}
END_TEST

/*
 * sample_occupancy in chunks: all cells empty (the first chunk needs no
 * binomial), a few, many balls to few cells, one chunk and many (about
 * sqrt(128 m) n / m balls each), nothing to throw or nothing empty.
 */
static const struct { int64_t n, m, b; } occupancy_cases[] = {
	/* n  m  b */
	{ 10, 10, 5 }, { 10, 4, 30 }, { 1, 1, 3 }, { 7, 0, 5 }, { 7, 3, 0 }, { 1000, 1000, 800 },
	{ 5000, 1200, 3000 }, { 100000, 30, 100000 }, { 20000, 500, 30000 }, { 300, 299, 2000 },
};

START_TEST(test_occupancy)
{
	int64_t n = occupancy_cases[_i].n, m = occupancy_cases[_i].m, b = occupancy_cases[_i].b, top;
	double *pmf = malloc((size_t)(m + 1) * sizeof *pmf);
	int64_t *count = calloc((size_t)(m + 1), sizeof *count);
	struct rng r;

	top = occupancy_pmf((double)n, m, b, pmf);
	rng_stream(&r, 36, (uint64_t)_i);
	for (int i = 0; i < DRAWS; i++) {
		int64_t left = sample_occupancy(&r, n, m, b);
		ck_assert(left >= 0 && left <= m && m - left <= top);
		count[m - left]++;
	}
	if (top == 0)
		ck_assert_int_eq(count[0], DRAWS);
	else
		check_filled(count, pmf, top, "occupancy", (double)n, m, b);
	free(pmf);
	free(count);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_binomial, UNIT_COUNT(binomials)),
	UNIT_TEST(test_btrs_hat_covers),
	UNIT_LOOP(test_binomial_huge_n, 3),
	UNIT_LOOP(test_geometric, 3),
	UNIT_LOOP(test_beta_moments, 3),
	UNIT_LOOP(test_throws, UNIT_COUNT(throw_cases)),
	UNIT_LOOP(test_occupancy, UNIT_COUNT(occupancy_cases)),
};

Suite *sample_suite(void)
{
	return unit_suite("sample", suite_cases, UNIT_COUNT(suite_cases), 300);
}
