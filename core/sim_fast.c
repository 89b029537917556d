/* SPDX-License-Identifier: MIT */
/*
 * sim_fast.c — the fast simulator: samples the informed-count chain exactly.
 *
 * The model is exchangeable, so a trial needs only the number of informed
 * live nodes (and, with a push window, how many were informed in each of the
 * last T rounds).  Failed nodes never appear: they are only part of the N - 1
 * peers a sender may pick.
 *
 * A push round, with M0 the m0 live nodes not yet informed when it starts,
 * is drawn in two stages.  A sender's K peers are a uniform K-subset of the
 * N - 1 others, and M0 does not contain the sender, so the number a of its
 * messages that arrive at nodes of M0 is hypergeometric(N-1, m0, K) thinned
 * by loss, the same law for every sender of the round, and given a, the
 * nodes reached are a uniform a-subset of M0, independently between senders.
 * Stage one draws how many senders have each a = 1..K at once (a
 * multinomial: K binomials).  Stage two lays those subsets over M0 one
 * layer at a time, the t-th nodes of all of them, each new with probability
 * (nodes of M0 still unreached) / (m0 - t) whatever the other senders did:
 * an occupancy draw (sample_occupancy), which throws only the messages that
 * land among the nodes unreached when its chunk starts (a binomial) and
 * costs an integer comparison a throw.  The round's new count is the size of
 * the union, which does not depend on the order, so this is the exact
 * chain's step (the chi-square tests compare it with exact.c).  A round
 * costs K binomials, one a chunk, and a little more than one throw per node
 * it reaches.
 *
 * Where that would cost more (large K: the draws grow with K, and stage one
 * with K^2 under loss), the round is drawn sender by sender, the exact
 * chain's own step: with m live nodes not yet reached, a sender's new
 * deliveries are hypergeometric(N-1, m, K) hits thinned by loss; senders
 * that deliver nothing new are i.i.d. given m, so one geometric draw skips
 * all of them up to the next sender that does.
 *
 * A pull round is one binomial draw.  Memory does not grow with N.  Under a
 * transmit limit, the senders in their window's last round send fewer than K
 * (a second group in stage one; sender by sender, their own pass after the
 * others: the order of senders within a round does not change the
 * distribution).
 */
#include <math.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "fanout/dist.h"
#include "fanout/sample.h"
#include "fanout/sim.h"
#include "costs.h"
#include "sim_bins.h"
#include "sim_clock.h"

/*
 * Up to this fanout a sender's hit pmf is formed from falling factorials
 * with constants computed once per run, instead of by dist_hypergeom.
 */
#define SMALL_FANOUT 16

/* Up to this fanout a push round may be drawn in two stages (see the top). */
#define STAGED_FANOUT 64

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
	double *reach;              /* K + 1 (staged): pmf of a sender's arrivals in M0 */
	double *thin;               /* K + 1 (staged): scratch for the loss's binomial */
	double *hyp;                /* K + 1 (staged): hypergeometric scratch under loss */
	int64_t *count;             /* K + 1 (staged): senders by arrivals in M0 */
	int64_t *cohort;            /* window: newly informed per recent round */
	int64_t *curve;             /* R + 1 */
	enum sim_push_method method;
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
	free(f->reach);
	free(f->thin);
	free(f->hyp);
	free(f->count);
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
	if (p->fanout <= STAGED_FANOUT) {
		f->reach = malloc((size_t)(p->fanout + 1) * sizeof *f->reach);
		f->thin = malloc((size_t)(p->fanout + 1) * sizeof *f->thin);
		f->hyp = malloc((size_t)(p->fanout + 1) * sizeof *f->hyp);
		f->count = malloc((size_t)(p->fanout + 1) * sizeof *f->count);
		if (!f->reach || !f->thin || !f->hyp || !f->count) {
			fast_release(f);
			return -1;
		}
	}
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

/*
 * Stage one for `senders` senders sending `sends` each into M0 (m0 nodes):
 * adds to f->count[a] how many of them reach a = 1..sends nodes of M0.
 */
static void stage_one(struct fast *f, int64_t senders, int64_t sends, int64_t m0)
{
	const struct gossip_params *p = f->p;
	struct dist_pmf hyp;
	double *below = f->thin;

	if (senders <= 0 || sends <= 0)
		return;
	/* reach[a] = sum over h of Hyp(h; N-1, m0, sends) Bin(a; h, 1 - loss). */
	dist_hypergeom(p->nodes - 1, m0, sends, p->loss > 0 ? f->hyp : f->reach, sends + 1, &hyp);
	if (p->loss > 0) {
		memset(f->reach, 0, (size_t)(sends + 1) * sizeof *f->reach);
		for (int64_t h = 0; h <= sends; h++) {
			double w = f->hyp[h];
			if (w == 0)
				continue;
			dist_binom(h, 1 - p->loss, f->thin);
			for (int64_t a = 0; a <= h; a++)
				f->reach[a] += w * f->thin[a];
		}
	}
	sample_multinomial_down(&f->rng, senders, f->reach, sends, below, f->count);
}

