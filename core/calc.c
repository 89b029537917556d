/*
 * calc.c — the fanout search shared by every calculator (see calc.h).
 *
 * Each evaluation of a K yields the compared probability with an interval
 * that covers the true one: exact's error bound, the large-N method's own
 * interval, a point for the mean field and the formula.  A K counts as
 * reaching the target only when the interval's lower end does, and the miss
 * side is compared with 1 - target (exact in floating point for targets of
 * 1/2 and more) so that targets near 1 keep their meaning.
 */
#include <math.h>
#include <string.h>

#include "costs.h"
#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/exact.h"
#include "fanout/formula.h"
#include "fanout/largen.h"
#include "fanout/meanfield.h"
#include "fanout/rng.h"
#include "fanout/sim.h"

/* One K's answer: the compared probability, its complement, both with intervals. */
struct eval {
	enum calc_model by;
	double p, p_lo, p_hi;
	double miss, miss_lo, miss_hi;
	double node_miss, error_bound;
	int64_t trials;   /* simulation */
	uint64_t seed;
};

struct search {
	const struct gossip_params *p;
	enum calc_model model;
	const atomic_int *cancel;
	double target;
	double work, work_limit;
	int64_t evaluations;
	int threads;      /* for simulations */
	int unresolved;   /* a simulation could not show the target */
};

