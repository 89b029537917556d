/* SPDX-License-Identifier: MIT */
/*
 * execute.c — a planned request run (req_execute): the core's computation
 * for the operation, its answer rendered, and the core's status made a
 * request error.  If allocation fails while rendering, req_execute reports
 * REQ_FAILED and holds nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/broadcast.h"
#include "fanout/calc.h"
#include "fanout/largen_timers.h"
#include "fanout/sim.h"
#include "fanout/solve.h"
#include "fanout/tradeoff.h"
#include "request_impl.h"

/* The request error for a core status other than FO_OK while running req. */
static void core_failure(struct req_error *err, enum fo_status st, const struct request *req,
			 double budget)
{
	const char *field, *advice;

	if (st == FO_CANCELLED) {
		req_fail(err, REQ_CANCELLED, NULL, "the request was cancelled");
	} else if (st == FO_TOO_LARGE) {
		/* A search (solve_for) stops at the budget: each value it tries is charged before it runs. */
		int search = req->op == REQ_CALC_FANOUT && req->solve_for != REQ_SOLVE_FANOUT;
		char what[64];
		if (search)
			snprintf(what, sizeof what, "search for \"%s\"", req_solve_name(req->solve_for));
		else
			snprintf(what, sizeof what, "%s computation",
				 req->op == REQ_SIMULATE_GOSSIP ? "simulation" : calc_model_name(req->chosen));
		req_budget_advice(req, &field, &advice);
		req_fail(err, REQ_OVER_BUDGET, field,
			 "the %s grew past the work budget %.3g while running%s; lower \"%s\"%s", what, budget,
			 search ? ", before it found the least value" : "", field, advice);
		err->estimate = budget;
		err->budget = budget;
	} else {
		req_fail(err, REQ_FAILED, NULL, "out of memory");
	}
}

/* Tells lim's trials_done about `trials` simulated trials, if it wants to know. */
static void count_trials(const struct req_limits *lim, int64_t trials)
{
	if (lim->trials_done && trials > 0)
		lim->trials_done(lim->trials_ctx, trials);
}

/* What a run left in res, released. */
static void release_result(struct req_result *res)
{
	if (res->has_chain)
		chain_result_release(&res->chain);
	if (res->has_tally)
		sim_tally_release(&res->tally);
	if (res->has_trade)
		tradeoff_release(&res->trade);
	free(res->lt_pts);
	free(res->lt_informed);
	res->lt_pts = NULL;
	res->lt_informed = NULL;
}

/*
 * large_n under independent timers at the K found: its curve over time, with
 * an interval at each point, whence the times to all.  It draws as many
 * samples (128 … 8192) as fit in the third of a large_n search that the
 * request's estimate holds for this (plan.c; one thread's estimate, so the
 * count depends on the parameters alone, not on the door or its threads),
 * and in a quarter of the budget; when not even 128 fit the answer goes
 * without them (its note says so).
 */
static int run_lt_curve(const struct request *req, const struct gossip_params *q, const struct req_limits *lim,
			const atomic_int *cancel, struct req_result *res, struct req_error *err)
{
	size_t n = (size_t)sim_steps(q) + 1;
	double allowance = fmin(calc_cost(&req->params, CALC_LARGE_N, req->target_prob) / 3, lim->work_budget / 4);
	enum fo_status st;

	res->lt_pts = malloc(n * sizeof *res->lt_pts);
	res->lt_informed = malloc(n * sizeof *res->lt_informed);
	res->lt_samples = largen_timers_curve_samples(q, allowance);
	st = !res->lt_pts || !res->lt_informed ? FO_NOMEM
		: largen_timers_curve(q, res->lt_samples, cancel, res->lt_pts, res->lt_informed, NULL);
	if (st == FO_OK)
		return 0;
	release_result(res);
	if (st == FO_TOO_LARGE)
		return 0;
	core_failure(err, st, req, lim->work_budget);
	return -1;
}

/* calc_fanout with solve_for: the least transmit limit or rounds at the fanout given. */
static int run_solve(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		     struct req_result *res, struct req_error *err)
{
	enum fo_status st;

	st = req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT
		? solve_transmit_limit(&req->params, req->chosen, req->target_prob, lim->work_budget,
				       lim->sim_threads, cancel, &res->solve)
		: solve_rounds(&req->params, req->params.rounds, req->chosen, req->target_prob,
			       lim->work_budget, lim->sim_threads, cancel, &res->solve);
	if (st != FO_OK) {
		core_failure(err, st, req, lim->work_budget);
		return -1;
	}
	return 0;
}

