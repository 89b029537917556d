/* SPDX-License-Identifier: MIT */
/*
 * test_solve.c — the searches over the transmit limit and the rounds: each
 * answer meets the target and the value below does not, against a plain
 * scan of every value with the same evaluation; the least rounds agree with
 * tradeoff's rows; the longest interval keeps its rounds.
 */
#include <math.h>

#include "fanout/calc.h"
#include "fanout/exact.h"
#include "fanout/solve.h"
#include "fanout/tradeoff.h"
#include "suites.h"

static const struct {
	struct gossip_params p; /* fanout: the K searched at; rounds: R (transmit_limit) */
	double target;
} cases[] = {
	{ { 30, 2, 8, GOSSIP_PUSH, 0.1, 0, 0, 0 }, 0.9 },
	{ { 25, 1, 10, GOSSIP_PUSH, 0, 0, 0, 0 }, 0.9 },
	{ { 40, 2, 6, GOSSIP_PUSH_PULL, 0.2, 4, 0, 0 }, 0.99 },
	{ { 32, 1, 6, GOSSIP_PUSH, 0, 0, 0, 0 }, 0.99 },  /* unreachable: K = 1 needs more rounds */
};

/*
 * Does calc_at (auto: exact where affordable, else a simulation from a seed
 * fixed by the parameters) surely meet the target at q?  Deterministic, so
 * a scan and a search see the same figures.
 */
static int meets_at(const struct gossip_params *q, double target)
{
	struct calc_answer a;
	double work = 0;

	ck_assert_int_eq(calc_at(q, CALC_AUTO, target, &work, HUGE_VAL, 1, NULL, &a), FO_OK);
	return a.reachable;
}

/* The least X that meets the target is the first met in a scan of X = 1 … K R. */
START_TEST(test_transmit_limit_against_scan)
{
	struct gossip_params q = cases[_i].p;
	double target = cases[_i].target;
	struct solve_answer s;
	int64_t least = -1, top = q.fanout * q.rounds;

	ck_assert_int_eq(solve_transmit_limit(&q, CALC_AUTO, target, HUGE_VAL, 1, NULL, &s), FO_OK);
	for (int64_t x = 1; x <= top && least < 0; x++) {
		q.transmit_limit = x;
		if (meets_at(&q, target))
			least = x;
	}
	ck_assert_int_eq(s.top, top);
	ck_assert_int_eq(s.reachable, least > 0);
	ck_assert_int_eq(s.value, least > 0 ? least : top);
	ck_assert_int_eq(s.at.fanout, cases[_i].p.fanout);
	if (least > 0) {
		ck_assert_double_ge(s.at.delivery_prob_lo, target - 1e-12);
		/* With K R sends no limit binds: the same chain as none. */
		q.transmit_limit = top;
		ck_assert_int_eq(meets_at(&q, target), 1);
	}
}
END_TEST

