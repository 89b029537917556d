/*
 * test_intervals.c — simulate_gossip's two 95% intervals hold their level.
 *
 * The full-delivery interval (Clopper-Pearson): its exact coverage, summed
 * from the binomial, for every n = 1 … 200 and a geometric run of n up to
 * 2000, at every p where coverage can be least (just outside each end of
 * every interval: between two consecutive ends the covered counts are one
 * range a … b, and P(a <= X <= b) as a function of p has no interior minimum)
 * and on a grid reaching 1e-9 of 0 and 1.  Its ends are exactly 0 and 1.
 *
 * The delivery interval (empirical Bernstein): seeded coverage of the exact
 * chain's mean informed fraction, 1000 seeds a case, with the misses bounded
 * 5 sigma above what 95% coverage allows.  The normal interval it replaced
 * covered about 90% on the first case and fails this.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/exact.h"
#include "fanout/sim.h"
#include "settings.h"
#include "suites.h"

#define CP_NMAX 2000

static long double lfact[CP_NMAX + 1];

static void lfact_init(void)
{
	lfact[0] = 0;
	for (int k = 1; k <= CP_NMAX; k++)
		lfact[k] = lfact[k - 1] + logl((long double)k);
}

/* P(a <= X <= b), X ~ Binomial(n, p), 0 < p < 1, term by term in long double. */
static long double binom_range(int n, long double p, int a, int b)
{
	long double sum = 0, lp = logl(p), lq = log1pl(-p);

	for (int k = a; k <= b; k++)
		sum += expl(lfact[n] - lfact[k] - lfact[n - k] + k * lp + (n - k) * lq);
	return sum;
}

/* Coverage at p of the intervals lo[k], hi[k] (k = 0 … n, both rising in k). */
static long double coverage_at(int n, const double *lo, const double *hi, double p)
{
	int a, b, l, h;

	/* a: least k with hi[k] >= p;  b: largest k with lo[k] <= p. */
	for (l = 0, h = n + 1; l < h;) {
		int m = (l + h) / 2;
		if (hi[m] >= p)
			h = m;
		else
			l = m + 1;
	}
	a = l;
	for (l = -1, h = n; l < h;) {
		int m = (l + h + 1) / 2;
		if (lo[m] <= p)
			l = m;
		else
			h = m - 1;
	}
	b = l;
	return a > b ? 0 : binom_range(n, (long double)p, a, b);
}

static long double least_coverage(int n, double *worst_p)
{
	double *lo = malloc((size_t)(n + 1) * sizeof *lo), *hi = malloc((size_t)(n + 1) * sizeof *hi);
	long double least = 2;

	ck_assert(lo && hi);
	for (int k = 0; k <= n; k++) {
		double ci[2];
		sim_clopper_pearson(k, n, 1 - SIM_CONFIDENCE, ci);
		lo[k] = ci[0];
		hi[k] = ci[1];
		ck_assert(0 <= lo[k] && lo[k] < hi[k] && hi[k] <= 1);
		ck_assert(k == 0 || (lo[k] > lo[k - 1] && hi[k] > hi[k - 1]));
	}
	ck_assert(lo[0] == 0 && hi[n] == 1);
	for (int k = 0; k <= 2 * n + 1 + 2 * 40; k++) {
		double ends[2], e;
		if (k <= 2 * n + 1) {
			e = k % 2 ? hi[k / 2] : lo[k / 2];
		} else {
			/* The grid: 1e-9 … 0.5 geometric, and its mirror. */
			int j = (k - 2 * n - 2) / 2;
			e = 0.5 * pow(1e-9 / 0.5, j / 39.0);
			e = k % 2 ? 1 - e : e;
		}
		ends[0] = e * (1 - 1e-9);
		ends[1] = 1 - (1 - e) * (1 - 1e-9);
		for (int s = 0; s < 2; s++) {
			long double c;
			if (ends[s] <= 0 || ends[s] >= 1)
				continue;
			c = coverage_at(n, lo, hi, ends[s]);
			if (c < least) {
				least = c;
				*worst_p = ends[s];
			}
		}
	}
	free(lo);
	free(hi);
	return least;
}

