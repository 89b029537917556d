/*
 * intervals.c — `validate intervals`: simulate_gossip's 95% intervals over
 * 1000 seeds a case, against the exact chain's truth (mean informed fraction
 * and P(full delivery) after R).
 *
 * Every case is small enough for the exact chain, so the truth is exact; the
 * cases are issue 23's (where the normal interval covered about 90% and
 * Wilson 90.5%) and some of our own: pull, push_pull, a transmit limit, a
 * bimodal one (K = 1 with loss and failures, no trial fully delivered).  For
 * each it reports the coverage of delivery_rate_ci (empirical Bernstein) and
 * full_delivery_rate_ci (Clopper-Pearson), the misses on each side, and for
 * comparison the coverage the intervals they replaced (mean ± 1.96 s/√n,
 * Wilson) would have had on the same runs.  It fails when a new interval
 * covers less than 94.5% of the seeds.
 */
#include <math.h>
#include <stdio.h>

#include "fanout/exact.h"
#include "fanout/sim.h"
#include "validate.h"

#define SEEDS 1000

struct icase {
	const char *name;
	struct gossip_params p;
	int64_t trials;
};

static const struct icase icases[] = {
	/* N, K, R, mode, loss, F, T, X */
	{ "issue: 25/3/5, 1000 trials", { 25, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 }, 1000 },
	{ "issue: 200/2/12 loss .1 T 1", { 200, 2, 12, GOSSIP_PUSH, 0.1, 0, 1, 0 }, 100 },
	{ "issue: 25/3/5, 100 trials", { 25, 3, 5, GOSSIP_PUSH, 0, 0, 0, 0 }, 100 },
	{ "issue: 200/1/10 loss .3 F 20", { 200, 1, 10, GOSSIP_PUSH, 0.3, 20, 0, 0 }, 1000 },
	{ "pull 50/1/6 loss .2", { 50, 1, 6, GOSSIP_PULL, 0.2, 0, 0, 0 }, 30 },
	{ "push_pull 100/1/5 F 10", { 100, 1, 5, GOSSIP_PUSH_PULL, 0, 10, 0, 0 }, 50 },
	{ "push 64/2/6 X 3", { 64, 2, 6, GOSSIP_PUSH, 0, 0, 0, 3 }, 10 },
	{ "push 300/1/12 loss .3 T 2", { 300, 1, 12, GOSSIP_PUSH, 0.3, 0, 2, 0 }, 200 },
	{ "push 40/2/4 loss .2", { 40, 2, 4, GOSSIP_PUSH, 0.2, 0, 0, 0 }, 2 },
};

/* The intervals simulate_gossip gave before issue 23, for comparison. */
static void old_intervals(const struct sim_tally *t, double deliv[2], double full[2])
{
	const double z = 1.959963984540054;
	double n = (double)t->trials, live = (double)t->live, mean = (double)t->informed_sum / (n * live);
	unsigned __int128 sum = t->informed_sum, nsq = (unsigned __int128)t->trials * t->informed_sq_sum;
	double spread = (double)(nsq - sum * sum), var = spread / (n * (n - 1)) / (live * live);
	double ph = (double)t->trials_full / n, d = 1 + z * z / n;
	double c = (ph + z * z / (2 * n)) / d, h = z * sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / d;

	full[0] = fmax(0, c - h);
	full[1] = fmin(1, c + h);
	if (t->trials < 2 || spread == 0) {
		deliv[0] = deliv[1] = mean;
		return;
	}
	deliv[0] = fmax(0, mean - z * sqrt(var / n));
	deliv[1] = fmin(1, mean + z * sqrt(var / n));
}

int validate_intervals(void)
{
	int fail = 0;

	printf("simulate_gossip's 95%% intervals over %d seeds a case, against the exact chain\n\n", SEEDS);
	printf("| case | trials | true delivery | delivery_rate_ci covers (below, above) | before |"
	       " true P(full) | full_delivery_rate_ci covers (below, above) | before |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof icases / sizeof icases[0]; i++) {
		const struct icase *c = &icases[i];
		struct chain_result e;
		double deliv, pfull;
		int d_lo = 0, d_hi = 0, f_lo = 0, f_hi = 0, od = 0, of = 0;

		if (exact_run(&c->p, NULL, &e) != FO_OK) {
			printf("| %s | exact failed |\n", c->name);
			fail = 1;
			continue;
		}
		deliv = e.mean_informed[c->p.rounds] / (double)gossip_live(&c->p);
		pfull = e.p_full[c->p.rounds];
		chain_result_release(&e);
		for (uint64_t seed = 1; seed <= SEEDS; seed++) {
			struct sim_tally t;
			struct sim_summary s;
			double ob[2], of2[2];
			if (sim_tally_init(&t, &c->p, 0) != FO_OK ||
			    sim_fast_run(&c->p, seed, 0, c->trials, 2, NULL, &t) != FO_OK)
				return 1;
			sim_summarize(&t, &s);
			old_intervals(&t, ob, of2);
			d_lo += s.delivery_ci[1] < deliv; /* truth below the interval */
			d_hi += s.delivery_ci[0] > deliv;
			f_lo += s.full_ci[1] < pfull;
			f_hi += s.full_ci[0] > pfull;
			od += ob[0] <= deliv && deliv <= ob[1];
			of += of2[0] <= pfull && pfull <= of2[1];
			sim_tally_release(&t);
		}
		printf("| %s | %lld | %.7f | %.1f%% (%d, %d) | %.1f%% | %.3g | %.1f%% (%d, %d) | %.1f%% |\n", c->name,
		       (long long)c->trials, deliv, 100.0 * (SEEDS - d_lo - d_hi) / SEEDS, d_lo, d_hi,
		       100.0 * od / SEEDS, pfull, 100.0 * (SEEDS - f_lo - f_hi) / SEEDS, f_lo, f_hi,
		       100.0 * of / SEEDS);
		fflush(stdout);
		fail = fail || SEEDS - d_lo - d_hi < 0.945 * SEEDS || SEEDS - f_lo - f_hi < 0.945 * SEEDS;
	}
	printf("\n%s\n", fail ? "FAILED" : "ok");
	return fail;
}
