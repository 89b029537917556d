/* SPDX-License-Identifier: MIT */
/*
 * test_request.c — the shared request layer: every rule names its field,
 * budgets refuse before work, "auto" picks the model, answers carry the
 * fields API.md lists.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fanout/sim.h"
#include "fanout/solve.h"
#include "request.h"
#include "request_impl.h"
#include "settings.h"
#include "suites.h"

static const struct {
	enum req_op op;
	const char *json;
	const char *field;     /* NULL: accepted */
	const char *detail;    /* substring of the error text */
} parses[] = {
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25.0,\"target_prob\":0.99,\"rounds\":5}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"extra\":[1]}", "extra", "unknown field \"extra\"" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"los\":0.3}", "los", "unknown field \"los\" (did you mean \"loss\"?)" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"trials\":3}", "trials", "\"trials\" is not a field of calc_fanout" },
	{ REQ_TRADEOFF, "{\"nodes\":25,\"target_prob\":0.99,\"max_round\":5}", "max_round", "(did you mean \"max_rounds\"?)" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"sed\":1,\"\u00e9\u00e9\":1}", "sed", "(did you mean \"seed\"?); unknown field \"????\"" },
	{ REQ_CALC_FANOUT, "{\"target_prob\":0.99,\"rounds\":5}", "nodes", "\"nodes\" is required" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25.5,\"target_prob\":0.99,\"rounds\":5}", "nodes", "must be an integer" },
	{ REQ_CALC_FANOUT, "{\"nodes\":\"25\",\"target_prob\":0.99,\"rounds\":5}", "nodes", "must be an integer" },
	{ REQ_CALC_FANOUT, "{\"nodes\":true,\"target_prob\":0.99,\"rounds\":5}", "nodes", "must be an integer" },
	{ REQ_CALC_FANOUT, "{\"nodes\":0,\"target_prob\":0.99,\"rounds\":5}", "nodes", "from 1 to 2^53 - 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":1e300,\"target_prob\":0.99,\"rounds\":5}", "nodes", "from 1 to 2^53 - 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":1,\"rounds\":5}", "target_prob", "greater than 0 and less than 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0,\"rounds\":5}", "target_prob", "greater than 0" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"rounds\":5}", "target_prob", "is required" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":0}", "rounds", "from 1 to 1000000" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":-3}", "rounds", "from 1 to 1000000" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"model\":\"magic\"}", "model", "auto, exact, mean_field, formula" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"mode\":3}", "mode", "push, pull, push_pull" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"loss\":1}", "loss", "up to but not including 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"loss\":-0.1}", "loss", "from 0" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"failed_nodes\":25}", "failed_nodes", "from 0 to 24" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"forward_rounds\":0}", "forward_rounds", "from 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"forward_rounds\":null}", NULL, NULL },
	{ REQ_CALC_FANOUT, "[1,2]", NULL, "must be a JSON object" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":50}", NULL, NULL },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"rounds\":5,\"trials\":50}", "fanout", "is required" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":10,\"rounds\":5,\"trials\":50}", "fanout", "from 0 to 9" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":0}", "trials", "from 1" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"seed\":-1}", "seed", "from 0 to 2^53 - 1" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"seed\":9007199254740992}", "seed", "2^53 - 1" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"curve\":1}", "curve", "true or false" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"first_trial\":1.5}", "first_trial", "integer" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"transmit_limit\":0}", "transmit_limit", "from 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"transmit_limit\":4,\"forward_rounds\":2}", "transmit_limit", "cannot both be given" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"preset\":\"consul\"}", "preset", "memberlist-lan, memberlist-wan, memberlist-local, cassandra" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"interval\":0}", "interval", "greater than 0" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"interval\":\"1s\"}", "interval", "greater than 0" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"message_bytes\":0}", "message_bytes", "from 1" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"curve\":true,\"preset\":\"cassandra\"}", NULL, NULL },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"rounds\":5,\"trials\":5,\"preset\":\"memberlist-lan\"}", NULL, NULL },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"rounds\":5,\"trials\":5,\"transmit_limit\":-2}", "fanout", "is required" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99}", NULL, NULL },
	{ REQ_TRADEOFF, "{\"nodes\":100}", "target_prob", "is required" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"max_fanout\":100}", "max_fanout", "from 1 to 99" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"max_fanout\":0}", "max_fanout", "from 1" },
	{ REQ_TRADEOFF, "{\"nodes\":20,\"target_prob\":0.9,\"failed_nodes\":3,\"failed_known\":true,\"max_fanout\":17}", "max_fanout", "from 1 to 16 (the live nodes less one" },
	{ REQ_TRADEOFF, "{\"nodes\":20,\"target_prob\":0.9,\"failed_nodes\":3,\"failed_known\":true,\"min_fanout\":17}", "min_fanout", "from 1 to 16 (the live nodes less one" },
	{ REQ_TRADEOFF, "{\"nodes\":20,\"target_prob\":0.9,\"failed_nodes\":3,\"max_fanout\":19}", NULL, NULL },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"min_fanout\":0}", "min_fanout", "from 1" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"min_fanout\":100}", "min_fanout", "from 1 to 99" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"min_fanout\":5,\"max_fanout\":4}", "min_fanout", "at most \"max_fanout\" (4)" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"min_fanout\":4,\"max_fanout\":4}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"min_fanout\":2}", "min_fanout", "not a field of calc_fanout" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"max_rounds\":2000000}", "max_rounds", "from 1 to 1000000" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"model\":\"formula\"}", "model", "auto, exact, large_n, simulation or mean_field" },
	/* Timers and the time budget. */
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"timers\":\"lockstep\"}", "timers", "aligned, independent" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"timers\":1}", "timers", "aligned, independent" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"timers\":\"aligned\"}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"timers\":null,\"probe_interval\":null,\"within_seconds\":null}", NULL, NULL },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"interval\":0.2,\"probe_interval\":1}", "probe_interval", "needs \"timers\": \"independent\"" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"timers\":\"independent\",\"probe_interval\":1}", "probe_interval", "needs \"interval\"" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"timers\":\"independent\",\"interval\":0.2,\"probe_interval\":0}", "probe_interval", "greater than 0" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"timers\":\"aligned\",\"preset\":\"memberlist-lan\",\"probe_interval\":1}", "probe_interval", "needs \"timers\": \"independent\"" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"trials\":5,\"interval\":0.2,\"within_seconds\":1}", NULL, NULL },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"trials\":5,\"within_seconds\":1}", "within_seconds", "needs \"interval\"" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"interval\":0.2,\"within_seconds\":1}", "within_seconds", "not both" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"trials\":5,\"interval\":0.2,\"within_seconds\":-1}", "within_seconds", "greater than 0" },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"trials\":5,\"interval\":0.2,\"within_seconds\":\"1s\"}", "within_seconds", "greater than 0" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"interval\":0.2,\"within_seconds\":0.1}", "within_seconds", "at least \"interval\"" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"interval\":1,\"within_seconds\":2e6}", "within_seconds", "at most 1000000 intervals" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"preset\":\"memberlist-lan\",\"within_seconds\":1}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9}", "rounds", "is required" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"interval\":0.5,\"within_seconds\":5}", NULL, NULL },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"interval\":0.5,\"within_seconds\":5,\"max_rounds\":4}", "within_seconds", "stands for \"max_rounds\"" },
	/* calc_fanout's solve_for: the fields each knob needs and those it answers. */
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"gossip_nodes\"}", "solve_for", "fanout, transmit_limit, interval" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"fanout\":3}", "fanout", "what calc_fanout solves for" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\"}", "fanout", "is required with \"solve_for\"" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\",\"fanout\":3}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\",\"fanout\":25}", "fanout", "from 0 to 24" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\",\"preset\":\"memberlist-lan\"}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\",\"fanout\":3,\"transmit_limit\":4}", "transmit_limit", "answers; leave it out" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\",\"fanout\":3,\"forward_rounds\":2}", "forward_rounds", "cannot be given" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":5,\"solve_for\":\"transmit_limit\",\"fanout\":3,\"mode\":\"pull\"}", "solve_for", "needs a mode that pushes" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"fanout\":3}", "within_seconds", "is required with \"solve_for\": \"interval\"" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"fanout\":3,\"within_seconds\":2}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"fanout\":3,\"within_seconds\":2,\"interval\":0.5}", "interval", "answers; leave it out" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"fanout\":3,\"within_seconds\":2,\"rounds\":5}", "rounds", "cannot be given" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"preset\":\"memberlist-lan\",\"within_seconds\":2}", NULL, NULL },
	/* Solving for the interval, probes and syncs are timed against the budget: no interval needed. */
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"fanout\":3,\"within_seconds\":2,\"timers\":\"independent\",\"probe_interval\":1,\"sync_interval\":30}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"fanout\":3,\"within_seconds\":2,\"probe_interval\":1}", "probe_interval", "needs \"timers\": \"independent\"" },
	/* The periods, fixed in seconds, at most FO_MAX_ROUNDS intervals of within_seconds / 40: said of the budget. */
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"preset\":\"memberlist-lan\",\"within_seconds\":0.00001}", "within_seconds", "at least 4e-05 s to solve for the interval with probes every 1 s" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"preset\":\"serf-lan\",\"within_seconds\":0.001}", "within_seconds", "at least 0.0012 s to solve for the interval with syncs every 30 s" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"rounds\":4,\"fanout\":3,\"solve_for\":\"transmit_limit\",\"timers\":\"independent\",\"probe_interval\":1}", "probe_interval", "needs \"interval\"" },
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"solve_for\":\"interval\",\"preset\":\"memberlist-lan\",\"within_seconds\":2,\"timers\":\"aligned\"}", NULL, NULL },
};

