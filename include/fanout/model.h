/* SPDX-License-Identifier: MIT */
/*
 * model.h — the gossip model's parameters and what the calculators share.
 *
 * docs/MODEL.md is the one definition of the model; this header names its
 * parameters (N, K, R, mode, loss, F, T, X), their domains and the names of the
 * modes, and the result of the two chain calculators (exact and mean field).
 * Core functions assume parameters that gossip_params_check() accepts; the
 * request layer runs that check on what a client sent and reports every
 * problem it finds, by field.
 *
 * The core's conventions, for every header in include/fanout/:
 *   - Errors.  A computation that can fail for an expected reason (memory,
 *     size, cancellation) returns enum fo_status below, and on failure has
 *     released whatever it had filled.  A lookup returns NULL (…_find) or
 *     0 / -1 (…_parse) when the name is unknown.  Nothing else fails; a
 *     parameter outside its domain is the caller's error, not checked again.
 *   - Ownership.  A result that holds memory is a struct the caller provides
 *     and frees the contents of with its x_release (the struct stays the
 *     caller's); no core function returns memory for the caller to free().
 *   - Error bounds travel with their values in one struct (dist.h).
 */
#ifndef FANOUT_MODEL_H
#define FANOUT_MODEL_H

#include <stdatomic.h>
#include <stdint.h>

enum gossip_mode { GOSSIP_PUSH, GOSSIP_PULL, GOSSIP_PUSH_PULL };

/* How many modes there are (kept apart so that switches over modes stay exhaustive). */
enum { GOSSIP_MODE_COUNT = GOSSIP_PUSH_PULL + 1 };

/*
 * When nodes act (MODEL.md, "Independent timers").  aligned: in lock-step
 * rounds, round r ending at time r.  independent: node v's gossip timer fires
 * at phi_v + j (j = 0, 1, ...; time in units of the gossip interval), phi_v
 * uniform on [0, 1) and independent across nodes and trials.
 */
enum gossip_timers { GOSSIP_TIMERS_ALIGNED = 0, GOSSIP_TIMERS_INDEPENDENT };

enum { GOSSIP_TIMERS_COUNT = GOSSIP_TIMERS_INDEPENDENT + 1 };

struct gossip_params {
	int64_t nodes;          /* N >= 1, origin included */
	int64_t fanout;         /* K, 0 <= K <= N - 1 (ignored by calc_fanout) */
	int64_t rounds;         /* R >= 1 */
	enum gossip_mode mode;
	double loss;            /* 0 <= loss < 1 */
	int64_t failed;         /* F, 0 <= F <= N - 1 */
	int64_t forward_rounds; /* T >= 1; 0 means unlimited */
	int64_t transmit_limit; /* X >= 1 sends in all; 0 means unlimited; exclusive with T */
	/*
	 * Zero (aligned, no probes, horizon R) is the round model.  The core
	 * counts time in gossip intervals; the request layer converts seconds.
	 */
	enum gossip_timers timers;
	double probe_interval;  /* probe period in gossip intervals (independent only); 0: no probes */
	double horizon;         /* independent only: observe up to this time (intervals); 0: R */
	/*
	 * Non-zero: senders and pullers choose their peers among the other
	 * live nodes only (L - 1 in place of N - 1), as for failures older than
	 * memberlist's GossipToTheDeadTime, and as Cassandra always does.  The
	 * model is then an L-node cluster without failures (gossip_known_view).
	 */
	int failed_known;
	/*
	 * Anti-entropy (independent timers only): each live node's sync timer
	 * of this period (in gossip intervals, its own uniform phase) picks one
	 * other live node uniformly; unless the exchange is lost, both hold the
	 * message afterwards if either did.  Two messages an exchange.  0: none.
	 */
	double sync_interval;
	/*
	 * Cassandra's extra exchanges (the API's "seeds", given): non-zero
	 * turns them on, with `seeds` seed nodes (0 <= seeds <= L - 1, live,
	 * never the origin; needs failed_known and push_pull).  After a node's
	 * exchange with its live peers, it also gossips to an unreachable
	 * (failed) node with probability F / L, a wasted exchange, and, when
	 * none of its live peers was a seed, to one of the seeds other than
	 * itself, uniformly, with probability (those seeds) / (N - 1): the
	 * Gossiper's unreachable / (live + 1) and seeds / (live + unreachable),
	 * its live and seed sets leaving the node itself out.  Only the agent
	 * simulator follows seeds (sim_fast_run hands such runs to it); with
	 * seeds 0 the fast simulator adds the wasted messages itself.
	 */
	int seed_gossip;
	int64_t seeds;
	/*
	 * Set by gossip_known_view only: the F it folded away when it made
	 * the L-node cluster of seeds 0 (whose unreachable exchanges, which
	 * only cost messages, the fast simulator follows).  0 otherwise.
	 */
	int64_t known_failed;
};

