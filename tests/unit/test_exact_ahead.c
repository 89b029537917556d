/* SPDX-License-Identifier: MIT */
/*
 * test_exact_ahead.c — exact_run_decide's bound through thresholds
 * (full_chain_upper, core/exact.c) held against the chain itself: from the
 * distribution after r0 rounds, its bound on P(full `ahead` rounds later)
 * is at least the chain's own lower end there, for every r0 and ahead, on
 * push, pull and push_pull, with loss and failures; and exact_run_mt's
 * split sweeps against exact_run.  exact.c is compiled again here under
 * other names to reach the static function and count the splits.
 */
#define exact_run ahead_exact_run
#define exact_run_mt ahead_exact_run_mt
#define exact_run_reference ahead_exact_run_reference
#define exact_run_decide ahead_exact_run_decide
#define exact_cost ahead_exact_cost
/* Small chains split their sweeps over two threads too, and the splits are counted. */
#define SPLIT_MIN (2 * PAIR_TILE)
static long split_passes;
#define SPLIT_COUNT() (split_passes++)
#include "../../core/exact.c"

#include "suites.h"

static const struct gossip_params ahead_cases[] = {
	/* N     K  R   mode              loss  F    T  X */
	{ 1000, 1, 10, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 2000, 2, 8, GOSSIP_PUSH_PULL, 0.1, 20, 0, 0 },
	{ 3000, 1, 12, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 1000, 2, 12, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 1000, 3, 10, GOSSIP_PUSH, 0.2, 100, 0, 0 },
	{ 1000, 1, 16, GOSSIP_PULL, 0, 0, 0, 0 },
	{ 500, 2, 12, GOSSIP_PULL, 0.3, 50, 0, 0 },
};

START_TEST(test_threshold_bound_holds)
{
	const struct gossip_params *p = &ahead_cases[_i];
	struct chain_result full;
	struct exact x;
	int64_t live = gossip_live(p);

	ck_assert_int_eq(ahead_exact_run(p, NULL, &full), FO_OK);
	memset(&x, 0, sizeof x);
	x.nodes = p->nodes;
	x.fanout = p->fanout;
	x.live = live;
	x.mode = p->mode;
	x.loss = p->loss;
	x.pull_fail = malloc((size_t)(live + 1) * sizeof *x.pull_fail);
	x.scratch[2] = malloc((size_t)(live + SCRATCH_PAD) * sizeof(double));
	ck_assert(x.pull_fail && x.scratch[2]);
	for (int64_t i = 0; i <= live; i++)
		x.pull_fail[i] = -1;
	for (int64_t r0 = 0; r0 < p->rounds; r0++) {
		struct gossip_params q = *p;
		struct chain_result part = { 0 };
		double start[2] = { 0, 1 }; /* round 0: one informed */
		struct dense d = { start, 1, 1 };
		if (r0 > 0) {
			q.rounds = r0;
			ck_assert_int_eq(ahead_exact_run(&q, NULL, &part), FO_OK);
			d.v = part.final_informed;
			d.lo = live;
			d.hi = 0;
			for (int64_t i = 0; i <= live; i++)
				if (d.v[i] > 0) {
					d.lo = imin(d.lo, i);
					d.hi = imax(d.hi, i);
				}
			/* What d may be off by, charged as dropped mass. */
			x.dropped = part.error_bound;
		}
		for (int64_t a = 1; r0 + a <= p->rounds; a++) {
			double up = full_chain_upper(&x, &d, a);
			double lower = full.p_full[r0 + a] - full.full_bound[r0 + a];
			ck_assert_msg(up >= lower, "r0 %lld ahead %lld: bound %.17g below %.17g", (long long)r0,
				      (long long)a, up, lower);
			ck_assert_double_le(up, 1);
		}
		if (r0 > 0)
			chain_result_release(&part);
	}
	free(x.pull_fail);
	free(x.scratch[2]);
	chain_result_release(&full);
}
END_TEST

