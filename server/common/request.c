/* SPDX-License-Identifier: MIT */
/*
 * request.c — the request layer's operations and its JSON text in and out:
 * the table of operations (their names, and the functions that parse, plan,
 * run and render each), and the strict parser and exact printer every front
 * end uses.  The rest of the layer is
 * one file per step (request_impl.h says which): parse.c, plan.c, execute.c
 * and render.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request_impl.h"

/*
 * The operations, as Redis keeps its commands: each row names the operation
 * and its reply, and holds the functions each step of the layer calls for it
 * (request_impl.h says what each does).  A new operation is a row here, its
 * fields' bits in parse.c's table, and its functions.
 */
const struct req_op_def req_ops[REQ_OP_COUNT] = {
	[REQ_CALC_FANOUT] = {
		.name = "calc_fanout", .reply_type = "calc_fanout_ok", .check = req_check_calc,
		.plan = req_plan_calc, .advise = req_advise_calc, .answer_size = NULL,
		.run = req_run_calc, .render = req_render_calc,
	},
	[REQ_SIMULATE_GOSSIP] = {
		.name = "simulate_gossip", .reply_type = "simulate_gossip_ok", .check = NULL,
		.plan = req_plan_sim, .advise = req_advise_sim, .answer_size = req_answer_size_sim,
		.run = req_run_sim, .render = req_render_sim,
	},
	[REQ_TRADEOFF] = {
		.name = "tradeoff", .reply_type = "tradeoff_ok", .check = req_check_tradeoff,
		.plan = req_plan_tradeoff, .advise = req_advise_tradeoff,
		.answer_size = req_answer_size_tradeoff,
		.run = req_run_tradeoff, .render = req_render_tradeoff,
	},
};

const char *req_op_name(enum req_op op)
{
	return req_ops[op].name;
}

const char *req_op_reply_type(enum req_op op)
{
	return req_ops[op].reply_type;
}

int req_op_parse(const char *name, enum req_op *out)
{
	for (int i = 0; i < REQ_OP_COUNT; i++) {
		if (strcmp(name, req_ops[i].name) == 0) {
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
