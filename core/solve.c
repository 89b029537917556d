/* SPDX-License-Identifier: MIT */
/*
 * solve.c — see solve.h.  One search over an integer knob serves both: a
 * setter puts the value into the parameters, calc_at evaluates it.
 */
#include <math.h>
#include <string.h>

#include "fanout/solve.h"

struct knob;
typedef void (*knob_set)(struct knob *k, int64_t v);

struct knob {
	struct gossip_params base, q; /* q: base with the value in it */
	knob_set set;
	double unit;                  /* set_horizon: intervals a value counts */
	enum calc_model model;
	double target, work, work_limit;
	int threads;
	const atomic_int *cancel;
	int64_t evaluations;
};

static void set_limit(struct knob *k, int64_t v)
{
	k->q.transmit_limit = v;
	k->q.forward_rounds = 0;
}

static void set_rounds(struct knob *k, int64_t v)
{
	k->q.rounds = v;
}

/*
 * Independent timers: a horizon of v units (intervals) within the same
 * budget in seconds, so the probe and sync periods, fixed in seconds, count
 * fewer intervals in proportion; base holds them at the top horizon, R.
 */
static void set_horizon(struct knob *k, int64_t v)
{
	double h = (double)v * k->unit, scale = h / (double)k->base.rounds;

	k->q.horizon = h;
	k->q.rounds = (int64_t)ceil(h);
	k->q.probe_interval = k->base.probe_interval * scale;
	k->q.sync_interval = k->base.sync_interval * scale;
}

static enum fo_status try_value(struct knob *k, int64_t v, struct calc_answer *a)
{
	enum fo_status st;

	k->set(k, v);
	st = calc_at(&k->q, k->model, k->target, &k->work, k->work_limit, k->threads, k->cancel, a);
	k->evaluations += a->evaluations;
	return st;
}

/* Galloping from 1, then bisection: the least v in 1 … top whose interval meets the target. */
static enum fo_status search(struct knob *k, int64_t top, struct solve_answer *out)
{
	struct calc_answer a, at_lo = { 0 }, at_hi;
	int64_t lo = 0, hi = 0, v = 1;
	enum fo_status st;

	memset(out, 0, sizeof *out);
	out->top = top;
	out->unit = k->unit;
	for (;;) {
		if ((st = try_value(k, v, &a)) != FO_OK)
			return st;
		if (a.reachable) {
			hi = v;
			at_hi = a;
			break;
		}
		lo = v;
		at_lo = a;
		if (v == top) {
			out->value = top;
			out->at = a;
			out->evaluations = k->evaluations;
			return FO_OK;
		}
		v = v > top / 2 ? top : 2 * v;
	}
	/* Invariant: hi meets the target, lo does not (lo = 0: nothing below). */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if ((st = try_value(k, mid, &a)) != FO_OK)
			return st;
		if (a.reachable) {
			hi = mid;
			at_hi = a;
		} else {
			lo = mid;
			at_lo = a;
		}
	}
	out->reachable = 1;
	out->value = hi;
	out->at = at_hi;
	out->value_uncertain = lo > 0 && at_lo.may_reach;
	out->evaluations = k->evaluations;
	return FO_OK;
}

/*
 * Up to 2 log2(top) + 1 evaluations, each charged at the dearest of the
 * gallop's values; *first (NULL: not wanted), what the first value, 1,
 * costs alone.
 */
static double search_cost(const struct knob *k0, int64_t top, double *first)
{
	struct knob k = *k0;
	double dearest = 0, steps = 0;

	for (int64_t v = 1;; v = v > top / 2 ? top : 2 * v) {
		double c;
		k.set(&k, v);
		c = calc_at_cost(&k.q, k.model, k.target, k.threads);
		if (v == 1 && first)
			*first = c;
		dearest = fmax(dearest, c);
		steps++;
		if (v == top)
			break;
	}
	return (2 * steps + 1) * dearest;
}

/* K R: a limit of that many sends never binds within R rounds. */
static int64_t limit_top(const struct gossip_params *p)
{
	return p->fanout > INT64_MAX / p->rounds ? INT64_MAX : p->fanout * p->rounds;
}

static struct knob make_knob(const struct gossip_params *p, knob_set set, enum calc_model model, double target,
			     double work_limit, int threads, const atomic_int *cancel)
{
	struct knob k = { *p, *p, set, 1, model, target, 0, work_limit, threads, cancel, 0 };

	return k;
}

/* The search over the rounds: whole rounds, or under independent timers the horizon (see solve.h). */
static struct knob rounds_knob(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			       double target, double work_limit, int threads, const atomic_int *cancel,
			       int64_t *top)
{
	struct knob k = make_knob(p, set_rounds, model, target, work_limit, threads, cancel);

	k.base.rounds = max_rounds;
	*top = max_rounds;
	if (p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		/* exact's bound counts whole intervals (gossip_bound_view); the rest quarters. */
		k.set = set_horizon;
		k.unit = model == CALC_EXACT ? 1 : 1.0 / SOLVE_QUARTERS;
		*top = model == CALC_EXACT ? max_rounds : SOLVE_QUARTERS * max_rounds;
	}
	return k;
}

enum fo_status solve_transmit_limit(const struct gossip_params *p, enum calc_model model, double target,
				    double work_limit, int threads, const atomic_int *cancel,
				    struct solve_answer *out)
{
	struct gossip_params view = gossip_known_view(p);
	struct knob k = make_knob(&view, set_limit, model, target, work_limit, threads, cancel);

	return search(&k, limit_top(&view), out);
}

enum fo_status solve_rounds(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			    double target, double work_limit, int threads, const atomic_int *cancel,
			    struct solve_answer *out)
{
	struct gossip_params view = gossip_known_view(p);
	int64_t top;
	struct knob k = rounds_knob(&view, max_rounds, model, target, work_limit, threads, cancel, &top);

	return search(&k, top, out);
}

double solve_transmit_limit_cost(const struct gossip_params *p, enum calc_model model, double target,
				 int threads, double *first)
{
	struct gossip_params view = gossip_known_view(p);
	struct knob k = make_knob(&view, set_limit, model, target, HUGE_VAL, threads, NULL);

	return search_cost(&k, limit_top(&view), first);
}

double solve_rounds_cost(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			 double target, int threads, double *first)
{
	struct gossip_params view = gossip_known_view(p);
	int64_t top;
	struct knob k = rounds_knob(&view, max_rounds, model, target, HUGE_VAL, threads, NULL, &top);

	return search_cost(&k, top, first);
}

double solve_longest_interval(double budget, double horizon)
{
	double d = budget / horizon;

	/* For whole rounds floor(budget / d) >= rounds is budget / d >= rounds; d within an ulp or two of it. */
	while (d > 0 && budget / d < horizon)
		d = nextafter(d, 0);
	while (isfinite(d) && budget / nextafter(d, INFINITY) >= horizon)
		d = nextafter(d, INFINITY);
	return d;
}
