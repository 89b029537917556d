/* SPDX-License-Identifier: MIT */
/*
 * request.c — parse, plan, execute and render the operations.
 *
 * Field rules follow docs/API.md: integers must be JSON integers (25.0
 * passes, 25.5, "25" and true do not), unknown fields are ignored, null means
 * absent, and every rejection names its field.  Parsing reads each field
 * through the table `fields` below; the model's domains (nodes, rounds, loss,
 * …) are checked by the core's gossip_params_check, so they are stated once.
 * If allocation fails while rendering, req_execute reports REQ_FAILED and
 * holds nothing.
 */
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fanout/broadcast.h"
#include "fanout/config.h"
#include "fanout/rng.h"
#include "fanout/sim.h"
#include "fanout/solve.h"
#include "fanout/tradeoff.h"
#include "options.h"
#include "request.h"

static const struct {
	const char *name, *reply_type;
} ops[REQ_OP_COUNT] = {
	[REQ_CALC_FANOUT] = { "calc_fanout", "calc_fanout_ok" },
	[REQ_SIMULATE_GOSSIP] = { "simulate_gossip", "simulate_gossip_ok" },
	[REQ_TRADEOFF] = { "tradeoff", "tradeoff_ok" },
};

const char *req_op_name(enum req_op op)
{
	return ops[op].name;
}

const char *req_op_reply_type(enum req_op op)
{
	return ops[op].reply_type;
}

int req_op_parse(const char *name, enum req_op *out)
{
	for (int i = 0; i < REQ_OP_COUNT; i++) {
		if (strcmp(name, ops[i].name) == 0) {
			*out = (enum req_op)i;
			return 0;
		}
	}
	return -1;
}

cJSON *req_json_parse(const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *v;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			return NULL;
	}
	v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!v)
		return NULL;
	/* Nothing but white space may follow the value. */
	for (; end < text + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n') {
			cJSON_Delete(v);
			return NULL;
		}
	}
	return v;
}

/* Numbers cJSON would write in exponent form although they are whole. */
static int exact_integer(const cJSON *v)
{
	double d = fabs(v->valuedouble);

	return cJSON_IsNumber(v) && d >= 1e15 && d < 0x1p64 && floor(d) == d;
}

/* Turns those numbers in v and below into raw text (undo != 0: back into numbers). */
static int integers_as_raw(cJSON *v, int undo)
{
	if (undo && cJSON_IsRaw(v)) {
		free(v->valuestring);
		v->valuestring = NULL;
		v->type = cJSON_Number;
	} else if (!undo && exact_integer(v)) {
		char text[32];
		snprintf(text, sizeof text, "%.0f", v->valuedouble);
		v->valuestring = malloc(strlen(text) + 1);
		if (!v->valuestring)
			return -1;
		strcpy(v->valuestring, text);
		v->type = cJSON_Raw;
	}
	for (cJSON *c = v->child; c; c = c->next)
		if (integers_as_raw(c, undo) < 0)
			return -1;
	return 0;
}

char *req_json_print(cJSON *o)
{
	char *text = NULL;

	/* No Raw item reaches a tree from outside (req_json_parse makes none),
	 * so every Raw item the undo pass meets is one made here. */
	if (!o)
		return NULL;
	if (integers_as_raw(o, 0) == 0)
		text = cJSON_PrintUnformatted(o);
	integers_as_raw(o, 1);
	return text;
}

/* ---- the fields ---------------------------------------------------------- */

enum field_kind {
	F_INT,          /* a JSON integer; int64_t at `offset` */
	F_NUMBER,       /* any finite number; double at `offset` */
	F_POSITIVE,     /* a finite number > 0; double at `offset` */
	F_OPEN_PROB,    /* a number in (0, 1); double at `offset` */
	F_BOOL,         /* true or false; int at `offset` */
	F_MODE,         /* a gossip mode's name */
	F_MODEL,        /* a calc model's name */
	F_PRESET,       /* a preset's name */
	F_TIMERS,       /* aligned or independent; int (1: independent) at `offset` */
	F_SOLVE,        /* calc_fanout's knob: fanout, transmit_limit or interval */
};

#define OP_BIT(op) (1u << (op))
#define CALC OP_BIT(REQ_CALC_FANOUT)
#define SIM OP_BIT(REQ_SIMULATE_GOSSIP)
#define TRADE OP_BIT(REQ_TRADEOFF)
#define BOTH (CALC | SIM)
#define ALL (CALC | SIM | TRADE)

/*
 * A request field.  Fields of the model (in_model) get their range from the
 * core's check; the others from lo (and FO_MAX_JSON_INT above).  `present`,
 * when not -1, is the offset of an int set to 1 when the field was given.
 */
struct field {
	const char *name;
	unsigned ops, required;
	enum field_kind kind;
	int in_model;
	size_t offset;
	ptrdiff_t present;
	int64_t lo;
};

#define AT(member) offsetof(struct request, member)

/* "preset" comes first: a preset may supply what would otherwise be required. */
static const struct field fields[] = {
	{ "preset", ALL, 0, F_PRESET, 0, AT(preset), -1, 0 },
	{ "nodes", ALL, ALL, F_INT, 1, AT(params.nodes), -1, 0 },
	{ "solve_for", CALC, 0, F_SOLVE, 0, AT(solve_for), AT(has_solve_for), 0 },
	{ "fanout", SIM | CALC, SIM, F_INT, 1, AT(params.fanout), AT(has_fanout), 0 },
	{ "rounds", BOTH, BOTH, F_INT, 1, AT(params.rounds), -1, 0 },
	{ "target_prob", CALC | TRADE, CALC | TRADE, F_OPEN_PROB, 0, AT(target_prob), -1, 0 },
	{ "trials", SIM, SIM, F_INT, 0, AT(trials), -1, 1 },
	{ "mode", ALL, 0, F_MODE, 1, AT(params.mode), AT(has_mode), 0 },
	{ "loss", ALL, 0, F_NUMBER, 1, AT(params.loss), -1, 0 },
	{ "failed_nodes", ALL, 0, F_INT, 1, AT(params.failed), -1, 0 },
	{ "failed_known", ALL, 0, F_BOOL, 1, AT(params.failed_known), AT(has_failed_known), 0 },
	{ "forward_rounds", ALL, 0, F_INT, 1, AT(params.forward_rounds), AT(has_forward_rounds), 1 },
	{ "transmit_limit", ALL, 0, F_INT, 1, AT(params.transmit_limit), AT(has_transmit_limit), 1 },
	{ "interval", ALL, 0, F_POSITIVE, 0, AT(interval), AT(has_interval), 0 },
	{ "message_bytes", ALL, 0, F_INT, 0, AT(message_bytes), AT(has_message_bytes), 1 },
	{ "timers", ALL, 0, F_TIMERS, 0, AT(independent), AT(has_timers), 0 },
	{ "probe_interval", ALL, 0, F_POSITIVE, 0, AT(probe_interval), AT(has_probe_interval), 0 },
	{ "within_seconds", ALL, 0, F_POSITIVE, 0, AT(within_seconds), AT(has_within_seconds), 0 },
	{ "sync_interval", ALL, 0, F_POSITIVE, 0, AT(sync_interval), AT(has_sync_interval), 0 },
	{ "model", CALC | TRADE, 0, F_MODEL, 0, AT(model), -1, 0 },
	{ "max_fanout", TRADE, 0, F_INT, 0, AT(max_fanout), -1, 1 },
	{ "max_rounds", TRADE, 0, F_INT, 0, AT(max_rounds), -1, 1 },
	{ "seed", SIM, 0, F_INT, 0, AT(seed), AT(has_seed), 0 },
	{ "first_trial", SIM, 0, F_INT, 0, AT(first_trial), -1, 0 },
	{ "curve", CALC | SIM, 0, F_BOOL, 0, AT(curve), -1, 0 },
};

#define NFIELDS (sizeof fields / sizeof fields[0])

size_t req_field_count(void)
{
	return NFIELDS;
}

/* What a kind of field holds; a switch without default, so a new kind must be named here. */
static enum req_field_type field_type(enum field_kind kind)
{
	switch (kind) {
	case F_INT:
		return REQ_FIELD_INTEGER;
	case F_NUMBER:
	case F_POSITIVE:
	case F_OPEN_PROB:
		return REQ_FIELD_NUMBER;
	case F_BOOL:
		return REQ_FIELD_BOOL;
	case F_MODE:
	case F_MODEL:
	case F_PRESET:
	case F_TIMERS:
	case F_SOLVE:
		return REQ_FIELD_STRING;
	}
	return REQ_FIELD_STRING;
}

void req_field_info(size_t i, struct req_field_info *out)
{
	out->name = fields[i].name;
	out->type = field_type(fields[i].kind);
	out->ops = fields[i].ops;
	out->required = fields[i].required;
}

