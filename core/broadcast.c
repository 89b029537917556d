/* SPDX-License-Identifier: MIT */
/*
 * broadcast.c — rounds to all and messages per broadcast (see broadcast.h).
 */
#include <math.h>

#include "fanout/broadcast.h"
#include "fanout/exact.h"
#include "fanout/largen.h"
#include "fanout/meanfield.h"

void rounds_from_cdf(const double *p_full, int64_t rounds, struct rounds_to_all *out)
{
	static const double q[3] = { 0.5, 0.9, 0.99 };
	int64_t *at[3] = { &out->p50, &out->p90, &out->p99 };
	double sum = 0;

	for (int j = 0; j < 3; j++) {
		*at[j] = -1;
		for (int64_t r = 0; r <= rounds; r++) {
			if (p_full[r] >= q[j]) {
				*at[j] = r;
				break;
			}
		}
	}
	for (int64_t r = 1; r <= rounds; r++)
		sum += (double)r * fmax(0, p_full[r] - p_full[r - 1]);
	out->mean = p_full[rounds] > 0 ? sum / p_full[rounds] : NAN;
}

void rounds_from_hist(const int64_t *hist, int64_t rounds, int64_t trials,
		      struct rounds_to_all *out)
{
	static const int64_t percent[3] = { 50, 90, 99 };
	int64_t *at[3] = { &out->p50, &out->p90, &out->p99 };
	int64_t cum = 0;
	double sum = 0;

	for (int j = 0; j < 3; j++)
		*at[j] = -1;
	for (int64_t r = 0; r <= rounds; r++) {
		cum += hist[r];
		sum += (double)r * (double)hist[r];
		for (int j = 0; j < 3; j++)
			if (*at[j] < 0 && (__int128)cum * 100 >= (__int128)percent[j] * trials)
				*at[j] = r;
	}
	out->mean = cum > 0 ? sum / (double)cum : NAN;
}

/* m[j], with m[j] = 0 before round 0. */
static double informed_at(const double *m, int64_t j)
{
	return j < 0 ? 0 : m[j];
}

double broadcast_messages(const struct gossip_params *p, const double *m)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	double k = (double)p->fanout, last = (double)gossip_last_sends(p), live = (double)gossip_live(p);
	int64_t w = gossip_window(p);
	double total = 0;

	for (int64_t r = 1; r <= p->rounds; r++) {
		if (gossip_pushes(p->mode)) {
			if (!w)
				total += k * m[r - 1];
			else
				total += k * (m[r - 1] - informed_at(m, r - w)) +
					 last * (informed_at(m, r - w) - informed_at(m, r - w - 1));
		}
		if (gossip_pulls(p->mode))
			total += k * (live - m[r - 1]);
	}
	return total;
}

enum fo_status broadcast_chain(const struct gossip_params *p, enum calc_model model,
			       const atomic_int *cancel, struct chain_result *out)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	struct largen_result l;

	if (model == CALC_LARGE_N)
		return largen_curve(p, cancel, &l, out);
	return model == CALC_EXACT ? exact_run(p, cancel, out) : mf_run(p, out);
}
