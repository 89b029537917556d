/*
 * test_tradeoff.c — the frontier table: within the default budget for
 * MODEL.md's example, and every row agreeing with calc_fanout at its R.
 */
#include <math.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/exact.h"
#include "fanout/tradeoff.h"
#include "suites.h"

static const struct {
	struct gossip_params p;
	double target;
} cases[] = {
	/* p.rounds is max_rounds */
	{ { 1000, 0, 100, GOSSIP_PUSH, 0, 0, 0, 0, 0 }, 0.999 },
	{ { 200, 0, 40, GOSSIP_PUSH, 0.1, 10, 0, 0, 0 }, 0.99 },
	{ { 200, 0, 30, GOSSIP_PUSH_PULL, 0, 0, 0, 0, 0 }, 0.999 },
	{ { 40, 0, 20, GOSSIP_PUSH, 0, 0, 0, 5, 0 }, 0.99 },
};

/*
 * Each row's R is the least that reaches the target at its K (R - 1 does not),
 * and calc_fanout at that R returns this K exactly when K - 1 needs more
 * rounds, with the same probability.
 */
START_TEST(test_rows_agree_with_calc)
{
	const struct gossip_params *p = &cases[_i].p;
	double target = cases[_i].target;
	struct tradeoff t;

	ck_assert_double_le(tradeoff_cost(p, CALC_EXACT, target, 0), FO_DEFAULT_WORK_BUDGET);
	ck_assert_int_eq(tradeoff_run(p, CALC_EXACT, target, 0, FO_DEFAULT_WORK_BUDGET, NULL, &t), FO_OK);
	ck_assert_int_ge(t.count, 1 + FO_TRADEOFF_EXTRA_FANOUT);
	for (int64_t i = 0; i < t.count; i++) {
		const struct tradeoff_row *row = &t.rows[i];
		struct gossip_params q = *p;
		struct calc_answer a;
		struct chain_result below;
		int prev_later;

		ck_assert_int_eq(row->fanout, i + 1);
		if (row->rounds < 0)
			continue;
		q.rounds = row->rounds;
		ck_assert_int_eq(calc_fanout(&q, CALC_EXACT, target, HUGE_VAL, NULL, &a), FO_OK);
		prev_later = i == 0 || t.rows[i - 1].rounds < 0 || t.rows[i - 1].rounds > row->rounds;
		ck_assert_msg(a.reachable && a.fanout <= row->fanout,
			      "case %d K %lld R %lld: calc_fanout says %lld", _i, (long long)row->fanout,
			      (long long)row->rounds, (long long)a.fanout);
		if (prev_later) {
			ck_assert_int_eq(a.fanout, row->fanout);
			ck_assert_double_eq_tol(a.delivery_prob, row->delivery_prob, 1e-12);
		}
		if (row->rounds > 0) {
			q.rounds = row->rounds - 1;
			q.fanout = row->fanout;
			ck_assert_int_eq(exact_run(&q, NULL, &below), FO_OK);
			ck_assert_double_lt(below.p_full[q.rounds], target);
			chain_result_release(&below);
		}
	}
	/* The default stops FO_TRADEOFF_EXTRA_FANOUT rows past the first K that reaches. */
	for (int64_t i = 0; i < t.count; i++) {
		if (t.rows[i].rounds >= 0) {
			ck_assert_int_eq(t.count, i + 1 + FO_TRADEOFF_EXTRA_FANOUT);
			break;
		}
	}
	tradeoff_release(&t);
}
END_TEST

START_TEST(test_limits)
{
	struct gossip_params p = { 1000, 0, 100, GOSSIP_PUSH, 0, 0, 0, 0, 0 };
	struct tradeoff t;

	ck_assert_int_eq(tradeoff_run(&p, CALC_MEAN_FIELD, 0.999, 2, HUGE_VAL, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, 2);
	tradeoff_release(&t);
	ck_assert_int_eq(tradeoff_run(&p, CALC_EXACT, 0.999, 0, 1e3, NULL, &t), FO_TOO_LARGE);
	ck_assert_ptr_null(t.rows);
	p.nodes = 1;
	ck_assert_int_eq(tradeoff_run(&p, CALC_EXACT, 0.999, 0, HUGE_VAL, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, 0);
	tradeoff_release(&t);
}
END_TEST

Suite *tradeoff_suite(void)
{
	Suite *s = suite_create("tradeoff");
	TCase *tc = tcase_create("tradeoff");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_rows_agree_with_calc, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}
