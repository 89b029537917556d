/* SPDX-License-Identifier: MIT */
/*
 * stats.h — goodness-of-fit for the statistical tests.
 */
#ifndef FANOUT_TEST_STATS_H
#define FANOUT_TEST_STATS_H

#include <stdint.h>

/*
 * Pearson's chi-square of counts observed[0..bins-1] (n in all) against
 * probabilities expected[0..bins-1], adjacent bins pooled until each expects
 * at least 5.  *df gets the degrees of freedom (pooled bins - 1).
 */
double chi_square(const int64_t *observed, const double *expected, int bins, int64_t n, int *df);

/*
 * The chi-square value a correct sampler exceeds with probability about
 * 1e-6 at df degrees of freedom (Wilson–Hilferty).
 */
double chi_square_limit(int df);

#endif
