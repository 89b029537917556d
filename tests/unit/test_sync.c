/*
 * test_sync.c — anti-entropy (sync_interval) and the serf presets:
 * the fast sampler (sim_clock.c) against the agent-based reference on a
 * table of cases with syncs (push, pull, push_pull, loss, failures,
 * failed_known, windows, limits, probes), both against N = 2 by hand,
 * memberlist-local with and without syncs at N = 30 and 1000, the
 * parameters' check, and the request layer (fields, presets, which models
 * may answer).
 *
 * Two simulations are compared by the difference of their means, which
 * must stay within 5 standard errors of that difference (each from its
 * own sample variance).  Seeds are fixed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/calc.h"
#include "fanout/largen_timers.h"
#include "fanout/preset.h"
#include "fanout/sim.h"
#include "request.h"
#include "suites.h"

#define EDGES 5
#define FIGS (EDGES + 4)

/* N, K, mode, loss, F, T, X, probe and sync intervals, failed_known, horizon (intervals), trials. */
static const struct {
	int64_t n, k;
	enum gossip_mode mode;
	double loss;
	int64_t f, t, x;
	double probe, sync;
	int known;
	double horizon;
	int trials;
} cases[] = {
	{ 30, 1, GOSSIP_PUSH, 0, 0, 0, 0, 0, 2, 0, 6, 10000 },
	{ 30, 0, GOSSIP_PUSH, 0, 0, 0, 0, 0, 1, 0, 6, 10000 },          /* syncs alone */
	{ 30, 0, GOSSIP_PUSH, 0.3, 5, 0, 0, 0, 0.7, 0, 5, 10000 },       /* alone, loss, failures */
	{ 30, 1, GOSSIP_PULL, 0.2, 4, 0, 0, 0, 1.5, 0, 6, 10000 },
	{ 30, 1, GOSSIP_PUSH_PULL, 0.1, 3, 0, 0, 0, 2, 0, 6, 10000 },
	{ 30, 2, GOSSIP_PUSH, 0, 0, 1, 0, 0, 2.5, 0, 8, 10000 },        /* forward_rounds: learnt by sync, gossiped anew */
	{ 30, 3, GOSSIP_PUSH, 0.1, 3, 0, 4, 2.5, 3, 0, 10, 10000 },     /* memberlist-like: X, probes */
	{ 30, 3, GOSSIP_PUSH, 0.1, 5, 0, 4, 2.5, 3, 1, 10, 10000 },     /* the same, failed_known */
	{ 30, 1, GOSSIP_PUSH_PULL, 0.2, 6, 0, 0, 0, 0, 1, 6, 10000 },   /* failed_known, no sync */
	{ 30, 2, GOSSIP_PUSH, 0.1, 8, 0, 3, 1.5, 0, 1, 8, 10000 },      /* failed_known, probes, no sync */
	{ 30, 1, GOSSIP_PULL, 0, 5, 0, 0, 0, 1, 1, 6, 10000 },          /* failed_known, pull, sync */
	{ 30, 3, GOSSIP_PUSH, 0, 0, 0, 4, 10, 150, 0, 150, 2000 },      /* memberlist-local, 15 s sync */
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static struct gossip_params case_params(int i)
{
	struct gossip_params p = { 0 };

	p.nodes = cases[i].n;
	p.fanout = cases[i].k;
	p.rounds = 1;
	p.mode = cases[i].mode;
	p.loss = cases[i].loss;
	p.failed = cases[i].f;
	p.forward_rounds = cases[i].t;
	p.transmit_limit = cases[i].x;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.probe_interval = cases[i].probe;
	p.sync_interval = cases[i].sync;
	p.failed_known = cases[i].known;
	p.horizon = cases[i].horizon;
	return p;
}

typedef enum fo_status (*timed_fn)(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				   double *when, struct sim_timed *out);

/* Sums and sums of squares of one simulator's figures. */
struct moments {
	double n, sum[FIGS], sq[FIGS];
};

static double mean(const struct moments *m, int j)
{
	return m->sum[j] / m->n;
}

static double var_of_mean(const struct moments *m, int j)
{
	double mu = mean(m, j);
	return fmax(m->sq[j] / m->n - mu * mu, 0) / (m->n - 1);
}

/* Informed count at EDGES times, P(full by H), messages, transmits, probe transmits. */
static void collect(const struct gossip_params *p, timed_fn run, uint64_t seed, int trials,
		    struct moments *m)
{
	double *when = malloc((size_t)p->nodes * sizeof *when), h = gossip_horizon(p);
	int64_t live = gossip_live(p);

	ck_assert_ptr_nonnull(when);
	memset(m, 0, sizeof *m);
	for (int t = 0; t < trials; t++) {
		struct sim_timed o;
		double x[FIGS];
		ck_assert_int_eq(run(p, seed, (uint64_t)t, when, &o), FO_OK);
		ck_assert(o.informed >= 1 && o.informed <= live);
		for (int64_t i = 1; i < o.informed; i++)
			ck_assert(when[i] >= when[i - 1] && when[i] <= h);
		for (int j = 0; j < EDGES; j++) {
			double at = h * (j + 1) / EDGES;
			int64_t c = 0;
			while (c < o.informed && when[c] <= at)
				c++;
			x[j] = (double)c;
		}
		x[EDGES] = o.informed == live;
		x[EDGES + 1] = (double)o.messages;
		x[EDGES + 2] = (double)o.transmits;
		x[EDGES + 3] = (double)o.probe_transmits;
		for (int j = 0; j < FIGS; j++) {
			m->sum[j] += x[j];
			m->sq[j] += x[j] * x[j];
		}
		m->n++;
	}
	free(when);
}

START_TEST(test_sync_fast_matches_agent)
{
	static const char *const names[FIGS] = { "informed at H/5", "informed at 2H/5",
		"informed at 3H/5", "informed at 4H/5", "informed at H", "P(full by H)", "messages",
		"transmits", "probe transmits" };
	struct gossip_params p = case_params(_i);
	struct moments a, f;

	collect(&p, sim_agent_timed, 301 + (uint64_t)_i, cases[_i].trials, &a);
	collect(&p, sim_fast_timed, 402 + (uint64_t)_i, cases[_i].trials, &f);
	for (int j = 0; j < FIGS; j++) {
		double se = sqrt(var_of_mean(&a, j) + var_of_mean(&f, j));
		ck_assert_msg(fabs(mean(&a, j) - mean(&f, j)) <= 5 * se + 1e-9,
			      "case %d, %s: agent %.5f fast %.5f (5 se %.5f)", _i, names[j], mean(&a, j),
			      mean(&f, j), 5 * se);
	}
}
END_TEST

/*
 * N = 2, syncs alone (K = 0), period S, loss l: each node's first sync tick
 * in [0, t] (t <= S) comes with probability t / S and succeeds with 1 - l,
 * so P(full by t) = 1 - (1 - (1 - l) t / S)^2.  Every sync tick in [0, H]
 * is two messages: 2 * 2 * H / S expected.  Both simulators, loss 0 and 0.25.
 */
START_TEST(test_sync_two_nodes_by_hand)
{
	struct gossip_params p = { 0 };
	timed_fn run = _i < 2 ? sim_agent_timed : sim_fast_timed;
	double when[2], s = 2.0, msgs = 0;
	int trials = 40000, hits[4] = { 0 };

	p.nodes = 2;
	p.rounds = 1;
	p.loss = _i % 2 ? 0.25 : 0;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.sync_interval = s;
	p.horizon = s;
	for (int t = 0; t < trials; t++) {
		struct sim_timed o;
		ck_assert_int_eq(run(&p, 19, (uint64_t)t, when, &o), FO_OK);
		ck_assert_uint_eq(o.transmits, 0);
		msgs += (double)o.messages;
		for (int e = 0; e < 4; e++)
			hits[e] += o.informed == 2 && when[1] <= p.horizon * (e + 1) / 4;
	}
	for (int e = 0; e < 4; e++) {
		double at = p.horizon * (e + 1) / 4, want = 1 - pow(1 - (1 - p.loss) * at / s, 2);
		ck_assert_msg(fabs((double)hits[e] / trials - want) <=
				      5 * sqrt(want * (1 - want) / trials) + 1e-12,
			      "case %d: P(full by %.2f) want %.4f got %.4f", _i, at, want,
			      (double)hits[e] / trials);
	}
	/* Ticks per node in [0, S]: exactly 1 (the phase lies in [0, S)); 2 messages each. */
	ck_assert_double_eq(msgs / trials, 4);
}
END_TEST

/*
 * memberlist-local (K 3, 0.1 s, RetransmitMult 2, probes every 1 s) with
 * a 15 s sync: every node within one sync interval, where gossip alone
 * stops short (MODEL.md: best P(all) 0.65 - 0.81).  From the fast
 * simulator, whose law the table above checks against the reference.
 * Clopper-Pearson ends at 95%; the figures go to docs/MODEL.md.
 */
START_TEST(test_sync_local_reaches_all)
{
	static const struct {
		int64_t n;
		int trials;
	} sizes[] = { { 30, 2000 }, { 1000, 200 } };
	const struct gossip_preset *local = gossip_preset_find("memberlist-local");
	int64_t n = sizes[_i].n;
	int trials = sizes[_i].trials;
	double ci_sync[2][2], ci_alone[2];

	ck_assert_ptr_nonnull(local);
	for (int with = 0; with <= 2; with++) {
		struct gossip_params p = { 0 };
		struct sim_tally t;
		double ci[2];
		p.nodes = n;
		p.fanout = local->fanout;
		p.rounds = 1;
		p.mode = local->mode;
		p.transmit_limit = gossip_preset_transmit_limit(local, n);
		p.timers = GOSSIP_TIMERS_INDEPENDENT;
		p.probe_interval = local->probe_interval / local->interval;
		p.sync_interval = with ? 15 / local->interval : 0;
		/* Alone: 30 s; with syncs: by one sync interval (15 s) and by two (30 s). */
		p.horizon = (with == 1 ? 15 : 30) / local->interval;
		ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
		ck_assert_int_eq(sim_fast_run(&p, 23, 0, trials, 1, NULL, &t), FO_OK);
		sim_clopper_pearson(t.trials_full, t.trials, 0.05, ci);
		printf("sync: memberlist-local N = %lld, %s: P(all by %.0f s) = %.4f [%.4f, %.4f]\n",
		       (long long)n, with ? "sync 15 s" : "no sync", p.horizon * local->interval,
		       (double)t.trials_full / trials, ci[0], ci[1]);
		if (with)
			memcpy(ci_sync[with - 1], ci, sizeof ci);
		else
			memcpy(ci_alone, ci, sizeof ci);
		sim_tally_release(&t);
	}
	ck_assert_msg(ci_alone[1] < 0.9, "gossip alone reached all: upper end %.4f", ci_alone[1]);
	ck_assert_msg(ci_sync[0][0] >= 0.95, "one sync interval: lower end %.4f", ci_sync[0][0]);
	ck_assert_msg(ci_sync[1][0] >= 0.95, "two sync intervals: lower end %.4f", ci_sync[1][0]);
}
END_TEST

START_TEST(test_sync_params_check)
{
	struct gossip_params p = { 0 };
	struct gossip_problem found[4];

	p.nodes = 10;
	p.fanout = 2;
	p.rounds = 5;
	ck_assert_int_eq(gossip_params_check(&p, 1, found, 4), 0);
	p.sync_interval = 5;
	ck_assert_int_eq(gossip_params_check(&p, 1, found, 4), 1);
	ck_assert_str_eq(found[0].field, "sync_interval");
	ck_assert(strstr(found[0].detail, "independent") != NULL);
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	ck_assert_int_eq(gossip_params_check(&p, 1, found, 4), 0);
	p.sync_interval = -1;
	ck_assert_int_eq(gossip_params_check(&p, 1, found, 4), 1);
	p.sync_interval = NAN;
	ck_assert_int_eq(gossip_params_check(&p, 1, found, 4), 1);
	/* The round view a prediction takes has no syncs. */
	p.sync_interval = 5;
	ck_assert(gossip_as_rounds(&p).sync_interval == 0);
}
END_TEST

/*
 * The request layer both doors share: the field in seconds (params in
 * gossip intervals), the serf presets' PushPullInterval, what is refused
 * and by which field, and which models may answer: large_n, exact and the
 * mean field cannot follow syncs; auto takes the simulation.
 */
static const struct {
	enum req_op op;
	const char *json;
	const char *field;    /* NULL: accepted */
	const char *detail;   /* a part of the field's error */
	double sync;          /* accepted: params.sync_interval (intervals) */
} requests[] = {
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":30,\"fanout\":3,\"trials\":10,\"timers\":\"independent\","
	  "\"interval\":0.1,\"sync_interval\":15,\"within_seconds\":20}", NULL, NULL, 150 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"serf-lan\",\"nodes\":30,\"trials\":10,\"within_seconds\":5}",
	  NULL, NULL, 150 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"serf-wan\",\"nodes\":30,\"trials\":10,\"within_seconds\":5}",
	  NULL, NULL, 120 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"serf-lan\",\"nodes\":30,\"trials\":10,\"within_seconds\":5,"
	  "\"sync_interval\":2}", NULL, NULL, 10 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"memberlist-lan\",\"nodes\":30,\"trials\":10,\"within_seconds\":5}",
	  NULL, NULL, 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"serf-lan\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"timers\":\"aligned\"}", NULL, NULL, 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"memberlist-local\",\"nodes\":30,\"trials\":10,"
	  "\"within_seconds\":5,\"sync_interval\":null}", NULL, NULL, 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":30,\"fanout\":3,\"trials\":10,\"rounds\":5,\"interval\":0.2,"
	  "\"sync_interval\":30}", "sync_interval", "needs \"timers\": \"independent\"", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"nodes\":30,\"fanout\":3,\"trials\":10,\"rounds\":5,"
	  "\"timers\":\"independent\",\"sync_interval\":30}", "sync_interval", "needs \"interval\"", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"serf-lan\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"sync_interval\":0}", "sync_interval", "greater than 0", 0 },
	{ REQ_SIMULATE_GOSSIP, "{\"preset\":\"serf-lan\",\"nodes\":30,\"trials\":10,\"rounds\":5,"
	  "\"sync_interval\":\"30s\"}", "sync_interval", "greater than 0", 0 },
	{ REQ_CALC_FANOUT, "{\"preset\":\"serf-lan\",\"nodes\":30,\"target_prob\":0.99,\"within_seconds\":10}",
	  NULL, NULL, 150 },
	{ REQ_TRADEOFF, "{\"preset\":\"serf-wan\",\"nodes\":30,\"target_prob\":0.99,\"max_rounds\":20}",
	  NULL, NULL, 120 },
};
#define NREQUESTS ((int)(sizeof requests / sizeof requests[0]))

