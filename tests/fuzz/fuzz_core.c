/* SPDX-License-Identifier: MIT */
/*
 * fuzz_core.c — the core's entry points with parameters at the edges of
 * their domains (MODEL.md): N, K, R, F and T from a table of edge values or
 * raw bytes folded into the domain, loss and target from edge values or raw
 * doubles folded into [0, 1); then independent timers, X, probe and sync
 * periods, a horizon and seeds, kept where gossip_params_check accepts
 * them (as the request layer would).  Every cost must be a number >= 0 (or +inf);
 * what is cheap enough runs, and every answer must be a probability.  It runs
 * under the guard, as in both programs, so an estimate far too low (listed in
 * tests/fuzz/findings; measured by make estimates) stops after 0.1 s of CPU
 * instead of holding the fuzzer for minutes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "fanout/calc.h"
#include "fanout/config.h"
#include "fanout/formula.h"
#include "fanout/sim.h"
#include "guard.h"

#define FUZZ_WORK 2e6

struct bytes {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct bytes *b, size_t k)
{
	uint64_t v = 0;

	for (size_t i = 0; i < k; i++)
		v = v << 8 | (b->n ? (b->n--, *b->p++) : 0);
	return v;
}

/* An integer in [lo, hi]: an edge (lo, lo + 1, hi - 1, hi, powers of two) or any. */
static int64_t pick_int(struct bytes *b, int64_t lo, int64_t hi)
{
	uint64_t how = take(b, 1), raw = take(b, 8), span = (uint64_t)(hi - lo);
	int64_t v;

	switch (how % 8) {
	case 0: v = lo; break;
	case 1: v = lo + 1; break;
	case 2: v = hi; break;
	case 3: v = hi - 1; break;
	case 4: v = (int64_t)1 << (raw % 62); break;
	case 5: v = ((int64_t)1 << (raw % 62)) - 1; break;
	case 6: v = lo + (int64_t)(raw % 64); break;
	default: v = lo + (int64_t)(span == UINT64_MAX ? raw : raw % (span + 1)); break;
	}
	return v < lo ? lo : v > hi ? hi : v;
}

/* A number in [0, 1) (or (0, 1) when open): edges, tiny, near 1, or any. */
static double pick_prob(struct bytes *b, int open)
{
	uint64_t how = take(b, 1), raw = take(b, 8);
	double v;

	switch (how % 6) {
	case 0: v = 0; break;
	case 1: v = nextafter(1.0, 0.0); break;
	case 2: v = ldexp(1.0, -(int)(raw % 1075)); break;
	case 3: v = 1 - ldexp(1.0, -(int)(raw % 54)); break;
	case 4: memcpy(&v, &raw, sizeof v); v = isfinite(v) ? fabs(fmod(v, 1.0)) : 0.5; break;
	default: v = (double)(raw >> 11) * 0x1p-53; break;
	}
	if (open && v == 0)
		v = 0x1p-1074;
	return v;
}

/* A time in intervals, in [0, FO_MAX_ROUNDS]: 0 (none), on the grid of 1/4, tiny, the top, or any. */
static double pick_time(struct bytes *b)
{
	uint64_t how = take(b, 1), raw = take(b, 8);
	double v;

	switch (how % 6) {
	case 0: v = 0; break;
	case 1: v = (double)(raw % 256) / 4; break;
	case 2: v = ldexp(1.0, -(int)(raw % 1075)); break;
	case 3: v = (double)FO_MAX_ROUNDS; break;
	case 4: v = 1 + (double)(raw % 64); break;
	default: v = (double)(raw >> 11) * 0x1p-53 * (double)FO_MAX_ROUNDS; break;
	}
	return v;
}

static void check_cost(double c)
{
	if (!(c >= 0))
		abort();
}

static void check_prob(double p)
{
	if (!(p >= 0 && p <= 1))
		abort();
}

