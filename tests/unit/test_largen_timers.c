/*
 * test_largen_timers.c — the large-N method under independent timers
 * (largen_timers.h): its interval against the fast sampler, calc_fanout at
 * memberlist-lan's settings within the default budget, and its consistency.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "settings.h"
#include "fanout/largen_timers.h"
#include "fanout/sim.h"
#include "fanout/tradeoff.h"
#include "request.h"
#include "suites.h"

static struct gossip_params timed(int64_t n, int64_t k, double h, enum gossip_mode mode, double loss,
				  int64_t failed, int64_t limit, double probe)
{
	struct gossip_params p;

	memset(&p, 0, sizeof p);
	p.nodes = n;
	p.fanout = k;
	p.rounds = (int64_t)ceil(h);
	p.mode = mode;
	p.loss = loss;
	p.failed = failed;
	p.transmit_limit = limit;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.probe_interval = probe;
	p.horizon = h;
	return p;
}

/*
 * Cases past the switch point M = FO_LT_THRESHOLD (so the late phase
 * answers), each with P(full by H) away from 0 and 1: push under a transmit
 * limit with probes, loss and failures, pull, push_pull, forward_rounds.
 */
static const struct {
	int64_t n, k;
	double h;
	enum gossip_mode mode;
	double loss;
	int64_t failed, limit;
	double probe;
	int64_t forward;
} cover_cases[] = {
	{ 3000, 4, 5, GOSSIP_PUSH, 0, 0, 16, 5, 0 },
	{ 3000, 3, 6, GOSSIP_PUSH, 0.1, 300, 0, 0, 0 },
	{ 3000, 2, 5, GOSSIP_PULL, 0, 0, 0, 0, 0 },
	{ 3000, 2, 4, GOSSIP_PUSH_PULL, 0.1, 0, 0, 5, 0 },
	{ 3000, 3, 6, GOSSIP_PUSH, 0, 0, 0, 2, 3 },
};

/*
 * The interval covers the fast sampler's share of full trials, up to 5
 * standard errors of that share (the sampler's own noise, not the method's).
 */
START_TEST(test_interval_covers_sampler)
{
	struct gossip_params p = timed(cover_cases[_i].n, cover_cases[_i].k, cover_cases[_i].h,
				       cover_cases[_i].mode, cover_cases[_i].loss, cover_cases[_i].failed,
				       cover_cases[_i].limit, cover_cases[_i].probe);
	struct largen_result l;
	struct sim_tally t;
	const int64_t trials = 1500;
	double share, se;

	p.forward_rounds = cover_cases[_i].forward;
	ck_assert_int_eq(largen_timers_run(&p, 0, HUGE_VAL, NULL, &l, NULL, NULL), FO_OK);
	ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
	ck_assert_int_eq(sim_fast_run(&p, 2024, 0, trials, 1, NULL, &t), FO_OK);
	share = (double)t.trials_full / (double)trials;
	se = sqrt(fmax(share * (1 - share), 1.0 / trials) / trials);
	ck_assert_msg(l.p_lo - 5 * se <= share && share <= l.p_hi + 5 * se,
		      "case %d: sampler %.4f (se %.4f) outside large_n [%.4f, %.4f] (point %.4f)", _i, share, se,
		      l.p_lo, l.p_hi, l.p_full);
	ck_assert(l.p_lo <= l.p_full && l.p_full <= l.p_hi);
	ck_assert(l.miss_lo <= l.miss && l.miss <= l.miss_hi);
	ck_assert_double_lt(fabs(l.p_full + l.miss - 1), 1e-12);
	sim_tally_release(&t);
}
END_TEST

static const int64_t lan_nodes[] = { 30, 1000, 100000, 1000000 };

/*
 * calc_fanout with memberlist-lan's settings (push, K searched, X = 4
 * ceil(log10(N + 1)), probes every 5 intervals, H = 5 intervals = 1 s) and a
 * target of 0.99: the planning estimate is within the default budget, and the
 * search answers within it, never passing it (it charges each look before
 * drawing it); a reachable answer's interval meets the target.
 */
