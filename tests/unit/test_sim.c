/* SPDX-License-Identifier: MIT */
/*
 * test_sim.c — both simulators against the exact chain (means at 5 standard
 * errors, whole distributions by chi-square), the fast one against thread
 * counts, and the tally's determinism, merging and intervals.
 *
 * Statistical checks use fixed seeds and a tolerance of 5 standard errors; a
 * standard error comes from the exact value (for a [0, 1] mean, the Bernoulli
 * bound sqrt(mu(1 - mu)/n), which no [0, 1] variable with mean mu exceeds).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/exact.h"
#include "fanout/sim.h"
#include "stats.h"
#include "suites.h"

#define TRIALS 10000

static const struct gossip_params cases[] = {
	/* N  K  R  mode              loss  F  T  X */
	{ 25, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 25, 2, 10, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 10, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 30, 2, 6, GOSSIP_PUSH, 0.2, 0, 0, 0 },
	{ 30, 2, 6, GOSSIP_PUSH, 0, 5, 0, 0 },
	{ 30, 2, 8, GOSSIP_PUSH, 0.1, 3, 2, 0 },
	{ 30, 1, 10, GOSSIP_PUSH, 0, 0, 1, 0 },
	{ 30, 2, 5, GOSSIP_PULL, 0, 0, 0, 0 },
	{ 30, 1, 7, GOSSIP_PULL, 0.3, 4, 0, 0 },
	{ 30, 2, 4, GOSSIP_PUSH_PULL, 0, 0, 0, 0 },
	{ 30, 1, 5, GOSSIP_PUSH_PULL, 0.2, 3, 1, 0 },
	{ 40, 3, 4, GOSSIP_PUSH_PULL, 0.1, 0, 0, 0 },
	/* transmit_limit: partial last rounds (X not a multiple of K), fewer sends than K */
	{ 30, 3, 8, GOSSIP_PUSH, 0, 0, 0, 7 },
	{ 30, 2, 8, GOSSIP_PUSH, 0.2, 3, 0, 5 },
	{ 30, 4, 6, GOSSIP_PUSH, 0, 0, 0, 2 },
	{ 30, 3, 6, GOSSIP_PUSH_PULL, 0.1, 2, 0, 4 },
	{ 40, 3, 10, GOSSIP_PUSH, 0.1, 0, 0, 8 },
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

typedef enum fo_status (*sim_runner)(const struct gossip_params *p, uint64_t seed, uint64_t first,
				     int64_t trials, struct sim_tally *t);

static enum fo_status run_agent(const struct gossip_params *p, uint64_t seed, uint64_t first,
				int64_t trials, struct sim_tally *t)
{
	return sim_agent_run(p, seed, first, trials, NULL, t);
}

static enum fo_status run_fast(const struct gossip_params *p, uint64_t seed, uint64_t first,
			       int64_t trials, struct sim_tally *t)
{
	return sim_fast_run(p, seed, first, trials, 2, NULL, t);
}

/* Loop tests over i in [0, 2 NCASES): simulator i / NCASES on case i % NCASES. */
static const struct { const char *name; sim_runner run; } sims[] = {
	{ "agent", run_agent },
	{ "fast", run_fast },
};

/* |got - want| within 5 standard errors of a [0, 1] mean over n samples. */
static int within(double got, double want, double n)
{
	return fabs(got - want) <= 5 * sqrt(fmax(want * (1 - want), 0) / n) + 1e-12;
}

