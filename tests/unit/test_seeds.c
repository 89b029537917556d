/* SPDX-License-Identifier: MIT */
/*
 * test_seeds.c — Cassandra's seed and unreachable exchanges (the API's
 * "seeds"; MODEL.md, "What real systems add"): a case small enough to work
 * out by hand, the unreachable exchanges' messages against their formula
 * (aligned and independent timers), seeds as hubs, the fast simulator's
 * hand-over to the agent, the parameters' check and the request layer (the
 * field, its echo, which models may answer).
 *
 * A mean is compared with its expectation within 5 standard errors, from
 * the binomial variance when it is known, else the sample's.  Seeds are fixed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fanout/calc.h"
#include "fanout/sim.h"
#include "fanout/tradeoff.h"
#include "request.h"
#include "suites.h"

/* Cassandra's gossip: push_pull, K = 1, failed_known, with `seeds` seeds. */
static struct gossip_params cassandra(int64_t n, int64_t f, int64_t seeds, int64_t rounds)
{
	struct gossip_params p = { 0 };

	p.nodes = n;
	p.fanout = 1;
	p.rounds = rounds;
	p.mode = GOSSIP_PUSH_PULL;
	p.failed = f;
	p.failed_known = 1;
	p.seed_gossip = 1;
	p.seeds = seeds;
	return p;
}

/* The agent's tally of `trials` trials of p, with the curve. */
static void agent_tally(const struct gossip_params *p, uint64_t seed, int64_t trials, struct sim_tally *t)
{
	ck_assert_int_eq(sim_tally_init(t, p, 1), FO_OK);
	ck_assert_int_eq(sim_agent_run(p, seed, 0, trials, NULL, t), FO_OK);
}

/* Mean and standard error of the informed count at the end, from the tally's sums. */
static void informed_moments(const struct sim_tally *t, double *mean, double *se)
{
	double n = (double)t->trials, m = (double)t->informed_sum / n;

	*mean = m;
	*se = sqrt(fmax((double)t->informed_sq_sum / n - m * m, 0) / n);
}

/*
 * N = 5, F = 1 (L = 4), one seed, one aligned round.  Every live node other
 * than the origin is uninformed and pulls from one of the 3 others; the
 * origin pushes to one.  Unreachable chance F / L = 1/4; seed chance 1/4 for
 * a non-seed ((1 seed) / (N - 1)), 0 for the seed.  Messages: 3 pulls and 1
 * push, 4 unreachable exchanges at 1/4, and 3 seed exchanges (the origin's
 * and the two other non-seeds') each when the peer was not the seed (2/3)
 * at 1/4: 4 + 1 + 1/2 = 5.5.  A pull from the seed in round 1 finds it
 * uninformed; the origin informs the seed by its push (1/3) or its seed
 * exchange (2/3 x 1/4), so P(seed informed) = 1 - (1/2)(2/3) = 2/3 and a
 * non-seed's is 1 - (2/3)^2 = 5/9: E[informed] = 1 + 2 (5/9) + 2/3 = 25/9.
 * Without seeds (seeds absent) the messages are 4 and E[informed] 1 + 3 (5/9).
 */
START_TEST(test_seeds_by_hand)
{
	struct gossip_params p = cassandra(5, 1, 1, 1);
	const int64_t trials = 200000;
	struct sim_tally t;
	double mean, se, msg, msg_se;

	if (_i == 1)
		p.seed_gossip = 0; /* seeds absent: the model as it was */
	agent_tally(&p, 23, trials, &t);
	informed_moments(&t, &mean, &se);
	msg = (double)t.messages_sum / (double)trials;
	/*
	 * Messages: 4 fixed plus a sum of independent Bernoullis: 4 at 1/4 and
	 * 3 at 1/6 (the two steps' product), variance 4 (3/16) + 3 (5/36).
	 */
	msg_se = _i == 0 ? sqrt((4 * 3.0 / 16 + 3 * 5.0 / 36) / (double)trials) : 0;
	if (_i == 0) {
		ck_assert_msg(fabs(mean - 25.0 / 9) <= 5 * se, "informed %.5f vs 25/9 (se %.5f)", mean, se);
		ck_assert_msg(fabs(msg - 5.5) <= 5 * msg_se, "messages %.5f vs 5.5 (se %.5f)", msg, msg_se);
	} else {
		ck_assert_msg(fabs(mean - 8.0 / 3) <= 5 * se, "informed %.5f vs 8/3 (se %.5f)", mean, se);
		ck_assert_double_eq(msg, 4);
	}
	sim_tally_release(&t);
}
END_TEST