static const char *const model_names[CALC_MODEL_COUNT] = {
	[CALC_AUTO] = "auto",
	[CALC_EXACT] = "exact",
	[CALC_MEAN_FIELD] = "mean_field",
	[CALC_FORMULA] = "formula",
	[CALC_LARGE_N] = "large_n",
	[CALC_SIMULATION] = "simulation",
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

/* Trials that, with no miss, put the interval's lower end at the target. */
static double trials_to_show(double target)
{
	double alpha = 1 - FO_CALC_SIM_CONFIDENCE;
	double log_target = target >= 0.5 ? log1p(-(1 - target)) : log(target);

	return log_target < 0 ? ceil(log(alpha / 2) / log_target) : HUGE_VAL;
}

int64_t calc_sim_trials(const struct gossip_params *q, double target)
{
	double one = sim_fast_cost(q, 1);
	double n = one > 0 ? floor(FO_CALC_SIM_EVAL_WORK / one) : FO_CALC_SIM_MAX_TRIALS;

	n = fmax(n, FO_CALC_SIM_RESOLVE_FACTOR * trials_to_show(target));
	return n < 1 ? 1 : n > FO_CALC_SIM_MAX_TRIALS ? FO_CALC_SIM_MAX_TRIALS : (int64_t)n;
}

uint64_t calc_sim_seed(const struct gossip_params *q)
{
	uint64_t loss, h = 0x666f616e6f7574ULL; /* "fanout" */
	uint64_t v[8];

	memcpy(&loss, &q->loss, sizeof loss);
	v[0] = (uint64_t)q->nodes;
	v[1] = (uint64_t)q->fanout;
	v[2] = (uint64_t)q->rounds;
	v[3] = (uint64_t)q->mode;
	v[4] = loss;
	v[5] = (uint64_t)q->failed;
	v[6] = (uint64_t)q->forward_rounds;
	v[7] = (uint64_t)q->transmit_limit;
	for (int i = 0; i < 8; i++)
		h = rng_mix64(h ^ v[i]);
	return h & (uint64_t)FO_MAX_JSON_INT;
}

void calc_sim_interval(int64_t full, int64_t n, double p[2], double miss[2])
{
	sim_clopper_pearson(n - full, n, 1 - FO_CALC_SIM_CONFIDENCE, miss);
	p[0] = fmax(0, 1 - miss[1]);
	p[1] = fmin(1, 1 - miss[0]);
}

int calc_sim_resolves(int64_t n, double target)
{
	double p[2], miss[2];

	calc_sim_interval(n, n, p, miss);
	return target >= 0.5 ? miss[1] <= 1 - target : p[0] >= target;
}

/*
 * The calculator `model` uses for fanout k: auto takes exact while it is
 * affordable or no dearer than large_n, then large_n where it can go, then the simulation where its
 * trials can show the target; else exact however dear (the budget decides).
 */
static enum calc_model resolve(const struct gossip_params *p, enum calc_model model, double target,
			       int64_t k)
{
	struct gossip_params q = *p;
	double exact, largen;

	if (model != CALC_AUTO)
		return model;
	q.fanout = k;
	exact = exact_cost(&q);
	largen = largen_cost(&q);
	/* Exact while affordable, and past that while it costs no more than large_n. */
	if (exact <= FO_EXACT_AUTO_LIMIT || (!isinf(largen) && exact <= largen))
		return CALC_EXACT;
	if (!isinf(largen))
		return CALC_LARGE_N;
	/* The simulation, unless even its most trials cannot show the target (exact may, at its cost). */
	if (calc_sim_resolves(calc_sim_trials(&q, target), target) || !(exact < FO_EXACT_HOPELESS))
		return CALC_SIMULATION;
	return CALC_EXACT;
}

static double eval_cost(const struct gossip_params *p, enum calc_model model, double target,
			int64_t k, int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	switch (resolve(p, model, target, k)) {
	case CALC_EXACT:
		return exact_cost(&q);
	case CALC_MEAN_FIELD:
		return mf_cost(&q);
	case CALC_LARGE_N:
		return largen_cost(&q);
	case CALC_SIMULATION: {
		/* A simulation that cannot show the target is refused before it runs: it costs nothing. */
		int64_t n = calc_sim_trials(&q, target);
		return calc_sim_resolves(n, target) ? sim_fast_cost(&q, n) / threads : FORMULA_EVAL_COST;
	}
	case CALC_AUTO:
	case CALC_FORMULA:
	case CALC_MODEL_COUNT:
		break;
	}
	return FORMULA_EVAL_COST;
}

/* A point answer with no interval around it (formula, mean field). */
static void point(struct eval *e, double p, double miss)
{
	e->p = e->p_lo = e->p_hi = p;
	e->miss = e->miss_lo = e->miss_hi = miss;
	e->error_bound = 0;
}

/*
 * The exact chain's figures, widened on both sides by its error_bound, which
 * covers dropped mass and rounding (exact.h); the miss is summed from the mass
 * short of everyone (p_miss), not taken as 1 - P.
 */
static void from_exact(struct eval *e, const struct chain_result *r)
{
	double p = r->p_full[r->rounds], miss = r->p_miss[r->rounds];
	double d = r->full_bound[r->rounds], dm = r->miss_bound[r->rounds];

	e->p = p;
	e->p_lo = fmax(0, p - d);
	e->p_hi = fmin(1, p + d);
	e->miss = miss;
	e->miss_lo = fmax(0, miss - dm);
	e->miss_hi = fmin(1, miss + dm);
	e->node_miss = r->node_miss;
	e->error_bound = r->round_bound[r->rounds];
}

static void from_largen(struct eval *e, const struct largen_result *l)
{
	e->p = l->p_full;
	e->p_lo = l->p_lo;
	e->p_hi = l->p_hi;
	e->miss = l->miss;
	e->miss_lo = l->miss_lo;
	e->miss_hi = l->miss_hi;
	e->node_miss = l->node_miss;
	e->error_bound = fmax(e->p - e->p_lo, e->p_hi - e->p);
}

/* K = q->fanout by the fast simulator: the share of trials fully delivered, with its interval. */
static enum fo_status from_sim(struct search *s, const struct gossip_params *q, struct eval *e)
{
	struct sim_tally t;
	enum fo_status st;
	double p[2], miss[2], live = (double)gossip_live(q);

	e->trials = calc_sim_trials(q, s->target);
	e->seed = calc_sim_seed(q);
	if (!calc_sim_resolves(e->trials, s->target)) {
		s->unresolved = 1;
		return FO_TOO_LARGE;
	}
	if ((st = sim_tally_init(&t, q, 0)) != FO_OK)
		return st;
	st = sim_fast_run(q, e->seed, 0, e->trials, s->threads, s->cancel, &t);
	if (st == FO_OK) {
		double n = (double)t.trials;
		calc_sim_interval(t.trials_full, t.trials, p, miss);
		e->p = (double)t.trials_full / n;
		e->miss = (double)(t.trials - t.trials_full) / n;
		e->p_lo = p[0];
		e->p_hi = p[1];
		e->miss_lo = miss[0];
		e->miss_hi = miss[1];
		/* Uninformed live nodes over the L - 1 that could be (the origin always knows). */
		e->node_miss = live > 1 ? fmax(0, (live * n - (double)t.informed_sum) / ((live - 1) * n)) : 0;
		e->error_bound = fmax(e->p - e->p_lo, e->p_hi - e->p);
	}
	sim_tally_release(&t);
	return st;
}

static enum fo_status evaluate(struct search *s, int64_t k, struct eval *e)
{
	struct gossip_params q = *s->p;
	struct chain_result r;
	struct largen_result l;
	enum fo_status st;

	s->work += eval_cost(s->p, s->model, s->target, k, s->threads);
	if (s->work > s->work_limit)
		return FO_TOO_LARGE;
	if (fo_cancelled(s->cancel))
		return FO_CANCELLED;
	s->evaluations++;
	q.fanout = k;
	memset(e, 0, sizeof *e);
	e->by = resolve(s->p, s->model, s->target, k);
	switch (e->by) {
	case CALC_SIMULATION:
		return from_sim(s, &q, e);
	case CALC_FORMULA: {
		double miss = formula_miss(q.nodes, k, q.rounds, q.loss);
		point(e, 1 - miss, miss);
		e->node_miss = miss;
		return FO_OK;
	}
	case CALC_LARGE_N:
		st = largen_run(&q, s->cancel, &l);
		if (st == FO_TOO_LARGE && s->model == CALC_AUTO) {
			/*
			 * A transmit limit's cohorts outgrew large_n's estimate (it
			 * stops at a multiple of it, largen.h): auto simulates this K,
			 * charged as such.
			 */
			s->work += eval_cost(&q, CALC_SIMULATION, s->target, k, s->threads);
			if (s->work > s->work_limit)
				return FO_TOO_LARGE;
			e->by = CALC_SIMULATION;
			return from_sim(s, &q, e);
		}
		if (st != FO_OK)
			return st;
		from_largen(e, &l);
		return FO_OK;
	case CALC_EXACT:
		if ((st = exact_run(&q, s->cancel, &r)) != FO_OK)
			return st;
		from_exact(e, &r);
		break;
	default:
		if ((st = mf_run(&q, &r)) != FO_OK)
			return st;
		point(e, r.p_full[q.rounds], -expm1(-(double)gossip_live(&q) * r.node_miss));
		e->node_miss = r.node_miss;
		break;
	}
	chain_result_release(&r);
	return FO_OK;
}

/* The target is surely reached: the interval's lower end meets it. */
static int meets(const struct search *s, const struct eval *e)
{
	return s->target >= 0.5 ? e->miss_hi <= 1 - s->target : e->p_lo >= s->target;
}

/* The target may be reached: the interval's upper end meets it. */
static int may_meet(const struct search *s, const struct eval *e)
{
	return s->target >= 0.5 ? e->miss_lo <= 1 - s->target : e->p_hi >= s->target;
}

/* Fills *out for K = k answered by e; below (NULL if not evaluated) is K - 1's answer. */
static void answer(const struct search *s, struct calc_answer *out, int reachable, int64_t k,
		   const struct eval *e, const struct eval *below)
{
	out->reachable = reachable;
	out->fanout = k;
	out->model = e->by;
	out->delivery_prob = e->p;
	out->delivery_prob_lo = e->p_lo;
	out->delivery_prob_hi = e->p_hi;
	out->miss_prob = e->miss;
	out->node_miss_prob = e->node_miss;
	out->error_bound = e->error_bound;
	out->fanout_uncertain = reachable && below && may_meet(s, below);
	out->sim_trials = e->by == CALC_SIMULATION ? e->trials : 0;
	out->sim_seed = e->by == CALC_SIMULATION ? e->seed : 0;
}

/* K = 1, 2, …: the first K that surely reaches the target, else the best one. */
static enum fo_status search_linear(struct search *s, struct calc_answer *out)
{
	struct eval e, prev = { 0 }, best = { 0 };
	int64_t best_k = 1, top = gossip_fanout_top(s->p);

	for (int64_t k = 1; k <= top; k++) {
		enum fo_status st = evaluate(s, k, &e);
		if (st != FO_OK)
			return st;
		if (meets(s, &e)) {
			answer(s, out, 1, k, &e, k > 1 ? &prev : NULL);
			return FO_OK;
		}
		if (k == 1 || e.p > best.p) {
			best = e;
			best_k = k;
		}
		prev = e;
	}
	answer(s, out, 0, best_k, &best, NULL);
	return FO_OK;
}

/*
 * Galloping from a predicted K, then bisection; valid when the compared
 * probability rises with K.  A good prediction needs two evaluations: the
 * prediction, which reaches the target, and the K below it, which does not.
 */
static enum fo_status search_monotone(struct search *s, int64_t guess, struct calc_answer *out)
{
	int64_t top = s->p->nodes - 1, lo = 0, hi, step = 1;
	struct eval e, at_hi, at_lo = { 0 };
	enum fo_status st;

	guess = guess < 1 ? 1 : guess > top ? top : guess;
	if ((st = evaluate(s, guess, &e)) != FO_OK)
		return st;
	if (meets(s, &e)) {
		/* Down: find some K that does not reach the target (or reach K = 1). */
		hi = guess;
		at_hi = e;
		while (hi - step > lo) {
			int64_t k = hi - step;
			if ((st = evaluate(s, k, &e)) != FO_OK)
				return st;
			if (!meets(s, &e)) {
				lo = k;
				at_lo = e;
				break;
			}
			hi = k;
			at_hi = e;
			step *= 2;
		}
	} else {
		/* Up: find some K that reaches it, or learn that none does. */
		lo = guess;
		at_lo = e;
		for (;;) {
			int64_t k;
			if (lo == top) {
				answer(s, out, 0, top, &e, NULL);
				return FO_OK;
			}
			k = top - lo <= step ? top : lo + step;
			if ((st = evaluate(s, k, &e)) != FO_OK)
				return st;
			if (meets(s, &e)) {
				hi = k;
				at_hi = e;
				break;
			}
			lo = k;
			at_lo = e;
			step *= 2;
		}
	}
	/* Invariant: K = hi reaches the target, K = lo does not (lo = 0: none below). */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if ((st = evaluate(s, mid, &e)) != FO_OK)
			return st;
		if (meets(s, &e)) {
			hi = mid;
			at_hi = e;
		} else {
			lo = mid;
			at_lo = e;
		}
	}
	answer(s, out, 1, hi, &at_hi, lo > 0 ? &at_lo : NULL);
	return FO_OK;
}

