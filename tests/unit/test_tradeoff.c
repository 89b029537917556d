/* SPDX-License-Identifier: MIT */
/*
 * test_tradeoff.c — the frontier table: within the default budget for
 * MODEL.md's example, and every row agreeing with calc_fanout at its R.
 */
#include <math.h>

#include "fanout/calc.h"
#include "fanout/exact.h"
#include "fanout/largen.h"
#include "fanout/model.h"
#include "fanout/tradeoff.h"
#include "settings.h"
#include "suites.h"

static const struct {
	struct gossip_params p;
	double target;
} cases[] = {
	/* p.rounds is max_rounds */
	{ { 1000, 0, 100, GOSSIP_PUSH, 0, 0, 0, 0 }, 0.999 },
	{ { 200, 0, 40, GOSSIP_PUSH, 0.1, 10, 0, 0 }, 0.99 },
	{ { 200, 0, 30, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 0.999 },
	{ { 40, 0, 20, GOSSIP_PUSH, 0, 0, 0, 5 }, 0.99 },
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

/* Fleet sizes, where tradeoff's auto answers with large_n (p.rounds is max_rounds). */
static const struct {
	struct gossip_params p;
	double target;
	int in_budget;   /* estimated within the default budget (the memberlist-like rows) */
} fleet[] = {
	/* memberlist-lan's transmit limit, 4 ceil(log10(N + 1)) */
	{ { 100000, 0, 100, GOSSIP_PUSH, 0, 0, 0, 24 }, 0.99, 1 },
	{ { 1000000, 0, 100, GOSSIP_PUSH, 0, 0, 0, 28 }, 0.9999, 1 },
	{ { 20000, 0, 16, GOSSIP_PULL, 0, 0, 0, 0 }, 0.999, 0 },
	{ { 50000, 0, 30, GOSSIP_PUSH, 0.2, 500, 0, 0 }, 0.3, 0 },
};

/* Does large_n's interval at p surely meet the target (its lower end does)? */
static int largen_meets(const struct gossip_params *p, double target, struct largen_result *l)
{
	ck_assert_int_eq(largen_run(p, NULL, l), FO_OK);
	return target >= 0.5 ? l->miss_hi <= 1 - target : l->p_lo >= target;
}

/*
 * A large_n row's R is confirmed by large_n's own interval at R (never by
 * its curve's point estimates), R - 1's does not meet the target, the row
 * carries that interval, and calc_fanout (large_n) at R agrees: its K is
 * at most the row's, and the same figures when it is the row's.
 */
START_TEST(test_largen_rows)
{
	const struct gossip_params *p = &fleet[_i].p;
	double target = fleet[_i].target;
	struct tradeoff t;
	int reached = 0;

	if (fleet[_i].in_budget)
		ck_assert_double_le(tradeoff_cost(p, CALC_LARGE_N, target, 0), FO_DEFAULT_WORK_BUDGET);
	ck_assert_int_eq(tradeoff_run(p, CALC_LARGE_N, target, 0, 20 * FO_DEFAULT_WORK_BUDGET, NULL, &t), FO_OK);
	ck_assert_int_le(t.count, gossip_fanout_top(p));
	for (int64_t i = 0; i < t.count; i++) {
		const struct tradeoff_row *row = &t.rows[i];
		struct gossip_params q = *p;
		struct largen_result l;
		struct calc_answer a;

		ck_assert_int_eq(row->fanout, i + 1);
		ck_assert_int_eq(row->model, CALC_LARGE_N);
		ck_assert_double_le(row->p_lo, row->delivery_prob);
		ck_assert_double_ge(row->p_hi, row->delivery_prob);
		if (row->rounds < 0)
			continue;
		reached = 1;
		q.fanout = row->fanout;
		q.rounds = row->rounds;
		ck_assert_msg(largen_meets(&q, target, &l), "case %d K %lld: R %lld not confirmed", _i,
			      (long long)row->fanout, (long long)row->rounds);
		ck_assert_double_eq(l.p_lo, row->p_lo);
		ck_assert_double_eq(l.p_full, row->delivery_prob);
		if (row->rounds > 0) {
			q.rounds = row->rounds - 1;
			ck_assert_msg(!largen_meets(&q, target, &l), "case %d K %lld: R - 1 = %lld meets too",
				      _i, (long long)row->fanout, (long long)q.rounds);
		}
		q.rounds = row->rounds;
		ck_assert_int_eq(calc_fanout(&q, CALC_LARGE_N, target, HUGE_VAL, NULL, &a), FO_OK);
		ck_assert_msg(a.reachable && a.fanout <= row->fanout, "case %d K %lld R %lld: calc_fanout says %lld",
			      _i, (long long)row->fanout, (long long)row->rounds, (long long)a.fanout);
		if (a.fanout == row->fanout)
			ck_assert_double_eq(a.delivery_prob, row->delivery_prob);
	}
	ck_assert(reached);
	tradeoff_release(&t);
}
END_TEST

/*
 * By default, rows stop at gossip_fanout_top(): in push under a transmit
 * limit X every K >= X is the same chain, so no row past X (N = 1000, X = 4:
 * no K reaches 0.99 within 20 rounds, which used to mean rows up to N - 1).
 */
START_TEST(test_rows_stop_at_top)
{
	struct gossip_params p = { 1000, 0, 20, GOSSIP_PUSH, 0, 0, 0, 4 };
	struct tradeoff t;

	ck_assert_int_eq(tradeoff_run(&p, CALC_MEAN_FIELD, 0.99, 0, HUGE_VAL, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, 4);
	for (int64_t i = 0; i < t.count; i++)
		ck_assert_int_lt(t.rows[i].rounds, 0);
	tradeoff_release(&t);
	/* An explicit max_fanout is kept. */
	ck_assert_int_eq(tradeoff_run(&p, CALC_MEAN_FIELD, 0.99, 6, HUGE_VAL, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, 6);
	tradeoff_release(&t);
}
END_TEST

START_TEST(test_limits)
{
	struct gossip_params p = { 1000, 0, 100, GOSSIP_PUSH, 0, 0, 0, 0 };
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

/*
 * Rows from min_fanout (the page's second chart asks for the chosen K and
 * the three above it): the rows K = min … max of the run from K = 1, field
 * for field, and an estimate that counts only them.  Exact at N = 200 and
 * large_n under independent timers (memberlist-lan's settings at N = 2000,
 * 5 intervals, two threads), whose rows are their own runs per K.
 */
static void same_row(const struct tradeoff_row *a, const struct tradeoff_row *b)
{
	ck_assert_int_eq(a->fanout, b->fanout);
	ck_assert_int_eq(a->model, b->model);
	ck_assert_int_eq(a->rounds, b->rounds);
	ck_assert(a->delivery_prob == b->delivery_prob);
	ck_assert(a->prob_by_max_rounds == b->prob_by_max_rounds);
	ck_assert(a->p_lo == b->p_lo || (isnan(a->p_lo) && isnan(b->p_lo)));
	ck_assert(a->p_hi == b->p_hi || (isnan(a->p_hi) && isnan(b->p_hi)));
	ck_assert(a->messages == b->messages || (isnan(a->messages) && isnan(b->messages)));
}

START_TEST(test_rows_from_min_fanout)
{
	struct gossip_params exact = { 200, 0, 30, GOSSIP_PUSH_PULL, 0, 0, 0, 0 };
	struct gossip_params timers = { 2000, 0, 5, GOSSIP_PUSH, 0, 0, 0, 16 };
	const struct {
		const struct gossip_params *p;
		enum calc_model model;
		int threads;
	} runs[] = { { &exact, CALC_EXACT, 1 }, { &timers, CALC_LARGE_N, 2 } };

	timers.timers = GOSSIP_TIMERS_INDEPENDENT;
	timers.probe_interval = 5;
	timers.horizon = 5;
	for (size_t c = 0; c < sizeof runs / sizeof runs[0]; c++) {
		const struct gossip_params *p = runs[c].p;
		struct tradeoff all, some;
		double whole = tradeoff_cost_from(p, runs[c].model, 0.99, 1, 6, runs[c].threads);
		double part = tradeoff_cost_from(p, runs[c].model, 0.99, 3, 6, runs[c].threads);

		ck_assert_int_eq(tradeoff_run_from(p, runs[c].model, 0.99, 1, 6, HUGE_VAL, runs[c].threads, NULL, &all),
				 FO_OK);
		ck_assert_int_eq(tradeoff_run_from(p, runs[c].model, 0.99, 3, 6, HUGE_VAL, runs[c].threads, NULL, &some),
				 FO_OK);
		ck_assert_int_eq(all.count, 6);
		ck_assert_int_eq(some.count, 4);
		for (int64_t i = 0; i < some.count; i++)
			same_row(&some.rows[i], &all.rows[i + 2]);
		/* Two rows fewer of six: the estimate drops, by no more than those rows' share. */
		ck_assert_double_lt(part, whole);
		ck_assert_double_ge(part, whole * 4 / 6 / 2);
		ck_assert_double_eq(tradeoff_cost_from(p, runs[c].model, 0.99, 1, 6, runs[c].threads),
				    tradeoff_cost_mt(p, runs[c].model, 0.99, 6, runs[c].threads));
		tradeoff_release(&all);
		tradeoff_release(&some);
	}
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_rows_agree_with_calc, UNIT_COUNT(cases)),
	UNIT_TEST(test_limits),
	UNIT_LOOP(test_largen_rows, UNIT_COUNT(fleet)),
	UNIT_TEST(test_rows_stop_at_top),
	UNIT_TEST(test_rows_from_min_fanout),
};

Suite *tradeoff_suite(void)
{
	return unit_suite("tradeoff", suite_cases, UNIT_COUNT(suite_cases), 300);
}