START_TEST(test_parse)
{
	cJSON *json = cJSON_Parse(parses[_i].json);
	struct request req;
	struct req_error err;
	enum req_status st = req_parse(parses[_i].op, json, &req, &err);
	int want_ok = !parses[_i].field && !parses[_i].detail;

	ck_assert_ptr_nonnull(json);
	ck_assert_msg((st == REQ_OK) == want_ok, "%s: status %d (%s)", parses[_i].json, st, err.detail);
	if (!want_ok) {
		ck_assert_int_eq(st, REQ_BAD_FIELD);
		if (parses[_i].field)
			ck_assert_str_eq(err.field, parses[_i].field);
		ck_assert_msg(strstr(err.detail, parses[_i].detail), "%s: detail '%s' lacks '%s'",
			      parses[_i].json, err.detail, parses[_i].detail);
	}
	cJSON_Delete(json);
}
END_TEST

/* Parses, plans and runs `json`; returns the answer (caller frees) or NULL with *err. */
static cJSON *answer(enum req_op op, const char *json, double budget, struct request *req,
		     struct req_error *err)
{
	struct req_limits lim = { .work_budget = budget, .sim_threads = FO_WORKER_THREADS };
	cJSON *in = cJSON_Parse(json), *out = NULL;

	if (req_prepare(op, in, &lim, req, err) == REQ_OK)
		out = req_execute(req, &lim, NULL, err);
	cJSON_Delete(in);
	return out;
}

static double number(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(cJSON_IsNumber(v), "answer lacks number \"%s\"", name);
	return v->valuedouble;
}

START_TEST(test_calc_answers)
{
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);

	ck_assert_ptr_nonnull(o);
	ck_assert_double_eq(number(o, "min_fanout"), 3);
	ck_assert_double_eq_tol(number(o, "miss_prob"), 0.005274, 1e-6);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "model")->valuestring, "exact");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "reachable")));
	ck_assert_double_eq_tol(number(o, "delivery_prob"), 0.994726, 1e-6);
	ck_assert(number(o, "node_miss_prob") > 0);
	ck_assert(number(o, "error_bound") > 0 && number(o, "error_bound") <= 1e-12);
	cJSON_Delete(o);

	o = answer(REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"model\":\"formula\"}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_double_eq(number(o, "min_fanout"), 15);
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "error_bound"));
	cJSON_Delete(o);

	/* Unreachable: min_fanout null, the best K and its probability. */
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":10,\"target_prob\":0.5,\"rounds\":1,\"loss\":0.5}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "min_fanout")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "reachable")));
	ck_assert_double_eq(number(o, "best_fanout"), 9);
	ck_assert_double_eq_tol(number(o, "delivery_prob"), 1.0 / 512, 1e-15);
	cJSON_Delete(o);
}
END_TEST

static const cJSON *member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(v != NULL, "answer lacks \"%s\"", name);
	return v;
}

/* "auto" answers with exact while it is cheap and with large_n (an interval) past that. */
START_TEST(test_auto_model)
{
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_CALC_FANOUT, "{\"nodes\":1000000,\"target_prob\":0.99,\"rounds\":30,"
			  "\"curve\":true,\"interval\":0.5,\"message_bytes\":100}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	const cJSON *curve, *last, *ci, *rt;

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "model")->valuestring, "large_n");
	ci = cJSON_GetObjectItem(o, "delivery_prob_interval");
	ck_assert_ptr_nonnull(ci);
	ck_assert(cJSON_IsBool(cJSON_GetObjectItem(o, "fanout_uncertain")));
	/* large_n's per-round figures: rounds to all, the curve, messages and their seconds and bytes. */
	rt = member(o, "rounds_to_all");
	ck_assert(number(rt, "p50") >= 1 && number(rt, "p50") <= number(rt, "p90") &&
		  number(rt, "p90") <= number(rt, "p99") && number(rt, "p99") <= 30);
	ck_assert(number(rt, "mean") >= 1 && number(rt, "mean") <= 30);
	ck_assert_double_eq(number(member(o, "seconds_to_all"), "p99"), number(rt, "p99") * 0.5);
	ck_assert(number(o, "messages_per_broadcast") > 1e6);
	ck_assert_double_eq(number(o, "bytes_per_broadcast"), number(o, "messages_per_broadcast") * 100);
	curve = member(o, "curve");
	ck_assert_int_eq(cJSON_GetArraySize(curve), 31);
	last = cJSON_GetArrayItem(curve, 30);
	ck_assert_double_eq(number(last, "full_delivery_prob"), number(o, "delivery_prob"));
	ck_assert_double_ge(number(last, "full_delivery_prob"), cJSON_GetArrayItem(ci, 0)->valuedouble);
	ck_assert(number(last, "informed_fraction") > 0.999 && number(last, "informed_fraction") <= 1);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 0), "full_delivery_prob"), 0);
	ck_assert_ptr_nonnull(strstr(member(o, "note")->valuestring, "point estimates"));
	cJSON_Delete(o);
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":1000000,\"target_prob\":0.99,\"rounds\":30,\"model\":\"exact\"}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_str_eq(err.field, "nodes");
	ck_assert_msg(strstr(err.detail, "exceeds the budget") && strstr(err.detail, "\"auto\""), "%s", err.detail);
}
END_TEST

START_TEST(test_simulate_answers)
{
	struct request req;
	struct req_error err;
	const char *fields[] = { "delivery_rate", "full_delivery_rate", "trials_full", "messages_mean",
				 "seed", "avg_rounds_to_all" };
	cJSON *o = answer(REQ_SIMULATE_GOSSIP,
			  "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":50,\"seed\":7,\"curve\":true}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	cJSON *curve, *again;

	ck_assert_ptr_nonnull(o);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		number(o, fields[i]);
	ck_assert_double_eq(number(o, "seed"), 7);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "delivery_rate_ci")), 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "full_delivery_rate_ci")), 2);
	curve = cJSON_GetObjectItem(o, "curve");
	/* Rounds 0 … 5, like calc_fanout's curve. */
	ck_assert_int_eq(cJSON_GetArraySize(curve), 6);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 0), "round"), 0);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 0), "informed_fraction"), 0.1);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 5), "round"), 5);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 5), "full_delivery_rate"),
			    number(o, "full_delivery_rate"));
	/* The same seed gives the same answer, field for field. */
	again = answer(REQ_SIMULATE_GOSSIP,
		       "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":50,\"seed\":7,\"curve\":true}",
		       FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert(cJSON_Compare(o, again, 1));
	cJSON_Delete(again);
	cJSON_Delete(o);

	/* No seed: one is made, in the JSON-safe range, and reported. */
	o = answer(REQ_SIMULATE_GOSSIP, "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert(number(o, "seed") >= 0 && number(o, "seed") <= (double)FO_MAX_JSON_INT);
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "curve"));
	cJSON_Delete(o);
}
END_TEST

