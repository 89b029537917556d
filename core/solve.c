/*
 * solve.c — see solve.h.  One search over an integer knob serves both: a
 * setter puts the value into the parameters, calc_at evaluates it.
 */
#include <math.h>
#include <string.h>

#include "fanout/solve.h"

typedef void (*knob_set)(struct gossip_params *q, int64_t v);

static void set_limit(struct gossip_params *q, int64_t v)
{
	q->transmit_limit = v;
	q->forward_rounds = 0;
}

static void set_rounds(struct gossip_params *q, int64_t v)
{
	q->rounds = v;
}

struct knob {
	struct gossip_params q;
	knob_set set;
	enum calc_model model;
	double target, work, work_limit;
	int threads;
	const atomic_int *cancel;
	int64_t evaluations;
};

static enum fo_status try_value(struct knob *k, int64_t v, struct calc_answer *a)
{
	enum fo_status st;

	k->set(&k->q, v);
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

/* Up to 2 log2(top) + 1 evaluations, each charged at the dearest of the gallop's values. */
static double search_cost(const struct gossip_params *p, knob_set set, int64_t top, enum calc_model model,
			  double target, int threads)
{
	struct gossip_params q = *p;
	double dearest = 0, steps = 0;

	for (int64_t v = 1;; v = v > top / 2 ? top : 2 * v) {
		set(&q, v);
		dearest = fmax(dearest, calc_at_cost(&q, model, target, threads));
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

enum fo_status solve_transmit_limit(const struct gossip_params *p, enum calc_model model, double target,
				    double work_limit, int threads, const atomic_int *cancel,
				    struct solve_answer *out)
{
	struct knob k = { *p, set_limit, model, target, 0, work_limit, threads, cancel, 0 };

	return search(&k, limit_top(p), out);
}

enum fo_status solve_rounds(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			    double target, double work_limit, int threads, const atomic_int *cancel,
			    struct solve_answer *out)
{
	struct knob k = { *p, set_rounds, model, target, 0, work_limit, threads, cancel, 0 };

	return search(&k, max_rounds, out);
}

double solve_transmit_limit_cost(const struct gossip_params *p, enum calc_model model, double target,
				 int threads)
{
	return search_cost(p, set_limit, limit_top(p), model, target, threads);
}

double solve_rounds_cost(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			 double target, int threads)
{
	return search_cost(p, set_rounds, max_rounds, model, target, threads);
}

double solve_longest_interval(double budget, int64_t rounds)
{
	double d = budget / (double)rounds;

	while (d > 0 && floor(budget / d) < (double)rounds)
		d = nextafter(d, 0);
	return d;
}
