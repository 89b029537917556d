/*
 * tradeoff.c — see tradeoff.h.  Rows are found K = 1, 2, … (no monotonicity
 * in K is assumed, so the least K that reaches the target is the first one
 * met), each from one chain run at R = max_rounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/broadcast.h"
#include "fanout/exact.h"
#include "fanout/grow.h"
#include "fanout/largen.h"
#include "fanout/meanfield.h"
#include "fanout/sim.h"
#include "fanout/tradeoff.h"

void tradeoff_release(struct tradeoff *t)
{
	free(t->rows);
	t->rows = NULL;
	t->count = 0;
}

/* large_n runs at a row's own R that its estimate counts on (the first usually confirms it). */
#define TRADEOFF_LARGEN_CONFIRMS 2

static double run_cost(const struct gossip_params *p, enum calc_model model, double target, int64_t k,
		       int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	switch (model) {
	case CALC_SIMULATION:
		return sim_fast_cost(&q, calc_sim_trials(&q, target)) / threads;
	case CALC_EXACT:
		return exact_cost(&q);
	case CALC_LARGE_N:
		/* The curve to max_rounds, and about two runs at the rows' own R to confirm them. */
		return (1 + TRADEOFF_LARGEN_CONFIRMS) * largen_cost(&q);
	case CALC_MEAN_FIELD:
		return mf_cost(&q);
	case CALC_AUTO:
	case CALC_FORMULA:
	case CALC_MODEL_COUNT:
		break;
	}
	return HUGE_VAL;
}

/* Does P(full) with interval [lo, hi] and miss interval [mlo, mhi] surely meet the target? */
static int sure(double target, const double p[2], const double miss[2])
{
	return target >= 0.5 ? miss[1] <= 1 - target : p[0] >= target;
}

/* Does a point P(full), with its miss summed apart, meet the target? */
static int point_meets(double target, double p, double miss)
{
	return target >= 0.5 ? miss <= 1 - target : p >= target;
}

/* One row from one simulation at K = k: trials full by r are full_by_round[r]. */
static enum fo_status sim_row(const struct gossip_params *p, double target, int64_t k, int threads,
			      const atomic_int *cancel, struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct sim_tally t;
	enum fo_status st;
	double *m;

	q.fanout = k;
	row->fanout = k;
	row->model = CALC_SIMULATION;
	row->rounds = -1;
	row->messages = NAN;
	row->trials = calc_sim_trials(&q, target);
	row->seed = calc_sim_seed(&q);
	if ((st = sim_tally_init(&t, &q, 1)) != FO_OK)
		return st;
	if (!(m = malloc((size_t)(p->rounds + 1) * sizeof *m))) {
		sim_tally_release(&t);
		return FO_NOMEM;
	}
	if ((st = sim_fast_run(&q, row->seed, 0, row->trials, threads, cancel, &t)) == FO_OK) {
		double n = (double)t.trials, pi[2], miss[2];
		for (int64_t r = 0; r <= p->rounds; r++)
			m[r] = (double)t.informed_by_round[r] / n;
		calc_sim_interval(t.full_by_round[p->rounds], t.trials, pi, miss);
		row->prob_by_max_rounds = (double)t.full_by_round[p->rounds] / n;
		row->delivery_prob = row->prob_by_max_rounds;
		row->p_lo = pi[0];
		row->p_hi = pi[1];
		row->error_bound = 0;
		for (int64_t r = 0; r <= p->rounds; r++) {
			calc_sim_interval(t.full_by_round[r], t.trials, pi, miss);
			if (sure(target, pi, miss)) {
				q.rounds = r;
				row->rounds = r;
				row->delivery_prob = (double)t.full_by_round[r] / n;
				row->p_lo = pi[0];
				row->p_hi = pi[1];
				row->messages = broadcast_messages(&q, m);
				break;
			}
		}
	}
	free(m);
	sim_tally_release(&t);
	return st;
}

/* large_n's interval at R = r (r < the curve's R): its figures into *l, its cost charged to *work. */
static enum fo_status largen_at(const struct gossip_params *q, int64_t r, double *work, double work_limit,
				const atomic_int *cancel, struct largen_result *l)
{
	struct gossip_params at = *q;

	at.rounds = r;
	*work += largen_cost(&at);
	if (*work > work_limit)
		return FO_TOO_LARGE;
	return largen_run(&at, cancel, l);
}