START_TEST(test_memberlist_lan_within_budget)
{
	int64_t n = lan_nodes[_i];
	struct gossip_params p = timed(n, 0, 5, GOSSIP_PUSH, 0, 0, 4 * (int64_t)ceil(log10((double)n + 1)), 5);
	struct calc_answer a;
	double est = calc_cost(&p, CALC_AUTO, 0.99);

	ck_assert_msg(est <= FO_DEFAULT_WORK_BUDGET, "N = %lld: estimate %g past the budget", (long long)n, est);
	ck_assert_int_eq(calc_fanout(&p, CALC_AUTO, 0.99, FO_DEFAULT_WORK_BUDGET, NULL, &a), FO_OK);
	ck_assert(a.delivery_prob_lo <= a.delivery_prob && a.delivery_prob <= a.delivery_prob_hi);
	if (n >= 1000) {
		ck_assert_msg(a.reachable, "N = %lld: no K reaches 0.99", (long long)n);
		ck_assert_double_ge(a.delivery_prob_lo, 0.99);
	}
	if (n >= 100000)
		ck_assert_int_eq(a.model, CALC_LARGE_N);
}
END_TEST

/* The same parameters give the same answer, bit for bit (the seed is a hash of them). */
START_TEST(test_reproducible)
{
	struct gossip_params p = timed(20000, 4, 5, GOSSIP_PUSH, 0.1, 100, 20, 5);
	struct largen_result a, b;

	ck_assert_int_eq(largen_timers_run(&p, 0.9, HUGE_VAL, NULL, &a, NULL, NULL), FO_OK);
	ck_assert_int_eq(largen_timers_run(&p, 0.9, HUGE_VAL, NULL, &b, NULL, NULL), FO_OK);
	ck_assert(memcmp(&a, &b, sizeof a) == 0);
}
END_TEST

/*
 * The curve (P(full by r) at whole intervals) rises with r, starts at 0, and
 * at r = H is the answer's own point estimate.
 */
START_TEST(test_curve_consistent)
{
	struct gossip_params p = timed(5000, 3, 6, GOSSIP_PUSH_PULL, 0, 0, 0, 5);
	struct largen_result l;
	double curve[7];

	ck_assert_int_eq(largen_timers_run(&p, 0, HUGE_VAL, NULL, &l, NULL, curve), FO_OK);
	ck_assert_double_eq(curve[0], 0);
	for (int r = 1; r <= 6; r++)
		ck_assert_double_ge(curve[r] + 1e-12, curve[r - 1]);
	ck_assert_double_eq_tol(curve[6], l.p_full, 1e-12);
	ck_assert_double_gt(curve[6], 0.1);
}
END_TEST

/*
 * A longer horizon never looks worse: the interval at H = 6 lies above the one
 * at H = 4 for a case that goes from rare to likely in between.
 */
START_TEST(test_horizon_monotone)
{
	struct gossip_params p4 = timed(50000, 4, 4, GOSSIP_PUSH, 0, 0, 0, 0);
	struct gossip_params p6 = timed(50000, 4, 6, GOSSIP_PUSH, 0, 0, 0, 0);
	struct largen_result a, b;

	ck_assert_int_eq(largen_timers_run(&p4, 0, HUGE_VAL, NULL, &a, NULL, NULL), FO_OK);
	ck_assert_int_eq(largen_timers_run(&p6, 0, HUGE_VAL, NULL, &b, NULL, NULL), FO_OK);
	ck_assert_msg(a.p_hi < b.p_lo, "H = 4: [%g, %g], H = 6: [%g, %g]", a.p_lo, a.p_hi, b.p_lo, b.p_hi);
}
END_TEST

/*
 * It refuses what it does not follow (a horizon past FO_LT_MAX_SLOTS slots)
 * and a budget that cannot pay for its first look, and charges no more than
 * it was given.
 */