/*
 * Stage two: the subsets counted in f->count laid over M0 (m0 nodes, m of
 * them unreached); returns how many stay unreached.  They are laid one
 * layer at a time: layer t places the (t+1)-th node of every sender with
 * more than t, uniform over the m0 - t nodes of M0 outside its first t.
 * Those t are all reached by then, so the node is new with probability m /
 * (m0 - t) whatever the other senders did, and the layer is an occupancy
 * draw of that many balls into m0 - t cells with m empty.
 */
static int64_t stage_two(struct fast *f, int64_t m0, int64_t m, int64_t sends)
{
	int64_t above = 0; /* senders with more than t nodes in M0 */

	for (int64_t a = 1; a <= sends; a++)
		above += f->count[a];
	for (int64_t t = 0; t < sends && above > 0 && m > 0; t++) {
		m = sample_occupancy(&f->rng, m0 - t, m, above);
		above -= f->count[t + 1];
	}
	return m;
}

/*
 * The push part of a round: `senders` senders send `sends` each and
 * `closing` send `last` each, with m live nodes unreached; returns how many
 * remain unreached.  Staged when its rough cost in nanoseconds (1.5 a
 * message reaching M0, 40 a binomial, the loss's mixing K^2) is below that
 * of the sender-by-sender pass (15 + 1.5 K a sender delivering something
 * new, of which there are at most min(senders, m)).
 */
static int64_t push_pass(struct fast *f, int64_t senders, int64_t sends, int64_t closing,
			 int64_t last, int64_t m)
{
	const struct gossip_params *p = f->p;
	double k = (double)sends, reach = (1 - p->loss) * (double)m / (double)(p->nodes - 1);
	double staged = 1.5 * reach * (k * (double)senders + (double)last * (double)closing) +
			80 * (k + 1) + (p->loss > 0 ? 2 * k * k : 0);
	double serial = (15 + 1.5 * k) * fmin((double)(senders + closing), (double)m);

	if (m <= 0)
		return m;
	if (!f->count || f->method == SIM_PUSH_SERIAL || (f->method == SIM_PUSH_AUTO && staged > serial)) {
		m = push_round(f, senders, sends, m);
		return push_round(f, closing, last, m);
	}
	memset(f->count, 0, (size_t)(sends + 1) * sizeof *f->count);
	stage_one(f, senders, sends, m);
	stage_one(f, closing, last, m);
	return stage_two(f, m, m, sends);
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
			m = push_pass(f, senders, p->fanout, closing, f->last, m);
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

enum fo_status sim_fast_trial_as(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				 enum sim_push_method method, int64_t *informed, uint64_t *messages,
				 int64_t *rounds_to_all)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	struct fast f;

	if (p->timers == GOSSIP_TIMERS_INDEPENDENT)
		return timed_trial(p, seed, trial, informed, messages, rounds_to_all);

	if (fast_init(&f, p) < 0)
		return FO_NOMEM;
	f.method = method;
	rng_stream(&f.rng, seed, trial);
	*rounds_to_all = fast_trial(&f, messages);
	memcpy(informed, f.curve, (size_t)(p->rounds + 1) * sizeof *informed);
	fast_release(&f);
	return FO_OK;
}

enum fo_status sim_fast_trial(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			      int64_t *informed, uint64_t *messages, int64_t *rounds_to_all)
{
	return sim_fast_trial_as(p, seed, trial, SIM_PUSH_AUTO, informed, messages, rounds_to_all);
}

/*
 * One thread's share of a run, into its own tally.  Under independent
 * timers, or with seeds (the agent), a contiguous block (a block's setup is
 * O(L)); otherwise
 * the threads take blocks of `grain` trials from a shared counter as they
 * finish the last, so a thread slowed by whatever else runs on its core
 * takes fewer.  The tally holds integer sums only, so any split gives the
 * same bits.  Aligned to a cache line: each thread writes its tally a trial.
 */
struct part {
	alignas(64) const struct gossip_params *p;
	uint64_t seed, first;
	int64_t trials;             /* timers: this block's; aligned: the run's */
	atomic_llong *next;         /* aligned: the first trial no thread has taken */
	int64_t grain;
	const atomic_int *cancel;
	struct sim_tally tally;
	enum fo_status status;
};

/* Trial part->first + i for each i this thread takes; FO_CANCELLED stops it. */
static enum fo_status take_trials(struct part *part, struct fast *f)
{
	double wasted = gossip_unreachable_chance(part->p);

