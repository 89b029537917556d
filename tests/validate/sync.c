/*
 * sync.c — `validate sync` (make validate-sync): anti-entropy at sizes make
 * test cannot afford.  Part 1: memberlist-local (K 3, 0.1 s, RetransmitMult 2,
 * probes every 1 s) with a 15 s sync_interval (its PushPullInterval), N = 30
 * … 10^4: P(all by t) from the fast simulator at t = S/2, S, 2S, 3S, beside
 * gossip alone at 3S, with Clopper-Pearson 95% intervals.  Part 2: the fast
 * sampler against the agent-based reference at N = 100 and 300 (their
 * P(all by t) at 5 pooled standard errors of the difference, at least 5/n,
 * at t = S/2 and S);
 * the mode fails on any difference beyond that.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fanout/preset.h"
#include "fanout/sim.h"
#include "validate.h"

#define SYNC_SEED 20261203
#define SYNC_SECONDS 15.0

static struct gossip_params local_params(int64_t n, double sync_seconds, double seconds)
{
	const struct gossip_preset *s = gossip_preset_find("memberlist-local");
	struct gossip_params p = { 0 };

	p.nodes = n;
	p.fanout = s->fanout;
	p.rounds = 1;
	p.mode = s->mode;
	p.transmit_limit = gossip_preset_transmit_limit(s, n);
	p.timers = GOSSIP_TIMERS_INDEPENDENT;
	p.probe_interval = s->probe_interval / s->interval;
	p.sync_interval = sync_seconds / s->interval;
	p.horizon = seconds / s->interval;
	return p;
}

/* P(all by the horizon) of `trials` fast-simulator trials, with its 95% interval; -1 on failure. */
static double fast_full(const struct gossip_params *p, int64_t trials, double ci[2])
{
	struct sim_tally t;
	double full;

	if (sim_tally_init(&t, p, 0) != FO_OK)
		return -1;
	if (sim_fast_run(p, SYNC_SEED, 0, trials, 2, NULL, &t) != FO_OK) {
		sim_tally_release(&t);
		return -1;
	}
	sim_clopper_pearson(t.trials_full, t.trials, 0.05, ci);
	full = (double)t.trials_full / (double)t.trials;
	sim_tally_release(&t);
	return full;
}

/* P(all by the horizon) of `trials` trials of one timed simulator; -1 on failure. */
static double timed_full(const struct gossip_params *p, int agent, int64_t trials)
{
	double *when = malloc((size_t)p->nodes * sizeof *when);
	int64_t full = 0;

	if (!when)
		return -1;
	for (int64_t i = 0; i < trials; i++) {
		struct sim_timed o;
		enum fo_status st = agent ? sim_agent_timed(p, SYNC_SEED + 1, (uint64_t)i, when, &o)
					  : sim_fast_timed(p, SYNC_SEED + 2, (uint64_t)i, when, &o);
		if (st != FO_OK) {
			free(when);
			return -1;
		}
		full += o.informed == gossip_live(p);
	}
	free(when);
	return (double)full / (double)trials;
}

int validate_sync(void)
{
	static const struct {
		int64_t n, trials;
	} sizes[] = { { 30, 4000 }, { 100, 4000 }, { 1000, 1000 }, { 10000, 200 } };
	static const struct {
		int64_t n, trials;
	} pairs[] = { { 100, 2000 }, { 300, 600 } };
	int fail = 0;

	printf("memberlist-local with sync_interval %.0f s: P(all by t), fast simulator, 95%% Clopper-Pearson\n\n",
	       SYNC_SECONDS);
	printf("| N | trials | no sync, by 3S | by S/2 | by S | by 2S | by 3S |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct gossip_params p = local_params(sizes[i].n, 0, 3 * SYNC_SECONDS);
		double ci[2], f = fast_full(&p, sizes[i].trials, ci);
		printf("| %lld | %lld | %.4f [%.4f, %.4f] |", (long long)sizes[i].n, (long long)sizes[i].trials, f,
		       ci[0], ci[1]);
		for (int j = 0; j < 4; j++) {
			static const double at[] = { 0.5, 1, 2, 3 };
			p = local_params(sizes[i].n, SYNC_SECONDS, at[j] * SYNC_SECONDS);
			f = fast_full(&p, sizes[i].trials, ci);
			fail |= f < 0;
			printf(" %.4f [%.4f, %.4f] |", f, ci[0], ci[1]);
		}
		printf("\n");
		fflush(stdout);
	}
	printf("\nfast sampler against the agent-based reference, P(all by t), 5 se of the difference\n\n");
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		for (int j = 0; j < 2; j++) {
			struct gossip_params p = local_params(pairs[i].n, SYNC_SECONDS, (j + 1) * SYNC_SECONDS / 2);
			double n = (double)pairs[i].trials, a = timed_full(&p, 1, pairs[i].trials);
			double f = timed_full(&p, 0, pairs[i].trials);
			/* Pooled, and at least 1/n a side: two runs that both reach everyone may still differ by a trial. */
			double pool = (a + f) / 2, se = fmax(sqrt(2 * pool * (1 - pool) / n), 1 / n);
			int ok = a >= 0 && f >= 0 && fabs(a - f) <= 5 * se + 1e-9;
			printf("N = %lld, by %.1f s, %lld trials each: agent %.4f fast %.4f (5 se %.4f) %s\n",
			       (long long)pairs[i].n, p.horizon * 0.1, (long long)pairs[i].trials, a, f, 5 * se,
			       ok ? "ok" : "DIFFER");
			fail |= !ok;
			fflush(stdout);
		}
	}
	return fail;
}
