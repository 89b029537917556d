/*
 * test_known.c — failed_known: peers chosen among the live nodes only.
 *
 * The identity: N nodes with F failed and failed_known behave exactly like
 * L = N - F nodes without failures, so every calculator and the fast
 * simulator must give the same bits for both.  The agent simulator follows
 * failed_known literally (it keeps the failed nodes and picks peers among
 * the live ones), and must agree with the exact chain: P(full) and the mean
 * informed count at 5 sigma, the informed count's distribution by
 * chi-square.
 */
#include <math.h>
#include <string.h>

#include "fanout/broadcast.h"
#include "fanout/calc.h"
#include "fanout/exact.h"
#include "fanout/largen.h"
#include "fanout/meanfield.h"
#include "fanout/sim.h"
#include "request.h"
#include "stats.h"
#include "suites.h"

/* N, K, R, mode, loss, F, T, X, and failed_known by name */
static const struct gossip_params known[] = {
	{ 30, 2, 5, GOSSIP_PUSH, 0, 10, 0, 0, .failed_known = 1 },
	{ 25, 1, 6, GOSSIP_PULL, 0.1, 8, 0, 0, .failed_known = 1 },
	{ 20, 1, 4, GOSSIP_PUSH_PULL, 0, 5, 0, 0, .failed_known = 1 },
	{ 30, 2, 6, GOSSIP_PUSH, 0.1, 10, 2, 0, .failed_known = 1 },
	{ 28, 3, 5, GOSSIP_PUSH, 0, 9, 0, 4, .failed_known = 1 },
	{ 40, 1, 10, GOSSIP_PUSH, 0.2, 30, 0, 0, .failed_known = 1 },
};
#define NKNOWN ((int)(sizeof known / sizeof known[0]))

static struct gossip_params cluster_of_live(const struct gossip_params *p)
{
	struct gossip_params q = *p;

	q.nodes = gossip_live(p);
	q.failed = 0;
	q.failed_known = 0;
	return q;
}

static void chains_equal(const struct chain_result *a, const struct chain_result *b, int64_t rounds,
			 int64_t live)
{
	size_t n = (size_t)rounds + 1;

	ck_assert_mem_eq(a->p_full, b->p_full, n * sizeof *a->p_full);
	ck_assert_mem_eq(a->mean_informed, b->mean_informed, n * sizeof *a->mean_informed);
	ck_assert(a->node_miss == b->node_miss);
	if (a->final_informed)
		ck_assert_mem_eq(a->final_informed, b->final_informed, (size_t)(live + 1) * sizeof *a->final_informed);
}

/* Exact, the mean field, the fast simulator, calc_fanout and the costs: the same bits as L nodes. */
START_TEST(test_known_is_cluster_of_live)
{
	const struct gossip_params *p = &known[_i];
	struct gossip_params q = cluster_of_live(p);
	struct chain_result a, b;
	struct sim_tally s, t;
	struct calc_answer ca, cb;
	int64_t live = gossip_live(p);

	ck_assert_int_eq(exact_run(p, NULL, &a), FO_OK);
	ck_assert_int_eq(exact_run(&q, NULL, &b), FO_OK);
	chains_equal(&a, &b, p->rounds, live);
	ck_assert(exact_cost(p) == exact_cost(&q));
	ck_assert(broadcast_messages(p, a.mean_informed) == broadcast_messages(&q, b.mean_informed));
	chain_result_release(&a);
	chain_result_release(&b);
	ck_assert_int_eq(mf_run(p, &a), FO_OK);
	ck_assert_int_eq(mf_run(&q, &b), FO_OK);
	chains_equal(&a, &b, p->rounds, live);
	chain_result_release(&a);
	chain_result_release(&b);
	ck_assert_int_eq(sim_tally_init(&s, p, 1), FO_OK);
	ck_assert_int_eq(sim_tally_init(&t, &q, 1), FO_OK);
	ck_assert_int_eq(sim_fast_run(p, 99, 0, 500, 2, NULL, &s), FO_OK);
	ck_assert_int_eq(sim_fast_run(&q, 99, 0, 500, 2, NULL, &t), FO_OK);
	ck_assert_uint_eq(s.informed_sum, t.informed_sum);
	ck_assert(s.informed_sq_sum == t.informed_sq_sum);
	ck_assert_int_eq(s.trials_full, t.trials_full);
	ck_assert_uint_eq(s.messages_sum, t.messages_sum);
	ck_assert_mem_eq(s.informed_by_round, t.informed_by_round, (size_t)(p->rounds + 1) * sizeof *s.informed_by_round);
	sim_tally_release(&s);
	sim_tally_release(&t);
	ck_assert_int_eq(calc_fanout(p, CALC_AUTO, 0.9, HUGE_VAL, NULL, &ca), FO_OK);
	ck_assert_int_eq(calc_fanout(&q, CALC_AUTO, 0.9, HUGE_VAL, NULL, &cb), FO_OK);
	ck_assert_int_eq(ca.fanout, cb.fanout);
	ck_assert(ca.delivery_prob == cb.delivery_prob && ca.miss_prob == cb.miss_prob);
	ck_assert(calc_cost(p, CALC_AUTO, 0.9) == calc_cost(&q, CALC_AUTO, 0.9));
}
END_TEST