START_TEST(test_sync_request)
{
	cJSON *in = cJSON_Parse(requests[_i].json);
	struct request req;
	struct req_error err;
	enum req_status st;

	ck_assert_ptr_nonnull(in);
	st = req_parse(requests[_i].op, in, &req, &err);
	if (!requests[_i].field) {
		ck_assert_msg(st == REQ_OK, "row %d: %s", _i, err.count ? err.errors[0].detail : "");
		ck_assert_double_eq_tol(req.params.sync_interval, requests[_i].sync, 1e-9);
	} else {
		ck_assert_int_eq(st, REQ_BAD_FIELD);
		ck_assert_str_eq(err.errors[0].field, requests[_i].field);
		ck_assert_msg(strstr(err.errors[0].detail, requests[_i].detail) != NULL, "row %d: %s", _i,
			      err.errors[0].detail);
	}
	cJSON_Delete(in);
}
END_TEST

/* Which model answers under syncs: auto and large_n (its bound) and the simulation; exact and the mean field refused at "model". */
START_TEST(test_sync_models)
{
	static const struct {
		enum req_op op;
		const char *model;
		enum req_status st;
	} rows[] = {
		{ REQ_CALC_FANOUT, "auto", REQ_OK },
		{ REQ_CALC_FANOUT, "simulation", REQ_OK },
		{ REQ_CALC_FANOUT, "large_n", REQ_OK },
		{ REQ_CALC_FANOUT, "exact", REQ_BAD_FIELD },
		{ REQ_CALC_FANOUT, "mean_field", REQ_BAD_FIELD },
		{ REQ_TRADEOFF, "auto", REQ_OK },
		{ REQ_TRADEOFF, "large_n", REQ_OK },
	};
	struct req_limits lim = { FO_DEFAULT_WORK_BUDGET, FO_WORKER_THREADS, NULL, NULL };
	char text[256];

	/* N = 300 (tradeoff: 30, max_fanout 3): within the budget for the simulation. */

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct request req;
		struct req_error err;
		cJSON *in;
		snprintf(text, sizeof text,
			 "{\"preset\":\"serf-lan\",\"nodes\":%d,\"target_prob\":0.9,\"%s\":10,"
			 "\"model\":\"%s\"%s}", rows[i].op == REQ_TRADEOFF ? 30 : 300,
			 rows[i].op == REQ_TRADEOFF ? "max_rounds" : "rounds", rows[i].model,
			 rows[i].op == REQ_TRADEOFF ? ",\"max_fanout\":3" : "");
		in = cJSON_Parse(text);
		ck_assert_ptr_nonnull(in);
		ck_assert_msg(req_prepare(rows[i].op, in, &lim, &req, &err) == rows[i].st, "row %zu: %s", i,
			      err.count ? err.errors[0].detail : err.detail);
		if (rows[i].st == REQ_OK && rows[i].op == REQ_TRADEOFF && strcmp(rows[i].model, "auto") == 0)
			ck_assert_int_eq(req.chosen, CALC_SIMULATION);
		if (rows[i].st != REQ_OK)
			ck_assert_str_eq(err.field, "model");
		cJSON_Delete(in);
	}
}
END_TEST