static struct guard *guard;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes b = { data, size };
	struct gossip_params p;
	struct calc_answer a;
	double target;
	int64_t trials;
	int trace;

	if (!guard && !(guard = guard_new(3600, NULL, NULL)))
		abort();
	memset(&p, 0, sizeof p);
	p.nodes = pick_int(&b, 1, FO_MAX_JSON_INT);
	p.rounds = pick_int(&b, 1, FO_MAX_ROUNDS);
	p.mode = (enum gossip_mode)(take(&b, 1) % 3);
	p.loss = pick_prob(&b, 0);
	p.failed = pick_int(&b, 0, p.nodes - 1);
	p.fanout = pick_int(&b, 0, p.nodes - 1);
	p.forward_rounds = take(&b, 1) % 2 ? 0 : pick_int(&b, 1, FO_MAX_JSON_INT);
	target = pick_prob(&b, 1);
	trials = pick_int(&b, 1, 64);
	/* Last, so that inputs written before failed_known decode as they did (then 0). */
	p.failed_known = take(&b, 1) % 2 && p.fanout <= p.nodes - p.failed - 1;
	/*
	 * Then the timers and what real systems add, as the request layer
	 * passes them (rounds = ceil(horizon) under a horizon), all dropped
	 * again where gossip_params_check refuses the combination; after the
	 * others, so that the inputs written before them decode as they did.
	 */
	{
		struct gossip_params q = p;
		q.timers = take(&b, 1) % 2 ? GOSSIP_TIMERS_INDEPENDENT : GOSSIP_TIMERS_ALIGNED;
		if (take(&b, 1) % 2) {
			q.transmit_limit = pick_int(&b, 1, FO_MAX_JSON_INT);
			q.forward_rounds = 0;
		}
		q.probe_interval = pick_time(&b);
		q.sync_interval = pick_time(&b);
		q.horizon = pick_time(&b);
		if (q.horizon > 0)
			q.rounds = (int64_t)ceil(q.horizon);
		if (take(&b, 1) % 2) {
			q.seed_gossip = 1;
			q.seeds = pick_int(&b, 0, q.nodes - q.failed - 1);
		}
		if (gossip_params_check(&q, 1, NULL, 0) == 0)
			p = q;
	}

	trace = getenv("FUZZ_TRACE") != NULL;
	if (trace)
		fprintf(stderr, "N=%lld K=%lld R=%lld mode=%d loss=%.17g F=%lld T=%lld target=%.17g trials=%lld "
			"known=%d timers=%d X=%lld probe=%.17g sync=%.17g horizon=%.17g seeds=%d/%lld\n",
			(long long)p.nodes, (long long)p.fanout, (long long)p.rounds, (int)p.mode, p.loss,
			(long long)p.failed, (long long)p.forward_rounds, target, (long long)trials, p.failed_known,
			(int)p.timers, (long long)p.transmit_limit, p.probe_interval, p.sync_interval, p.horizon,
			p.seed_gossip, (long long)p.seeds);
	check_prob(formula_miss(p.nodes - p.failed, p.fanout, p.rounds, p.loss));
	for (int m = 0; m < CALC_MODEL_COUNT; m++) {
		double cost = calc_cost(&p, (enum calc_model)m, target);
		if (trace)
			fprintf(stderr, "%s: cost %g\n", calc_model_name((enum calc_model)m), cost);
		check_cost(cost);
		if (cost > FUZZ_WORK)
			continue;
		struct guard_item it;
		enum fo_status st;
		guard_watch(guard, &it, NULL, -1, 0);
		guard_begin(guard, &it, cost);
		st = calc_fanout(&p, (enum calc_model)m, target, FUZZ_WORK, &it.cancel, &a);
		guard_unwatch(guard, &it);
		if (st == FO_OK) {
			check_prob(a.miss_prob);
			check_prob(a.delivery_prob);
			check_prob(a.node_miss_prob);
			if (a.fanout < 0 || a.fanout > p.nodes - 1)
				abort();
		}
	}
	check_cost(sim_fast_cost(&p, trials));
	if (sim_fast_cost(&p, trials) <= FUZZ_WORK) {
		struct sim_tally t;
		if (sim_tally_init(&t, &p, 1) == 0) {
			struct guard_item it;
			enum fo_status st;
			guard_watch(guard, &it, NULL, -1, 0);
			guard_begin(guard, &it, sim_fast_cost(&p, trials));
			st = sim_fast_run(&p, 7, 0, trials, 1, &it.cancel, &t);
			guard_unwatch(guard, &it);
			if (st == FO_OK) {
				struct sim_summary s;
				sim_summarize(&t, &s);
				check_prob(s.delivery_rate);
				check_prob(s.full_rate);
			}
			sim_tally_release(&t);
		}
	}
	return 0;
}