/*
 * Without seeds (seeds 0) the unreachable exchanges only cost messages.
 * With K = 1 and no window every live node exchanges once a round (a push
 * or a pull) or once a tick: L R exchanges (L H under independent timers,
 * H whole: every phase in (0, 1) ticks H times), each followed by an
 * unreachable one with probability q = min(1, F / L): messages
 * L R (1 + q) on average, binomial variance L R q (1 - q).  F >= L: q = 1,
 * exactly 2 L R.  The delivery is that of the cluster without them.
 */
static const struct {
	int64_t n, f, rounds;
	enum gossip_timers timers;
} wasted[] = {
	{ 40, 10, 6, GOSSIP_TIMERS_ALIGNED },
	{ 40, 10, 6, GOSSIP_TIMERS_INDEPENDENT },
	{ 30, 20, 5, GOSSIP_TIMERS_ALIGNED },     /* F > L: every exchange is followed by one */
	{ 30, 20, 5, GOSSIP_TIMERS_INDEPENDENT },
	{ 25, 1, 8, GOSSIP_TIMERS_INDEPENDENT },
};

START_TEST(test_seeds_unreachable_messages)
{
	struct gossip_params p = cassandra(wasted[_i].n, wasted[_i].f, 0, wasted[_i].rounds);
	const int64_t trials = 2000;
	double live, q, ex, msg, se;
	struct sim_tally t;

	p.timers = wasted[_i].timers;
	if (p.timers == GOSSIP_TIMERS_INDEPENDENT)
		p.horizon = (double)p.rounds;
	live = (double)gossip_live(&p);
	q = fmin(1, (double)p.failed / live);
	ex = live * (double)p.rounds;
	agent_tally(&p, 1000 + (uint64_t)_i, trials, &t);
	msg = (double)t.messages_sum / (double)trials;
	se = sqrt(ex * q * (1 - q) / (double)trials);
	if (q >= 1)
		ck_assert_double_eq(msg, 2 * ex);
	else
		ck_assert_msg(fabs(msg - ex * (1 + q)) <= 5 * se, "case %d: messages %.4f vs %.4f (se %.4f)",
			      _i, msg, ex * (1 + q), se);
	sim_tally_release(&t);
}
END_TEST

/*
 * Seeds are hubs: at N = 60 (F = 0, so no unreachable exchanges), 6 seeds
 * inform more nodes by round 4 (time 3 under independent timers) than none
 * (seeds 0): the difference of the means is above 5 standard errors of it
 * (about 13 of them at these seeds and trials).
 */
START_TEST(test_seeds_hubs)
{
	struct gossip_params with = cassandra(60, 0, 6, 4), without = cassandra(60, 0, 0, 4);
	const int64_t trials = 2000;
	struct sim_tally a, b;
	double ma, sa, mb, sb;

	if (_i == 1) {
		/* By H = 4 nearly every trial has reached all 60 either way: compare at H = 3. */
		with.timers = without.timers = GOSSIP_TIMERS_INDEPENDENT;
		with.rounds = without.rounds = 3;
		with.horizon = without.horizon = 3;
	}
	agent_tally(&with, 77, trials, &a);
	agent_tally(&without, 78, trials, &b);
	informed_moments(&a, &ma, &sa);
	informed_moments(&b, &mb, &sb);
	ck_assert_msg(ma - mb > 5 * sqrt(sa * sa + sb * sb), "with seeds %.3f (se %.3f), without %.3f (se %.3f)",
		      ma, sa, mb, sb);
	sim_tally_release(&a);
	sim_tally_release(&b);
}
END_TEST