START_TEST(test_sim_matches_exact)
{
	const struct gossip_params *p = &cases[_i % NCASES];
	sim_runner run = sims[_i / NCASES].run;
	double live = (double)gossip_live(p), n = TRIALS;
	struct chain_result e;
	struct sim_tally t;
	struct sim_summary s;
	double mean_t = 0, sq_t = 0;

	ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
	ck_assert_int_eq(sim_tally_init(&t, p, 1), FO_OK);
	ck_assert_int_eq(run(p, 1000 + (uint64_t)_i, 0, TRIALS, &t), FO_OK);
	sim_summarize(&t, &s);
	for (int64_t r = 0; r <= p->rounds; r++) {
		double full = (double)t.full_by_round[r] / n;
		double frac = (double)t.informed_by_round[r] / (n * live);
		ck_assert_msg(within(full, e.p_full[r], n), "case %d round %lld: P(full) exact %.6f sim %.6f",
			      _i, (long long)r, e.p_full[r], full);
		ck_assert_msg(within(frac, e.mean_informed[r] / live, n),
			      "case %d round %lld: informed fraction exact %.6f sim %.6f", _i,
			      (long long)r, e.mean_informed[r] / live, frac);
		if (r > 0) {
			double step = e.p_full[r] - e.p_full[r - 1];
			mean_t += (double)r * step;
			sq_t += (double)r * (double)r * step;
		}
	}
	ck_assert_int_eq(t.full_by_round[p->rounds], t.trials_full);
	ck_assert_double_eq(s.full_rate, (double)t.full_by_round[p->rounds] / n);
	/* Rounds to all, given full delivery by R: its exact mean and spread. */
	if (t.trials_full > 0 && e.p_full[0] == 0) {
		double pr = e.p_full[p->rounds], mu = mean_t / pr, sd = sqrt(fmax(sq_t / pr - mu * mu, 0));
		ck_assert_msg(fabs(s.avg_rounds_to_all - mu) <= 5 * sd / sqrt((double)t.trials_full) + 1e-12,
			      "case %d: rounds to all exact %.4f sim %.4f", _i, mu, s.avg_rounds_to_all);
	}
	chain_result_release(&e);
	sim_tally_release(&t);
}
END_TEST

/*
 * The reported 95% intervals cover the exact values.  Each interval misses
 * with probability about 5%, so over the 48 intervals (both simulators, the
 * whole table) the test allows up to 12 misses: more happens with
 * probability 4.5e-7 when coverage is 95%.
 */
START_TEST(test_intervals_cover_exact)
{
	int misses = 0, total = 0;

	for (int i = 0; i < 2 * NCASES; i++) {
		const struct gossip_params *p = &cases[i % NCASES];
		struct chain_result e;
		struct sim_tally t;
		struct sim_summary s;
		double deliv;

		ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
		ck_assert_int_eq(sim_tally_init(&t, p, 0), FO_OK);
		ck_assert_int_eq(sims[i / NCASES].run(p, 77 + (uint64_t)i, 0, 2000, &t), FO_OK);
		sim_summarize(&t, &s);
		deliv = e.mean_informed[p->rounds] / (double)gossip_live(p);
		misses += !(s.delivery_ci[0] <= deliv && deliv <= s.delivery_ci[1]);
		misses += !(s.full_ci[0] <= e.p_full[p->rounds] && e.p_full[p->rounds] <= s.full_ci[1]);
		total += 2;
		chain_result_release(&e);
		sim_tally_release(&t);
	}
	printf("sim: exact value inside the reported 95%% interval %d of %d times\n", total - misses, total);
	ck_assert_int_le(misses, 14);
}
END_TEST

static void tally_equal(const struct sim_tally *a, const struct sim_tally *b)
{
	ck_assert_int_eq(a->trials, b->trials);
	ck_assert_int_eq(a->trials_full, b->trials_full);
	ck_assert_uint_eq(a->informed_sum, b->informed_sum);
	ck_assert(a->informed_sq_sum == b->informed_sq_sum);
	ck_assert_uint_eq(a->rounds_to_all_sum, b->rounds_to_all_sum);
	ck_assert_uint_eq(a->messages_sum, b->messages_sum);
	ck_assert_mem_eq(a->rounds_to_all_hist, b->rounds_to_all_hist,
			 (size_t)(a->rounds + 1) * sizeof *a->rounds_to_all_hist);
	ck_assert_mem_eq(a->informed_by_round, b->informed_by_round,
			 (size_t)(a->rounds + 1) * sizeof *a->informed_by_round);
	ck_assert_mem_eq(a->full_by_round, b->full_by_round, (size_t)(a->rounds + 1) * sizeof *a->full_by_round);
}

