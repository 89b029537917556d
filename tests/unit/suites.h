/* SPDX-License-Identifier: MIT */
/*
 * suites.h — one Check suite per module, each a table of cases; main.c runs them all.
 *
 * Every test function is named test_<case> and is its own test case, called
 * <case>, so one can run alone: CK_RUN_CASE=<case> (and CK_RUN_SUITE=<suite>),
 * or `make unit CASE=<case> SUITE=<suite>`.  A suite lists its cases in one
 * table at the end of its file; adding a test is adding a row:
 *
 *	static const struct unit_case suite_cases[] = {
 *		UNIT_TEST(test_known_answer),
 *		UNIT_LOOP(test_below_in_range, UNIT_COUNT(bounds)),
 *	};
 */
#ifndef FANOUT_TEST_SUITES_H
#define FANOUT_TEST_SUITES_H

#include <stddef.h>

#include <check.h>

/*
 * A test case: its name, its test, and how many times it runs (_i = 0 …
 * loops − 1).  START_TEST makes the test a pointer variable, so the table
 * holds its address, a constant.
 */
struct unit_case {
	const char *name;
	const TTest *const *test;
	int loops;
};

/* The case's name is the function's without its "test_". */
#define UNIT_LOOP(fn, n) { #fn + sizeof "test_" - 1, &fn, (int)(n) }
#define UNIT_TEST(fn) UNIT_LOOP(fn, 1)
#define UNIT_COUNT(table) (sizeof (table) / sizeof (table)[0])

/*
 * A suite called `name` with one test case per row of cases[0 … count − 1],
 * each allowed `timeout` seconds (0: Check's default).  Owned by the caller
 * (srunner_add_suite hands it to the runner, which frees it).
 */
Suite *unit_suite(const char *name, const struct unit_case *cases, size_t count, int timeout);

Suite *rng_suite(void);
Suite *dist_suite(void);
Suite *formula_suite(void);
Suite *exact_suite(void);
Suite *exact_coarse_suite(void);
Suite *meanfield_suite(void);
Suite *calc_suite(void);
Suite *largen_suite(void);
Suite *sample_suite(void);
Suite *sim_suite(void);
Suite *broadcast_suite(void);
Suite *tradeoff_suite(void);
Suite *request_suite(void);
Suite *opt_suite(void);
Suite *guard_suite(void);
Suite *autosim_suite(void);
Suite *solve_suite(void);
Suite *sync_suite(void);
Suite *seeds_suite(void);
Suite *strbuf_suite(void);
Suite *timers_suite(void);
Suite *largen_timers_suite(void);
Suite *bound_suite(void);
Suite *intervals_suite(void);
Suite *known_suite(void);
Suite *limits_suite(void);
Suite *anscache_suite(void);

#endif
