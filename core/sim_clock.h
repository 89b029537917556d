/*
 * sim_clock.h — the fast simulator's independent-timers half (sim_clock.c),
 * for sim_fast.c.  Internal to core/.
 */
#ifndef FANOUT_SIM_CLOCK_H
#define FANOUT_SIM_CLOCK_H

#include "fanout/sim.h"

/*
 * Runs trials first_trial … first_trial + trials - 1 of p (independent
 * timers) on this thread and adds them to *t.  FO_OK, FO_NOMEM, or
 * FO_CANCELLED (checked between trials; *t then holds the trials finished).
 */
enum fo_status sim_clock_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial,
			     int64_t trials, const atomic_int *cancel, struct sim_tally *t);

/* For tests: n Exponential(1) draws of the phases' sampler, from stream (seed, 0). */
void sim_clock_exponentials(uint64_t seed, int64_t n, double *out);

#endif
