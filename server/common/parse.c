/* SPDX-License-Identifier: MIT */
/*
 * parse.c — a request's fields read and checked (req_parse).
 *
 * Field rules follow docs/API.md: integers must be JSON integers (25.0
 * passes, 25.5, "25" and true do not), unknown fields are ignored, null means
 * absent, and every rejection names its field.  Parsing reads each field
 * through the table `fields` below; the model's domains (nodes, rounds, loss,
 * …) are checked by the core's gossip_params_check, so they are stated once.
 * Presets fill what the request left unset, then the timers and the time
 * budget, then each operation's own rules.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fanout/config.h"
#include "options.h"
#include "request_impl.h"

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
	{ "seeds", ALL, 0, F_INT, 1, AT(params.seeds), AT(params.seed_gossip), 0 },
	{ "model", CALC | TRADE, 0, F_MODEL, 0, AT(model), -1, 0 },
	{ "min_fanout", TRADE, 0, F_INT, 0, AT(min_fanout), -1, 1 },
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
void req_add_error(struct req_error *err, const char *field, const char *fmt, ...)
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
			req_add_error(err, f->name, "\"%s\" must be an integer", f->name);
		else if (!f->in_model && (i < f->lo || i > FO_MAX_JSON_INT))
			req_add_error(err, f->name, "\"%s\" must be an integer from %lld to 2^53 - 1",
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
			req_add_error(err, f->name, "\"%s\" must be a number", f->name);
		else
			*(double *)(void *)at = v->valuedouble;
		break;
	case F_POSITIVE:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > 0))
			req_add_error(err, f->name, "\"%s\" must be a number greater than 0", f->name);
		else
			*(double *)(void *)at = v->valuedouble;
		break;
	case F_OPEN_PROB:
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble < 1))
			req_add_error(err, f->name, "\"%s\" must be a number greater than 0 and less than 1",
				  f->name);
		else
			*(double *)(void *)at = v->valuedouble;
		break;
	case F_BOOL:
		if (!cJSON_IsBool(v))
			req_add_error(err, f->name, "\"%s\" must be true or false", f->name);
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
		req_add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	case F_MODEL: {
		enum calc_model m;
		if (cJSON_IsString(v) && calc_model_parse(v->valuestring, &m) == 0) {
			req->model = m;
			break;
		}
		name_list(names, sizeof names, model_name, CALC_MODEL_COUNT);
		req_add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	case F_PRESET:
		if (cJSON_IsString(v) && (req->preset = gossip_preset_find(v->valuestring)))
			break;
		name_list(names, sizeof names, preset_name, gossip_preset_count());
		req_add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	case F_TIMERS: {
		enum gossip_timers t;
		if (cJSON_IsString(v) && gossip_timers_parse(v->valuestring, &t) == 0) {
			*(int *)(void *)at = t == GOSSIP_TIMERS_INDEPENDENT;
			break;
		}
		name_list(names, sizeof names, timers_name, GOSSIP_TIMERS_COUNT);
		req_add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
		break;
	}
	case F_SOLVE:
		if (cJSON_IsString(v) && solve_parse(v->valuestring, &req->solve_for) == 0)
			break;
		name_list(names, sizeof names, solve_name, REQ_SOLVE_COUNT);
		req_add_error(err, f->name, "\"%s\" must be one of %s", f->name, names);
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
		req_add_error(err, "sync_interval",
			  "\"sync_interval\" needs \"timers\": \"independent\" (anti-entropy runs on "
			  "timers of its own)");
	else if (req->has_sync_interval && !(req->interval > 0) && req->solve_for != REQ_SOLVE_INTERVAL)
		req_add_error(err, "sync_interval",
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
		req_add_error(err, "probe_interval",
			  "\"probe_interval\" needs \"timers\": \"independent\" (probes run on timers "
			  "of their own)");
	else if (req->has_probe_interval && !(req->interval > 0) && req->solve_for != REQ_SOLVE_INTERVAL)
		req_add_error(err, "probe_interval",
			  "\"probe_interval\" needs \"interval\" (or a preset that sets it): probes are "
			  "timed against the gossip interval");
	req->params.timers = req->independent ? GOSSIP_TIMERS_INDEPENDENT : GOSSIP_TIMERS_ALIGNED;
	if (req->independent && req->probe_interval > 0 && req->interval > 0)
		req->params.probe_interval = req->probe_interval / req->interval;
	apply_sync(req, err);
	if (req->solve_for == REQ_SOLVE_INTERVAL) {
		/* The rounds are searched, up to FO_SOLVE_MAX_ROUNDS; within_seconds is what they must fit. */
		req->params.rounds = FO_SOLVE_MAX_ROUNDS;
		if (req->independent && req->within_seconds > 0 && isfinite(req->within_seconds)) {
			/* Probe and sync periods in intervals at that horizon, of within_seconds / R each (solve.h). */
			double top = req->within_seconds / FO_SOLVE_MAX_ROUNDS;
			double longest = fmax(req->probe_interval, req->sync_interval);
			req->params.probe_interval = req->probe_interval > 0 ? req->probe_interval / top : 0;
			req->params.sync_interval = req->sync_interval > 0 ? req->sync_interval / top : 0;
			if (!(longest / top <= FO_MAX_ROUNDS)) {
				/* Reported once, as the budget: the periods cleared keep the core from naming them too. */
				req->params.probe_interval = req->params.sync_interval = 0;
				req_add_error(err, "within_seconds",
					  "\"within_seconds\" must be at least %g s to solve for the interval with "
					  "%s every %g s (%lld intervals of within_seconds / %d at most, each)",
					  longest * FO_SOLVE_MAX_ROUNDS / (double)FO_MAX_ROUNDS,
					  req->sync_interval > req->probe_interval ? "syncs" : "probes", longest,
					  (long long)FO_MAX_ROUNDS, FO_SOLVE_MAX_ROUNDS);
			}
		}
		return;
	}
	if (!req->has_within_seconds)
		return;
	if (given(json, rounds)) {
		req_add_error(err, "within_seconds",
			  "\"within_seconds\" stands for \"%s\": give one of them, not both", rounds);
		return;
	}
	/* A bad budget is reported once, as itself: one round keeps the core from also naming rounds. */
	q = 1;
	if (!(req->interval > 0)) {
		req_add_error(err, "within_seconds",
			  "\"within_seconds\" needs \"interval\" (or a preset that sets it) to count "
			  "rounds");
	} else {
		q = req->within_seconds / req->interval;
		q = req->independent ? snap(q, 4) : floor(snap(q, 1));
		if (q < 1 && !req->independent)
			req_add_error(err, "within_seconds",
				  "\"within_seconds\" must be at least \"interval\" (%g s) under aligned "
				  "timers: it stands for floor(within_seconds / interval) rounds",
				  req->interval);
		else if (!(q <= FO_MAX_ROUNDS))
			req_add_error(err, "within_seconds",
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

/*
 * tradeoff's own fields: max_rounds is the model's R, min_fanout and
 * max_fanout at most N - 1 (min_fanout at most max_fanout), no formula.
 */
void req_check_tradeoff(struct request *req, const cJSON *json, struct req_error *err)
{
	long long top = (long long)req->params.nodes - 1;
	/* With failed_known a sender picks among the live nodes only: K at most L - 1, as for "fanout". */
	int known = req->params.failed_known && req->params.failed >= 0 && req->params.failed <= top;

	(void)json;
	if (known)
		top -= (long long)req->params.failed;

	if (req->max_rounds == 0)
		req->max_rounds = FO_TRADEOFF_MAX_ROUNDS;
	if (req->max_rounds > FO_MAX_ROUNDS)
		req_add_error(err, "max_rounds", "\"max_rounds\" must be an integer from 1 to %lld",
			  (long long)FO_MAX_ROUNDS);
	req->params.rounds = req->max_rounds > FO_MAX_ROUNDS ? 1 : req->max_rounds;
	if (req->params.nodes >= 2 && req->max_fanout > top)
		req_add_error(err, "max_fanout", "\"max_fanout\" must be an integer from 1 to %lld%s", top,
			      known ? " (the live nodes less one, with \"failed_known\")" : "");
	if (req->params.nodes >= 2 && req->min_fanout > top)
		req_add_error(err, "min_fanout", "\"min_fanout\" must be an integer from 1 to %lld%s", top,
			      known ? " (the live nodes less one, with \"failed_known\")" : "");
	else if (req->max_fanout > 0 && req->min_fanout > req->max_fanout)
		req_add_error(err, "min_fanout", "\"min_fanout\" must be at most \"max_fanout\" (%lld)",
			      (long long)req->max_fanout);
	if (req->model == CALC_FORMULA)
		req_add_error(err, "model",
			  "\"model\" must be auto, exact, large_n, simulation or mean_field for tradeoff (it "
			  "needs P(full delivery) for every round)");
}

/*
 * calc_fanout's solve_for: the fields each knob needs and those it answers
 * (so a client cannot give them).
 */
void req_check_calc(struct request *req, const cJSON *json, struct req_error *err)
{
	if (req->solve_for == REQ_SOLVE_FANOUT) {
		if (req->has_fanout)
			req_add_error(err, "fanout",
				  "\"fanout\" is what calc_fanout solves for; give it only with \"solve_for\": "
				  "\"transmit_limit\" or \"interval\"");
		return;
	}
	if (!req->has_fanout && !req->preset)
		req_add_error(err, "fanout", "\"fanout\" is required with \"solve_for\": \"%s\" (or a preset that "
			  "sets it)", req_solve_name(req->solve_for));
	if (req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT) {
		if (req->has_transmit_limit)
			req_add_error(err, "transmit_limit",
				  "\"transmit_limit\" is what \"solve_for\": \"transmit_limit\" answers; leave it out");
		if (req->has_forward_rounds)
			req_add_error(err, "forward_rounds",
				  "\"forward_rounds\" cannot be given with \"solve_for\": \"transmit_limit\" (the "
				  "limit searched replaces it)");
		if (!gossip_pushes(req->params.mode))
			req_add_error(err, "solve_for",
				  "\"solve_for\": \"transmit_limit\" needs a mode that pushes (push or push_pull): "
				  "the limit bounds a node's pushes");
		return;
	}
	if (given(json, "interval"))
		req_add_error(err, "interval",
			  "\"interval\" is what \"solve_for\": \"interval\" answers; leave it out");
	if (given(json, "rounds"))
		req_add_error(err, "rounds",
			  "\"rounds\" cannot be given with \"solve_for\": \"interval\" (the rounds are searched; "
			  "give the time budget \"within_seconds\")");
	if (!req->has_within_seconds)
		req_add_error(err, "within_seconds",
			  "\"within_seconds\" is required with \"solve_for\": \"interval\" (the time budget "
			  "the interval must meet)");
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
		req_add_error(err, "interval",
			  "\"interval\" times the rounds must be a finite number of seconds; lower \"interval\"");
	else if (req->message_bytes > 0 && !isfinite(2 * fmax(nodes, 1) * (double)req->message_bytes / req->interval))
		req_add_error(err, "interval",
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
			req_add_error(err, found[i].field, "%s", found[i].detail);
	}
}

/* err->detail: every problem, joined by "; ". */
void req_join_details(struct req_error *err)
{
	size_t used = 0, size = sizeof err->detail;

	for (int i = 0; i < err->count && i < FO_MAX_FIELD_ERRORS && used < size; i++)
		used += (size_t)snprintf(err->detail + used, size - used, "%s%s", i ? "; " : "",
					 err->errors[i].detail);
	if (err->count > FO_MAX_FIELD_ERRORS && used < size)
		snprintf(err->detail + used, size - used, "; and %d more", err->count - FO_MAX_FIELD_ERRORS);
}

enum req_status req_fail(struct req_error *err, enum req_status st, const char *field,
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
		i = 0;
		while (i < NFIELDS && strcmp(fields[i].name, m->string) != 0)
			i++;
		if (i < NFIELDS && (fields[i].ops & OP_BIT(op)))
			continue;
		if (i < NFIELDS)
			other = req_op_name(op);
		/* Only an unknown name needs the nearest (edit distances cost: not per known field). */
		for (size_t j = 0; i == NFIELDS && j < NFIELDS; j++) {
			int d = opt_edit_distance(m->string, fields[j].name);
			if ((fields[j].ops & OP_BIT(op)) && d < best) {
				best = d;
				nearest = fields[j].name;
			}
		}
		if (err->count < FO_MAX_FIELD_ERRORS) {
			/* The name as sent, cut, anything but printable ASCII as '?'. */
			char *name = err->errors[err->count].name;
			size_t k;
			for (k = 0; m->string[k] && k + 1 < sizeof err->errors[0].name; k++)
				name[k] = m->string[k] >= 0x20 && m->string[k] < 0x7f ? m->string[k] : '?';
			name[k] = '\0';
			if (other)
				req_add_error(err, name, "\"%s\" is not a field of %s", name, other);
			else if (nearest)
				req_add_error(err, name, "unknown field \"%s\" (did you mean \"%s\"?)", name, nearest);
			else
				req_add_error(err, name, "unknown field \"%s\"", name);
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
		return req_fail(err, REQ_BAD_FIELD, NULL, "the request must be a JSON object");
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, f->name);
		if (!(f->ops & OP_BIT(op)))
			continue;
		if (v && !cJSON_IsNull(v))
			read_field(f, v, out, err);
		else if ((f->required & OP_BIT(op)) &&
			 !(out->preset && f->offset == AT(params.fanout)) && !timers_waive(f, json, out))
			req_add_error(err, f->name, "\"%s\" is required", f->name);
	}
	apply_preset(out);
	apply_timers(out, json, err);
	if (req_ops[op].check)
		req_ops[op].check(out, json, err);
	check_model(out, err);
	check_time(out, err);
	if (out->first_trial > FO_MAX_JSON_INT - out->trials)
		req_add_error(err, "first_trial", "\"first_trial\" + \"trials\" must be at most 2^53 - 1");
	check_unknown(op, json, err);
	if (err->count) {
		req_join_details(err);
		return REQ_BAD_FIELD;
	}
	return REQ_OK;
}
