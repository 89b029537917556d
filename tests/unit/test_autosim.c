/*
 * test_autosim.c — calc_fanout's simulation (CALC_SIMULATION, and auto
 * where exact and large_n cannot go): its Clopper-Pearson interval against
 * plain binomial sums, its intervals against the exact chain, its least K
 * against exact's, reproducibility, and the memberlist presets under auto.
 */
#include <math.h>
#include <stdio.h>

#include "fanout/calc.h"
#include "fanout/exact.h"
#include "fanout/preset.h"
#include "fanout/sim.h"
#include "fanout/tradeoff.h"
#include "settings.h"
#include "suites.h"

/* P(X <= k) for X ~ Binomial(n, p), summed term by term in long double (slow, obviously right). */
static long double binom_cdf(int k, int n, long double p)
{
	long double sum = 0;

	for (int j = 0; j <= k; j++) {
		long double c = 1;
		for (int i = 0; i < j; i++)
			c = c * (n - i) / (i + 1);
		sum += c * powl(p, j) * powl(1 - p, n - j);
	}
	return sum;
}

/* The interval's ends are where the two tails are alpha / 2. */
START_TEST(test_clopper_pearson)
{
	static const int cases[][2] = { { 0, 10 }, { 1, 10 }, { 5, 10 }, { 9, 10 }, { 10, 10 },
					{ 3, 200 }, { 197, 200 }, { 100, 200 }, { 0, 500 }, { 499, 500 } };
	const double alpha = 0.001;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int k = cases[i][0], n = cases[i][1];
		double ci[2];
		sim_clopper_pearson(k, n, alpha, ci);
		ck_assert(0 <= ci[0] && ci[0] < ci[1] && ci[1] <= 1);
		if (k > 0) /* P(X >= k | lo) = alpha / 2 */
			ck_assert_double_eq_tol((double)(1 - binom_cdf(k - 1, n, ci[0])), alpha / 2, 1e-9);
		else
			ck_assert_double_eq(ci[0], 0);
		if (k < n) /* P(X <= k | hi) = alpha / 2 */
			ck_assert_double_eq_tol((double)binom_cdf(k, n, ci[1]), alpha / 2, 1e-9);
		else
			ck_assert_double_eq(ci[1], 1);
	}
	/* A tiny miss count keeps its relative precision (the miss side is computed, not 1 - P). */
	{
		double ci[2];
		sim_clopper_pearson(1, 100000, alpha, ci);
		ck_assert_double_eq_tol((double)binom_cdf(1, 100000, ci[1]), alpha / 2, 1e-9);
		ck_assert(ci[0] > 0 && ci[0] < 1e-5);
	}
}
END_TEST

/* Small cases exact can answer, push windows and transmit limits among them. */
static const struct gossip_params table[] = {
	/* N, K, R, mode, loss, F, T, X */
	{ 25, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 },      { 25, 2, 6, GOSSIP_PUSH, 0, 0, 0, 4 },
	{ 20, 1, 10, GOSSIP_PUSH, 0, 0, 0, 3 },     { 20, 2, 8, GOSSIP_PUSH, 0.1, 0, 0, 5 },
	{ 15, 3, 5, GOSSIP_PUSH, 0, 2, 0, 4 },      { 30, 2, 6, GOSSIP_PUSH, 0, 0, 2, 0 },
	{ 30, 3, 4, GOSSIP_PULL, 0.1, 0, 0, 0 },    { 20, 2, 4, GOSSIP_PUSH_PULL, 0, 1, 0, 0 },
	{ 10, 1, 6, GOSSIP_PUSH, 0, 0, 0, 2 },      { 10, 2, 4, GOSSIP_PUSH, 0.2, 0, 0, 3 },
	{ 25, 4, 4, GOSSIP_PUSH, 0, 0, 1, 0 },      { 18, 2, 6, GOSSIP_PUSH, 0, 0, 0, 3 },
	{ 22, 3, 5, GOSSIP_PUSH, 0.05, 0, 0, 6 },   { 12, 1, 8, GOSSIP_PUSH, 0, 0, 3, 0 },
	{ 16, 2, 5, GOSSIP_PUSH_PULL, 0.1, 0, 0, 0 }, { 28, 3, 5, GOSSIP_PUSH, 0, 3, 0, 5 },
	{ 14, 2, 6, GOSSIP_PUSH, 0, 0, 0, 5 },      { 24, 2, 7, GOSSIP_PUSH, 0, 0, 2, 0 },
	{ 20, 3, 4, GOSSIP_PULL, 0, 0, 0, 0 },      { 30, 1, 12, GOSSIP_PUSH, 0, 0, 0, 4 },
};
#define TABLE_SIZE ((int)(sizeof table / sizeof table[0]))

