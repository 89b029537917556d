/* SPDX-License-Identifier: MIT */
/*
 * formula.c — the seed's closed form, P(miss) = (1 - K(1 - loss)/(N - 1))^R.
 */
#include <math.h>

#include "fanout/formula.h"

double formula_miss(int64_t nodes, int64_t fanout, int64_t rounds, double loss)
{
	double base;

	if (nodes <= 1)
		return 0;
	base = 1 - (double)fanout * (1 - loss) / (double)(nodes - 1);
	return pow(fmax(base, 0), (double)rounds);
}