/*
 * calc_fanout's auto at N = 1000 (X = 8, probes, syncs every 150 intervals,
 * H = 10) answers by large_n's bound (it took the simulation before large_n
 * followed syncs): its interval's upper end is 1.  With X = 4 and syncs
 * every 3 intervals gossip alone reaches no K (large_n says so, its upper
 * end 1), but the syncs do: auto runs the simulation after large_n.
 */
START_TEST(test_sync_calc_auto_simulates)
{
	struct gossip_params p = { 0 };
	struct calc_answer a, n, sim;

	p.nodes = 1000;
	p.rounds = 1;
	p.mode = GOSSIP_PUSH;
	p.transmit_limit = 8;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.probe_interval = 5;
	p.horizon = 10;
	p.sync_interval = 150;
	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.5, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.model, CALC_LARGE_N);
	ck_assert(a.reachable);
	ck_assert_double_eq(a.delivery_prob_hi, 1);
	ck_assert_double_ge(a.delivery_prob_lo, 0.5);
	p.transmit_limit = 4;
	p.sync_interval = 3;
	ck_assert_int_eq(calc_fanout(&p, CALC_LARGE_N, 0.5, HUGE_VAL, NULL, &n), FO_OK);
	ck_assert(!n.reachable);
	ck_assert_double_eq(n.delivery_prob_hi, 1);
	ck_assert_int_eq(calc_fanout(&p, CALC_SIMULATION, 0.5, HUGE_VAL, NULL, &sim), FO_OK);
	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.5, HUGE_VAL, NULL, &a), FO_OK);
	ck_assert_int_eq(a.model, CALC_SIMULATION);
	ck_assert(a.reachable);
	ck_assert_int_eq(a.fanout, sim.fanout);
	ck_assert_int_eq(a.evaluations, sim.evaluations + n.evaluations);
}
END_TEST

