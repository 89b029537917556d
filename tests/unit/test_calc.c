/* SPDX-License-Identifier: MIT */
/*
 * test_calc.c — the fanout search against a plain scan over every K.
 */
#include <math.h>
#include <string.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/exact.h"
#include "fanout/largen.h"
#include "suites.h"

/* The seed's example: exact answers 3 with miss 0.005274, the formula 15. */
START_TEST(test_seed_example)
{
	struct gossip_params p = { 25, 0, 5, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, 0.99, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert(a.reachable);
	ck_assert_int_eq(a.fanout, 3);
	ck_assert_double_eq_tol(a.miss_prob, 0.005274, 1e-6);
	/* miss_prob is summed from the non-full mass, so the two agree to rounding only. */
	ck_assert_double_eq_tol(a.delivery_prob + a.miss_prob, 1, 1e-13);
	ck_assert_int_eq(calc_fanout(&p, CALC_MEAN_FIELD, 0.99, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.fanout, 3);
	ck_assert_int_eq(calc_fanout(&p, CALC_FORMULA, 0.99, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.fanout, 15);
}
END_TEST

static const struct { struct gossip_params p; double target; } scans[] = {
	/* { { N, K (unused), R, mode, loss, F,  T  X }, target } */
	{ { 25, 0, 5, GOSSIP_PUSH, 0, 0, 0, 0 }, 0.999 },
	{ { 30, 0, 4, GOSSIP_PUSH, 0.2, 3, 0, 0 }, 0.9 },
	{ { 30, 0, 4, GOSSIP_PULL, 0.1, 0, 0, 0 }, 0.95 },
	{ { 30, 0, 3, GOSSIP_PUSH_PULL, 0, 2, 0, 0 }, 0.99 },
	{ { 20, 0, 6, GOSSIP_PUSH, 0, 0, 2, 0 }, 0.9 },      /* window: linear search */
	{ { 20, 0, 5, GOSSIP_PUSH_PULL, 0.3, 1, 1, 0 }, 0.9 },
	{ { 12, 0, 2, GOSSIP_PUSH, 0.4, 0, 0, 0 }, 0.9 },    /* unreachable */
};

/* The least K by computing P(full) for every K in 1 … N-1. */
START_TEST(test_search_matches_scan)
{
	struct gossip_params p = scans[_i].p;
	double target = scans[_i].target, best = -1;
	int64_t want = -1, best_k = 0;
	struct calc_answer a;

	for (int64_t k = 1; k < p.nodes; k++) {
		struct chain_result r;
		p.fanout = k;
		ck_assert_int_eq(exact_run(&p, NULL, &r), FO_OK);
		if (want < 0 && r.p_full[p.rounds] >= target)
			want = k;
		if (r.p_full[p.rounds] > best) {
			best = r.p_full[p.rounds];
			best_k = k;
		}
		chain_result_release(&r);
	}
	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, target, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.reachable, want > 0);
	ck_assert_int_eq(a.fanout, want > 0 ? want : best_k);
	if (want < 0)
		ck_assert_double_eq_tol(a.delivery_prob, best, 1e-15);
}
END_TEST

/*
 * With two threads the exact search runs the chain of the K below the
 * predicted one beside it (calc.c, spec_start): every field of the answer is
 * the one-thread search's, to the last bit.  `beside`: 1 when the K below the
 * answer came from the second thread (its cost checked to be past
 * FO_CALC_SPEC_MIN_WORK); 2 when the prediction fell short, so the run beside
 * it was started and dropped (the search went up); 0 when no second thread
 * runs: a budget that holds K = 2 but not K = 1 too, the window's linear
 * search.  `decided`: the K beside stops before its last round
 * (exact_run_decide's bound is below half the target), checked here, and
 * the answer is the same all the same.
 */
static const struct { struct gossip_params p; double target, limit; int beside, decided; } spec_cases[] = {
	/* { { N, K, R, mode, loss, F, T, X }, target, work limit, beside, decided } */
	{ { 3000, 0, 9, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 0.99, HUGE_VAL, 1, 1 },
	{ { 2500, 0, 12, GOSSIP_PUSH, 0.1, 25, 0, 0 }, 0.999, HUGE_VAL, 1, 1 },
	{ { 2000, 0, 14, GOSSIP_PULL, 0, 0, 0, 0 }, 0.99, HUGE_VAL, 1, 1 },
	{ { 3000, 0, 8, GOSSIP_PUSH_PULL, 0.2, 30, 0, 0 }, 0.9999, HUGE_VAL, 1, 0 },
	{ { 2000, 0, 3, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 0.99, HUGE_VAL, 1, 0 },
	{ { 3000, 0, 9, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 0.3, HUGE_VAL, 1, 1 }, /* target below 1/2 */
	{ { 2000, 0, 6, GOSSIP_PUSH, 0.3, 0, 0, 0 }, 0.999, HUGE_VAL, 2, 0 },
	{ { 3000, 0, 9, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 0.99, 8e7, 0, 0 },    /* K = 2 fits, not K = 1 too */
	{ { 40, 0, 6, GOSSIP_PUSH, 0, 0, 2, 0 }, 0.9, HUGE_VAL, 0, 0 },
};

#define SAME_BITS(a, b) ck_assert_int_eq(memcmp(&(a), &(b), sizeof(a)), 0)

START_TEST(test_two_threads_same_answer)
{
	const struct gossip_params *p = &spec_cases[_i].p;
	double target = spec_cases[_i].target, limit = spec_cases[_i].limit;
	int beside = spec_cases[_i].beside;
	struct calc_answer one, two;
	enum fo_status st1 = calc_fanout_mt(p, CALC_EXACT, target, limit, 1, NULL, &one);
	enum fo_status st2 = calc_fanout_mt(p, CALC_EXACT, target, limit, 2, NULL, &two);

	ck_assert_int_eq(st1, st2);
	ck_assert_int_eq(one.evaluations_beside, 0);
	if (st1 != FO_OK)
		return;
	if (beside) {
		/*
		 * The K run beside costs enough for a second thread: the one below
		 * the answer, or (prediction one short, answer = prediction + 1) the
		 * one below the prediction.
		 */
		struct gossip_params q = *p;
		ck_assert_int_ge(one.fanout, beside + 1);
		q.fanout = one.fanout - beside;
		ck_assert_double_ge(exact_cost(&q), FO_CALC_SPEC_MIN_WORK);
	}
	if (beside == 1) {
		/* Whether the K below the answer is decided before its last round. */
		struct gossip_params q = *p;
		struct chain_result r;
		double upper;
		q.fanout = one.fanout - 1;
		ck_assert_int_eq(exact_run_decide(&q, NULL, target, &r, &upper), FO_OK);
		ck_assert_int_eq(upper < target / 2, spec_cases[_i].decided);
		chain_result_release(&r);
	}
	ck_assert_int_eq(two.evaluations_beside, beside == 1);
	ck_assert_int_eq(one.reachable, two.reachable);
	ck_assert_int_eq(one.fanout, two.fanout);
	ck_assert_int_eq(one.model, two.model);
	SAME_BITS(one.delivery_prob, two.delivery_prob);
	SAME_BITS(one.delivery_prob_lo, two.delivery_prob_lo);
	SAME_BITS(one.delivery_prob_hi, two.delivery_prob_hi);
	SAME_BITS(one.miss_prob, two.miss_prob);
	SAME_BITS(one.node_miss_prob, two.node_miss_prob);
	SAME_BITS(one.error_bound, two.error_bound);
	ck_assert_int_eq(one.fanout_uncertain, two.fanout_uncertain);
	ck_assert_int_eq(one.fanout_possible, two.fanout_possible);
	ck_assert_int_eq(one.evaluations, two.evaluations);
	SAME_BITS(one.work, two.work);
}
END_TEST

/* A cancelled two-thread search stops, the speculative chain with it. */
START_TEST(test_two_threads_cancel)
{
	struct gossip_params p = { 3000, 0, 9, GOSSIP_PUSH_PULL, 0, 0, 0, 0 };
	struct calc_answer a;
	atomic_int cancel = 1;

	ck_assert_int_eq(calc_fanout_mt(&p, CALC_EXACT, 0.99, HUGE_VAL, 2, &cancel, &a), FO_CANCELLED);
}
END_TEST

/* Loss 1/2, one round: even K = N-1 informs all 9 others with probability 2^-9. */
START_TEST(test_unreachable)
{
	struct gossip_params p = { 10, 0, 1, GOSSIP_PUSH, 0.5, 0, 0, 0 };
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, 0.5, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert(!a.reachable);
	ck_assert_int_eq(a.fanout, 9);
	ck_assert_double_eq_tol(a.delivery_prob, 1.0 / 512, 1e-15);
}
END_TEST

START_TEST(test_one_node)
{
	struct gossip_params p = { 1, 0, 3, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct calc_answer a;

	for (int m = CALC_EXACT; m <= CALC_FORMULA; m++) {
		ck_assert_int_eq(calc_fanout(&p, (enum calc_model)m, 0.99, HUGE_VAL, NULL, &a), FO_OK);
		ck_assert(a.reachable);
		ck_assert_int_eq(a.fanout, 0);
		ck_assert_double_eq(a.miss_prob, 0);
	}
}
END_TEST

/* The search stops before an evaluation that would pass the work limit. */
START_TEST(test_work_limit)
{
	struct gossip_params p = { 400, 0, 10, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct calc_answer a;
	atomic_int cancel = 1;

	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, 0.99, 1000, NULL, &a), FO_TOO_LARGE);
	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, 0.99, HUGE_VAL, &cancel, &a), FO_CANCELLED);
	ck_assert_double_lt(calc_cost(&p, CALC_MEAN_FIELD, 0.99), calc_cost(&p, CALC_EXACT, 0.99));
	p.nodes = 5000000;
	ck_assert(isinf(calc_cost(&p, CALC_EXACT, 0.99)));
}
END_TEST

/*
 * Past its limit, auto keeps exact for a K while exact costs no more than
 * large_n, and takes large_n once it costs more: pull at N around 10^4,
 * R = 20, where K = 3 is the least for a miss of 1e-10.
 */
START_TEST(test_auto_exact_while_no_dearer)
{
	static const int64_t sizes[] = { 8000, 10000, 12000, 15000, 20000, 30000 };
	int dearer = 0, cheaper = 0;

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct gossip_params p = { sizes[i], 3, 20, GOSSIP_PULL, 0, 0, 0, 0 };
		double ec = exact_cost(&p), lc = largen_cost(&p);
		struct calc_answer a;

		if (ec <= FO_EXACT_AUTO_LIMIT)
			continue;
		p.fanout = 0;
		ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 1 - 1e-10, HUGE_VAL, NULL, &a), FO_OK);
		ck_assert_int_eq(a.fanout, 3);
		ck_assert_int_eq(a.model, (ec <= lc ? CALC_EXACT : CALC_LARGE_N));
		cheaper += ec <= lc;
		dearer += ec > lc;
	}
	/* Both sides of the rule were seen (else pick other sizes). */
	ck_assert_int_gt(cheaper, 0);
	ck_assert_int_gt(dearer, 0);
}
END_TEST

/* In push alone, every K >= X under a transmit limit X is the same chain as K = X. */
START_TEST(test_fanout_top_under_transmit_limit)
{
	struct gossip_params p = { 1000, 0, 20, GOSSIP_PUSH, 0, 0, 0, 4 };
	struct gossip_params small = { 30, 3, 8, GOSSIP_PUSH, 0.1, 2, 0, 3 };
	struct chain_result at_x, above;
	struct calc_answer a;

	ck_assert_int_eq(gossip_fanout_top(&p), 4);
	p.mode = GOSSIP_PUSH_PULL;
	ck_assert_int_eq(gossip_fanout_top(&p), 999); /* K still adds pulls */
	p.mode = GOSSIP_PUSH;
	p.transmit_limit = 5000;
	ck_assert_int_eq(gossip_fanout_top(&p), 999);
	p.transmit_limit = 0;
	ck_assert_int_eq(gossip_fanout_top(&p), 999);

	/* The premise, bit for bit: K = 3, 4 and 7 under X = 3. */
	ck_assert_int_eq(exact_run(&small, NULL, &at_x), FO_OK);
	for (int64_t k = 4; k <= 7; k += 3) {
		small.fanout = k;
		ck_assert_int_eq(exact_run(&small, NULL, &above), FO_OK);
		ck_assert_mem_eq(at_x.p_full, above.p_full, 9 * sizeof(double));
		ck_assert_mem_eq(at_x.mean_informed, above.mean_informed, 9 * sizeof(double));
		chain_result_release(&above);
	}
	chain_result_release(&at_x);

	/* Unreachable with X = 4 sends each: the search stops at K = 4, not N - 1. */
	p.transmit_limit = 4;
	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.99, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.reachable, 0);
	ck_assert_int_le(a.fanout, 4);
	ck_assert_int_le(a.evaluations, 4);
	ck_assert_double_lt(a.delivery_prob_hi, 0.99);
	ck_assert_double_le(calc_cost(&p, CALC_AUTO, 0.99), 4 * 1e9);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
/*
 * Under auto with a push window, the search probes only the K that go to
 * large_n; a K exact answers is evaluated in full, so the plan charges its
 * evaluation.  memberlist-lan's limit at N = 30 (X = 8), R = 6, target
 * 0.999: no K reaches it, the search runs the exact chain at K = 2 (its
 * dearest), and the plan once charged K = 2 a probe's work (2.68e6 in all,
 * against 2.5e7 for K = 2's chain: the request ran 20 times its estimate,
 * and the guard stopped it under the sanitizers).
 */
START_TEST(test_window_plan_charges_exact)
{
	struct gossip_params p = { 30, 2, 6, GOSSIP_PUSH, 0, 0, 0, 8 };
	double k2 = exact_cost(&p);
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.999, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_str_eq(calc_model_name(a.model), "exact");
	ck_assert_int_eq(a.reachable, 0);
	ck_assert_msg(calc_cost(&p, CALC_AUTO, 0.999) >= k2, "plan %g, K = 2's chain %g",
		      calc_cost(&p, CALC_AUTO, 0.999), k2);
}
END_TEST

static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_seed_example),
	UNIT_TEST(test_window_plan_charges_exact),
	UNIT_LOOP(test_search_matches_scan, UNIT_COUNT(scans)),
	UNIT_LOOP(test_two_threads_same_answer, UNIT_COUNT(spec_cases)),
	UNIT_TEST(test_two_threads_cancel),
	UNIT_TEST(test_unreachable),
	UNIT_TEST(test_one_node),
	UNIT_TEST(test_work_limit),
	UNIT_TEST(test_auto_exact_while_no_dearer),
	UNIT_TEST(test_fanout_top_under_transmit_limit),
};

Suite *calc_suite(void)
{
	return unit_suite("calc", suite_cases, UNIT_COUNT(suite_cases), 300);
}