/* Same seed, same bits; trials [0, a) + [a, b) merge into exactly [0, b). */
START_TEST(test_deterministic_and_splittable)
{
	const struct gossip_params *p = &cases[_i % NCASES];
	sim_runner run = sims[_i / NCASES].run;
	struct sim_tally whole, again, first, second;

	ck_assert_int_eq(sim_tally_init(&whole, p, 1), FO_OK);
	ck_assert_int_eq(sim_tally_init(&again, p, 1), FO_OK);
	ck_assert_int_eq(sim_tally_init(&first, p, 1), FO_OK);
	ck_assert_int_eq(sim_tally_init(&second, p, 1), FO_OK);
	ck_assert_int_eq(run(p, 5, 0, 300, &whole), FO_OK);
	ck_assert_int_eq(run(p, 5, 0, 300, &again), FO_OK);
	tally_equal(&whole, &again);
	ck_assert_int_eq(run(p, 5, 0, 123, &first), FO_OK);
	ck_assert_int_eq(run(p, 5, 123, 177, &second), FO_OK);
	sim_tally_merge(&second, &first);
	tally_equal(&whole, &second);
	sim_tally_release(&whole);
	sim_tally_release(&again);
	sim_tally_release(&first);
	sim_tally_release(&second);
}
END_TEST

/* transmit_limit T * K is forward_rounds T: the same trials, bit for bit. */
START_TEST(test_transmit_limit_whole_rounds)
{
	struct gossip_params p = { 40, 3, 8, (enum gossip_mode)(_i % 3), 0.15, 4, 2, 0 };
	sim_runner run = sims[_i / 3].run;
	struct sim_tally a, b;

	ck_assert_int_eq(sim_tally_init(&a, &p, 1), FO_OK);
	ck_assert_int_eq(run(&p, 17, 0, 500, &a), FO_OK);
	p.forward_rounds = 0;
	p.transmit_limit = 2 * 3;
	ck_assert_int_eq(sim_tally_init(&b, &p, 1), FO_OK);
	ck_assert_int_eq(run(&p, 17, 0, 500, &b), FO_OK);
	tally_equal(&a, &b);
	sim_tally_release(&a);
	sim_tally_release(&b);
}
END_TEST

/* A transmit limit caps what one node sends: K = N - 1 and no loss make it certain. */
START_TEST(test_transmit_limit_messages)
{
	/* X = 13, K = 9: the origin sends 9 then 4; the other nine 9 then 4 from round 2. */
	struct gossip_params p = { 10, 9, 4, GOSSIP_PUSH, 0, 0, 0, 13 };
	struct sim_tally t;

	ck_assert_int_eq(sim_tally_init(&t, &p, 0), FO_OK);
	ck_assert_int_eq(sims[_i].run(&p, 3, 0, 20, &t), FO_OK);
	ck_assert_uint_eq(t.messages_sum, 20 * 10 * 13);
	sim_tally_release(&t);
}
END_TEST

START_TEST(test_seeds_differ)
{
	struct gossip_params p = { 50, 1, 8, GOSSIP_PUSH, 0.1, 0, 0, 0 };
	struct sim_tally a, b;

	sim_tally_init(&a, &p, 0);
	sim_tally_init(&b, &p, 0);
	sim_agent_run(&p, 1, 0, 200, NULL, &a);
	sim_agent_run(&p, 2, 0, 200, NULL, &b);
	ck_assert(a.informed_sq_sum != b.informed_sq_sum || a.messages_sum != b.messages_sum);
	sim_tally_release(&a);
	sim_tally_release(&b);
}
END_TEST

/* Message counts where the process is deterministic: K = N - 1, no loss. */
static const struct { enum gossip_mode mode; uint64_t messages; } counted[] = {
	{ GOSSIP_PUSH, 9 * (1 + 2 * 10) },  /* origin, then 10 senders twice */
	{ GOSSIP_PULL, 9 * 9 },             /* 9 pullers in round 1, none after */
	{ GOSSIP_PUSH_PULL, 81 + 9 + 180 },
};

START_TEST(test_message_counts)
{
	struct gossip_params p = { 10, 9, 3, counted[_i % 3].mode, 0, 0, 0, 0 };
	struct sim_tally t;
	struct sim_summary s;

	sim_tally_init(&t, &p, 0);
	ck_assert_int_eq(sims[_i / 3].run(&p, 3, 0, 20, &t), FO_OK);
	sim_summarize(&t, &s);
	ck_assert_uint_eq(t.messages_sum, 20 * counted[_i % 3].messages);
	ck_assert_double_eq(s.full_rate, 1);
	ck_assert_double_eq(s.avg_rounds_to_all, 1);
	sim_tally_release(&t);
}
END_TEST

