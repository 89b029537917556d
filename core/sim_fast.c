/* SPDX-License-Identifier: MIT */
/*
 * sim_fast.c — the fast simulator: samples the informed-count chain exactly.
 *
 * The model is exchangeable, so a trial needs only the number of informed
 * live nodes (and, with a push window, how many were informed in each of the
 * last T rounds).  Failed nodes never appear: they are only part of the N - 1
 * peers a sender may pick.  A push round is the exact chain's sender-by-sender
 * step: with m live nodes not yet reached, a sender's new deliveries are
 * hypergeometric(N-1, m, K) hits thinned by loss.  Senders that deliver
 * nothing new are i.i.d. given m, so one geometric draw skips all of them up
 * to the next sender that does, and only that sender's deliveries are drawn.
 * The work of a round is then proportional to the senders that inform
 * someone, so a trial costs about O(L K + R) however many messages are sent.
 * A pull round is one binomial draw.  Memory does not grow with N.  Under a
 * transmit limit, the senders in their window's last round send fewer than K
 * and take their own push pass after the others (the order of senders within
 * a round does not change the distribution).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "fanout/dist.h"
#include "fanout/sample.h"
#include "fanout/sim.h"
#include "sim_clock.h"

/*
 * Up to this fanout a sender's hit pmf is formed from falling factorials
 * with constants computed once per run, instead of by dist_hypergeom.
 */
#define SMALL_FANOUT 16

struct fast {
	const struct gossip_params *p;
	int64_t live, window;
	int64_t last;               /* sends in the window's last round */
	int small;                  /* the falling-factorial pmf applies (to K sends) */
	double inv_choose;          /* 1 / C(N-1, K) */
	double inv_fact[SMALL_FANOUT + 1];
	double loss_pow[SMALL_FANOUT + 1];
	double *hits;               /* min(K, L) + 1: pmf of one sender's hits */
	double *kept;               /* min(K, L) + 1: pmf of how many of them arrive */
	int64_t *cohort;            /* window: newly informed per recent round */
	int64_t *curve;             /* R + 1 */
	struct rng rng;
};

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void fast_release(struct fast *f)
{
	free(f->hits);
	free(f->kept);
	free(f->cohort);
	free(f->curve);
}

static int fast_init(struct fast *f, const struct gossip_params *p)
{
	int64_t top;

	memset(f, 0, sizeof *f);
	f->p = p;
	f->live = gossip_live(p);
	f->window = gossip_window(p);
	f->last = gossip_last_sends(p);
	top = imin(p->fanout, f->live);
	f->hits = malloc((size_t)(top + 1) * sizeof *f->hits);
	f->kept = malloc((size_t)(top + 1) * sizeof *f->kept);
	f->cohort = calloc((size_t)f->window + 1, sizeof *f->cohort);
	f->curve = malloc((size_t)(p->rounds + 1) * sizeof *f->curve);
	if (!f->hits || !f->kept || !f->cohort || !f->curve) {
		fast_release(f);
		return -1;
	}
	/* C(N-1, K) must stay well inside double range for the products. */
	f->small = p->fanout <= SMALL_FANOUT && p->nodes <= 1000000000;
	if (f->small) {
		double choose = 1;
		f->inv_fact[0] = f->loss_pow[0] = 1;
		for (int64_t k = 1; k <= p->fanout; k++) {
			choose = choose * (double)(p->nodes - k) / (double)k;
			f->inv_fact[k] = f->inv_fact[k - 1] / (double)k;
			f->loss_pow[k] = f->loss_pow[k - 1] * p->loss;
		}
		f->inv_choose = 1 / choose;
	}
	return 0;
}

/*
 * hits[h] = Hyp(h; N-1, m, k) for h = 0..top: C(m, h) C(N-1-m, k-h) / C(N-1, k)
 * from falling factorials when k is a small K, else by dist_hypergeom.
 */
