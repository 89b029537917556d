/*
 * split.c — `validate split`: where large_n's 1 - P(full) comes from under
 * independent timers, with the memberlist presets (issue 19, target 0.9999).
 *
 * For each preset at N = 10^3, 10^5, 10^6, K = the preset's and one less,
 * loss 0 and 0.2, horizon 20 intervals, it draws all FO_LT_MAX_SAMPLES
 * samples and prints P with its interval, the samples the early phase ended
 * short of full delivery (largen_timers_info.ended: what a two-stage
 * splitting estimator's first stage would count) beside the rest of 1 - P
 * (the late phase's values), the CPU time a sample, and how many samples a
 * KL bound needs, with no miss at all, to show 0.9999 at large_n's
 * confidence per look: log(1 / delta) / 10^-4.  No assertion: a table for
 * docs/VALIDATION.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fanout/config.h"
#include "fanout/largen_timers.h"
#include "fanout/preset.h"
#include "validate.h"

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int validate_split(void)
{
	static const char *const presets[] = { "memberlist-lan", "memberlist-wan", "memberlist-local" };
	static const int64_t sizes[] = { 1000, 100000, 1000000 };
	int looks = 0;
	double delta, need;

	for (int64_t s = FO_LT_FIRST_SAMPLES; s <= FO_LT_MAX_SAMPLES; s *= 2)
		looks++;
	/* largen_timers.c's look_delta(): FO_CALC_SIM_CONFIDENCE over both sides and every look. */
	delta = (1 - FO_CALC_SIM_CONFIDENCE) / 2 / looks;
	need = log(1 / delta) / 1e-4;
	printf("large_n under independent timers, memberlist presets, H = 20 intervals, %d samples each\n",
	       FO_LT_MAX_SAMPLES);
	printf("samples a KL bound needs to show 0.9999 with no miss at all: %.0f (delta %.3g a side and look)\n\n",
	       need, delta);
	printf("| preset | N | K | loss | P [lo, hi] | ended early | 1 - P from the late phase | CPU ms a sample | CPU s for %.0f samples |\n",
	       need);
	printf("|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		const struct gossip_preset *g = gossip_preset_find(presets[i]);
		for (size_t j = 0; g && j < sizeof sizes / sizeof sizes[0]; j++)
			for (int64_t k = g->fanout - 1; k <= g->fanout; k++)
				for (int li = 0; li < 2; li++) {
					struct gossip_params p;
					struct largen_result l;
					struct largen_timers_info info;
					double t0, cpu;

					memset(&p, 0, sizeof p);
					p.nodes = sizes[j];
					p.fanout = k;
					p.rounds = 20;
					p.horizon = 20;
					p.mode = g->mode;
					p.loss = li ? 0.2 : 0;
					p.transmit_limit = gossip_preset_transmit_limit(g, sizes[j]);
					p.timers = GOSSIP_TIMERS_INDEPENDENT;
					p.probe_interval = g->probe_interval / g->interval;
					t0 = cpu_now();
					if (largen_timers_run(&p, 0, HUGE_VAL, NULL, &l, &info, NULL) != FO_OK) {
						printf("| %s | %lld | %lld | %g | failed | | | | |\n", presets[i],
						       (long long)p.nodes, (long long)k, p.loss);
						continue;
					}
					cpu = (cpu_now() - t0) / (double)info.samples;
					printf("| %s | %lld | %lld | %g | %.6f [%.6f, %.6f] | %lld | %.2e | %.3f | %.1f |\n",
					       presets[i], (long long)p.nodes, (long long)k, p.loss, l.p_full, l.p_lo, l.p_hi,
					       (long long)info.ended,
					       fmax(0, 1 - l.p_full - (double)info.ended / (double)info.samples), 1e3 * cpu,
					       need * cpu);
					fflush(stdout);
				}
	}
	return 0;
}