START_TEST(test_refusals_and_budget)
{
	struct gossip_params p = timed(100000, 4, 5, GOSSIP_PUSH, 0, 0, 24, 5);
	struct gossip_params far = timed(100000, 4, (double)FO_LT_MAX_SLOTS, GOSSIP_PUSH, 0, 0, 0, 0);
	struct largen_result l;
	struct largen_timers_info info;
	double one = largen_timers_sample_cost(&p);

	ck_assert(isinf(largen_timers_cost(&far)));
	ck_assert_int_eq(largen_timers_run(&far, 0.9, HUGE_VAL, NULL, &l, NULL, NULL), FO_TOO_LARGE);
	ck_assert_int_eq(largen_timers_run(&p, 0.9, one * FO_LT_FIRST_SAMPLES / 2, NULL, &l, &info, NULL),
			 FO_TOO_LARGE);
	ck_assert_double_eq(info.work, 0);
	largen_timers_run(&p, 0.99, one * FO_LT_FIRST_SAMPLES * 3, NULL, &l, &info, NULL);
	ck_assert_double_le(info.work, one * FO_LT_FIRST_SAMPLES * 3);
}
END_TEST

/*
 * info.ended counts the samples the early phase ended short of full delivery.
 * Push with K = X = 3 (one tick of three sends), loss 1/2, no probes, at
 * N = 10^5: until M the informed grow as a Galton-Watson process with
 * Binomial(3, 1/2) offspring (a pick lands on an informed node with
 * probability below M / N = 1%, at sizes where dying out no longer happens),
 * which dies out with probability s = (1 + s)^3 / 8, s = sqrt(5) - 2; a path
 * that lives reaches M within H = 30 (about 17 generations of Δ / 2 on
 * average).  The share ended is s within 5 standard errors of 8192 samples
 * (plus 0.002 for the finite N).
 */
START_TEST(test_ended_counts_early_deaths)
{
	struct gossip_params p = timed(100000, 3, 30, GOSSIP_PUSH, 0.5, 0, 3, 0);
	struct largen_result l;
	struct largen_timers_info info;
	double s = sqrt(5) - 2, share, se;

	ck_assert_int_eq(largen_timers_run(&p, 0, HUGE_VAL, NULL, &l, &info, NULL), FO_OK);
	ck_assert_int_eq(info.samples, FO_LT_MAX_SAMPLES);
	share = (double)info.ended / (double)info.samples;
	se = sqrt(s * (1 - s) / (double)info.samples);
	ck_assert_msg(fabs(share - s) <= 5 * se + 0.002, "ended %lld of %lld: %g, expected %g (se %g)",
		      (long long)info.ended, (long long)info.samples, share, s, se);
	/* An ended sample is an exact 0: P cannot exceed the share that lived. */
	ck_assert_double_le(l.p_full, 1 - share + 1e-12);
}
END_TEST

/* Cancelled before it starts, it says so and holds nothing. */
START_TEST(test_cancel)
{
	struct gossip_params p = timed(100000, 4, 5, GOSSIP_PUSH, 0, 0, 24, 5);
	struct largen_result l;
	atomic_int stop = 1;

	ck_assert_int_eq(largen_timers_run(&p, 0.9, HUGE_VAL, &stop, &l, NULL, NULL), FO_CANCELLED);
}
END_TEST

/*
 * tradeoff's rows under independent timers (memberlist-lan's X and probes at
 * N = 10^5, max_rounds 10): each row's R is where calc_fanout's evaluation of
 * that K (calc_at, large_n) first reaches the target: at R it does, with
 * the same probability and interval (one run per K gives every r, each r's
 * samples and looks those of large_n at horizon r), at R - 1 it does not.
 */
