/* SPDX-License-Identifier: MIT */
/*
 * plan.c — a parsed request's cost, model and seed (req_plan): the work
 * estimate of the computation and of its answer, the model "auto" stands
 * for in tradeoff, the refusal of what is over the budget or too large to
 * answer, and the field to lower.
 */
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/largen_timers.h"
#include "fanout/rng.h"
#include "fanout/sim.h"
#include "fanout/solve.h"
#include "fanout/tradeoff.h"
#include "request_impl.h"

/*
 * Whether the model asked for cannot follow the request's independent
 * timers: the core gives such a model an infinite cost (the mean field
 * always; exact where no certified bound is proved, gossip_bound_view;
 * large_n where its own method does not go).
 */
static int timers_refused(const struct request *req)
{
	return req->params.timers == GOSSIP_TIMERS_INDEPENDENT && req->model != CALC_AUTO &&
	       isinf(req->work);
}

/* A fresh seed in 0 … 2^53 - 1: the kernel's entropy, else the clock. */
static uint64_t fresh_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, &s, sizeof s) != (ssize_t)sizeof s) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		s = rng_mix64((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
	}
	if (fd >= 0)
		close(fd);
	return s & (uint64_t)FO_MAX_JSON_INT;
}

/* calc_fanout's field to lower, and further advice, by what it solves for and the model chosen. */
void req_advise_calc(const struct request *req, const char **field, const char **advice)
{
	if (req->solve_for == REQ_SOLVE_INTERVAL) {
		/* The rounds are searched up to FO_SOLVE_MAX_ROUNDS: the client cannot lower them. */
		*field = "nodes";
		*advice = " (or \"target_prob\"; the rounds are searched up to " FO_STR(FO_SOLVE_MAX_ROUNDS) ")";
	} else if (req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT) {
		*field = "rounds";
		*advice = " (or \"nodes\", \"fanout\", \"target_prob\": the limit is searched up to fanout x rounds)";
	} else if (req->chosen == CALC_EXACT) {
		*field = "nodes";
		*advice = " (or \"rounds\", \"forward_rounds\"), or use \"model\": \"auto\"";
	} else if (req->chosen == CALC_AUTO || req->chosen == CALC_LARGE_N || req->chosen == CALC_SIMULATION) {
		*field = "rounds";
		*advice = req->params.transmit_limit > 0 || req->chosen == CALC_SIMULATION
			? " (or \"nodes\", \"transmit_limit\", \"target_prob\": where exact and large_n cannot "
			  "follow the transmit window the simulation costs O(N) a trial, and targets near 1 need "
			  "more trials), or use simulate_gossip"
			: " (or \"forward_rounds\")";
	} else {
		*field = "rounds";
		*advice = "";
	}
}

void req_advise_sim(const struct request *req, const char **field, const char **advice)
{
	(void)req;
	*field = "trials";
	*advice = " (or \"nodes\", \"rounds\", \"fanout\")";
}

void req_advise_tradeoff(const struct request *req, const char **field, const char **advice)
{
	(void)req;
	*field = "max_rounds";
	*advice = " (or \"max_fanout\", \"nodes\")";
}

/* The field to lower, and further advice, when `req` is over its budget (its operation's advise). */
void req_budget_advice(const struct request *req, const char **field, const char **advice)
{
	req_ops[req->op].advise(req, field, advice);
	/* A time budget stood for the rounds: it is what the client can lower. */
	if (req->has_within_seconds && (strcmp(*field, "rounds") == 0 || strcmp(*field, "max_rounds") == 0))
		*field = "within_seconds";
}

static enum req_status over_budget(struct req_error *err, double estimate, double budget,
				   const char *field, const char *advice)
{
	/* Past any finite number (exact at a million nodes), say the largest one: JSON has no inf. */
	estimate = fmin(estimate, DBL_MAX);
	req_fail(err, REQ_OVER_BUDGET, field,
	     "estimated work %.3g exceeds the budget %.3g; lower \"%s\"%s", estimate, budget,
	     field, advice);
	err->estimate = estimate;
	err->budget = budget;
	return REQ_OVER_BUDGET;
}

