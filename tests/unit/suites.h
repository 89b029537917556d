/*
 * suites.h — one Check suite per module; main.c runs them all.
 */
#ifndef FANOUT_TEST_SUITES_H
#define FANOUT_TEST_SUITES_H

#include <check.h>

Suite *rng_suite(void);
Suite *dist_suite(void);
Suite *formula_suite(void);
Suite *exact_suite(void);
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
Suite *limits_suite(void);

#endif