START_TEST(test_clopper_pearson_coverage)
{
	long double least = 2;
	int worst_n = 0, checked = 0;
	double worst_p = 0;

	lfact_init();
	for (int n = 1; n <= CP_NMAX;) {
		double p = 0;
		long double c = least_coverage(n, &p);
		ck_assert_msg(c >= SIM_CONFIDENCE, "n %d p %.17g coverage %.17Lg", n, p, c);
		if (c < least) {
			least = c;
			worst_n = n;
			worst_p = p;
		}
		checked++;
		n = n < 200 ? n + 1 : (n == CP_NMAX ? n + 1 : (int)fmin(CP_NMAX, ceil(n * 1.1)));
	}
	printf("intervals: Clopper-Pearson 95%%: least exact coverage %.9Lf (n = %d, p = %.6g) over %d n\n",
	       least, worst_n, worst_p, checked);
}
END_TEST

/* The ends are exact: 0 when no trial was fully delivered, 1 when all were. */
START_TEST(test_full_interval_ends)
{
	static const struct gossip_params p = { 200, 1, 10, GOSSIP_PUSH, 0.3, 20, 0, 0 };
	struct sim_tally t;
	struct sim_summary s;

	ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
	ck_assert_int_eq(sim_fast_run(&p, 5, 0, 1000, 1, NULL, &t), FO_OK);
	ck_assert_int_eq(t.trials_full, 0);
	sim_summarize(&t, &s);
	ck_assert(s.full_ci[0] == 0);
	ck_assert(s.full_ci[1] > 0 && s.full_ci[1] < 0.004);
	t.trials_full = t.trials;
	sim_summarize(&t, &s);
	ck_assert(s.full_ci[1] == 1);
	ck_assert(s.full_ci[0] > 0.996);
	sim_tally_release(&t);
}
END_TEST

/* The empirical-Bernstein half width, from the sums by hand; one trial says nothing. */
START_TEST(test_delivery_interval_formula)
{
	static const struct gossip_params p = { 11, 1, 1, GOSSIP_PUSH, 0, 1, 0, 0 }; /* L = 10 */
	struct sim_tally t;
	struct sim_summary s;
	double lg = log(80), var, half;

	ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
	t.trials = 1;
	t.informed_sum = 5;
	t.informed_sq_sum = 25;
	sim_summarize(&t, &s);
	ck_assert(s.delivery_ci[0] == 0 && s.delivery_ci[1] == 1);
	/* Fractions 0.2, 0.5, 0.5, 0.6: mean 0.45, unbiased variance 0.03. */
	t.trials = 4;
	t.informed_sum = 2 + 5 + 5 + 6;
	t.informed_sq_sum = 4 + 25 + 25 + 36;
	sim_summarize(&t, &s); /* half width 7 ln 80 / 9 alone passes 1 */
	ck_assert_double_eq_tol(s.delivery_rate, 0.45, 1e-15);
	ck_assert_double_eq(s.delivery_ci[0], 0);
	ck_assert_double_eq(s.delivery_ci[1], 1);
	t.trials = 4000;
	t.informed_sum = 1000 * 18;
	t.informed_sq_sum = 1000 * 90;
	sim_summarize(&t, &s);
	var = 0.03 * 3 / 4 * 4000 / 3999;
	half = sqrt(2 * var * lg / 4000) + 7 * lg / (3 * 3999);
	ck_assert_double_eq_tol(s.delivery_ci[0], 0.45 - half, 1e-12);
	ck_assert_double_eq_tol(s.delivery_ci[1], 0.45 + half, 1e-12);
	sim_tally_release(&t);
}
END_TEST

/* Cases whose truth the exact chain gives, and few trials per run. */
static const struct {
	struct gossip_params p;
	int64_t trials;
} cover_cases[] = {
	{ { 25, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 }, 100 },
	{ { 30, 1, 6, GOSSIP_PUSH_PULL, 0.1, 3, 0, 0 }, 20 },
	{ { 40, 2, 5, GOSSIP_PUSH, 0.1, 0, 1, 0 }, 50 },
};

/*
 * 1000 seeds a case: at 95% coverage the misses are at most Binomial(1000,
 * 0.05), mean 50, sd 6.9; more than 84 happens with probability below 1e-6.
 */
START_TEST(test_delivery_coverage)
{
	const struct gossip_params *p = &cover_cases[_i].p;
	struct chain_result e;
	double truth;
	int below = 0, above = 0;

	ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
	truth = e.mean_informed[p->rounds] / (double)gossip_live(p);
	for (uint64_t seed = 1; seed <= 1000; seed++) {
		struct sim_tally t;
		struct sim_summary s;
		ck_assert_int_eq(sim_tally_init(&t, p, 0), FO_OK);
		ck_assert_int_eq(sim_fast_run(p, 9000 + seed, 0, cover_cases[_i].trials, 1, NULL, &t), FO_OK);
		sim_summarize(&t, &s);
		below += s.delivery_ci[1] < truth;
		above += s.delivery_ci[0] > truth;
		sim_tally_release(&t);
	}
	printf("intervals: case %d delivery_rate_ci covered %.6f in %d of 1000 (truth below %d, above %d)\n",
	       _i, truth, 1000 - below - above, below, above);
	ck_assert_int_le(below + above, 84);
	chain_result_release(&e);
}
END_TEST

