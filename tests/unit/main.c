/*
 * main.c — runs every unit suite; exit status 0 only if all pass.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(rng_suite());
	int failed;

	srunner_add_suite(sr, dist_suite());
	srunner_add_suite(sr, formula_suite());
	srunner_add_suite(sr, exact_suite());
	srunner_add_suite(sr, meanfield_suite());
	srunner_add_suite(sr, calc_suite());
	srunner_add_suite(sr, largen_suite());
	srunner_add_suite(sr, sample_suite());
	srunner_add_suite(sr, sim_suite());
	srunner_add_suite(sr, broadcast_suite());
	srunner_add_suite(sr, tradeoff_suite());
	srunner_add_suite(sr, request_suite());
	srunner_add_suite(sr, opt_suite());
	srunner_add_suite(sr, guard_suite());
	srunner_add_suite(sr, autosim_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
