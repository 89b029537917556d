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

static const struct { uint64_t n; double p; } binomials[] = {
	/* { n, p } */
	{ 10, 0.3 }, { 50, 0.9 }, { 1000, 0.01 }, { 1000, 0.5 }, { 1000000, 0.3 }, { 123457, 0.0001 },
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

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_binomial, UNIT_COUNT(binomials)),
	UNIT_LOOP(test_geometric, 3),
	UNIT_LOOP(test_beta_moments, 3),
};

Suite *sample_suite(void)
{
	return unit_suite("sample", suite_cases, UNIT_COUNT(suite_cases), 300);
}