static int monotone(const struct gossip_params *p, enum calc_model model)
{
	return model == CALC_FORMULA || gossip_fanout_monotone(p);
}

/*
 * The K a search will end near, predicted by the mean field without a push
 * window over at most FO_PREDICT_MAX_ROUNDS rounds, so the prediction costs
 * a bounded amount whatever the parameters; N - 1 when the mean field says no
 * K reaches the target.  It only chooses where the search starts.
 */
static int64_t predict_fanout(const struct gossip_params *p, double target)
{
	struct gossip_params q = *p;
	struct calc_answer a;

	q.forward_rounds = 0;
	q.transmit_limit = 0;
	if (q.rounds > FO_PREDICT_MAX_ROUNDS)
		q.rounds = FO_PREDICT_MAX_ROUNDS;
	if (calc_fanout(&q, CALC_MEAN_FIELD, target, HUGE_VAL, NULL, &a) != FO_OK || !a.reachable)
		return p->nodes - 1;
	return a.fanout;
}

enum fo_status calc_fanout(const struct gossip_params *p, enum calc_model model, double target,
			   double work_limit, const atomic_int *cancel, struct calc_answer *out)
{
	return calc_fanout_mt(p, model, target, work_limit, 1, cancel, out);
}

enum fo_status calc_fanout_mt(const struct gossip_params *p, enum calc_model model, double target,
			      double work_limit, int threads, const atomic_int *cancel,
			      struct calc_answer *out)
{
	struct search s = { p, model, cancel, target, 0, work_limit, 0, threads < 1 ? 1 : threads, 0 };
	enum fo_status st;

