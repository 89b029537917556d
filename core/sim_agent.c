/* SPDX-License-Identifier: MIT */
/*
 * sim_agent.c — the reference simulator: every node, every message.
 *
 * It follows MODEL.md's round word for word and favours being plainly right
 * over being fast.  Per node it keeps the round the node was informed in
 * (UNINFORMED, FAILED, or 0 … R); informed nodes are also listed in the order
 * they were informed, so a round's pushers are a prefix of that list; and
 * how many messages it has pushed, for transmit_limit.
 *
 * Under independent timers (timed_trial below) it keeps every live node's
 * gossip phase, probe phase and sync phase and processes every tick of every
 * live node up to the horizon in time order from a binary heap, as
 * MODEL.md's "Independent timers" and "What real systems add" state it:
 * O((N H + N H / P + N H / S) (K + log N)) a trial.
 *
 * With seed_gossip (the API's "seeds", MODEL.md "What real systems add") a
 * node's exchange with its live peers, in a round or at a gossip tick, is
 * followed by Cassandra's two others (extra_exchanges below).  The seeds are
 * live_ids[1 … S]: S live nodes other than the origin, which ones does not
 * matter as nodes are interchangeable.
 */
#include <stdlib.h>
#include <string.h>

#include "fanout/rng.h"
#include "fanout/sim.h"

#define UNINFORMED (-1)
#define FAILED (-2)

/* Which of a node's timers a tick is. */
enum tick_kind { TICK_GOSSIP, TICK_PROBE, TICK_SYNC };

/* A timer tick: node v's timer of this kind fires at `at`. */
struct tick {
	double at;
	int64_t v;
	enum tick_kind kind;
};

struct agent {
	const struct gossip_params *p;
	/* Independent timers only (else NULL): */
	double *when;          /* N: time informed (valid when informed_at[v] >= 0) */
	int64_t *ticks;        /* N: gossip ticks since the node learnt */
	struct tick *heap;     /* 3 N: pending ticks, earliest first */
	int64_t heap_n;
	double *order_when;    /* N: when[] of order[], for struct sim_timed */
	uint64_t transmits, probe_transmits;
	int64_t *informed_at;  /* N: round informed, UNINFORMED or FAILED */
	int64_t *order;        /* informed live nodes, in order */
	int64_t *sent;         /* N: messages each node has pushed in this trial */
	int64_t count;         /* entries of order */
	int64_t *ids;          /* N - 1: scratch for choosing the failed set */
	int64_t *live_ids;     /* the L live nodes, the origin first (failed_known, sync) */
	int64_t *pos;          /* N: a live node's index in live_ids */
	unsigned char *is_seed; /* N: 1 for the seeds (seed_gossip only, else all 0) */
	uint64_t *mark;        /* N - 1: mark[j] == stamp when peer index j is taken */
	uint64_t stamp;
	int64_t *peers;        /* K chosen peers of the current node */
	int64_t *curve;        /* R + 1: informed count after each round */
	uint64_t messages;
	struct rng rng;
};

/*
 * k distinct peers of `self` uniformly among the other N - 1 nodes (Floyd's
 * sampling of k of the indices 0 … N-2, index j naming node j or j + 1); with
 * failed_known among the other L - 1 live nodes (the same over live_ids).
 */
static void choose_peers(struct agent *a, int64_t self, int64_t k)
{
	int known = a->p->failed_known;
	uint64_t others = (uint64_t)gossip_peers(a->p);
	int64_t c = 0, me = known ? a->pos[self] : self;

	a->stamp++;
	for (uint64_t j = others - (uint64_t)k; j < others; j++) {
		uint64_t t = rng_below(&a->rng, j + 1);
		if (a->mark[t] == a->stamp)
			t = j;
		a->mark[t] = a->stamp;
		int64_t idx = (int64_t)t < me ? (int64_t)t : (int64_t)t + 1;
		a->peers[c++] = known ? a->live_ids[idx] : idx;
	}
}

static void inform(struct agent *a, int64_t v, int64_t round)
{
	a->informed_at[v] = round;
	a->sent[v] = 0;
	a->order[a->count++] = v;
}