/* Records a problem with `field`; the first one also becomes err->field. */
static void add_error(struct req_error *err, const char *field, const char *fmt, ...)
{
	err->status = REQ_BAD_FIELD;
	if (!err->count && !err->field)
		err->field = field;
	if (err->count < FO_MAX_FIELD_ERRORS) {
		struct req_field_error *e = &err->errors[err->count];
		va_list ap;
		e->field = field;
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof e->detail, fmt, ap);
		va_end(ap);
	}
	err->count++;
}

/* "a, b, c" from a name function over `count` values. */
static void name_list(char *out, size_t size, const char *(*name)(int), int count)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", name(i));
}

static const char *mode_name(int i)
{
	return gossip_mode_name((enum gossip_mode)i);
}

static const char *model_name(int i)
{
	return calc_model_name((enum calc_model)i);
}

static const char *preset_name(int i)
{
	return gossip_preset(i)->name;
}

static const char *timers_name(int i)
{
	return gossip_timers_name((enum gossip_timers)i);
}

static const char *const solve_names[REQ_SOLVE_COUNT] = { "fanout", "transmit_limit", "interval" };

const char *req_solve_name(enum req_solve s)
{
	return (unsigned)s < REQ_SOLVE_COUNT ? solve_names[s] : "?";
}

static const char *solve_name(int i)
{
	return solve_names[i];
}

static int solve_parse(const char *name, enum req_solve *out)
{
	for (int i = 0; i < REQ_SOLVE_COUNT; i++)
		if (strcmp(name, solve_names[i]) == 0) {
			*out = (enum req_solve)i;
			return 0;
		}
	return -1;
}

/* The value of a JSON integer, saturated to int64_t; 0 and *ok = 0 if not one. */
static int64_t json_int(const cJSON *v, int *ok)
{
	double d = v->valuedouble;

	*ok = cJSON_IsNumber(v) && isfinite(d) && floor(d) == d;
	if (!*ok)
		return 0;
	/* Past int64_t, any value is out of every range: keep its sign. */
	return d >= 0x1p63 ? INT64_MAX : d < -0x1p63 ? INT64_MIN : (int64_t)d;
}

/* Reads one present, non-null field into req; records a problem if it is bad. */
static void read_field(const struct field *f, const cJSON *v, struct request *req,
		       struct req_error *err)
{
	char *at = (char *)req + f->offset;
	char names[128];
	int ok;