static void hit_pmf(struct fast *f, int64_t m, int64_t k, int64_t top)
{
	const struct gossip_params *p = f->p;
	int64_t others = p->nodes - 1 - m;
	double fall_m[SMALL_FANOUT + 1], fall_o[SMALL_FANOUT + 1];

	if (!f->small || k != p->fanout) {
		struct dist_pmf pmf;
		dist_hypergeom(p->nodes - 1, m, k, f->hits, top + 1, &pmf);
		return;
	}
	fall_m[0] = fall_o[0] = 1;
	for (int64_t j = 1; j <= k; j++) {
		fall_m[j] = fall_m[j - 1] * (double)(m - j + 1);
		fall_o[j] = fall_o[j - 1] * (double)(others - j + 1);
	}
	for (int64_t h = 0; h <= top; h++)
		f->hits[h] = k - h > others ? 0
			: fall_m[h] * f->inv_fact[h] * fall_o[k - h] * f->inv_fact[k - h] * f->inv_choose;
}

/*
 * One push pass of `senders` senders sending `sends` each, with m live nodes
 * not yet reached; returns how many remain unreached.
 */
static int64_t push_round(struct fast *f, int64_t senders, int64_t sends, int64_t m)
{
	const struct gossip_params *p = f->p;

	while (senders > 0 && m > 0 && sends > 0) {
		int64_t top = imin(sends, m), h, d;
		double any = 0;
		uint64_t skip;

		/* hits[h] becomes P(h hits and at least one of them arrives). */
		hit_pmf(f, m, sends, top);
		for (h = 1; h <= top; h++) {
			if (p->loss > 0)
				f->hits[h] *= 1 - (f->small ? f->loss_pow[h] : pow(p->loss, (double)h));
			any += f->hits[h];
		}
		skip = sample_geometric(&f->rng, any);
		if (skip >= (uint64_t)senders)
			break;
		senders -= (int64_t)skip + 1;
		h = sample_discrete(&f->rng, f->hits, 1, top, any);
		d = h;
		if (p->loss > 0) {
			/* Arrivals among the h hits, given at least one. */
			double some = 0;
			dist_binom(h, 1 - p->loss, f->kept);
			for (int64_t k = 1; k <= h; k++)
				some += f->kept[k];
			d = sample_discrete(&f->rng, f->kept, 1, h, some);
		}
		m -= d;
	}
	return m;
}

/* One trial into f->curve; returns rounds to all or -1, and its messages. */
static int64_t fast_trial(struct fast *f, uint64_t *messages)
{
	const struct gossip_params *p = f->p;
	int64_t informed = 1, rounds_to_all = f->live == 1 ? 0 : -1, active = 1;

	*messages = 0;
	f->curve[0] = 1;
	if (f->window) {
		memset(f->cohort, 0, (size_t)f->window * sizeof *f->cohort);
		f->cohort[0] = 1; /* the origin, informed in round 0 */
	}
	for (int64_t r = 1; r <= p->rounds; r++) {
		int64_t fresh = f->live - informed, m = fresh, senders = f->window ? active : informed;
		int64_t slot = r % (f->window ? f->window : 1), closing = 0;

		if (f->window && f->last < p->fanout) {
			/* The cohort in its window's last round sends only f->last. */
			closing = f->cohort[slot];
			senders -= closing;
		}
		if (gossip_pushes(p->mode)) {
			*messages += (uint64_t)p->fanout * (uint64_t)senders +
				     (uint64_t)f->last * (uint64_t)closing;
			m = push_round(f, senders, p->fanout, m);
			m = push_round(f, closing, f->last, m);
		}
		if (gossip_pulls(p->mode)) {
			*messages += (uint64_t)p->fanout * (uint64_t)fresh;
			if (m > 0 && p->fanout > 0)
				m -= (int64_t)sample_binomial(&f->rng, (uint64_t)m,
							      dist_pull_success(p->nodes - 1, informed, p->fanout,
										p->loss, f->kept));
		}
		informed += fresh - m;
		if (f->window) {
			/* The cohort leaving the window is replaced by this round's. */
			active += (fresh - m) - f->cohort[slot];
			f->cohort[slot] = fresh - m;
		}
		f->curve[r] = informed;
		if (rounds_to_all < 0 && informed == f->live)
			rounds_to_all = r;
	}
	return rounds_to_all;
}