/*
 * Cassandra's exchanges after v's exchange with its k >= 1 live peers
 * (a->peers), seed_gossip only: with probability min(1, F / L) one with an
 * unreachable node, wasted (one message); then, unless one of those peers
 * was a seed, with probability (seeds other than v) / (N - 1) one with a
 * seed other than v, chosen uniformly (one message).  `pushing`: v holds the
 * message and pushes it (the messages are then transmits).  Returns the seed
 * exchanged with, or -1; the caller applies that exchange.
 */
static int64_t extra_exchanges(struct agent *a, int64_t v, int64_t k, int pushing)
{
	const struct gossip_params *p = a->p;
	int mine = a->is_seed[v];
	double unreachable, seed;
	int64_t j;

	gossip_seed_chances(p, mine, &unreachable, &seed);
	if (p->failed > 0 && rng_bernoulli(&a->rng, unreachable)) {
		a->messages++;
		a->transmits += (uint64_t)pushing;
	}
	for (j = 0; j < k; j++)
		if (a->is_seed[a->peers[j]])
			return -1;
	if (!(seed > 0) || !rng_bernoulli(&a->rng, seed))
		return -1;
	a->messages++;
	a->transmits += (uint64_t)pushing;
	j = 1 + (int64_t)rng_below(&a->rng, (uint64_t)(p->seeds - mine));
	if (mine && j >= a->pos[v])
		j++;
	return a->live_ids[j];
}

/* Every live uninformed node asks K peers; one informed, unlost answer informs it. */
static void pull_phase(struct agent *a, int64_t r)
{
	for (int64_t v = 0; v < a->p->nodes; v++) {
		if (a->informed_at[v] != UNINFORMED)
			continue;
		choose_peers(a, v, a->p->fanout);
		a->messages += (uint64_t)a->p->fanout;
		for (int64_t j = 0; j < a->p->fanout; j++) {
			int64_t w = a->peers[j];
			if (a->informed_at[w] >= 0 && a->informed_at[w] < r &&
			    !rng_bernoulli(&a->rng, a->p->loss)) {
				inform(a, v, r);
				break;
			}
		}
		if (a->p->seed_gossip && a->p->fanout > 0) {
			int64_t s = extra_exchanges(a, v, a->p->fanout, 0);
			if (s >= 0 && a->informed_at[s] >= 0 && a->informed_at[s] < r &&
			    !rng_bernoulli(&a->rng, a->p->loss) && a->informed_at[v] == UNINFORMED)
				inform(a, v, r);
		}
	}
}

/*
 * Every node informed before round r and within its forward_rounds pushes to
 * K peers, or to fewer when its transmit limit has fewer sends left.
 */
static void push_phase(struct agent *a, int64_t r, int64_t senders)
{
	int64_t window = a->p->forward_rounds, limit = a->p->transmit_limit;

	for (int64_t s = 0; s < senders; s++) {
		int64_t v = a->order[s], k = a->p->fanout;
		if (window > 0 && r - a->informed_at[v] > window)
			continue;
		if (limit > 0 && limit - a->sent[v] < k)
			k = limit - a->sent[v];
		if (k <= 0)
			continue;
		choose_peers(a, v, k);
		a->sent[v] += k;
		a->messages += (uint64_t)k;
		for (int64_t j = 0; j < k; j++) {
			int64_t w = a->peers[j];
			if (!rng_bernoulli(&a->rng, a->p->loss) && a->informed_at[w] == UNINFORMED)
				inform(a, w, r);
		}
		if (a->p->seed_gossip) {
			int64_t hub = extra_exchanges(a, v, k, 1);
			if (hub >= 0 && !rng_bernoulli(&a->rng, a->p->loss) && a->informed_at[hub] == UNINFORMED)
				inform(a, hub, r);
		}
	}
}

/*
 * Every node uninformed but a uniform F-subset of nodes 1 … N-1, failed
 * (partial Fisher–Yates); live_ids and pos list the live nodes.
 */
