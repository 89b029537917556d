/*
 * test_bound.c — exact's certified bound under independent timers
 * (gossip_bound_view, docs/METHODS.md "A certified bound under independent
 * timers"): the aligned chain over the whole intervals of the horizon is
 * never ahead of the model.
 *
 * Checked against the agent-based reference with literal timers on a table
 * of cases (push, pull, push_pull, loss, failures, failed_known,
 * forward_rounds, transmit limits, probes without a limit, syncs,
 * fractional horizons): at every whole interval r and at the horizon, the
 * share of trials fully delivered and the mean informed count may fall below
 * the chain's lower ends by no more than 5 standard errors.  A control shows
 * the comparison can fail: the chain over ceil(H) rounds, which is not a
 * bound, is caught above the model.  Then the answers: calc_fanout with
 * model exact under independent timers is the aligned chain's search over
 * floor(H) rounds, its K at least the simulation's, and never optimistic
 * against the agent.  Seeds are fixed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/calc.h"
#include "fanout/exact.h"
#include "fanout/sim.h"
#include "suites.h"

#define BOUND_TRIALS 20000
#define Z 5.0

/* N, K, mode, loss, F, failed_known, T, X, probe and sync intervals, horizon (intervals). */
static const struct {
	int64_t n, k;
	enum gossip_mode mode;
	double loss;
	int64_t f;
	int known;
	int64_t t, x;
	double probe, sync, horizon;
} cases[] = {
	{ 30, 2, GOSSIP_PUSH, 0, 0, 0, 0, 0, 0, 0, 6 },
	{ 30, 1, GOSSIP_PUSH, 0.2, 5, 0, 0, 0, 0, 0, 8.5 },
	{ 30, 2, GOSSIP_PULL, 0, 0, 0, 0, 0, 0, 0, 5.99 },
	{ 30, 1, GOSSIP_PUSH_PULL, 0.1, 3, 0, 0, 0, 0, 0, 6 },
	{ 30, 1, GOSSIP_PUSH_PULL, 0.1, 4, 1, 0, 0, 0, 0, 5.5 },  /* Cassandra's failed_known */
	{ 30, 2, GOSSIP_PUSH, 0, 0, 0, 2, 0, 0, 0, 8 },           /* forward_rounds */
	{ 30, 3, GOSSIP_PUSH, 0.1, 2, 0, 0, 7, 0, 0, 7.2 },       /* a transmit limit, a partial last tick */
	{ 30, 1, GOSSIP_PUSH_PULL, 0.2, 3, 0, 1, 0, 0, 0, 7 },
	{ 16, 3, GOSSIP_PUSH, 0, 0, 0, 0, 8, 0, 0, 4.01 },        /* memberlist-lan at N = 16, no probes */
	{ 30, 1, GOSSIP_PUSH, 0.1, 0, 0, 0, 0, 2.5, 0, 8 },       /* probes without a limit */
	{ 30, 1, GOSSIP_PUSH, 0, 2, 1, 0, 0, 0, 3, 7 },           /* syncs */
	{ 40, 3, GOSSIP_PUSH, 0, 0, 0, 0, 0, 0, 0, 3.05 },
};

static struct gossip_params case_params(int i)
{
	struct gossip_params p = { 0 };

	p.nodes = cases[i].n;
	p.fanout = cases[i].k;
	p.rounds = 1;
	p.mode = cases[i].mode;
	p.loss = cases[i].loss;
	p.failed = cases[i].f;
	p.failed_known = cases[i].known;
	p.forward_rounds = cases[i].t;
	p.transmit_limit = cases[i].x;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.probe_interval = cases[i].probe;
	p.sync_interval = cases[i].sync;
	p.horizon = cases[i].horizon;
	return p;
}

/*
 * The agent's share of trials fully delivered and mean informed live count
 * by time at[j], j < n (at most 32 times), and 5 standard errors of that
 * mean in zi[j] (never below 5 / sqrt(n)).
 */
