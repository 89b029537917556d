/*
 * calc.c — the fanout search shared by the three calculators (see calc.h).
 */
#include <math.h>
#include <string.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/exact.h"
#include "fanout/formula.h"
#include "fanout/meanfield.h"

/* Work units charged for one evaluation of the closed form. */
#define FORMULA_EVAL_COST 100.0

struct eval {
	double compared, node_miss, error_bound;
};

struct search {
	const struct gossip_params *p;
	enum calc_model model;
	const atomic_int *cancel;
	double work, work_limit;
	int64_t evaluations;
};

static const char *const model_names[CALC_MODEL_COUNT] = {
	[CALC_AUTO] = "auto",
	[CALC_EXACT] = "exact",
	[CALC_MEAN_FIELD] = "mean_field",
	[CALC_FORMULA] = "formula",
};

const char *calc_model_name(enum calc_model m)
{
	return model_names[m];
}

int calc_model_parse(const char *name, enum calc_model *out)
{
	for (int i = 0; i < CALC_MODEL_COUNT; i++) {
		if (strcmp(name, model_names[i]) == 0) {
			*out = (enum calc_model)i;
			return 0;
		}
	}
	return -1;
}

static double eval_cost(const struct gossip_params *p, enum calc_model model, int64_t k)
{
	struct gossip_params q = *p;

	q.fanout = k;
	switch (model) {
	case CALC_EXACT:
		return exact_cost(&q);
	case CALC_MEAN_FIELD:
		return mf_cost(&q);
	case CALC_AUTO:
	case CALC_FORMULA:
	case CALC_MODEL_COUNT:
		break;
	}
	return FORMULA_EVAL_COST;
}

static enum fo_status evaluate(struct search *s, int64_t k, struct eval *e)
{
	struct gossip_params q = *s->p;
	struct chain_result r;
	enum fo_status st;

	s->work += eval_cost(s->p, s->model, k);
	if (s->work > s->work_limit)
		return FO_TOO_LARGE;
	if (fo_cancelled(s->cancel))
		return FO_CANCELLED;
	s->evaluations++;
	q.fanout = k;
	if (s->model == CALC_FORMULA) {
		double miss = formula_miss(q.nodes, k, q.rounds, q.loss);
		e->compared = 1 - miss;
		e->node_miss = miss;
		e->error_bound = 0;
		return FO_OK;
	}
	st = s->model == CALC_EXACT ? exact_run(&q, s->cancel, &r) : mf_run(&q, &r);
	if (st != FO_OK)
		return st;
	e->compared = r.p_full[q.rounds];
	e->node_miss = r.node_miss;
	e->error_bound = r.round_bound ? r.round_bound[q.rounds] : r.error_bound;
	chain_result_release(&r);
	return FO_OK;
}

static void answer(struct calc_answer *out, int reachable, int64_t k, const struct eval *e)
{
	out->reachable = reachable;
	out->fanout = k;
	out->delivery_prob = e->compared;
	out->miss_prob = 1 - e->compared;
	out->node_miss_prob = e->node_miss;
	out->error_bound = e->error_bound;
}

/* K = 1, 2, …: the first K that reaches the target, else the best one. */
static enum fo_status search_linear(struct search *s, double target, struct calc_answer *out)
{
	struct eval e, best = { 0, 1, 0 };
	int64_t best_k = 1;

	for (int64_t k = 1; k <= s->p->nodes - 1; k++) {
		enum fo_status st = evaluate(s, k, &e);
		if (st != FO_OK)
			return st;
		if (e.compared >= target) {
			answer(out, 1, k, &e);
			return FO_OK;
		}
		if (k == 1 || e.compared > best.compared) {
			best = e;
			best_k = k;
		}
	}
	answer(out, 0, best_k, &best);
	return FO_OK;
}

/*
 * Galloping from a predicted K, then bisection; valid when the compared
 * probability rises with K.  A good prediction needs two evaluations: the
 * prediction, which reaches the target, and the K below it, which does not.
 */
static enum fo_status search_monotone(struct search *s, double target, int64_t guess,
				      struct calc_answer *out)
{
	int64_t top = s->p->nodes - 1, lo = 0, hi, step = 1;
	struct eval e, at_hi;
	enum fo_status st;

