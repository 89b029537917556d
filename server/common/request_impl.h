/* SPDX-License-Identifier: MIT */
/*
 * request_impl.h — what the files of the request layer share, and no one
 * else: request.h is the layer's public header.  The layer is one file per
 * step of a request:
 *   request.c  the operations table, JSON text in and out
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
 * render.c: the answer objects (the caller frees them with cJSON_Delete), or
 * NULL when allocation failed or *cancel was set.  req_render_calc takes the
 * chain model's run at the K returned or the simulation's tally (either or
 * both NULL); req_render_sim is req_render_tally with a cancel flag.
 */
cJSON *req_render_calc(const struct request *req, const struct calc_answer *a,
			const struct chain_result *chain, const struct sim_tally *tally,
			const atomic_int *cancel);
cJSON *req_render_solve(const struct request *req, const struct solve_answer *s);
cJSON *req_render_tradeoff(const struct request *req, const struct tradeoff *t,
			    const atomic_int *cancel);
cJSON *req_render_sim(const struct request *req, const struct sim_tally *t, const atomic_int *cancel);

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