/*
 * large_n with syncs (largen_timers.h): gossip alone's interval, its upper end
 * 1.  At N = 1000: serf-lan's own settings (K = 2, X = 16, probes every 5
 * intervals, syncs every 150, H = 10 intervals = 2 s), and two where syncs
 * every 20 intervals add about 0.1 to 0.2 to P(full): a transmit limit with
 * probes and loss (where the coupling is not a proof) and forward_rounds
 * with loss (where it is).
 */
static const struct {
	int64_t k, x, t;
	double loss, probe, sync, horizon;
} bound_cases[] = {
	{ 2, 16, 0, 0, 5, 150, 10 },
	{ 2, 8, 0, 0.1, 5, 20, 10 },
	{ 2, 0, 4, 0.1, 0, 20, 8 },
};

/*
 * The lower end stays below the fast sampler's share of full trials with the
 * syncs, at 5 standard errors of that share; the figures are gossip alone's
 * (the same run without sync_interval), but the upper end, 1.
 */
START_TEST(test_sync_largen_bound)
{
	struct gossip_params p = { 0 }, alone;
	struct largen_result l, g;
	struct sim_tally t;
	const int64_t trials = 1000;
	double share, se;

	p.nodes = 1000;
	p.fanout = bound_cases[_i].k;
	p.mode = GOSSIP_PUSH;
	p.loss = bound_cases[_i].loss;
	p.transmit_limit = bound_cases[_i].x;
	p.forward_rounds = bound_cases[_i].t;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.probe_interval = bound_cases[_i].probe;
	p.sync_interval = bound_cases[_i].sync;
	p.horizon = bound_cases[_i].horizon;
	p.rounds = (int64_t)ceil(p.horizon);
	alone = p;
	alone.sync_interval = 0;
	/* A target of 0.5: the run stops at its first deciding look (a shorter test, the same bound). */
	ck_assert_int_eq(largen_timers_run(&p, 0.5, HUGE_VAL, NULL, &l, NULL, NULL), FO_OK);
	ck_assert_int_eq(largen_timers_run(&alone, 0.5, HUGE_VAL, NULL, &g, NULL, NULL), FO_OK);
	ck_assert_double_eq(l.p_lo, g.p_lo);
	ck_assert_double_eq(l.miss_hi, g.miss_hi);
	ck_assert_double_eq(l.p_full, g.p_full);
	ck_assert_double_eq(l.p_hi, 1);
	ck_assert_double_eq(l.miss_lo, 0);
	ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
	ck_assert_int_eq(sim_fast_run(&p, 4242, 0, trials, 1, NULL, &t), FO_OK);
	share = (double)t.trials_full / (double)trials;
	se = sqrt(fmax(share * (1 - share), 1.0 / trials) / trials);
	ck_assert_msg(l.p_lo <= share + 5 * se, "case %d: bound %.4f above the sampler's %.4f (se %.4f)", _i,
		      l.p_lo, share, se);
	printf("sync: large_n bound at N = 1000, case %d: P(full) >= %.4f; with syncs simulated %.4f (se %.4f)\n",
	       _i, l.p_lo, share, se);
	sim_tally_release(&t);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_sync_fast_matches_agent, NCASES),
	UNIT_LOOP(test_sync_two_nodes_by_hand, 4),
	UNIT_LOOP(test_sync_local_reaches_all, 2),
	UNIT_TEST(test_sync_params_check),
	UNIT_LOOP(test_sync_request, NREQUESTS),
	UNIT_TEST(test_sync_models),
	UNIT_TEST(test_sync_calc_auto_simulates),
	UNIT_LOOP(test_sync_largen_bound, (int)(sizeof bound_cases / sizeof bound_cases[0])),
};

Suite *sync_suite(void)
{
	return unit_suite("sync", suite_cases, UNIT_COUNT(suite_cases), 300);
}