	switch (f->kind) {
	case F_INT: {
		int64_t i = json_int(v, &ok);
		if (!ok)
			add_error(err, f->name, "\"%s\" must be an integer", f->name);
		else if (!f->in_model && (i < f->lo || i > FO_MAX_JSON_INT))
			add_error(err, f->name, "\"%s\" must be an integer from %lld to 2^53 - 1",
				  f->name, (long long)f->lo);
		else {
			/* A model field below its `lo` (absent's value, or less): the core says so. */
			if (f->in_model && i < f->lo)
				i = -1;
			*(int64_t *)(void *)at = i;
		}
		break;
	}
	case F_NUMBER:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			add_error(err, f->name, "\"%s\" must be a number", f->name);
		else
			*(double *)(void *)at = v->valuedouble;
		break;
	case F_POSITIVE:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > 0))
			add_error(err, f->name, "\"%s\" must be a number greater than 0", f->name);
		else
			*(double *)(void *)at = v->valuedouble;
		break;
	case F_OPEN_PROB:
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble < 1))
			add_error(err, f->name, "\"%s\" must be a number greater than 0 and less than 1",
				  f->name);
		else
			*(double *)(void *)at = v->valuedouble;
		break;
	case F_BOOL:
		if (!cJSON_IsBool(v))
			add_error(err, f->name, "\"%s\" must be true or false", f->name);
		else
			*(int *)(void *)at = cJSON_IsTrue(v);
		break;
	case F_MODE: {
		enum gossip_mode m;
		if (cJSON_IsString(v) && gossip_mode_parse(v->valuestring, &m) == 0) {
			req->params.mode = m;
			break;
		}
		name_list(names, sizeof names, mode_name, GOSSIP_MODE_COUNT);
		add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	case F_MODEL: {
		enum calc_model m;
		if (cJSON_IsString(v) && calc_model_parse(v->valuestring, &m) == 0) {
			req->model = m;
			break;
		}
		name_list(names, sizeof names, model_name, CALC_MODEL_COUNT);
		add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	case F_PRESET:
		if (cJSON_IsString(v) && (req->preset = gossip_preset_find(v->valuestring)))
			break;
		name_list(names, sizeof names, preset_name, gossip_preset_count());
		add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	case F_TIMERS: {
		enum gossip_timers t;
		if (cJSON_IsString(v) && gossip_timers_parse(v->valuestring, &t) == 0) {
			*(int *)(void *)at = t == GOSSIP_TIMERS_INDEPENDENT;
			break;
		}
		name_list(names, sizeof names, timers_name, GOSSIP_TIMERS_COUNT);
		add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	case F_SOLVE:
		if (cJSON_IsString(v) && solve_parse(v->valuestring, &req->solve_for) == 0)
			break;
		name_list(names, sizeof names, solve_name, REQ_SOLVE_COUNT);
		add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	if (f->present >= 0)
		*(int *)(void *)((char *)req + f->present) = 1;
}

/*
 * Fills what the preset defines and the request left unset.  A push limit
 * the request gave (forward_rounds or transmit_limit) replaces the preset's
 * transmit_limit, which needs a valid N.
 */
static void apply_preset(struct request *req)
{
	const struct gossip_preset *s = req->preset;
	struct gossip_params *p = &req->params;

	if (!s)
		return;
	if (!req->has_mode)
		p->mode = s->mode;
	if ((req->op == REQ_SIMULATE_GOSSIP || req->solve_for != REQ_SOLVE_FANOUT) && !req->has_fanout)
		p->fanout = s->fanout;
	if (!req->has_interval)
		req->interval = s->interval;
	if (!req->has_message_bytes)
		req->message_bytes = s->message_bytes;
	if (!req->has_failed_known)
		p->failed_known = s->failed_known;
	if (!req->has_forward_rounds && !req->has_transmit_limit && p->nodes >= 1 &&
	    p->nodes <= FO_MAX_JSON_INT)
		p->transmit_limit = gossip_preset_transmit_limit(s, p->nodes);
}

/* ---- timers and the time budget (MODEL.md, "Independent timers") ---------- */

/*
 * Whether the model asked for cannot follow the request's independent
 * timers: the core gives such a model an infinite cost (exact and the mean
 * field always; large_n until it has its own method for them).
 */
static int timers_refused(const struct request *req)
{
	return req->params.timers == GOSSIP_TIMERS_INDEPENDENT && req->model != CALC_AUTO &&
	       isinf(req->work);
}

/* Whether field `name` is in json and not null. */
static int given(const cJSON *json, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, name);

	return v && !cJSON_IsNull(v);
}

/*
 * A required field the request may leave out: rounds (max_rounds is optional)
 * under a time budget or when solving for the interval (solve_for is read first).
 */
static int timers_waive(const struct field *f, const cJSON *json, const struct request *req)
{
	return f->offset == AT(params.rounds) &&
	       (given(json, "within_seconds") || req->solve_for == REQ_SOLVE_INTERVAL);
}

/*
 * q rounded to the nearest multiple of 1/step when within a relative 1e-9
 * of one: within_seconds / interval is a count of rounds (or quarters) that
 * binary fractions miss by an ulp (0.6 / 0.2 is 2.9999999999999996).
 */
static double snap(double q, double step)
{
	double n = nearbyint(q * step);

	return n >= 1 && fabs(q * step - n) <= 1e-9 * n ? n / step : q;
}

/*
 * sync_interval after the preset (a preset's only under its own independent
 * timers), as probe_interval: independent timers and an interval needed.
 */
static void apply_sync(struct request *req, struct req_error *err)
{
	if (req->preset && !req->has_sync_interval && req->independent &&
	    req->preset->timers == GOSSIP_TIMERS_INDEPENDENT)
		req->sync_interval = req->preset->sync_interval;
	if (req->has_sync_interval && !req->independent)
		add_error(err, "sync_interval",
			  "\"sync_interval\" needs \"timers\": \"independent\" (anti-entropy runs on "
			  "timers of its own)");
	else if (req->has_sync_interval && !(req->interval > 0))
		add_error(err, "sync_interval",
			  "\"sync_interval\" needs \"interval\" (or a preset that sets it): syncs are "
			  "timed against the gossip interval");
	if (req->independent && req->sync_interval > 0 && req->interval > 0)
		req->params.sync_interval = req->sync_interval / req->interval;
}

/*
 * Timers after the preset: the preset's unless the request named them (a
 * preset's probes only under its own independent timers), probe_interval
 * only with independent timers and an interval, and within_seconds in place
 * of rounds (max_rounds in tradeoff): floor(within_seconds / interval)
 * rounds under aligned timers, a horizon of within_seconds / interval
 * intervals (rounds: its ceiling) under independent ones.
 */
static void apply_timers(struct request *req, const cJSON *json, struct req_error *err)
{
	const char *rounds = req->op == REQ_TRADEOFF ? "max_rounds" : "rounds";
	double q;

	if (req->preset && !req->has_timers)
		req->independent = req->preset->timers == GOSSIP_TIMERS_INDEPENDENT;
	if (req->preset && !req->has_probe_interval && req->independent &&
	    req->preset->timers == GOSSIP_TIMERS_INDEPENDENT)
		req->probe_interval = req->preset->probe_interval;
	if (req->has_probe_interval && !req->independent)
		add_error(err, "probe_interval",
			  "\"probe_interval\" needs \"timers\": \"independent\" (probes run on timers "
			  "of their own)");
	else if (req->has_probe_interval && !(req->interval > 0))
		add_error(err, "probe_interval",
			  "\"probe_interval\" needs \"interval\" (or a preset that sets it): probes are "
			  "timed against the gossip interval");
	req->params.timers = req->independent ? GOSSIP_TIMERS_INDEPENDENT : GOSSIP_TIMERS_ALIGNED;
	if (req->independent && req->probe_interval > 0 && req->interval > 0)
		req->params.probe_interval = req->probe_interval / req->interval;
	apply_sync(req, err);
	if (req->solve_for == REQ_SOLVE_INTERVAL) {
		/* The rounds are searched, up to FO_SOLVE_MAX_ROUNDS; within_seconds is what they must fit. */
		req->params.rounds = FO_SOLVE_MAX_ROUNDS;
		return;
	}
	if (!req->has_within_seconds)
		return;
	if (given(json, rounds)) {
		add_error(err, "within_seconds",
			  "\"within_seconds\" stands for \"%s\": give one of them, not both", rounds);
		return;
	}
	/* A bad budget is reported once, as itself: one round keeps the core from also naming rounds. */
	q = 1;
	if (!(req->interval > 0)) {
		add_error(err, "within_seconds",
			  "\"within_seconds\" needs \"interval\" (or a preset that sets it) to count "
			  "rounds");
	} else {
		q = req->within_seconds / req->interval;
		q = req->independent ? snap(q, 4) : floor(snap(q, 1));
		if (q < 1 && !req->independent)
			add_error(err, "within_seconds",
				  "\"within_seconds\" must be at least \"interval\" (%g s) under aligned "
				  "timers: it stands for floor(within_seconds / interval) rounds",
				  req->interval);
		else if (!(q <= FO_MAX_ROUNDS))
			add_error(err, "within_seconds",
				  "\"within_seconds\" must be at most %lld intervals (%g s)",
				  (long long)FO_MAX_ROUNDS, (double)FO_MAX_ROUNDS * req->interval);
		if (!(q >= 1 || req->independent) || !(q <= FO_MAX_ROUNDS))
			q = 1;
	}
	req->params.horizon = req->independent ? q : 0;
	if (req->op == REQ_TRADEOFF)
		req->max_rounds = (int64_t)ceil(q);
	else
		req->params.rounds = (int64_t)ceil(q);
}

/* tradeoff's own fields: max_rounds is the model's R, max_fanout at most N - 1, no formula. */
static void check_tradeoff(struct request *req, struct req_error *err)
{
	long long top = (long long)req->params.nodes - 1;

	if (req->max_rounds == 0)
		req->max_rounds = FO_TRADEOFF_MAX_ROUNDS;
	if (req->max_rounds > FO_MAX_ROUNDS)
		add_error(err, "max_rounds", "\"max_rounds\" must be an integer from 1 to %lld",
			  (long long)FO_MAX_ROUNDS);
	req->params.rounds = req->max_rounds > FO_MAX_ROUNDS ? 1 : req->max_rounds;
	if (req->params.nodes >= 2 && req->max_fanout > top)
		add_error(err, "max_fanout", "\"max_fanout\" must be an integer from 1 to %lld", top);
	if (req->model == CALC_FORMULA)
		add_error(err, "model",
			  "\"model\" must be auto, exact, large_n, simulation or mean_field for tradeoff (it "
			  "needs P(full delivery) for every round)");
}

/*
 * calc_fanout's solve_for: the fields each knob needs and those it answers
 * (so a client cannot give them).
 */
static void check_solve(struct request *req, const cJSON *json, struct req_error *err)
{
	if (req->op != REQ_CALC_FANOUT)
		return;
	if (req->solve_for == REQ_SOLVE_FANOUT) {
		if (req->has_fanout)
			add_error(err, "fanout",
				  "\"fanout\" is what calc_fanout solves for; give it only with \"solve_for\": "
				  "\"transmit_limit\" or \"interval\"");
		return;
	}
	if (!req->has_fanout && !req->preset)
		add_error(err, "fanout", "\"fanout\" is required with \"solve_for\": \"%s\" (or a preset that "
			  "sets it)", req_solve_name(req->solve_for));
	if (req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT) {
		if (req->has_transmit_limit)
			add_error(err, "transmit_limit",
				  "\"transmit_limit\" is what \"solve_for\": \"transmit_limit\" answers; leave it out");
		if (req->has_forward_rounds)
			add_error(err, "forward_rounds",
				  "\"forward_rounds\" cannot be given with \"solve_for\": \"transmit_limit\" (the "
				  "limit searched replaces it)");
		if (!gossip_pushes(req->params.mode))
			add_error(err, "solve_for",
				  "\"solve_for\": \"transmit_limit\" needs a mode that pushes (push or push_pull): "
				  "the limit bounds a node's pushes");
		return;
	}
	if (given(json, "interval"))
		add_error(err, "interval",
			  "\"interval\" is what \"solve_for\": \"interval\" answers; leave it out");
	if (given(json, "rounds"))
		add_error(err, "rounds",
			  "\"rounds\" cannot be given with \"solve_for\": \"interval\" (the rounds are searched; "
			  "give the time budget \"within_seconds\")");
	if (!req->has_within_seconds)
		add_error(err, "within_seconds",
			  "\"within_seconds\" is required with \"solve_for\": \"interval\" (the time budget "
			  "the interval must meet)");
	if (req->independent)
		add_error(err, "solve_for",
			  "\"solve_for\": \"interval\" is solved under aligned timers only (the search over "
			  "rounds does not follow independent timers); add \"timers\": \"aligned\"");
}

/*
 * Seconds and bandwidth must stay finite numbers: "interval" times the
 * rounds, and 2 K b / interval for the largest K, may not overflow a double.
 */
static void check_time(const struct request *req, struct req_error *err)
{
	double rounds = (double)(req->op == REQ_TRADEOFF ? req->max_rounds : req->params.rounds);
	double nodes = (double)req->params.nodes;

	if (req->interval <= 0)
		return;
	if (!isfinite(req->interval * fmax(rounds, 1)))
		add_error(err, "interval",
			  "\"interval\" times the rounds must be a finite number of seconds; lower \"interval\"");
	else if (req->message_bytes > 0 && !isfinite(2 * fmax(nodes, 1) * (double)req->message_bytes / req->interval))
		add_error(err, "interval",
			  "\"interval\" is too small: bytes per second per node would overflow; raise \"interval\"");
}

/* Adds the core's verdict on the model's parameters, for fields not yet reported. */
static void check_model(const struct request *req, struct req_error *err)
{
	struct gossip_problem found[8];
	int n = gossip_params_check(&req->params, req->op == REQ_SIMULATE_GOSSIP ||
					    (req->op == REQ_CALC_FANOUT && req->solve_for != REQ_SOLVE_FANOUT &&
					     (req->has_fanout || req->preset)),
				    found, 8);

	for (int i = 0; i < n && i < 8; i++) {
		int seen = 0;
		for (int j = 0; j < err->count && j < FO_MAX_FIELD_ERRORS; j++)
			seen |= strcmp(err->errors[j].field, found[i].field) == 0;
		if (!seen)
			add_error(err, found[i].field, "%s", found[i].detail);
	}
}

/* err->detail: every problem, joined by "; ". */
static void join_details(struct req_error *err)
{
	size_t used = 0, size = sizeof err->detail;

	for (int i = 0; i < err->count && i < FO_MAX_FIELD_ERRORS && used < size; i++)
		used += (size_t)snprintf(err->detail + used, size - used, "%s%s", i ? "; " : "",
					 err->errors[i].detail);
	if (err->count > FO_MAX_FIELD_ERRORS && used < size)
		snprintf(err->detail + used, size - used, "; and %d more", err->count - FO_MAX_FIELD_ERRORS);
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

/* Each member of json that is not a field of op, named, with the nearest field of op. */
static void check_unknown(enum req_op op, const cJSON *json, struct req_error *err)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, json) {
		const char *nearest = NULL, *other = NULL;
		int best = 3;   /* suggest within two edits */
		size_t i;
		for (i = 0; i < NFIELDS && strcmp(fields[i].name, m->string) != 0; i++) {
			int d = opt_edit_distance(m->string, fields[i].name);
			if ((fields[i].ops & OP_BIT(op)) && d < best) {
				best = d;
				nearest = fields[i].name;
			}
		}
		if (i < NFIELDS && (fields[i].ops & OP_BIT(op)))
			continue;
		if (i < NFIELDS)
			other = req_op_name(op);
		if (err->count < FO_MAX_FIELD_ERRORS) {
			/* The name as sent, cut, anything but printable ASCII as '?'. */
			char *name = err->errors[err->count].name;
			size_t k;
			for (k = 0; m->string[k] && k + 1 < sizeof err->errors[0].name; k++)
				name[k] = m->string[k] >= 0x20 && m->string[k] < 0x7f ? m->string[k] : '?';
			name[k] = '\0';
			if (other)
				add_error(err, name, "\"%s\" is not a field of %s", name, other);
			else if (nearest)
				add_error(err, name, "unknown field \"%s\" (did you mean \"%s\"?)", name, nearest);
			else
				add_error(err, name, "unknown field \"%s\"", name);
		} else {
			err->count++;
		}
	}
}

