/*
 * test_dist.c — the pmfs against binomial coefficients computed directly.
 */
#include <math.h>

#include "fanout/dist.h"
#include "suites.h"

static double choose(int64_t n, int64_t k)
{
	double c = 1;

	if (k < 0 || k > n)
		return 0;
	for (int64_t j = 1; j <= k; j++)
		c = c * (double)(n - k + j) / (double)j;
	return c;
}

static const struct { int64_t pop, succ, draws; } hyp_cases[] = {
	/* pop succ draws */
	{ 24, 0, 3 }, { 24, 5, 3 }, { 24, 21, 3 }, { 24, 24, 24 }, { 9, 4, 9 },
	{ 30, 12, 15 }, { 1, 1, 0 }, { 40, 39, 2 }, { 60, 30, 30 },
};

START_TEST(test_hypergeom_direct)
{
	int64_t pop = hyp_cases[_i].pop, succ = hyp_cases[_i].succ, draws = hyp_cases[_i].draws;
	double out[64], sum = 0;

	dist_hypergeom(pop, succ, draws, out, 64);
	for (int64_t h = 0; h < 64; h++) {
		double want = choose(succ, h) * choose(pop - succ, draws - h) / choose(pop, draws);
		ck_assert_msg(fabs(out[h] - want) <= 1e-13, "Hyp(%lld; %lld,%lld,%lld): want %.17g got %.17g",
			      (long long)h, (long long)pop, (long long)succ, (long long)draws, want, out[h]);
		sum += out[h];
	}
	ck_assert_double_eq_tol(sum, 1, 1e-13);
}
END_TEST

static const struct { int64_t n; double p; } bin_cases[] = {
	/* n  p */
	{ 0, 0.3 }, { 1, 0.5 }, { 10, 0.0 }, { 10, 1.0 }, { 10, 0.1 }, { 25, 0.9 }, { 50, 0.5 },
};

START_TEST(test_binom_direct)
{
	int64_t n = bin_cases[_i].n;
	double p = bin_cases[_i].p, out[64];

	dist_binom(n, p, out);
	for (int64_t k = 0; k <= n; k++) {
		double want = choose(n, k) * pow(p, (double)k) * pow(1 - p, (double)(n - k));
		ck_assert_msg(fabs(out[k] - want) <= 1e-13, "Bin(%lld; %lld, %g): want %.17g got %.17g",
			      (long long)k, (long long)n, p, want, out[k]);
	}
}
END_TEST

/* 1 - E[loss^J] against the sum over J directly. */
START_TEST(test_pull_success)
{
	double scratch[64], loss = 0.3;

	for (int64_t i = 0; i <= 24; i++) {
		double fail = 0;
		for (int64_t j = 0; j <= 3; j++)
			fail += choose(i, j) * choose(24 - i, 3 - j) / choose(24, 3) * pow(loss, (double)j);
		ck_assert_double_eq_tol(dist_pull_success(24, i, 3, loss, scratch), 1 - fail, 1e-14);
	}
}
END_TEST

Suite *dist_suite(void)
{
	Suite *s = suite_create("dist");
	TCase *tc = tcase_create("pmf");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_hypergeom_direct, 0, (int)(sizeof hyp_cases / sizeof hyp_cases[0]));
	tcase_add_loop_test(tc, test_binom_direct, 0, (int)(sizeof bin_cases / sizeof bin_cases[0]));
	tcase_add_test(tc, test_pull_success);
	suite_add_tcase(s, tc);
	return s;
}
