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
	struct dist_pmf r;

	dist_hypergeom(pop, succ, draws, out, 64, &r);
	for (int64_t h = 0; h < 64; h++) {
		double want = choose(succ, h) * choose(pop - succ, draws - h) / choose(pop, draws);
		ck_assert_msg(fabs(out[h] - want) <= 1e-13, "Hyp(%lld; %lld,%lld,%lld): want %.17g got %.17g",
			      (long long)h, (long long)pop, (long long)succ, (long long)draws, want, out[h]);
		sum += out[h];
	}
	ck_assert_double_eq_tol(sum, 1, 1e-13);
	/* The support it reports, and a bound of a few units of roundoff per entry. */
	ck_assert_int_eq(r.lo, draws > pop - succ ? draws - (pop - succ) : 0);
	ck_assert_int_eq(r.hi, draws < succ ? draws : succ);
	ck_assert_msg(r.rel > 0 && r.rel < 1e-12 && r.tail == 0, "rel %g tail %g", r.rel, r.tail);
}
END_TEST

static const struct { int64_t n; double p; } bin_cases[] = {
	/* n  p */
	{ 0, 0.3 }, { 1, 0.5 }, { 10, 0.0 }, { 10, 1.0 }, { 10, 0.1 }, { 25, 0.9 }, { 50, 0.5 },
	{ 60, 1e-9 }, { 60, 0.999999 },
};

/* The whole support (eps 0) against the direct formula, within the returned bound. */
START_TEST(test_binom_direct)
{
	int64_t n = bin_cases[_i].n;
	double p = bin_cases[_i].p, out[128], full[64] = { 0 };
	struct dist_pmf r;

	dist_binom_range(n, p, 1 - p, 1.2e-16, 0, out, &r);
	ck_assert(r.lo >= 0 && r.hi <= n && r.rel < 1e-12);
	for (int64_t k = r.lo; k <= r.hi; k++)
		full[k] = out[k - r.lo];
	for (int64_t k = 0; k <= n; k++) {
		double want = choose(n, k) * pow(p, (double)k) * pow(1 - p, (double)(n - k));
		ck_assert_msg(fabs(full[k] - want) <= 1e-13 * want + r.tail + 1e-300,
			      "Bin(%lld; %lld, %g): want %.17g got %.17g", (long long)k, (long long)n, p,
			      want, full[k]);
	}
}
END_TEST

/* Truncated at eps: what is dropped is below the returned tail bound, which is below eps. */
START_TEST(test_binom_truncated)
{
	int64_t n = 60;
	double p = 0.05 + 0.1 * _i, out[128], eps = 1e-12, kept = 0, dropped = 0;
	struct dist_pmf r;

	dist_binom_range(n, p, 1 - p, 1.2e-16, eps, out, &r);
	ck_assert(r.tail <= eps * 1.001);
	for (int64_t k = 0; k <= n; k++) {
		double want = choose(n, k) * pow(p, (double)k) * pow(1 - p, (double)(n - k));
		if (k < r.lo || k > r.hi)
			dropped += want;
		else
			kept += out[k - r.lo];
	}
	ck_assert_msg(r.lo > 0 || r.hi < n, "p %g: nothing truncated", p);
	ck_assert_msg(dropped <= r.tail, "p %g: dropped %.3g above the bound %.3g", p, dropped, r.tail);
	ck_assert_double_eq_tol(kept, 1, 1e-14);
}
END_TEST

/* E[loss^J] and 1 - E[loss^J] against the sum over J directly. */
START_TEST(test_pull_fail)
{
	double scratch[64], loss = _i ? 0.3 : 0;

	for (int64_t i = 0; i <= 24; i++) {
		double fail = 0;
		struct dist_pull r;
		for (int64_t j = 0; j <= 3; j++)
			fail += choose(i, j) * choose(24 - i, 3 - j) / choose(24, 3) * pow(loss, (double)j);
		dist_pull_fail(24, i, 3, loss, scratch, &r);
		ck_assert_double_eq_tol(r.fail, fail, 1e-14);
		ck_assert_double_eq_tol(r.success, 1 - fail, 1e-14);
		ck_assert(r.rel > 0 && r.rel < 1e-13);
	}
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_hypergeom_direct, UNIT_COUNT(hyp_cases)),
	UNIT_LOOP(test_binom_direct, UNIT_COUNT(bin_cases)),
	UNIT_LOOP(test_binom_truncated, 9),
	UNIT_LOOP(test_pull_fail, 2),
};

Suite *dist_suite(void)
{
	return unit_suite("dist", suite_cases, UNIT_COUNT(suite_cases), 300);
}