/*
 * Work of calc_fanout or tradeoff with `model`.  calc_fanout with a chain
 * model runs the chain once more at the K found, for rounds to all, the
 * curve and the messages: about half a search again; large_n reruns its
 * main pass with the curve, about a third (the formula gives no per-round
 * figures, so nothing is rerun for it).
 */
static double op_cost(const struct request *req, enum calc_model model, int threads, double budget)
{
	double search;

	if (req->op == REQ_TRADEOFF)
		return tradeoff_cost_from(&req->params, model, req->target_prob, req->min_fanout, req->max_fanout,
					  threads);
	search = calc_cost_within(&req->params, model, req->target_prob, threads, budget);
	switch (model) {
	case CALC_EXACT:
	case CALC_MEAN_FIELD:
		return 1.5 * search;
	case CALC_LARGE_N:
		/* The search is about three evaluations; the rerun is one, without the check pass. */
		return search * 4 / 3;
	case CALC_SIMULATION:
		/* The rerun at the K found (same seed and trials) costs one evaluation. */
		return search + fmin(0.5 * search, FO_CALC_SIM_EVAL_WORK / threads);
	case CALC_AUTO:
		/*
		 * The rerun happens only when exact, large_n or the simulation answered:
		 * auto keeps exact within its limit, a simulation within its share.
		 */
		return search + fmin(0.5 * search, fmax(FO_EXACT_AUTO_LIMIT, FO_CALC_SIM_EVAL_WORK / threads));
	default:
		return search;
	}
}

/* ---- the answer's size ---------------------------------------------------- */

/*
 * Bytes one curve point, histogram entry or tradeoff row takes at most while
 * the answer is built: its text (17 significant digits per number) plus its
 * cJSON nodes (80 bytes each with malloc's overhead, and each member's name).
 */
#define CURVE_POINT_BYTES (110 + 420)
#define HIST_ENTRY_BYTES 80
#define TRADEOFF_ROW_BYTES (420 + 1500)
/* Everything else an answer holds: the scalars, notes and params. */
#define ANSWER_FIXED_BYTES 16384

/* Decimal digits of v >= 0. */
static double decimal_digits(int64_t v)
{
	double d = 1;

	for (; v >= 10; v /= 10)
		d++;
	return d;
}

/* simulate_gossip's histogram: R + 1 counts of at most `trials` each. */
double req_answer_size_sim(const struct request *req, double *work)
{
	double entries = (double)req->params.rounds + 1;

	*work += entries * FO_RENDER_ENTRY_WORK;
	return entries * (HIST_ENTRY_BYTES + decimal_digits(req->trials) + 1);
}

/* tradeoff's rows, one per K searched (tradeoff_rows). */
double req_answer_size_tradeoff(const struct request *req, double *work)
{
	double rows = (double)tradeoff_rows(&req->params, req->target_prob, req->max_fanout);

	*work += rows * FO_RENDER_POINT_WORK;
	return rows * TRADEOFF_ROW_BYTES;
}

/*
 * The most bytes req's answer takes while it is built and sent, and in *work
 * what making and rendering its per-round parts costs: the curve (R + 1
 * points) and the operation's own lists (its answer_size).  `curve_bytes` is
 * the curve's share, so a refusal can say which to drop.
 */
static double answer_bytes(const struct request *req, double *work, double *curve_bytes)
{
	double points = req->curve ? (double)req->params.rounds + 1 : 0, bytes = ANSWER_FIXED_BYTES;

	*curve_bytes = points * CURVE_POINT_BYTES;
	*work = FO_RENDER_BASE_WORK + points * FO_RENDER_POINT_WORK;
	bytes += *curve_bytes;
	if (req_ops[req->op].answer_size)
		bytes += req_ops[req->op].answer_size(req, work);
	return bytes;
}

/*
 * Puts the work of making and rendering req's answer in *render, and refuses
 * an answer over FO_MAX_ANSWER_BYTES, naming what to drop: "curve" when the
 * answer fits without it, else "rounds" ("max_fanout" or "max_rounds" for
 * tradeoff).
 */
static enum req_status plan_answer(const struct request *req, double *render, struct req_error *err)
{
	double curve, bytes = answer_bytes(req, render, &curve);
	const char *field;