	for (;;) {
		int64_t i = (int64_t)atomic_fetch_add(part->next, (long long)part->grain);
		int64_t end = imin(i + part->grain, part->trials);
		if (i >= part->trials)
			return FO_OK;
		for (; i < end; i++) {
			uint64_t messages;
			int64_t rounds_to_all;
			if (fo_cancelled(part->cancel))
				return FO_CANCELLED;
			rng_stream(&f->rng, part->seed, part->first + (uint64_t)i);
			rounds_to_all = fast_trial(f, &messages);
			if (wasted > 0 && part->p->fanout > 0)
				/* Seeds 0: each exchange (K messages) followed by a wasted one with chance q. */
				messages += sample_binomial(&f->rng, messages / (uint64_t)part->p->fanout, wasted);
			sim_tally_add(&part->tally, f->curve, rounds_to_all, messages);
		}
	}
}

static int run_part(void *arg)
{
	struct part *part = arg;
	struct fast f;

	if (part->p->seed_gossip && part->p->seeds > 0) {
		/* Seeds are not interchangeable with the other nodes: the agent simulator, every node. */
		part->status = sim_agent_run(part->p, part->seed, part->first, part->trials, part->cancel,
					     &part->tally);
		return 0;
	}
	if (part->p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		part->status = sim_clock_run(part->p, part->seed, part->first, part->trials, part->cancel,
					     &part->tally);
		return 0;
	}
	if (fast_init(&f, part->p) < 0) {
		part->status = FO_NOMEM;
		return 0;
	}
	part->status = take_trials(part, &f);
	fast_release(&f);
	return 0;
}

enum fo_status sim_fast_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			    int64_t trials, int threads, const atomic_int *cancel, struct sim_tally *t)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	struct part parts[FO_SIM_MAX_THREADS];
	thrd_t tids[FO_SIM_MAX_THREADS];
	int started[FO_SIM_MAX_THREADS] = { 0 }, n = threads < 1 ? 1 : threads;
	/* Runs handed whole to sim_clock or the agent take fixed blocks (see struct part). */
	int timed = p->timers == GOSSIP_TIMERS_INDEPENDENT || (p->seed_gossip && p->seeds > 0);
	enum fo_status st = FO_OK;
	atomic_llong next = 0;
	int64_t done = 0;

	if (!sim_counts_fit(p, trials))
		return FO_TOO_LARGE;
	if (n > FO_SIM_MAX_THREADS)
		n = FO_SIM_MAX_THREADS;
	if (n > trials)
		n = trials > 0 ? (int)trials : 1;
	for (int k = 0; k < n; k++) {
		int64_t share = timed ? trials / n + (k < trials % n) : trials;
		/* About 16 blocks a thread: few visits to the counter, little left at the end. */
		int64_t grain = trials / (16 * (int64_t)n) + 1;
		parts[k] = (struct part){ p, seed, first_trial + (uint64_t)done, share, &next, grain, cancel,
					  { 0 }, FO_OK };
		done += timed ? share : 0;
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
 * Independent timers (sim_clock.c, or sim_bins.c where it covers p): the
 * steps sim_clock_steps (sim_bins_steps) expects, at
 * SIM_CLOCK_STEP_COST work units each, more past N = 10^4 where the
 * sampler's random accesses leave the caches (costs.h).
 */
static double timed_cost(const struct gossip_params *p, int64_t trials)
{
	double live = (double)gossip_live(p);
	double per_step = SIM_CLOCK_STEP_COST + SIM_CLOCK_STEP_COST_DECADE * fmax(log10(fmax(live, 1)) - 4, 0);

	double steps = sim_bins_covers(p) ? sim_bins_steps(p) : sim_clock_steps(p);

	return (double)trials * (SIM_CLOCK_TRIAL_COST + per_step * steps);
}

/*
 * How the steps are counted is in sim_clock.c (struct clock's steps): a
 * pass over the nodes is one step a node; an event, a node informed, a
 * heap operation, a draw of a node to inform, a word a search crosses and
 * a bisection step are one each.
 */
double sim_clock_steps(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), h = gossip_horizon(p), words = ceil(live / 64);
	double blocks = ceil(words / 64), k = (double)p->fanout * (1 - p->loss);
	int probes = p->probe_interval > 0, pulls = gossip_pulls(p->mode) && p->fanout > 0;
	int pushes = gossip_pushes(p->mode) && p->fanout > 0, track = probes || pulls;
	int limited = p->transmit_limit > 0 || p->forward_rounds > 0;
	/* Passes over the nodes: phases, lists, probe phases and their owners, the sums at the end. */
	double steps = live * (1 + track + 3 * probes + pulls);
	/* Per node informed: its event, the draws redone, the heap; the first searches through sparse sets. */
	double per_node = 6 + 2 * pulls + 4 * limited;

	double window = p->transmit_limit > 0 && p->fanout > 0
		? ceil((double)p->transmit_limit / (double)p->fanout) : (double)p->forward_rounds;
	/*
	 * Nodes informed by H: everyone, or fewer when H is short.  Early on
	 * they grow as e^(lambda t): lambda = k_eff (1 - e^(-lambda W)) / lambda = 1
	 * for pushes k_eff (to live peers, arriving) in a window of W ticks
	 * (lambda = k_eff unlimited), plus k_eff for pulls and 2 / P for probes;
	 * all rounded up.
	 */
	double k_eff = k * (live - 1) / fmax((double)p->nodes - 1, 1), lambda = 0;
	if (p->transmit_limit > 0 && window > 0) /* X sends over W ticks */
		k_eff *= fmin(1, (double)p->transmit_limit / ((double)p->fanout * window));
	if (pushes) {
		lambda = k_eff;
		if (window > 0) {
			double lo = 0, hi = k_eff;
			for (int i = 0; i < 40; i++) {
				double mid = (lo + hi) / 2;
				if (k_eff * -expm1(-mid * window) > mid)
					lo = mid;
				else
					hi = mid;
			}
			lambda = hi;
		}
	}
	lambda += (pulls ? k_eff : 0) + (probes ? 2 / p->probe_interval : 0);
	double informed = fmin(live, exp(fmin(lambda * h, 700)));

	if (pushes && (p->forward_rounds > 0 || p->transmit_limit >= p->fanout))
		/* Under a short window the pushers are few and scattered: a search crosses blocks. */
		per_node += fmin(words, 2 * 64 + blocks) / (pulls ? 12 : 6) * fmin(1, 3 / window);
	steps += informed * per_node + 4 * words * log1p(words);
	if (probes) {
		/* Probe ticks while the broadcast lives: to everyone informed, then (limited) the windows. */
		double spread = k >= 0.5 ? 2 * (log2(fmax(live, 2)) / log2(1 + k) + log(fmax(live, 2)) / k)
					  : p->probe_interval * 2 * log2(fmax(live, 2));
		/*
		 * Without pushes (pull, or K = 0) a node's transmits under a limit
		 * go on its pings (and acks) alone: X pings, P apart, at most.
		 */
		double sending = p->transmit_limit > 0 && !pushes ? (double)p->transmit_limit * p->probe_interval : window;
		double alive = fmin(h, spread + (limited ? sending + 4 : 2));
		steps += 3 * live * (alive / p->probe_interval + 1);
	}
	/* Sync ticks, each about a probe's work, taken while any node is uninformed: taken as to H. */
	if (p->sync_interval > 0)
		steps += 4 * live * (h / p->sync_interval + 1);
	return steps;
}

