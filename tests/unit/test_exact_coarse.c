/* SPDX-License-Identifier: MIT */
/*
 * test_exact_coarse.c — the exact chain rebuilt with a coarse FO_EXACT_EPSILON
 * (a build-time tunable), under which a round can drop all its mass: the
 * chain must then stop cleanly, and admit it knows nothing, rather than step
 * an empty range (compared with a negative length before the fix).  exact.c
 * is compiled again here under other names, so the library's copy keeps the
 * default epsilon.
 */
#define FO_EXACT_EPSILON 1e-2
#define exact_run coarse_exact_run
#define exact_run_mt coarse_exact_run_mt
#define exact_run_reference coarse_exact_run_reference
#define exact_run_decide coarse_exact_run_decide
#define exact_cost coarse_exact_cost
#include "../../core/exact.c"

#include "suites.h"

/* Wide enough that every entry of a round falls below 1e-2 well before R (most then go empty). */
static const struct gossip_params coarse_cases[] = {
	/* N     K  R   mode              loss  F  T  X */
	{ 3000, 3, 40, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },  /* the merged sweep */
	{ 10000, 1, 40, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 10000, 3, 40, GOSSIP_PUSH, 0, 0, 0, 0 },      /* the walk */
	{ 3000, 1, 40, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },  /* collapses onto "all informed" */
	{ 3000, 1, 40, GOSSIP_PULL, 0, 0, 0, 0 },
};

START_TEST(test_all_mass_dropped)
{
	const struct gossip_params *p = &coarse_cases[_i];
	struct chain_result r;
	double left = 0;

	ck_assert_int_eq(coarse_exact_run(p, NULL, &r), FO_OK);
	for (int64_t k = 0; k <= p->rounds; k++) {
		ck_assert(r.p_miss[k] >= 0 && r.p_miss[k] <= 1);
		ck_assert(r.p_full[k] >= 0 && r.p_full[k] <= 1);
	}
	for (int64_t i = 0; i <= p->nodes; i++)
		left += r.final_informed[i];
	/* Next to nothing is left, and the bound says the figures mean nothing. */
	ck_assert_double_lt(left, FO_EXACT_EPSILON);
	ck_assert_double_ge(r.error_bound, 0.99);
	chain_result_release(&r);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_all_mass_dropped, UNIT_COUNT(coarse_cases)),
};

Suite *exact_coarse_suite(void)
{
	return unit_suite("exact_coarse", suite_cases, UNIT_COUNT(suite_cases), 300);
}