/* sim_fast_trial under independent timers: the curve at the bin edges, the bin of full delivery. */
static enum fo_status timed_trial(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				  int64_t *informed, uint64_t *messages, int64_t *rounds_to_all)
{
	struct sim_tally t;
	struct sim_timed out;
	double *when = malloc((size_t)gossip_live(p) * sizeof *when);
	enum fo_status st = when ? sim_fast_timed(p, seed, trial, when, &out) : FO_NOMEM;

	if (st == FO_OK)
		st = sim_tally_init(&t, p, 1);
	if (st == FO_OK) {
		sim_tally_add_timed(&t, &out);
		*rounds_to_all = -1;
		for (int64_t b = 0; b <= t.rounds; b++) {
			informed[b] = (int64_t)t.informed_by_round[b];
			if (*rounds_to_all < 0 && t.rounds_to_all_hist[b])
				*rounds_to_all = b;
		}
		*messages = out.messages;
		sim_tally_release(&t);
	}
	free(when);
	return st;
}

enum fo_status sim_fast_trial(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			      int64_t *informed, uint64_t *messages, int64_t *rounds_to_all)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	struct fast f;

	if (p->timers == GOSSIP_TIMERS_INDEPENDENT)
		return timed_trial(p, seed, trial, informed, messages, rounds_to_all);

	if (fast_init(&f, p) < 0)
		return FO_NOMEM;
	rng_stream(&f.rng, seed, trial);
	*rounds_to_all = fast_trial(&f, messages);
	memcpy(informed, f.curve, (size_t)(p->rounds + 1) * sizeof *informed);
	fast_release(&f);
	return FO_OK;
}

/* A contiguous block of trials run by one thread into its own tally. */
struct part {
	const struct gossip_params *p;
	uint64_t seed, first;
	int64_t trials;
	const atomic_int *cancel;
	struct sim_tally tally;
	enum fo_status status;
};

static int run_part(void *arg)
{
	struct part *part = arg;
	struct fast f;

	if (part->p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		part->status = sim_clock_run(part->p, part->seed, part->first, part->trials, part->cancel,
					     &part->tally);
		return 0;
	}
	if (fast_init(&f, part->p) < 0) {
		part->status = FO_NOMEM;
		return 0;
	}
	for (int64_t i = 0; i < part->trials; i++) {
		uint64_t messages;
		int64_t rounds_to_all;
		if (fo_cancelled(part->cancel)) {
			part->status = FO_CANCELLED;
			break;
		}
		rng_stream(&f.rng, part->seed, part->first + (uint64_t)i);
		rounds_to_all = fast_trial(&f, &messages);
		sim_tally_add(&part->tally, f.curve, rounds_to_all, messages);
	}
	fast_release(&f);
	return 0;
}