enum req_status req_parse(enum req_op op, const cJSON *json, struct request *out,
			  struct req_error *err)
{
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	out->op = op;
	out->model = CALC_AUTO;
	if (!cJSON_IsObject(json))
		return fail(err, REQ_BAD_FIELD, NULL, "the request must be a JSON object");
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, f->name);
		if (!(f->ops & OP_BIT(op)))
			continue;
		if (v && !cJSON_IsNull(v))
			read_field(f, v, out, err);
		else if ((f->required & OP_BIT(op)) &&
			 !(out->preset && f->offset == AT(params.fanout)) && !timers_waive(f, json, out))
			add_error(err, f->name, "\"%s\" is required", f->name);
	}
	apply_preset(out);
	apply_timers(out, json, err);
	if (op == REQ_TRADEOFF)
		check_tradeoff(out, err);
	check_solve(out, json, err);
	check_model(out, err);
	check_time(out, err);
	if (out->first_trial > FO_MAX_JSON_INT - out->trials)
		add_error(err, "first_trial", "\"first_trial\" + \"trials\" must be at most 2^53 - 1");
	check_unknown(op, json, err);
	if (err->count) {
		join_details(err);
		return REQ_BAD_FIELD;
	}
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

/* The field to lower, and further advice, when `req` is over its budget. */
void req_budget_advice(const struct request *req, const char **field, const char **advice)
{
	if (req->op == REQ_CALC_FANOUT && req->solve_for == REQ_SOLVE_INTERVAL) {
		/* The rounds are searched up to FO_SOLVE_MAX_ROUNDS: the client cannot lower them. */
		*field = "nodes";
		*advice = " (or \"target_prob\"; the rounds are searched up to " FO_STR(FO_SOLVE_MAX_ROUNDS) ")";
		return;
	}
	if (req->op == REQ_CALC_FANOUT && req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT) {
		*field = "rounds";
		*advice = " (or \"nodes\", \"fanout\", \"target_prob\": the limit is searched up to fanout x rounds)";
	} else if (req->op == REQ_SIMULATE_GOSSIP) {
		*field = "trials";
		*advice = " (or \"nodes\", \"rounds\", \"fanout\")";
	} else if (req->op == REQ_TRADEOFF) {
		*field = "max_rounds";
		*advice = " (or \"max_fanout\", \"nodes\")";
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
	/* A time budget stood for the rounds: it is what the client can lower. */
	if (req->has_within_seconds && (strcmp(*field, "rounds") == 0 || strcmp(*field, "max_rounds") == 0))
		*field = "within_seconds";
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

/*
 * Work of calc_fanout or tradeoff with `model`.  calc_fanout with a chain
 * model runs the chain once more at the K found, for rounds to all, the
 * curve and the messages: about half a search again; large_n reruns its
 * main pass with the curve, about a third (the formula gives no per-round
 * figures, so nothing is rerun for it).
 */
static double op_cost(const struct request *req, enum calc_model model, int threads)
{
	double search;

	if (req->op == REQ_TRADEOFF)
		return tradeoff_cost_mt(&req->params, model, req->target_prob, req->max_fanout, threads);
	search = calc_cost_mt(&req->params, model, req->target_prob, threads);
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

/*
 * The most bytes req's answer takes while it is built and sent, and in *work
 * what making and rendering its per-round parts costs: the curve (R + 1
 * points), simulate_gossip's histogram (R + 1 counts of at most `trials`
 * each) and tradeoff's rows.  `curve_bytes` is the curve's share, so a
 * refusal can say which to drop.
 */
static double answer_bytes(const struct request *req, double *work, double *curve_bytes)
{
	double points = req->curve ? (double)req->params.rounds + 1 : 0, bytes = ANSWER_FIXED_BYTES;

	*curve_bytes = points * CURVE_POINT_BYTES;
	*work = FO_RENDER_BASE_WORK + points * FO_RENDER_POINT_WORK;
	bytes += *curve_bytes;
	if (req->op == REQ_SIMULATE_GOSSIP) {
		double entries = (double)req->params.rounds + 1;
		bytes += entries * (HIST_ENTRY_BYTES + decimal_digits(req->trials) + 1);
		*work += entries * FO_RENDER_ENTRY_WORK;
	} else if (req->op == REQ_TRADEOFF) {
		double rows = (double)tradeoff_rows(&req->params, req->target_prob, req->max_fanout);
		bytes += rows * TRADEOFF_ROW_BYTES;
		*work += rows * FO_RENDER_POINT_WORK;
	}
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
	fail(err, REQ_OVER_BUDGET, field,
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

enum req_status req_plan(struct request *req, const struct req_limits *lim, struct req_error *err)
{
	const struct gossip_params *p = &req->params;
	double budget = lim->work_budget, render;
	const char *field, *advice;

	memset(err, 0, sizeof *err);
	if (req->op == REQ_SIMULATE_GOSSIP) {
		if (!req->has_seed) {
			req->seed = (int64_t)fresh_seed();
			req->has_seed = 1;
		}
		if (!sim_counts_fit(p, req->trials))
			return fail(err, REQ_OVER_BUDGET, "trials",
				    "the messages of this run could exceed 2^64 and not be counted exactly; "
				    "lower \"trials\" (or \"nodes\", \"fanout\", \"rounds\")");
		/* The budget is wall time: the trials are shared by the simulation threads. */
		req->work = sim_fast_cost(p, req->trials) / lim->sim_threads;
	} else if (req->op == REQ_TRADEOFF && req->model == CALC_AUTO) {
		/*
		 * tradeoff needs every round's P(full): exact while affordable, else
		 * large_n (its rows confirmed by their own intervals) where it can
		 * go within the budget or costs less, else a simulation per K with
		 * its interval; never the optimistic mean field.
		 */
		req->work = op_cost(req, CALC_EXACT, lim->sim_threads);
		req->chosen = CALC_EXACT;
		if (req->work > fmin(FO_EXACT_AUTO_LIMIT, budget)) {
			double largen = op_cost(req, CALC_LARGE_N, lim->sim_threads);
			req->work = op_cost(req, CALC_SIMULATION, lim->sim_threads);
			req->chosen = CALC_SIMULATION;
			if (largen <= budget || largen <= req->work) {
				req->work = largen;
				req->chosen = CALC_LARGE_N;
			}
		}
	} else if (req->op == REQ_CALC_FANOUT && req->solve_for != REQ_SOLVE_FANOUT) {
		/* calc_at chooses per value as the K search does; nothing is rerun at the answer. */
		req->chosen = req->model;
		req->work = req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT
			? solve_transmit_limit_cost(p, req->model, req->target_prob, lim->sim_threads)
			: solve_rounds_cost(p, p->rounds, req->model, req->target_prob, lim->sim_threads);
	} else {
		req->chosen = req->model;
		req->work = op_cost(req, req->chosen, lim->sim_threads);
	}
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
	if (timers_refused(req) && req->params.sync_interval > 0 && req->model == CALC_LARGE_N) {
		/* large_n follows independent timers, but not the syncs. */
		add_error(err, "model",
			  "\"model\": \"%s\" does not follow \"sync_interval\" (anti-entropy; the "
			  "simulation does); use \"auto\" or \"simulation\"",
			  calc_model_name(req->model));
		join_details(err);
		return REQ_BAD_FIELD;
	}
	if (timers_refused(req)) {
		add_error(err, "model",
			  "\"model\": \"%s\" does not follow independent timers (the simulation does); "
			  "use \"auto\" or \"simulation\", or \"timers\": \"aligned\"",
			  calc_model_name(req->model));
		join_details(err);
		return REQ_BAD_FIELD;
	}
	req_budget_advice(req, &field, &advice);
	return over_budget(err, req->work, budget, field, advice);
}

enum req_status req_prepare(enum req_op op, const cJSON *fields, const struct req_limits *lim,
			    struct request *out, struct req_error *err)
{
	enum req_status st = req_parse(op, fields, out, err);

	return st == REQ_OK ? req_plan(out, lim, err) : st;
}

/*
 * The add_* helpers below put one member into o: each returns 0, or -1 when
 * allocation failed (o then holds what was added before, freed with it).
 */
static int add_number(cJSON *o, const char *name, double v)
{
	return cJSON_AddNumberToObject(o, name, v) ? 0 : -1;
}

/* [lo, hi] as a JSON array member. */
static int add_interval(cJSON *o, const char *name, const double ci[2])
{
	cJSON *a = cJSON_CreateDoubleArray(ci, 2);

	return a && cJSON_AddItemToObject(o, name, a) ? 0 : -1;
}

/* v, or null when it is NaN (or, for counts, negative). */
static int add_number_or_null(cJSON *o, const char *name, double v)
{
	if (isnan(v))
		return cJSON_AddNullToObject(o, name) ? 0 : -1;
	return add_number(o, name, v);
}

static int add_count_or_null(cJSON *o, const char *name, int64_t v)
{
	if (v < 0)
		return cJSON_AddNullToObject(o, name) ? 0 : -1;
	return add_number(o, name, (double)v);
}

/* {mean, p50, p90, p99} in rounds, times `scale` (1, or the interval for seconds). */
static int add_rounds(cJSON *o, const char *name, const struct rounds_to_all *r, double scale)
{
	cJSON *d = cJSON_AddObjectToObject(o, name);

	return d && add_number_or_null(d, "mean", r->mean * scale) == 0 &&
	       add_number_or_null(d, "p50", r->p50 < 0 ? NAN : (double)r->p50 * scale) == 0 &&
	       add_number_or_null(d, "p90", r->p90 < 0 ? NAN : (double)r->p90 * scale) == 0 &&
	       add_number_or_null(d, "p99", r->p99 < 0 ? NAN : (double)r->p99 * scale) == 0 ? 0 : -1;
}

/*
 * The timers in `params`, when the request or its preset named timers or a
 * time budget: an answer without them is aligned, as it always was.
 */
static int add_timers_params(cJSON *d, const struct request *req)
{
	if (!req->independent && !req->has_timers && !req->has_within_seconds)
		return 0;
	return cJSON_AddStringToObject(d, "timers", timers_name(req->independent)) != NULL &&
	       add_number_or_null(d, "probe_interval", req->probe_interval > 0 ? req->probe_interval : NAN) == 0 &&
	       add_number_or_null(d, "within_seconds", req->has_within_seconds ? req->within_seconds : NAN) == 0 &&
	       /* Only when set: answers without anti-entropy read as they always did. */
	       (!(req->sync_interval > 0) || add_number(d, "sync_interval", req->sync_interval) == 0)
		? 0 : -1;
}

/* The parameters used, after the preset: `params` in every answer. */
static int add_params(cJSON *o, const struct request *req)
{
	const struct gossip_params *p = &req->params;
	cJSON *d = cJSON_AddObjectToObject(o, "params");
	int ok = d != NULL;

	ok = ok && (req->preset ? cJSON_AddStringToObject(d, "preset", req->preset->name) != NULL
				: cJSON_AddNullToObject(d, "preset") != NULL);
	ok = ok && add_number(d, "nodes", (double)p->nodes) == 0;
	if (req->op == REQ_SIMULATE_GOSSIP)
		ok = ok && add_number(d, "fanout", (double)p->fanout) == 0;
	else
		ok = ok && add_number(d, "target_prob", req->target_prob) == 0;
	if (req->op == REQ_TRADEOFF) {
		ok = ok && add_number(d, "max_rounds", (double)req->max_rounds) == 0;
		ok = ok && add_count_or_null(d, "max_fanout", req->max_fanout > 0 ? req->max_fanout : -1) == 0;
	} else {
		ok = ok && add_number(d, "rounds", (double)p->rounds) == 0;
	}
	ok = ok && cJSON_AddStringToObject(d, "mode", gossip_mode_name(p->mode)) != NULL;
	ok = ok && add_number(d, "loss", p->loss) == 0;
	ok = ok && add_number(d, "failed_nodes", (double)p->failed) == 0;
	ok = ok && cJSON_AddBoolToObject(d, "failed_known", p->failed_known) != NULL;
	ok = ok && add_count_or_null(d, "forward_rounds",
				     p->forward_rounds > 0 ? p->forward_rounds : -1) == 0;
	ok = ok && add_count_or_null(d, "transmit_limit",
				     p->transmit_limit > 0 ? p->transmit_limit : -1) == 0;
	ok = ok && add_number_or_null(d, "interval", req->interval > 0 ? req->interval : NAN) == 0;
	ok = ok && add_count_or_null(d, "message_bytes",
				     req->message_bytes > 0 ? req->message_bytes : -1) == 0;
	ok = ok && add_timers_params(d, req) == 0;
	return ok ? 0 : -1;
}

/* ---- answers under independent timers: time in intervals, every quarter ---- */

/* Whether the answer speaks continuous time (independent timers). */
static int timed(const struct request *req)
{
	return req->params.timers == GOSSIP_TIMERS_INDEPENDENT;
}

/* The last index of a tally's per-step arrays: R, or B = ceil(4 H) under independent timers. */
static int64_t tally_last(const struct sim_tally *t)
{
	return t->rounds;
}

/* The time of point b of a timed tally, in intervals: b / 4, the last at the horizon. */
static double point_time(const struct request *req, int64_t b)
{
	return sim_edge(&req->params, b);
}

/* Time to all in intervals: the mean, and the grid points by which 50, 90, 99% were full. */
struct times_to_all {
	double mean, p50, p90, p99;   /* NaN: none within the horizon */
};

static void times_from_tally(const struct request *req, const struct sim_tally *t,
			     struct times_to_all *out)
{
	struct rounds_to_all r;
	struct sim_summary s;

	rounds_from_hist(t->rounds_to_all_hist, tally_last(t), t->trials, &r);
	sim_summarize(t, &s);
	out->mean = s.avg_rounds_to_all;
	out->p50 = r.p50 < 0 ? NAN : point_time(req, r.p50);
	out->p90 = r.p90 < 0 ? NAN : point_time(req, r.p90);
	out->p99 = r.p99 < 0 ? NAN : point_time(req, r.p99);
}

/* {mean, p50, p90, p99} times `scale` (1 for intervals, the interval for seconds); 0 or -1. */
static int add_times(cJSON *o, const char *name, const struct times_to_all *r, double scale)
{
	cJSON *d = cJSON_AddObjectToObject(o, name);

	return d && add_number_or_null(d, "mean", r->mean * scale) == 0 &&
	       add_number_or_null(d, "p50", r->p50 * scale) == 0 &&
	       add_number_or_null(d, "p90", r->p90 * scale) == 0 &&
	       add_number_or_null(d, "p99", r->p99 * scale) == 0 ? 0 : -1;
}

/* A curve point's time: t in intervals, and seconds with an interval; 0 or -1. */
static int add_point_time(cJSON *pt, const struct request *req, int64_t b)
{
	double t = point_time(req, b);

	if (add_number(pt, "t", t) < 0)
		return -1;
	return req->interval > 0 ? add_number(pt, "seconds", t * req->interval) : 0;
}

/*
 * A timed tally's curve, points first … B: calc_fanout's from 0 with
 * full_delivery_prob, simulate_gossip's from 1 with full_delivery_rate (as
 * their aligned curves); 0 or -1.
 */
static int add_timed_curve(cJSON *o, const struct request *req, const struct sim_tally *t, int64_t first,
			   const char *full_name)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	double live = (double)gossip_live(&req->params), n = (double)t->trials;

	if (!curve)
		return -1;
	for (int64_t b = first; b <= tally_last(t); b++) {
		cJSON *pt = cJSON_CreateObject();
		double full = (double)t->full_by_round[b] / n;
		double informed = (double)t->informed_by_round[b] / (n * live);
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return -1;
		}
		if (add_point_time(pt, req, b) < 0)
			return -1;
		/* The aligned order: calc's full then informed, simulate's informed then full. */
		if (first == 0 && add_number(pt, full_name, full) < 0)
			return -1;
		if (add_number(pt, "informed_fraction", informed) < 0)
			return -1;
		if (first != 0 && add_number(pt, full_name, full) < 0)
			return -1;
	}
	return 0;
}

/*
 * simulate_gossip's transmits under independent timers: the sends that count
 * against a transmit limit (memberlist's transmits), their integer sums (for
 * split runs) and mean, and the share of them on pings and acks; 0 or -1.
 */
static int add_transmits(cJSON *o, const struct sim_tally *t)
{
	return add_number(o, "transmits_sum", (double)t->transmits_sum) == 0 &&
	       add_number(o, "probe_transmits_sum", (double)t->probe_transmits_sum) == 0 &&
	       add_number(o, "transmits_mean", (double)t->transmits_sum / (double)t->trials) == 0 &&
	       add_number(o, "probe_transmits_mean", (double)t->probe_transmits_sum / (double)t->trials) == 0
		? 0 : -1;
}

/* simulate_gossip's histogram bin width: hist_bin in intervals, hist_bin_seconds with an interval. */
static int add_hist_bin(cJSON *o, const struct request *req)
{
	double bin = 1.0 / SIM_BINS_PER_INTERVAL;

	if (add_number(o, "hist_bin", bin) < 0)
		return -1;
	return req->interval > 0 ? add_number(o, "hist_bin_seconds", bin * req->interval) : 0;
}

/*
 * Time and bandwidth (MODEL.md): seconds_to_all with an interval (from
 * `times` under independent timers, else from `r`);
 * bytes_per_broadcast with message_bytes (when messages is known);
 * max_bytes_per_s_per_node = 2 K b / interval with both.
 */
static int add_time_and_bytes(cJSON *o, const struct request *req, const struct rounds_to_all *r,
			      const struct times_to_all *times, double messages, int64_t fanout)
{
	int ok = 1;

	if (req->interval > 0 && times)
		ok = add_times(o, "seconds_to_all", times, req->interval) == 0;
	else if (req->interval > 0 && r)
		ok = add_rounds(o, "seconds_to_all", r, req->interval) == 0;
	if (ok && req->message_bytes > 0 && !isnan(messages))
		ok = add_number(o, "bytes_per_broadcast", messages * (double)req->message_bytes) == 0;
	if (ok && req->message_bytes > 0 && req->interval > 0)
		ok = add_number(o, "max_bytes_per_s_per_node",
				2.0 * (double)fanout * (double)req->message_bytes / req->interval) == 0;
	return ok ? 0 : -1;
}

/*
 * Rendering a long answer polls the cancel flag every this many points, so
 * the watchdog's time limit holds while it is built.
 */
#define RENDER_POLL 1024

static int render_cancelled(const atomic_int *cancel, int64_t i)
{
	return i % RENDER_POLL == 0 && fo_cancelled(cancel);
}

/* A probability or a share that rounding carried a few ulps out of [0, 1], put back. */
static double clamp01(double v)
{
	return fmin(fmax(v, 0), 1);
}

/* calc_fanout's per-round curve, r = 0 … R, from the chain at the K returned. */
static int add_chain_curve(cJSON *o, const struct request *req, const struct chain_result *c,
			   const atomic_int *cancel)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	double live = (double)gossip_live(&req->params);

	if (!curve)
		return -1;
	for (int64_t r = 0; r <= c->rounds; r++) {
		cJSON *pt = render_cancelled(cancel, r) ? NULL : cJSON_CreateObject();
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return -1;
		}
		if (add_number(pt, "round", (double)r) < 0 ||
		    add_number(pt, "full_delivery_prob", clamp01(c->p_full[r])) < 0 ||
		    add_number(pt, "informed_fraction", clamp01(c->mean_informed[r] / live)) < 0)
			return -1;
	}
	return 0;
}

/* The same curve from a simulation's tally (the K returned, the search's seed and trials). */
static int add_tally_curve(cJSON *o, const struct request *req, const struct sim_tally *t,
			   const atomic_int *cancel)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	double live = (double)gossip_live(&req->params), n = (double)t->trials;

	if (!curve)
		return -1;
	for (int64_t r = 0; r <= t->rounds; r++) {
		cJSON *pt = render_cancelled(cancel, r) ? NULL : cJSON_CreateObject();
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return -1;
		}
		if (add_number(pt, "round", (double)r) < 0 ||
		    add_number(pt, "full_delivery_prob", (double)t->full_by_round[r] / n) < 0 ||
		    add_number(pt, "informed_fraction", (double)t->informed_by_round[r] / (n * live)) < 0)
			return -1;
	}
	return 0;
}