/* sim_fast_run hands seeds (S > 0) to the agent: the same tally bit for bit, on 1 thread or 3. */
START_TEST(test_seeds_fast_runs_agent)
{
	struct gossip_params p = cassandra(50, 8, 3, 6);
	struct sim_tally a, f;

	if (_i == 1) {
		p.timers = GOSSIP_TIMERS_INDEPENDENT;
		p.horizon = 5.5;
	}
	agent_tally(&p, 9, 300, &a);
	ck_assert_int_eq(sim_tally_init(&f, &p, 1), FO_OK);
	ck_assert_int_eq(sim_fast_run(&p, 9, 0, 300, 1 + 2 * _i, NULL, &f), FO_OK);
	ck_assert_int_eq(a.informed_sum, f.informed_sum);
	ck_assert(a.informed_sq_sum == f.informed_sq_sum);
	ck_assert_int_eq(a.messages_sum, f.messages_sum);
	ck_assert_int_eq(a.trials_full, f.trials_full);
	ck_assert_int_eq(a.rounds_to_all_sum, f.rounds_to_all_sum);
	for (int64_t r = 0; r <= a.rounds; r++)
		ck_assert_int_eq(a.informed_by_round[r], f.informed_by_round[r]);
	sim_tally_release(&a);
	sim_tally_release(&f);
}
END_TEST

/*
 * Seeds 0: the fast simulator follows the unreachable exchanges (they only
 * cost messages) by a binomial draw a trial over its exchanges; against the
 * agent at 5 standard errors of the difference, on messages, transmits and
 * the informed count, each mean's error from the spread of 40 batch means
 * (aligned and independent timers, K = 1 and 2, loss, a window, F > L).
 */
static const struct {
	int64_t n, k, f, rounds, t;
	double loss;
	enum gossip_timers timers;
} against[] = {
	{ 40, 1, 10, 6, 0, 0, GOSSIP_TIMERS_ALIGNED },
	{ 40, 2, 10, 5, 0, 0.2, GOSSIP_TIMERS_ALIGNED },
	{ 30, 1, 20, 5, 2, 0.1, GOSSIP_TIMERS_ALIGNED },      /* F > L: q = 1; a window */
	{ 40, 1, 10, 6, 0, 0, GOSSIP_TIMERS_INDEPENDENT },
	{ 40, 2, 10, 5, 0, 0.2, GOSSIP_TIMERS_INDEPENDENT },
	{ 30, 1, 20, 5, 2, 0.1, GOSSIP_TIMERS_INDEPENDENT },
};
#define BATCHES 40
#define BATCH 50

/* Batch means of messages, transmits and informed: mean[j] and the standard error of it. */
static void batch_moments(const struct gossip_params *p, int fast, double mean[3], double se[3])
{
	double sum[3] = { 0 }, sq[3] = { 0 };

	for (int b = 0; b < BATCHES; b++) {
		struct sim_tally t;
		double x[3];
		ck_assert_int_eq(sim_tally_init(&t, p, 0), FO_OK);
		if (fast)
			ck_assert_int_eq(sim_fast_run(p, 31, (uint64_t)b * BATCH, BATCH, 1, NULL, &t), FO_OK);
		else
			ck_assert_int_eq(sim_agent_run(p, 32, (uint64_t)b * BATCH, BATCH, NULL, &t), FO_OK);
		x[0] = (double)t.messages_sum / BATCH;
		x[1] = (double)t.transmits_sum / BATCH;
		x[2] = (double)t.informed_sum / BATCH;
		for (int j = 0; j < 3; j++) {
			sum[j] += x[j];
			sq[j] += x[j] * x[j];
		}
		sim_tally_release(&t);
	}
	for (int j = 0; j < 3; j++) {
		mean[j] = sum[j] / BATCHES;
		se[j] = sqrt(fmax(sq[j] / BATCHES - mean[j] * mean[j], 0) * BATCHES / (BATCHES - 1) / BATCHES);
	}
}

