/* SPDX-License-Identifier: MIT */
/*
 * model.c — small facts about the model's parameters shared by every
 * calculator and simulator (live nodes, the push window, monotonicity) and
 * the check of their domains.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/config.h"
#include "fanout/model.h"

static const char *const mode_names[GOSSIP_MODE_COUNT] = {
	[GOSSIP_PUSH] = "push",
	[GOSSIP_PULL] = "pull",
	[GOSSIP_PUSH_PULL] = "push_pull",
};

static const char *const timers_names[GOSSIP_TIMERS_COUNT] = {
	[GOSSIP_TIMERS_ALIGNED] = "aligned",
	[GOSSIP_TIMERS_INDEPENDENT] = "independent",
};

void chain_result_release(struct chain_result *r)
{
	free(r->p_full);
	free(r->mean_informed);
	free(r->final_informed);
	free(r->p_miss);
	free(r->round_bound);
	free(r->miss_bound);
	free(r->full_bound);
	r->p_miss = NULL;
	r->round_bound = NULL;
	r->miss_bound = NULL;
	r->full_bound = NULL;
	r->p_full = NULL;
	r->mean_informed = NULL;
	r->final_informed = NULL;
}

int64_t gossip_live(const struct gossip_params *p)
{
	return p->nodes - p->failed;
}

double gossip_horizon(const struct gossip_params *p)
{
	return p->horizon > 0 ? p->horizon : (double)p->rounds;
}

struct gossip_params gossip_as_rounds(const struct gossip_params *p)
{
	struct gossip_params q = *p;
	double h = ceil(gossip_horizon(p));

	if (p->timers == GOSSIP_TIMERS_ALIGNED)
		return q;
	q.timers = GOSSIP_TIMERS_ALIGNED;
	q.probe_interval = 0;
	q.sync_interval = 0;
	q.horizon = 0;
	q.rounds = h < 1 ? 1 : h > FO_MAX_ROUNDS ? FO_MAX_ROUNDS : (int64_t)h;
	return q;
}

int gossip_bound_view(const struct gossip_params *p, struct gossip_params *out)
{
	double whole = floor(gossip_horizon(p));

	if (p->timers != GOSSIP_TIMERS_INDEPENDENT || whole < 1 ||
	    (p->probe_interval > 0 && (p->transmit_limit > 0 || p->forward_rounds > 0)))
		return 0;
	*out = *p;
	out->timers = GOSSIP_TIMERS_ALIGNED;
	out->probe_interval = 0;
	out->sync_interval = 0;
	out->horizon = 0;
	out->seed_gossip = 0;
	out->seeds = 0;
	out->rounds = whole > FO_MAX_ROUNDS ? FO_MAX_ROUNDS : (int64_t)whole;
	return 1;
}

struct gossip_params gossip_known_view(const struct gossip_params *p)
{
	struct gossip_params q = *p;

	if (q.failed_known && !(q.seed_gossip && q.seeds > 0)) {
		q.nodes = gossip_live(p);
		q.known_failed = q.seed_gossip ? p->failed : 0;
		q.failed = 0;
		q.failed_known = 0;
	}
	return q;
}

double gossip_unreachable_chance(const struct gossip_params *p)
{
	int64_t live = gossip_live(p);

	if (!p->seed_gossip || live <= 0)
		return 0;
	return fmin(1, (double)(p->failed + p->known_failed) / (double)live);
}

void gossip_seed_chances(const struct gossip_params *p, int is_seed, double *unreachable,
			 double *seed)
{
	int64_t others = p->seeds - (is_seed ? 1 : 0);

	*unreachable = gossip_unreachable_chance(p);
	*seed = p->nodes > 1 && others > 0 ? (double)others / (double)(p->nodes - 1) : 0;
}

/* The window a limit sets, before asking whether it bites within R; *last its last round's sends. */
static int64_t window_of(const struct gossip_params *p, int64_t *last)
{
	*last = p->fanout;
	if (!gossip_pushes(p->mode))
		return 0;
	if (p->transmit_limit > 0) {
		if (p->fanout <= 0)
			return 0; /* nothing is ever sent */
		int64_t w = (p->transmit_limit - 1) / p->fanout + 1;
		*last = p->transmit_limit - (w - 1) * p->fanout;
		return w;
	}
	return p->forward_rounds > 0 ? p->forward_rounds : 0;
}