/*
 * The agent simulator, which runs seeds above 0: every live node acts at
 * every round or tick, K + 2 peers drawn at most, the ticks through a heap
 * of about L entries under independent timers.  Work units are nanoseconds;
 * against the CPU time of sim_agent_run (N = 40 to 2·10^4, K = 1 and 3,
 * F = N / 10, 3 seeds, 10 rounds or intervals, both timers, on a loaded
 * machine) the estimate was 1.1 to 2.2 times the time taken.
 */
static double agent_cost(const struct gossip_params *p, int64_t trials)
{
	double n = (double)p->nodes, live = (double)gossip_live(p), k = (double)p->fanout;
	double per_act = 40 + 25 * k;

	if (p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		double acts = live * (ceil(gossip_horizon(p)) + 1);
		if (p->probe_interval > 0)
			acts += live * (gossip_horizon(p) / p->probe_interval + 1);
		if (p->sync_interval > 0)
			acts += live * (gossip_horizon(p) / p->sync_interval + 1);
		per_act += 15 * log2(fmax(live, 2));
		return (double)trials * (60 * n + acts * per_act);
	}
	return (double)trials * (60 * n + live * (double)p->rounds * per_act);
}

double sim_fast_cost(const struct gossip_params *p, int64_t trials)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	double live = (double)gossip_live(p), k = (double)imin(p->fanout, gossip_live(p));
	double per_trial = 30.0 * (double)p->rounds;

	if (p->seed_gossip && p->seeds > 0)
		return agent_cost(p, trials);
	if (p->timers == GOSSIP_TIMERS_INDEPENDENT)
		return timed_cost(p, trials);

	if (gossip_pulls(p->mode))
		per_trial += (double)p->rounds * (50 + 2 * k);
	if (gossip_pushes(p->mode))
		per_trial += live * (20 + 100 * p->loss + k * (0.3 + 10 * p->loss));
	return (double)trials * per_trial;
}