START_TEST(test_tradeoff_rows)
{
	struct gossip_params p = timed(100000, 0, 10, GOSSIP_PUSH, 0, 0, 24, 5);
	struct tradeoff t;
	int rows_with_r = 0;

	ck_assert_int_eq(tradeoff_run(&p, CALC_LARGE_N, 0.99, 6, HUGE_VAL, NULL, &t), FO_OK);
	ck_assert_int_eq(t.count, 6);
	for (int64_t i = 0; i < t.count; i++) {
		const struct tradeoff_row *row = &t.rows[i];
		struct gossip_params q = p;
		struct calc_answer a;
		double work = 0;
		if (row->rounds < 0)
			continue;
		rows_with_r++;
		ck_assert_double_ge(row->p_lo, 0.99);
		q.fanout = row->fanout;
		q.horizon = (double)row->rounds;
		q.rounds = row->rounds;
		ck_assert_int_eq(calc_at(&q, CALC_LARGE_N, 0.99, &work, HUGE_VAL, 1, NULL, &a), FO_OK);
		ck_assert_msg(a.reachable, "K = %lld: calc_at does not reach it at R = %lld", (long long)row->fanout,
			      (long long)row->rounds);
		/* The late phase's stop (at most 1e-15 from above) is all that may differ. */
		ck_assert_double_eq_tol(a.delivery_prob, row->delivery_prob, 1e-12);
		ck_assert_double_eq_tol(a.delivery_prob_lo, row->p_lo, 1e-12);
		ck_assert_double_eq_tol(a.delivery_prob_hi, row->p_hi, 1e-12);
		q.horizon = (double)(row->rounds - 1);
		q.rounds = row->rounds - 1;
		ck_assert_int_eq(calc_at(&q, CALC_LARGE_N, 0.99, &work, HUGE_VAL, 1, NULL, &a), FO_OK);
		ck_assert_msg(!a.reachable, "K = %lld: R - 1 = %lld meets the target too", (long long)row->fanout,
			      (long long)q.rounds);
	}
	ck_assert_int_ge(rows_with_r, 3);
	tradeoff_release(&t);
}
END_TEST

/*
 * largen_timers_rows against largen_timers_run at each horizon r on a table
 * (small N, where every sample is exact; past M, where the late phase
 * answers; pull, whose late phase never stops early; loss and failures; a
 * target no r can show): the least r that meets the target (or the last
 * settled) and the two before it have the figures and the verdicts of the
 * runs at those r.  Then
 * the work it charged (its samples at its per-sample estimate) is within 3
 * times of largen_timers_rows_cost, the estimate tradeoff plans with.
 */
static const struct {
	int64_t n, k;
	double h;
	enum gossip_mode mode;
	double loss;
	int64_t failed, limit;
	double probe, target;
} rows_cases[] = {
	{ 200, 2, 12, GOSSIP_PUSH, 0, 0, 8, 5, 0.99 },
	{ 1500, 2, 10, GOSSIP_PUSH, 0, 0, 16, 5, 0.99 },
	{ 1500, 3, 10, GOSSIP_PUSH, 0.1, 150, 16, 10, 0.9999 },
	{ 1500, 2, 8, GOSSIP_PULL, 0, 0, 0, 0, 0.9 },
};

START_TEST(test_rows_equal_runs)
{
	struct gossip_params p = timed(rows_cases[_i].n, rows_cases[_i].k, rows_cases[_i].h, rows_cases[_i].mode,
				       rows_cases[_i].loss, rows_cases[_i].failed, rows_cases[_i].limit,
				       rows_cases[_i].probe);
	double target = rows_cases[_i].target, est = largen_timers_rows_cost(&p, target);
	struct largen_result rows[16];
	signed char verdict[16];
	struct largen_timers_info info;
	int settled = 0;
	int64_t least = -1;

	ck_assert_int_eq(largen_timers_rows(&p, target, HUGE_VAL, NULL, rows, verdict, &info), FO_OK);
	for (int64_t r = 0; r <= (int64_t)p.horizon && least < 0; r++)
		if (verdict[r] == 1)
			least = r;
	/* Without one, the last settled r (at 0.9999 no r can meet it: they settle or stay open after one look). */
	for (int64_t r = (int64_t)p.horizon; r >= 0 && least < 0; r--)
		if (verdict[r] != 2)
			least = r;
	/* The least r that meets it (or the last settled) and the two before it: the ones a row's R rests on. */
	for (int64_t r = least >= 2 ? least - 2 : 0; r <= least; r++) {
		struct gossip_params q = p;
		struct largen_result l;
		if (verdict[r] == 2)
			continue;
		settled++;
		q.horizon = (double)r;
		q.rounds = r;
		ck_assert_int_eq(largen_timers_run(&q, target, HUGE_VAL, NULL, &l, NULL, NULL), FO_OK);
		ck_assert_msg(fabs(l.p_full - rows[r].p_full) <= 1e-12 && fabs(l.p_lo - rows[r].p_lo) <= 1e-12 &&
			      fabs(l.miss_hi - rows[r].miss_hi) <= 1e-12,
			      "r = %lld: rows %.17g [%.17g, miss_hi %.17g], run %.17g [%.17g, miss_hi %.17g]",
			      (long long)r, rows[r].p_full, rows[r].p_lo, rows[r].miss_hi, l.p_full, l.p_lo, l.miss_hi);
		ck_assert_int_eq(verdict[r], target >= 0.5 ? (l.miss_hi <= 1 - target ? 1 : l.miss_lo > 1 - target ? -1 : 0)
					       : (l.p_lo >= target ? 1 : l.p_hi < target ? -1 : 0));
	}
	ck_assert_int_ge(settled, 2);
	ck_assert_msg(info.work <= 3 * est && info.work >= est / 3, "charged %g, estimated %g", info.work, est);
}
END_TEST

