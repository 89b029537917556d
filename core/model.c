/* SPDX-License-Identifier: MIT */
/*
 * model.c — small facts about the model's parameters shared by every
 * calculator and simulator (live nodes, the push window, monotonicity) and
 * the check of their domains.
 */
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
	/* A transmit limit's window depends on K: monotone only if no K <= N - 1 gets one. */
	if (gossip_pushes(p->mode) && p->transmit_limit > 0)
		return (double)p->transmit_limit > (double)p->rounds * (double)(p->nodes - 1);
	return gossip_window(p) == 0;
}

int64_t gossip_fanout_top(const struct gossip_params *p)
{
	int64_t top = p->nodes - 1;

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