/* The formula's note: what it leaves out, naming what this request set. */
static int add_formula_note(cJSON *o, const struct request *req)
{
	const struct gossip_params *p = &req->params;
	char note[400];
	size_t used;

	used = (size_t)snprintf(note, sizeof note,
				"the formula treats each round as one independent chance from the origin "
				"alone: it ignores mode, failed_nodes (with failed_known its N is the live "
				"nodes), forward_rounds and transmit_limit, "
				"and gives no rounds_to_all, curve or message counts");
	if (p->mode != GOSSIP_PUSH || (p->failed > 0 && !p->failed_known) || p->forward_rounds > 0 ||
	    p->transmit_limit > 0 || timed(req))
		snprintf(note + used, sizeof note - used, "; ignored here:%s%s%s%s%s",
			 p->mode != GOSSIP_PUSH ? " mode" : "",
			 p->failed > 0 && !p->failed_known ? " failed_nodes" : "",
			 p->forward_rounds > 0 ? " forward_rounds" : "",
			 p->transmit_limit > 0 ? " transmit_limit" : "",
			 timed(req) ? " timers (it counts R = ceil(horizon) rounds)" : "");
	return cJSON_AddStringToObject(o, "note", note) ? 0 : -1;
}

/*
 * The answer of calc_fanout; `chain` is the chain model's run at the K
 * returned, `tally` the simulation's (NULL when not that model).
 */
