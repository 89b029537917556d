/* SPDX-License-Identifier: MIT */
/*
 * test_exact.c — the exact chain against the reference point, against brute
 * force on labelled nodes, and on its edge cases.
 */
#include <math.h>
#include <string.h>

#include "brute.h"
#include "fanout/exact.h"
#include "suites.h"

/* MODEL.md's reference point: push, N = 25, K = 3, R = 5 gives 0.994726… */
START_TEST(test_reference_point)
{
	struct gossip_params p = { 25, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct chain_result r;

	ck_assert_int_eq(exact_run(&p, NULL, &r), FO_OK);
	ck_assert_double_eq_tol(r.p_full[5], 0.994726178, 1e-9);
	/* The true miss, from rational arithmetic: 0.005273821947446322… */
	ck_assert_double_le(fabs(r.p_miss[5] - 0.005273821947446322), r.round_bound[5] + 1e-18);
	ck_assert_double_eq_tol(r.mean_informed[1], 4, 1e-12);  /* origin + 3 distinct peers */
	ck_assert_double_eq(r.p_full[0], 0);
	ck_assert_double_eq(r.p_miss[0], 1);
	ck_assert(r.round_bound[5] > 0 && r.round_bound[5] <= 1e-14);
	ck_assert(r.error_bound >= r.round_bound[5] && r.error_bound <= 1e-12);
	chain_result_release(&r);
}
END_TEST

static const struct gossip_params brute_cases[] = {
	/* N  K  R  mode              loss  F  T  X */
	{ 4, 1, 3, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 5, 2, 3, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 5, 2, 3, GOSSIP_PUSH, 0.3, 0, 0, 0 },
	{ 5, 1, 4, GOSSIP_PUSH, 0.2, 1, 0, 0 },
	{ 5, 2, 4, GOSSIP_PUSH, 0, 0, 1, 0 },
	{ 5, 1, 4, GOSSIP_PUSH, 0.25, 1, 2, 0 },
	{ 5, 4, 2, GOSSIP_PUSH, 0.5, 0, 0, 0 },
	{ 4, 1, 3, GOSSIP_PULL, 0, 0, 0, 0 },
	{ 5, 2, 3, GOSSIP_PULL, 0.3, 1, 0, 0 },
	{ 5, 1, 4, GOSSIP_PULL, 0, 0, 1, 0 },     /* the window does not limit pull */
	{ 4, 1, 3, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 5, 2, 3, GOSSIP_PUSH_PULL, 0.4, 1, 0, 0 },
	{ 5, 1, 4, GOSSIP_PUSH_PULL, 0.1, 0, 1, 0 },
	{ 5, 1, 4, GOSSIP_PUSH_PULL, 0, 2, 2, 0 },
	{ 3, 0, 2, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, /* no fanout: nothing moves */
	{ 4, 2, 2, GOSSIP_PUSH, 0, 3, 0, 0 },     /* only the origin is live */
	/* transmit_limit: a partial last round, whole rounds, fewer than K, with loss and failures */
	{ 5, 2, 4, GOSSIP_PUSH, 0, 0, 0, 3 },
	{ 5, 2, 4, GOSSIP_PUSH, 0, 0, 0, 4 },
	{ 5, 3, 3, GOSSIP_PUSH, 0.2, 0, 0, 2 },
	{ 5, 2, 5, GOSSIP_PUSH, 0.3, 1, 0, 5 },
	{ 5, 3, 4, GOSSIP_PUSH, 0.1, 0, 0, 4 },
	{ 5, 2, 3, GOSSIP_PUSH_PULL, 0.2, 1, 0, 3 },
	{ 5, 1, 4, GOSSIP_PULL, 0, 0, 0, 1 },  /* the limit does not limit pull */
	{ 6, 2, 4, GOSSIP_PUSH, 0.1, 0, 0, 3 },
	{ 5, 2, 2, GOSSIP_PUSH, 0, 0, 0, 3 },  /* W = R with a partial last round */
};

START_TEST(test_against_brute_force)
{
	const struct gossip_params *p = &brute_cases[_i];
	double full[16], mean[16];
	struct chain_result r;

	brute_run(p, full, mean);
	ck_assert_int_eq(exact_run(p, NULL, &r), FO_OK);
	for (int64_t k = 0; k <= p->rounds; k++) {
		ck_assert_msg(fabs(r.p_full[k] - full[k]) <= 1e-12 && fabs(r.mean_informed[k] - mean[k]) <= 1e-12,
			      "case %d round %lld: P(full) brute %.15g exact %.15g; E[informed] brute %.15g exact %.15g",
			      _i, (long long)k, full[k], r.p_full[k], mean[k], r.mean_informed[k]);
	}
	chain_result_release(&r);
}
END_TEST

static const struct gossip_params reference_cases[] = {
	/* N   K  R   mode              loss  F   T */
	{ 200, 3, 10, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 150, 2, 12, GOSSIP_PUSH, 0.3, 20, 0, 0 },
	{ 120, 1, 25, GOSSIP_PUSH, 0.1, 0, 0, 0 },
	{ 200, 2, 10, GOSSIP_PULL, 0, 0, 0, 0 },
	{ 150, 3, 8, GOSSIP_PULL, 0.25, 15, 0, 0 },
	{ 100, 1, 20, GOSSIP_PULL, 0.5, 0, 0, 0 },
	{ 200, 2, 8, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 150, 1, 10, GOSSIP_PUSH_PULL, 0.2, 10, 0, 0 },
	{ 60, 5, 6, GOSSIP_PUSH_PULL, 0.7, 3, 0, 0 },
	/* Wide enough that the sweep's paired steps span several tiles. */
	{ 1500, 1, 14, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 1200, 3, 9, GOSSIP_PUSH_PULL, 0.1, 30, 0, 0 },
	{ 1000, 4, 8, GOSSIP_PUSH_PULL, 0.2, 0, 0, 0 },
};

/*
 * The fast rounds (the push walk, the push_pull sweep, the pull binomials
 * over their kept range) against one row per state, and each within the
 * other's bound.
 */
START_TEST(test_against_reference_rows)
{
	const struct gossip_params *p = &reference_cases[_i];
	struct chain_result fast, ref;

	ck_assert_int_eq(exact_run(p, NULL, &fast), FO_OK);
	ck_assert_int_eq(exact_run_reference(p, &ref), FO_OK);
	for (int64_t k = 0; k <= p->rounds; k++) {
		double tol = fast.round_bound[k] + ref.round_bound[k];
		ck_assert_msg(fabs(fast.p_full[k] - ref.p_full[k]) <= fmin(tol, 1e-12) &&
			      fabs(fast.p_miss[k] - ref.p_miss[k]) <= tol &&
			      fabs(fast.mean_informed[k] - ref.mean_informed[k]) <= 1e-9,
			      "case %d round %lld: P(full) %.17g vs %.17g, P(miss) %.17g vs %.17g (bounds %.3g, %.3g)",
			      _i, (long long)k, fast.p_full[k], ref.p_full[k], fast.p_miss[k], ref.p_miss[k],
			      fast.round_bound[k], ref.round_bound[k]);
	}
	ck_assert_double_le(fabs(fast.node_miss - ref.node_miss), fast.error_bound + ref.error_bound);
	chain_result_release(&fast);
	chain_result_release(&ref);
}
END_TEST

/* A window as long as R is no window: bit-identical to unlimited. */
START_TEST(test_window_at_least_rounds_is_unlimited)
{
	struct gossip_params p = { 30, 2, 6, GOSSIP_PUSH, 0.1, 3, 0, 0 };
	struct chain_result a, b;

	ck_assert_int_eq(exact_run(&p, NULL, &a), FO_OK);
	p.forward_rounds = 6;
	ck_assert_int_eq(exact_run(&p, NULL, &b), FO_OK);
	ck_assert_mem_eq(a.p_full, b.p_full, 7 * sizeof(double));
	ck_assert_mem_eq(a.mean_informed, b.mean_informed, 7 * sizeof(double));
	chain_result_release(&a);
	chain_result_release(&b);
}
END_TEST

/*
 * transmit_limit T * K is forward_rounds T, bit for bit; and a limit of at
 * least R * K is no limit.
 */
START_TEST(test_transmit_limit_whole_rounds)
{
	struct gossip_params p = { 40, 3, 8, (enum gossip_mode)(_i % 3), 0.15, 4, 2, 0 };
	struct chain_result a, b;

	ck_assert_int_eq(exact_run(&p, NULL, &a), FO_OK);
	p.forward_rounds = 0;
	p.transmit_limit = 2 * 3;
	ck_assert_int_eq(exact_run(&p, NULL, &b), FO_OK);
	ck_assert_mem_eq(a.p_full, b.p_full, 9 * sizeof(double));
	ck_assert_mem_eq(a.mean_informed, b.mean_informed, 9 * sizeof(double));
	ck_assert_mem_eq(a.final_informed, b.final_informed, 37 * sizeof(double));
	chain_result_release(&a);
	chain_result_release(&b);
	p.transmit_limit = 8 * 3;
	ck_assert_int_eq(exact_run(&p, NULL, &a), FO_OK);
	p.transmit_limit = 0;
	ck_assert_int_eq(exact_run(&p, NULL, &b), FO_OK);
	ck_assert_mem_eq(a.p_full, b.p_full, 9 * sizeof(double));
	chain_result_release(&a);
	chain_result_release(&b);
}
END_TEST

/* P(full by r) never falls, and E[informed] stays within [1, L]. */
START_TEST(test_invariants)
{
	struct gossip_params p = { 60, 2, 12, (enum gossip_mode)(_i % 3), 0.2, 5, _i < 3 ? 0 : 2, 0 };
	struct chain_result r;

	ck_assert_int_eq(exact_run(&p, NULL, &r), FO_OK);
	for (int64_t k = 1; k <= p.rounds; k++) {
		ck_assert_double_ge(r.p_full[k], r.p_full[k - 1] - 1e-15);
		ck_assert(r.mean_informed[k] >= 1 - 1e-12 && r.mean_informed[k] <= 55 + 1e-9);
	}
	ck_assert(r.node_miss >= 0 && r.node_miss <= 1);
	chain_result_release(&r);
}
END_TEST

START_TEST(test_single_live_node)
{
	struct gossip_params p = { 1, 0, 3, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct chain_result r;

	ck_assert_int_eq(exact_run(&p, NULL, &r), FO_OK);
	ck_assert_double_eq(r.p_full[0], 1);
	ck_assert_double_eq(r.p_full[3], 1);
	ck_assert_double_eq(r.node_miss, 0);
	chain_result_release(&r);
}
END_TEST

START_TEST(test_refusals)
{
	struct gossip_params p = { 200, 3, 100, GOSSIP_PUSH, 0, 0, 70, 0 };
	struct chain_result r;
	atomic_int cancel = 1;

	/* A window of 70 cohorts is not tractable: refused, not attempted. */
	ck_assert_int_eq(exact_run(&p, NULL, &r), FO_TOO_LARGE);
	ck_assert_ptr_null(r.p_full);
	p.forward_rounds = 0;
	ck_assert_int_eq(exact_run(&p, &cancel, &r), FO_CANCELLED);
	ck_assert_ptr_null(r.p_full);
}
END_TEST

/*
 * The cost estimate has the algorithm's shape: it grows faster than N (the
 * rows widen like sqrt(N)), loss and push_pull make it dearer, a long R after
 * everyone is informed costs little more, and past a million nodes it is out
 * of reach.  (How close it is to measured time is for `make bench`, not for
 * a test.)
 */
/*
 * exact_run_decide: its bounds on P(full at R), one round before the end
 * (at target 1e-300, where it never decides) and whichever decides at
 * target 1 (two rounds or one before the end, when below 1/2: `decided`),
 * are at least the chain's own lower end p_full[R] - full_bound[R], so they
 * bound the true value from above; the one-round bound is close to it
 * (`tight`: within 1% relatively).  Undecided, the figures are exact_run's
 * to the last bit; decided, nothing is left to release.
 */
static const struct { struct gossip_params p; int tight, decided; } decide_cases[] = {
	/* { { N, K, R, mode, loss, F, T, X }, tight, decided } */
	{ { 1000, 1, 8, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 1, 1 },
	{ { 1000, 1, 10, GOSSIP_PUSH_PULL, 0.1, 0, 0, 0 }, 1, 0 },
	{ { 5000, 1, 11, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 1, 0 },
	{ { 3000, 1, 9, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 1, 1 },
	{ { 1000, 2, 6, GOSSIP_PUSH, 0, 0, 0, 0 }, 0, 1 },
	{ { 1000, 3, 9, GOSSIP_PUSH, 0.2, 100, 0, 0 }, 1, 1 },
	{ { 1000, 1, 10, GOSSIP_PULL, 0, 0, 0, 0 }, 1, 1 },
	{ { 1000, 2, 7, GOSSIP_PULL, 0, 0, 0, 0 }, 1, 1 },
	{ { 1000, 1, 20, GOSSIP_PULL, 0.3, 100, 0, 0 }, 1, 1 },
	{ { 40, 1, 6, GOSSIP_PUSH, 0, 0, 2, 0 }, 0, 0 }, /* a window: no bound (1) */
};

START_TEST(test_decide_bound)
{
	const struct gossip_params *p = &decide_cases[_i].p;
	struct chain_result r, d;
	double upper, lower, at_one;
	size_t n = (size_t)p->rounds + 1;

	ck_assert_int_eq(exact_run(p, NULL, &r), FO_OK);
	ck_assert_int_eq(exact_run_decide(p, NULL, 1e-300, &d, &upper), FO_OK);
	ck_assert_int_eq(memcmp(r.p_full, d.p_full, n * sizeof *r.p_full), 0);
	ck_assert_int_eq(memcmp(r.p_miss, d.p_miss, n * sizeof *r.p_miss), 0);
	ck_assert_int_eq(memcmp(r.round_bound, d.round_bound, n * sizeof *r.round_bound), 0);
	chain_result_release(&d);
	lower = r.p_full[p->rounds] - r.full_bound[p->rounds];
	ck_assert_double_le(upper, 1);
	ck_assert_double_ge(upper, lower);
	if (decide_cases[_i].tight)
		ck_assert_double_le(upper, r.p_full[p->rounds] * 1.01 + 1e-300);
	if (p->forward_rounds)
		ck_assert_double_eq(upper, 1);
	ck_assert_int_eq(exact_run_decide(p, NULL, 1, &d, &at_one), FO_OK);
	ck_assert_double_le(at_one, 1);
	ck_assert_double_ge(at_one, lower);
	if (at_one < 0.5) {
		ck_assert_ptr_null(d.p_full);
	} else {
		ck_assert_double_eq(at_one, upper);
		ck_assert_int_eq(memcmp(r.p_full, d.p_full, n * sizeof *r.p_full), 0);
		chain_result_release(&d);
	}
	ck_assert_int_eq(at_one < 0.5, decide_cases[_i].decided);
	chain_result_release(&r);
}
END_TEST

START_TEST(test_cost_estimate)
{
	struct gossip_params p = { 100, 3, 10, GOSSIP_PUSH, 0, 0, 0, 0 };
	double small = exact_cost(&p), big;

	p.nodes = 1000;
	big = exact_cost(&p);
	ck_assert_double_gt(big, 10 * small);
	p.loss = 0.1;
	ck_assert_double_gt(exact_cost(&p), 1.5 * big);
	p.loss = 0;
	p.mode = GOSSIP_PUSH_PULL;
	ck_assert_double_gt(exact_cost(&p), 2 * big);
	p.rounds = 1000;
	ck_assert_double_lt(exact_cost(&p), 2 * exact_cost(&(struct gossip_params){ 1000, 3, 10, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }));
	p.nodes = 2000000;
	ck_assert(isinf(exact_cost(&p)));
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_reference_point),
	UNIT_LOOP(test_against_brute_force, UNIT_COUNT(brute_cases)),
	UNIT_LOOP(test_against_reference_rows, UNIT_COUNT(reference_cases)),
	UNIT_TEST(test_window_at_least_rounds_is_unlimited),
	UNIT_LOOP(test_transmit_limit_whole_rounds, 3),
	UNIT_LOOP(test_invariants, 6),
	UNIT_TEST(test_single_live_node),
	UNIT_TEST(test_refusals),
	UNIT_LOOP(test_decide_bound, UNIT_COUNT(decide_cases)),
	UNIT_TEST(test_cost_estimate),
};

Suite *exact_suite(void)
{
	return unit_suite("exact", suite_cases, UNIT_COUNT(suite_cases), 300);
}
