/*
 * test_formula.c — the seed's closed form against values worked by hand.
 */
#include <math.h>

#include "fanout/calc.h"
#include "fanout/formula.h"
#include "suites.h"

static const struct {
	int64_t nodes, fanout, rounds;
	double loss, miss;
} cases[] = {
	/* N  K  R  loss  P(miss) */
	{ 25, 3, 5, 0, 0.512908935546875 },      /* (21/24)^5 */
	{ 25, 15, 5, 0, 0.007415771484375 },     /* (9/24)^5 */
	{ 25, 14, 5, 0, 0.012558674125514407 },    /* (10/24)^5 */
	{ 11, 5, 2, 0.5, 0.5625 },               /* (1 - 2.5/10)^2 */
	{ 11, 10, 3, 0, 0 },                     /* everyone every round */
	{ 11, 10, 3, 0.1, 0.001 },               /* only loss: 0.1^3 */
	{ 1, 0, 5, 0, 0 },                       /* nobody to miss */
	{ 101, 0, 9, 0, 1 },                     /* no fanout: always missed */
};

START_TEST(test_miss_by_hand)
{
	double got = formula_miss(cases[_i].nodes, cases[_i].fanout, cases[_i].rounds, cases[_i].loss);

	ck_assert_msg(fabs(got - cases[_i].miss) <= 1e-12, "N=%lld K=%lld R=%lld loss=%g: want %.15g got %.15g",
		      (long long)cases[_i].nodes, (long long)cases[_i].fanout, (long long)cases[_i].rounds,
		      cases[_i].loss, cases[_i].miss, got);
}
END_TEST

static const struct {
	int64_t nodes, rounds;
	double loss, target;
	int reachable;
	int64_t fanout;
	double miss;
} searches[] = {
	/* N  R  loss  target  reachable  K  P(miss) */
	{ 25, 5, 0, 0.99, 1, 15, 0.007415771484375 },  /* the seed's N, R, p */
	{ 25, 5, 0, 0.98, 1, 14, 0.012558674125514407 },
	{ 3, 1, 0.5, 0.9, 0, 2, 0.5 },                 /* loss caps it at 1 - 0.5 */
	{ 1, 5, 0, 0.99, 1, 0, 0 },                    /* one node needs no fanout */
	{ 1000001, 10, 0, 0.999, 1, 498813, 0 },       /* large N: found by search */
};

START_TEST(test_search_by_hand)
{
	struct gossip_params p = { searches[_i].nodes, 0, searches[_i].rounds, GOSSIP_PUSH,
				   searches[_i].loss, 0, 0, 0 };
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_FORMULA, searches[_i].target, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.reachable, searches[_i].reachable);
	ck_assert_int_eq(a.fanout, searches[_i].fanout);
	if (searches[_i].fanout > 1000) {
		/* Least K: K reaches the target and K - 1 does not. */
		ck_assert(1 - formula_miss(p.nodes, a.fanout, p.rounds, 0) >= searches[_i].target);
		ck_assert(1 - formula_miss(p.nodes, a.fanout - 1, p.rounds, 0) < searches[_i].target);
		return;
	}
	ck_assert_double_eq_tol(a.miss_prob, searches[_i].miss, 1e-12);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_miss_by_hand, UNIT_COUNT(cases)),
	UNIT_LOOP(test_search_by_hand, UNIT_COUNT(searches)),
};

Suite *formula_suite(void)
{
	return unit_suite("formula", suite_cases, UNIT_COUNT(suite_cases), 300);
}