START_TEST(test_seeds_zero_fast_matches_agent)
{
	struct gossip_params p = cassandra(against[_i].n, against[_i].f, 0, against[_i].rounds);
	static const char *const names[3] = { "messages", "transmits", "informed" };
	double fm[3], fs[3], am[3], as[3], q;

	p.fanout = against[_i].k;
	p.forward_rounds = against[_i].t;
	p.loss = against[_i].loss;
	p.timers = against[_i].timers;
	if (p.timers == GOSSIP_TIMERS_INDEPENDENT)
		p.horizon = (double)p.rounds;
	batch_moments(&p, 1, fm, fs);
	batch_moments(&p, 0, am, as);
	for (int j = 0; j < 3; j++) {
		double tol = 5 * sqrt(fs[j] * fs[j] + as[j] * as[j]);
		ck_assert_msg(fabs(fm[j] - am[j]) <= tol + 1e-9, "case %d %s: fast %.4f agent %.4f (5 se %.4f)",
			      _i, names[j], fm[j], am[j], tol);
	}
	/*
	 * And the unreachable ones are there.  The same trials without them
	 * (the draws for them come after each trial's own) have E exchanges
	 * of K messages in all; given E, the extra messages are binomial
	 * (E, q): within 5 of its standard deviations of E q.
	 */
	q = fmin(1, (double)p.failed / (double)gossip_live(&p));
	p.seed_gossip = 0;
	batch_moments(&p, 1, am, as);
	ck_assert_double_eq(fm[2], am[2]); /* the same spread, trial by trial */
	{
		double trials = BATCHES * BATCH, e = am[0] * trials / (double)p.fanout;
		double extra = (fm[0] - am[0]) * trials;
		ck_assert_msg(fabs(extra - e * q) <= 5 * sqrt(e * q * (1 - q)) + 1e-6,
			      "case %d: %.1f extra messages vs %.1f", _i, extra, e * q);
	}
}
END_TEST

/* The check: seeds at most L - 1, and only with failed_known, push_pull and no transmit limit. */
START_TEST(test_seeds_params_check)
{
	static const struct {
		int64_t seeds, f, x;
		int known;
		enum gossip_mode mode;
		const char *detail; /* NULL: valid */
	} rows[] = {
		{ 0, 0, 0, 1, GOSSIP_PUSH_PULL, NULL },
		{ 29, 0, 0, 1, GOSSIP_PUSH_PULL, NULL },
		{ 24, 5, 0, 1, GOSSIP_PUSH_PULL, NULL },
		{ 25, 5, 0, 1, GOSSIP_PUSH_PULL, "at most the live nodes less one (24)" },
		{ 30, 0, 0, 1, GOSSIP_PUSH_PULL, "at most the live nodes less one (29)" },
		{ -1, 0, 0, 1, GOSSIP_PUSH_PULL, "from 0" },
		{ 2, 0, 0, 0, GOSSIP_PUSH_PULL, "needs \"failed_known\": true" },
		{ 2, 0, 0, 1, GOSSIP_PUSH, "needs \"mode\": \"push_pull\"" },
		{ 2, 0, 0, 1, GOSSIP_PULL, "needs \"mode\": \"push_pull\"" },
		{ 2, 0, 4, 1, GOSSIP_PUSH_PULL, "\"transmit_limit\"" },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct gossip_params p = cassandra(30, rows[i].f, rows[i].seeds, 5);
		struct gossip_problem pr[8];
		int n;
		p.transmit_limit = rows[i].x;
		p.failed_known = rows[i].known;
		p.mode = rows[i].mode;
		n = gossip_params_check(&p, 1, pr, 8);
		if (!rows[i].detail) {
			ck_assert_msg(n == 0, "row %zu: %s", i, n ? pr[0].detail : "");
			continue;
		}
		ck_assert_int_eq(n, 1);
		ck_assert_str_eq(pr[0].field, "seeds");
		ck_assert_msg(strstr(pr[0].detail, rows[i].detail) != NULL, "row %zu: %s", i, pr[0].detail);
	}
}
END_TEST