/* Over the budget: refused before any work, with estimate, budget and field. */
START_TEST(test_budget_refusal)
{
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_SIMULATE_GOSSIP, "{\"nodes\":100000,\"fanout\":3,\"rounds\":100,\"trials\":1000}",
			  1e6, &req, &err);

	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_str_eq(err.field, "trials");
	ck_assert_double_eq(err.budget, 1e6);
	ck_assert_double_gt(err.estimate, 1e6);
	ck_assert_msg(strstr(err.detail, "lower \"trials\""), "%s", err.detail);
}
END_TEST

/*
 * A run whose messages could pass 2^64 is refused, not counted wrongly (the
 * core fuzzer's finding: N near 2^53, K = 4096, pull, which is cheap to run).
 */
START_TEST(test_uncountable_messages_refused)
{
	struct request req;
	struct req_error err;
	struct sim_tally t;
	cJSON *o = answer(REQ_SIMULATE_GOSSIP, "{\"nodes\":9007199254740990,\"fanout\":4096,\"rounds\":1,"
			  "\"mode\":\"pull\",\"trials\":1,\"failed_nodes\":1}", FO_DEFAULT_WORK_BUDGET, &req, &err);
	struct gossip_params p = req.params;

	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_str_eq(err.field, "trials");
	ck_assert_msg(strstr(err.detail, "2^64"), "%s", err.detail);
	/* The core refuses it too, whoever calls it. */
	ck_assert(!sim_counts_fit(&p, 1));
	ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
	ck_assert_int_eq(sim_fast_run(&p, 1, 0, 1, 1, NULL, &t), FO_TOO_LARGE);
	ck_assert_int_eq(t.trials, 0);
	sim_tally_release(&t);
	p.nodes = 1000000;
	p.failed = 0;
	ck_assert(sim_counts_fit(&p, 1000000));
}
END_TEST

/* Only space, tab, CR and LF separate tokens; raw control bytes are not JSON. */
START_TEST(test_strict_json)
{
	static const char nul[] = "{\"a\":1\0}";
	const char *spaced = "{\"a\":\t1\r\n}", *control = "{\"a\":\"x\001\"}";
	cJSON *ok = req_json_parse(spaced, strlen(spaced));

	ck_assert_ptr_nonnull(ok);
	cJSON_Delete(ok);
	ck_assert_ptr_null(req_json_parse(nul, sizeof nul - 1));
	ck_assert_ptr_null(req_json_parse(control, strlen(control)));
	ck_assert_ptr_null(req_json_parse("{\"a\":", 5));
}
END_TEST

/*
 * Work that outgrows the budget while running is refused (422 through HTTP),
 * "auto" included: it never falls back to the mean field.
 */
START_TEST(test_budget_exceeded_while_running)
{
	struct req_limits plan = { .work_budget = FO_DEFAULT_WORK_BUDGET, .sim_threads = FO_WORKER_THREADS },
			  run = { .work_budget = 5000, .sim_threads = FO_WORKER_THREADS };
	struct request req;
	struct req_error err;
	const char *texts[] = { "{\"nodes\":300,\"target_prob\":0.99,\"rounds\":8,\"model\":\"exact\"}",
				"{\"nodes\":300,\"target_prob\":0.99,\"rounds\":8}" };

	for (int k = 0; k < 2; k++) {
		cJSON *in = cJSON_Parse(texts[k]), *out;
		ck_assert_int_eq(req_prepare(REQ_CALC_FANOUT, in, &plan, &req, &err), REQ_OK);
		ck_assert_int_eq(req.chosen, k == 0 ? CALC_EXACT : CALC_AUTO);
		out = req_execute(&req, &run, NULL, &err);
		ck_assert_ptr_null(out);
		ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
		ck_assert_msg(strstr(err.detail, "grew past the work budget"), "%s", err.detail);
		cJSON_Delete(out);
		cJSON_Delete(in);
	}
}
END_TEST

/*
 * A search (solve_for) is let in when its first value fits the budget, with
 * the budget as its estimate at most, and stops at the budget: the page's
 * advice for memberlist-lan under its own timers, whose upper end (every
 * step at the dearest value) is past the default budget, is answered; one
 * whose first value does not fit is refused before any work; one that runs
 * out says the search grew past the budget.
 */
START_TEST(test_search_admitted_by_first_value)
{
	const char *text = "{\"preset\":\"memberlist-lan\",\"nodes\":30,\"target_prob\":0.999,\"rounds\":6,"
			   "\"solve_for\":\"transmit_limit\",\"fanout\":3}";
	struct req_limits plan = { .work_budget = FO_DEFAULT_WORK_BUDGET, .sim_threads = FO_WORKER_THREADS },
			  run = { .work_budget = 3e8, .sim_threads = FO_WORKER_THREADS };
	struct request req;
	struct req_error err;
	double first = 0, upper;
	cJSON *in = cJSON_Parse(text), *o;

	ck_assert_int_eq(req_prepare(REQ_CALC_FANOUT, in, &plan, &req, &err), REQ_OK);
	upper = solve_transmit_limit_cost(&req.params, req.model, req.target_prob, FO_WORKER_THREADS, &first);
	ck_assert_double_gt(upper, FO_DEFAULT_WORK_BUDGET);
	ck_assert_double_le(first, FO_DEFAULT_WORK_BUDGET);
	ck_assert_double_le(req.work - req.render_work, FO_DEFAULT_WORK_BUDGET);
	o = req_execute(&req, &plan, NULL, &err);
	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_double_gt(number(o, "retransmit_mult"), 4);
	ck_assert_double_eq(number(o, "preset_retransmit_mult"), 4);
	cJSON_Delete(o);

	/* Run under a smaller budget: the search stops there. */
	o = req_execute(&req, &run, NULL, &err);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_msg(strstr(err.detail, "the search for \"transmit_limit\" grew past the work budget"), "%s",
		      err.detail);

	/* Its first value past the budget: refused before any work, with the upper end. */
	plan.work_budget = first / 2;
	ck_assert_int_eq(req_prepare(REQ_CALC_FANOUT, in, &plan, &req, &err), REQ_OVER_BUDGET);
	ck_assert_double_eq(err.estimate, upper);
	ck_assert_msg(strstr(err.detail, "exceeds the budget"), "%s", err.detail);
	cJSON_Delete(in);
}
END_TEST

/*
 * A preset fills and echoes MODEL.md's values; seconds are rounds times the
 * interval; bytes are messages times message_bytes; 2 K b / interval.
 */
START_TEST(test_preset_time_and_bytes)
{
	static const char *const keys[] = { "mean", "p50", "p90", "p99" };
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_CALC_FANOUT,
			  "{\"nodes\":1000,\"target_prob\":0.99,\"rounds\":20,\"preset\":\"memberlist-lan\",\"curve\":true,\"model\":\"mean_field\","
			  "\"timers\":\"aligned\"}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	const cJSON *params, *rounds, *secs, *curve;
	double k;

	ck_assert_ptr_nonnull(o);
	params = member(o, "params");
	ck_assert_str_eq(member(params, "preset")->valuestring, "memberlist-lan");
	ck_assert_double_eq(number(params, "transmit_limit"), 16);
	ck_assert_double_eq(number(params, "interval"), 0.2);
	ck_assert_double_eq(number(params, "message_bytes"), 1400);
	ck_assert_str_eq(member(params, "mode")->valuestring, "push");
	ck_assert(cJSON_IsNull(member(params, "forward_rounds")));
	ck_assert_double_eq(number(o, "preset_fanout"), 3);
	k = number(o, "min_fanout");
	rounds = member(o, "rounds_to_all");
	secs = member(o, "seconds_to_all");
	for (int i = 0; i < 4; i++)
		ck_assert_double_eq_tol(number(secs, keys[i]), 0.2 * number(rounds, keys[i]), 1e-12);
	ck_assert_double_eq_tol(number(o, "bytes_per_broadcast"), 1400 * number(o, "messages_per_broadcast"), 1e-6);
	ck_assert_double_eq(number(o, "max_bytes_per_s_per_node"), 2 * k * 1400 / 0.2);
	curve = member(o, "curve");
	ck_assert_int_eq(cJSON_GetArraySize(curve), 21);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 20), "full_delivery_prob"), number(o, "delivery_prob"));
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 0), "informed_fraction"), 0.001);
	cJSON_Delete(o);

	/* The request's own push limit replaces the preset's; its own fanout is kept. */
	o = answer(REQ_SIMULATE_GOSSIP,
		   "{\"nodes\":1000,\"rounds\":20,\"trials\":200,\"seed\":3,\"preset\":\"memberlist-wan\",\"forward_rounds\":3,"
		   "\"timers\":\"aligned\"}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_ptr_nonnull(o);
	params = member(o, "params");
	ck_assert_double_eq(number(params, "fanout"), 4);
	ck_assert_double_eq(number(params, "forward_rounds"), 3);
	ck_assert(cJSON_IsNull(member(params, "transmit_limit")));
	ck_assert_double_eq(number(o, "max_bytes_per_s_per_node"), 2 * 4 * 1400 / 0.5);
	ck_assert_double_eq_tol(number(o, "bytes_per_broadcast"), 1400 * number(o, "messages_mean"), 1e-6);
	ck_assert_double_eq(number(member(o, "seconds_to_all"), "p50"), 0.5 * number(member(o, "rounds_to_all"), "p50"));
	cJSON_Delete(o);

	/* The formula says what it ignores. */
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":100,\"target_prob\":0.9,\"rounds\":10,\"model\":\"formula\",\"transmit_limit\":5}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(strstr(member(o, "note")->valuestring, "ignored here: transmit_limit"));
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "rounds_to_all"));
	cJSON_Delete(o);
}
END_TEST