	if (bytes <= FO_MAX_ANSWER_BYTES)
		return REQ_OK;
	field = req->curve && bytes - curve <= FO_MAX_ANSWER_BYTES ? "curve"
		: req->op == REQ_TRADEOFF ? (req->max_fanout > 0 ? "max_fanout" : "max_rounds")
		: "rounds";
	req_fail(err, REQ_OVER_BUDGET, field,
	     "the answer would take up to %.3g bytes to build, over the limit of %d; %s", bytes,
	     (int)FO_MAX_ANSWER_BYTES,
	     strcmp(field, "curve") == 0 ? "leave out \"curve\" (or lower \"rounds\")"
	     : strcmp(field, "rounds") == 0 ? (req->curve ? "lower \"rounds\" or leave out \"curve\""
						      : "lower \"rounds\"")
	     : strcmp(field, "max_fanout") == 0 ? "lower \"max_fanout\""
	     : "give a smaller \"max_fanout\" (or lower \"max_rounds\" so fewer rows are needed)");
	err->estimate = bytes;
	err->budget = FO_MAX_ANSWER_BYTES;
	return REQ_OVER_BUDGET;
}

int req_deterministic(const struct request *req)
{
	return !req->seed_made;
}

/* simulate_gossip: a seed if none was given, and the trials' wall time. */
enum req_status req_plan_sim(struct request *req, const struct req_limits *lim, struct req_error *err)
{
	const struct gossip_params *p = &req->params;

	if (!req->has_seed) {
		req->seed = (int64_t)fresh_seed();
		req->has_seed = 1;
		req->seed_made = 1;
	}
	if (!sim_counts_fit(p, req->trials))
		return req_fail(err, REQ_OVER_BUDGET, "trials",
				"the messages of this run could exceed 2^64 and not be counted exactly; "
				"lower \"trials\" (or \"nodes\", \"fanout\", \"rounds\")");
	/* The budget is wall time: the trials are shared by the simulation threads. */
	req->work = sim_fast_cost(p, req->trials) / lim->sim_threads;
	return REQ_OK;
}

enum req_status req_plan_tradeoff(struct request *req, const struct req_limits *lim, struct req_error *err)
{
	(void)err;
	req->chosen = req->model;
	if (req->model != CALC_AUTO) {
		req->work = op_cost(req, req->chosen, lim->sim_threads, lim->work_budget);
	} else {
		/*
		 * tradeoff needs every round's P(full): exact while affordable, else
		 * large_n (its rows confirmed by their own intervals) where it can
		 * go within the budget or costs less, else a simulation per K with
		 * its interval; never the optimistic mean field.  With syncs, the
		 * simulation first when it fits the budget.
		 */
		req->work = op_cost(req, CALC_EXACT, lim->sim_threads, lim->work_budget);
		req->chosen = CALC_EXACT;
		if (req->work > fmin(FO_EXACT_AUTO_LIMIT, lim->work_budget)) {
			double largen = op_cost(req, CALC_LARGE_N, lim->sim_threads, lim->work_budget);
			req->work = op_cost(req, CALC_SIMULATION, lim->sim_threads, lim->work_budget);
			req->chosen = CALC_SIMULATION;
			/*
			 * With syncs large_n gives gossip alone's bound (largen_timers.h):
			 * the simulation, which follows them, while it fits the budget.
			 */
			int sim_first = req->params.sync_interval > 0 && req->work <= lim->work_budget;
			if (!sim_first && (largen <= lim->work_budget || largen <= req->work)) {
				req->work = largen;
				req->chosen = CALC_LARGE_N;
			}
		}
	}
	return REQ_OK;
}

enum req_status req_plan_calc(struct request *req, const struct req_limits *lim, struct req_error *err)
{
	const struct gossip_params *p = &req->params;

	(void)err;
	req->chosen = req->model;
	if (req->solve_for != REQ_SOLVE_FANOUT) {
		/*
		 * calc_at chooses per value as the K search does; nothing is rerun
		 * at the answer.  The search charges each value against the budget
		 * before it runs it and stops there, so it is let in when its first
		 * value fits, its estimate the budget at most (the guard's limit
		 * follows that); its upper end, every step at the dearest value's
		 * cost, is often several times the work.
		 */
		double first = HUGE_VAL;
		req->work = req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT
			? solve_transmit_limit_cost(p, req->model, req->target_prob, lim->sim_threads, &first)
			: solve_rounds_cost(p, p->rounds, req->model, req->target_prob, lim->sim_threads, &first);
		if (first <= lim->work_budget)
			req->work = fmin(req->work, lim->work_budget);
	} else {
		req->work = op_cost(req, req->chosen, lim->sim_threads, lim->work_budget);
	}
	return REQ_OK;
}