static void choose_failed(struct agent *a)
{
	const struct gossip_params *p = a->p;

	for (int64_t v = 0; v < p->nodes; v++)
		a->informed_at[v] = UNINFORMED;
	for (int64_t j = 0; j < p->nodes - 1; j++)
		a->ids[j] = j + 1;
	for (int64_t j = 0; j < p->failed; j++) {
		int64_t pick = j + (int64_t)rng_below(&a->rng, (uint64_t)(p->nodes - 1 - j));
		int64_t t = a->ids[j];
		a->ids[j] = a->ids[pick];
		a->ids[pick] = t;
		a->informed_at[a->ids[j]] = FAILED;
	}
	a->live_ids[0] = 0;
	a->pos[0] = 0;
	for (int64_t j = p->failed; j < p->nodes - 1; j++) {
		a->pos[a->ids[j]] = j - p->failed + 1;
		a->live_ids[j - p->failed + 1] = a->ids[j];
	}
	if (p->seed_gossip) {
		memset(a->is_seed, 0, (size_t)p->nodes);
		for (int64_t j = 1; j <= p->seeds; j++)
			a->is_seed[a->live_ids[j]] = 1;
	}
}

/* One trial; returns rounds to all (or -1), fills a->curve and a->messages. */
static int64_t trial(struct agent *a, const atomic_int *cancel, int *stopped)
{
	const struct gossip_params *p = a->p;
	int64_t live = gossip_live(p), rounds_to_all = -1;

	choose_failed(a);
	a->count = 0;
	a->messages = 0;
	inform(a, 0, 0);
	a->curve[0] = 1;
	if (live == 1)
		rounds_to_all = 0;
	for (int64_t r = 1; r <= p->rounds; r++) {
		int64_t senders = a->count;
		if (fo_cancelled(cancel)) {
			*stopped = 1;
			return -1;
		}
		if (gossip_pulls(p->mode))
			pull_phase(a, r);
		if (gossip_pushes(p->mode))
			push_phase(a, r, senders);
		a->curve[r] = a->count;
		if (rounds_to_all < 0 && a->count == live)
			rounds_to_all = r;
	}
	return rounds_to_all;
}

/* ---- independent timers ------------------------------------------------ */

static int tick_before(const struct tick *a, const struct tick *b)
{
	return a->at < b->at;
}