START_TEST(test_degenerate)
{
	struct gossip_params p = { 5, 0, 3, GOSSIP_PUSH, 0, 4, 0, 0 };
	struct sim_tally t;
	struct sim_summary s;
	atomic_int cancel = 1;

	sim_tally_init(&t, &p, 0);
	sims[_i].run(&p, 1, 0, 10, &t);
	sim_summarize(&t, &s);
	ck_assert_double_eq(s.full_rate, 1);          /* only the origin is live */
	ck_assert_double_eq(s.avg_rounds_to_all, 0);
	sim_tally_release(&t);
	p.failed = 0;
	sim_tally_init(&t, &p, 0);
	sims[_i].run(&p, 1, 0, 10, &t);
	sim_summarize(&t, &s);
	ck_assert_double_eq(s.delivery_rate, 0.2);    /* K = 0: the origin alone */
	ck_assert_double_eq(s.full_rate, 0);
	ck_assert(isnan(s.avg_rounds_to_all));
	ck_assert_int_eq(sim_agent_run(&p, 1, 0, 10, &cancel, &t), FO_CANCELLED);
	ck_assert_int_eq(sim_fast_run(&p, 1, 0, 10, 2, &cancel, &t), FO_CANCELLED);
	sim_tally_release(&t);
}
END_TEST

/* The fast simulator gives the same bits on 1, 2, 3 or 7 threads. */
START_TEST(test_fast_thread_counts_agree)
{
	const struct gossip_params *p = &cases[_i];
	static const int threads[] = { 1, 2, 3, 7 };
	struct sim_tally one, many;

	ck_assert_int_eq(sim_tally_init(&one, p, 1), FO_OK);
	ck_assert_int_eq(sim_fast_run(p, 99, 10, 1001, 1, NULL, &one), FO_OK);
	for (size_t k = 1; k < sizeof threads / sizeof threads[0]; k++) {
		ck_assert_int_eq(sim_tally_init(&many, p, 1), FO_OK);
		ck_assert_int_eq(sim_fast_run(p, 99, 10, 1001, threads[k], NULL, &many), FO_OK);
		tally_equal(&one, &many);
		sim_tally_release(&many);
	}
	sim_tally_release(&one);
}
END_TEST

/*
 * Whole distributions, not just means: the fast simulator's informed count
 * after R rounds and its rounds to all, over 20000 trials, against the exact
 * chain by chi-square at the 1 - 1e-6 quantile.  Every mode, with loss,
 * failed nodes and push windows (the case table).
 */
START_TEST(test_fast_distributions)
{
	const struct gossip_params *p = &cases[_i];
	const int64_t n = 20000;
	int64_t live = gossip_live(p), informed[32], final[64] = { 0 }, rounds[34] = { 0 };
	double expected_rounds[34];
	struct chain_result e;
	double chi2;
	int df;

	ck_assert(p->rounds < 32 && live < 64);
	ck_assert_int_eq(exact_run(p, NULL, &e), FO_OK);
	for (int64_t t = 0; t < n; t++) {
		uint64_t messages;
		int64_t rta;
		ck_assert_int_eq(sim_fast_trial(p, 4242, (uint64_t)t, informed, &messages, &rta), FO_OK);
		final[informed[p->rounds]]++;
		rounds[rta < 0 ? p->rounds + 1 : rta]++;
	}
	chi2 = chi_square(final, e.final_informed, (int)live + 1, n, &df);
	ck_assert_msg(chi2 < chi_square_limit(df), "case %d informed after R: chi2 %.1f df %d limit %.1f",
		      _i, chi2, df, chi_square_limit(df));
	expected_rounds[0] = e.p_full[0];
	for (int64_t r = 1; r <= p->rounds; r++)
		expected_rounds[r] = e.p_full[r] - e.p_full[r - 1];
	expected_rounds[p->rounds + 1] = 1 - e.p_full[p->rounds];
	chi2 = chi_square(rounds, expected_rounds, (int)p->rounds + 2, n, &df);
	ck_assert_msg(chi2 < chi_square_limit(df), "case %d rounds to all: chi2 %.1f df %d limit %.1f",
		      _i, chi2, df, chi_square_limit(df));
	chain_result_release(&e);
}
END_TEST

/*
 * Larger cases for the per-round test, where the fast simulator's push
 * rounds have many senders (a window's exact chain is kept to the small
 * cases of the table above).
 */