	guess = guess < 1 ? 1 : guess > top ? top : guess;
	if ((st = evaluate(s, guess, &e)) != FO_OK)
		return st;
	if (e.compared >= target) {
		/* Down: find some K that does not reach the target (or reach K = 1). */
		hi = guess;
		at_hi = e;
		while (hi - step > lo) {
			int64_t k = hi - step;
			if ((st = evaluate(s, k, &e)) != FO_OK)
				return st;
			if (e.compared < target) {
				lo = k;
				break;
			}
			hi = k;
			at_hi = e;
			step *= 2;
		}
	} else {
		/* Up: find some K that reaches it, or learn that none does. */
		lo = guess;
		for (;;) {
			int64_t k;
			if (lo == top) {
				answer(out, 0, top, &e);
				return FO_OK;
			}
			k = top - lo <= step ? top : lo + step;
			if ((st = evaluate(s, k, &e)) != FO_OK)
				return st;
			if (e.compared >= target) {
				hi = k;
				at_hi = e;
				break;
			}
			lo = k;
			step *= 2;
		}
	}
	/* Invariant: K = hi reaches the target, K = lo does not (lo = 0: none below). */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if ((st = evaluate(s, mid, &e)) != FO_OK)
			return st;
		if (e.compared >= target) {
			hi = mid;
			at_hi = e;
		} else {
			lo = mid;
		}
	}
	answer(out, 1, hi, &at_hi);
	return FO_OK;
}

static int monotone(const struct gossip_params *p, enum calc_model model)
{
	return model == CALC_FORMULA || gossip_fanout_monotone(p);
}

/*
 * The K a search will end near, predicted by the mean field without a push
 * window (where it is monotone, so the prediction is cheap); N - 1 when the
 * mean field says no K reaches the target.
 */
static int64_t predict_fanout(const struct gossip_params *p, double target)
{
	struct gossip_params q = *p;
	struct calc_answer a;

	q.forward_rounds = 0;
	q.transmit_limit = 0;
	if (calc_fanout(&q, CALC_MEAN_FIELD, target, HUGE_VAL, NULL, &a) != FO_OK || !a.reachable)
		return p->nodes - 1;
	return a.fanout;
}

enum fo_status calc_fanout(const struct gossip_params *p, enum calc_model model, double target,
			   double work_limit, const atomic_int *cancel, struct calc_answer *out)
{
	struct search s = { p, model, cancel, 0, work_limit, 0 };
	enum fo_status st;

	memset(out, 0, sizeof *out);
	if (p->nodes == 1) {
		out->reachable = 1;
		out->delivery_prob = 1;
		return FO_OK;
	}
	if (!monotone(p, model))
		st = search_linear(&s, target, out);
	else
		/* The exact chain starts where the (cheap) mean field says; the others from 1. */
		st = search_monotone(&s, target, model == CALC_EXACT ? predict_fanout(p, target) : 1, out);
	out->evaluations = s.evaluations;
	return st;
}

double calc_cost(const struct gossip_params *p, enum calc_model model, double target)
{
	int64_t top = p->nodes - 1, k;
	double cost = 0;

	if (p->nodes == 1)
		return 0;
	if (model == CALC_FORMULA)
		return FORMULA_EVAL_COST * 2 * (log2((double)top) + 1);
	/* Beyond what exact could ever finish, do not spend time predicting. */
	if (model == CALC_EXACT && !(eval_cost(p, model, 1) < FO_EXACT_HOPELESS))
		return HUGE_VAL;
	k = predict_fanout(p, target);
	if (!monotone(p, model)) {
		/* K = 1 … about twice the prediction; each costs at most the last. */
		k = k > top / 2 ? top : 2 * k;
		return (double)k * eval_cost(p, model, k);
	}
	if (model == CALC_EXACT) {
		/*
		 * From the prediction: itself and the K below (a miss costs more, but
		 * the search stops at the budget, and "auto" then takes mean_field).
		 */
		int64_t near = k < top ? k + 1 : top;
		return 2 * eval_cost(p, model, near);
	}
	/* Doubling from 1 past k, then ~log2(k) bisection steps. */
	int64_t j = 1;
	for (; j < k; j = j > top / 2 ? top : 2 * j)
		cost += eval_cost(p, model, j);
	cost += eval_cost(p, model, j);
	return cost + log2((double)j + 1) * eval_cost(p, model, j);
}