/* large_n at a size exact does not reach: the same as the live cluster. */
START_TEST(test_known_largen)
{
	static const struct gossip_params p = { 40000, 3, 14, GOSSIP_PUSH, 0.1, 10000, 0, 0, .failed_known = 1 };
	struct gossip_params q = cluster_of_live(&p);
	struct largen_result a, b;

	ck_assert_int_eq(largen_run(&p, NULL, &a), FO_OK);
	ck_assert_int_eq(largen_run(&q, NULL, &b), FO_OK);
	ck_assert(a.p_full == b.p_full && a.p_lo == b.p_lo && a.p_hi == b.p_hi && a.miss == b.miss);
	ck_assert(largen_cost(&p) == largen_cost(&q));
	/* Without failed_known the failed nodes waste messages: P(full) is lower. */
	{
		struct gossip_params r = p;
		struct largen_result c;
		r.failed_known = 0;
		ck_assert_int_eq(largen_run(&r, NULL, &c), FO_OK);
		ck_assert(c.p_hi < a.p_lo);
	}
}
END_TEST

/*
 * The agent simulator, which picks among the live nodes of the N literally,
 * against the exact chain: P(full by R) and the mean informed count within
 * 5 sigma over 20000 trials, the informed count after R by chi-square.
 */
START_TEST(test_known_agent_matches_exact)
{
	const struct gossip_params *p = &known[_i];
	const int64_t n = 20000;
	int64_t live = gossip_live(p);
	struct chain_result e;
	struct sim_tally t;
	double pf, mean, sd_full, sd_mean, var;

	ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
	ck_assert_int_eq(sim_tally_init(&t, p, 0), FO_OK);
	ck_assert_int_eq(sim_agent_run(p, 555 + (uint64_t)_i, 0, n, NULL, &t), FO_OK);
	pf = e.p_full[p->rounds];
	sd_full = sqrt(fmax(pf * (1 - pf), 1e-12) / (double)n);
	ck_assert_msg(fabs((double)t.trials_full / (double)n - pf) <= 5 * sd_full + 1e-12,
		      "case %d: agent P(full) %.5f, exact %.5f", _i, (double)t.trials_full / (double)n, pf);
	mean = e.mean_informed[p->rounds];
	var = 0;
	for (int64_t i = 0; i <= live; i++)
		var += e.final_informed[i] * ((double)i - mean) * ((double)i - mean);
	sd_mean = sqrt(fmax(var, 1e-12) / (double)n);
	ck_assert_msg(fabs((double)t.informed_sum / (double)n - mean) <= 5 * sd_mean + 1e-9,
		      "case %d: agent mean informed %.4f, exact %.4f", _i, (double)t.informed_sum / (double)n, mean);
	sim_tally_release(&t);
	chain_result_release(&e);
}
END_TEST

/* The informed count's whole distribution: the agent simulator, one trial at a time, by chi-square. */
START_TEST(test_known_agent_distribution)
{
	const struct gossip_params *p = &known[_i];
	const int64_t n = 20000;
	int64_t live = gossip_live(p), final[64] = { 0 };
	struct chain_result e;
	double chi2;
	int df;

	ck_assert(live < 64);
	ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
	for (int64_t i = 0; i < n; i++) {
		struct sim_tally t;
		ck_assert_int_eq(sim_tally_init(&t, p, 0), FO_OK);
		ck_assert_int_eq(sim_agent_run(p, 777, (uint64_t)i, 1, NULL, &t), FO_OK);
		final[t.informed_sum]++;
		sim_tally_release(&t);
	}
	chi2 = chi_square(final, e.final_informed, (int)live + 1, n, &df);
	ck_assert_msg(chi2 < chi_square_limit(df), "case %d: chi2 %.1f df %d limit %.1f", _i, chi2, df,
		      chi_square_limit(df));
	chain_result_release(&e);
}
END_TEST