	memset(out, 0, sizeof *out);
	out->model = resolve(p, model, target, 1);
	if (p->nodes == 1) {
		out->reachable = 1;
		out->delivery_prob = out->delivery_prob_lo = out->delivery_prob_hi = 1;
		return FO_OK;
	}
	if (!monotone(p, model))
		st = search_linear(&s, out);
	else
		/* The chains start where the (cheap) mean field says; the others from 1. */
		st = search_monotone(&s, model == CALC_EXACT || model == CALC_AUTO || model == CALC_LARGE_N ||
					 model == CALC_SIMULATION
					 ? predict_fanout(p, target) : 1, out);
	out->evaluations = s.evaluations;
	out->sim_unresolved = st == FO_TOO_LARGE && s.unresolved;
	return st;
}

enum fo_status calc_at(const struct gossip_params *p, enum calc_model model, double target,
		       double *work, double work_limit, int threads, const atomic_int *cancel,
		       struct calc_answer *out)
{
	struct search s = { p, model, cancel, target, *work, work_limit, 0, threads < 1 ? 1 : threads, 0 };
	struct eval e;
	enum fo_status st;

	memset(out, 0, sizeof *out);
	st = evaluate(&s, p->fanout, &e);
	*work = s.work;
	out->evaluations = s.evaluations;
	out->sim_unresolved = st == FO_TOO_LARGE && s.unresolved;
	if (st != FO_OK)
		return st;
	answer(&s, out, meets(&s, &e), p->fanout, &e, NULL);
	out->may_reach = may_meet(&s, &e);
	out->evaluations = s.evaluations;
	return FO_OK;
}