/*
 * Each 99.9% interval misses the exact P with probability at most 0.001
 * (Clopper-Pearson is conservative), so 2 or more misses in 20 have
 * probability at most C(20,2) 0.001^2 < 2e-4: the test allows 1.  The seeds
 * are fixed, so the outcome does not change from run to run.
 */
START_TEST(test_intervals_cover_exact)
{
	int misses = 0;

	for (int i = 0; i < TABLE_SIZE; i++) {
		const struct gossip_params *q = &table[i];
		struct chain_result c;
		struct sim_tally t;
		double p[2], miss[2], exact;
		int64_t n = calc_sim_trials(q, 0.99);

		ck_assert_int_eq(exact_run(q, NULL, &c), FO_OK);
		exact = c.p_full[q->rounds];
		chain_result_release(&c);
		ck_assert_int_eq(sim_tally_init(&t, q, 0), FO_OK);
		ck_assert_int_eq(sim_fast_run(q, calc_sim_seed(q), 0, n, 2, NULL, &t), FO_OK);
		calc_sim_interval(t.trials_full, t.trials, p, miss);
		sim_tally_release(&t);
		ck_assert_double_eq_tol(p[0] + miss[1], 1, 1e-12);
		if (exact < p[0] || exact > p[1]) {
			misses++;
			fprintf(stderr, "autosim table %d: exact %.6f outside [%.6f, %.6f]\n", i, exact, p[0], p[1]);
		}
	}
	ck_assert_int_le(misses, 1);
}
END_TEST

/* The simulation's least K is never below exact's: its lower end has to meet the target. */
static const struct { struct gossip_params p; double target; } searches[] = {
	{ { 25, 0, 5, GOSSIP_PUSH, 0, 0, 0, 0 }, 0.99 },
	{ { 20, 0, 6, GOSSIP_PUSH, 0, 0, 2, 0 }, 0.9 },
	{ { 20, 0, 10, GOSSIP_PUSH, 0, 0, 0, 4 }, 0.95 },
	{ { 30, 0, 4, GOSSIP_PULL, 0.1, 0, 0, 0 }, 0.95 },
	{ { 15, 0, 8, GOSSIP_PUSH, 0.1, 1, 0, 6 }, 0.9 },
	{ { 30, 0, 20, GOSSIP_PUSH, 0, 0, 0, 4 }, 0.99 },
};

START_TEST(test_sim_fanout_not_below_exact)
{
	struct calc_answer e, s;

	ck_assert_int_eq(calc_fanout(&searches[_i].p, CALC_EXACT, searches[_i].target, HUGE_VAL, NULL, &e),
			 FO_OK);
	ck_assert_int_eq(calc_fanout_mt(&searches[_i].p, CALC_SIMULATION, searches[_i].target, HUGE_VAL, 2,
					NULL, &s), FO_OK);
	ck_assert_int_eq(s.model, CALC_SIMULATION);
	/* Where no K reaches the target, the simulation must not claim one. */
	ck_assert(e.reachable || !s.reachable);
	if (s.reachable) {
		ck_assert_int_ge(s.fanout, e.fanout);
		ck_assert_double_ge(s.delivery_prob_lo, searches[_i].target);
		ck_assert(s.sim_trials > 0);
	}
}
END_TEST

/* The same request twice, and on one thread or two, gives the same answer bit for bit. */
START_TEST(test_reproducible)
{
	struct gossip_params p = { 300, 0, 20, GOSSIP_PUSH, 0, 0, 0, 12 };
	struct calc_answer a, b;

	ck_assert_int_eq(calc_fanout_mt(&p, CALC_SIMULATION, 0.99, HUGE_VAL, 2, NULL, &a), FO_OK);
	ck_assert_int_eq(calc_fanout_mt(&p, CALC_SIMULATION, 0.99, HUGE_VAL, 1, NULL, &b), FO_OK);
	ck_assert_int_eq(a.fanout, b.fanout);
	ck_assert_int_eq(a.sim_trials, b.sim_trials);
	ck_assert_uint_eq(a.sim_seed, b.sim_seed);
	ck_assert(a.delivery_prob == b.delivery_prob && a.delivery_prob_lo == b.delivery_prob_lo &&
		  a.miss_prob == b.miss_prob && a.node_miss_prob == b.node_miss_prob);
	ck_assert_uint_lt(a.sim_seed, (uint64_t)FO_MAX_JSON_INT + 1);
}
END_TEST