static cJSON *render_calc(const struct request *req, const struct calc_answer *a,
			  const struct chain_result *chain, const struct sim_tally *tally,
			  const atomic_int *cancel)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;
	struct rounds_to_all r;
	struct times_to_all times;
	double messages = NAN;

	ok = ok && (a->reachable ? add_number(o, "min_fanout", (double)a->fanout) == 0
				 : cJSON_AddNullToObject(o, "min_fanout") != NULL);
	ok = ok && add_number(o, "miss_prob", a->miss_prob) == 0;
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(a->model));
	ok = ok && cJSON_AddBoolToObject(o, "reachable", a->reachable);
	ok = ok && add_number(o, "delivery_prob", a->delivery_prob) == 0;
	ok = ok && add_number(o, "node_miss_prob", a->node_miss_prob) == 0;
	if (ok && !a->reachable)
		ok = add_number(o, "best_fanout", (double)a->fanout) == 0;
	if (ok && (a->model == CALC_EXACT || a->model == CALC_LARGE_N || a->model == CALC_SIMULATION)) {
		double ci[2] = { a->delivery_prob_lo, a->delivery_prob_hi };
		ok = add_number(o, "error_bound", a->error_bound) == 0 &&
		     add_interval(o, "delivery_prob_interval", ci) == 0 &&
		     cJSON_AddBoolToObject(o, "fanout_uncertain", a->fanout_uncertain) &&
		     (a->fanout_possible > 0 || a->fanout == 0
		      ? add_number(o, "min_fanout_possible", (double)a->fanout_possible) == 0
		      : cJSON_AddNullToObject(o, "min_fanout_possible") != NULL);
	}
	if (ok && req->preset)
		ok = add_number(o, "preset_fanout", (double)req->preset->fanout) == 0;
	if (ok && chain) {
		struct gossip_params q = req->params;
		q.fanout = a->fanout;
		rounds_from_cdf(chain->p_full, chain->rounds, &r);
		messages = broadcast_messages(&q, chain->mean_informed);
		ok = add_rounds(o, "rounds_to_all", &r, 1) == 0 &&
		     add_number(o, "messages_per_broadcast", messages) == 0;
		if (ok && req->curve)
			ok = add_chain_curve(o, req, chain, cancel) == 0;
	}
	if (ok && tally) {
		char note[320];
		rounds_from_hist(tally->rounds_to_all_hist, tally_last(tally), tally->trials, &r);
		if (timed(req))
			times_from_tally(req, tally, &times);
		messages = (double)tally->messages_sum / (double)tally->trials;
		ok = (timed(req) ? add_times(o, "rounds_to_all", &times, 1) : add_rounds(o, "rounds_to_all", &r, 1)) == 0 &&
		     add_number(o, "messages_per_broadcast", messages) == 0 &&
		     (!timed(req) || add_number(o, "transmits_per_broadcast",
						(double)tally->transmits_sum / (double)tally->trials) == 0) &&
		     add_number(o, "trials", (double)a->sim_trials) == 0 &&
		     add_number(o, "seed", (double)a->sim_seed) == 0;
		if (ok && req->curve)
			ok = (timed(req) ? add_timed_curve(o, req, tally, 0, "full_delivery_prob")
					 : add_tally_curve(o, req, tally, cancel)) == 0;
		snprintf(note, sizeof note,
			 "a Monte Carlo estimate: %lld trials of the fast simulator (exact in distribution) "
			 "from a seed fixed by the parameters; delivery_prob_interval is a %g%% "
			 "Clopper-Pearson interval, and K is the least whose lower end meets the target",
			 (long long)a->sim_trials, FO_CALC_SIM_CONFIDENCE * 100);
		ok = ok && cJSON_AddStringToObject(o, "note", note) != NULL;
	}
	ok = ok && add_time_and_bytes(o, req, chain || tally ? &r : NULL, tally && timed(req) ? &times : NULL,
				      messages, a->fanout) == 0;
	if (ok && a->model == CALC_FORMULA)
		ok = add_formula_note(o, req) == 0;
	else if (ok && a->model == CALC_LARGE_N && timed(req))
		ok = cJSON_AddStringToObject(o, "note",
					     "large_n under independent timers: delivery_prob_interval covers "
					     "P(full delivery by the horizon); no rounds_to_all, curve or message "
					     "figures (simulate_gossip at this fanout gives them)") != NULL;
	else if (ok && a->model == CALC_LARGE_N)
		ok = cJSON_AddStringToObject(o, "note",
					     "large_n: delivery_prob_interval covers P(full delivery by R); "
					     "rounds_to_all, the curve and messages_per_broadcast are its point "
					     "estimates for each round, without an interval") != NULL;
	ok = ok && add_params(o, req) == 0;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * The answer of calc_fanout with solve_for transmit_limit or interval: the
 * value found (null when unreachable, with the best reached), whether the
 * value below it might suffice, and calc_at's figures at the value (at the
 * largest value searched when unreachable).
 */