static void agent_at(const struct gossip_params *p, uint64_t seed, const double *at, int n,
		     double *full, double *informed, double *zi)
{
	double sq[32];

	double *when = malloc((size_t)p->nodes * sizeof *when);
	int64_t live = gossip_live(p);

	ck_assert_ptr_nonnull(when);
	for (int j = 0; j < n; j++)
		full[j] = informed[j] = sq[j] = 0;
	for (int t = 0; t < BOUND_TRIALS; t++) {
		struct sim_timed o;
		ck_assert_int_eq(sim_agent_timed(p, seed, (uint64_t)t, when, &o), FO_OK);
		for (int j = 0; j < n; j++) {
			int64_t c = 0;
			while (c < o.informed && when[c] <= at[j])
				c++;
			full[j] += c == live;
			informed[j] += (double)c;
			sq[j] += (double)c * (double)c;
		}
	}
	for (int j = 0; j < n; j++) {
		full[j] /= BOUND_TRIALS;
		informed[j] /= BOUND_TRIALS;
		zi[j] = Z * sqrt(fmax(sq[j] / BOUND_TRIALS - informed[j] * informed[j], 1) / (BOUND_TRIALS - 1));
	}
	free(when);
}

/* 5 standard errors of a share near `a` or `b` over BOUND_TRIALS trials (never below 1/n's). */
static double z_share(double a, double b)
{
	double v = fmax(fmax(a * (1 - a), b * (1 - b)), 1.0 / BOUND_TRIALS);
	return Z * sqrt(v / BOUND_TRIALS);
}

START_TEST(test_below_agent)
{
	struct gossip_params p = case_params(_i), b;
	struct chain_result c;
	double at[32], full[32], informed[32], zi[32], h = gossip_horizon(&p);
	int n = 0;

	ck_assert(gossip_bound_view(&p, &b));
	ck_assert_int_eq(b.rounds, (int64_t)floor(h));
	ck_assert_int_eq(exact_run(&b, NULL, &c), FO_OK);
	for (int64_t r = 0; r <= b.rounds; r++)
		at[n++] = (double)r;
	at[n++] = h;
	agent_at(&p, 7001 + (uint64_t)_i, at, n, full, informed, zi);
	for (int j = 0; j < n; j++) {
		int64_t r = (int64_t)floor(at[j]);
		double lo = c.p_full[r] - c.round_bound[r];
		ck_assert_msg(full[j] >= lo - z_share(full[j], lo),
			      "case %d, t = %g: the agent's P(full) %.5f below the bound %.5f", _i, at[j],
			      full[j], lo);
		ck_assert_msg(informed[j] >= c.mean_informed[r] - zi[j],
			      "case %d, t = %g: the agent's informed %.3f below the bound %.3f", _i, at[j],
			      informed[j], c.mean_informed[r]);
	}
	chain_result_release(&c);
}
END_TEST

/*
 * The comparison above can fail: the chain over ceil(H) rounds (the horizon
 * rounded up), which is not a bound, is caught above the model's mean
 * informed count at H = 1.05 by far more than 5 standard errors.
 */
START_TEST(test_ceiling_caught)
{
	struct gossip_params p = case_params(11), b;
	struct chain_result c;
	double at, full, informed, zi;

	p.horizon = 1.05;
	at = p.horizon;
	ck_assert(gossip_bound_view(&p, &b));
	b.rounds = (int64_t)ceil(at);
	ck_assert_int_eq(exact_run(&b, NULL, &c), FO_OK);
	agent_at(&p, 7100, &at, 1, &full, &informed, &zi);
	ck_assert_msg(informed < c.mean_informed[b.rounds] - zi,
		      "ceil(H) rounds' informed %.3f not caught above the agent's %.3f",
		      c.mean_informed[b.rounds], informed);
	chain_result_release(&c);
}
END_TEST

