/*
 * request.c — parse, plan, execute and render the two operations.
 *
 * Field rules follow ../shared/spec/MODEL.md and API.md: integers must be JSON
 * integers (25.0 passes, 25.5, "25" and true do not), unknown fields are
 * ignored, and every rejection names its field.  If allocation fails while
 * rendering, req_execute reports REQ_FAILED and holds nothing.
 */
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fanout/config.h"
#include "fanout/request.h"
#include "fanout/rng.h"
#include "fanout/sim.h"

static const struct req_op_info ops[] = {
	{ "calc_fanout", "calc_fanout_ok", REQ_CALC_FANOUT },
	{ "simulate_gossip", "simulate_gossip_ok", REQ_SIMULATE_GOSSIP },
};

static const char *const model_names[] = {
	[REQ_MODEL_AUTO] = "auto",
	[REQ_MODEL_EXACT] = "exact",
	[REQ_MODEL_MEAN_FIELD] = "mean_field",
	[REQ_MODEL_FORMULA] = "formula",
};

cJSON *req_json_parse(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			return NULL;
	}
	return cJSON_ParseWithLength(text, len);
}

const struct req_op_info *req_op_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

static enum req_status fail(struct req_error *err, enum req_status st, const char *field,
			    const char *fmt, ...)
{
	va_list ap;

	err->status = st;
	err->field = field;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return st;
}

/*
 * Reads integer field `name` into *out.  Returns 1 if present, 0 if absent
 * (or null when nullable) and not required, -1 with *err set otherwise.
 */
static int get_int(const cJSON *obj, const char *name, int required, int64_t lo, int64_t hi,
		   int64_t *out, struct req_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double d;

	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		fail(err, REQ_BAD_FIELD, name, "\"%s\" is required", name);
		return -1;
	}
	d = v->valuedouble;
	if (!cJSON_IsNumber(v) || !isfinite(d) || floor(d) != d) {
		fail(err, REQ_BAD_FIELD, name, "\"%s\" must be an integer", name);
		return -1;
	}
	if (d < (double)lo || d > (double)hi) {
		if (hi >= FO_MAX_JSON_INT)
			fail(err, REQ_BAD_FIELD, name, "\"%s\" must be an integer from %lld to 2^53 - 1",
			     name, (long long)lo);
		else
			fail(err, REQ_BAD_FIELD, name, "\"%s\" must be an integer from %lld to %lld",
			     name, (long long)lo, (long long)hi);
		return -1;
	}
	*out = (int64_t)d;
	return 1;
}

/* Like get_int for a number in [lo, hi) (or (lo, hi) when open_lo). */
static int get_prob(const cJSON *obj, const char *name, int required, int open_lo, double *out,
		    struct req_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v) {
		if (!required)
			return 0;
		fail(err, REQ_BAD_FIELD, name, "\"%s\" is required", name);
		return -1;
	}
	if (!cJSON_IsNumber(v) || !(open_lo ? v->valuedouble > 0 : v->valuedouble >= 0) ||
	    !(v->valuedouble < 1)) {
		fail(err, REQ_BAD_FIELD, name, open_lo
		     ? "\"%s\" must be a number greater than 0 and less than 1"
		     : "\"%s\" must be a number from 0 up to but not including 1", name);
		return -1;
	}
	*out = v->valuedouble;
	return 1;
}

/* The index of string field `name` in names[], or `dflt` if absent; -1 on error. */
static int get_choice(const cJSON *obj, const char *name, const char *const *names, int count,
		      const char *list, int dflt, struct req_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v)
		return dflt;
	for (int i = 0; cJSON_IsString(v) && i < count; i++)
		if (strcmp(v->valuestring, names[i]) == 0)
			return i;
	fail(err, REQ_BAD_FIELD, name, "\"%s\" must be one of %s", name, list);
	return -1;
}

static enum req_status parse_model_params(const cJSON *f, struct gossip_params *p,
					  struct req_error *err)
{
	static const char *const modes[] = { "push", "pull", "push_pull" };
	int mode;

	if (get_int(f, "nodes", 1, 1, FO_MAX_JSON_INT, &p->nodes, err) < 0 ||
	    get_int(f, "rounds", 1, 1, FO_MAX_ROUNDS, &p->rounds, err) < 0)
		return err->status;
	mode = get_choice(f, "mode", modes, 3, "push, pull, push_pull", GOSSIP_PUSH, err);
	if (mode < 0)
		return err->status;
	p->mode = (enum gossip_mode)mode;
	if (get_prob(f, "loss", 0, 0, &p->loss, err) < 0 ||
	    get_int(f, "failed_nodes", 0, 0, p->nodes - 1, &p->failed, err) < 0 ||
	    get_int(f, "forward_rounds", 0, 1, FO_MAX_JSON_INT, &p->forward_rounds, err) < 0)
		return err->status;
	return REQ_OK;
}