/*
 * On issue 22's search (push_pull, N = 10^5, R = 12, target 0.99) the K below
 * the answer, K = 1 (P(full at R) = 1.3e-6), is decided by the bound through
 * thresholds many rounds before the end: the bound is the loose one of that
 * path (above 1e-3; the bounds two rounds and one before the end, the only
 * ones before, are 4.1e-4 and below, and cost the chain's ten dearest rounds).
 */
START_TEST(test_decided_early)
{
	const struct gossip_params p = { 100000, 1, 12, GOSSIP_PUSH_PULL, 0, 0, 0, 0 };
	struct chain_result r;
	double upper;

	ck_assert_int_eq(ahead_exact_run_decide(&p, NULL, 0.99, &r, &upper), FO_OK);
	ck_assert_double_lt(upper, 0.99 / 2);
	ck_assert_double_gt(upper, 1e-3);
	ck_assert_ptr_null(r.p_full);
}
END_TEST

/*
 * exact_run_mt with two threads: the sweeps of the wide rounds split their
 * tiles with a second thread (counted: it happened), and every figure is
 * exact_run's to the last bit; with the other run's flag still 0 no round
 * splits.  Push_pull with K = 1 to 4, loss and failures.
 */
static const struct gossip_params split_cases[] = {
	/* N     K  R   mode              loss  F   T  X */
	{ 5000, 1, 12, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 5000, 2, 9, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 4000, 3, 8, GOSSIP_PUSH_PULL, 0.1, 40, 0, 0 },
	{ 4000, 4, 7, GOSSIP_PUSH_PULL, 0.3, 0, 0, 0 },
};

#define SAME_ARRAY(a, b, n) ck_assert_int_eq(memcmp((a), (b), (n) * sizeof *(a)), 0)

START_TEST(test_split_same_bits)
{
	const struct gossip_params *p = &split_cases[_i];
	struct chain_result one, two, held;
	size_t n = (size_t)p->rounds + 1, live = (size_t)gossip_live(p) + 1;
	atomic_int not_yet;

	atomic_init(&not_yet, 0);
	ck_assert_int_eq(ahead_exact_run(p, NULL, &one), FO_OK);
	split_passes = 0;
	ck_assert_int_eq(ahead_exact_run_mt(p, NULL, 2, &not_yet, &held), FO_OK);
	ck_assert_int_eq(split_passes, 0);
	ck_assert_int_eq(ahead_exact_run_mt(p, NULL, 2, NULL, &two), FO_OK);
	ck_assert_int_gt(split_passes, 0);
	for (int k = 0; k < 2; k++) {
		const struct chain_result *c = k ? &two : &held;
		SAME_ARRAY(one.p_full, c->p_full, n);
		SAME_ARRAY(one.p_miss, c->p_miss, n);
		SAME_ARRAY(one.round_bound, c->round_bound, n);
		SAME_ARRAY(one.miss_bound, c->miss_bound, n);
		SAME_ARRAY(one.full_bound, c->full_bound, n);
		SAME_ARRAY(one.mean_informed, c->mean_informed, n);
		SAME_ARRAY(one.final_informed, c->final_informed, live);
		ck_assert_int_eq(memcmp(&one.error_bound, &c->error_bound, sizeof one.error_bound), 0);
		ck_assert_int_eq(memcmp(&one.node_miss, &c->node_miss, sizeof one.node_miss), 0);
	}
	chain_result_release(&one);
	chain_result_release(&two);
	chain_result_release(&held);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_threshold_bound_holds, UNIT_COUNT(ahead_cases)),
	UNIT_TEST(test_decided_early),
	UNIT_LOOP(test_split_same_bits, UNIT_COUNT(split_cases)),
};

Suite *exact_ahead_suite(void)
{
	return unit_suite("exact_ahead", suite_cases, UNIT_COUNT(suite_cases), 300);
}