static const struct gossip_params wide_cases[] = {
	/* N  K  R  mode              loss  F  T  X */
	{ 200, 3, 8, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 250, 3, 8, GOSSIP_PUSH, 0.15, 20, 0, 0 },
	{ 150, 4, 6, GOSSIP_PUSH_PULL, 0.2, 5, 0, 0 },
	{ 120, 12, 4, GOSSIP_PUSH, 0.3, 0, 0, 0 },
	{ 100, 64, 3, GOSSIP_PUSH, 0.5, 0, 0, 0 },
	{ 120, 70, 3, GOSSIP_PUSH, 0.4, 0, 0, 0 }, /* K > 64: never staged */
	{ 150, 1, 14, GOSSIP_PUSH, 0.1, 0, 0, 0 },
};
#define NWIDE ((int)(sizeof wide_cases / sizeof wide_cases[0]))

/*
 * The informed count after every round r, not only the last: the fast
 * simulator over 20000 trials, its push rounds forced in two stages (even
 * i) and sender by sender (odd i), against the exact chain run to r rounds
 * (a chain to R rounds is the same for its first r), by chi-square at the
 * 1 - 1e-6 quantile.  Every case of both tables: every mode, loss, failed
 * nodes, push windows and transmit limits.
 */
START_TEST(test_fast_round_distributions)
{
	int c = _i / 2;
	const struct gossip_params *p = c < NCASES ? &cases[c] : &wide_cases[c - NCASES];
	enum sim_push_method method = _i % 2 ? SIM_PUSH_SERIAL : SIM_PUSH_STAGED;
	const int64_t n = 20000, live = gossip_live(p);
	int64_t informed[16], *count = calloc((size_t)((p->rounds + 1) * (live + 1)), sizeof *count);

	ck_assert(count && p->rounds < 16);
	for (int64_t t = 0; t < n; t++) {
		uint64_t messages;
		int64_t rta;
		ck_assert_int_eq(sim_fast_trial_as(p, 777, (uint64_t)t, method, informed, &messages, &rta),
				 FO_OK);
		for (int64_t r = 1; r <= p->rounds; r++)
			count[r * (live + 1) + informed[r]]++;
	}
	for (int64_t r = 1; r <= p->rounds; r++) {
		struct gossip_params q = *p;
		struct chain_result e;
		double chi2;
		int df;
		q.rounds = r;
		ck_assert_int_eq(exact_run(&q, NULL, &e), FO_OK);
		chi2 = chi_square(count + r * (live + 1), e.final_informed, (int)live + 1, n, &df);
		ck_assert_msg(chi2 < chi_square_limit(df),
			      "case %d (%s) round %lld: chi2 %.1f df %d limit %.1f", c,
			      _i % 2 ? "serial" : "staged", (long long)r, chi2, df, chi_square_limit(df));
		chain_result_release(&e);
	}
	free(count);
}
END_TEST

/*
 * The fast simulator (its push rounds as it chooses them) against the
 * agent-based reference at sizes the exact chain is not run at: the mean
 * informed count after every round and the share fully informed, each
 * within 5 combined standard errors (from the samples' own variances).
 */
static const struct gossip_params agree_cases[] = {
	/* N  K  R  mode              loss  F  T  X */
	{ 2000, 3, 14, GOSSIP_PUSH, 0, 0, 0, 0 },
	{ 1000, 2, 12, GOSSIP_PULL, 0.1, 0, 0, 0 },
	{ 1500, 3, 9, GOSSIP_PUSH_PULL, 0.1, 20, 0, 0 },
	{ 2000, 4, 12, GOSSIP_PUSH, 0.3, 0, 0, 0 },
	{ 1000, 3, 12, GOSSIP_PUSH, 0, 100, 0, 0 },
	{ 1000, 3, 20, GOSSIP_PUSH, 0.1, 0, 4, 0 },
	{ 1000, 3, 20, GOSSIP_PUSH, 0, 0, 0, 10 },
	{ 800, 2, 15, GOSSIP_PUSH_PULL, 0.2, 10, 0, 5 },
	{ 500, 40, 4, GOSSIP_PUSH, 0.2, 0, 0, 0 },
	{ 500, 80, 3, GOSSIP_PUSH, 0.1, 0, 0, 0 },
};

/* Adds trial curve[0..R] to sum and sq, and whether it is full at each round to full. */
static void add_curve(const int64_t *curve, int64_t rounds, int64_t live, double *sum, double *sq,
		      double *full)
{
	for (int64_t r = 0; r <= rounds; r++) {
		sum[r] += (double)curve[r];
		sq[r] += (double)curve[r] * (double)curve[r];
		full[r] += curve[r] == live;
	}
}