enum req_status req_parse(enum req_op op, const cJSON *f, struct request *out,
			  struct req_error *err)
{
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	out->op = op;
	if (!cJSON_IsObject(f))
		return fail(err, REQ_BAD_FIELD, NULL, "the request must be a JSON object");
	if (parse_model_params(f, &out->params, err) != REQ_OK)
		return err->status;
	if (op == REQ_CALC_FANOUT) {
		int model = get_choice(f, "model", model_names, 4, "auto, exact, mean_field, formula",
				       REQ_MODEL_AUTO, err);
		if (get_prob(f, "target_prob", 1, 1, &out->target_prob, err) < 0 || model < 0)
			return err->status;
		out->model = (enum req_model)model;
		return REQ_OK;
	}
	int64_t seed = 0, first = 0;
	const cJSON *curve = cJSON_GetObjectItemCaseSensitive(f, "curve");
	int has_seed;

	if (get_int(f, "fanout", 1, 0, out->params.nodes - 1, &out->params.fanout, err) < 0 ||
	    get_int(f, "trials", 1, 1, FO_MAX_JSON_INT, &out->trials, err) < 0 ||
	    (has_seed = get_int(f, "seed", 0, 0, FO_MAX_JSON_INT, &seed, err)) < 0 ||
	    get_int(f, "first_trial", 0, 0, FO_MAX_JSON_INT - out->trials, &first, err) < 0)
		return err->status;
	if (curve && !cJSON_IsBool(curve))
		return fail(err, REQ_BAD_FIELD, "curve", "\"curve\" must be true or false");
	out->has_seed = has_seed;
	out->seed = (uint64_t)seed;
	out->first_trial = (uint64_t)first;
	out->curve = cJSON_IsTrue(curve);
	return REQ_OK;
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

static enum req_status over_budget(struct req_error *err, double estimate, double budget,
				   const char *field, const char *advice)
{
	/* Past any finite number (exact at a million nodes), say the largest one: JSON has no inf. */
	estimate = fmin(estimate, DBL_MAX);
	fail(err, REQ_OVER_BUDGET, field,
	     "estimated work %.3g exceeds the budget %.3g; lower \"%s\"%s", estimate, budget,
	     field, advice);
	err->estimate = estimate;
	err->budget = budget;
	return REQ_OVER_BUDGET;
}

enum req_status req_plan(struct request *req, const struct req_limits *lim, struct req_error *err)
{
	const struct gossip_params *p = &req->params;
	double budget = lim->work_budget;

	memset(err, 0, sizeof *err);
	if (req->op == REQ_SIMULATE_GOSSIP) {
		if (!req->has_seed) {
			req->seed = fresh_seed();
			req->has_seed = 1;
		}
		/* The budget is wall time: the trials are shared by the simulation threads. */
		req->work = sim_fast_cost(p, req->trials) / lim->sim_threads;
		if (!(req->work <= budget))
			return over_budget(err, req->work, budget, "trials",
					   " (or \"nodes\", \"rounds\", \"fanout\")");
		return REQ_OK;
	}
	switch (req->model) {
	case REQ_MODEL_FORMULA:
		req->chosen = CALC_FORMULA;
		break;
	case REQ_MODEL_MEAN_FIELD:
		req->chosen = CALC_MEAN_FIELD;
		break;
	case REQ_MODEL_EXACT:
		req->chosen = CALC_EXACT;
		break;
	case REQ_MODEL_AUTO:
		/* The exact estimate decides, and is the work when exact is taken. */
		req->work = calc_cost(p, CALC_EXACT, req->target_prob);
		req->chosen = req->work <= fmin(FO_EXACT_AUTO_LIMIT, budget) ? CALC_EXACT : CALC_MEAN_FIELD;
		break;
	}
	if (req->model != REQ_MODEL_AUTO || req->chosen != CALC_EXACT)
		req->work = calc_cost(p, req->chosen, req->target_prob);
	if (req->work <= budget)
		return REQ_OK;
	if (req->chosen == CALC_EXACT)
		return over_budget(err, req->work, budget, "nodes",
				   " (or \"rounds\"), or use \"model\": \"mean_field\"");
	return over_budget(err, req->work, budget, "rounds", "");
}

static int add_number(cJSON *o, const char *name, double v)
{
	return cJSON_AddNumberToObject(o, name, v) != NULL;
}

/* [lo, hi] as a JSON array member. */
static int add_interval(cJSON *o, const char *name, const double ci[2])
{
	cJSON *a = cJSON_CreateDoubleArray(ci, 2);

	return a && cJSON_AddItemToObject(o, name, a);
}

static cJSON *render_calc(const struct request *req, const struct calc_answer *a)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;

