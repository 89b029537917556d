/*
 * test_broadcast.c — rounds to all from a distribution function and from a
 * histogram, messages per broadcast by linearity (against counts that are
 * certain, and against the fast simulator at 5 standard errors), and the
 * presets' table.
 */
#include <math.h>

#include "fanout/broadcast.h"
#include "fanout/exact.h"
#include "fanout/preset.h"
#include "fanout/sim.h"
#include "suites.h"

START_TEST(test_rounds_from_cdf)
{
	const double cdf[6] = { 0, 0, 0.5, 0.89, 0.99, 0.995 };
	struct rounds_to_all r;

	rounds_from_cdf(cdf, 5, &r);
	ck_assert_int_eq(r.p50, 2);
	ck_assert_int_eq(r.p90, 4);
	ck_assert_int_eq(r.p99, 4);
	/* (2 * 0.5 + 3 * 0.39 + 4 * 0.1 + 5 * 0.005) / 0.995 */
	ck_assert_double_eq_tol(r.mean, (1 + 1.17 + 0.4 + 0.025) / 0.995, 1e-12);
	rounds_from_cdf(cdf, 3, &r);
	ck_assert_int_eq(r.p90, -1);
	ck_assert_int_eq(r.p99, -1);
}
END_TEST

/* Percentiles from integer counts are exact at the boundary: 50 of 100 is the median. */
START_TEST(test_rounds_from_hist)
{
	const int64_t hist[5] = { 0, 10, 40, 40, 8 };
	struct rounds_to_all r;

	rounds_from_hist(hist, 4, 100, &r);
	ck_assert_int_eq(r.p50, 2);
	ck_assert_int_eq(r.p90, 3);
	ck_assert_int_eq(r.p99, -1);  /* 98 of 100 reached: not 99% */
	ck_assert_double_eq_tol(r.mean, (10 + 80 + 120 + 32) / 98.0, 1e-12);
	rounds_from_hist(hist, 4, 98, &r);
	ck_assert_int_eq(r.p99, 4);
}
END_TEST

/* K = N - 1 without loss is certain; the chain's messages must be these counts. */
static const struct {
	struct gossip_params p;
	double messages;
} certain[] = {
	{ { 10, 9, 3, GOSSIP_PUSH, 0, 0, 0, 0 }, 9 * (1 + 2 * 10) },
	{ { 10, 9, 3, GOSSIP_PULL, 0, 0, 0, 0 }, 9 * 9 },
	{ { 10, 9, 3, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 81 + 9 + 180 },
	{ { 10, 9, 4, GOSSIP_PUSH, 0, 0, 0, 13 }, 10 * 13 },
	{ { 10, 9, 4, GOSSIP_PUSH, 0, 0, 1, 0 }, 9 + 9 * 9 },
};

START_TEST(test_messages_certain)
{
	struct chain_result c;

	ck_assert_int_eq(exact_run(&certain[_i].p, NULL, &c), FO_OK);
	ck_assert_double_eq_tol(broadcast_messages(&certain[_i].p, c.mean_informed), certain[_i].messages, 1e-9);
	chain_result_release(&c);
}
END_TEST

static const struct gossip_params sampled[] = {
	/* N  K  R  mode              loss  F  T  X */
	{ 30, 3, 8, GOSSIP_PUSH, 0.1, 2, 0, 7 },
	{ 30, 2, 6, GOSSIP_PUSH, 0.2, 0, 2, 0 },
	{ 30, 2, 5, GOSSIP_PULL, 0.1, 3, 0, 0 },
	{ 30, 3, 5, GOSSIP_PUSH_PULL, 0, 0, 0, 4 },
	{ 40, 2, 10, GOSSIP_PUSH, 0, 0, 0, 0 },
};

/* The linearity figure against the fast simulator's mean, within 5 standard errors. */
START_TEST(test_messages_match_simulation)
{
	const struct gossip_params *p = &sampled[_i];
	int64_t informed[16], rta, n = 4000;
	double sum = 0, sq = 0, mean, sd, want;
	struct chain_result c;

	ck_assert_int_eq(exact_run(p, NULL, &c), FO_OK);
	want = broadcast_messages(p, c.mean_informed);
	for (int64_t t = 0; t < n; t++) {
		uint64_t m;
		ck_assert_int_eq(sim_fast_trial(p, 31, (uint64_t)t, informed, &m, &rta), FO_OK);
		sum += (double)m;
		sq += (double)m * (double)m;
	}
	mean = sum / (double)n;
	sd = sqrt(fmax(sq / (double)n - mean * mean, 0));
	ck_assert_msg(fabs(mean - want) <= 5 * sd / sqrt((double)n) + 1e-9,
		      "case %d: messages by linearity %.3f, simulated %.3f (sd %.3f)", _i, want, mean, sd);
	chain_result_release(&c);
}
END_TEST

/* MODEL.md's table: transmit_limit = mult * ceil(log10(N + 1)). */
START_TEST(test_presets)
{
	const struct gossip_preset *lan = gossip_preset_find("memberlist-lan");
	const struct gossip_preset *wan = gossip_preset_find("memberlist-wan");
	const struct gossip_preset *local = gossip_preset_find("memberlist-local");
	const struct gossip_preset *cass = gossip_preset_find("cassandra");

	ck_assert_ptr_nonnull(lan);
	ck_assert_int_eq(gossip_preset_transmit_limit(lan, 1000), 16);
	ck_assert_int_eq(gossip_preset_transmit_limit(lan, 999), 12);
	ck_assert_int_eq(gossip_preset_transmit_limit(lan, 9), 4);
	ck_assert_int_eq(gossip_preset_transmit_limit(lan, 30), 8);
	ck_assert_int_eq(lan->fanout, 3);
	ck_assert_double_eq(lan->interval, 0.2);
	ck_assert_int_eq(lan->message_bytes, 1400);
	ck_assert_int_eq(wan->fanout, 4);
	ck_assert_double_eq(wan->interval, 0.5);
	ck_assert_int_eq(gossip_preset_transmit_limit(wan, 100000), 24);
	ck_assert_int_eq(gossip_preset_transmit_limit(local, 1000), 8);
	ck_assert_double_eq(local->interval, 0.1);
	ck_assert_int_eq(cass->mode, GOSSIP_PUSH_PULL);
	ck_assert_int_eq(cass->fanout, 1);
	ck_assert_int_eq(gossip_preset_transmit_limit(cass, 1000), 0);
	ck_assert_int_eq(cass->message_bytes, 0);
	ck_assert_ptr_null(gossip_preset_find("consul"));
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_rounds_from_cdf),
	UNIT_TEST(test_rounds_from_hist),
	UNIT_LOOP(test_messages_certain, UNIT_COUNT(certain)),
	UNIT_LOOP(test_messages_match_simulation, UNIT_COUNT(sampled)),
	UNIT_TEST(test_presets),
};

Suite *broadcast_suite(void)
{
	return unit_suite("broadcast", suite_cases, UNIT_COUNT(suite_cases), 300);
}
