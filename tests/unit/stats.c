/* SPDX-License-Identifier: MIT */
/*
 * stats.c — see stats.h.
 */
#include <math.h>

#include "stats.h"

double chi_square(const int64_t *observed, const double *expected, int bins, int64_t n, int *df)
{
	double chi2 = 0, obs = 0, exp_ = 0;
	int pooled = 0;

	for (int b = 0; b < bins; b++) {
		obs += (double)observed[b];
		exp_ += expected[b] * (double)n;
		if (exp_ >= 5 || b == bins - 1) {
			if (exp_ > 0) {
				chi2 += (obs - exp_) * (obs - exp_) / exp_;
				pooled++;
			}
			obs = exp_ = 0;
		}
	}
	*df = pooled > 1 ? pooled - 1 : 1;
	return chi2;
}

double chi_square_limit(int df)
{
	const double z = 4.753; /* standard normal 1 - 1e-6 quantile */
	double k = df, t = 1 - 2 / (9 * k) + z * sqrt(2 / (9 * k));

	return k * t * t * t;
}