/* |a - b| for two sample means of n_a and n_b trials, within 5 standard errors. */
static int means_agree(double sum_a, double sq_a, double n_a, double sum_b, double sq_b, double n_b)
{
	double ma = sum_a / n_a, mb = sum_b / n_b;
	double va = fmax(sq_a / n_a - ma * ma, 0) * n_a / (n_a - 1);
	double vb = fmax(sq_b / n_b - mb * mb, 0) * n_b / (n_b - 1);

	return fabs(ma - mb) <= 5 * sqrt(va / n_a + vb / n_b) + 1e-9 * fmax(fabs(ma), 1);
}

START_TEST(test_fast_agrees_with_agent)
{
	const struct gossip_params *p = &agree_cases[_i];
	const int64_t nf = 10000, na = 600, live = gossip_live(p);
	double fs[32] = { 0 }, fq[32] = { 0 }, ff[32] = { 0 }, as[32] = { 0 }, aq[32] = { 0 }, af[32] = { 0 };
	int64_t curve[32];

	ck_assert(p->rounds < 32);
	for (int64_t t = 0; t < nf; t++) {
		uint64_t messages;
		int64_t rta;
		ck_assert_int_eq(sim_fast_trial(p, 31337, (uint64_t)t, curve, &messages, &rta), FO_OK);
		add_curve(curve, p->rounds, live, fs, fq, ff);
	}
	for (int64_t t = 0; t < na; t++) {
		struct sim_tally one;
		ck_assert_int_eq(sim_tally_init(&one, p, 1), FO_OK);
		ck_assert_int_eq(sim_agent_run(p, 4711, (uint64_t)t, 1, NULL, &one), FO_OK);
		for (int64_t r = 0; r <= p->rounds; r++)
			curve[r] = (int64_t)one.informed_by_round[r];
		add_curve(curve, p->rounds, live, as, aq, af);
		sim_tally_release(&one);
	}
	for (int64_t r = 1; r <= p->rounds; r++) {
		ck_assert_msg(means_agree(fs[r], fq[r], (double)nf, as[r], aq[r], (double)na),
			      "case %d round %lld: informed fast %.3f agent %.3f", _i, (long long)r,
			      fs[r] / (double)nf, as[r] / (double)na);
		/* A share is a mean of 0s and 1s: the same test. */
		ck_assert_msg(means_agree(ff[r], ff[r], (double)nf, af[r], af[r], (double)na),
			      "case %d round %lld: full fast %.4f agent %.4f", _i, (long long)r,
			      ff[r] / (double)nf, af[r] / (double)na);
	}
}
END_TEST

START_TEST(test_wilson)
{
	double ci[2];

	sim_wilson(0, 10, ci);
	ck_assert_double_eq_tol(ci[0], 0, 1e-12);
	ck_assert_double_eq_tol(ci[1], 0.2775327998628892, 1e-12);
	sim_wilson(5, 10, ci);
	ck_assert_double_eq_tol(ci[0], 0.236593090512564, 1e-12);
	ck_assert_double_eq_tol(ci[1], 0.7634069094874361, 1e-12);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_LOOP(test_sim_matches_exact, 2 * NCASES),
	UNIT_TEST(test_intervals_cover_exact),
	UNIT_LOOP(test_deterministic_and_splittable, 2 * NCASES),
	UNIT_LOOP(test_transmit_limit_whole_rounds, 6),
	UNIT_LOOP(test_transmit_limit_messages, 2),
	UNIT_TEST(test_seeds_differ),
	UNIT_LOOP(test_message_counts, 6),
	UNIT_LOOP(test_degenerate, 2),
	UNIT_LOOP(test_fast_thread_counts_agree, NCASES),
	UNIT_LOOP(test_fast_distributions, NCASES),
	UNIT_LOOP(test_fast_round_distributions, 2 * (NCASES + NWIDE)),
	UNIT_LOOP(test_fast_agrees_with_agent, (int)(sizeof agree_cases / sizeof agree_cases[0])),
	UNIT_TEST(test_wilson),
};

Suite *sim_suite(void)
{
	return unit_suite("sim", suite_cases, UNIT_COUNT(suite_cases), 300);
}