/* Outcome of a core computation that can fail for expected reasons. */
enum fo_status {
	FO_OK = 0,
	FO_NOMEM,       /* allocation failed; outputs are released */
	FO_TOO_LARGE,   /* the computation is not tractable for these parameters */
	FO_CANCELLED    /* *cancel became non-zero; outputs are released */
};

/*
 * A chain calculator's answer (exact or mean field).  Arrays have rounds + 1
 * entries, index r is the state at the end of round r (r = 0: only the origin).
 * Owned by the struct: free with chain_result_release().
 */
struct chain_result {
	int64_t rounds;
	double *p_full;        /* P(every live node informed by round r) */
	double *mean_informed; /* E[informed live nodes at the end of round r] */
	double node_miss;      /* P(a given live non-origin node uninformed after R) */
	/*
	 * Exact: bounds |reported - true| for p_full[r], p_miss[r] (every r) and
	 * node_miss, covering dropped mass and rounding; mean field: 0.
	 */
	double error_bound;
	/* Exact only (else NULL), rounds + 1 entries each: */
	double *p_miss;        /* P(some live node uninformed at r), summed from that mass */
	double *round_bound;   /* bounds |reported - true| for p_full[r], p_miss[r] (and node_miss at R) */
	/*
	 * Bounds |reported - true| for p_miss[r] alone: relative to p_miss[r]
	 * plus the dropped mass, so a miss of 1e-15 keeps a bound far below
	 * it; what a comparison with a target near 1 needs.  full_bound is
	 * the same for p_full[r] alone, for targets near 0.
	 */
	double *miss_bound;
	double *full_bound;
	double *final_informed; /* exact only (else NULL): L + 1 entries, P(i informed after R) */
};

void chain_result_release(struct chain_result *r);

/* L = N - F, the live nodes. */
int64_t gossip_live(const struct gossip_params *p);

/* The time observed, in gossip intervals: horizon if set, else R. */
double gossip_horizon(const struct gossip_params *p);

/*
 * p under aligned timers, with R = ceil(H) rounds and no probes (p itself
 * when aligned): only for predictions that choose where a search starts
 * (the mean field cannot run under independent timers).
 */
struct gossip_params gossip_as_rounds(const struct gossip_params *p);

/*
 * The aligned chain that bounds p from below under independent timers
 * (docs/METHODS.md, "A certified bound under independent timers"): p
 * aligned, over floor(H) rounds, without probes, syncs or seed exchanges.
 * Coupled node by node (the j-th tick after learning makes the same choices
 * in both), each node's first tick after it learns comes at most one
 * interval later, so no node learns later under independent timers than in
 * this chain: P(full by H) and the informed count at every whole interval
 * are at least the chain's.  Leaving probes, syncs and seed exchanges out
 * only removes ways to learn, which holds while none of them can spend a
 * send a gossip tick needs: so not for probes under a transmit limit or
 * forward_rounds (a ping then uses a send or a tick's holding).  Returns 1
 * with *out filled, or 0 when no bound is proved for p: aligned timers,
 * such probes, or a horizon under one interval.
 */
int gossip_bound_view(const struct gossip_params *p, struct gossip_params *out);

/*
 * The parameters a computation follows: with failed_known, no message ever
 * goes to a failed node and failed nodes do nothing, so the model is exactly
 * the cluster of its L live nodes without failures (nodes L, failed 0);
 * otherwise *p itself.  Every calculator, the fast simulator and the costs
 * take this view; the agent simulator follows failed_known literally (peers
 * among the live nodes of N), which the tests compare.  With seeds (S > 0)
 * the view is *p itself: only the agent simulator follows seeds.  With
 * seeds 0 the view keeps the F it folded away in known_failed, for the
 * unreachable exchanges' chance (gossip_unreachable_chance).
 */