/*
 * tradeoff with memberlist-lan's settings (push, X = 4 ceil(log10(N + 1)),
 * probes every 5 intervals, max_rounds 100) where it fits the default
 * budget: planned within it, and run within it (it charges each look).  At
 * 0.9999 no row is reached (large_n's most samples cannot show a miss below
 * 1e-4), and each row still carries its interval.
 */
static const struct {
	int64_t n;
	double target;
} fleet_cases[] = {
	{ 30, 0.99 }, { 30, 0.9999 }, { 1000, 0.9999 }, { 100000, 0.9999 },
};

START_TEST(test_tradeoff_fleet_within_budget)
{
	int64_t n = fleet_cases[_i].n;
	double target = fleet_cases[_i].target;
	struct gossip_params p = timed(n, 0, 100, GOSSIP_PUSH, 0, 0, 4 * (int64_t)ceil(log10((double)n + 1)), 5);
	struct tradeoff t;

	ck_assert_double_le(tradeoff_cost(&p, CALC_LARGE_N, target, 0), FO_DEFAULT_WORK_BUDGET);
	ck_assert_int_eq(tradeoff_run(&p, CALC_LARGE_N, target, 0, FO_DEFAULT_WORK_BUDGET, NULL, &t), FO_OK);
	ck_assert_int_ge(t.count, 1);
	for (int64_t i = 0; i < t.count; i++) {
		ck_assert_double_le(t.rows[i].p_lo, t.rows[i].p_hi);
		if (target > 0.999)
			ck_assert_int_lt(t.rows[i].rounds, 0);
	}
	tradeoff_release(&t);
}
END_TEST

/*
 * The curve over time (largen_timers_curve) at N = 10^4, against the fast
 * sampler at the same points: memberlist-lan's settings at 1 s, push_pull with
 * loss and failures, push with loss and a horizon off the quarter grid.
 */
static const struct {
	int64_t n, k;
	double h;
	enum gossip_mode mode;
	double loss;
	int64_t failed, limit;
	double probe;
} time_cases[] = {
	{ 10000, 5, 5, GOSSIP_PUSH, 0, 0, 20, 5 },
	{ 10000, 2, 9, GOSSIP_PUSH_PULL, 0.1, 100, 0, 0 },
	{ 10000, 4, 6.9, GOSSIP_PUSH, 0.05, 0, 0, 3 },
};

/* The first point b whose value v[b] + d reaches level (last + 1 when none). */
static int64_t first_at(const double *v, int64_t last, double d, double level)
{
	int64_t b = 0;

	while (b <= last && v[b] + d < level)
		b++;
	return b;
}

/*
 * At every point the interval covers the sampler's share full by then (up to
 * 5 standard errors of that share), and its percentiles agree with the
 * sampler's within the bounds the intervals give: the sampler's first point
 * at 0.5, 0.9, 0.99 (moved by its 5 standard errors) lies between the first
 * point whose upper end reaches the level and the first whose lower end does
 * (the answer's percentile, never early).
 */