static void heap_push(struct agent *a, struct tick t)
{
	int64_t i = a->heap_n++;

	while (i > 0 && tick_before(&t, &a->heap[(i - 1) / 2])) {
		a->heap[i] = a->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	a->heap[i] = t;
}

static struct tick heap_pop(struct agent *a)
{
	struct tick top = a->heap[0], last = a->heap[--a->heap_n];
	int64_t i = 0;

	for (;;) {
		int64_t c = 2 * i + 1;
		if (c >= a->heap_n)
			break;
		if (c + 1 < a->heap_n && tick_before(&a->heap[c + 1], &a->heap[c]))
			c++;
		if (!tick_before(&a->heap[c], &last))
			break;
		a->heap[i] = a->heap[c];
		i = c;
	}
	if (a->heap_n > 0)
		a->heap[i] = last;
	return top;
}

static void inform_at(struct agent *a, int64_t v, double at)
{
	a->order_when[a->count] = at;
	a->when[v] = at;
	a->ticks[v] = 0;
	inform(a, v, 0);
}

/*
 * Whether v holds the message and may still send it: informed, within its
 * first T gossip ticks since it learnt, and with sends left under X.
 */
static int holds(const struct agent *a, int64_t v)
{
	const struct gossip_params *p = a->p;

	return a->informed_at[v] >= 0 && (p->forward_rounds == 0 || a->ticks[v] < p->forward_rounds) &&
	       (p->transmit_limit == 0 || a->sent[v] < p->transmit_limit);
}

/* v's gossip tick at `at`: push if it holds the message, pull if it does not. */
static void gossip_tick(struct agent *a, int64_t v, double at)
{
	const struct gossip_params *p = a->p;

	if (a->informed_at[v] >= 0) {
		int64_t k = p->fanout;
		int may = holds(a, v);
		a->ticks[v]++;
		if (!gossip_pushes(p->mode) || !may)
			return;
		if (p->transmit_limit > 0 && p->transmit_limit - a->sent[v] < k)
			k = p->transmit_limit - a->sent[v];
		choose_peers(a, v, k);
		a->sent[v] += k;
		a->messages += (uint64_t)k;
		a->transmits += (uint64_t)k;
		for (int64_t j = 0; j < k; j++) {
			int64_t w = a->peers[j];
			if (!rng_bernoulli(&a->rng, p->loss) && a->informed_at[w] == UNINFORMED)
				inform_at(a, w, at);
		}
		if (p->seed_gossip && k > 0) {
			int64_t s = extra_exchanges(a, v, k, 1);
			if (s >= 0 && !rng_bernoulli(&a->rng, p->loss) && a->informed_at[s] == UNINFORMED)
				inform_at(a, s, at);
		}
		return;
	}
	if (!gossip_pulls(p->mode))
		return;
	choose_peers(a, v, p->fanout);
	a->messages += (uint64_t)p->fanout;
	for (int64_t j = 0; j < p->fanout; j++) {
		int64_t w = a->peers[j];
		if (a->informed_at[w] >= 0 && !rng_bernoulli(&a->rng, p->loss)) {
			inform_at(a, v, at);
			break;
		}
	}
	if (p->seed_gossip && p->fanout > 0) {
		int64_t s = extra_exchanges(a, v, p->fanout, 0);
		if (s >= 0 && a->informed_at[s] >= 0 && !rng_bernoulli(&a->rng, p->loss) &&
		    a->informed_at[v] == UNINFORMED)
			inform_at(a, v, at);
	}
}

/*
 * v's probe tick at `at`: a ping to one uniform peer, carrying the message if
 * v holds it; an ack from a live peer, carrying it if the peer held it before
 * the ping arrived (memberlist answers a ping before it reads what the ping
 * carried).  Loss hits the ping and the ack separately.
 */
static void probe_tick(struct agent *a, int64_t v, double at)
{
	const struct gossip_params *p = a->p;
	int carry = holds(a, v), back;
	int64_t w;

	choose_peers(a, v, 1);
	w = a->peers[0];
	a->messages++;
	if (carry) {
		a->sent[v]++;
		a->transmits++;
		a->probe_transmits++;
	}
	if (rng_bernoulli(&a->rng, p->loss) || a->informed_at[w] == FAILED)
		return;
	back = holds(a, w);
	if (carry && a->informed_at[w] == UNINFORMED)
		inform_at(a, w, at);
	a->messages++;
	if (!back)
		return;
	a->sent[w]++;
	a->transmits++;
	a->probe_transmits++;
	if (!rng_bernoulli(&a->rng, p->loss) && a->informed_at[v] == UNINFORMED)
		inform_at(a, v, at);
}

/*
 * v's sync tick at `at`: one peer uniformly among the other live nodes, two
 * messages; unless the exchange is lost, whichever of the two did not hold
 * the message learns it, as if from gossip (its ticks and sends start anew).
 */
static void sync_tick(struct agent *a, int64_t v, double at)
{
	int64_t live = gossip_live(a->p), w, j;
	int v_has, w_has;

	if (live < 2)
		return;
	a->messages += 2;
	j = (int64_t)rng_below(&a->rng, (uint64_t)(live - 1));
	w = a->live_ids[j < a->pos[v] ? j : j + 1];
	if (rng_bernoulli(&a->rng, a->p->loss))
		return;
	v_has = a->informed_at[v] >= 0;
	w_has = a->informed_at[w] >= 0;
	if (v_has && !w_has)
		inform_at(a, w, at);
	else if (w_has && !v_has)
		inform_at(a, v, at);
}

/* One trial under independent timers into *out (out->when is a->order_when). */
static void timed_trial(struct agent *a, const atomic_int *cancel, int *stopped,
			struct sim_timed *out)
{
	const struct gossip_params *p = a->p;
	double h = gossip_horizon(p), period = p->probe_interval, sync = p->sync_interval;
	const double step[] = { [TICK_GOSSIP] = 1, [TICK_PROBE] = period, [TICK_SYNC] = sync };
	int64_t done = 0;
	/* A node with no one to ping has no probe ticks. */
	int probes = period > 0 && gossip_peers(p) > 0;

	choose_failed(a);
	a->count = 0;
	a->messages = a->transmits = a->probe_transmits = 0;
	a->heap_n = 0;
	inform_at(a, 0, 0);
	/* Every live node's timers, each with its own uniform phase. */
	for (int64_t v = 0; v < p->nodes; v++) {
		if (a->informed_at[v] == FAILED)
			continue;
		heap_push(a, (struct tick){ rng_unit(&a->rng), v, TICK_GOSSIP });
		if (probes)
			heap_push(a, (struct tick){ period * rng_unit(&a->rng), v, TICK_PROBE });
		if (sync > 0)
			heap_push(a, (struct tick){ sync * rng_unit(&a->rng), v, TICK_SYNC });
	}
	while (a->heap_n > 0 && a->heap[0].at <= h) {
		struct tick t = heap_pop(a);
		if ((++done & 1023) == 0 && fo_cancelled(cancel)) {
			*stopped = 1;
			return;
		}
		switch (t.kind) {
		case TICK_GOSSIP:
			gossip_tick(a, t.v, t.at);
			break;
		case TICK_PROBE:
			probe_tick(a, t.v, t.at);
			break;
		case TICK_SYNC:
			sync_tick(a, t.v, t.at);
			break;
		}
		t.at += step[t.kind];
		heap_push(a, t);
	}
	out->when = a->order_when;
	out->informed = a->count;
	out->messages = a->messages;
	out->transmits = a->transmits;
	out->probe_transmits = a->probe_transmits;
	out->steps = 0;
}

static void agent_release(struct agent *a)
{
	free(a->informed_at);
	free(a->order);
	free(a->sent);
	free(a->ids);
	free(a->live_ids);
	free(a->pos);
	free(a->is_seed);
	free(a->mark);
	free(a->peers);
	free(a->curve);
	free(a->when);
	free(a->ticks);
	free(a->heap);
	free(a->order_when);
}

/* Allocates what a trial of p needs; -1 (nothing held) if allocation fails. */
static int agent_init(struct agent *a, const struct gossip_params *p)
{
	size_t n = (size_t)p->nodes;
	int ok;

	memset(a, 0, sizeof *a);
	a->p = p;
	a->informed_at = malloc(n * sizeof *a->informed_at);
	a->order = malloc(n * sizeof *a->order);
	a->sent = malloc(n * sizeof *a->sent);
	a->ids = malloc(n * sizeof *a->ids);
	a->live_ids = malloc(n * sizeof *a->live_ids);
	a->pos = malloc(n * sizeof *a->pos);
	a->is_seed = calloc(n, 1);
	a->mark = calloc(n, sizeof *a->mark);
	a->peers = malloc(((size_t)p->fanout + 1) * sizeof *a->peers);
	a->curve = malloc(((size_t)p->rounds + 1) * sizeof *a->curve);
	ok = a->informed_at && a->order && a->sent && a->ids && a->live_ids && a->pos && a->is_seed &&
	     a->mark && a->peers && a->curve;
	if (p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		a->when = malloc(n * sizeof *a->when);
		a->ticks = malloc(n * sizeof *a->ticks);
		a->heap = malloc(3 * n * sizeof *a->heap);
		a->order_when = malloc(n * sizeof *a->order_when);
		ok = ok && a->when && a->ticks && a->heap && a->order_when;
	}
	if (!ok) {
		agent_release(a);
		return -1;
	}
	return 0;
}

enum fo_status sim_agent_timed(const struct gossip_params *p, uint64_t seed, uint64_t trial,
			       double *when, struct sim_timed *out)
{
	struct agent a;
	int stopped = 0;

	if (agent_init(&a, p) < 0)
		return FO_NOMEM;
	rng_stream(&a.rng, seed, trial);
	timed_trial(&a, NULL, &stopped, out);
	memcpy(when, a.order_when, (size_t)out->informed * sizeof *when);
	out->when = when;
	agent_release(&a);
	return FO_OK;
}

enum fo_status sim_agent_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			     int64_t trials, const atomic_int *cancel, struct sim_tally *t)
{
	struct agent a;
	enum fo_status st = FO_OK;

	if (!sim_counts_fit(p, trials))
		return FO_TOO_LARGE;
	if (agent_init(&a, p) < 0)
		return FO_NOMEM;
	for (int64_t i = 0; i < trials; i++) {
		int stopped = 0;
		int64_t rounds_to_all = 0;
		struct sim_timed timed;

		rng_stream(&a.rng, seed, first_trial + (uint64_t)i);
		if (p->timers == GOSSIP_TIMERS_INDEPENDENT)
			timed_trial(&a, cancel, &stopped, &timed);
		else
			rounds_to_all = trial(&a, cancel, &stopped);
		if (stopped) {
			st = FO_CANCELLED;
			break;
		}
		if (p->timers == GOSSIP_TIMERS_INDEPENDENT)
			sim_tally_add_timed(t, &timed);
		else
			sim_tally_add(t, a.curve, rounds_to_all, a.messages);
	}
	agent_release(&a);
	return st;
}