static int largen_sure(double target, const struct largen_result *l)
{
	double p[2] = { l->p_lo, l->p_hi }, miss[2] = { l->miss_lo, l->miss_hi };

	return sure(target, p, miss);
}

/*
 * One row from large_n at K = k.  Its curve to max_rounds has point
 * estimates only (largen.h), so they only propose a row's R: the least r
 * whose point meets the target.  large_n run at R = r itself gives that r's
 * interval; the row's R is an r whose interval's lower end meets the target
 * while r - 1's does not (tried r0, r0 + 1, then bisected up to max_rounds,
 * whose interval the curve's run gave), so a row is never optimistic.  The
 * first TRADEOFF_LARGEN_CONFIRMS runs are in the K's estimate; further ones
 * are charged to *work as they run (stopping past work_limit).
 */
static enum fo_status largen_row(const struct gossip_params *p, double target, int64_t k,
				 double *work, double work_limit, const atomic_int *cancel,
				 struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct chain_result c;
	struct largen_result at_max, l, best;
	enum fo_status st;
	int64_t r, lo, hi, runs = 0;
	double free_work = HUGE_VAL;

	q.fanout = k;
	if ((st = largen_curve(&q, cancel, &at_max, &c)) != FO_OK)
		return st;
	row->model = CALC_LARGE_N;
	row->rounds = -1;
	row->messages = NAN;
	row->error_bound = 0;
	row->prob_by_max_rounds = at_max.p_full;
	row->delivery_prob = at_max.p_full;
	row->p_lo = at_max.p_lo;
	row->p_hi = at_max.p_hi;
	if (!largen_sure(target, &at_max))
		goto done;
	for (r = 0; r < p->rounds && !point_meets(target, c.p_full[r], c.p_miss[r]); r++)
		;
	/* Invariant: hi's interval meets the target (best holds it), lo's does not (lo < r: untried). */
	lo = r - 1;
	hi = p->rounds;
	best = at_max;
	while (hi - lo > 1) {
		int64_t mid = runs < TRADEOFF_LARGEN_CONFIRMS ? lo + 1 : lo + (hi - lo) / 2;
		/* The K's estimate paid for the first runs: charge only those after them. */
		double charged = runs < TRADEOFF_LARGEN_CONFIRMS ? free_work : work_limit;
		double before = *work;
		st = largen_at(&q, mid, work, charged, cancel, &l);
		if (runs < TRADEOFF_LARGEN_CONFIRMS)
			*work = before;
		runs++;
		if (st != FO_OK)
			break;
		if (largen_sure(target, &l)) {
			hi = mid;
			best = l;
		} else {
			lo = mid;
		}
	}
	if (st == FO_OK) {
		q.rounds = hi;
		row->rounds = hi;
		row->delivery_prob = best.p_full;
		row->p_lo = best.p_lo;
		row->p_hi = best.p_hi;
		row->messages = broadcast_messages(&q, c.mean_informed);
	}
done:
	chain_result_release(&c);
	return st;
}

/* One row from one chain run at K = k. */
static enum fo_status row_at(const struct gossip_params *p, enum calc_model model, double target,
			     int64_t k, const atomic_int *cancel, struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct chain_result c;
	enum fo_status st;

	q.fanout = k;
	row->p_lo = row->p_hi = NAN;
	row->trials = 0;
	row->seed = 0;
	if ((st = broadcast_chain(&q, model, cancel, &c)) != FO_OK)
		return st;
	row->fanout = k;
	row->model = model;
	row->rounds = -1;
	row->delivery_prob = c.p_full[p->rounds];
	/* Rounding can carry the chain a few ulps past 1; a probability is at most 1. */
	row->prob_by_max_rounds = fmin(c.p_full[p->rounds], 1.0);
	row->messages = NAN;
	row->error_bound = c.error_bound;
	for (int64_t r = 0; r <= p->rounds; r++) {
		if (c.p_full[r] >= target) {
			/* The first r rounds of a run to R are a run to r. */
			q.rounds = r;
			row->rounds = r;
			row->delivery_prob = c.p_full[r];
			row->messages = broadcast_messages(&q, c.mean_informed);
			break;
		}
	}
	chain_result_release(&c);
	return FO_OK;
}