START_TEST(test_time_curve_covers_sampler)
{
	struct gossip_params p = timed(time_cases[_i].n, time_cases[_i].k, time_cases[_i].h, time_cases[_i].mode,
				       time_cases[_i].loss, time_cases[_i].failed, time_cases[_i].limit,
				       time_cases[_i].probe);
	const int64_t trials = 600;
	int64_t last = sim_steps(&p);
	struct largen_result pts[64];
	double informed[64], lo[64], hi[64], share[64], se[64], top_se = 0;
	const double levels[] = { 0.5, 0.9, 0.99 };
	struct sim_tally t;

	ck_assert_int_lt(last, 64);
	ck_assert_int_eq(largen_timers_curve(&p, FO_LT_MAX_SAMPLES, NULL, pts, informed, NULL), FO_OK);
	ck_assert_int_eq(sim_tally_init(&t, &p, 1), FO_OK);
	ck_assert_int_eq(sim_fast_run(&p, 99, 0, trials, 1, NULL, &t), FO_OK);
	for (int64_t b = 0; b <= last; b++) {
		share[b] = (double)t.full_by_round[b] / (double)trials;
		se[b] = sqrt(fmax(share[b] * (1 - share[b]), 1.0 / trials) / trials);
		top_se = fmax(top_se, se[b]);
		lo[b] = pts[b].p_lo;
		hi[b] = pts[b].p_hi;
		ck_assert_msg(lo[b] - 5 * se[b] <= share[b] && share[b] <= hi[b] + 5 * se[b],
			      "case %d, t = %g: sampler %.4f (se %.4f) outside [%.4f, %.4f]", _i, sim_edge(&p, b),
			      share[b], se[b], lo[b], hi[b]);
		ck_assert(lo[b] <= pts[b].p_full && pts[b].p_full <= hi[b]);
		ck_assert_double_le(informed[b], (double)gossip_live(&p) * (1 + 1e-12));
		ck_assert(b == 0 || pts[b].p_full >= pts[b - 1].p_full - 1e-12);
	}
	ck_assert_double_gt(share[last], 0.99);
	for (int i = 0; i < 3; i++) {
		int64_t early = first_at(hi, last, 0, levels[i]), answer = first_at(lo, last, 0, levels[i]);
		ck_assert_msg(first_at(share, last, 5 * top_se, levels[i]) <= answer &&
			      first_at(share, last, -5 * top_se, levels[i]) >= early,
			      "case %d, level %g: sampler's point outside [%lld, %lld]", _i, levels[i],
			      (long long)early, (long long)answer);
	}
	sim_tally_release(&t);
}
END_TEST

/*
 * The curve draws the paths largen_timers_run draws: at the horizon it is that
 * run's answer with FO_LT_MAX_SAMPLES (its figures bit for bit), and at whole
 * intervals that run's curve; it starts at 0, informed 1; the samples a
 * budget pays for are a look's (128 … 8192), none below 128.
 */
START_TEST(test_time_curve_is_the_run)
{
	struct gossip_params p = timed(5000, 3, 4.9, GOSSIP_PUSH, 0.1, 50, 12, 5);
	int64_t last = sim_steps(&p);
	struct largen_result pts[32], l;
	double informed[32], whole[5];

	ck_assert_int_eq(last, 20);
	ck_assert_int_eq(largen_timers_curve(&p, FO_LT_MAX_SAMPLES, NULL, pts, informed, NULL), FO_OK);
	ck_assert_int_eq(largen_timers_run(&p, 0, HUGE_VAL, NULL, &l, NULL, whole), FO_OK);
	ck_assert(pts[last].p_full == l.p_full && pts[last].miss == l.miss);
	ck_assert(pts[last].p_lo == l.p_lo && pts[last].p_hi == l.p_hi);
	ck_assert(pts[last].miss_lo == l.miss_lo && pts[last].miss_hi == l.miss_hi);
	for (int r = 0; r < 5; r++)
		ck_assert_double_eq_tol(pts[4 * r].p_full, whole[r], 1e-12);
	ck_assert_double_eq(pts[0].p_full, 0);
	ck_assert_double_eq(informed[0], 1);
	ck_assert_int_eq(largen_timers_curve_samples(&p, HUGE_VAL), FO_LT_MAX_SAMPLES);
	ck_assert_int_eq(largen_timers_curve_samples(&p, 0.99 * FO_LT_MAX_SAMPLES * largen_timers_sample_cost(&p)),
			 FO_LT_MAX_SAMPLES / 2);
	ck_assert_int_eq(largen_timers_curve_samples(&p, 100 * largen_timers_sample_cost(&p)), 0);
	ck_assert_int_eq(largen_timers_curve(&p, 0, NULL, pts, informed, NULL), FO_TOO_LARGE);
}
END_TEST