/* The least R at K is tradeoff's row for K (both exact), and every R below it falls short. */
START_TEST(test_rounds_against_tradeoff)
{
	struct gossip_params q = cases[_i].p;
	double target = cases[_i].target;
	struct solve_answer s;
	struct tradeoff t;
	int64_t max_rounds = 40, k = q.fanout;

	ck_assert_int_eq(solve_rounds(&q, max_rounds, CALC_EXACT, target, HUGE_VAL, 1, NULL, &s), FO_OK);
	q.rounds = max_rounds;
	ck_assert_int_eq(tradeoff_run(&q, CALC_EXACT, target, k, HUGE_VAL, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, k);
	if (t.rows[k - 1].rounds < 0) {
		ck_assert_int_eq(s.reachable, 0);
	} else {
		ck_assert_int_eq(s.reachable, 1);
		ck_assert_int_eq(s.value, t.rows[k - 1].rounds);
		ck_assert_double_eq_tol(s.at.delivery_prob, t.rows[k - 1].delivery_prob, 1e-12);
	}
	for (int64_t r = 1; r < s.value; r++) {
		q.rounds = r;
		ck_assert_int_eq(meets_at(&q, target), 0);
	}
	tradeoff_release(&t);
}
END_TEST

/*
 * Independent timers: the least horizon, in quarter intervals, is the first
 * met in a scan of every quarter up to it, each scanned with its probe
 * period scaled from the top horizon's (the same seconds within a budget
 * that stays: H / 12 of it at a horizon of H); exact (the bound) steps by
 * whole intervals.  The last case is out of reach: the top, 12 intervals.
 */
static const struct {
	struct gossip_params p; /* probe_interval: at the top horizon, 12 intervals */
	enum calc_model model;
	double target;
} horizon_cases[] = {
	{ { 30, 3, 0, GOSSIP_PUSH, 0, 0, 0, 8, GOSSIP_TIMERS_INDEPENDENT, 6 }, CALC_AUTO, 0.99 },
	{ { 40, 2, 0, GOSSIP_PUSH_PULL, 0.1, 3, 0, 0, GOSSIP_TIMERS_INDEPENDENT, 0 }, CALC_AUTO, 0.9 },
	{ { 30, 2, 0, GOSSIP_PUSH, 0.1, 0, 0, 0, GOSSIP_TIMERS_INDEPENDENT, 0 }, CALC_EXACT, 0.9 },
	{ { 30, 1, 0, GOSSIP_PUSH, 0, 0, 0, 2, GOSSIP_TIMERS_INDEPENDENT, 0 }, CALC_AUTO, 0.99 },
};

START_TEST(test_horizon_against_scan)
{
	const int64_t top_h = 12;
	struct gossip_params q = horizon_cases[_i].p;
	enum calc_model model = horizon_cases[_i].model;
	double target = horizon_cases[_i].target, unit = model == CALC_EXACT ? 1 : 0.25;
	struct solve_answer s;
	int64_t least = -1, top = (int64_t)(top_h / unit);

	ck_assert_int_eq(solve_rounds(&q, top_h, model, target, HUGE_VAL, 1, NULL, &s), FO_OK);
	ck_assert_double_eq(s.unit, unit);
	ck_assert_int_eq(s.top, top);
	for (int64_t w = 1; w <= top && least < 0; w++) {
		struct calc_answer a;
		double work = 0, h = (double)w * unit;
		q = horizon_cases[_i].p;
		q.horizon = h;
		q.rounds = (int64_t)ceil(h);
		q.probe_interval = horizon_cases[_i].p.probe_interval * h / (double)top_h;
		ck_assert_int_eq(calc_at(&q, model, target, &work, HUGE_VAL, 1, NULL, &a), FO_OK);
		if (a.reachable) {
			least = w;
			ck_assert_double_eq(s.at.delivery_prob, a.delivery_prob);
		}
	}
	ck_assert_int_eq(s.reachable, least > 0);
	ck_assert_int_eq(s.value, least > 0 ? least : top);
	if (least > 0)
		ck_assert_double_ge(s.at.delivery_prob_lo, target - 1e-12);
}
END_TEST

/* floor(budget / d) keeps the rounds at the answer d, and loses one just above it. */
START_TEST(test_longest_interval)
{
	static const struct { double budget; int64_t rounds; } c[] = {
		{ 1, 3 }, { 1, 7 }, { 2, 10 }, { 0.3, 1 }, { 1, 49 }, { 3.7, 37 }, { 1e-3, 3 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double d = solve_longest_interval(c[i].budget, c[i].rounds);
		ck_assert_double_gt(d, 0);
		ck_assert_double_ge(floor(c[i].budget / d), (double)c[i].rounds);
		ck_assert_double_lt(floor(c[i].budget / nextafter(nextafter(d, INFINITY), INFINITY)) +
				    (floor(c[i].budget / nextafter(d, INFINITY)) < (double)c[i].rounds),
				    (double)c[i].rounds + 1);
		ck_assert_double_le(d, c[i].budget / (double)c[i].rounds);
	}
	/* A horizon of quarters (independent timers): budget / d reaches it, just above d it does not. */
	for (int64_t v = 1; v <= 160; v++) {
		double h = (double)v / 4, d = solve_longest_interval(2, h);
		ck_assert_double_ge(2 / d, h);
		ck_assert_double_lt(2 / nextafter(d, INFINITY), h);
	}
}
END_TEST

/* The searches' estimates cover what they charge, and a small budget stops them. */
START_TEST(test_budget)
{
	struct gossip_params q = cases[0].p;
	struct solve_answer s;

	ck_assert_double_gt(solve_transmit_limit_cost(&q, CALC_EXACT, 0.99, 1, NULL), 0);
	ck_assert_double_gt(solve_rounds_cost(&q, 40, CALC_EXACT, 0.99, 1, NULL), 0);
	ck_assert_int_eq(solve_transmit_limit(&q, CALC_EXACT, 0.99, 1e3, 1, NULL, &s), FO_TOO_LARGE);
	ck_assert_int_eq(solve_rounds(&q, 40, CALC_EXACT, 0.99, 1e3, 1, NULL, &s), FO_TOO_LARGE);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_transmit_limit_against_scan, UNIT_COUNT(cases)),
	UNIT_LOOP(test_rounds_against_tradeoff, UNIT_COUNT(cases)),
	UNIT_LOOP(test_horizon_against_scan, UNIT_COUNT(horizon_cases)),
	UNIT_TEST(test_longest_interval),
	UNIT_TEST(test_budget),
};

Suite *solve_suite(void)
{
	return unit_suite("solve", suite_cases, UNIT_COUNT(suite_cases), 300);
}
