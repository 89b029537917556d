/* SPDX-License-Identifier: MIT */
/*
 * request.h — the request layer both front ends share (docs/API.md).
 *
 * Bytes become a cJSON object in the front end; from there on everything is
 * here: req_parse reads every field through one table of fields and checks
 * them, with the model's own domains from the core (gossip_params_check), and
 * reports every bad field; req_plan estimates the work, picks the model for
 * "auto" and refuses what is over the budget; req_prepare does both;
 * req_execute calls the core and renders the answer object.  The same request
 * therefore gets the same answer and the same error text through fanoutd and
 * fanout-node.
 *
 * This header is private to the programs (it speaks cJSON); the core's public
 * headers are in include/fanout/.  The layer's files, one per step, are
 * listed in request_impl.h, which holds what they share.
 *
 * The conventions of server/ (this layer and every header beside it):
 *   - Errors.  A function that can fail returns 0 (or a pointer) on success
 *     and -1 (or NULL) on failure, never 1 for success; the reason, when a
 *     client must hear it, is an enum req_status with a struct req_error
 *     naming the field, the rule and what to do.
 *   - Ownership.  A function that returns memory says who frees it and with
 *     what: cJSON objects with cJSON_Delete, text with free(), a strbuf's
 *     contents as strbuf.h says; a function that takes ownership of an
 *     argument says so ("takes ownership of o").
 */
#ifndef FANOUT_REQUEST_H
#define FANOUT_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fanout/calc.h"
#include "fanout/model.h"
#include "fanout/preset.h"
#include "fanout/sim.h"
#include "settings.h"

enum req_op { REQ_CALC_FANOUT, REQ_SIMULATE_GOSSIP, REQ_TRADEOFF, REQ_OP_COUNT };

/* One operation's request and reply "type" names (for m < REQ_OP_COUNT). */
const char *req_op_name(enum req_op op);
const char *req_op_reply_type(enum req_op op);
/* 0 and *out set when name is an operation, -1 otherwise. */
int req_op_parse(const char *name, enum req_op *out);

/*
 * Parses a JSON text of len bytes; NULL if it is not one JSON value with
 * nothing but white space after it.  Stricter than cJSON alone, which takes
 * every byte below 0x20 for white space: JSON allows only space, tab, CR and
 * LF there, and no raw control byte inside strings.  The caller frees the
 * result with cJSON_Delete.
 */
cJSON *req_json_parse(const char *text, size_t len);

/* calc_fanout's knob to solve for (API.md, "the knob to solve for"). */
enum req_solve { REQ_SOLVE_FANOUT, REQ_SOLVE_TRANSMIT_LIMIT, REQ_SOLVE_INTERVAL, REQ_SOLVE_COUNT };

/* "fanout", "transmit_limit" or "interval". */
const char *req_solve_name(enum req_solve s);

struct request {
	enum req_op op;
	struct gossip_params params; /* after the preset filled what the request left unset */
	const struct gossip_preset *preset; /* or NULL */
	double interval;           /* seconds per round; 0: not given */
	int64_t message_bytes;     /* bytes per message; 0: not given */
	int has_mode, has_fanout, has_forward_rounds, has_transmit_limit, has_interval, has_failed_known,
	    has_message_bytes;     /* given by the request itself (a preset fills the rest) */
	double target_prob;        /* calc_fanout, tradeoff */
	enum calc_model model;     /* calc_fanout, tradeoff: as asked (CALC_AUTO by default) */
	enum calc_model chosen;    /* calc_fanout, tradeoff: set by req_plan, never CALC_AUTO */
	int64_t max_fanout;        /* tradeoff: 0 means the default */
	int64_t max_rounds;        /* tradeoff: also params.rounds */
	int64_t trials;            /* simulate_gossip */
	int64_t seed;              /* simulate_gossip: given, or made by req_plan */
	int has_seed;
	int seed_made;             /* req_plan made the seed up: the answer is not the request's alone */
	int64_t first_trial;
	int curve;
	double work;               /* estimated work units, set by req_plan */
	double render_work;        /* the part of work that makes and renders the answer */
	/*
	 * Timers (MODEL.md, "Independent timers"): as asked, else the preset's.
	 * req_parse gives them to params (timers, probe_interval and horizon, in
	 * units of the interval).
	 */
	int independent;           /* timers: 0 aligned (the default), 1 independent */
	double probe_interval;     /* seconds; 0: no probes */
	double within_seconds;     /* the time budget; 0: not given (rounds or max_rounds was) */
	double sync_interval;      /* seconds between a node's anti-entropy syncs; 0: none */
	int has_timers, has_probe_interval, has_within_seconds, has_sync_interval;
	/*
	 * calc_fanout's solve_for: fanout (the K search), transmit_limit (the
	 * least X at params.fanout) or interval (the least rounds at
	 * params.fanout up to params.rounds, hence the longest interval that
	 * meets within_seconds).
	 */
	enum req_solve solve_for;
	int has_solve_for;
};

enum req_status {
	REQ_OK = 0,
	REQ_BAD_FIELD,     /* HTTP 400, Maelstrom 12 */
	REQ_OVER_BUDGET,   /* HTTP 422, Maelstrom 14 */
	REQ_CANCELLED,     /* the caller cancelled (HTTP 504 on time-out) */
	REQ_FAILED,        /* HTTP 500, Maelstrom 13 */
	REQ_STATUS_COUNT
};

