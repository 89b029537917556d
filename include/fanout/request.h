/*
 * request.h — the request layer both front ends share (../shared/spec/API.md).
 *
 * Bytes become a cJSON object in the front end; from there on everything is
 * here: req_parse checks every field and names the one that is wrong,
 * req_plan estimates the work, picks the model for "auto" and refuses what is
 * over the budget, req_execute calls the core and renders the answer object.
 * The same request therefore gets the same answer and the same error text
 * through fanoutd and fanout-node.
 */
#ifndef FANOUT_REQUEST_H
#define FANOUT_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fanout/calc.h"
#include "fanout/model.h"

enum req_op { REQ_CALC_FANOUT, REQ_SIMULATE_GOSSIP };

enum req_model { REQ_MODEL_AUTO, REQ_MODEL_EXACT, REQ_MODEL_MEAN_FIELD, REQ_MODEL_FORMULA };

/* One operation: its request and reply "type" names. */
struct req_op_info {
	const char *name;
	const char *reply_type;
	enum req_op op;
};

/*
 * Parses a JSON text of len bytes; NULL if it is not JSON.  Stricter than
 * cJSON alone, which takes every byte below 0x20 for white space: JSON allows
 * only space, tab, CR and LF there, and no raw control byte inside strings.
 * The caller frees the result with cJSON_Delete.
 */
cJSON *req_json_parse(const char *text, size_t len);

/* The operation called `name`, or NULL. */
const struct req_op_info *req_op_lookup(const char *name);

struct request {
	enum req_op op;
	struct gossip_params params;
	double target_prob;        /* calc_fanout */
	enum req_model model;      /* calc_fanout: as asked */
	enum calc_model chosen;    /* calc_fanout: set by req_plan */
	int64_t trials;            /* simulate_gossip */
	uint64_t seed;             /* simulate_gossip: given, or made by req_plan */
	int has_seed;
	uint64_t first_trial;
	int curve;
	double work;               /* estimated work units, set by req_plan */
};

enum req_status {
	REQ_OK = 0,
	REQ_BAD_FIELD,     /* HTTP 400, Maelstrom 12 */
	REQ_OVER_BUDGET,   /* HTTP 422, Maelstrom 14 */
	REQ_CANCELLED,     /* the caller cancelled (HTTP 504 on time-out) */
	REQ_FAILED         /* HTTP 500, Maelstrom 13 */
};

struct req_error {
	enum req_status status;
	const char *field;         /* offending or "lower this" field, or NULL */
	char detail[320];          /* lowercase, names the field, says what to do */
	double estimate, budget;   /* REQ_OVER_BUDGET: the work estimate and budget */
};

struct req_limits {
	double work_budget;        /* work units (~ns of wall time) one request may cost */
	int sim_threads;           /* threads one simulation may use, >= 1 */
};

/*
 * Reads the fields of `op` from the JSON object `fields` into *out (unknown
 * fields are ignored).  REQ_OK, or REQ_BAD_FIELD with *err saying which field
 * broke which rule.
 */
enum req_status req_parse(enum req_op op, const cJSON *fields, struct request *out,
			  struct req_error *err);

/*
 * Estimates req's work, chooses the model for "auto" (exact when it costs at
 * most FO_EXACT_AUTO_LIMIT, else mean_field) and makes a seed if none was
 * given.  REQ_OK, or REQ_OVER_BUDGET with the estimate, the budget and the
 * field to lower in *err.
 */
enum req_status req_plan(struct request *req, const struct req_limits *lim, struct req_error *err);

/*
 * Runs a planned request.  Returns the answer object (the caller frees it
 * with cJSON_Delete), or NULL with *err set: REQ_OVER_BUDGET when the
 * computation turned out larger than planned, REQ_CANCELLED, or REQ_FAILED.
 */
cJSON *req_execute(const struct request *req, const struct req_limits *lim,
		   const atomic_int *cancel, struct req_error *err);

#endif