/*
 * Issue 23's wide window: large_n's interval at K = 6 straddles the target
 * (the least K is 6: 0.9417 in 20,000 trials, K = 5 0.637).  Auto lets a
 * simulation decide it; large_n alone still answers 8 but says 6 may do.
 */
START_TEST(test_wide_window_least_k)
{
	static const struct gossip_params p = { 10000, 0, 30, GOSSIP_PUSH, 0.5, 0, 4, 0 };
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.9, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert(a.reachable);
	ck_assert_int_eq(a.fanout_possible, 6);
	ck_assert_msg(a.fanout == 6 || (a.fanout == 7 && a.fanout_uncertain), "K %lld", (long long)a.fanout);
	ck_assert_int_eq(a.fanout, 6); /* as measured: the simulation settles K = 6 */
	ck_assert_int_eq(a.model, CALC_SIMULATION);
	ck_assert(a.delivery_prob_lo >= 0.9);
	/* The estimate holds: the search charged no more than it. */
	ck_assert(a.work <= calc_cost(&p, CALC_AUTO, 0.9));
	ck_assert_int_eq(calc_fanout(&p, CALC_LARGE_N, 0.9, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.fanout, 8);
	ck_assert(a.fanout_uncertain);
	ck_assert_int_eq(a.fanout_possible, 6);
}
END_TEST

/*
 * Issue 23's 399 s run: K = 1 … 9 reach nothing and large_n crawled through
 * each.  Now a 64-trial probe rules most out, and the estimate holds: the
 * work the search charged (large_n's overrun included) stays within the
 * estimate up to one large_n run (see below), and such a budget is enough.  fanoutd's default
 * budget refuses it up front instead of stopping it midway.
 */
START_TEST(test_window_estimate_holds)
{
	static const struct gossip_params p = { 10000, 0, 20, GOSSIP_PUSH, 0, 3000, 2, 0 };
	double est = calc_cost(&p, CALC_AUTO, 0.99);
	struct calc_answer a;

	ck_assert(est > FO_DEFAULT_WORK_BUDGET);
	/*
	 * The estimate reserves large_n for the K just below the prediction
	 * (9 here, P(full) 0.98).  K = 8 (P(full) 0.91) is ruled out by its
	 * 64-trial probe only when 5 or more of them fail (miss_lo > 0.01 at
	 * 99.9%), about 2 streams in 3; otherwise large_n runs for it as well
	 * and the search charges about 14% over the estimate (the simulator's
	 * stream of issue 22 does that here).  K <= 7 (P(full) <= 0.68) is
	 * always ruled out, so 1.25 times the estimate bounds every stream.
	 */
	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.99, 1.25 * est, NULL, &a), FO_OK);
	ck_assert(a.reachable);
	ck_assert_int_eq(a.fanout, 10);
	ck_assert_int_eq(a.fanout_possible, 10);
	ck_assert_msg(a.work <= 1.25 * est, "charged %g, estimated %g", a.work, est);
}
END_TEST

/* min_fanout_possible on a monotone search: exact's narrow intervals make it K itself. */
START_TEST(test_fanout_possible_exact)
{
	static const struct gossip_params p = { 25, 0, 5, GOSSIP_PUSH, 0, 0, 0, 0 };
	static const struct gossip_params q = { 25, 0, 1, GOSSIP_PUSH, 0.5, 0, 0, 0 };
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, 0.99, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.fanout, 3);
	ck_assert_int_eq(a.fanout_possible, 3);
	/* Unreachable (one round, half the messages lost): no K is possible. */
	ck_assert_int_eq(calc_fanout(&q, CALC_EXACT, 0.99, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert(!a.reachable);
	ck_assert_int_eq(a.fanout_possible, 0);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_clopper_pearson_coverage),
	UNIT_TEST(test_full_interval_ends),
	UNIT_TEST(test_delivery_interval_formula),
	UNIT_LOOP(test_delivery_coverage, UNIT_COUNT(cover_cases)),
	UNIT_TEST(test_wide_window_least_k),
	UNIT_TEST(test_window_estimate_holds),
	UNIT_TEST(test_fanout_possible_exact),
};

Suite *intervals_suite(void)
{
	return unit_suite("intervals", suite_cases, UNIT_COUNT(suite_cases), 300);
}
