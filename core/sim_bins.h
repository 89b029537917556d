/*
 * sim_bins.h — the counts-based sampler under independent timers for plain
 * push (sim_bins.c), for sim_clock.c.  Internal to core/.
 */
#ifndef FANOUT_SIM_BINS_H
#define FANOUT_SIM_BINS_H

#include "fanout/sim.h"

/*
 * Phase bins per gossip interval: a power of two from BINS_S_MIN (a
 * multiple of SIM_BINS_PER_INTERVAL) to BINS_S_MAX, growing with the run
 * (sim_bins_s); BINS_S, the grid horizons must lie on; and the largest K
 * covered.
 */
#define BINS_S_MIN 8
#define BINS_S 32
#define BINS_S_MAX 128
#define BINS_MAX_K 8

/* Non-zero when sim_bins_run samples p (see sim_bins.c for the cases). */
int sim_bins_covers(const struct gossip_params *p);

/* The phase bins a run of p (which sim_bins_covers) uses. */
int sim_bins_s(const struct gossip_params *p);

/* Steps of one trial, for sim_fast_cost (as sim_clock_steps for sim_clock.c's sampler). */
double sim_bins_steps(const struct gossip_params *p);

/* As sim_clock_run, for a p that sim_bins_covers. */
enum fo_status sim_bins_run(const struct gossip_params *p, uint64_t seed, uint64_t first_trial, int64_t trials,
			    const atomic_int *cancel, struct sim_tally *t);

/*
 * One trial alone, as sim_fast_timed: when[] gets the nodes informed in
 * each slot at just after the slot's start (the slot is all the sampler
 * knows of them), and the last one, under full delivery, at its time.
 */
enum fo_status sim_bins_timed(const struct gossip_params *p, uint64_t seed, uint64_t trial, double *when,
			      struct sim_timed *out);

/*
 * For tests: which way a slot reaches U_out (auto: by cost; bulk: whenever
 * safe; individual: always), and s phase bins (a power of two from
 * BINS_S_MIN to BINS_S_MAX with H on the grid of 1/s; 0: sim_bins_s's).
 */
enum sim_bins_mode { SIM_BINS_AUTO = 0, SIM_BINS_BULK, SIM_BINS_INDIVIDUAL };

enum fo_status sim_bins_timed_as(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				 enum sim_bins_mode mode, int s, double *when, struct sim_timed *out);

/*
 * For tests: slot 0 alone, with `anon` anonymous senders in bin 0 and m
 * uninformed; *in_new gets the nodes of bin 0's U_in informed in it,
 * *new_n all informed in it, *ticks the ticks before the horizon of the
 * nodes informed in it.
 */
enum fo_status sim_bins_slot_as(const struct gossip_params *p, uint64_t seed, uint64_t trial,
				enum sim_bins_mode mode, int s, int64_t anon, int64_t m, int64_t *in_new,
				int64_t *new_n, uint64_t *ticks);

/*
 * For tests: d nodes informed in slot 0 (bin b) of a run of p with s phase
 * bins, placed and then told apart down to every bin; count[x] gets bin
 * x's (s entries).
 */
enum fo_status sim_bins_place_as(const struct gossip_params *p, uint64_t seed, uint64_t trial, int s, int64_t b,
				 int64_t d, int64_t *count);

#endif