/* rounds_to_all_hist: integers that add up across split runs to the single run's. */
START_TEST(test_split_histograms)
{
	struct request req;
	struct req_error err;
	cJSON *whole = answer(REQ_SIMULATE_GOSSIP,
			      "{\"nodes\":200,\"fanout\":2,\"rounds\":15,\"trials\":900,\"seed\":11,\"transmit_limit\":5}",
			      FO_DEFAULT_WORK_BUDGET, &req, &err);
	cJSON *a = answer(REQ_SIMULATE_GOSSIP,
			  "{\"nodes\":200,\"fanout\":2,\"rounds\":15,\"trials\":400,\"seed\":11,\"transmit_limit\":5}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	cJSON *b = answer(REQ_SIMULATE_GOSSIP,
			  "{\"nodes\":200,\"fanout\":2,\"rounds\":15,\"trials\":500,\"first_trial\":400,\"seed\":11,\"transmit_limit\":5}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	const cJSON *hw = member(whole, "rounds_to_all_hist"), *ha = member(a, "rounds_to_all_hist");
	const cJSON *hb = member(b, "rounds_to_all_hist");
	double full = 0;

	ck_assert_int_eq(cJSON_GetArraySize(hw), 16);
	for (int r = 0; r <= 15; r++) {
		double w = cJSON_GetArrayItem(hw, r)->valuedouble;
		ck_assert_double_eq(w, cJSON_GetArrayItem(ha, r)->valuedouble + cJSON_GetArrayItem(hb, r)->valuedouble);
		full += w;
	}
	ck_assert_double_eq(full, number(whole, "trials_full"));
	ck_assert_double_gt(full, 0);
	cJSON_Delete(whole);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

/* tradeoff through the request layer: MODEL.md's example within the default budget. */
START_TEST(test_tradeoff_answer)
{
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_TRADEOFF, "{\"nodes\":1000,\"target_prob\":0.999,\"interval\":0.5,\"message_bytes\":100}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	const cJSON *rows, *row;

	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_str_eq(member(o, "model")->valuestring, "exact");
	rows = member(o, "rows");
	ck_assert_int_ge(cJSON_GetArraySize(rows), 4);
	cJSON_ArrayForEach(row, rows) {
		ck_assert_double_eq(number(row, "seconds"), 0.5 * number(row, "rounds"));
		ck_assert_double_eq_tol(number(row, "bytes_per_broadcast"), 100 * number(row, "messages_per_broadcast"), 1e-6);
		ck_assert_double_ge(number(row, "delivery_prob"), 0.999);
	}
	ck_assert_double_eq(number(member(o, "params"), "max_rounds"), 100);
	cJSON_Delete(o);
	o = answer(REQ_TRADEOFF, "{\"nodes\":1000,\"target_prob\":0.999,\"model\":\"exact\"}", 1e3, &req, &err);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_str_eq(err.field, "max_rounds");
}
END_TEST

/* within_seconds stands for the rounds: floor(within / interval) under aligned timers, snapped to the ulp. */
START_TEST(test_time_budget)
{
	static const struct {
		enum req_op op;
		const char *json;
		int64_t rounds;
	} cases[] = {
		{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"interval\":0.2,\"within_seconds\":0.6}", 3 },
		{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"interval\":0.2,\"within_seconds\":0.79}", 3 },
		{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.9,\"interval\":0.1,\"within_seconds\":0.7}", 7 },
		{ REQ_SIMULATE_GOSSIP, "{\"nodes\":25,\"fanout\":2,\"trials\":1,\"interval\":0.2,\"within_seconds\":1}", 5 },
		{ REQ_TRADEOFF, "{\"nodes\":25,\"target_prob\":0.9,\"interval\":0.5,\"within_seconds\":4.99}", 9 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *json = cJSON_Parse(cases[i].json);
		struct request req;
		struct req_error err;

		ck_assert_msg(req_parse(cases[i].op, json, &req, &err) == REQ_OK, "%s: %s", cases[i].json, err.detail);
		ck_assert_int_eq(req.params.rounds, cases[i].rounds);
		ck_assert_int_eq(req.independent, 0);
		if (cases[i].op == REQ_TRADEOFF)
			ck_assert_int_eq(req.max_rounds, cases[i].rounds);
		cJSON_Delete(json);
	}
}
END_TEST

/*
 * A tally in quarter-interval bins renders, reads back exactly (req_read_tally
 * re-renders it to the same text) and merges to the whole: the answer of
 * trials [0, 3) equals that of [0, 2) and [2, 3) merged.  Made by hand
 * (sim_tally_add_timed), so it checks the request layer alone.
 */
START_TEST(test_timed_tally_round_trip)
{
	static const char *const fields =
		"{\"nodes\":4,\"fanout\":2,\"trials\":%d,\"first_trial\":%d,\"seed\":1,\"curve\":true,"
		"\"timers\":\"independent\",\"interval\":0.2,\"probe_interval\":1,\"within_seconds\":0.7}";
	/* Three trials: full at 0.9 intervals, full at 3.4 (the last, clamped bin), 3 of 4 informed. */
	static double when[3][4] = { { 0, 0.3, 0.55, 0.9 }, { 0, 1.2, 2.0, 3.4 }, { 0, 0.26, 0.76, 0 } };
	static const int64_t informed[3] = { 4, 4, 3 };
	struct sim_tally whole, part[2], back;
	struct request req, preq[2];
	struct req_error err;
	char text[512];
	cJSON *a, *b;
	char *wa, *wb;

	for (int k = 0; k < 3; k++) {
		cJSON *json;
		snprintf(text, sizeof text, fields, k == 0 ? 3 : k == 1 ? 2 : 1, k == 2 ? 2 : 0);
		json = cJSON_Parse(text);
		ck_assert_msg(req_parse(REQ_SIMULATE_GOSSIP, json, k == 0 ? &req : &preq[k - 1], &err) == REQ_OK,
			      "%s", err.detail);
		cJSON_Delete(json);
	}
	ck_assert_int_eq(req.params.timers, GOSSIP_TIMERS_INDEPENDENT);
	ck_assert_double_eq_tol(req.params.horizon, 3.5, 1e-12);
	ck_assert_double_eq_tol(req.params.probe_interval, 5, 1e-12);
	ck_assert_int_eq(req.params.rounds, 4);
	ck_assert_int_eq(sim_tally_init(&whole, &req.params, 1), FO_OK);
	ck_assert_int_eq(whole.rounds, 14);
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(sim_tally_init(&part[k], &req.params, 1), FO_OK);
	for (int i = 0; i < 3; i++) {
		struct sim_timed trial = { when[i], informed[i], 20 + (uint64_t)i, 9 + (uint64_t)i, (uint64_t)i };
		sim_tally_add_timed(&whole, &trial);
		sim_tally_add_timed(&part[i == 2], &trial);
	}
	a = req_render_tally(&req, &whole);
	ck_assert_ptr_nonnull(a);
	ck_assert_double_eq(number(a, "hist_bin"), 0.25);
	ck_assert_double_eq_tol(number(a, "hist_bin_seconds"), 0.05, 1e-15);
	ck_assert_int_eq(cJSON_GetArraySize(member(a, "rounds_to_all_hist")), 15);
	ck_assert_double_eq(cJSON_GetArrayItem(member(a, "rounds_to_all_hist"), 4)->valuedouble, 1);
	ck_assert_double_eq(cJSON_GetArrayItem(member(a, "rounds_to_all_hist"), 14)->valuedouble, 1);
	ck_assert_double_eq_tol(number(a, "avg_rounds_to_all"), (0.9 + 3.4) / 2, 1e-3);
	/* Percentiles of P(full by t) over all trials: 2 of 3 full by the horizon, none of 90%. */
	ck_assert_double_eq(number(member(a, "rounds_to_all"), "p50"), 3.5);
	ck_assert(cJSON_IsNull(member(member(a, "rounds_to_all"), "p90")));
	ck_assert_double_eq_tol(number(member(a, "seconds_to_all"), "p50"), 0.7, 1e-12);
	ck_assert_double_eq(number(a, "transmits_sum"), 30);
	ck_assert_double_eq(number(a, "probe_transmits_sum"), 3);
	ck_assert_int_eq(cJSON_GetArraySize(member(a, "curve")), 14);
	ck_assert_double_eq(number(cJSON_GetArrayItem(member(a, "curve"), 0), "t"), 0.25);
	ck_assert_double_eq(number(cJSON_GetArrayItem(member(a, "curve"), 13), "t"), 3.5);
	ck_assert_double_eq_tol(number(cJSON_GetArrayItem(member(a, "curve"), 13), "seconds"), 0.7, 1e-12);
	ck_assert_str_eq(member(member(a, "params"), "timers")->valuestring, "independent");
	ck_assert_double_eq(number(member(a, "params"), "probe_interval"), 1);
	ck_assert_double_eq(number(member(a, "params"), "within_seconds"), 0.7);
	/* Each part reads back exactly; merged, they render as the whole. */
	for (int k = 0; k < 2; k++) {
		cJSON *o = req_render_tally(&preq[k], &part[k]);
		ck_assert_int_eq(sim_tally_init(&back, &req.params, 1), FO_OK);
		ck_assert_int_eq(req_read_tally(&preq[k], o, &back), 0);
		if (k == 0) {
			sim_tally_release(&part[0]);
			part[0] = back;
		} else {
			sim_tally_merge(&part[0], &back);
			sim_tally_release(&back);
		}
		cJSON_Delete(o);
	}
	b = req_render_tally(&req, &part[0]);
	wa = cJSON_PrintUnformatted(a);
	wb = cJSON_PrintUnformatted(b);
	ck_assert_str_eq(wa, wb);
	/* A damaged count does not read back. */
	cJSON_ReplaceItemInObject(a, "transmits_sum", cJSON_CreateNumber(31));
	ck_assert_int_eq(sim_tally_init(&back, &req.params, 1), FO_OK);
	ck_assert_int_eq(req_read_tally(&req, a, &back), -1);
	sim_tally_release(&back);
	cJSON_free(wa);
	cJSON_free(wb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	sim_tally_release(&whole);
	sim_tally_release(&part[0]);
	sim_tally_release(&part[1]);
}
END_TEST

/* Under independent timers a model that cannot follow them is refused at "model"; the formula says it ignores them. */
START_TEST(test_timers_models)
{
	static const char *const refused[][2] = {
		{ "calc", "{\"nodes\":25,\"target_prob\":0.99,\"within_seconds\":1,\"preset\":\"memberlist-lan\",\"model\":\"exact\"}" },
		{ "calc", "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"timers\":\"independent\",\"forward_rounds\":2,"
			  "\"interval\":1,\"probe_interval\":1,\"model\":\"exact\"}" },
		{ "calc", "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"preset\":\"cassandra\",\"model\":\"mean_field\"}" },
		{ "tradeoff", "{\"nodes\":25,\"target_prob\":0.99,\"timers\":\"independent\",\"model\":\"exact\"}" },
	};
	struct request req;
	struct req_error err;
	cJSON *o;

	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		o = answer(refused[i][0][0] == 'c' ? REQ_CALC_FANOUT : REQ_TRADEOFF, refused[i][1], FO_DEFAULT_WORK_BUDGET,
			   &req, &err);
		ck_assert_ptr_null(o);
		ck_assert_int_eq(err.status, REQ_BAD_FIELD);
		ck_assert_str_eq(err.field, "model");
		ck_assert_msg(strstr(err.detail, "does not follow independent timers"), "%s", err.detail);
	}
	/* Exact gives its certified bound where one is proved (gossip_bound_view), and says so. */
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"timers\":\"independent\","
		   "\"model\":\"exact\",\"interval\":0.2,\"curve\":true}", FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_str_eq(member(o, "model")->valuestring, "exact");
	ck_assert_ptr_nonnull(strstr(member(o, "note")->valuestring, "a certified bound, not the value"));
	ck_assert(cJSON_GetArrayItem(member(o, "delivery_prob_interval"), 1)->valuedouble == 1);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(o, "messages_per_broadcast"));
	ck_assert_int_eq(cJSON_GetArraySize(member(o, "curve")), 6);
	ck_assert(member(cJSON_GetArrayItem(member(o, "curve"), 5), "seconds")->valuedouble == 1.0);
	ck_assert_ptr_nonnull(member(o, "seconds_to_all"));
	cJSON_Delete(o);
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"timers\":\"independent\","
		   "\"model\":\"formula\"}", FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_ptr_nonnull(strstr(member(o, "note")->valuestring, "ignored here: timers"));
	cJSON_Delete(o);
	/* The aligned formula's note is as it was. */
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"model\":\"formula\"}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_ptr_null(strstr(member(o, "note")->valuestring, "ignored here"));
	cJSON_Delete(o);
}
END_TEST

/*
 * large_n under independent timers gives its times to all and, with curve,
 * its curve over time: a point every quarter interval from 0 to the horizon,
 * each with its interval; its percentiles the first points whose lower end
 * reaches the level, seconds those times Δ; its mean never below the fast
 * sampler's at the same K (up to 5 standard errors).
 */
START_TEST(test_large_n_time_figures)
{
	struct request req;
	struct req_error err;
	char sim[256];
	const cJSON *curve, *pt, *times, *secs;
	double p50 = NAN, p90 = NAN, k, mean, sim_mean, sim_full;
	int64_t points = 0;
	cJSON *o = answer(REQ_CALC_FANOUT, "{\"preset\":\"memberlist-lan\",\"nodes\":10000,\"within_seconds\":1,"
			  "\"target_prob\":0.99,\"model\":\"large_n\",\"curve\":true}", FO_DEFAULT_WORK_BUDGET, &req, &err);

	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_str_eq(member(o, "model")->valuestring, "large_n");
	curve = member(o, "curve");
	ck_assert_int_eq(cJSON_GetArraySize(curve), 21);
	cJSON_ArrayForEach(pt, curve) {
		const cJSON *ci = member(pt, "full_delivery_prob_interval");
		double t = number(pt, "t"), lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
		ck_assert_double_eq_tol(t, 0.25 * (double)points, 1e-12);
		ck_assert_double_eq_tol(number(pt, "seconds"), 0.2 * t, 1e-12);
		ck_assert(lo <= number(pt, "full_delivery_prob") &&
			  number(pt, "full_delivery_prob") <= cJSON_GetArrayItem(ci, 1)->valuedouble);
		ck_assert(number(pt, "informed_fraction") >= 0 && number(pt, "informed_fraction") <= 1);
		if (isnan(p50) && lo >= 0.5)
			p50 = t;
		if (isnan(p90) && lo >= 0.9)
			p90 = t;
		points++;
	}
	times = member(o, "rounds_to_all");
	secs = member(o, "seconds_to_all");
	ck_assert_double_eq(number(times, "p50"), p50);
	ck_assert_double_eq(number(times, "p90"), p90);
	ck_assert_double_eq_tol(number(secs, "p90"), 0.2 * p90, 1e-12);
	mean = number(times, "mean");
	ck_assert(mean > 0 && mean <= 5);
	ck_assert_ptr_nonnull(strstr(member(o, "note")->valuestring, "never early"));
	k = number(o, "min_fanout");
	cJSON_Delete(o);

	snprintf(sim, sizeof sim, "{\"preset\":\"memberlist-lan\",\"nodes\":10000,\"within_seconds\":1,"
		 "\"fanout\":%d,\"trials\":300,\"seed\":5}", (int)k);
	o = answer(REQ_SIMULATE_GOSSIP, sim, FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o != NULL, "%s", err.detail);
	sim_mean = number(member(o, "rounds_to_all"), "mean");
	sim_full = number(o, "full_delivery_rate");
	ck_assert_double_gt(sim_full, 0.9);
	/* Times to all lie within [0, 5]: their standard deviation is at most 2.5. */
	ck_assert_msg(sim_mean <= mean + 5 * 2.5 / sqrt(300 * sim_full), "sampler's mean %g past large_n's %g",
		      sim_mean, mean);
	ck_assert_double_le(sim_mean, mean + 0.25);
	cJSON_Delete(o);

	/* Without curve: the times all the same, no curve. */
	o = answer(REQ_CALC_FANOUT, "{\"preset\":\"memberlist-lan\",\"nodes\":10000,\"within_seconds\":1,"
		   "\"target_prob\":0.99,\"model\":\"large_n\"}", FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "curve"));
	ck_assert_double_eq(number(member(o, "rounds_to_all"), "p50"), p50);
	cJSON_Delete(o);

	/*
	 * The curve draws as many samples as a third of the search's estimate
	 * pays for (the note says how many), a count of the parameters alone:
	 * on one thread the answer is the same, byte for byte.
	 */
	{
		const char *half = "{\"preset\":\"memberlist-lan\",\"nodes\":10000,\"within_seconds\":1,"
				   "\"target_prob\":0.5,\"model\":\"large_n\",\"curve\":true}";
		cJSON *in = cJSON_Parse(half), *one = NULL;
		struct req_limits lim = { .work_budget = FO_DEFAULT_WORK_BUDGET, .sim_threads = 1 };
		const char *note;
		long long samples = 0;

		if (req_prepare(REQ_CALC_FANOUT, in, &lim, &req, &err) == REQ_OK)
			one = req_execute(&req, &lim, NULL, &err);
		cJSON_Delete(in);
		ck_assert_msg(one != NULL, "%s", err.detail);
		o = answer(REQ_CALC_FANOUT, half, FO_DEFAULT_WORK_BUDGET, &req, &err);
		ck_assert_msg(o != NULL, "%s", err.detail);
		ck_assert(cJSON_Compare(o, one, 1));
		ck_assert_str_eq(member(o, "model")->valuestring, "large_n");
		note = strstr(member(o, "note")->valuestring, "curve over time (");
		ck_assert_ptr_nonnull(note);
		ck_assert_int_eq(sscanf(note, "curve over time (%lld samples", &samples), 1);
		ck_assert(samples >= 128 && samples <= 8192);
		ck_assert_int_eq(cJSON_GetArraySize(member(o, "curve")), 21);
		member(o, "seconds_to_all");
		cJSON_Delete(o);
		cJSON_Delete(one);
	}
}
END_TEST

/*
 * At the horizon large_n has two intervals for P(full by H): its curve's
 * last point (the curve's samples) and delivery_prob_interval (more
 * samples).  A percentile counts the higher lower end there, so a K whose
 * interval meets 0.99 by H never shows p99 as not reached: here the
 * curve's last lower end is short of 0.99 and the answer's is not, and p99
 * is the horizon (it was null).  Every other percentile is still the first
 * point whose lower end reaches its level.
 */
START_TEST(test_large_n_percentile_at_horizon)
{
	struct request req;
	struct req_error err;
	const cJSON *curve, *pt, *times;
	const double levels[] = { 0.5, 0.9, 0.99 };
	const char *names[] = { "p50", "p90", "p99" };
	double first[3] = { NAN, NAN, NAN }, h_lo, last_lo = NAN;
	int64_t points = 0, n;
	cJSON *o = answer(REQ_CALC_FANOUT, "{\"nodes\":1000,\"rounds\":10,\"target_prob\":0.99,"
			  "\"timers\":\"independent\",\"interval\":0.2,\"model\":\"large_n\",\"curve\":true}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);

	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert(cJSON_IsTrue(member(o, "reachable")));
	ck_assert_int_eq((int64_t)number(o, "min_fanout"), 3);
	h_lo = cJSON_GetArrayItem(member(o, "delivery_prob_interval"), 0)->valuedouble;
	ck_assert(h_lo >= 0.99);
	curve = member(o, "curve");
	n = cJSON_GetArraySize(curve);
	ck_assert_int_eq(n, 41);
	cJSON_ArrayForEach(pt, curve) {
		const cJSON *ci = member(pt, "full_delivery_prob_interval");
		double lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
		if (points == n - 1) {
			last_lo = lo;
			lo = fmax(lo, h_lo);
		}
		for (int i = 0; i < 3; i++)
			if (isnan(first[i]) && lo >= levels[i])
				first[i] = number(pt, "t");
		points++;
	}
	/* The case shows the rule: the curve alone would leave p99 unreached. */
	ck_assert_msg(last_lo < 0.99, "the curve's last lower end %g: pick a case where it is short of 0.99", last_lo);
	times = member(o, "rounds_to_all");
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(!isnan(first[i]), "%s", names[i]);
		ck_assert_double_eq(number(times, names[i]), first[i]);
		ck_assert_double_eq_tol(number(member(o, "seconds_to_all"), names[i]), 0.2 * first[i], 1e-12);
	}
	ck_assert_double_eq(number(times, "p99"), 10);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_op_table)
{
	enum req_op op;

	ck_assert_int_eq(req_op_parse("calc_fanout", &op), 0);
	ck_assert_int_eq(op, REQ_CALC_FANOUT);
	ck_assert_str_eq(req_op_reply_type(op), "calc_fanout_ok");
	ck_assert_int_eq(req_op_parse("simulate_gossip", &op), 0);
	ck_assert_str_eq(req_op_name(op), "simulate_gossip");
	ck_assert_str_eq(req_op_reply_type(op), "simulate_gossip_ok");
	ck_assert_int_eq(req_op_parse("tradeoff", &op), 0);
	ck_assert_int_eq(op, REQ_TRADEOFF);
	ck_assert_str_eq(req_op_reply_type(op), "tradeoff_ok");
	ck_assert_int_eq(req_op_parse("init", &op), -1);
	ck_assert_int_eq(req_op_parse("", &op), -1);
	/* req_plan and req_execute call through each row: none may be missing. */
	for (int i = 0; i < REQ_OP_COUNT; i++) {
		ck_assert_int_eq(req_op_parse(req_ops[i].name, &op), 0);
		ck_assert_int_eq(op, i);
		ck_assert_ptr_nonnull(req_ops[i].plan);
		ck_assert_ptr_nonnull(req_ops[i].run);
		ck_assert_ptr_nonnull(req_ops[i].render);
	}
}
END_TEST

/* Every bad field is reported, in one answer, each with its own rule. */
START_TEST(test_all_errors)
{
	static const char *const want[][2] = {
		{ "nodes", "must be an integer" }, { "target_prob", "greater than 0" },
		{ "rounds", "is required" }, { "mode", "push, pull, push_pull" },
		{ "loss", "up to but not including 1" }, { "model", "auto, exact, mean_field, formula" },
	};
	cJSON *in = cJSON_Parse("{\"nodes\":\"x\",\"target_prob\":2,\"mode\":\"gossip\","
				"\"loss\":1.5,\"model\":\"psychic\"}");
	struct request req;
	struct req_error err;

	ck_assert_int_eq(req_parse(REQ_CALC_FANOUT, in, &req, &err), REQ_BAD_FIELD);
	ck_assert_int_eq(err.count, 6);
	ck_assert_str_eq(err.field, "nodes");
	for (int i = 0; i < 6; i++) {
		int found = 0;
		for (int j = 0; j < err.count; j++)
			found |= strcmp(err.errors[j].field, want[i][0]) == 0 &&
				 strstr(err.errors[j].detail, want[i][1]) != NULL;
		ck_assert_msg(found, "no error for %s containing '%s' in '%s'", want[i][0], want[i][1],
			      err.detail);
		ck_assert_msg(strstr(err.detail, want[i][1]), "joined detail '%s' lacks '%s'", err.detail,
			      want[i][1]);
	}
	cJSON_Delete(in);
}
END_TEST

/* null is absent for every field: optional ones take their default, required ones are missing. */
START_TEST(test_null_is_absent)
{
	cJSON *in = cJSON_Parse("{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"mode\":null,"
				"\"loss\":null,\"model\":null,\"failed_nodes\":null,\"forward_rounds\":null}");
	cJSON *sim = cJSON_Parse("{\"nodes\":10,\"fanout\":null,\"rounds\":5,\"trials\":5,"
				 "\"seed\":null,\"first_trial\":null,\"curve\":null}");
	struct request req;
	struct req_error err;

	ck_assert_int_eq(req_parse(REQ_CALC_FANOUT, in, &req, &err), REQ_OK);
	ck_assert_int_eq(req.params.mode, GOSSIP_PUSH);
	ck_assert_int_eq(req.model, CALC_AUTO);
	ck_assert(req.params.loss == 0);
	ck_assert_int_eq(req_parse(REQ_SIMULATE_GOSSIP, sim, &req, &err), REQ_BAD_FIELD);
	ck_assert_int_eq(err.count, 1);
	ck_assert_str_eq(err.field, "fanout");
	ck_assert_msg(strstr(err.detail, "\"fanout\" is required"), "%s", err.detail);
	cJSON_Delete(in);
	cJSON_Delete(sim);
}
END_TEST

/* Nothing but white space may follow the JSON value. */
START_TEST(test_nothing_after_json)
{
	static const char *const bad[] = { "{\"a\":1}xyz", "{\"a\":1}{\"a\":2}", "{\"a\":1} 1", "{} \x01" };
	static const char *const good[] = { "{\"a\":1}", " {\"a\":1} \r\n\t", "[1]" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *v = req_json_parse(bad[i], strlen(bad[i]));
		ck_assert_msg(v == NULL, "accepted '%s'", bad[i]);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		cJSON *v = req_json_parse(good[i], strlen(good[i]));
		ck_assert_msg(v != NULL, "refused '%s'", good[i]);
		cJSON_Delete(v);
	}
}
END_TEST

/*
 * memberlist-lan at N = 1000 under auto, on aligned timers: neither exact
 * nor large_n follows its transmit window, so the simulation answers, with
 * the same fields as an exact answer plus trials and seed, and the same
 * answer the second time.
 */
START_TEST(test_auto_simulation)
{
	static const char calc[] = "{\"nodes\":1000,\"target_prob\":0.99,\"rounds\":20,"
				   "\"preset\":\"memberlist-lan\",\"curve\":true,\"timers\":\"aligned\"}";
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_CALC_FANOUT, calc, FO_DEFAULT_WORK_BUDGET, &req, &err), *again;
	const cJSON *ci, *rows, *row;

	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_str_eq(member(o, "model")->valuestring, "simulation");
	ck_assert(number(o, "min_fanout") >= 1);
	ci = member(o, "delivery_prob_interval");
	ck_assert_double_ge(cJSON_GetArrayItem(ci, 0)->valuedouble, 0.99);
	ck_assert(number(o, "trials") >= 1 && number(o, "seed") >= 0);
	ck_assert(cJSON_IsBool(member(o, "fanout_uncertain")));
	ck_assert(number(member(o, "rounds_to_all"), "p50") >= 1);
	ck_assert(number(o, "messages_per_broadcast") > 0);
	ck_assert_int_eq(cJSON_GetArraySize(member(o, "curve")), 21);
	ck_assert_ptr_nonnull(strstr(member(o, "note")->valuestring, "Monte Carlo"));
	again = answer(REQ_CALC_FANOUT, calc, FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert(cJSON_Compare(o, again, 1));
	cJSON_Delete(again);
	cJSON_Delete(o);

	/* tradeoff past exact: a simulation per K, never the mean field. */
	o = answer(REQ_TRADEOFF, "{\"nodes\":1000,\"target_prob\":0.99,\"preset\":\"memberlist-lan\","
		   "\"max_rounds\":30,\"max_fanout\":3,\"timers\":\"aligned\"}", FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o != NULL, "%s", err.detail);
	ck_assert_str_eq(member(o, "model")->valuestring, "simulation");
	rows = member(o, "rows");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 3);
	cJSON_ArrayForEach(row, rows) {
		ck_assert_str_eq(member(row, "model")->valuestring, "simulation");
		if (cJSON_IsNumber(member(row, "rounds")))
			ck_assert_double_ge(cJSON_GetArrayItem(member(row, "delivery_prob_interval"), 0)->valuedouble, 0.99);
	}
	cJSON_Delete(o);

	/* A target no affordable number of trials can show: refused, naming target_prob. */
	o = answer(REQ_CALC_FANOUT, "{\"nodes\":1000,\"target_prob\":0.999999999,\"rounds\":20,"
		   "\"preset\":\"memberlist-lan\",\"model\":\"simulation\",\"timers\":\"aligned\"}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_str_eq(err.field, "target_prob");
	ck_assert_msg(strstr(err.detail, "too few trials"), "%s", err.detail);
	/* The target as given, and no push window where the request has none. */
	ck_assert_msg(strstr(err.detail, "0.999999999;") && !strstr(err.detail, "window"), "%s", err.detail);
}
END_TEST

/* Whole numbers past 10^15 leave with every digit (cJSON alone writes 4.76754983116774e+15). */
START_TEST(test_exact_integers)
{
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_SIMULATE_GOSSIP,
			  "{\"nodes\":10,\"fanout\":3,\"rounds\":5,\"trials\":5,\"seed\":4767549831167740}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	cJSON *back, *mixed = cJSON_Parse("[-4767549831167740,1e20,0.5,1e15,123,[9007199254740991]]");
	char *text;

	ck_assert_msg(o != NULL, "%s", err.detail);
	text = req_json_print(o);
	ck_assert_msg(strstr(text, "\"seed\":4767549831167740,"), "%s", text);
	back = cJSON_Parse(text);
	ck_assert_double_eq(member(back, "seed")->valuedouble, 4767549831167740.0);
	/* The tree is as it was: still numbers, printed by cJSON as before. */
	ck_assert(cJSON_IsNumber(member(o, "seed")));
	ck_assert(cJSON_Compare(o, back, 1));
	cJSON_free(text);
	text = req_json_print(mixed);
	ck_assert_str_eq(text, "[-4767549831167740,1e+20,0.5,1000000000000000,123,[9007199254740991]]");
	cJSON_free(text);
	cJSON_Delete(back);
	cJSON_Delete(mixed);
	cJSON_Delete(o);
}
END_TEST

/*
 * solve_for transmit_limit and interval: the value answered meets the
 * target at calc_fanout's own figures and the value below it does not (or is
 * flagged); RetransmitMult is the least whose mult x ceil(log10(N + 1))
 * covers the limit.
 */
START_TEST(test_solve_answers)
{
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_CALC_FANOUT,
			  "{\"nodes\":30,\"target_prob\":0.999,\"rounds\":15,\"timers\":\"aligned\","
			  "\"preset\":\"memberlist-lan\",\"solve_for\":\"transmit_limit\"}",
			  FO_DEFAULT_WORK_BUDGET, &req, &err);
	int64_t x, m;

	ck_assert_msg(o, "%s", err.detail);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "solve_for")->valuestring, "transmit_limit");
	x = (int64_t)number(o, "min_transmit_limit");
	m = (int64_t)number(o, "retransmit_mult");
	ck_assert_int_eq(m, (x + 1) / 2); /* two digits in 30 */
	ck_assert_double_ge(number(o, "delivery_prob"), 0.999);
	ck_assert_int_eq((int64_t)number(o, "fanout"), 3);
	ck_assert_int_eq((int64_t)number(o, "preset_transmit_limit"), 8);
	cJSON_Delete(o);
	o = answer(REQ_CALC_FANOUT,
		   "{\"nodes\":1000,\"target_prob\":0.999,\"fanout\":3,\"loss\":0.05,"
		   "\"solve_for\":\"interval\",\"within_seconds\":3}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o, "%s", err.detail);
	{
		int64_t r = (int64_t)number(o, "min_rounds");
		double d = number(o, "max_interval");
		ck_assert_int_ge((int64_t)(3 / d + 1e-12), r);
		ck_assert_double_eq(d, solve_longest_interval(3, r));
	}
	cJSON_Delete(o);
	/*
	 * Under memberlist-lan's own independent timers: the least horizon in
	 * quarter intervals within 2 s, probes kept at 1 s.  simulate_gossip at
	 * the interval found (a horizon of 2 / d intervals, probes every 1 s, as
	 * any request with that interval has them) agrees with the answer's
	 * delivery_prob within 5 standard errors of the two estimates (probes
	 * left at 5 intervals, 1 s over the preset's 0.2 s, give 0.937 there
	 * against 0.995).
	 */
	o = answer(REQ_CALC_FANOUT,
		   "{\"nodes\":30,\"target_prob\":0.99,\"preset\":\"memberlist-lan\",\"solve_for\":\"interval\","
		   "\"within_seconds\":2}",
		   2e10, &req, &err); /* estimated 3.8e9: searches of simulations are priced at every value's most */
	ck_assert_msg(o, "%s", err.detail);
	{
		double h = number(o, "min_rounds"), d = number(o, "max_interval"), p = number(o, "delivery_prob");
		double n = number(o, "trials"), f, se;
		char sim[256];
		cJSON *run;

		ck_assert_str_eq(member(o, "model")->valuestring, "simulation");
		ck_assert_double_eq(4 * h, nearbyint(4 * h));
		ck_assert_double_eq(d, solve_longest_interval(2, h));
		ck_assert_double_ge(2 / d, h);
		ck_assert_double_ge(cJSON_GetArrayItem(member(o, "delivery_prob_interval"), 0)->valuedouble, 0.99);
		if (cJSON_IsTrue(member(o, "interval_uncertain")))
			ck_assert_double_eq(number(o, "next_interval"), solve_longest_interval(2, h - 0.25));
		snprintf(sim, sizeof sim, "{\"preset\":\"memberlist-lan\",\"nodes\":30,\"fanout\":%d,\"interval\":%.17g,"
			 "\"within_seconds\":2,\"trials\":20000,\"seed\":3}", (int)number(o, "fanout"), d);
		run = answer(REQ_SIMULATE_GOSSIP, sim, FO_DEFAULT_WORK_BUDGET, &req, &err);
		ck_assert_msg(run, "%s", err.detail);
		ck_assert_double_eq(req.params.horizon, h);
		f = number(run, "full_delivery_rate");
		se = sqrt(p * (1 - p) / n + f * (1 - f) / 20000);
		ck_assert_msg(fabs(p - f) <= 5 * se, "solve %g, simulate %g, 5 se %g", p, f, 5 * se);
		cJSON_Delete(run);
	}
	cJSON_Delete(o);
	/* Out of reach: the best reached, said plainly. */
	o = answer(REQ_CALC_FANOUT,
		   "{\"nodes\":30,\"target_prob\":0.999,\"timers\":\"aligned\",\"preset\":\"memberlist-lan\","
		   "\"solve_for\":\"interval\",\"within_seconds\":3}",
		   FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_msg(o, "%s", err.detail);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "max_interval")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "reachable")));
	ck_assert_int_eq((int64_t)number(o, "best_rounds"), FO_SOLVE_MAX_ROUNDS);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_retransmit_mult)
{
	const struct gossip_preset *s = gossip_preset_find("memberlist-lan");

	ck_assert_int_eq(gossip_preset_retransmit_mult(s, 30, 8), 4);
	ck_assert_int_eq(gossip_preset_retransmit_mult(s, 30, 9), 5);
	ck_assert_int_eq(gossip_preset_retransmit_mult(s, 30, 1), 1);
	ck_assert_int_eq(gossip_preset_retransmit_mult(s, 100000, 17), 3);
	ck_assert_int_eq(gossip_preset_retransmit_mult(gossip_preset_find("cassandra"), 30, 9), 0);
	for (int64_t x = 1; x < 40; x++) {
		int64_t m = gossip_preset_retransmit_mult(s, 999, x);
		ck_assert_int_ge(m * 3, x);
		ck_assert_int_lt((m - 1) * 3, x);
	}
}
END_TEST