int req_run_calc(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		 struct req_result *res, struct req_error *err)
{
	struct calc_answer *a = &res->calc;
	struct gossip_params q = req->params;
	enum fo_status st;

	if (req->solve_for != REQ_SOLVE_FANOUT)
		return run_solve(req, lim, cancel, res, err);
	st = calc_fanout_mt(&req->params, req->chosen, req->target_prob, lim->work_budget,
			    lim->sim_threads, cancel, a);
	count_trials(lim, a->sim_trials_total);
	if (st == FO_TOO_LARGE && a->sim_unresolved) {
		char target[32];
		/* The target as given (0.999999999, not %g's "1"). */
		for (int prec = 6; prec <= 17; prec++) {
			snprintf(target, sizeof target, "%.*g", prec, req->target_prob);
			if (strtod(target, NULL) == req->target_prob)
				break;
		}
		req_fail(err, REQ_OVER_BUDGET, "target_prob",
			 "the simulation %s runs too few trials within its share of the budget to "
			 "show a probability of %s; lower \"target_prob\" (or \"nodes\", \"rounds\")",
			 req->model == CALC_AUTO ? "auto uses here (exact and large_n cannot follow this "
						   "push window)" : "asked for", target);
		err->estimate = lim->work_budget;
		err->budget = lim->work_budget;
		return -1;
	}
	if (st != FO_OK) {
		core_failure(err, st, req, lim->work_budget);
		return -1;
	}
	/*
	 * Under independent timers large_n answers P(full by the horizon) with
	 * its interval, and its curve over time (run_lt_curve) for the per-time
	 * figures; the formula has none.
	 */
	q.fanout = a->fanout;
	if (a->model == CALC_LARGE_N && timed(req))
		return req->params.nodes > 1 ? run_lt_curve(req, &q, lim, cancel, res, err) : 0;
	if (a->model == CALC_FORMULA)
		return 0;
	if (a->model == CALC_SIMULATION && req->params.nodes > 1) {
		/* The K found, again with its seed and trials: the same tally, with the curve. */
		if (sim_tally_init(&res->tally, &q, 1) != FO_OK) {
			core_failure(err, FO_NOMEM, req, 0);
			return -1;
		}
		st = sim_fast_run(&q, a->sim_seed, 0, a->sim_trials, lim->sim_threads, cancel, &res->tally);
		count_trials(lim, st == FO_OK ? res->tally.trials : 0);
		res->has_tally = 1;
	} else {
		/*
		 * The chain at the K found: rounds to all, curve, messages (N = 1:
		 * trivial, whatever the model, as no trial was run); large_n's own
		 * run with its curve.  Exact under independent timers: the chain of
		 * its bound (gossip_bound_view), whose figures render_calc gives
		 * as bounds.
		 */
		struct gossip_params b;
		if (a->model == CALC_EXACT && timed(req) && gossip_bound_view(&q, &b))
			q = b;
		st = broadcast_chain(&q, a->model == CALC_MEAN_FIELD || a->model == CALC_LARGE_N ? a->model
											  : CALC_EXACT,
				     cancel, &res->chain);
		res->has_chain = st == FO_OK;
	}
	if (st != FO_OK) {
		release_result(res);
		core_failure(err, st, req, lim->work_budget);
		return -1;
	}
	return 0;
}

int req_run_tradeoff(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		     struct req_result *res, struct req_error *err)
{
	enum fo_status st;

	st = tradeoff_run_from(&req->params, req->chosen, req->target_prob, req->min_fanout, req->max_fanout,
			       lim->work_budget, lim->sim_threads, cancel, &res->trade);
	if (st == FO_TOO_LARGE && req->model == CALC_AUTO && req->chosen == CALC_EXACT) {
		/* Exact outgrew its estimate: a simulation per K, never the optimistic mean field. */
		struct request fallback = *req;
		fallback.chosen = CALC_SIMULATION;
		return req_run_tradeoff(&fallback, lim, cancel, res, err);
	}
	if (st != FO_OK) {
		core_failure(err, st, req, lim->work_budget);
		return -1;
	}
	res->has_trade = 1;
	res->chosen = req->chosen;
	for (int64_t k = 0; k < res->trade.count; k++)
		count_trials(lim, res->trade.rows[k].trials);
	return 0;
}

int req_run_sim(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		struct req_result *res, struct req_error *err)
{
	enum fo_status st;

	if (sim_tally_init(&res->tally, &req->params, req->curve) != FO_OK) {
		core_failure(err, FO_NOMEM, req, 0);
		return -1;
	}
	res->has_tally = 1;
	st = sim_fast_run(&req->params, (uint64_t)req->seed, (uint64_t)req->first_trial, req->trials,
			  lim->sim_threads, cancel, &res->tally);
	count_trials(lim, st == FO_OK ? res->tally.trials : 0);
	if (st != FO_OK) {
		release_result(res);
		core_failure(err, st, req, lim->work_budget);
		return -1;
	}
	return 0;
}

/*
 * *o: the answer to what op's run left in *res (NULL if it failed); *res
 * released.  (Through *o, not returned: cppcheck takes a pointer returned
 * by a call given &res for a pointer into res.)
 */
static void render_result(const struct req_op_def *op, const struct request *req, struct req_result *res,
			  const atomic_int *cancel, cJSON **o)
{
	*o = op->render(req, res, cancel);
	release_result(res);
}

/* The operation's run, then its answer: both through its row of req_ops. */
cJSON *req_execute(const struct request *req, const struct req_limits *lim,
		   const atomic_int *cancel, struct req_error *err)
{
	const struct req_op_def *op = &req_ops[req->op];
	struct req_result res;
	cJSON *o;

	memset(err, 0, sizeof *err);
	memset(&res, 0, sizeof res);
	if (op->run(req, lim, cancel, &res, err) < 0)
		return NULL;
	render_result(op, req, &res, cancel, &o);
	if (!o)
		core_failure(err, fo_cancelled(cancel) ? FO_CANCELLED : FO_NOMEM, req, 0);
	return o;
}