/* One bad field of a request. */
struct req_field_error {
	const char *field;         /* a field's name, or `name` for an unknown field */
	char detail[160];          /* lowercase, names the field, says what it must be */
	char name[48];             /* an unknown field's name as sent (cut, non-ASCII as '?') */
};

struct req_error {
	enum req_status status;
	const char *field;         /* the (first) offending or "lower this" field, or NULL */
	char detail[480];          /* every problem, joined by "; " */
	int count;                 /* REQ_BAD_FIELD: entries of errors[] */
	struct req_field_error errors[FO_MAX_FIELD_ERRORS];
	double estimate, budget;   /* REQ_OVER_BUDGET: the work estimate and budget */
};

struct req_limits {
	double work_budget;        /* work units (~ns of wall time) one request may cost */
	int sim_threads;           /* threads one simulation may use, >= 1 */
	/* Or NULL: told the trials req_execute simulated (simulate_gossip's, and those of
	 * calc_fanout's and tradeoff's simulations), from the thread that runs it. */
	void (*trials_done)(void *ctx, int64_t trials);
	void *trials_ctx;
};

/*
 * Reads the fields of `op` from the JSON object `fields` into *out.  Null
 * means absent; a member that is not a field of `op` is a bad field, named,
 * with the nearest field of `op` when one is within two edits ("los":
 * "loss").  REQ_OK, or REQ_BAD_FIELD with every bad field in *err (the first
 * FO_MAX_FIELD_ERRORS of them).  err->field and errors[].field may point into
 * *err itself, so *err is not to be copied.
 */
enum req_status req_parse(enum req_op op, const cJSON *fields, struct request *out,
			  struct req_error *err);

/*
 * Estimates req's work, chooses the model for tradeoff's "auto" (exact when it
 * costs at most FO_EXACT_AUTO_LIMIT, else a simulation per K; calc_fanout's
 * auto chooses per K in the core) and makes a seed if none was given.  REQ_OK, or REQ_OVER_BUDGET with the estimate, the budget and the
 * field to lower in *err.
 */
enum req_status req_plan(struct request *req, const struct req_limits *lim, struct req_error *err);

/*
 * The field a client should lower when req is over the budget, and advice to
 * append after it (" (or …)"), for every refusal that names the budget.
 */
void req_budget_advice(const struct request *req, const char **field, const char **advice);

/*
 * Whether a planned req's answer (when it succeeds) depends on the request
 * and the limits alone, so that the same request may be answered with the
 * same bytes again: every model is, and every simulation is seeded (by the
 * client, or by a hash of its parameters) except simulate_gossip's when the
 * client gave no seed.
 */
int req_deterministic(const struct request *req);

/* req_parse, then req_plan: what a front end does with a request's fields. */
enum req_status req_prepare(enum req_op op, const cJSON *fields, const struct req_limits *lim,
			    struct request *out, struct req_error *err);

/*
 * Runs a planned request.  Returns the answer object (the caller frees it
 * with cJSON_Delete), or NULL with *err set: REQ_OVER_BUDGET when the
 * computation turned out larger than planned, REQ_CANCELLED, or REQ_FAILED.
 */
cJSON *req_execute(const struct request *req, const struct req_limits *lim,
		   const atomic_int *cancel, struct req_error *err);

/*
 * o as compact JSON text, like cJSON_PrintUnformatted, except that a whole
 * number of magnitude 10^15 … 2^64 is written with all its digits (cJSON's
 * %.15g would write 4767549831167740 as 4.76754983116774e+15, which a
 * reader asking for an integer refuses).  The caller frees the text with
 * cJSON_free; NULL when out of memory.  o is left as it was.
 */
char *req_json_print(cJSON *o);

/* ---- for front ends that take fields as text, and merge split runs ---- */

/* What a request field holds. */
enum req_field_type { REQ_FIELD_INTEGER, REQ_FIELD_NUMBER, REQ_FIELD_BOOL, REQ_FIELD_STRING };

struct req_field_info {
	const char *name;
	enum req_field_type type;
	unsigned ops;              /* bit (1u << op) for each operation that takes it */
	unsigned required;         /* the same bits, for the operations that need it */
};

/* The number of request fields, and field i of them (i < req_field_count()). */
size_t req_field_count(void);
void req_field_info(size_t i, struct req_field_info *out);

/*
 * The simulate_gossip answer to req whose trials are tallied in t: what
 * req_execute renders, so a tally merged from split runs renders exactly as
 * one run of all its trials.  NULL if allocation fails; the caller frees the
 * answer with cJSON_Delete.
 */
cJSON *req_render_tally(const struct request *req, const struct sim_tally *t);

/*
 * Reads the integer tallies of `answer`, a simulate_gossip answer to `req`,
 * into *t (set up by sim_tally_init for req's params and curve).  Returns 0
 * only if rendering *t again gives `answer` back character for character,
 * so nothing was lost; -1 otherwise.  Either way *t keeps what
 * sim_tally_init allocated, for the caller to release.
 */
int req_read_tally(const struct request *req, const cJSON *answer, struct sim_tally *t);

#endif
