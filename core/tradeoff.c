/*
 * tradeoff.c — see tradeoff.h.  Rows are found K = 1, 2, … (no monotonicity
 * in K is assumed, so the least K that reaches the target is the first one
 * met), each from one chain run at R = max_rounds.
 */
#include <math.h>
#include <stdlib.h>

#include "fanout/broadcast.h"
#include "fanout/exact.h"
#include "fanout/meanfield.h"
#include "fanout/sim.h"
#include "fanout/tradeoff.h"
#include "grow.h"

void tradeoff_release(struct tradeoff *t)
{
	free(t->rows);
	t->rows = NULL;
	t->count = 0;
}

static double run_cost(const struct gossip_params *p, enum calc_model model, double target, int64_t k,
		       int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	if (model == CALC_SIMULATION)
		return sim_fast_cost(&q, calc_sim_trials(&q, target)) / threads;
	return model == CALC_EXACT ? exact_cost(&q) : mf_cost(&q);
}

/* Does P(full) with interval [lo, hi] and miss interval [mlo, mhi] surely meet the target? */
static int sure(double target, const double p[2], const double miss[2])
{
	return target >= 0.5 ? miss[1] <= 1 - target : p[0] >= target;
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
	int64_t top = p->nodes - 1, last = max_fanout > 0 && max_fanout < top ? max_fanout : top;
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
		st = model == CALC_SIMULATION ? sim_row(p, target, k, threads, cancel, &row)
					      : row_at(p, model, target, k, cancel, &row);
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

/*
 * Where the default rows stop: the mean field's least K (without a window)
 * plus FO_TRADEOFF_EXTRA_FANOUT, or N - 1 when it finds none.  The search is
 * given FO_PREDICT_WORK at R = max_rounds; past that, R is cut to
 * FO_PREDICT_MAX_ROUNDS (fewer rounds need a K at least as large, so the
 * prediction only grows: the estimate stays on the safe side).  Either way
 * the prediction costs at most twice FO_PREDICT_WORK, whatever the request.
 */
static int64_t predict_last(const struct gossip_params *p, double target)
{
	struct gossip_params q = *p;
	struct calc_answer a;
	enum fo_status st;

	q.forward_rounds = 0;
	q.transmit_limit = 0;
	st = calc_fanout(&q, CALC_MEAN_FIELD, target, FO_PREDICT_WORK, NULL, &a);
	if (st == FO_TOO_LARGE && q.rounds > FO_PREDICT_MAX_ROUNDS) {
		q.rounds = FO_PREDICT_MAX_ROUNDS;
		st = calc_fanout(&q, CALC_MEAN_FIELD, target, FO_PREDICT_WORK, NULL, &a);
	}
	if (st != FO_OK || !a.reachable)
		return p->nodes - 1;
	return a.fanout + FO_TRADEOFF_EXTRA_FANOUT;
}

int64_t tradeoff_rows(const struct gossip_params *p, double target, int64_t max_fanout)
{
	int64_t top = p->nodes - 1, last = max_fanout > 0 ? max_fanout : top >= 1 ? predict_last(p, target) : 0;

	return top < 1 ? 0 : last < top ? last : top;
}

double tradeoff_cost(const struct gossip_params *p, enum calc_model model, double target,
		     int64_t max_fanout)
{
	return tradeoff_cost_mt(p, model, target, max_fanout, 1);
}

double tradeoff_cost_mt(const struct gossip_params *p, enum calc_model model, double target,
			int64_t max_fanout, int threads)
{
	int64_t top = p->nodes - 1, last = max_fanout;
	double cost = 0;

	if (top < 1)
		return 0;
	if (last <= 0)
		last = predict_last(p, target);
	if (last > top)
		last = top;
	/*
	 * K itself barely moves the chain's cost.  The first rows one by one
	 * (under a window the smallest K cost the most), the rest at the dearer
	 * of the last counted and the last row: at most FO_TRADEOFF_COST_ROWS + 1
	 * cost evaluations, so planning stays cheap however many rows there are.
	 */
	if (isinf(run_cost(p, model, target, 1, threads)))
		return HUGE_VAL;
	for (int64_t k = 1; k <= last && cost < HUGE_VAL; k++) {
		double one = run_cost(p, model, target, k, threads);
		cost += one;
		if (k >= FO_TRADEOFF_COST_ROWS && k < last) {
			cost += (double)(last - k) * fmax(one, run_cost(p, model, target, last, threads));
			break;
		}
	}
	return cost;
}