static cJSON *render_solve(const struct request *req, const struct solve_answer *s)
{
	const struct calc_answer *a = &s->at;
	const struct gossip_preset *ps = req->preset;
	int64_t n = req->params.nodes;
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;

	ok = ok && cJSON_AddStringToObject(o, "solve_for", req_solve_name(req->solve_for)) != NULL;
	if (req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT) {
		ok = ok && add_count_or_null(o, "min_transmit_limit", s->reachable ? s->value : -1) == 0;
		if (ok && !s->reachable)
			ok = add_number(o, "best_transmit_limit", (double)s->value) == 0;
		ok = ok && cJSON_AddBoolToObject(o, "transmit_limit_uncertain", s->value_uncertain);
		if (ok && ps && ps->retransmit_mult > 0)
			ok = add_count_or_null(o, "retransmit_mult",
					       s->reachable ? gossip_preset_retransmit_mult(ps, n, s->value) : -1) == 0 &&
			     add_number(o, "preset_retransmit_mult", (double)ps->retransmit_mult) == 0 &&
			     add_number(o, "preset_transmit_limit", (double)gossip_preset_transmit_limit(ps, n)) == 0;
	} else {
		double longest = s->reachable ? solve_longest_interval(req->within_seconds, s->value) : NAN;
		ok = ok && add_number_or_null(o, "max_interval", longest) == 0;
		ok = ok && add_count_or_null(o, "min_rounds", s->reachable ? s->value : -1) == 0;
		if (ok && !s->reachable)
			ok = add_number(o, "best_rounds", (double)s->value) == 0;
		ok = ok && cJSON_AddBoolToObject(o, "interval_uncertain", s->value_uncertain);
		if (ok && s->value_uncertain)
			ok = add_number(o, "next_interval", solve_longest_interval(req->within_seconds, s->value - 1)) == 0;
		if (ok && ps)
			ok = add_number(o, "preset_interval", ps->interval) == 0;
	}
	ok = ok && add_number(o, "fanout", (double)a->fanout) == 0;
	ok = ok && cJSON_AddBoolToObject(o, "reachable", s->reachable);
	ok = ok && add_number(o, "miss_prob", a->miss_prob) == 0;
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(a->model));
	ok = ok && add_number(o, "delivery_prob", a->delivery_prob) == 0;
	ok = ok && add_number(o, "node_miss_prob", a->node_miss_prob) == 0;
	if (ok && (a->model == CALC_EXACT || a->model == CALC_LARGE_N || a->model == CALC_SIMULATION)) {
		double ci[2] = { a->delivery_prob_lo, a->delivery_prob_hi };
		ok = add_number(o, "error_bound", a->error_bound) == 0 &&
		     add_interval(o, "delivery_prob_interval", ci) == 0;
	}
	if (ok && a->model == CALC_SIMULATION)
		ok = add_number(o, "trials", (double)a->sim_trials) == 0 && add_number(o, "seed", (double)a->sim_seed) == 0;
	if (ok && ps)
		ok = add_number(o, "preset_fanout", (double)ps->fanout) == 0;
	ok = ok && add_number(o, "evaluations", (double)s->evaluations) == 0;
	ok = ok && add_params(o, req) == 0;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *render_tradeoff(const struct request *req, const struct tradeoff *t,
			      const atomic_int *cancel)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *rows = o ? cJSON_AddArrayToObject(o, "rows") : NULL;
	int ok = rows != NULL;

	for (int64_t i = 0; ok && i < t->count; i++) {
		const struct tradeoff_row *row = &t->rows[i];
		int reached = row->rounds >= 0;
		cJSON *x = render_cancelled(cancel, i) ? NULL : cJSON_CreateObject();
		if (!x || !cJSON_AddItemToArray(rows, x)) {
			cJSON_Delete(x);
			ok = 0;
			break;
		}
		ok = add_number(x, "fanout", (double)row->fanout) == 0 &&
		     (timed(req) ? add_number_or_null(x, "rounds", reached ? row->time : NAN)
				 : add_count_or_null(x, "rounds", row->rounds)) == 0 &&
		     add_number(x, "delivery_prob", row->delivery_prob) == 0 &&
		     add_number(x, "delivery_prob_by_max_rounds", row->prob_by_max_rounds) == 0 &&
		     add_number_or_null(x, "messages_per_broadcast", row->messages) == 0;
		if (ok && req->chosen == CALC_EXACT)
			ok = add_number(x, "error_bound", row->error_bound) == 0;
		if (ok && row->model == CALC_SIMULATION) {
			double ci[2] = { row->p_lo, row->p_hi };
			ok = cJSON_AddStringToObject(x, "model", "simulation") != NULL &&
			     add_interval(x, "delivery_prob_interval", ci) == 0 &&
			     add_number(x, "trials", (double)row->trials) == 0 &&
			     add_number(x, "seed", (double)row->seed) == 0;
		}
		if (ok && row->model == CALC_LARGE_N) {
			double ci[2] = { row->p_lo, row->p_hi };
			ok = cJSON_AddStringToObject(x, "model", "large_n") != NULL &&
			     add_interval(x, "delivery_prob_interval", ci) == 0;
		}
		if (ok && req->interval > 0)
			ok = add_number_or_null(x, "seconds", !reached ? NAN
							      : timed(req) ? row->time * req->interval
							      : (double)row->rounds * req->interval) == 0;
		if (ok && req->message_bytes > 0)
			ok = add_number_or_null(x, "bytes_per_broadcast",
						row->messages * (double)req->message_bytes) == 0;
	}
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(req->chosen));
	if (ok && req->chosen == CALC_MEAN_FIELD)
		ok = cJSON_AddStringToObject(o, "note",
					     "the mean field errs on the optimistic side (too few rounds, "
					     "about one round early when there is loss, pull or failures); "
					     "check a row with simulate_gossip") != NULL;
	else if (ok && req->chosen == CALC_LARGE_N)
		ok = cJSON_AddStringToObject(o, "note",
					     "large-N estimates: for each K, large_n's curve to max_rounds proposes "
					     "the least rounds and large_n at those rounds confirms them: a row's "
					     "rounds is the least r whose interval's lower end meets the target "
					     "(a K large_n cannot follow is simulated, and says so)") != NULL;
	else if (ok && req->chosen == CALC_SIMULATION)
		ok = cJSON_AddStringToObject(o, "note",
					     "Monte Carlo estimates: for each K, trials of the fast simulator at "
					     "max_rounds from a seed fixed by the parameters; a row's rounds is "
					     "the least r whose Clopper-Pearson lower end (99.9%) of P(full by r) "
					     "meets the target") != NULL;
	ok = ok && add_params(o, req) == 0;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* simulate_gossip's per-round means, r = 0 … R like calc_fanout's curve. */
static int add_curve(cJSON *o, const struct sim_tally *t, const atomic_int *cancel)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	double n = (double)t->trials, live = (double)t->live;

	if (!curve)
		return -1;
	for (int64_t r = 0; r <= t->rounds; r++) {
		cJSON *pt = render_cancelled(cancel, r) ? NULL : cJSON_CreateObject();
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return -1;
		}
		if (add_number(pt, "round", (double)r) < 0 ||
		    add_number(pt, "informed_fraction", (double)t->informed_by_round[r] / (n * live)) < 0 ||
		    add_number(pt, "full_delivery_rate", (double)t->full_by_round[r] / n) < 0)
			return -1;
	}
	return 0;
}

/* A 128-bit count in decimal: JSON numbers are exact only to 2^53. */
static int add_u128(cJSON *o, const char *name, unsigned __int128 v)
{
	char digits[40], *p = digits + sizeof digits - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	return cJSON_AddStringToObject(o, name, p) ? 0 : -1;
}

/* The methods of the two intervals, as openapi.yaml names them: 0, or -1 if out of memory. */
static int add_interval_methods(cJSON *o)
{
	cJSON *m = cJSON_AddObjectToObject(o, "interval_methods");

	return m && cJSON_AddStringToObject(m, "delivery_rate_ci", SIM_DELIVERY_CI_METHOD) &&
	       cJSON_AddStringToObject(m, "full_delivery_rate_ci", SIM_FULL_CI_METHOD) ? 0 : -1;
}

