/* SPDX-License-Identifier: MIT */
/*
 * request_impl.h — what the files of the request layer share, and no one
 * else: request.h is the layer's public header.  The layer is one file per
 * step of a request:
 *   request.c  the operations table (req_ops), JSON text in and out
 *   parse.c    fields, presets, timers, validation (req_parse)
 *   plan.c     costs, the answer's size, the budget, the model for auto (req_plan)
 *   execute.c  the core run for each operation (req_execute)
 *   render.c   the answer objects, curves and tallies (req_render_tally, req_read_tally)
 */
#ifndef FANOUT_REQUEST_IMPL_H
#define FANOUT_REQUEST_IMPL_H

#include <stdatomic.h>

#include "fanout/broadcast.h"
#include "fanout/calc.h"
#include "fanout/largen.h"
#include "fanout/sim.h"
#include "fanout/solve.h"
#include "fanout/tradeoff.h"
#include "request.h"

/* parse.c: records a problem with `field`; the first one also becomes err->field. */
void req_add_error(struct req_error *err, const char *field, const char *fmt, ...);
/* parse.c: err->detail, every problem joined by "; ". */
void req_join_details(struct req_error *err);
/* parse.c: sets *err to status st, `field` and the detail; returns st. */
enum req_status req_fail(struct req_error *err, enum req_status st, const char *field,
			 const char *fmt, ...);

/*
 * What an operation's run leaves for its renderer: the core's answer, and
 * what was run again at it (the chain, a simulation's tally).  Zeroed before
 * the run; req_result_release frees what the has_ flags say it holds.
 */
struct req_result {
	struct calc_answer calc;       /* calc_fanout */
	struct solve_answer solve;     /* calc_fanout with solve_for */
	struct chain_result chain;     /* calc_fanout: the chain at the K found */
	struct sim_tally tally;        /* calc_fanout's simulation at K, simulate_gossip */
	struct tradeoff trade;         /* tradeoff */
	enum calc_model chosen;        /* tradeoff: the model run (auto's fallback may change it) */
	int has_chain, has_tally, has_trade;
	/* calc_fanout, large_n under independent timers: its curve at the K found (sim_steps + 1 points) */
	struct largen_result *lt_pts;
	double *lt_informed;
	int64_t lt_samples;            /* the samples it drew */
};

/*
 * One operation (request.c's req_ops, indexed by enum req_op): what each step
 * of the layer calls for it.
 */
struct req_op_def {
	const char *name, *reply_type;
	/* parse.c: the operation's own rules, after the fields, the preset and
	 * the timers; every problem added to *err.  NULL: none. */
	void (*check)(struct request *req, const cJSON *json, struct req_error *err);
	/* plan.c: req->chosen and the computation's req->work; REQ_OK, or a refusal in *err. */
	enum req_status (*plan)(struct request *req, const struct req_limits *lim, struct req_error *err);
	/* plan.c: the field to lower (static text), and further advice to append, when
	 * the planned req is over its budget (req_budget_advice). */
	void (*advise)(const struct request *req, const char **field, const char **advice);
	/* plan.c: the most bytes the answer's own lists take beyond its fixed part
	 * and the curve, their rendering work added to *work.  NULL: none. */
	double (*answer_size)(const struct request *req, double *work);
	/* execute.c: the core's run into *res (zeroed); 0, or -1 with *err set and
	 * nothing held in *res. */
	int (*run)(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		   struct req_result *res, struct req_error *err);
	/* render.c: the answer object (freed by the caller with cJSON_Delete), or
	 * NULL when allocation failed or *cancel was set. */
	cJSON *(*render)(const struct request *req, const struct req_result *res, const atomic_int *cancel);
};

extern const struct req_op_def req_ops[REQ_OP_COUNT];

void req_check_calc(struct request *req, const cJSON *json, struct req_error *err);
void req_check_tradeoff(struct request *req, const cJSON *json, struct req_error *err);
enum req_status req_plan_calc(struct request *req, const struct req_limits *lim, struct req_error *err);
enum req_status req_plan_sim(struct request *req, const struct req_limits *lim, struct req_error *err);
enum req_status req_plan_tradeoff(struct request *req, const struct req_limits *lim, struct req_error *err);
void req_advise_calc(const struct request *req, const char **field, const char **advice);
/*
 * plan.c: calc_fanout under independent timers with a target past what
 * large_n's FO_LT_MAX_SAMPLES samples can show (largen_timers.h, "More
 * looks"), when req->budget does not pay for the samples that could:
 * appends to buf "; target T needs about S large_n samples a fanout: a work
 * budget (--work-budget) of W would show it".  Nothing otherwise.
 */
void req_samples_advice(const struct request *req, char *buf, size_t size);
void req_advise_sim(const struct request *req, const char **field, const char **advice);
void req_advise_tradeoff(const struct request *req, const char **field, const char **advice);
double req_answer_size_sim(const struct request *req, double *work);
double req_answer_size_tradeoff(const struct request *req, double *work);
int req_run_calc(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		 struct req_result *res, struct req_error *err);
int req_run_sim(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		struct req_result *res, struct req_error *err);
int req_run_tradeoff(const struct request *req, const struct req_limits *lim, const atomic_int *cancel,
		     struct req_result *res, struct req_error *err);
cJSON *req_render_calc(const struct request *req, const struct req_result *res, const atomic_int *cancel);
cJSON *req_render_sim(const struct request *req, const struct req_result *res, const atomic_int *cancel);
cJSON *req_render_tradeoff(const struct request *req, const struct req_result *res,
			   const atomic_int *cancel);

static inline const char *timers_name(int i)
{
	return gossip_timers_name((enum gossip_timers)i);
}

/* Whether the answer speaks continuous time (independent timers). */
static inline int timed(const struct request *req)
{
	return req->params.timers == GOSSIP_TIMERS_INDEPENDENT;
}

#endif
