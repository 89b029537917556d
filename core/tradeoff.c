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
#include "fanout/tradeoff.h"
#include "grow.h"

void tradeoff_release(struct tradeoff *t)
{
	free(t->rows);
	t->rows = NULL;
	t->count = 0;
}

static double run_cost(const struct gossip_params *p, enum calc_model model, int64_t k)
{
	struct gossip_params q = *p;

	q.fanout = k;
	return model == CALC_EXACT ? exact_cost(&q) : mf_cost(&q);
}

/* One row from one chain run at K = k. */
static enum fo_status row_at(const struct gossip_params *p, enum calc_model model, double target,
			     int64_t k, const atomic_int *cancel, struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct chain_result c;
	enum fo_status st;

	q.fanout = k;
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
	int64_t top = p->nodes - 1, last = max_fanout > 0 && max_fanout < top ? max_fanout : top;
	double work = 0;
	size_t cap = 0;

	out->count = 0;
	out->rows = NULL;
	for (int64_t k = 1; k <= last; k++) {
		struct tradeoff_row row;
		enum fo_status st;

		work += run_cost(p, model, k);
		if (work > work_limit) {
			tradeoff_release(out);
			return FO_TOO_LARGE;
		}
		if (FO_GROW(out->rows, (size_t)out->count + 1, cap) < 0) {
			tradeoff_release(out);
			return FO_NOMEM;
		}
		if ((st = row_at(p, model, target, k, cancel, &row)) != FO_OK) {
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
	int64_t top = p->nodes - 1, last = max_fanout;
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
	if (isinf(run_cost(p, model, 1)))
		return HUGE_VAL;
	for (int64_t k = 1; k <= last && cost < HUGE_VAL; k++) {
		cost += run_cost(p, model, k);
		if (k > 64 && k < last) {
			/* Many rows: charge the rest at the last one's cost, not one by one. */
			cost += (double)(last - k) * run_cost(p, model, last);
			break;
		}
	}
	return cost;
}
