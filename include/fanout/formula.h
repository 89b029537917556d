/* SPDX-License-Identifier: MIT */
/*
 * formula.h — the seed task's closed form, kept because users compare with it.
 *
 * P(miss) = (1 - K(1 - loss)/(N - 1))^R treats every round as one independent
 * chance from the origin alone; it ignores mode, failures and forward_rounds
 * and is very pessimistic (MODEL.md, "The four ways to answer").
 */
#ifndef FANOUT_FORMULA_H
#define FANOUT_FORMULA_H

#include <stdint.h>

/* P(miss) for N >= 2 nodes, fanout K, R rounds, loss; 0 when N = 1. */
double formula_miss(int64_t nodes, int64_t fanout, int64_t rounds, double loss);

#endif
