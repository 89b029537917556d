/* SPDX-License-Identifier: MIT */
/*
 * tally.c — exact accumulation of simulation trials and their statistics.
 *
 * Sums are integers so that merging is exact and order-free; the variance of
 * the delivery fraction is formed in 128-bit integers before any rounding.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/sim.h"

#define Z95 1.959963984540054

int sim_counts_fit(const struct gossip_params *p, int64_t trials)
{
	double most = 2 * (double)p->fanout * (double)gossip_live(p) * (double)p->rounds * (double)trials;

	return most < 0x1p64;
}

enum fo_status sim_tally_init(struct sim_tally *t, const struct gossip_params *p, int curve)
{
	size_t n = (size_t)p->rounds + 1;

	memset(t, 0, sizeof *t);
	t->rounds = p->rounds;
	t->live = gossip_live(p);
	t->rounds_to_all_hist = calloc(n, sizeof *t->rounds_to_all_hist);
	if (!t->rounds_to_all_hist)
		return FO_NOMEM;
	if (!curve)
		return FO_OK;
	t->informed_by_round = calloc(n, sizeof *t->informed_by_round);
	t->full_by_round = calloc(n, sizeof *t->full_by_round);
	if (!t->informed_by_round || !t->full_by_round) {
		sim_tally_release(t);
		return FO_NOMEM;
	}
	return FO_OK;
}

void sim_tally_release(struct sim_tally *t)
{
	free(t->rounds_to_all_hist);
	free(t->informed_by_round);
	free(t->full_by_round);
	t->rounds_to_all_hist = NULL;
	t->informed_by_round = NULL;
	t->full_by_round = NULL;
}

void sim_tally_add(struct sim_tally *t, const int64_t *informed, int64_t rounds_to_all,
		   uint64_t messages)
{
	uint64_t last = (uint64_t)informed[t->rounds];

	t->trials++;
	t->informed_sum += last;
	t->informed_sq_sum += (unsigned __int128)last * last;
	t->messages_sum += messages;
	if (rounds_to_all >= 0) {
		t->trials_full++;
		t->rounds_to_all_sum += (uint64_t)rounds_to_all;
		t->rounds_to_all_hist[rounds_to_all]++;
	}
	if (!t->informed_by_round)
		return;
	for (int64_t r = 0; r <= t->rounds; r++) {
		t->informed_by_round[r] += (uint64_t)informed[r];
		t->full_by_round[r] += rounds_to_all >= 0 && rounds_to_all <= r;
	}
}

void sim_tally_merge(struct sim_tally *into, const struct sim_tally *from)
{
	into->trials += from->trials;
	into->trials_full += from->trials_full;
	into->informed_sum += from->informed_sum;
	into->informed_sq_sum += from->informed_sq_sum;
	into->rounds_to_all_sum += from->rounds_to_all_sum;
	into->messages_sum += from->messages_sum;
	for (int64_t r = 0; r <= into->rounds; r++)
		into->rounds_to_all_hist[r] += from->rounds_to_all_hist[r];
	if (!into->informed_by_round || !from->informed_by_round)
		return;
	for (int64_t r = 0; r <= into->rounds; r++) {
		into->informed_by_round[r] += from->informed_by_round[r];
		into->full_by_round[r] += from->full_by_round[r];
	}
}

void sim_wilson(double hits, double n, double ci[2])
{
	double p = hits / n, z2 = Z95 * Z95;
	double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	double half = Z95 / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n));

	ci[0] = fmax(0, centre - half);
	ci[1] = fmin(1, centre + half);
}

/*
 * The delivery fraction's interval is mean ± 1.96 s/sqrt(n).  When every trial
 * gave the same fraction (s = 0, or n = 1) that would be a point, so the
 * Wilson interval of a proportion equal to the mean is used instead: it is
 * conservative, since no [0, 1] variable with that mean has more variance
 * than a Bernoulli one.
 */
static void delivery_interval(const struct sim_tally *t, double mean, double ci[2])
{
	double n = (double)t->trials, live = (double)t->live;
	unsigned __int128 sum = t->informed_sum;
	unsigned __int128 nsq = (unsigned __int128)t->trials * t->informed_sq_sum;
	unsigned __int128 spread = nsq - sum * sum; /* n * sum x^2 - (sum x)^2 >= 0 */
	double var;

	if (t->trials < 2 || spread == 0) {
		sim_wilson(mean * n, n, ci);
		return;
	}
	var = (double)spread / (n * (n - 1)) / (live * live);
	ci[0] = fmax(0, mean - Z95 * sqrt(var / n));
	ci[1] = fmin(1, mean + Z95 * sqrt(var / n));
}

void sim_summarize(const struct sim_tally *t, struct sim_summary *s)
{
	double n = (double)t->trials;

	s->delivery_rate = (double)t->informed_sum / (n * (double)t->live);
	delivery_interval(t, s->delivery_rate, s->delivery_ci);
	s->full_rate = (double)t->trials_full / n;
	sim_wilson((double)t->trials_full, n, s->full_ci);
	s->avg_rounds_to_all = t->trials_full ? (double)t->rounds_to_all_sum / (double)t->trials_full
					      : NAN;
	s->messages_mean = (double)t->messages_sum / n;
}