int64_t gossip_window(const struct gossip_params *p)
{
	int64_t last, w = window_of(p, &last);

	/*
	 * The origin, informed in round 0, pushes in rounds 1..W: W > R is no
	 * limit, and so is W = R unless the origin's round R is a partial one.
	 */
	if (w <= 0 || w > p->rounds || (w == p->rounds && last == p->fanout))
		return 0;
	return w;
}

int64_t gossip_last_sends(const struct gossip_params *p)
{
	int64_t last;

	window_of(p, &last);
	return gossip_window(p) ? last : p->fanout;
}

int gossip_fanout_monotone(const struct gossip_params *p)
{
	/* Independent timers: the coupling holds without a limit; with one, no proof is claimed. */
	if (p->timers != GOSSIP_TIMERS_ALIGNED)
		return p->transmit_limit == 0 && p->forward_rounds == 0;
	/* A transmit limit's window depends on K: monotone only if no K <= N - 1 gets one. */
	if (gossip_pushes(p->mode) && p->transmit_limit > 0)
		return (double)p->transmit_limit > (double)p->rounds * (double)(p->nodes - 1);
	return gossip_window(p) == 0;
}

int64_t gossip_peers(const struct gossip_params *p)
{
	return (p->failed_known ? gossip_live(p) : p->nodes) - 1;
}

int64_t gossip_fanout_top(const struct gossip_params *p)
{
	int64_t top = gossip_peers(p);

	if (p->mode == GOSSIP_PUSH && p->transmit_limit > 0 && p->transmit_limit < top)
		return p->transmit_limit;
	return top;
}

/* Appends a problem for `field` if there is room; returns the new count. */
static int problem(struct gossip_problem *out, int max, int n, const char *field,
		   const char *fmt, ...)
{
	if (n < max) {
		va_list ap;
		out[n].field = field;
		va_start(ap, fmt);
		vsnprintf(out[n].detail, sizeof out[n].detail, fmt, ap);
		va_end(ap);
	}
	return n + 1;
}

/* timers, probe_interval, sync_interval and the horizon (the API's within_seconds). */
static int check_timers(const struct gossip_params *p, struct gossip_problem *out, int max, int n)
{
	int independent = p->timers == GOSSIP_TIMERS_INDEPENDENT;

	if ((unsigned)p->timers >= GOSSIP_TIMERS_COUNT)
		n = problem(out, max, n, "timers", "\"timers\" must be aligned or independent");
	if (!(p->probe_interval >= 0 && p->probe_interval <= FO_MAX_ROUNDS))
		n = problem(out, max, n, "probe_interval",
			    "\"probe_interval\" must be a number of seconds above 0 and at most %lld "
			    "intervals", (long long)FO_MAX_ROUNDS);
	else if (p->probe_interval > 0 && !independent)
		n = problem(out, max, n, "probe_interval",
			    "\"probe_interval\" needs \"timers\": \"independent\"");
	if (!(p->sync_interval >= 0 && p->sync_interval <= FO_MAX_ROUNDS))
		n = problem(out, max, n, "sync_interval",
			    "\"sync_interval\" must be a number of seconds above 0 and at most %lld "
			    "intervals", (long long)FO_MAX_ROUNDS);
	else if (p->sync_interval > 0 && !independent)
		n = problem(out, max, n, "sync_interval",
			    "\"sync_interval\" needs \"timers\": \"independent\"");
	if (!(p->horizon >= 0 && p->horizon <= FO_MAX_ROUNDS))
		n = problem(out, max, n, "within_seconds",
			    "\"within_seconds\" must be a number above 0 and at most %lld intervals",
			    (long long)FO_MAX_ROUNDS);
	else if (p->horizon > 0 && !independent)
		n = problem(out, max, n, "within_seconds",
			    "under aligned timers \"within_seconds\" stands for whole rounds; "
			    "give \"rounds\" instead");
	return n;
}

