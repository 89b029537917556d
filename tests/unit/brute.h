/* SPDX-License-Identifier: MIT */
/*
 * brute.h — the model by brute-force enumeration, for tiny N.
 *
 * Follows MODEL.md over labelled nodes with no appeal to exchangeability:
 * every failed set, every actor's every choice of K peers and every loss
 * pattern, weighted by its probability.  Exponential, so N <= 6.
 */
#ifndef FANOUT_TEST_BRUTE_H
#define FANOUT_TEST_BRUTE_H

#include "fanout/model.h"

#define BRUTE_MAX_NODES 6

/* Fills p_full[0..R] and mean_informed[0..R] (caller's arrays). */
void brute_run(const struct gossip_params *p, double *p_full, double *mean_informed);

#endif