/*
 * Issue 19: tradeoff with a memberlist preset through the request layer
 * (its preset's transmit limit, probes and independent timers, max_rounds
 * 100) is planned within the default budget on fanoutd's two simulation
 * threads, and run within it; each row is what calc_fanout's evaluation of
 * that K (calc_at, large_n) answers: a reached row at its R with the same
 * probability and interval, not at R - 1; a row not reached, not at
 * max_rounds either, with the same interval there.  memberlist-lan at
 * N = 30, 10^3 and 10^4 (where rows reach the target), memberlist-local at 10^5
 * (its transmit limit keeps P(full) near 0.55 at every K: no row reaches
 * 0.99, each row decided short by its first looks, and planned so).  The
 * cases at 10^3 and 10^4 take seconds: they run in `make validate-fleet`
 * (FANOUT_VALIDATE_FLEET set), and passes at once otherwise.
 */
static const struct {
	const char *preset;
	int64_t n;
	int reached;            /* rows reach the target */
	int slow;               /* only under FANOUT_VALIDATE_FLEET */
} request_cases[] = {
	{ "memberlist-lan", 30, 1, 0 },
	{ "memberlist-lan", 1000, 1, 1 },
	{ "memberlist-lan", 10000, 1, 1 },
	{ "memberlist-local", 100000, 0, 0 },
};

START_TEST(test_tradeoff_preset_rows)
{
	struct req_limits lim = { FO_DEFAULT_WORK_BUDGET, 2 };
	struct request req;
	struct req_error err;
	struct tradeoff t;
	char json[160];
	cJSON *in;
	int reached = 0;

	if (request_cases[_i].slow && !getenv("FANOUT_VALIDATE_FLEET"))
		return;
	snprintf(json, sizeof json, "{\"preset\":\"%s\",\"nodes\":%lld,\"target_prob\":0.99}",
		 request_cases[_i].preset, (long long)request_cases[_i].n);
	in = cJSON_Parse(json);
	ck_assert_int_eq(req_prepare(REQ_TRADEOFF, in, &lim, &req, &err), REQ_OK);
	cJSON_Delete(in);
	ck_assert_int_eq(req.chosen, CALC_LARGE_N);
	ck_assert_double_le(req.work, FO_DEFAULT_WORK_BUDGET);
	ck_assert_int_eq(tradeoff_run_mt(&req.params, req.chosen, 0.99, req.max_fanout, FO_DEFAULT_WORK_BUDGET, 2,
					 NULL, &t), FO_OK);
	ck_assert_int_ge(t.count, 2);
	for (int64_t i = 0; i < t.count; i++) {
		const struct tradeoff_row *row = &t.rows[i];
		struct gossip_params q = req.params;
		struct calc_answer a;
		double work = 0;
		int64_t r = row->rounds >= 0 ? row->rounds : q.rounds;
		ck_assert_int_eq(row->fanout, i + 1);
		q.fanout = row->fanout;
		q.rounds = r;
		q.horizon = (double)r;
		ck_assert_int_eq(calc_at(&q, CALC_LARGE_N, 0.99, &work, HUGE_VAL, 1, NULL, &a), FO_OK);
		ck_assert_msg(a.reachable == (row->rounds >= 0), "K = %lld at R = %lld: calc_at %s it",
			      (long long)row->fanout, (long long)r, a.reachable ? "reaches" : "does not reach");
		/* The late phase's stop (at most 1e-15 from above) is all that may differ. */
		ck_assert_double_eq_tol(a.delivery_prob, row->delivery_prob, 1e-12);
		ck_assert_double_eq_tol(a.delivery_prob_lo, row->p_lo, 1e-12);
		ck_assert_double_eq_tol(a.delivery_prob_hi, row->p_hi, 1e-12);
		if (row->rounds < 0)
			continue;
		reached++;
		ck_assert_double_ge(row->p_lo, 0.99);
		q.rounds = r - 1;
		q.horizon = (double)(r - 1);
		ck_assert_int_eq(calc_at(&q, CALC_LARGE_N, 0.99, &work, HUGE_VAL, 1, NULL, &a), FO_OK);
		ck_assert_msg(!a.reachable, "K = %lld: R - 1 = %lld meets the target too", (long long)row->fanout,
			      (long long)q.rounds);
	}
	if (request_cases[_i].reached)
		ck_assert_int_ge(reached, 2);
	else
		ck_assert_int_eq(reached, 0);
	tradeoff_release(&t);
}
END_TEST