int gossip_params_check(const struct gossip_params *p, int check_fanout,
			struct gossip_problem *out, int max)
{
	static const char range[] = "\"%s\" must be an integer from %lld to %lld";
	static const char at_least[] = "\"%s\" must be an integer from %d to 2^53 - 1";
	int n = 0, nodes_ok = p->nodes >= 1 && p->nodes <= FO_MAX_JSON_INT;
	long long top = (long long)p->nodes - 1;

	if (!nodes_ok)
		n = problem(out, max, n, "nodes", at_least, "nodes", 1);
	if (nodes_ok && check_fanout && (p->fanout < 0 || p->fanout > top))
		n = problem(out, max, n, "fanout", range, "fanout", 0LL, top);
	else if (nodes_ok && check_fanout && p->failed_known && p->failed >= 0 && p->failed <= top &&
		 p->fanout > top - p->failed)
		n = problem(out, max, n, "fanout",
			    "\"fanout\" must be at most the live nodes less one (%lld) with \"failed_known\"",
			    top - (long long)p->failed);
	if (p->rounds < 1 || p->rounds > FO_MAX_ROUNDS)
		n = problem(out, max, n, "rounds", range, "rounds", 1LL, (long long)FO_MAX_ROUNDS);
	if ((unsigned)p->mode >= GOSSIP_MODE_COUNT)
		n = problem(out, max, n, "mode", "\"mode\" is not a known mode");
	if (!(p->loss >= 0 && p->loss < 1))
		n = problem(out, max, n, "loss",
			    "\"loss\" must be a number from 0 up to but not including 1");
	if (nodes_ok && (p->failed < 0 || p->failed > top))
		n = problem(out, max, n, "failed_nodes", range, "failed_nodes", 0LL, top);
	if (p->forward_rounds < 0 || p->forward_rounds > FO_MAX_JSON_INT)
		n = problem(out, max, n, "forward_rounds", at_least, "forward_rounds", 1);
	if (p->transmit_limit < 0 || p->transmit_limit > FO_MAX_JSON_INT)
		n = problem(out, max, n, "transmit_limit", at_least, "transmit_limit", 1);
	else if (p->transmit_limit > 0 && p->forward_rounds > 0)
		n = problem(out, max, n, "transmit_limit",
			    "\"transmit_limit\" and \"forward_rounds\" cannot both be given "
			    "(forward_rounds T is transmit_limit T * fanout)");
	n = check_timers(p, out, max, n);
	if (p->seed_gossip && (p->seeds < 0 || p->seeds > FO_MAX_JSON_INT))
		n = problem(out, max, n, "seeds", at_least, "seeds", 0);
	else if (p->seed_gossip && nodes_ok && p->failed >= 0 && p->failed <= top &&
		 p->seeds > top - p->failed)
		n = problem(out, max, n, "seeds",
			    "\"seeds\" must be at most the live nodes less one (%lld): seeds are live "
			    "nodes other than the origin", top - (long long)p->failed);
	else if (p->seed_gossip && !p->failed_known)
		n = problem(out, max, n, "seeds",
			    "\"seeds\" needs \"failed_known\": true (Cassandra gossips to live peers; "
			    "the cassandra preset sets it)");
	else if (p->seed_gossip && p->mode != GOSSIP_PUSH_PULL)
		n = problem(out, max, n, "seeds",
			    "\"seeds\" needs \"mode\": \"push_pull\" (Cassandra's exchanges; the "
			    "cassandra preset sets it)");
	else if (p->seed_gossip && p->transmit_limit > 0)
		n = problem(out, max, n, "seeds",
			    "\"seeds\" does not follow \"transmit_limit\" (Cassandra has none; "
			    "\"forward_rounds\" may be given)");
	return n;
}

const char *gossip_mode_name(enum gossip_mode m)
{
	return mode_names[m];
}

int gossip_mode_parse(const char *name, enum gossip_mode *out)
{
	for (int i = 0; i < GOSSIP_MODE_COUNT; i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*out = (enum gossip_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *gossip_timers_name(enum gossip_timers t)
{
	return timers_names[t];
}

int gossip_timers_parse(const char *name, enum gossip_timers *out)
{
	for (int i = 0; i < GOSSIP_TIMERS_COUNT; i++) {
		if (strcmp(name, timers_names[i]) == 0) {
			*out = (enum gossip_timers)i;
			return 0;
		}
	}
	return -1;
}