double calc_at_cost(const struct gossip_params *p, enum calc_model model, double target, int threads)
{
	return eval_cost(p, model, target, p->fanout, threads < 1 ? 1 : threads);
}

double calc_cost(const struct gossip_params *p, enum calc_model model, double target)
{
	return calc_cost_mt(p, model, target, 1);
}

double calc_cost_mt(const struct gossip_params *p, enum calc_model model, double target, int threads)
{
	int64_t top = gossip_fanout_top(p), k;
	double cost = 0;

	if (p->nodes == 1)
		return 0;
	if (model == CALC_FORMULA)
		return FORMULA_EVAL_COST * 2 * (log2((double)top) + 1);
	/* Beyond what exact could ever finish, do not spend time predicting. */
	if (model == CALC_EXACT && !(eval_cost(p, model, target, 1, threads) < FO_EXACT_HOPELESS))
		return HUGE_VAL;
	k = predict_fanout(p, target);
	if (!monotone(p, model)) {
		/*
		 * K = 1 … about twice the prediction, each at its own cost: under a
		 * transmit limit the smallest K have the widest windows and cost the
		 * most.  Past 64 values, the rest at the dearer end.
		 */
		int64_t j;
		k = k > top / 2 ? top : 2 * k;
		for (j = 1; j <= k && j <= 64; j++)
			cost += eval_cost(p, model, target, j, threads);
		if (k > 64)
			cost += (double)(k - 64) * fmax(eval_cost(p, model, target, 64, threads),
							eval_cost(p, model, target, k, threads));
		return cost;
	}
	if (model != CALC_MEAN_FIELD) {
		/*
		 * From the prediction: about three evaluations near it (the mean
		 * field is optimistic, so one above; the search stops at the budget).
		 */
		int64_t near = k < top ? k + 1 : top;
		return 3 * eval_cost(p, model, target, near, threads);
	}
	/* Doubling from 1 past k, then ~log2(k) bisection steps. */
	int64_t j = 1;
	for (; j < k; j = j > top / 2 ? top : 2 * j)
		cost += eval_cost(p, model, target, j, threads);
	cost += eval_cost(p, model, target, j, threads);
	return cost + log2((double)j + 1) * eval_cost(p, model, target, j, threads);
}
