/* SPDX-License-Identifier: MIT */
/*
 * brute.c — see brute.h.  A configuration gives each node a code: UNINF,
 * FAILED, or INFORMED + the round it was informed in; configurations are
 * packed 4 bits a node into a uint64 and kept in a plain array with their
 * probabilities.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brute.h"

#define UNINF 0
#define FAILED 1
#define INFORMED 2
#define MAX_CONFIGS 200000

struct dist {
	size_t n;
	uint64_t *cfg;
	double *w;
};

static int code_of(uint64_t cfg, int v)
{
	return (int)((cfg >> (4 * v)) & 15);
}

static uint64_t with_code(uint64_t cfg, int v, int code)
{
	return (cfg & ~(15ULL << (4 * v))) | ((uint64_t)code << (4 * v));
}

static void add(struct dist *d, uint64_t cfg, double w)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->cfg[i] == cfg) {
			d->w[i] += w;
			return;
		}
	}
	ck_assert(d->n < MAX_CONFIGS);
	d->cfg[d->n] = cfg;
	d->w[d->n++] = w;
}

static double choose(int n, int k)
{
	double c = 1;

	for (int j = 1; j <= k; j++)
		c = c * (n - k + j) / j;
	return c;
}

/*
 * out[mask] += P(actor v's choices deliver to exactly the nodes in mask):
 * a k-subset of the others, each message kept with probability 1 - loss.
 * For a puller, `hit` is whether any kept exchange is with an informed peer,
 * reported as mask = 1 << v.
 */
static void actor_outcomes(const struct gossip_params *p, uint64_t cfg, int v, int r, int pulling,
			   int k, double *out)
{
	int n = (int)p->nodes;
	double per_subset = 1 / choose(n - 1, k);

	for (unsigned set = 0; set < (1u << n); set++) {
		int targets[BRUTE_MAX_NODES], t = 0;
		if ((set >> v) & 1 || __builtin_popcount(set) != k)
			continue;
		for (int w = 0; w < n; w++)
			if ((set >> w) & 1)
				targets[t++] = w;
		for (unsigned kept = 0; kept < (1u << k); kept++) {
			double pr = per_subset;
			unsigned mask = 0;
			for (int j = 0; j < k; j++) {
				int w = targets[j], c = code_of(cfg, w);
				int arrives = (kept >> j) & 1;
				pr *= arrives ? 1 - p->loss : p->loss;
				if (!arrives)
					continue;
				if (pulling && c >= INFORMED && c - INFORMED < r)
					mask = 1u << v;
				if (!pulling && c == UNINF)
					mask |= 1u << w;
			}
			out[mask] += pr;
		}
	}
}

/* Folds one actor into the distribution of the set of newly informed nodes. */
static void fold(double *acc, const double *outcome, int n)
{
	double next[1 << BRUTE_MAX_NODES] = { 0 };

	for (unsigned a = 0; a < (1u << n); a++) {
		if (acc[a] == 0)
			continue;
		for (unsigned b = 0; b < (1u << n); b++)
			next[a | b] += acc[a] * outcome[b];
	}
	memcpy(acc, next, sizeof next);
}

/*
 * Messages node v, informed in round `at`, pushes in round r > at: K, inside
 * forward_rounds if set, and under a transmit limit X what is left of X after
 * K in each earlier round.
 */
static int push_sends(const struct gossip_params *p, int at, int r)
{
	int k = (int)p->fanout, age = r - at;

	if (p->forward_rounds > 0 && age > p->forward_rounds)
		return 0;
	if (p->transmit_limit > 0) {
		int64_t left = p->transmit_limit - (int64_t)(age - 1) * k;
		return left <= 0 ? 0 : left < k ? (int)left : k;
	}
	return k;
}

static void round_of(const struct gossip_params *p, uint64_t cfg, double w, int r, struct dist *out)
{
	int n = (int)p->nodes;
	double acc[1 << BRUTE_MAX_NODES] = { 0 };

	acc[0] = 1;
	for (int v = 0; v < n; v++) {
		int c = code_of(cfg, v);
		double outcome[1 << BRUTE_MAX_NODES] = { 0 };
		int sends = p->mode != GOSSIP_PULL && c >= INFORMED && c - INFORMED < r
			    ? push_sends(p, c - INFORMED, r) : 0;
		int puller = p->mode != GOSSIP_PUSH && c == UNINF;
		if (sends > 0) {
			actor_outcomes(p, cfg, v, r, 0, sends, outcome);
			fold(acc, outcome, n);
		}
		if (puller) {
			memset(outcome, 0, sizeof outcome);
			actor_outcomes(p, cfg, v, r, 1, (int)p->fanout, outcome);
			fold(acc, outcome, n);
		}
	}
	for (unsigned m = 0; m < (1u << n); m++) {
		uint64_t next = cfg;
		if (acc[m] == 0)
			continue;
		for (int v = 0; v < n; v++)
			if ((m >> v) & 1)
				next = with_code(next, v, INFORMED + r);
		add(out, next, w * acc[m]);
	}
}

static void measure(const struct gossip_params *p, const struct dist *d, double *full, double *mean)
{
	int live = (int)gossip_live(p);

	*full = *mean = 0;
	for (size_t i = 0; i < d->n; i++) {
		int informed = 0;
		for (int v = 0; v < p->nodes; v++)
			informed += code_of(d->cfg[i], v) >= INFORMED;
		*mean += d->w[i] * informed;
		if (informed == live)
			*full += d->w[i];
	}
}

void brute_run(const struct gossip_params *p, double *p_full, double *mean_informed)
{
	struct dist d[2];
	int n = (int)p->nodes, cur = 0;
	double sets = choose(n - 1, (int)p->failed);

	ck_assert(n <= BRUTE_MAX_NODES && p->rounds <= 13);
	for (int k = 0; k < 2; k++) {
		d[k].n = 0;
		d[k].cfg = malloc(MAX_CONFIGS * sizeof *d[k].cfg);
		d[k].w = malloc(MAX_CONFIGS * sizeof *d[k].w);
		ck_assert(d[k].cfg && d[k].w);
	}
	/* Every failed set among nodes 1 … N-1, equally likely; the origin informed in round 0. */
	for (unsigned set = 0; set < (1u << n); set++) {
		uint64_t cfg = with_code(0, 0, INFORMED);
		if ((set & 1) || __builtin_popcount(set) != p->failed)
			continue;
		for (int v = 1; v < n; v++)
			if ((set >> v) & 1)
				cfg = with_code(cfg, v, FAILED);
		add(&d[0], cfg, 1 / sets);
	}
	measure(p, &d[0], &p_full[0], &mean_informed[0]);
	for (int r = 1; r <= p->rounds; r++) {
		d[1 - cur].n = 0;
		for (size_t i = 0; i < d[cur].n; i++)
			round_of(p, d[cur].cfg[i], d[cur].w[i], r, &d[1 - cur]);
		cur = 1 - cur;
		measure(p, &d[cur], &p_full[r], &mean_informed[r]);
	}
	for (int k = 0; k < 2; k++) {
		free(d[k].cfg);
		free(d[k].w);
	}
}
