/*
 * test_meanfield.c — the mean field against the exact chain.
 */
#include <math.h>

#include "fanout/exact.h"
#include "fanout/meanfield.h"
#include "suites.h"

/*
 * Push without loss, every round.  Measured with this recurrence: the largest
 * gap from N = 200 up is 0.0092, below it up to 0.043 (N = 25, K = 1, in
 * rounds where P(full) is near 1/2), shrinking towards P(full) = 0 or 1.
 */
static const struct { int64_t nodes, fanout, rounds; double tol; } push_cases[] = {
	/* { N, K, R, largest gap in P(full) } */
	{ 25, 1, 12, 0.05 }, { 25, 3, 5, 0.05 }, { 25, 6, 4, 0.05 }, { 50, 2, 8, 0.05 },
	{ 100, 3, 7, 0.05 }, { 200, 1, 20, 0.01 }, { 200, 3, 8, 0.01 }, { 300, 2, 11, 0.01 },
	{ 500, 3, 9, 0.01 }, { 1000, 2, 12, 0.01 }, { 1000, 3, 10, 0.01 },
};

START_TEST(test_push_close_to_exact)
{
	struct gossip_params p = { push_cases[_i].nodes, push_cases[_i].fanout, push_cases[_i].rounds,
				   GOSSIP_PUSH, 0, 0, 0, 0 };
	struct chain_result e, m;

	ck_assert_int_eq(exact_run(&p, NULL, &e), FO_OK);
	ck_assert_int_eq(mf_run(&p, &m), FO_OK);
	for (int64_t r = 0; r <= p.rounds; r++)
		ck_assert_msg(fabs(e.p_full[r] - m.p_full[r]) <= push_cases[_i].tol,
			      "N=%lld K=%lld round %lld: exact %.6f mean field %.6f", (long long)p.nodes,
			      (long long)p.fanout, (long long)r, e.p_full[r], m.p_full[r]);
	chain_result_release(&e);
	chain_result_release(&m);
}
END_TEST

/*
 * After one round from the origin alone the expectation is exact where the
 * recurrence's per-node miss probability is: push with any loss (each other
 * node is reached with probability K(1-loss)/(N-1)), pull without loss (a
 * puller finds the origin with probability K/(N-1)).  With loss, pull's
 * product over a fractional x is an approximation.
 */
static const struct gossip_params first_round[] = {
	/* N  K  R  mode               loss  F  T  X */
	{ 40, 3, 1, GOSSIP_PUSH, 0.25, 4, 0, 0 },
	{ 40, 3, 1, GOSSIP_PULL, 0, 4, 0, 0 },
	{ 40, 3, 1, GOSSIP_PUSH_PULL, 0, 4, 0, 0 },
};

START_TEST(test_first_round_is_exact)
{
	const struct gossip_params *p = &first_round[_i];
	struct chain_result e, m;

	ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
	ck_assert_int_eq(mf_run(p, &m), FO_OK);
	if (p->mode == GOSSIP_PUSH_PULL) {
		/* Push and pull are independent: missed by both is (1 - 3/39)^2. */
		double a = 3.0 / 39;
		ck_assert_double_eq_tol(m.mean_informed[1], 1 + 35 * (1 - (1 - a) * (1 - a)), 1e-12);
	} else {
		ck_assert_double_eq_tol(m.mean_informed[1], e.mean_informed[1], 1e-12);
	}
	chain_result_release(&e);
	chain_result_release(&m);
}
END_TEST

/* Fanouts past 1024 take the lgamma path; it must match the product. */
START_TEST(test_pull_lgamma_matches_product)
{
	struct gossip_params p = { 100000, 1025, 1, GOSSIP_PULL, 0.1, 0, 0, 0 };
	struct chain_result r;
	double log_miss = 0, want;

	for (int j = 0; j < 1025; j++)
		log_miss += log1p(-0.9 / (99999.0 - j));
	want = 1 + 99999 * (1 - exp(log_miss));
	ck_assert_int_eq(mf_run(&p, &r), FO_OK);
	ck_assert_double_eq_tol(r.mean_informed[1], want, 1e-6 * want);
	chain_result_release(&r);
}
END_TEST

START_TEST(test_degenerate)
{
	struct gossip_params p = { 10, 0, 4, GOSSIP_PUSH_PULL, 0, 0, 0, 0 };
	struct chain_result r;

	ck_assert_int_eq(mf_run(&p, &r), FO_OK);
	ck_assert_double_eq(r.mean_informed[4], 1);
	ck_assert_double_eq(r.node_miss, 1);
	chain_result_release(&r);
	p.nodes = 1;
	ck_assert_int_eq(mf_run(&p, &r), FO_OK);
	ck_assert_double_eq(r.p_full[4], 1);
	chain_result_release(&r);
}
END_TEST

/* With a window of 1 only the newest cohort pushes: fewer informed than without. */
START_TEST(test_window_limits)
{
	struct gossip_params p = { 1000, 2, 10, GOSSIP_PUSH, 0, 0, 1, 0 };
	struct chain_result w, u;

	ck_assert_int_eq(mf_run(&p, &w), FO_OK);
	p.forward_rounds = 0;
	ck_assert_int_eq(mf_run(&p, &u), FO_OK);
	ck_assert_double_eq_tol(w.mean_informed[1], u.mean_informed[1], 1e-12);
	ck_assert_double_lt(w.mean_informed[10], u.mean_informed[10]);
	chain_result_release(&w);
	chain_result_release(&u);
}
END_TEST

/*
 * transmit_limit: T * K is forward_rounds T bit for bit; a partial last round
 * informs fewer than a whole one and more than none.
 */
START_TEST(test_transmit_limit)
{
	struct gossip_params p = { 1000, 3, 10, GOSSIP_PUSH, 0.1, 0, 2, 0 };
	struct chain_result t, x, lo, hi;

	ck_assert_int_eq(mf_run(&p, &t), FO_OK);
	p.forward_rounds = 0;
	p.transmit_limit = 6;
	ck_assert_int_eq(mf_run(&p, &x), FO_OK);
	ck_assert_mem_eq(t.mean_informed, x.mean_informed, 11 * sizeof(double));
	ck_assert_mem_eq(t.p_full, x.p_full, 11 * sizeof(double));
	p.transmit_limit = 7;
	ck_assert_int_eq(mf_run(&p, &lo), FO_OK);
	p.transmit_limit = 9;
	ck_assert_int_eq(mf_run(&p, &hi), FO_OK);
	ck_assert_double_lt(x.mean_informed[10], lo.mean_informed[10]);
	ck_assert_double_lt(lo.mean_informed[10], hi.mean_informed[10]);
	chain_result_release(&t);
	chain_result_release(&x);
	chain_result_release(&lo);
	chain_result_release(&hi);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_push_close_to_exact, UNIT_COUNT(push_cases)),
	UNIT_LOOP(test_first_round_is_exact, 3),
	UNIT_TEST(test_pull_lgamma_matches_product),
	UNIT_TEST(test_degenerate),
	UNIT_TEST(test_window_limits),
	UNIT_TEST(test_transmit_limit),
};

Suite *meanfield_suite(void)
{
	return unit_suite("meanfield", suite_cases, UNIT_COUNT(suite_cases), 300);
}