/*
 * Which answers may be served again for the same request (fanoutd's answer
 * cache): every model, and seeded simulations, give the same bytes twice;
 * simulate_gossip without a seed does not, and is the one not deterministic.
 */
START_TEST(test_deterministic)
{
	static const struct {
		enum req_op op;
		const char *json;
		int deterministic;
	} rows[] = {
		{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5,\"model\":\"formula\"}", 1 },
		{ REQ_CALC_FANOUT, "{\"nodes\":200,\"target_prob\":0.99,\"rounds\":10,\"model\":\"simulation\"}", 1 },
		{ REQ_TRADEOFF, "{\"nodes\":25,\"target_prob\":0.99,\"max_fanout\":3,\"max_rounds\":8}", 1 },
		{ REQ_SIMULATE_GOSSIP, "{\"nodes\":25,\"fanout\":3,\"rounds\":5,\"trials\":50,\"seed\":7}", 1 },
		{ REQ_SIMULATE_GOSSIP, "{\"nodes\":25,\"fanout\":3,\"rounds\":5,\"trials\":50}", 0 },
	};

	for (size_t i = 0; i < UNIT_COUNT(rows); i++) {
		struct request req;
		struct req_error err;
		cJSON *a = answer(rows[i].op, rows[i].json, 1e12, &req, &err);
		cJSON *b;
		char *ta, *tb;
		ck_assert_msg(a != NULL, "%s: %s", rows[i].json, err.detail);
		ck_assert_msg(req_deterministic(&req) == rows[i].deterministic, "%s: expected %d", rows[i].json,
			      rows[i].deterministic);
		b = answer(rows[i].op, rows[i].json, 1e12, &req, &err);
		ck_assert_ptr_nonnull(b);
		ta = req_json_print(a);
		tb = req_json_print(b);
		/* Deterministic: the same text twice (a made-up seed differs, and so would the text). */
		ck_assert_msg((strcmp(ta, tb) == 0) == rows[i].deterministic, "%s: %s vs %s", rows[i].json, ta, tb);
		cJSON_free(ta);
		cJSON_free(tb);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_parse, UNIT_COUNT(parses)),
	UNIT_TEST(test_calc_answers),
	UNIT_TEST(test_deterministic),
	UNIT_TEST(test_solve_answers),
	UNIT_TEST(test_retransmit_mult),
	UNIT_TEST(test_auto_model),
	UNIT_TEST(test_auto_simulation),
	UNIT_TEST(test_simulate_answers),
	UNIT_TEST(test_budget_refusal),
	UNIT_TEST(test_uncountable_messages_refused),
	UNIT_TEST(test_strict_json),
	UNIT_TEST(test_budget_exceeded_while_running),
	UNIT_TEST(test_search_admitted_by_first_value),
	UNIT_TEST(test_op_table),
	UNIT_TEST(test_time_budget),
	UNIT_TEST(test_timed_tally_round_trip),
	UNIT_TEST(test_timers_models),
	UNIT_TEST(test_preset_time_and_bytes),
	UNIT_TEST(test_split_histograms),
	UNIT_TEST(test_tradeoff_answer),
	UNIT_TEST(test_all_errors),
	UNIT_TEST(test_null_is_absent),
	UNIT_TEST(test_nothing_after_json),
	UNIT_TEST(test_exact_integers),
	UNIT_TEST(test_large_n_time_figures),
	UNIT_TEST(test_large_n_percentile_at_horizon),
};

Suite *request_suite(void)
{
	return unit_suite("request", suite_cases, UNIT_COUNT(suite_cases), 300);
}
