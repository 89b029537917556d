/* SPDX-License-Identifier: MIT */
/*
 * execute.c — a planned request run (req_execute): the core's computation
 * for the operation, its answer rendered, and the core's status made a
 * request error.  If allocation fails while rendering, req_execute reports
 * REQ_FAILED and holds nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/broadcast.h"
#include "fanout/calc.h"
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
		req_budget_advice(req, &field, &advice);
		req_fail(err, REQ_OVER_BUDGET, field,
		     "the %s computation grew past the work budget %.3g while running; lower \"%s\"%s",
		     req->op == REQ_SIMULATE_GOSSIP ? "simulation" : calc_model_name(req->chosen), budget,
		     field, advice);
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

cJSON *req_execute(const struct request *req, const struct req_limits *lim,
		   const atomic_int *cancel, struct req_error *err)
{
	enum fo_status st;
	cJSON *o;

	memset(err, 0, sizeof *err);
	if (req->op == REQ_CALC_FANOUT && req->solve_for != REQ_SOLVE_FANOUT) {
		struct solve_answer s;

		st = req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT
			? solve_transmit_limit(&req->params, req->chosen, req->target_prob, lim->work_budget,
					       lim->sim_threads, cancel, &s)
			: solve_rounds(&req->params, req->params.rounds, req->chosen, req->target_prob,
				       lim->work_budget, lim->sim_threads, cancel, &s);
		if (st != FO_OK) {
			core_failure(err, st, req, lim->work_budget);
			return NULL;
		}
		o = req_render_solve(req, &s);
	} else if (req->op == REQ_CALC_FANOUT) {
		struct calc_answer a;

		st = calc_fanout_mt(&req->params, req->chosen, req->target_prob, lim->work_budget,
				    lim->sim_threads, cancel, &a);
		count_trials(lim, a.sim_trials_total);
		if (st == FO_TOO_LARGE && a.sim_unresolved) {
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
			return NULL;
		}
		if (st != FO_OK) {
			core_failure(err, st, req, lim->work_budget);
			return NULL;
		}
		if (a.model == CALC_FORMULA || (a.model == CALC_LARGE_N && timed(req))) {
			/*
			 * Under independent timers large_n answers P(full by the horizon)
			 * with its interval, and no per-time figures (no chain to rerun).
			 */
			o = req_render_calc(req, &a, NULL, NULL, cancel);
		} else if (a.model == CALC_SIMULATION && req->params.nodes > 1) {
			/* The K found, again with its seed and trials: the same tally, with the curve. */
			struct gossip_params q = req->params;
			struct sim_tally t;
			q.fanout = a.fanout;
			if (sim_tally_init(&t, &q, 1) != FO_OK) {
				core_failure(err, FO_NOMEM, req, 0);
				return NULL;
			}
			st = sim_fast_run(&q, a.sim_seed, 0, a.sim_trials, lim->sim_threads, cancel, &t);
			count_trials(lim, st == FO_OK ? t.trials : 0);
			o = st == FO_OK ? req_render_calc(req, &a, NULL, &t, cancel) : NULL;
			sim_tally_release(&t);
			if (st != FO_OK) {
				core_failure(err, st, req, lim->work_budget);
				return NULL;
			}
		} else {
			/*
			 * The chain at the K found: rounds to all, curve, messages (N = 1:
			 * trivial, whatever the model, as no trial was run); large_n's own
			 * run with its curve.
			 */
			struct gossip_params q = req->params;
			struct chain_result c;
			q.fanout = a.fanout;
			st = broadcast_chain(&q, a.model == CALC_MEAN_FIELD || a.model == CALC_LARGE_N ? a.model
												: CALC_EXACT,
					     cancel, &c);
			if (st != FO_OK) {
				core_failure(err, st, req, lim->work_budget);
				return NULL;
			}
			o = req_render_calc(req, &a, &c, NULL, cancel);
			chain_result_release(&c);
		}
	} else if (req->op == REQ_TRADEOFF) {
		struct tradeoff t;
		st = tradeoff_run_mt(&req->params, req->chosen, req->target_prob, req->max_fanout,
				     lim->work_budget, lim->sim_threads, cancel, &t);
		if (st == FO_TOO_LARGE && req->model == CALC_AUTO && req->chosen == CALC_EXACT) {
			/* Exact outgrew its estimate: a simulation per K, never the optimistic mean field. */
			struct request fallback = *req;
			fallback.chosen = CALC_SIMULATION;
			return req_execute(&fallback, lim, cancel, err);
		}
		if (st != FO_OK) {
			core_failure(err, st, req, lim->work_budget);
			return NULL;
		}
		for (int64_t k = 0; k < t.count; k++)
			count_trials(lim, t.rows[k].trials);
		o = req_render_tradeoff(req, &t, cancel);
		tradeoff_release(&t);
	} else {
		struct sim_tally t;
		if (sim_tally_init(&t, &req->params, req->curve) != FO_OK) {
			core_failure(err, FO_NOMEM, req, 0);
			return NULL;
		}
		st = sim_fast_run(&req->params, (uint64_t)req->seed, (uint64_t)req->first_trial, req->trials,
				  lim->sim_threads,
				  cancel, &t);
		count_trials(lim, st == FO_OK ? t.trials : 0);
		o = st == FO_OK ? req_render_sim(req, &t, cancel) : NULL;
		sim_tally_release(&t);
		if (st != FO_OK) {
			core_failure(err, st, req, lim->work_budget);
			return NULL;
		}
	}
	if (!o)
		core_failure(err, fo_cancelled(cancel) ? FO_CANCELLED : FO_NOMEM, req, 0);
	return o;
}