/*
 * tradeoff's estimate under independent timers against the work its rows
 * charge (each K's largen_timers_rows, K = 1 until three past the first
 * reached, or to the top), within 3 times either way, on one thread: where
 * the transmit limit keeps every r short of the target (memberlist-local,
 * N = 10^5: each row stops at its first looks, every row up to X runs), and
 * where the mean field, on aligned rounds, reaches the target at no K but
 * the timers and probes do (memberlist-lan, N = 2000, max_rounds 5).
 */
static const struct {
	const char *json;
} counted_cases[] = {
	{ "{\"preset\":\"memberlist-local\",\"nodes\":100000,\"target_prob\":0.99}" },
	{ "{\"preset\":\"memberlist-lan\",\"nodes\":2000,\"target_prob\":0.99,\"max_rounds\":5}" },
};

START_TEST(test_tradeoff_cost_counted)
{
	struct req_limits lim = { 1e12, 1 };
	struct request req;
	struct req_error err;
	cJSON *in = cJSON_Parse(counted_cases[_i].json);
	struct gossip_params q;
	struct largen_result at[128];
	signed char verdict[128];
	double counted = 0, est;
	int64_t whole, top, last;

	ck_assert_int_eq(req_prepare(REQ_TRADEOFF, in, &lim, &req, &err), REQ_OK);
	cJSON_Delete(in);
	ck_assert_int_eq(req.chosen, CALC_LARGE_N);
	q = req.params;
	whole = (int64_t)floor(gossip_horizon(&q) + 1e-9);
	ck_assert_int_lt(whole, 128);
	q.rounds = whole;
	q.horizon = (double)whole;
	top = last = gossip_fanout_top(&q);
	est = tradeoff_cost(&req.params, CALC_LARGE_N, 0.99, 0);
	for (int64_t k = 1; k <= last; k++) {
		struct largen_timers_info info;
		q.fanout = k;
		ck_assert_int_eq(largen_timers_rows(&q, 0.99, HUGE_VAL, NULL, at, verdict, &info), FO_OK);
		counted += info.work;
		for (int64_t r = 0; r <= whole && last == top; r++)
			if (verdict[r] == 1)
				last = k + FO_TRADEOFF_EXTRA_FANOUT < top ? k + FO_TRADEOFF_EXTRA_FANOUT : top;
	}
	ck_assert_msg(est <= 3 * counted && counted <= 3 * est, "estimated %g, counted %g (K = 1 … %lld)", est,
		      counted, (long long)last);
}
END_TEST

static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_interval_covers_sampler, UNIT_COUNT(cover_cases)),
	UNIT_LOOP(test_memberlist_lan_within_budget, UNIT_COUNT(lan_nodes)),
	UNIT_TEST(test_reproducible),
	UNIT_TEST(test_curve_consistent),
	UNIT_TEST(test_horizon_monotone),
	UNIT_TEST(test_refusals_and_budget),
	UNIT_TEST(test_cancel),
	UNIT_TEST(test_ended_counts_early_deaths),
	UNIT_TEST(test_tradeoff_rows),
	UNIT_LOOP(test_rows_equal_runs, UNIT_COUNT(rows_cases)),
	UNIT_LOOP(test_tradeoff_fleet_within_budget, UNIT_COUNT(fleet_cases)),
	UNIT_LOOP(test_tradeoff_preset_rows, UNIT_COUNT(request_cases)),
	UNIT_LOOP(test_tradeoff_cost_counted, UNIT_COUNT(counted_cases)),
	UNIT_LOOP(test_time_curve_covers_sampler, UNIT_COUNT(time_cases)),
	UNIT_TEST(test_time_curve_is_the_run),
};

Suite *largen_timers_suite(void)
{
	return unit_suite("largen_timers", suite_cases, UNIT_COUNT(suite_cases), 600);
}
