/* SPDX-License-Identifier: MIT */
/*
 * sim_agent.c — the reference simulator: every node, every message.
 *
 * It follows MODEL.md's round word for word and favours being plainly right
 * over being fast.  Per node it keeps the round the node was informed in
 * (UNINFORMED, FAILED, or 0 … R); informed nodes are also listed in the order
 * they were informed, so a round's pushers are a prefix of that list; and
 * how many messages it has pushed, for transmit_limit.
 */
#include <stdlib.h>
#include <string.h>

#include "fanout/rng.h"
#include "fanout/sim.h"

#define UNINFORMED (-1)
#define FAILED (-2)

struct agent {
	const struct gossip_params *p;
	int64_t *informed_at;  /* N: round informed, UNINFORMED or FAILED */
	int64_t *order;        /* informed live nodes, in order */
	int64_t *sent;         /* N: messages each node has pushed in this trial */
	int64_t count;         /* entries of order */
	int64_t *ids;          /* N - 1: scratch for choosing the failed set */
	uint64_t *mark;        /* N - 1: mark[j] == stamp when peer index j is taken */
	uint64_t stamp;
	int64_t *peers;        /* K chosen peers of the current node */
	int64_t *curve;        /* R + 1: informed count after each round */
	uint64_t messages;
	struct rng rng;
};

/*
 * k distinct peers of `self` uniformly among the other N - 1 nodes (Floyd's
 * sampling of k of the indices 0 … N-2, index j naming node j or j + 1).
 */
static void choose_peers(struct agent *a, int64_t self, int64_t k)
{
	uint64_t others = (uint64_t)(a->p->nodes - 1);
	int64_t c = 0;

	a->stamp++;
	for (uint64_t j = others - (uint64_t)k; j < others; j++) {
		uint64_t t = rng_below(&a->rng, j + 1);
		if (a->mark[t] == a->stamp)
			t = j;
		a->mark[t] = a->stamp;
		a->peers[c++] = (int64_t)t < self ? (int64_t)t : (int64_t)t + 1;
	}
}

static void inform(struct agent *a, int64_t v, int64_t round)
{
	a->informed_at[v] = round;
	a->sent[v] = 0;
	a->order[a->count++] = v;
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
	}
}

/* One trial; returns rounds to all (or -1), fills a->curve and a->messages. */
static int64_t trial(struct agent *a, const atomic_int *cancel, int *stopped)
{
	const struct gossip_params *p = a->p;
	int64_t live = gossip_live(p), rounds_to_all = -1;

	for (int64_t v = 0; v < p->nodes; v++)
		a->informed_at[v] = UNINFORMED;
	/* The failed set: a uniform F-subset of nodes 1 … N-1 (partial Fisher–Yates). */
	for (int64_t j = 0; j < p->nodes - 1; j++)
		a->ids[j] = j + 1;
	for (int64_t j = 0; j < p->failed; j++) {
		int64_t pick = j + (int64_t)rng_below(&a->rng, (uint64_t)(p->nodes - 1 - j));
		int64_t t = a->ids[j];
		a->ids[j] = a->ids[pick];
		a->ids[pick] = t;
		a->informed_at[a->ids[j]] = FAILED;
	}
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

enum fo_status sim_agent_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			     int64_t trials, const atomic_int *cancel, struct sim_tally *t)
{
	struct agent a;
	size_t n = (size_t)p->nodes;
	enum fo_status st = FO_OK;

	if (!sim_counts_fit(p, trials))
		return FO_TOO_LARGE;
	memset(&a, 0, sizeof a);
	a.p = p;
	a.informed_at = malloc(n * sizeof *a.informed_at);
	a.order = malloc(n * sizeof *a.order);
	a.sent = malloc(n * sizeof *a.sent);
	a.ids = malloc(n * sizeof *a.ids);
	a.mark = calloc(n, sizeof *a.mark);
	a.peers = malloc(((size_t)p->fanout + 1) * sizeof *a.peers);
	a.curve = malloc(((size_t)p->rounds + 1) * sizeof *a.curve);
	if (!a.informed_at || !a.order || !a.sent || !a.ids || !a.mark || !a.peers || !a.curve) {
		st = FO_NOMEM;
		goto done;
	}
	for (int64_t i = 0; i < trials; i++) {
		int stopped = 0;
		int64_t rounds_to_all;

		rng_stream(&a.rng, seed, first_trial + (uint64_t)i);
		rounds_to_all = trial(&a, cancel, &stopped);
		if (stopped) {
			st = FO_CANCELLED;
			break;
		}
		sim_tally_add(t, a.curve, rounds_to_all, a.messages);
	}
done:
	free(a.informed_at);
	free(a.order);
	free(a.sent);
	free(a.ids);
	free(a.mark);
	free(a.peers);
	free(a.curve);
	return st;
}