enum fo_status tradeoff_run(const struct gossip_params *p, enum calc_model model, double target,
			    int64_t max_fanout, double work_limit, const atomic_int *cancel,
			    struct tradeoff *out)
{
	return tradeoff_run_mt(p, model, target, max_fanout, work_limit, 1, cancel, out);
}

enum fo_status tradeoff_run_mt(const struct gossip_params *p, enum calc_model model, double target,
			       int64_t max_fanout, double work_limit, int threads,
			       const atomic_int *cancel, struct tradeoff *out)
{
	/* By default rows stop at the largest K that can differ from the smaller ones. */
	int64_t top = max_fanout > 0 ? p->nodes - 1 : gossip_fanout_top(p);
	int64_t last = max_fanout > 0 && max_fanout < top ? max_fanout : top;
	double work = 0;
	size_t cap = 0;

	out->count = 0;
	out->rows = NULL;
	for (int64_t k = 1; k <= last; k++) {
		struct tradeoff_row row;
		enum fo_status st;

		work += run_cost(p, model, target, k, threads);
		if (work > work_limit) {
			tradeoff_release(out);
			return FO_TOO_LARGE;
		}
		if (FO_GROW(out->rows, (size_t)out->count + 1, cap) < 0) {
			tradeoff_release(out);
			return FO_NOMEM;
		}
		memset(&row, 0, sizeof row);
		row.fanout = k;
		if (model == CALC_SIMULATION) {
			st = sim_row(p, target, k, threads, cancel, &row);
		} else if (model == CALC_LARGE_N) {
			st = largen_row(p, target, k, &work, work_limit, cancel, &row);
			if (st == FO_TOO_LARGE && work <= work_limit) {
				/* Cohorts outgrew large_n's estimate (largen.h): this K is simulated. */
				work += run_cost(p, CALC_SIMULATION, target, k, threads);
				st = work > work_limit ? FO_TOO_LARGE
				     : sim_row(p, target, k, threads, cancel, &row);
			}
		} else {
			st = row_at(p, model, target, k, cancel, &row);
		}
		if (st != FO_OK) {
			tradeoff_release(out);
			return st;
		}
		out->rows[out->count++] = row;
		if (max_fanout <= 0 && row.rounds >= 0 && last == top)
			last = k + FO_TRADEOFF_EXTRA_FANOUT < top ? k + FO_TRADEOFF_EXTRA_FANOUT : top;
	}
	return FO_OK;
}

double tradeoff_cost(const struct gossip_params *p, enum calc_model model, double target,
		     int64_t max_fanout)
{
	return tradeoff_cost_mt(p, model, target, max_fanout, 1);
}

double tradeoff_cost_mt(const struct gossip_params *p, enum calc_model model, double target,
			int64_t max_fanout, int threads)
{
	int64_t top = max_fanout > 0 ? p->nodes - 1 : gossip_fanout_top(p), last = max_fanout;
	double cost = 0;

	if (top < 1)
		return 0;
	if (last <= 0) {
		/* The mean field's least K, without a window (cheap), predicts where the rows stop. */
		struct gossip_params q = *p;
		struct calc_answer a;
		q.forward_rounds = 0;
		q.transmit_limit = 0;
		if (calc_fanout(&q, CALC_MEAN_FIELD, target, HUGE_VAL, NULL, &a) != FO_OK || !a.reachable)
			last = top;
		else
			last = a.fanout + FO_TRADEOFF_EXTRA_FANOUT;
	}
	if (last > top)
		last = top;
	/* Each run costs at most the last one; K itself barely moves the chain's cost. */
	if (isinf(run_cost(p, model, target, 1, threads)))
		return HUGE_VAL;
	for (int64_t k = 1; k <= last && cost < HUGE_VAL; k++) {
		cost += run_cost(p, model, target, k, threads);
		if (k > 64 && k < last) {
			/* Many rows: charge the rest at the last one's cost, not one by one. */
			cost += (double)(last - k) * run_cost(p, model, target, last, threads);
			break;
		}
	}
	return cost;
}
