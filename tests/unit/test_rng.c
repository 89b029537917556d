/*
 * test_rng.c — the generator's known answers, streams, and unbiasedness.
 */
#include <math.h>
#include <stdint.h>

#include "fanout/rng.h"
#include "suites.h"

/* xoshiro256** from state {1, 2, 3, 4}: the reference implementation's first outputs. */
START_TEST(test_known_answer)
{
	struct rng r = { { 1, 2, 3, 4 } };
	const uint64_t want[] = { 11520, 0, 1509978240, 1215971899390074240ULL };

	for (int i = 0; i < 4; i++) {
		uint64_t got = rng_next(&r);
		ck_assert_msg(got == want[i], "output %d: want %llu, got %llu", i,
			      (unsigned long long)want[i], (unsigned long long)got);
	}
}
END_TEST

START_TEST(test_streams_are_pure_and_distinct)
{
	struct rng a, b, c;
	int same_ac = 0;

	rng_stream(&a, 42, 7);
	rng_stream(&b, 42, 7);
	rng_stream(&c, 42, 8);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
		ck_assert_uint_eq(x, y);
		same_ac += x == z;
	}
	ck_assert_int_eq(same_ac, 0);
}
END_TEST

static const uint64_t bounds[] = { 1, 2, 3, 7, 1000, (1ULL << 63) + 1, UINT64_MAX };

START_TEST(test_below_in_range)
{
	struct rng r;
	uint64_t n = bounds[_i];

	int outside = 0;

	rng_stream(&r, 1, (uint64_t)_i);
	for (int i = 0; i < 10000; i++)
		outside += !(rng_below(&r, n) < n);
	ck_assert_msg(outside == 0, "rng_below(%llu) left the range %d times", (unsigned long long)n,
		      outside);
}
END_TEST

/*
 * Chi-square over 6 and over 5 buckets, 600000 draws at a fixed seed.  The
 * thresholds are the 1 - 1e-6 quantiles (5 df: 35.9; 4 df: 33.4), so a
 * correct generator fails with probability about 1e-6.
 */
START_TEST(test_below_uniform)
{
	static const struct { uint64_t n; double limit; } cases[] = { { 6, 35.9 }, { 5, 33.4 } };
	struct rng r;
	long count[6] = { 0 };
	const long draws = 600000;
	uint64_t n = cases[_i].n;
	double chi2 = 0, expect = (double)draws / (double)n;

	rng_stream(&r, 2024, 0);
	for (long i = 0; i < draws; i++)
		count[rng_below(&r, n)]++;
	for (uint64_t k = 0; k < n; k++)
		chi2 += ((double)count[k] - expect) * ((double)count[k] - expect) / expect;
	ck_assert_msg(chi2 < cases[_i].limit, "n=%llu chi2=%g", (unsigned long long)n, chi2);
}
END_TEST

/* Mean of 1e6 uniform doubles within 5 standard errors of 1/2, all in [0, 1). */
START_TEST(test_unit_interval)
{
	struct rng r;
	double sum = 0;
	const int n = 1000000;
	int outside = 0;

	rng_stream(&r, 9, 9);
	for (int i = 0; i < n; i++) {
		double u = rng_unit(&r);
		outside += !(u >= 0 && u < 1);
		sum += u;
	}
	ck_assert_int_eq(outside, 0);
	ck_assert_double_le(fabs(sum / n - 0.5), 5 * sqrt(1.0 / 12 / n));
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_known_answer),
	UNIT_TEST(test_streams_are_pure_and_distinct),
	UNIT_LOOP(test_below_in_range, UNIT_COUNT(bounds)),
	UNIT_LOOP(test_below_uniform, 2),
	UNIT_TEST(test_unit_interval),
};

Suite *rng_suite(void)
{
	return unit_suite("rng", suite_cases, UNIT_COUNT(suite_cases), 300);
}
