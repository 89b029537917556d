/*
 * test_request.c — the shared request layer: every rule names its field,
 * budgets refuse before work, "auto" picks the model, answers carry the
 * fields API.md lists.
 */
#include <math.h>
#include <string.h>

#include "fanout/sim.h"
#include "request.h"
#include "settings.h"
#include "suites.h"

static const struct {
	enum req_op op;
	const char *json;
	const char *field;     /* NULL: accepted */
	const char *detail;    /* substring of the error text */
} parses[] = {
	{ REQ_CALC_FANOUT, "{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5}", NULL, NULL },
	{ REQ_CALC_FANOUT, "{\"nodes\":25.0,\"target_prob\":0.99,\"rounds\":5,\"extra\":[1]}", NULL, NULL },
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
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"max_rounds\":2000000}", "max_rounds", "from 1 to 1000000" },
	{ REQ_TRADEOFF, "{\"nodes\":100,\"target_prob\":0.99,\"model\":\"formula\"}", "model", "auto, exact, large_n, simulation or mean_field" },
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
	struct req_limits lim = { budget, FO_WORKER_THREADS };
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
	ck_assert_int_eq(cJSON_GetArraySize(curve), 5);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 4), "round"), 5);
	ck_assert_double_eq(number(cJSON_GetArrayItem(curve, 4), "full_delivery_rate"),
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
	struct req_limits plan = { FO_DEFAULT_WORK_BUDGET, FO_WORKER_THREADS }, run = { 5000, FO_WORKER_THREADS };
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
 * A preset fills and echoes MODEL.md's values; seconds are rounds times the
 * interval; bytes are messages times message_bytes; 2 K b / interval.
 */
START_TEST(test_preset_time_and_bytes)
{
	static const char *const keys[] = { "mean", "p50", "p90", "p99" };
	struct request req;
	struct req_error err;
	cJSON *o = answer(REQ_CALC_FANOUT,
			  "{\"nodes\":1000,\"target_prob\":0.99,\"rounds\":20,\"preset\":\"memberlist-lan\",\"curve\":true,\"model\":\"mean_field\"}",
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
		   "{\"nodes\":1000,\"rounds\":20,\"trials\":200,\"seed\":3,\"preset\":\"memberlist-wan\",\"forward_rounds\":3}",
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
 * memberlist-lan at N = 1000 under auto: neither exact nor large_n follows
 * its transmit window, so the simulation answers, with the same fields as an
 * exact answer plus trials and seed, and the same answer the second time.
 */
START_TEST(test_auto_simulation)
{
	static const char calc[] = "{\"nodes\":1000,\"target_prob\":0.99,\"rounds\":20,"
				   "\"preset\":\"memberlist-lan\",\"curve\":true}";
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
		   "\"max_rounds\":30,\"max_fanout\":3}", FO_DEFAULT_WORK_BUDGET, &req, &err);
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
		   "\"preset\":\"memberlist-lan\",\"model\":\"simulation\"}", FO_DEFAULT_WORK_BUDGET, &req, &err);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(err.status, REQ_OVER_BUDGET);
	ck_assert_str_eq(err.field, "target_prob");
	ck_assert_msg(strstr(err.detail, "too few trials"), "%s", err.detail);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_parse, UNIT_COUNT(parses)),
	UNIT_TEST(test_calc_answers),
	UNIT_TEST(test_auto_model),
	UNIT_TEST(test_auto_simulation),
	UNIT_TEST(test_simulate_answers),
	UNIT_TEST(test_budget_refusal),
	UNIT_TEST(test_uncountable_messages_refused),
	UNIT_TEST(test_strict_json),
	UNIT_TEST(test_budget_exceeded_while_running),
	UNIT_TEST(test_op_table),
	UNIT_TEST(test_preset_time_and_bytes),
	UNIT_TEST(test_split_histograms),
	UNIT_TEST(test_tradeoff_answer),
	UNIT_TEST(test_all_errors),
	UNIT_TEST(test_null_is_absent),
	UNIT_TEST(test_nothing_after_json),
};

Suite *request_suite(void)
{
	return unit_suite("request", suite_cases, UNIT_COUNT(suite_cases), 300);
}