/*
 * calc_fanout refused under independent timers with a target past what
 * large_n's FO_LT_MAX_SAMPLES samples can show (largen_timers.h, "More
 * looks"): the refusal also says what the samples that could show it cost at
 * the K the mean field predicts, the budget that would pay for them.
 */
void req_samples_advice(const struct request *req, char *buf, size_t size)
{
	double t = req->target_prob, need;
	size_t used = strlen(buf);

	if (req->op != REQ_CALC_FANOUT || req->solve_for != REQ_SOLVE_FANOUT ||
	    req->params.timers != GOSSIP_TIMERS_INDEPENDENT || !(t > 0 && t < 1) ||
	    largen_timers_can_show(t) || used + 1 >= size)
		return;
	need = calc_show_budget(&req->params, req->chosen, t, 1);
	if (need > 0 && need < HUGE_VAL) {
		/* Two significant digits, rounded up: the budget said is enough. */
		double unit = pow(10, floor(log10(need)) - 1);
		need = ceil(need / unit) * unit;
	}
	if (need > req->budget)
		snprintf(buf + used, size - used,
			 "; target %g needs about %lld large_n samples a fanout: a work budget "
			 "(--work-budget) of %.2g would show it", t,
			 (long long)largen_timers_show_samples(t), need);
}

/* A 400 at "model": it does not follow `what`; the simulation does (`also`: one more way out). */
static enum req_status refuse_model(struct req_error *err, enum calc_model model, const char *what,
				    const char *also)
{
	req_add_error(err, "model", "\"model\": \"%s\" does not follow %s; use \"auto\" or \"simulation\"%s",
		      calc_model_name(model), what, also);
	req_join_details(err);
	return REQ_BAD_FIELD;
}

enum req_status req_plan(struct request *req, const struct req_limits *lim, struct req_error *err)
{
	double budget = lim->work_budget, render;
	const char *field, *advice;

	memset(err, 0, sizeof *err);
	req->budget = budget;
	if (req->params.seed_gossip && req->op != REQ_SIMULATE_GOSSIP && req->model != CALC_AUTO &&
	    req->model != CALC_SIMULATION) {
		/* Seeds are not interchangeable with the other nodes: only the agent simulation follows them. */
		return refuse_model(err, req->model,
				    "\"seeds\" (Cassandra's seed and unreachable exchanges; the simulation does)", "");
	}
	if (req_ops[req->op].plan(req, lim, err) != REQ_OK)
		return err->status;
	/*
	 * The budget bounds the computation (a search stops at it, so its
	 * estimate may be the budget itself); the answer's size bound bounds its
	 * rendering.  req->work, which the guard's overrun limit and the choice
	 * of a worker follow, is both.
	 */
	if (plan_answer(req, &render, err) != REQ_OK)
		return err->status;
	if (req->work <= budget) {
		req->render_work = render;
		req->work += render;
		return REQ_OK;
	}
	if (timers_refused(req) && req->model == CALC_EXACT && req->op == REQ_CALC_FANOUT) {
		/* Exact gives a certified bound under independent timers where one is proved (gossip_bound_view). */
		return refuse_model(err, req->model,
				    "independent timers with probes under a transmit limit or forward_rounds, or a "
				    "horizon under one interval (its certified bound holds only where no ping can "
				    "spend a send, over whole intervals; the simulation does)",
				    ", or \"timers\": \"aligned\"");
	}
	if (timers_refused(req)) {
		return refuse_model(err, req->model, "independent timers (the simulation does)",
				    ", or \"timers\": \"aligned\"");
	}
	req_budget_advice(req, &field, &advice);
	over_budget(err, req->work, budget, field, advice);
	req_samples_advice(req, err->detail, sizeof err->detail);
	return err->status;
}

enum req_status req_prepare(enum req_op op, const cJSON *fields, const struct req_limits *lim,
			    struct request *out, struct req_error *err)
{
	enum req_status st = req_parse(op, fields, out, err);

	return st == REQ_OK ? req_plan(out, lim, err) : st;
}
