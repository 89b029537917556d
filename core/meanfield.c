/* SPDX-License-Identifier: MIT */
/*
 * meanfield.c — see meanfield.h for the recurrence.  Cohorts of newly
 * informed nodes are kept for the push window, so forward_rounds and
 * transmit_limit are honoured (the oldest cohort sends only its last round's
 * share under a transmit limit).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/meanfield.h"

/* Past this fanout the pull product is taken through lgamma instead. */
#define MF_PRODUCT_MAX 1024

/*
 * P(a puller misses every informed peer) with e = (1 - loss)x effective
 * informed nodes among the N - 1 peers it may ask, K of which it asks.
 */
static double pull_miss(double n_others, int64_t k, double e)
{
	double log_miss = 0;

	if (e <= 0)
		return 1;
	if (n_others - (double)k + 1 <= e)
		return 0;
	if (k <= MF_PRODUCT_MAX) {
		for (int64_t j = 0; j < k; j++)
			log_miss += log1p(-e / (n_others - (double)j));
		return exp(log_miss);
	}
	/* prod_{j<K} (n - j - e)/(n - j) = G(n+1-e) G(n+1-K) / (G(n+1-e-K) G(n+1)) */
	log_miss = lgamma(n_others + 1 - e) - lgamma(n_others + 1 - e - (double)k) +
		   lgamma(n_others + 1 - (double)k) - lgamma(n_others + 1);
	return exp(log_miss);
}

enum fo_status mf_run(const struct gossip_params *p, struct chain_result *out)
{
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return FO_TOO_LARGE; /* a recurrence over rounds */
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	int64_t window = gossip_window(p);
	double live = (double)gossip_live(p), others = (double)(p->nodes - 1);
	double per_sender = others > 0 ? 1 - (double)p->fanout * (1 - p->loss) / others : 1;
	double per_last = others > 0 ? 1 - (double)gossip_last_sends(p) * (1 - p->loss) / others : 1;
	double x = 1, *cohort = NULL;
	size_t n = (size_t)p->rounds + 1;

	memset(out, 0, sizeof *out);
	out->rounds = p->rounds;
	out->p_full = malloc(n * sizeof *out->p_full);
	out->mean_informed = malloc(n * sizeof *out->mean_informed);
	if (window)
		cohort = calloc((size_t)window, sizeof *cohort);
	if (!out->p_full || !out->mean_informed || (window && !cohort)) {
		free(cohort);
		chain_result_release(out);
		return FO_NOMEM;
	}
	if (window)
		cohort[0] = 1; /* the origin, informed in round 0 */
	out->p_full[0] = exp(-(live - x));
	out->mean_informed[0] = x;
	for (int64_t r = 1; r <= p->rounds; r++) {
		double stay = 1, senders = x, last = 0, fresh;
		if (window) {
			senders = 0;
			for (int64_t j = 0; j + 1 < window; j++)
				senders += cohort[j];
			last = cohort[window - 1];
		}
		if (gossip_pushes(p->mode))
			stay *= pow(per_sender, senders) * pow(per_last, last);
		if (gossip_pulls(p->mode))
			stay *= pull_miss(others, p->fanout, (1 - p->loss) * x);
		fresh = (live - x) * (1 - stay);
		x = fmin(x + fresh, live); /* never past L, even by a rounding */
		if (window) {
			memmove(cohort + 1, cohort, (size_t)(window - 1) * sizeof *cohort);
			cohort[0] = fresh;
		}
		out->p_full[r] = exp(-(live - x));
		out->mean_informed[r] = x;
	}
	out->node_miss = live > 1 ? (live - x) / (live - 1) : 0;
	free(cohort);
	return FO_OK;
}

double mf_cost(const struct gossip_params *p)
{
	if (p->timers != GOSSIP_TIMERS_ALIGNED || p->seed_gossip)
		return HUGE_VAL;
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	double per_round = 20 + (double)gossip_window(p);

	if (gossip_pulls(p->mode))
		per_round += p->fanout <= MF_PRODUCT_MAX ? 20.0 * (double)p->fanout : 200;
	return (double)p->rounds * per_round;
}