/* req_render_tally, stopping (NULL) when *cancel is set. */
static cJSON *render_tally(const struct request *req, const struct sim_tally *t, const atomic_int *cancel)
{
	struct sim_summary s;
	struct rounds_to_all r;
	struct times_to_all times;
	cJSON *o = cJSON_CreateObject();
	cJSON *hist;
	int ok = o != NULL;

	sim_summarize(t, &s);
	rounds_from_hist(t->rounds_to_all_hist, tally_last(t), t->trials, &r);
	if (timed(req))
		times_from_tally(req, t, &times);
	ok = ok && add_number(o, "delivery_rate", s.delivery_rate) == 0;
	ok = ok && (isnan(s.avg_rounds_to_all)
		    ? cJSON_AddNullToObject(o, "avg_rounds_to_all") != NULL
		    : add_number(o, "avg_rounds_to_all", s.avg_rounds_to_all) == 0);
	ok = ok && add_interval(o, "delivery_rate_ci", s.delivery_ci) == 0;
	ok = ok && add_number(o, "full_delivery_rate", s.full_rate) == 0;
	ok = ok && add_interval(o, "full_delivery_rate_ci", s.full_ci) == 0;
	ok = ok && add_interval_methods(o) == 0;
	ok = ok && add_number(o, "trials_full", (double)t->trials_full) == 0;
	ok = ok && add_number(o, "trials", (double)t->trials) == 0;
	ok = ok && add_number(o, "first_trial", (double)req->first_trial) == 0;
	ok = ok && add_number(o, "messages_mean", s.messages_mean) == 0;
	ok = ok && add_number(o, "seed", (double)req->seed) == 0;
	ok = ok && cJSON_AddStringToObject(o, "model", "simulation");
	ok = ok && cJSON_AddStringToObject(o, "simulator", "fast");
	ok = ok && add_number(o, "informed_sum", (double)t->informed_sum) == 0;
	ok = ok && add_number(o, "rounds_to_all_sum", (double)t->rounds_to_all_sum) == 0;
	ok = ok && add_number(o, "messages_sum", (double)t->messages_sum) == 0;
	ok = ok && add_u128(o, "informed_sq_sum", t->informed_sq_sum) == 0;
	if (ok && timed(req))
		ok = add_transmits(o, t) == 0;
	ok = ok && (timed(req) ? add_times(o, "rounds_to_all", &times, 1) : add_rounds(o, "rounds_to_all", &r, 1)) == 0;
	if (ok && timed(req))
		ok = add_hist_bin(o, req) == 0;
	ok = ok && (hist = cJSON_AddArrayToObject(o, "rounds_to_all_hist")) != NULL;
	for (int64_t k = 0; ok && k <= tally_last(t); k++) {
		cJSON *n = render_cancelled(cancel, k) ? NULL : cJSON_CreateNumber((double)t->rounds_to_all_hist[k]);
		ok = n && cJSON_AddItemToArray(hist, n);
		if (!ok)
			cJSON_Delete(n);
	}
	ok = ok && add_time_and_bytes(o, req, &r, timed(req) ? &times : NULL, s.messages_mean,
				      req->params.fanout) == 0;
	if (ok && req->curve)
		ok = (timed(req) ? add_timed_curve(o, req, t, 1, "full_delivery_rate") : add_curve(o, t, cancel)) == 0;
	ok = ok && add_params(o, req) == 0;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *req_render_tally(const struct request *req, const struct sim_tally *t)
{
	return render_tally(req, t, NULL);
}

/*
 * Member `name` of o (o itself when name is NULL) as a whole number in
 * 0 … 2^53 (exact in a double); -1 if it is not one.
 */
static int read_count(const cJSON *o, const char *name, uint64_t *out)
{
	const cJSON *v = name ? cJSON_GetObjectItemCaseSensitive(o, name) : o;

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 0x1p53) ||
	    floor(v->valuedouble) != v->valuedouble)
		return -1;
	*out = (uint64_t)v->valuedouble;
	return 0;
}

/* The count behind a rate: k with k / d == rate, d < 2^53, or -1. */
static int64_t read_rate(const cJSON *o, const char *name, double d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || !(d < 0x1p53))
		return -1;
	return (int64_t)llround(v->valuedouble * d);
}

/*
 * Reads a timed answer's curve back into t by position (its times are the
 * grid's, checked when the tally renders again).  0, or -1 if it is not one.
 */
static int read_timed_curve(const cJSON *curve, int64_t first, const char *full_name, struct sim_tally *t)
{
	const cJSON *pt;
	int64_t b = first;

	if (!cJSON_IsArray(curve) || cJSON_GetArraySize(curve) != tally_last(t) - first + 1)
		return -1;
	cJSON_ArrayForEach(pt, curve) {
		t->informed_by_round[b] = (uint64_t)read_rate(pt, "informed_fraction",
							      (double)t->trials * (double)t->live);
		t->full_by_round[b] = read_rate(pt, full_name, (double)t->trials);
		b++;
	}
	return 0;
}

int req_read_tally(const struct request *req, const cJSON *answer, struct sim_tally *t)
{
	const cJSON *sq = cJSON_GetObjectItemCaseSensitive(answer, "informed_sq_sum");
	const cJSON *curve = cJSON_GetObjectItemCaseSensitive(answer, "curve");
	const cJSON *hist = cJSON_GetObjectItemCaseSensitive(answer, "rounds_to_all_hist"), *count;
	int64_t round = 0;
	uint64_t trials, full;
	char *want, *got;
	cJSON *again;
	int same;

	if (read_count(answer, "trials", &trials) < 0 || read_count(answer, "trials_full", &full) < 0 ||
	    read_count(answer, "informed_sum", &t->informed_sum) < 0 ||
	    read_count(answer, "rounds_to_all_sum", &t->rounds_to_all_sum) < 0 ||
	    read_count(answer, "messages_sum", &t->messages_sum) < 0 || !cJSON_IsString(sq) ||
	    !sq->valuestring[0] || strspn(sq->valuestring, "0123456789") != strlen(sq->valuestring) ||
	    strlen(sq->valuestring) > 38 || trials == 0)
		return -1;
	if (timed(req) && (read_count(answer, "transmits_sum", &t->transmits_sum) < 0 ||
			   read_count(answer, "probe_transmits_sum", &t->probe_transmits_sum) < 0))
		return -1;
	t->trials = (int64_t)trials;
	t->trials_full = (int64_t)full;
	t->informed_sq_sum = 0;
	for (const char *c = sq->valuestring; *c; c++)
		t->informed_sq_sum = t->informed_sq_sum * 10 + (unsigned)(*c - '0');
	if (!cJSON_IsArray(hist) || cJSON_GetArraySize(hist) != tally_last(t) + 1)
		return -1;
	for (count = hist->child; count; count = count->next, round++) {
		uint64_t k;
		if (read_count(count, NULL, &k) < 0)
			return -1;
		t->rounds_to_all_hist[round] = (int64_t)k;
	}
	if (req->curve && timed(req)) {
		if (read_timed_curve(curve, 1, "full_delivery_rate", t) < 0)
			return -1;
	} else if (req->curve) {
		const cJSON *pt;
		if (!cJSON_IsArray(curve))
			return -1;
		cJSON_ArrayForEach(pt, curve) {
			uint64_t r;
			if (read_count(pt, "round", &r) < 0 || r > (uint64_t)t->rounds)
				return -1;
			t->informed_by_round[r] = (uint64_t)read_rate(pt, "informed_fraction",
								      (double)t->trials * (double)t->live);
			t->full_by_round[r] = read_rate(pt, "full_delivery_rate", (double)t->trials);
		}
	}
	/* The proof that nothing was lost: the tally renders as the answer it came from. */
	again = req_render_tally(req, t);
	want = cJSON_PrintUnformatted(answer);
	got = again ? cJSON_PrintUnformatted(again) : NULL;
	same = want && got && strcmp(want, got) == 0;
	cJSON_free(want);
	cJSON_free(got);
	cJSON_Delete(again);
	return same ? 0 : -1;
}

/* The request error for a core status other than FO_OK while running req. */
static void core_failure(struct req_error *err, enum fo_status st, const struct request *req,
			 double budget)
{
	const char *field, *advice;

	if (st == FO_CANCELLED) {
		fail(err, REQ_CANCELLED, NULL, "the request was cancelled");
	} else if (st == FO_TOO_LARGE) {
		req_budget_advice(req, &field, &advice);
		fail(err, REQ_OVER_BUDGET, field,
		     "the %s computation grew past the work budget %.3g while running; lower \"%s\"%s",
		     req->op == REQ_SIMULATE_GOSSIP ? "simulation" : calc_model_name(req->chosen), budget,
		     field, advice);
		err->estimate = budget;
		err->budget = budget;
	} else {
		fail(err, REQ_FAILED, NULL, "out of memory");
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
		o = render_solve(req, &s);
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
			fail(err, REQ_OVER_BUDGET, "target_prob",
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
			o = render_calc(req, &a, NULL, NULL, cancel);
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
			o = st == FO_OK ? render_calc(req, &a, NULL, &t, cancel) : NULL;
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
			o = render_calc(req, &a, &c, NULL, cancel);
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
		o = render_tradeoff(req, &t, cancel);
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
		o = st == FO_OK ? render_tally(req, &t, cancel) : NULL;
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