/* fanout is at most L - 1 with failed_known; the flag changes the answer. */
START_TEST(test_known_checks)
{
	struct gossip_params p = { 30, 20, 5, GOSSIP_PUSH, 0, 10, 0, 0, .failed_known = 1 };
	struct gossip_problem probs[4];
	struct chain_result a, b;

	ck_assert_int_eq(gossip_params_check(&p, 1, probs, 4), 1);
	ck_assert_str_eq(probs[0].field, "fanout");
	p.fanout = 19;
	ck_assert_int_eq(gossip_params_check(&p, 1, probs, 4), 0);
	ck_assert_int_eq(gossip_fanout_top(&p), 19);
	p.fanout = 2;
	ck_assert_int_eq(exact_run(&p, NULL, &a), FO_OK);
	p.failed_known = 0;
	ck_assert_int_eq(exact_run(&p, NULL, &b), FO_OK);
	ck_assert(a.p_full[p.rounds] > b.p_full[p.rounds] + 0.01);
	chain_result_release(&a);
	chain_result_release(&b);
}
END_TEST

/*
 * The request field, through the request layer both doors share: parsed,
 * false by default, set by the cassandra preset (which gossips to live
 * peers) unless the request says otherwise, and checked against L - 1.
 */
START_TEST(test_known_request)
{
	static const struct {
		const char *json;
		enum req_status st;
		int known;
	} rows[] = {
		{ "{\"nodes\":100,\"rounds\":5,\"target_prob\":0.9,\"failed_nodes\":10}", REQ_OK, 0 },
		{ "{\"nodes\":100,\"rounds\":5,\"target_prob\":0.9,\"failed_nodes\":10,\"failed_known\":true}", REQ_OK, 1 },
		{ "{\"preset\":\"cassandra\",\"nodes\":100,\"rounds\":5,\"target_prob\":0.9}", REQ_OK, 1 },
		{ "{\"preset\":\"cassandra\",\"nodes\":100,\"rounds\":5,\"target_prob\":0.9,\"failed_known\":false}",
		  REQ_OK, 0 },
		{ "{\"preset\":\"memberlist-lan\",\"nodes\":100,\"rounds\":5,\"target_prob\":0.9}", REQ_OK, 0 },
		{ "{\"nodes\":100,\"rounds\":5,\"target_prob\":0.9,\"failed_known\":1}", REQ_BAD_FIELD, 0 },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cJSON *in = cJSON_Parse(rows[i].json);
		struct request req;
		struct req_error err;
		ck_assert_ptr_nonnull(in);
		ck_assert_int_eq(req_parse(REQ_CALC_FANOUT, in, &req, &err), rows[i].st);
		if (rows[i].st == REQ_OK)
			ck_assert_int_eq(req.params.failed_known, rows[i].known);
		else
			ck_assert_str_eq(err.field, "failed_known");
		cJSON_Delete(in);
	}
	{
		cJSON *in = cJSON_Parse("{\"nodes\":30,\"fanout\":20,\"rounds\":5,\"trials\":10,"
					"\"failed_nodes\":10,\"failed_known\":true}");
		struct request req;
		struct req_error err;
		ck_assert_int_eq(req_parse(REQ_SIMULATE_GOSSIP, in, &req, &err), REQ_BAD_FIELD);
		ck_assert_str_eq(err.field, "fanout");
		cJSON_Delete(in);
	}
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_known_is_cluster_of_live, NKNOWN),
	UNIT_TEST(test_known_largen),
	UNIT_LOOP(test_known_agent_matches_exact, NKNOWN),
	UNIT_LOOP(test_known_agent_distribution, NKNOWN),
	UNIT_TEST(test_known_checks),
	UNIT_TEST(test_known_request),
};

Suite *known_suite(void)
{
	return unit_suite("known", suite_cases, UNIT_COUNT(suite_cases), 300);
}