struct gossip_params gossip_known_view(const struct gossip_params *p);

/*
 * Cassandra's per-exchange chances for node v's view (seed_gossip only):
 * *unreachable = F / L, *seed = (seeds other than the node) / (N - 1), the
 * node a seed or not as `is_seed` says.
 */
void gossip_seed_chances(const struct gossip_params *p, int is_seed, double *unreachable,
			 double *seed);

/*
 * The chance min(1, F / L) that an exchange is followed by an unreachable
 * one (seed_gossip; 0 without it), on p or on its known view.
 */
double gossip_unreachable_chance(const struct gossip_params *p);

/*
 * The push window in effect, in a mode that pushes: a node pushes in the W
 * rounds after the round it was informed in, K messages a round except in
 * the last, where it sends gossip_last_sends().  forward_rounds T gives
 * W = T; transmit_limit X gives W = ceil(X / K) and X - (W - 1) K sends in
 * the last round.  0 when the limit does not bite within R rounds (every
 * informed node then pushes K in every round), or when nothing pushes.
 */
int64_t gossip_window(const struct gossip_params *p);

/*
 * Messages a node sends in its window's last round: K, or fewer under a
 * transmit limit that is not a multiple of K.  K when there is no window.
 */
int64_t gossip_last_sends(const struct gossip_params *p);

/*
 * Non-zero when P(full delivery by R) is non-decreasing in K.  A coupling
 * (the first K of K + 1 uniform distinct peers are K uniform distinct peers)
 * proves it whenever there is no push window; with one, a node informed
 * earlier also stops pushing earlier, and no such proof holds.  p->fanout is
 * not read: a transmit limit that gives some K a window counts as one.
 * Under independent timers: only without forward_rounds and transmit_limit.
 */
int gossip_fanout_monotone(const struct gossip_params *p);

/*
 * The others a sender picks its peers among (and a prober its ping's
 * target): L - 1 with failed_known, else N - 1.  The largest K there is.
 */
int64_t gossip_peers(const struct gossip_params *p);

/*
 * The largest K that can differ from every smaller one: gossip_peers, except in
 * push alone under a transmit limit X, where every K >= X sends its X
 * messages in one round, so K = X stands for all of them.  p->fanout is not
 * read.
 */
int64_t gossip_fanout_top(const struct gossip_params *p);

/* A parameter outside its domain: the field's API name and the rule it broke. */
struct gossip_problem {
	const char *field;
	char detail[128];      /* lowercase, names the field, says what it must be */
};

/*
 * Checks p against the model's domains (fanout only if check_fanout).  Writes
 * up to `max` problems to out, one per bad field, and returns how many fields
 * are bad (0: p is valid).  Bounds that depend on N are checked only when N
 * itself is valid.
 */
int gossip_params_check(const struct gossip_params *p, int check_fanout,
			struct gossip_problem *out, int max);

/* The mode's API name, for m < GOSSIP_MODE_COUNT. */
const char *gossip_mode_name(enum gossip_mode m);
/* 0 and *out set when name is a mode, -1 otherwise. */
int gossip_mode_parse(const char *name, enum gossip_mode *out);

/* The timers' API name ("aligned", "independent"), for t < GOSSIP_TIMERS_COUNT. */
const char *gossip_timers_name(enum gossip_timers t);
/* 0 and *out set when name is a timers name, -1 otherwise. */
int gossip_timers_parse(const char *name, enum gossip_timers *out);

/* Whether informed nodes push (push, push_pull) and uninformed ones pull (pull, push_pull). */
/* Switches without a default: a new mode does not compile until each decides. */
static inline int gossip_pushes(enum gossip_mode m)
{
	switch (m) {
	case GOSSIP_PUSH:
	case GOSSIP_PUSH_PULL:
		return 1;
	case GOSSIP_PULL:
		return 0;
	}
	return 0;
}

static inline int gossip_pulls(enum gossip_mode m)
{
	switch (m) {
	case GOSSIP_PULL:
	case GOSSIP_PUSH_PULL:
		return 1;
	case GOSSIP_PUSH:
		return 0;
	}
	return 0;
}

/* Non-zero when the caller asked to stop; cancel may be NULL. */
static inline int fo_cancelled(const atomic_int *cancel)
{
	return cancel && atomic_load_explicit(cancel, memory_order_relaxed);
}

#endif