/* Where no bound is proved, none is given. */
START_TEST(test_where_proved)
{
	struct gossip_params p = case_params(0), b;

	p.horizon = 0.99;
	ck_assert(!gossip_bound_view(&p, &b));                /* under one interval */
	p.horizon = 3;
	p.probe_interval = 5;
	p.transmit_limit = 8;
	ck_assert(!gossip_bound_view(&p, &b));                /* a ping spends a send */
	p.transmit_limit = 0;
	p.forward_rounds = 2;
	ck_assert(!gossip_bound_view(&p, &b));                /* a ping needs the tick's holding */
	p.forward_rounds = 0;
	ck_assert(gossip_bound_view(&p, &b));                 /* probes alone only inform */
	ck_assert(b.timers == GOSSIP_TIMERS_ALIGNED && b.probe_interval == 0 && b.rounds == 3);
	p.timers = GOSSIP_TIMERS_ALIGNED;
	p.probe_interval = 0;
	ck_assert(!gossip_bound_view(&p, &b));                /* aligned: the chain itself */
	ck_assert(isinf(calc_cost(&(struct gossip_params){ .nodes = 30, .rounds = 1, .fanout = 1,
							   .timers = GOSSIP_TIMERS_INDEPENDENT,
							   .probe_interval = 5, .transmit_limit = 8,
							   .horizon = 5 },
				  CALC_EXACT, 0.99)));
}
END_TEST

/* calc_fanout's cases: N, mode, loss, F, T, X, horizon, target. */
static const struct {
	int64_t n;
	enum gossip_mode mode;
	double loss;
	int64_t f, t, x;
	double horizon, target;
} calcs[] = {
	{ 30, GOSSIP_PUSH, 0, 0, 0, 0, 5, 0.99 },
	{ 50, GOSSIP_PUSH_PULL, 0.1, 3, 0, 0, 4.5, 0.99 },
	{ 40, GOSSIP_PULL, 0, 0, 0, 0, 6, 0.9 },
	{ 30, GOSSIP_PUSH, 0.05, 2, 0, 9, 7.3, 0.95 },
};

/*
 * The answer is the aligned chain's search over floor(H) rounds, to the
 * bit; its K is at least the simulation's, and the agent at that K reaches
 * the target (within 5 standard errors): never optimistic.
 */
START_TEST(test_calc_is_the_bound)
{
	struct gossip_params p = { 0 }, a;
	struct calc_answer bound, chain, sim;
	double at, full, informed, zi;

	p.nodes = calcs[_i].n;
	p.rounds = 1;
	p.mode = calcs[_i].mode;
	p.loss = calcs[_i].loss;
	p.failed = calcs[_i].f;
	p.forward_rounds = calcs[_i].t;
	p.transmit_limit = calcs[_i].x;
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.horizon = calcs[_i].horizon;
	ck_assert_int_eq(calc_fanout(&p, CALC_EXACT, calcs[_i].target, 1e11, NULL, &bound), FO_OK);
	ck_assert(gossip_bound_view(&p, &a));
	ck_assert_int_eq(calc_fanout(&a, CALC_EXACT, calcs[_i].target, 1e11, NULL, &chain), FO_OK);
	ck_assert(bound.reachable && bound.model == CALC_EXACT);
	ck_assert_int_eq(bound.fanout, chain.fanout);
	ck_assert(bound.delivery_prob == chain.delivery_prob && bound.miss_prob == chain.miss_prob);
	ck_assert(bound.delivery_prob_lo == chain.delivery_prob_lo && bound.delivery_prob_hi == 1);
	ck_assert_msg(bound.fanout_possible == 1, "no K is ruled out by a one-sided bound");
	ck_assert_int_eq(calc_fanout(&p, CALC_SIMULATION, calcs[_i].target, 1e11, NULL, &sim), FO_OK);
	ck_assert_msg(sim.fanout <= bound.fanout, "case %d: simulation K %lld above the bound's %lld", _i,
		      (long long)sim.fanout, (long long)bound.fanout);
	p.fanout = bound.fanout;
	at = p.horizon;
	agent_at(&p, 7200 + (uint64_t)_i, &at, 1, &full, &informed, &zi);
	ck_assert_msg(full >= calcs[_i].target - z_share(full, calcs[_i].target),
		      "case %d: the agent at the bound's K %lld: %.5f", _i, (long long)bound.fanout, full);
}
END_TEST

static const struct unit_case bound_cases[] = {
	UNIT_LOOP(test_below_agent, UNIT_COUNT(cases)),
	UNIT_TEST(test_ceiling_caught),
	UNIT_TEST(test_where_proved),
	UNIT_LOOP(test_calc_is_the_bound, UNIT_COUNT(calcs)),
};

Suite *bound_suite(void)
{
	return unit_suite("bound", bound_cases, UNIT_COUNT(bound_cases), 120);
}