/*
 * memberlist-lan under auto answers with a K within the default budget, where
 * it used to refuse; from 10^4 live nodes with large_n (its transmit window).
 */
START_TEST(test_memberlist_lan_auto)
{
	static const int64_t nodes[] = { 30, 1000, 10000, 100000 };
	const struct gossip_preset *lan = gossip_preset_find("memberlist-lan");
	struct gossip_params p = { nodes[_i], 0, 20, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct calc_answer a;
	double cost;

	ck_assert_ptr_nonnull(lan);
	p.transmit_limit = gossip_preset_transmit_limit(lan, p.nodes);
	cost = calc_cost_mt(&p, CALC_AUTO, 0.99, FO_WORKER_THREADS);
	ck_assert_msg(cost <= FO_DEFAULT_WORK_BUDGET, "estimate %g", cost);
	ck_assert_int_eq(calc_fanout_mt(&p, CALC_AUTO, 0.99, FO_DEFAULT_WORK_BUDGET, FO_WORKER_THREADS, NULL, &a),
			 FO_OK);
	ck_assert(a.reachable);
	ck_assert_int_ge(a.fanout, 1);
	ck_assert_double_ge(a.delivery_prob_lo, 0.99);
	ck_assert(a.model == CALC_EXACT || a.model == CALC_LARGE_N || a.model == CALC_SIMULATION);
	if (p.nodes >= FO_LARGEN_LIMIT_MIN_LIVE)
		ck_assert_int_eq(a.model, CALC_LARGE_N);
	if (a.model == CALC_SIMULATION)
		ck_assert(a.sim_trials > 0 && a.delivery_prob_lo <= a.delivery_prob &&
			  a.delivery_prob <= a.delivery_prob_hi);
}
END_TEST

/* A target no affordable trial count can show: refused, and said why (never optimistic). */
START_TEST(test_unresolvable_target)
{
	struct gossip_params p = { 1000, 0, 20, GOSSIP_PUSH, 0, 0, 0, 16 };
	struct calc_answer a;

	ck_assert(!calc_sim_resolves(FO_CALC_SIM_MAX_TRIALS, 1 - 1e-9));
	ck_assert_int_eq(calc_fanout_mt(&p, CALC_SIMULATION, 1 - 1e-9, HUGE_VAL, 2, NULL, &a), FO_TOO_LARGE);
	ck_assert(a.sim_unresolved);
}
END_TEST

/* tradeoff by simulation: each row's lower end meets the target, the rounds before it do not. */
START_TEST(test_tradeoff_sim)
{
	struct gossip_params p = { 20, 0, 30, GOSSIP_PUSH, 0, 0, 0, 4 };
	struct tradeoff s, e;

	ck_assert_int_eq(tradeoff_run_mt(&p, CALC_SIMULATION, 0.95, 4, HUGE_VAL, 2, NULL, &s), FO_OK);
	ck_assert_int_eq(tradeoff_run(&p, CALC_EXACT, 0.95, 4, HUGE_VAL, NULL, &e), FO_OK);
	ck_assert_int_eq(s.count, 4);
	for (int64_t i = 0; i < s.count; i++) {
		ck_assert(s.rows[i].trials > 0);
		if (s.rows[i].rounds >= 0) {
			ck_assert_double_ge(s.rows[i].p_lo, 0.95);
			/* Never fewer rounds than exact's (the interval is one-sidedly conservative). */
			ck_assert_int_ge(e.rows[i].rounds, 0);
			ck_assert_int_ge(s.rows[i].rounds, e.rows[i].rounds);
			ck_assert(!isnan(s.rows[i].messages) && s.rows[i].messages > 0);
		}
	}
	tradeoff_release(&s);
	tradeoff_release(&e);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_clopper_pearson),
	UNIT_TEST(test_intervals_cover_exact),
	UNIT_LOOP(test_sim_fanout_not_below_exact, UNIT_COUNT(searches)),
	UNIT_TEST(test_reproducible),
	UNIT_LOOP(test_memberlist_lan_auto, 4),
	UNIT_TEST(test_unresolvable_target),
	UNIT_TEST(test_tradeoff_sim),
};

Suite *autosim_suite(void)
{
	return unit_suite("autosim", suite_cases, UNIT_COUNT(suite_cases), 300);
}
