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

/*
 * Under independent timers a live node ticks at most ceil(H) + 1 times in
 * [0, H] (a push and a pull each) and probes at most H / P + 1 times (a ping
 * and an ack each).
 */
int sim_counts_fit(const struct gossip_params *p, int64_t trials)
{
	double live = (double)gossip_live(p), most;

	if (p->timers == GOSSIP_TIMERS_ALIGNED) {
		most = 2 * (double)p->fanout * live * (double)p->rounds * (double)trials;
	} else {
		double ticks = ceil(gossip_horizon(p)) + 1;
		double probes = p->probe_interval > 0 ? floor(gossip_horizon(p) / p->probe_interval) + 1 : 0;
		double syncs = p->sync_interval > 0 ? floor(gossip_horizon(p) / p->sync_interval) + 1 : 0;
		most = live * (2 * (double)p->fanout * ticks + 2 * probes + 2 * syncs) * (double)trials;
		most = fmax(most, (double)SIM_TIME_UNITS * (gossip_horizon(p) + 1) * (double)trials);
	}
	/* Cassandra's two extra exchanges: at most two messages a node a round or tick. */
	if (p->seed_gossip)
		most *= 2;
	return most < 0x1p64;
}

int64_t sim_steps(const struct gossip_params *p)
{
	double q;
	int64_t b;

	if (p->timers == GOSSIP_TIMERS_ALIGNED)
		return p->rounds;
	/* A horizon within rounding of a quarter (1 s / 0.2 s) gets no sliver of a bin. */
	q = SIM_BINS_PER_INTERVAL * gossip_horizon(p);
	b = (int64_t)ceil(q * (1 - 1e-12));
	return b < 1 ? 1 : b;
}

double sim_edge(const struct gossip_params *p, int64_t b)
{
	double h = gossip_horizon(p), at = (double)b / SIM_BINS_PER_INTERVAL;

	if (p->timers == GOSSIP_TIMERS_ALIGNED)
		return (double)b;
	return b >= sim_steps(p) || at > h ? h : at;
}

enum fo_status sim_tally_init(struct sim_tally *t, const struct gossip_params *p, int curve)
{
	size_t n = (size_t)sim_steps(p) + 1;

	memset(t, 0, sizeof *t);
	t->time_base = p->timers == GOSSIP_TIMERS_ALIGNED ? SIM_TIME_ROUNDS : SIM_TIME_QUARTERS;
	t->rounds = sim_steps(p);
	t->horizon = gossip_horizon(p);
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

/*
 * A timed trial's sums, its full count and its time to all (`all`, read only
 * when it reached every live node) in the histogram; returns the bin of full
 * delivery (the first edge at or after the time to all: ceil(4 T), the last
 * one H), or -1.
 */
static int64_t add_timed_sums(struct sim_tally *t, const struct sim_timed *trial, double all)
{
	uint64_t last = (uint64_t)trial->informed;
	int64_t bin = -1;

	t->trials++;
	t->informed_sum += last;
	t->informed_sq_sum += (unsigned __int128)last * last;
	t->messages_sum += trial->messages;
	t->transmits_sum += trial->transmits;
	t->probe_transmits_sum += trial->probe_transmits;
	if (trial->informed == t->live) {
		double q = ceil(SIM_BINS_PER_INTERVAL * all);
		bin = q >= (double)t->rounds ? t->rounds : (int64_t)q;
		t->trials_full++;
		t->rounds_to_all_sum += (uint64_t)llround(all * SIM_TIME_UNITS);
		t->rounds_to_all_hist[bin]++;
	}
	return bin;
}

void sim_tally_add_timed(struct sim_tally *t, const struct sim_timed *trial)
{
	int full = trial->informed == t->live;
	double h = t->horizon;
	int64_t bin = add_timed_sums(t, trial, full ? trial->when[t->live - 1] : 0), i = 0;

	if (!t->informed_by_round)
		return;
	for (int64_t b = 0; b <= t->rounds; b++) {
		double at = (double)b / SIM_BINS_PER_INTERVAL;
		if (b == t->rounds || at > h)
			at = h;
		while (i < trial->informed && trial->when[i] <= at)
			i++;
		t->informed_by_round[b] += (uint64_t)i;
		t->full_by_round[b] += full && bin <= b;
	}
}

void sim_tally_add_edges(struct sim_tally *t, const struct sim_timed *trial, double all, const int64_t *by_edge)
{
	int full = trial->informed == t->live;
	int64_t bin = add_timed_sums(t, trial, all);

	if (!t->informed_by_round)
		return;
	for (int64_t b = 0; b <= t->rounds; b++) {
		t->informed_by_round[b] += (uint64_t)by_edge[b];
		t->full_by_round[b] += full && bin <= b;
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
	into->transmits_sum += from->transmits_sum;
	into->probe_transmits_sum += from->probe_transmits_sum;
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
 * The delivery fraction's interval: the empirical-Bernstein bound of Maurer
 * and Pontil (2009, Theorem 4), which holds at every n for iid variables in
 * [0, 1] whatever their distribution (skewed, bimodal): with probability at
 * least 1 - d, the mean lies below  m + sqrt(2 V ln(2/d) / n) + 7 ln(2/d) / (3 (n - 1)),
 * V the unbiased sample variance.  Applied to X and to 1 - X with d = 0.025
 * each, the interval is two-sided at 95% or more.  Only the mean and V enter,
 * which the integer sums give exactly.  One trial says nothing: [0, 1].
 */
static void delivery_interval(const struct sim_tally *t, double mean, double ci[2])
{
	double n = (double)t->trials, live = (double)t->live;
	unsigned __int128 sum = t->informed_sum;
	unsigned __int128 nsq = (unsigned __int128)t->trials * t->informed_sq_sum;
	unsigned __int128 spread = nsq - sum * sum; /* n * sum x^2 - (sum x)^2 >= 0 */
	double var, lg = log(2 / SIM_DELIVERY_SIDE), half;

	if (t->trials < 2) {
		ci[0] = 0;
		ci[1] = 1;
		return;
	}
	var = (double)spread / (n * (n - 1)) / (live * live);
	half = sqrt(2 * var * lg / n) + 7 * lg / (3 * (n - 1));
	ci[0] = fmax(0, mean - half);
	ci[1] = fmin(1, mean + half);
}

void sim_summarize(const struct sim_tally *t, struct sim_summary *s)
{
	double n = (double)t->trials;

	s->delivery_rate = (double)t->informed_sum / (n * (double)t->live);
	delivery_interval(t, s->delivery_rate, s->delivery_ci);
	s->full_rate = (double)t->trials_full / n;
	sim_clopper_pearson(t->trials_full, t->trials, 1 - SIM_CONFIDENCE, s->full_ci);
	s->avg_rounds_to_all = t->trials_full ? (double)t->rounds_to_all_sum / (double)t->trials_full
					      : NAN;
	if (t->time_base == SIM_TIME_QUARTERS)
		s->avg_rounds_to_all /= SIM_TIME_UNITS;
	s->messages_mean = (double)t->messages_sum / n;
}
