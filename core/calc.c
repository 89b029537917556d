/* SPDX-License-Identifier: MIT */
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
#include <threads.h>
#include <time.h>

#include "costs.h"
#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/exact.h"
#include "fanout/formula.h"
#include "fanout/largen.h"
#include "fanout/largen_timers.h"
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
	int64_t trials;   /* simulated so far, over every K */
	int64_t beside;   /* evaluations taken from a speculative run (spec_take) */
	/* The speculative run's done flag while search_monotone has one, else NULL (exact_run_mt). */
	const atomic_int *spec_done;
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
	struct gossip_params view = gossip_known_view(q);

	q = &view;
	double one = sim_fast_cost(q, 1);
	double n = one > 0 ? floor(FO_CALC_SIM_EVAL_WORK / one) : FO_CALC_SIM_MAX_TRIALS;

	n = fmax(n, FO_CALC_SIM_RESOLVE_FACTOR * trials_to_show(target));
	return n < 1 ? 1 : n > FO_CALC_SIM_MAX_TRIALS ? FO_CALC_SIM_MAX_TRIALS : (int64_t)n;
}

uint64_t calc_sim_seed(const struct gossip_params *q)
{
	struct gossip_params view = gossip_known_view(q);

	q = &view;
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
	if (q->timers != GOSSIP_TIMERS_ALIGNED) {
		/* Aligned seeds stay what they were; independent ones also see the timers. */
		uint64_t probe_bits, horizon_bits;
		memcpy(&probe_bits, &q->probe_interval, sizeof probe_bits);
		memcpy(&horizon_bits, &q->horizon, sizeof horizon_bits);
		h = rng_mix64(rng_mix64(rng_mix64(h ^ (uint64_t)q->timers) ^ probe_bits) ^ horizon_bits);
	}
	if (q->sync_interval > 0) {
		/* Seeds without anti-entropy stay what they were. */
		uint64_t sync_bits;
		memcpy(&sync_bits, &q->sync_interval, sizeof sync_bits);
		h = rng_mix64(h ^ sync_bits ^ 0x73796e63ULL); /* "sync" */
	}
	if (q->seed_gossip) /* Runs without seeds stay what they were. */
		h = rng_mix64(h ^ (uint64_t)q->seeds ^ 0x7365656473ULL); /* "seeds" */
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
	if (p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		/*
		 * No chain follows independent timers: the simulation where it
		 * can show the target for no more than large_n (small N), else
		 * large_n (largen_timers.h), else the simulation.
		 */
		int64_t n = calc_sim_trials(&q, target);
		double sim = sim_fast_cost(&q, n), lt = largen_timers_cost_target(&q, target);
		/*
		 * Below FO_LT_THRESHOLD live nodes large_n samples the whole
		 * spread itself, in slots, on fewer samples, and its interval
		 * can be too wide to show the target (memberlist-lan at N = 30):
		 * there the simulation, at no more than one evaluation's work.
		 */
		int small = gossip_live(&q) < FO_LT_THRESHOLD && sim <= FO_CALC_SIM_EVAL_WORK;
		if (calc_sim_resolves(n, target) && (sim <= lt || isinf(lt) || small))
			return CALC_SIMULATION;
		return isinf(lt) ? CALC_SIMULATION : CALC_LARGE_N;
	}
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

/* Does auto probe fanout k with a few trials before large_n (see probe())? */
static int probed(const struct gossip_params *p, enum calc_model model, int64_t k)
{
	struct gossip_params q = *p;

	q.fanout = k;
	/* Under independent timers large_n stops at its first deciding look instead (largen_timers.h). */
	return model == CALC_AUTO && gossip_window(&q) > 0 && p->timers == GOSSIP_TIMERS_ALIGNED;
}

static double probe_cost(const struct gossip_params *p, int64_t k, int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	return sim_fast_cost(&q, FO_CALC_PROBE_TRIALS) / threads;
}

static double eval_cost(const struct gossip_params *p, enum calc_model model, double target,
			int64_t k, int threads);

/*
 * What large_n stopping past its estimate costs beyond that estimate under
 * auto: the rest of its FO_LARGEN_OVERRUN_WIDE allowance, then the simulation.
 */
static double fallback_cost(const struct gossip_params *p, double target, int64_t k, int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	return (FO_LARGEN_OVERRUN_WIDE - 1) * largen_cost(&q) +
	       eval_cost(&q, CALC_SIMULATION, target, k, threads);
}

static double eval_cost(const struct gossip_params *p, enum calc_model model, double target,
			int64_t k, int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	switch (resolve(p, model, target, k)) {
	case CALC_EXACT: {
		/* Under independent timers: the chain of the bound, where one is proved (gossip_bound_view). */
		struct gossip_params b;
		if (q.timers == GOSSIP_TIMERS_ALIGNED)
			return exact_cost(&q);
		return gossip_bound_view(&q, &b) ? exact_cost(&b) : HUGE_VAL;
	}
	case CALC_MEAN_FIELD:
		return mf_cost(&q);
	case CALC_LARGE_N:
		return p->timers == GOSSIP_TIMERS_INDEPENDENT ? largen_timers_cost_target(&q, target)
							       : largen_cost(&q) + (probed(p, model, k) ? probe_cost(p, k, threads) : 0);
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

/*
 * Under independent timers, exact's answer is a certified bound
 * (gossip_bound_view): the aligned chain over the whole intervals is never
 * ahead of the model, so its P(full) less its error bound is a lower end and
 * its miss plus its bound an upper end of the model's; nothing bounds them
 * on the other side but 0 and 1.  The reported figures are the conservative
 * ends: p the chain's P(full), the miss the chain's, node_miss the chain's
 * (a node uninformed in the model is uninformed in the chain).
 */
static void from_bound(struct eval *e, const struct chain_result *r)
{
	from_exact(e, r);
	e->p_hi = 1;
	e->miss_lo = 0;
	e->error_bound = e->p_hi - e->p_lo;
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

/*
 * K = q->fanout by the fast simulator, `trials` trials (0: calc_sim_trials):
 * the share of trials fully delivered, with its interval.
 */
static enum fo_status from_sim(struct search *s, const struct gossip_params *q, int64_t trials,
			       struct eval *e)
{
	struct sim_tally t;
	enum fo_status st;
	double p[2], miss[2], live = (double)gossip_live(q);

	e->trials = trials > 0 ? trials : calc_sim_trials(q, s->target);
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
		s->trials += t.trials;
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

/*
 * Trials that tell large_n's point estimate p from the target at the
 * simulation's confidence with room to spare: 4 z^2 v / d^2 (the interval's
 * half width about d / 2), v the larger Bernoulli variance of p and the
 * target, d their distance.
 */
static double straddle_trials(double p, double target)
{
	const double z = 3.2905267314919255; /* two-sided 99.9% */
	double v = fmax(p * (1 - p), target * (1 - target)), d = fabs(p - target);

	return d > 0 ? ceil(4 * z * z * v / (d * d)) : HUGE_VAL;
}

/*
 * Under auto, large_n's interval for a wide push window straddles the
 * target: a simulation of this K decides instead (see
 * FO_CALC_STRADDLE_WORK), with the trials straddle_trials asks for, fewer if
 * the budget or FO_CALC_STRADDLE_WORK says so, but never fewer than
 * calc_sim_trials.  When those do not fit, or cannot show the target at all,
 * large_n's answer stands (the K does not reach the target).
 */
static enum fo_status settle_straddle(struct search *s, const struct gossip_params *q, struct eval *e)
{
	double one = sim_fast_cost(q, 1) / s->threads, left = s->work_limit - s->work;
	double n = straddle_trials(e->p, s->target);
	struct eval sim;
	enum fo_status st;

	n = fmin(n, FO_CALC_SIM_MAX_TRIALS);
	if (one > 0)
		n = fmin(n, floor(fmin(FO_CALC_STRADDLE_WORK / s->threads, left) / one));
	n = fmax(n, (double)calc_sim_trials(q, s->target));
	if (!calc_sim_resolves((int64_t)n, s->target) || n * one > left ||
	    n * one > FO_CALC_STRADDLE_WORK / s->threads)
		return FO_OK;
	s->work += n * one;
	memset(&sim, 0, sizeof sim);
	sim.by = CALC_SIMULATION;
	st = from_sim(s, q, (int64_t)n, &sim);
	if (st == FO_TOO_LARGE && s->unresolved) {
		s->unresolved = 0;
		return FO_OK;
	}
	if (st == FO_OK)
		*e = sim;
	return st;
}

/*
 * Under auto with a push window, before large_n: FO_CALC_PROBE_TRIALS
 * trials of the simulation (the first of those a full simulation of this K
 * would run).  When their Clopper-Pearson interval's upper end falls short of
 * the target, this K cannot meet it (at the simulation's confidence) and *e
 * is that answer (*out set); large_n, whose early phase crawls where growth
 * is slow (issue 23: 399 s for K that reach nothing), is then not run.
 */
static enum fo_status probe(struct search *s, const struct gossip_params *q, struct eval *e, int *out)
{
	struct sim_tally t;
	enum fo_status st;
	double p[2], miss[2], n = FO_CALC_PROBE_TRIALS, live = (double)gossip_live(q);

	*out = 0;
	if ((st = sim_tally_init(&t, q, 0)) != FO_OK)
		return st;
	st = sim_fast_run(q, calc_sim_seed(q), 0, FO_CALC_PROBE_TRIALS, s->threads, s->cancel, &t);
	if (st == FO_OK) {
		struct eval r = { CALC_SIMULATION, 0, 0, 0, 0, 0, 0, 0, 0, FO_CALC_PROBE_TRIALS, calc_sim_seed(q) };
		calc_sim_interval(t.trials_full, t.trials, p, miss);
		r.p = (double)t.trials_full / n;
		r.miss = (double)(t.trials - t.trials_full) / n;
		r.p_lo = p[0];
		r.p_hi = p[1];
		r.miss_lo = miss[0];
		r.miss_hi = miss[1];
		r.node_miss = live > 1 ? fmax(0, (live * n - (double)t.informed_sum) / ((live - 1) * n)) : 0;
		r.error_bound = fmax(r.p - r.p_lo, r.p_hi - r.p);
		if (!may_meet(s, &r)) {
			*e = r;
			*out = 1;
		}
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

	q.fanout = k;
	memset(e, 0, sizeof *e);
	e->by = resolve(s->p, s->model, s->target, k);
	if (e->by == CALC_LARGE_N && q.timers == GOSSIP_TIMERS_INDEPENDENT) {
		/* It charges its samples look by look, within what the budget leaves. */
		struct largen_timers_info info;
		if (fo_cancelled(s->cancel))
			return FO_CANCELLED;
		s->evaluations++;
		st = largen_timers_run(&q, s->target, s->work_limit - s->work, s->cancel, &l, &info, NULL);
		s->work += info.work;
		if (st != FO_OK)
			return st;
		from_largen(e, &l);
		return FO_OK;
	}
	s->work += eval_cost(s->p, s->model, s->target, k, s->threads);
	if (s->work > s->work_limit)
		return FO_TOO_LARGE;
	if (fo_cancelled(s->cancel))
		return FO_CANCELLED;
	s->evaluations++;
	switch (e->by) {
	case CALC_SIMULATION:
		return from_sim(s, &q, 0, e);
	case CALC_FORMULA: {
		double miss = formula_miss(q.nodes, k, q.rounds, q.loss);
		point(e, 1 - miss, miss);
		e->node_miss = miss;
		return FO_OK;
	}
	case CALC_LARGE_N:
		if (probed(s->p, s->model, k)) {
			int out;
			if ((st = probe(s, &q, e, &out)) != FO_OK)
				return st;
			if (out) {
				s->work -= largen_cost(&q); /* charged above, not spent */
				return FO_OK;
			}
		}
		st = largen_run(&q, s->cancel, &l);
		if (st == FO_TOO_LARGE && s->model == CALC_AUTO) {
			/*
			 * A transmit limit's cohorts outgrew large_n's estimate (it
			 * stops at a multiple of it, largen.h): auto simulates this K,
			 * charged as such, with the work large_n spent before it stopped.
			 */
			s->work += fallback_cost(&q, s->target, k, s->threads);
			if (s->work > s->work_limit)
				return FO_TOO_LARGE;
			e->by = CALC_SIMULATION;
			return from_sim(s, &q, 0, e);
		}
		if (st != FO_OK)
			return st;
		from_largen(e, &l);
		if (s->model == CALC_AUTO && gossip_window(&q) > FO_LARGEN_TUPLE_WINDOW && !meets(s, e) &&
		    may_meet(s, e))
			return settle_straddle(s, &q, e);
		return FO_OK;
	case CALC_EXACT:
		if (q.timers == GOSSIP_TIMERS_INDEPENDENT) {
			struct gossip_params b;
			if (!gossip_bound_view(&q, &b))
				return FO_TOO_LARGE;
			if ((st = exact_run_mt(&b, s->cancel, s->threads, s->spec_done, &r)) != FO_OK)
				return st;
			from_bound(e, &r);
			break;
		}
		if ((st = exact_run_mt(&q, s->cancel, s->threads, s->spec_done, &r)) != FO_OK)
			return st;
		from_exact(e, &r);
		break;
	default:
		if ((st = mf_run(&q, &r)) != FO_OK)
			return st;
		/*
		 * P(full) = exp(-(L - x)) with L - x = (L - 1) node_miss uninformed on
		 * average; the miss is its complement, computed without cancellation.
		 */
		point(e, r.p_full[q.rounds], -expm1(-(double)(gossip_live(&q) - 1) * r.node_miss));
		e->node_miss = r.node_miss;
		break;
	}
	chain_result_release(&r);
	return FO_OK;
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

/*
 * out->fanout_possible when K = hi's interval reaches the target and no K up
 * to lo's does (lo = 0: none known): bisection on "the upper end reaches the
 * target" between them, which rises with K where P(full) does.  If the
 * budget stops it, the least K not yet ruled out (lo + 1) is reported: no K
 * below it can meet the target.
 */
static enum fo_status least_possible(struct search *s, int64_t lo, int64_t hi, struct calc_answer *out)
{
	/*
	 * With syncs large_n's upper end is 1 at every K (largen_timers.h), and
	 * so is exact's bound under independent timers (from_bound): K = 1 may,
	 * unevaluated.
	 */
	if ((s->p->sync_interval > 0 && resolve(s->p, s->model, s->target, lo + 1) == CALC_LARGE_N) ||
	    (s->p->timers == GOSSIP_TIMERS_INDEPENDENT && resolve(s->p, s->model, s->target, lo + 1) == CALC_EXACT))
		hi = lo + 1;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		struct eval e;
		enum fo_status st = evaluate(s, mid, &e);
		if (st == FO_TOO_LARGE && !s->unresolved)
			break;
		if (st != FO_OK)
			return st;
		if (may_meet(s, &e))
			hi = mid;
		else
			lo = mid;
	}
	out->fanout_possible = lo + 1;
	return FO_OK;
}

/* K = 1, 2, …: the first K that surely reaches the target, else the best one. */
static enum fo_status search_linear(struct search *s, struct calc_answer *out)
{
	struct eval e, prev = { 0 }, best = { 0 };
	int64_t best_k = 1, top = gossip_fanout_top(s->p), possible = 0;

	for (int64_t k = 1; k <= top; k++) {
		enum fo_status st = evaluate(s, k, &e);
		if (st != FO_OK)
			return st;
		if (!possible && may_meet(s, &e))
			possible = k;
		if (meets(s, &e)) {
			answer(s, out, 1, k, &e, k > 1 ? &prev : NULL);
			out->fanout_possible = possible;
			return FO_OK;
		}
		if (k == 1 || e.p > best.p) {
			best = e;
			best_k = k;
		}
		prev = e;
	}
	answer(s, out, 0, best_k, &best, NULL);
	out->fanout_possible = possible;
	return FO_OK;
}

/*
 * The exact chain of K = guess - 1, run on a second thread while the search
 * evaluates the guess (issue 22): a good guess reaches the target and the K
 * below it does not, so the search needs both, and the two chains share no
 * arithmetic (the kernels and the pull probabilities depend on K, the
 * distributions differ from round 1) but can share the wall time.  Each run
 * is exact_run_decide, which is exact_run unless, at some round before its
 * end (up to 12 rounds before, through thresholds; two rounds or one before
 * it, closer), it bounds P(full at R) below half the target: that K then does
 * not reach the target, which is all the search asks of the K below its
 * answer (meets and may_meet; its figures are not reported), and the rounds
 * left, the dearest, are saved (issue 22).  So every reported figure is what the sequential
 * search computes; spec_take charges the budget and counts the evaluation
 * exactly as evaluate() does, at the point the sequential search would.
 */
struct spec {
	struct gossip_params q;
	double target, upper;   /* exact_run_decide's */
	atomic_int cancel, done;
	struct chain_result r;
	enum fo_status st;
	thrd_t th;
	int running;
};

static int spec_thread(void *arg)
{
	struct spec *sp = arg;

	sp->st = exact_run_decide(&sp->q, &sp->cancel, sp->target, &sp->r, &sp->upper);
	atomic_store(&sp->done, 1);
	return 0;
}

/*
 * Starts K = k's exact chain when it is worth a thread: more than one thread
 * allowed, both K answered by the exact chain, and the budget holds both.
 */
static void spec_start(struct search *s, int64_t guess, int64_t k, struct spec *sp)
{
	sp->running = 0;
	if (s->threads < 2 || k < 1 || s->p->timers != GOSSIP_TIMERS_ALIGNED ||
	    resolve(s->p, s->model, s->target, k) != CALC_EXACT ||
	    resolve(s->p, s->model, s->target, guess) != CALC_EXACT ||
	    eval_cost(s->p, s->model, s->target, k, s->threads) < FO_CALC_SPEC_MIN_WORK ||
	    s->work + eval_cost(s->p, s->model, s->target, guess, s->threads) +
	    eval_cost(s->p, s->model, s->target, k, s->threads) > s->work_limit)
		return;
	sp->q = *s->p;
	sp->q.fanout = k;
	sp->target = s->target;
	atomic_init(&sp->cancel, 0);
	atomic_init(&sp->done, 0);
	sp->running = thrd_create(&sp->th, spec_thread, sp) == thrd_success;
}

/* Stops a speculative run whose answer is not needed. */
static void spec_drop(struct spec *sp)
{
	if (!sp->running)
		return;
	atomic_store(&sp->cancel, 1);
	thrd_join(sp->th, NULL);
	if (sp->st == FO_OK)
		chain_result_release(&sp->r);
	sp->running = 0;
}

/* evaluate(s, k, e) from the speculative run of K = k (spec_start's k). */
static enum fo_status spec_take(struct search *s, struct spec *sp, struct eval *e)
{
	struct timespec tick = { 0, 1000000 };
	int64_t k = sp->q.fanout;
	enum fo_status st;

	memset(e, 0, sizeof *e);
	e->by = CALC_EXACT;
	s->work += eval_cost(s->p, s->model, s->target, k, s->threads);
	if (s->work > s->work_limit || fo_cancelled(s->cancel)) {
		spec_drop(sp);
		return s->work > s->work_limit ? FO_TOO_LARGE : FO_CANCELLED;
	}
	s->evaluations++;
	s->beside++;
	while (!atomic_load(&sp->done)) {
		if (fo_cancelled(s->cancel))
			atomic_store(&sp->cancel, 1);
		nanosleep(&tick, NULL);
	}
	thrd_join(sp->th, NULL);
	sp->running = 0;
	if (fo_cancelled(s->cancel)) {
		if (sp->st == FO_OK)
			chain_result_release(&sp->r);
		return FO_CANCELLED;
	}
	if ((st = sp->st) != FO_OK)
		return st;
	if (sp->upper < sp->target / 2) {
		/*
		 * Decided before its end: P(full at R) <= upper, far below the
		 * target.  The search only asks this K whether it meets or may meet
		 * the target (it is K = guess - 1, below one that meets it).
		 */
		e->p = e->p_hi = sp->upper;
		e->miss = e->miss_lo = fmax(0, nextafter(1 - sp->upper, 0));
		e->miss_hi = 1;
		e->error_bound = sp->upper;
		return FO_OK;
	}
	from_exact(e, &sp->r);
	chain_result_release(&sp->r);
	return FO_OK;
}

/*
 * Galloping from a predicted K, then bisection; valid when the compared
 * probability rises with K.  A good prediction needs two evaluations: the
 * prediction, which reaches the target, and the K below it, which does not.
 */
static enum fo_status search_from(struct search *s, int64_t guess, struct calc_answer *out)
{
	int64_t top = gossip_fanout_top(s->p), lo = 0, hi, step = 1; /* L - 1 when failures are known */
	struct eval e, at_hi, at_lo = { 0 };
	struct spec below;
	enum fo_status st;

	guess = guess < 1 ? 1 : guess > top ? top : guess;
	spec_start(s, guess, guess - 1, &below);
	/* The guess's chain takes the second core too once the run beside is over. */
	s->spec_done = below.running ? &below.done : NULL;
	if ((st = evaluate(s, guess, &e)) != FO_OK) {
		spec_drop(&below);
		return st;
	}
	if (meets(s, &e)) {
		/* Down: find some K that does not reach the target (or reach K = 1). */
		hi = guess;
		at_hi = e;
		while (hi - step > lo) {
			int64_t k = hi - step;
			/* The first K down is guess - 1: the speculative run's, when there is one. */
			st = below.running ? spec_take(s, &below, &e) : evaluate(s, k, &e);
			if (st != FO_OK)
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
		spec_drop(&below);
	} else {
		/* Up: find some K that reaches it, or learn that none does. */
		spec_drop(&below);
		lo = guess;
		at_lo = e;
		for (;;) {
			int64_t k;
			if (lo == top) {
				answer(s, out, 0, top, &e, NULL);
				return may_meet(s, &e) ? least_possible(s, 0, top, out) : FO_OK;
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
	out->fanout_possible = hi;
	return lo > 0 && may_meet(s, &at_lo) ? least_possible(s, 0, lo, out) : FO_OK;
}

static enum fo_status search_monotone(struct search *s, int64_t guess, struct calc_answer *out)
{
	enum fo_status st = search_from(s, guess, out);

	s->spec_done = NULL; /* search_from's flag is gone with it */
	return st;
}

static int monotone(const struct gossip_params *p, enum calc_model model)
{
	return model == CALC_FORMULA || gossip_fanout_monotone(p);
}

/*
 * The K a search will end near, predicted by the mean field over at most
 * FO_PREDICT_MAX_ROUNDS rounds, so the prediction costs a bounded amount
 * whatever the parameters: without a push window where K's search is
 * monotone; with the window where it is not (the linear search's length, for
 * calc_cost); gossip_peers when the mean field says no K reaches the
 * target (never a K past it: with failures known and seeds that is L - 1,
 * where calc_cost's doubling stops).  It only chooses where the search
 * starts and what calc_cost expects.
 */
static int64_t predict_fanout(const struct gossip_params *p, double target)
{
	struct gossip_params q = gossip_as_rounds(p);
	struct calc_answer a;

	/* p's timers: gossip_as_rounds has made q's aligned (it had ceil(H) rounds). */
	if (p->timers == GOSSIP_TIMERS_INDEPENDENT) {
		/*
		 * Predicted in rounds: a node's first tick comes half an interval
		 * after it learns, so H intervals go about as far as
		 * FO_PREDICT_TIMERS_SPEEDUP H aligned rounds.
		 */
		q.rounds = (int64_t)fmax(1, floor(FO_PREDICT_TIMERS_SPEEDUP * gossip_horizon(p)));
		q.timers = GOSSIP_TIMERS_ALIGNED;
		q.probe_interval = 0;
		q.horizon = 0;
	}
	if (q.rounds > FO_PREDICT_MAX_ROUNDS)
		q.rounds = FO_PREDICT_MAX_ROUNDS;
	if (!gossip_fanout_monotone(p) && p->timers == GOSSIP_TIMERS_ALIGNED) {
		/*
		 * A push window: the K a linear search ends at, by the mean field
		 * with the window, K = 1 … FO_PREDICT_MAX_LINEAR in turn (without
		 * the window it would predict far too few K: issue 23).  Under
		 * independent timers the prediction stays without the window, as
		 * large_n's timers form was fitted to it.
		 */
		int64_t top = gossip_fanout_top(p);
		for (q.fanout = 1; q.fanout <= top && q.fanout <= FO_PREDICT_MAX_LINEAR; q.fanout++) {
			struct chain_result r;
			int met;
			if (mf_run(&q, &r) != FO_OK)
				break;
			met = r.p_full[q.rounds] >= target;
			chain_result_release(&r);
			if (met)
				return q.fanout;
		}
		return q.fanout > top ? top : q.fanout;
	}
	q.forward_rounds = 0;
	q.transmit_limit = 0;
	if (calc_fanout(&q, CALC_MEAN_FIELD, target, HUGE_VAL, NULL, &a) != FO_OK || !a.reachable)
		return gossip_peers(p);
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
	struct gossip_params view = gossip_known_view(p);
	const struct gossip_params *given = p;

	p = &view;
	struct search s = { p, model, cancel, target, 0, work_limit, 0, threads < 1 ? 1 : threads, 0, 0, 0, NULL };
	enum fo_status st;

	memset(out, 0, sizeof *out);
	out->model = resolve(p, model, target, 1);
	if (p->nodes == 1) {
		out->reachable = 1;
		out->fanout_possible = 0;
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
	out->evaluations_beside = s.beside;
	out->work = s.work;
	out->sim_trials_total = s.trials;
	out->sim_unresolved = st == FO_TOO_LARGE && s.unresolved;
	if (st == FO_OK && model == CALC_AUTO && p->sync_interval > 0 && !out->reachable &&
	    out->model == CALC_LARGE_N) {
		/*
		 * With syncs large_n's answer is gossip alone's lower bound
		 * (largen_timers.h): that it reaches the target at no K does not
		 * say the syncs cannot.  The simulation, which follows them,
		 * decides within what the budget leaves, or the search stops.
		 */
		struct calc_answer sim;
		st = calc_fanout_mt(given, CALC_SIMULATION, target, work_limit - s.work, threads, cancel, &sim);
		sim.evaluations += s.evaluations;
		sim.evaluations_beside += s.beside;
		sim.work += s.work;
		sim.sim_trials_total += s.trials;
		*out = sim;
	}
	return st;
}

/*
 * Under auto, one straddling K near the prediction may be simulated
 * (settle_straddle): its most work, when large_n answers there with a wide
 * push window.
 */
static double straddle_reserve(const struct gossip_params *p, enum calc_model model, double target,
			       int64_t k, int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	if (model != CALC_AUTO || resolve(p, model, target, k) != CALC_LARGE_N ||
	    gossip_window(&q) <= FO_LARGEN_TUPLE_WINDOW)
		return 0;
	/* settle_straddle spends at most the cap, and no more than the most trials cost. */
	return fmin(FO_CALC_STRADDLE_WORK, sim_fast_cost(&q, FO_CALC_SIM_MAX_TRIALS)) / threads;
}

enum fo_status calc_at(const struct gossip_params *p, enum calc_model model, double target,
		       double *work, double work_limit, int threads, const atomic_int *cancel,
		       struct calc_answer *out)
{
	struct gossip_params view = gossip_known_view(p);
	struct search s = { &view, model, cancel, target, *work, work_limit, 0, threads < 1 ? 1 : threads, 0, 0, 0, NULL };
	struct eval e;
	enum fo_status st;

	p = &view;
	memset(out, 0, sizeof *out);
	st = evaluate(&s, p->fanout, &e);
	*work = s.work;
	out->evaluations = s.evaluations;
	out->sim_trials_total = s.trials;
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
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	return eval_cost(p, model, target, p->fanout, threads < 1 ? 1 : threads);
}

double calc_cost(const struct gossip_params *p, enum calc_model model, double target)
{
	return calc_cost_mt(p, model, target, 1);
}

static double cost_within(const struct gossip_params *p, enum calc_model model, double target, int threads,
			  double max_work, double *need);

double calc_cost_mt(const struct gossip_params *p, enum calc_model model, double target, int threads)
{
	return calc_cost_within(p, model, target, threads, 0);
}

double calc_show_budget(const struct gossip_params *p, enum calc_model model, double target, int threads)
{
	double need = 0;

	cost_within(p, model, target, threads, 0, &need);
	return need;
}

double calc_cost_within(const struct gossip_params *p, enum calc_model model, double target, int threads,
			double max_work)
{
	return cost_within(p, model, target, threads, max_work, NULL);
}

/*
 * calc_cost_within; *need (NULL: not wanted), set when the target takes
 * large_n's looks past FO_LT_MAX_SAMPLES, to the least max_work that pays
 * for them (0 otherwise).
 */
static double cost_within(const struct gossip_params *p, enum calc_model model, double target, int threads,
			  double max_work, double *need)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	int64_t top = gossip_fanout_top(p), k;
	double cost = 0, reserve;

	if (p->nodes == 1)
		return 0;
	if (model == CALC_FORMULA)
		return FORMULA_EVAL_COST * 2 * (log2((double)top) + 1);
	/* Beyond what exact could ever finish, do not spend time predicting. */
	if (model == CALC_EXACT && !(eval_cost(p, model, target, 1, threads) < FO_EXACT_HOPELESS))
		return HUGE_VAL;
	k = predict_fanout(p, target);
	if (p->timers == GOSSIP_TIMERS_INDEPENDENT && resolve(p, model, target, k) == CALC_LARGE_N) {
		/*
		 * large_n stops a K at the first look that decides it: K well
		 * below the answer cost one look, the one near it about twice what
		 * the target needs.  A linear search tries K = 1 … k + 1, a
		 * monotone one about log2(k) values.
		 */
		int64_t near = k < top ? k + 1 : top, j;
		struct gossip_params q = *p;
		double far = 0;
		for (j = 1; j <= near && j <= 64; j++) {
			q.fanout = j;
			far += FO_LT_FIRST_SAMPLES * largen_timers_sample_cost(&q);
		}
		if (monotone(p, model))
			far *= fmin(1, (log2((double)near) + 1) / (double)(j - 1));
		q.fanout = near;
		if (need && largen_timers_show_samples(target) > FO_LT_MAX_SAMPLES)
			*need = far + largen_timers_cost_show(&q, target);
		if (largen_timers_show_samples(target) > FO_LT_MAX_SAMPLES &&
		    far + largen_timers_cost_show(&q, target) <= max_work)
			/*
			 * The K near the answer takes the looks past FO_LT_MAX_SAMPLES
			 * that could show the target (largen_timers.h, "More looks"):
			 * twice those samples, as largen_timers_cost_target prices
			 * twice the look that could show it (the K below may sample
			 * near the target too).  The search stops at max_work, and the
			 * answer's rerun and curve take a share of it (op_cost's 4/3,
			 * or auto's 3/2): at most 0.6 max_work.
			 */
			return fmin(far + 2 * largen_timers_cost_show(&q, target), 0.6 * max_work);
		return far + eval_cost(p, model, target, near, threads);
	}
	reserve = straddle_reserve(p, model, target, k, threads);
	if (!monotone(p, model)) {
		/*
		 * K = 1 … the prediction (the mean field with the window, which
		 * is optimistic) and a quarter more, each at its own cost: under a
		 * transmit limit the smallest K have the widest windows and cost the
		 * most.  Under auto, the K below the prediction but one that go to
		 * large_n cost their probe alone: it rules them out (evaluate probes
		 * only those; a K exact answers is evaluated in full); the one just below may be near
		 * the target, where growth is slow enough for large_n to stop and
		 * auto to simulate (evaluate), so it costs that as well, or the
		 * simulation of a straddling K if dearer (one of the two is what a
		 * search near the target meets).  Past 64 values, the rest at the
		 * dearer end.
		 */
		int64_t j, last = top - k <= k / 4 + 1 ? top : k + k / 4 + 1;
		for (j = 1; j <= last && j <= 64; j++)
			cost += j < k - 1 && probed(p, model, j) && resolve(p, model, target, j) == CALC_LARGE_N
				? probe_cost(p, j, threads)
				: eval_cost(p, model, target, j, threads);
		if (k > 1 && probed(p, model, k - 1) && resolve(p, model, target, k - 1) == CALC_LARGE_N)
			reserve = fmax(reserve, fallback_cost(p, target, k - 1, threads));
		cost += reserve;
		if (last > 64)
			cost += (double)(last - 64) * fmax(eval_cost(p, model, target, 64, threads),
							   eval_cost(p, model, target, last, threads));
		return cost;
	}
	if (model != CALC_MEAN_FIELD) {
		/*
		 * From the prediction: about three evaluations near it (the mean
		 * field is optimistic, so one above; the search stops at the budget).
		 */
		int64_t near = k < top ? k + 1 : top;
		return reserve + 3 * eval_cost(p, model, target, near, threads);
	}
	/* Doubling from 1 past k, then ~log2(k) bisection steps. */
	int64_t j = 1;
	for (; j < k; j = j > top / 2 ? top : 2 * j)
		cost += eval_cost(p, model, target, j, threads);
	cost += eval_cost(p, model, target, j, threads);
	return cost + log2((double)j + 1) * eval_cost(p, model, target, j, threads);
}