/* The request layer: the field with the cassandra preset, its refusals by field. */
static const struct {
	enum req_op op;
	const char *json;
	const char *field;  /* NULL: accepted */
	const char *detail;
	int64_t seeds;      /* accepted: -1 absent */
} requests[] = {
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"seeds\":2}", NULL, NULL, 2 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"failed_nodes\":4,\"seeds\":0}", NULL, NULL, 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5}",
	  NULL, NULL, -1 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"seeds\":null}", NULL, NULL, -1 },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":30,\"fanout\":1,\"mode\":\"push_pull\",\"failed_known\":true,"
	  "\"trials\":10,\"rounds\":5,\"seeds\":1}", NULL, NULL, 1 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"failed_nodes\":10,\"seeds\":20}", "seeds", "at most the live nodes less one (19)", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"seeds\":-1}", "seeds", "from 0", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"seeds\":1.5}", "seeds", "must be an integer", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":30,\"fanout\":1,\"trials\":10,\"rounds\":5,\"seeds\":1}",
	  "seeds", "needs \"failed_known\"", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"cassandra\",\"mode\":\"push\",\"nodes\":30,\"trials\":10,"
	  "\"rounds\":5,\"seeds\":1}", "seeds", "needs \"mode\": \"push_pull\"", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"memberlist-lan\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"seeds\":1}", "seeds", "needs \"failed_known\"", 0 },
};
#define NREQUESTS ((int)(sizeof requests / sizeof requests[0]))

START_TEST(test_seeds_request)
{
	cJSON *in = cJSON_Parse(requests[_i].json);
	struct request req;
	struct req_error err;
	enum req_status st;

	ck_assert_ptr_nonnull(in);
	st = req_parse(requests[_i].op, in, &req, &err);
	if (!requests[_i].field) {
		ck_assert_msg(st == REQ_OK, "row %d: %s", _i, err.count ? err.errors[0].detail : "");
		ck_assert_int_eq(req.params.seed_gossip, requests[_i].seeds >= 0);
		if (requests[_i].seeds >= 0)
			ck_assert_int_eq(req.params.seeds, requests[_i].seeds);
	} else {
		ck_assert_int_eq(st, REQ_BAD_FIELD);
		ck_assert_str_eq(err.errors[0].field, requests[_i].field);
		ck_assert_msg(strstr(err.errors[0].detail, requests[_i].detail) != NULL, "row %d: %s", _i,
			      err.errors[0].detail);
	}
	cJSON_Delete(in);
}
END_TEST

/*
 * Which model answers with seeds: auto and the simulation (the agent's;
 * tradeoff's auto chooses it here, calc_fanout's per K, see below);
 * exact, large_n, the mean field and the formula refused at "model", naming
 * "seeds", under both timers (aligned timers would let exact run without
 * seeds).
 */
START_TEST(test_seeds_models)
{
	static const struct {
		enum req_op op;
		const char *model;
		enum req_status st;
	} rows[] = {
		{ REQ_CALC_FANOUT, "auto", REQ_OK },
		{ REQ_CALC_FANOUT, "simulation", REQ_OK },
		{ REQ_CALC_FANOUT, "exact", REQ_BAD_FIELD },
		{ REQ_CALC_FANOUT, "large_n", REQ_BAD_FIELD },
		{ REQ_CALC_FANOUT, "mean_field", REQ_BAD_FIELD },
		{ REQ_CALC_FANOUT, "formula", REQ_BAD_FIELD },
		{ REQ_TRADEOFF, "auto", REQ_OK },
		{ REQ_TRADEOFF, "exact", REQ_BAD_FIELD },
	};
	struct req_limits lim = { FO_DEFAULT_WORK_BUDGET, FO_WORKER_THREADS, NULL, NULL };
	char text[320];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct request req;
		struct req_error err;
		cJSON *in;
		snprintf(text, sizeof text,
			 "{\"preset\":\"cassandra\",\"nodes\":40,\"failed_nodes\":5,\"seeds\":3,"
			 "\"target_prob\":0.9,\"%s\":8,\"model\":\"%s\"%s%s}",
			 rows[i].op == REQ_TRADEOFF ? "max_rounds" : "rounds", rows[i].model,
			 rows[i].op == REQ_TRADEOFF ? ",\"max_fanout\":2" : "",
			 _i ? ",\"timers\":\"aligned\"" : "");
		in = cJSON_Parse(text);
		ck_assert_ptr_nonnull(in);
		ck_assert_msg(req_prepare(rows[i].op, in, &lim, &req, &err) == rows[i].st, "row %zu: %s", i,
			      err.count ? err.errors[0].detail : err.detail);
		if (rows[i].st == REQ_OK && rows[i].op == REQ_TRADEOFF)
			ck_assert_int_eq(req.chosen, CALC_SIMULATION);
		if (rows[i].st != REQ_OK) {
			ck_assert_str_eq(err.field, "model");
			ck_assert(strstr(err.errors[0].detail, "\"seeds\"") != NULL);
		}
		cJSON_Delete(in);
	}
}
END_TEST