enum fo_status sim_fast_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			    int64_t trials, int threads, const atomic_int *cancel, struct sim_tally *t)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	struct part parts[FO_SIM_MAX_THREADS] = { 0 };
	thrd_t tids[FO_SIM_MAX_THREADS];
	int started[FO_SIM_MAX_THREADS] = { 0 }, n = threads < 1 ? 1 : threads;
	enum fo_status st = FO_OK;
	int64_t done = 0;

	if (!sim_counts_fit(p, trials))
		return FO_TOO_LARGE;
	if (n > FO_SIM_MAX_THREADS)
		n = FO_SIM_MAX_THREADS;
	if (n > trials)
		n = trials > 0 ? (int)trials : 1;
	for (int k = 0; k < n; k++) {
		int64_t share = trials / n + (k < trials % n);
		parts[k] = (struct part){ p, seed, first_trial + (uint64_t)done, share, cancel, { 0 }, FO_OK };
		done += share;
		if (sim_tally_init(&parts[k].tally, p, t->informed_by_round != NULL) != FO_OK)
			parts[k].status = FO_NOMEM;
	}
	for (int k = 1; k < n; k++)
		if (parts[k].status == FO_OK)
			started[k] = thrd_create(&tids[k], run_part, &parts[k]) == thrd_success;
	if (parts[0].status == FO_OK)
		run_part(&parts[0]);
	for (int k = 0; k < n; k++) {
		if (k > 0 && started[k])
			thrd_join(tids[k], NULL);
		else if (k > 0 && parts[k].status == FO_OK)
			run_part(&parts[k]); /* no thread could be had: run it here */
		sim_tally_merge(t, &parts[k].tally);
		sim_tally_release(&parts[k].tally);
		if (st == FO_OK)
			st = parts[k].status;
	}
	return st;
}

/*
 * Fitted to CPU times measured on the development machine (N = 1e3 to 1e6,
 * K = 2 to 100, loss 0 to 0.2) and rounded up: a push costs 14 to 90 ns per
 * live node, more with loss and large K; a round costs ~30 ns, plus a
 * binomial and the pull success probability when pulling.
 */
/*
 * Independent timers (sim_clock.c), fitted to CPU times of a throwaway run
 * on the development machine while it was loaded (load average 12 on 2
 * cores), so on the high side: push, pull and push_pull at N = 1e3 to 1e6,
 * K = 1 to 10, with and without transmit limits and probes.  A live node
 * costs 105-130 ns up to N = 1e4, 200-300 ns at 1e5 and 370 ns at 1e6 (its
 * random accesses leave the caches); push_pull 1.7 times that; each
 * probe period about as much again (N = 1e3: 590 ns a node with X = 20,
 * K = 3, P = 5 intervals; 1e5: 1640 ns), probes running while the broadcast
 * is alive (taken as log2 L + the push window + 4 intervals) or to H.
 * Measured with a throwaway driver of sim_fast_run on one thread.
 */
static double timed_cost(const struct gossip_params *p, int64_t trials)
{
	double live = (double)gossip_live(p), h = gossip_horizon(p);
	double per_node = 130 + 120 * fmin(fmax(log10(fmax(live, 1)) - 4, 0), 2);
	double per_trial = 1000 + 2 * live + 2.0 * (double)sim_steps(p);

	if (gossip_pushes(p->mode) && gossip_pulls(p->mode))
		per_node *= 1.7;
	if (p->probe_interval > 0) {
		double window = p->transmit_limit > 0 && p->fanout > 0
			? ceil((double)p->transmit_limit / (double)p->fanout) : (double)p->forward_rounds;
		double alive = p->transmit_limit > 0 || p->forward_rounds > 0
			? fmin(h, log2(fmax(live, 2)) + window + 4) : h;
		per_node += per_node * (alive / p->probe_interval + 1);
	}
	/* Sync ticks, each about a probe's work, taken while any node is uninformed: taken as to H. */
	if (p->sync_interval > 0)
		per_node += 130 * (h / p->sync_interval + 1);
	return (double)trials * (per_trial + live * per_node);
}

double sim_fast_cost(const struct gossip_params *p, int64_t trials)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	double live = (double)gossip_live(p), k = (double)imin(p->fanout, gossip_live(p));
	double per_trial = 30.0 * (double)p->rounds;

	if (p->timers == GOSSIP_TIMERS_INDEPENDENT)
		return timed_cost(p, trials);

	if (gossip_pulls(p->mode))
		per_trial += (double)p->rounds * (50 + 2 * k);
	if (gossip_pushes(p->mode))
		per_trial += live * (20 + 100 * p->loss + k * (0.3 + 10 * p->loss));
	return (double)trials * per_trial;
}