	ok = ok && (a->reachable ? add_number(o, "min_fanout", (double)a->fanout)
				 : cJSON_AddNullToObject(o, "min_fanout") != NULL);
	ok = ok && add_number(o, "miss_prob", a->miss_prob);
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(req->chosen));
	ok = ok && cJSON_AddBoolToObject(o, "reachable", a->reachable);
	ok = ok && add_number(o, "delivery_prob", a->delivery_prob);
	ok = ok && add_number(o, "node_miss_prob", a->node_miss_prob);
	if (ok && !a->reachable)
		ok = add_number(o, "best_fanout", (double)a->fanout);
	if (ok && req->chosen == CALC_EXACT)
		ok = add_number(o, "error_bound", a->error_bound);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int add_curve(cJSON *o, const struct sim_tally *t)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	double n = (double)t->trials, live = (double)t->live;

	if (!curve)
		return 0;
	for (int64_t r = 1; r <= t->rounds; r++) {
		cJSON *pt = cJSON_CreateObject();
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return 0;
		}
		if (!add_number(pt, "round", (double)r) ||
		    !add_number(pt, "informed_fraction", (double)t->informed_by_round[r] / (n * live)) ||
		    !add_number(pt, "full_delivery_rate", (double)t->full_by_round[r] / n))
			return 0;
	}
	return 1;
}

static cJSON *render_sim(const struct request *req, const struct sim_tally *t)
{
	struct sim_summary s;
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;

	sim_summarize(t, &s);
	ok = ok && add_number(o, "delivery_rate", s.delivery_rate);
	ok = ok && (isnan(s.avg_rounds_to_all)
		    ? cJSON_AddNullToObject(o, "avg_rounds_to_all") != NULL
		    : add_number(o, "avg_rounds_to_all", s.avg_rounds_to_all));
	ok = ok && add_interval(o, "delivery_rate_ci", s.delivery_ci);
	ok = ok && add_number(o, "full_delivery_rate", s.full_rate);
	ok = ok && add_interval(o, "full_delivery_rate_ci", s.full_ci);
	ok = ok && add_number(o, "trials_full", (double)t->trials_full);
	ok = ok && add_number(o, "trials", (double)t->trials);
	ok = ok && add_number(o, "first_trial", (double)req->first_trial);
	ok = ok && add_number(o, "messages_mean", s.messages_mean);
	ok = ok && add_number(o, "seed", (double)req->seed);
	ok = ok && cJSON_AddStringToObject(o, "model", "simulation");
	ok = ok && cJSON_AddStringToObject(o, "simulator", "fast");
	ok = ok && add_number(o, "informed_sum", (double)t->informed_sum);
	ok = ok && add_number(o, "rounds_to_all_sum", (double)t->rounds_to_all_sum);
	ok = ok && add_number(o, "messages_sum", (double)t->messages_sum);
	if (ok && req->curve)
		ok = add_curve(o, t);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The request error for a core status other than FO_OK. */
static void core_failure(struct req_error *err, enum fo_status st, double budget)
{
	if (st == FO_CANCELLED)
		fail(err, REQ_CANCELLED, NULL, "the request was cancelled");
	else if (st == FO_TOO_LARGE) {
		fail(err, REQ_OVER_BUDGET, "nodes",
		     "the exact computation grew past the work budget %.3g while running; lower "
		     "\"nodes\" (or \"forward_rounds\"), or use \"model\": \"mean_field\"", budget);
		err->estimate = budget;
		err->budget = budget;
	}
	else
		fail(err, REQ_FAILED, NULL, "out of memory");
}

cJSON *req_execute(const struct request *req, const struct req_limits *lim,
		   const atomic_int *cancel, struct req_error *err)
{
	enum fo_status st;
	cJSON *o;

	memset(err, 0, sizeof *err);
	if (req->op == REQ_CALC_FANOUT) {
		struct calc_answer a;
		struct request fallback = *req;

		st = calc_fanout(&req->params, req->chosen, req->target_prob, lim->work_budget,
				 cancel, &a);
		if (st == FO_TOO_LARGE && req->model == REQ_MODEL_AUTO && req->chosen == CALC_EXACT) {
			/* "auto" promised an answer: the mean field gives one. */
			fallback.chosen = CALC_MEAN_FIELD;
			return req_execute(&fallback, lim, cancel, err);
		}
		if (st != FO_OK) {
			core_failure(err, st, lim->work_budget);
			return NULL;
		}
		o = render_calc(req, &a);
	} else {
		struct sim_tally t;
		if (sim_tally_init(&t, &req->params, req->curve) < 0) {
			core_failure(err, FO_NOMEM, 0);
			return NULL;
		}
		st = sim_fast_run(&req->params, req->seed, req->first_trial, req->trials, lim->sim_threads,
				  cancel, &t);
		o = st == FO_OK ? render_sim(req, &t) : NULL;
		sim_tally_release(&t);
		if (st != FO_OK) {
			core_failure(err, st, lim->work_budget);
			return NULL;
		}
	}
	if (!o)
		core_failure(err, FO_NOMEM, 0);
	return o;
}