/* calc_fanout's auto, aligned timers, N = 20: the simulation (exact would answer without seeds). */
START_TEST(test_seeds_calc_auto_simulates)
{
	struct gossip_params p = cassandra(20, 2, 2, 6);
	struct calc_answer a;

	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.9, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.model, CALC_SIMULATION);
	p.seed_gossip = 0;
	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.9, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.model, CALC_EXACT);
}
END_TEST

/*
 * Failures known and seeds (the view keeps the failed nodes): K goes up to
 * L - 1 = 16 of N = 20, F = 3, no further.  Before, calc_fanout's search
 * galloped to K = N - 1 and tradeoff took max_fanout up to N - 1, and the
 * agent then drew more peers than there are live others: a crash (SIGSEGV;
 * through the API, fanoutd died on calc_fanout {"nodes": 20, "target_prob":
 * 0.9, "rounds": 1, "mode": "push_pull", "failed_nodes": 3, "failed_known":
 * true, "seeds": 2}; found by fuzz_core).  With R = 1 only K = 15 and 16
 * reach 0.9.  The third: calc_cost's mean-field doubling, which ran to
 * K = 19 past top and never ended (fuzz_core's timeout on the same input).
 */
START_TEST(test_seeds_fanout_top_live)
{
	struct gossip_params p = cassandra(20, 3, 2, 1);
	struct calc_answer a;
	struct tradeoff t;

	if (_i == 2) {
		/* The mean field's cost: its doubling ran to K = N - 1 = 19 past top = 16 and never ended. */
		p.timers = GOSSIP_TIMERS_INDEPENDENT;
		alarm(60);
		ck_assert(calc_cost(&p, CALC_MEAN_FIELD, 0.9) >= 0);
		alarm(0);
		return;
	}
	if (_i == 0) {
		ck_assert_int_eq(calc_fanout(&p, CALC_SIMULATION, 0.9, HUGE_VAL, NULL, &a), FO_OK);
		ck_assert(a.reachable);
		ck_assert_int_ge(a.fanout, 14);
		ck_assert_int_le(a.fanout, 16);
		return;
	}
	ck_assert_int_eq(tradeoff_rows(&p, 0.9, 19), 16);
	ck_assert_int_eq(tradeoff_run_from(&p, CALC_SIMULATION, 0.9, 15, 19, HUGE_VAL, 1, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, 2); /* K = 15, 16 */
	ck_assert_int_eq(t.rows[t.count - 1].fanout, 16);
	tradeoff_release(&t);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_seeds_by_hand, 2),
	UNIT_LOOP(test_seeds_unreachable_messages, UNIT_COUNT(wasted)),
	UNIT_LOOP(test_seeds_hubs, 2),
	UNIT_LOOP(test_seeds_fast_runs_agent, 2),
	UNIT_LOOP(test_seeds_zero_fast_matches_agent, UNIT_COUNT(against)),
	UNIT_TEST(test_seeds_params_check),
	UNIT_LOOP(test_seeds_request, NREQUESTS),
	UNIT_LOOP(test_seeds_models, 2),
	UNIT_TEST(test_seeds_calc_auto_simulates),
	UNIT_LOOP(test_seeds_fanout_top_live, 3),
};

Suite *seeds_suite(void)
{
	return unit_suite("seeds", suite_cases, UNIT_COUNT(suite_cases), 300);
}
