/* SPDX-License-Identifier: MIT */
/*
 * main.c — runs every unit suite, or the one suite and case that CK_RUN_SUITE
 * and CK_RUN_CASE name; exit status 0 only if all that ran passed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

static Suite *(*const suites[])(void) = {
	rng_suite, dist_suite, formula_suite, exact_suite, exact_coarse_suite, meanfield_suite,
	calc_suite, largen_suite, sample_suite, sim_suite, broadcast_suite,
	tradeoff_suite, request_suite, opt_suite, guard_suite, autosim_suite, solve_suite,
	strbuf_suite, timers_suite, largen_timers_suite, bound_suite,
	intervals_suite, known_suite, limits_suite, sync_suite, seeds_suite, anscache_suite,
};

Suite *unit_suite(const char *name, const struct unit_case *cases, size_t count, int timeout)
{
	Suite *s = suite_create(name);

	for (size_t i = 0; i < count; i++) {
		TCase *tc = tcase_create(cases[i].name);
		if (timeout > 0)
			tcase_set_timeout(tc, timeout);
		tcase_add_loop_test(tc, *cases[i].test, 0, cases[i].loops);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

	for (size_t i = 0; i < UNIT_COUNT(suites); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	if (srunner_ntests_run(sr) == 0) {
		/* A misspelt name would otherwise pass by running nothing. */
		fprintf(stderr, "unit-tests: no test case matches CK_RUN_SUITE '%s' and CK_RUN_CASE '%s'; "
			"the names are in each suite's table (tests/unit/test_*.c)\n",
			getenv("CK_RUN_SUITE") ? getenv("CK_RUN_SUITE") : "",
			getenv("CK_RUN_CASE") ? getenv("CK_RUN_CASE") : "");
		failed = 1;
	}
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
