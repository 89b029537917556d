/*
 * largen_timers.h — P(full delivery by H) under independent timers at any N,
 * with an interval.
 *
 * Under independent timers (MODEL.md, "Independent timers") no chain over a
 * few counts describes the state: each informed node has its own gossip and
 * probe phase and its own sends left.  This method is a hybrid of sampling
 * and a deterministic late phase, on time cut into S = FO_LT_SLOTS slots per
 * interval Δ (every phase rounded to its slot):
 *
 *   1. Early phase, sampled: the informed nodes one by one (gossip slot,
 *      probe slot, sends left), each gossip tick's K distinct peers drawn
 *      among informed, uninformed live and failed nodes, each probe's peer,
 *      ping and ack; the uninformed counted by gossip slot and by probe slot
 *      (those whose tick passed in vain stay, so the next classes hold more
 *      of them), their pulls and pings binomial per class.  It runs until
 *      M = FO_LT_THRESHOLD nodes are
 *      informed, or to the horizon (then the sample is exact in the slot
 *      model: full or not).
 *   2. Late phase, deterministic: from the sampled state, the informed mass
 *      by (gossip slot, sends left) evolves by its mean; an uninformed live
 *      node's miss probability q is the product over slots of its chances to
 *      escape every sender, every ping, its own pulls and its own probes
 *      (exact per node given the senders), and the U uninformed are taken as
 *      independent: P(full | sample) = (1 - q)^U.
 *   3. The estimate is the mean over samples.  The interval: a Chernoff (KL)
 *      bound on the mean of a [0, 1] variable at FO_CALC_SIM_CONFIDENCE
 *      (split over the looks below), widened by FO_LT_SAFETY times the gap to
 *      the same samples switched at M / FO_LARGEN_CHECK_RATIO (what the
 *      deterministic late phase cannot see), a share FO_LT_REL of
 *      min(P, miss) (the slots' gap to continuous time, measured in
 *      tests/validate and docs/VALIDATION.md) and FO_LARGEN_ABS_FLOOR.
 *
 * Samples are drawn in looks of 128, 256, … up to FO_LT_MAX_SAMPLES; with a
 * target, sampling stops at the first look whose interval decides it (the
 * lower end of P reaches the target, or the upper end falls short).  The
 * seed is a hash of the parameters but the horizon: the same request gets the
 * same answer, and runs at every horizon draw the same paths.
 * Cost depends on M, K, X, S and the horizon, not on N.
 *
 * Anti-entropy (sync_interval) is not sampled: with it, every function here
 * computes gossip alone (same seed, same paths) and reports an interval
 * whose upper end is 1 (miss_lo 0); a verdict "missed" becomes "neither".
 * Syncs only add deliveries: under a coupling of each node's sends by
 * their index after it learnt (and of probes by their tick), a node
 * informed earlier sends earlier to the same peers, so with syncs every
 * node is informed no later than without them, and gossip alone's lower end
 * bounds P(full by t) with syncs from below.  Loss (coupled by send),
 * failures, failed_known and pulls (by tick: a peer informed earlier answers
 * earlier) keep it.  The coupling is a proof without probes, or with probes
 * and neither a transmit limit nor forward_rounds.  With probes and a
 * budget (the memberlist and serf presets) it is not: a node informed
 * earlier may spend a send on an ack it would otherwise have spent on a
 * later gossip tick, and under forward_rounds its window for carrying pings
 * and acks closes earlier; there the bound is checked against the
 * simulation (unit suite sync, docs/VALIDATION.md), not proved.
 */
#ifndef FANOUT_LARGEN_TIMERS_H
#define FANOUT_LARGEN_TIMERS_H

#include "fanout/largen.h"
#include "fanout/model.h"

struct largen_timers_info {
	int64_t samples;        /* early-phase paths drawn */
	double gap;             /* mean over checked samples of miss at M - miss at M / FO_LARGEN_CHECK_RATIO */
	double work;            /* work units charged: samples drawn times largen_timers_sample_cost */
	/*
	 * largen_timers_run only (0 elsewhere): samples the early phase ended
	 * short of full delivery (it died out, or the horizon came before M),
	 * each exactly 0; the rest of 1 - P comes from the late phase's values.
	 */
	int64_t ended;
};

/*
 * Fills *out (and *info, may be NULL) for fanout p->fanout under independent
 * timers, up to the horizon gossip_horizon(p).  With a target in (0, 1) the
 * sampling stops at the first look that decides it, or that shows that even
 * FO_LT_MAX_SAMPLES would not (the interval then straddles the target); 0
 * draws FO_LT_MAX_SAMPLES.  Before each look it charges that look's samples
 * and stops with FO_TOO_LARGE (out zeroed) if the total would pass max_work.
 * curve (NULL: none) receives floor(H) + 1 entries: curve[r] = the estimated
 * P(full by r intervals), points without an interval (sampling then runs to
 * FO_LT_MAX_SAMPLES).  Returns FO_OK, FO_NOMEM, FO_CANCELLED, or FO_TOO_LARGE
 * also when the parameters are outside what it follows
 * (largen_timers_sample_cost is HUGE_VAL).
 */
enum fo_status largen_timers_run(const struct gossip_params *p, double target, double max_work,
				 const atomic_int *cancel, struct largen_result *out,
				 struct largen_timers_info *info, double *curve);

/*
 * largen_timers_run with this target at every whole horizon r = 0 … floor(H)
 * at once, from one run to H (tradeoff's rows): each sample's miss and full
 * at every whole Δ are what a run with horizon r draws (the seed does not
 * depend on the horizon, and the late phase's value at r not on what
 * follows it), summed in the same order, and at each look every r still open
 * gets the interval largen_timers_run would form and stops where it would
 * stop.  verdict[r]: 1 the interval shows the target met, -1 missed, 0
 * neither (it stopped straddling), and rows[r] its figures (node_miss NAN);
 * so rows[r] and verdict[r] are what largen_timers_run(p at horizon r,
 * target) answers, up to the late phase's stop (LT_SETTLED, 1e-15).
 * Sampling stops once every r up to the least whose verdict is 1 is
 * settled, or after the first look when no verdict can be 1 (even
 * FO_LT_MAX_SAMPLES with no miss could not show the target); entries past
 * it may stay open (verdict 2, figures of a former
 * look or zeros; the last, r = floor(H), has the figures of the last look
 * that ran to it, even when open: once some r meets the target, later
 * samples stop at that r, their values up to it unchanged).  Both arrays hold floor(H) + 1 entries.  Samples are
 * charged look by look at largen_timers_rows_sample_cost(p, target) (once
 * some r meets the target, at that cost for samples stopping at r) against
 * max_work, as largen_timers_run does; returns as it does.
 */
enum fo_status largen_timers_rows(const struct gossip_params *p, double target, double max_work,
				  const atomic_int *cancel, struct largen_result *rows, signed char *verdict,
				  struct largen_timers_info *info);

/*
 * The curve over time: P(full delivery by t) with its interval at the
 * simulation's points, t = sim_edge(p, b) for b = 0 … sim_steps(p) (every
 * Δ/4, the last at the horizon), and the mean informed live nodes there
 * (informed[b], a point estimate).  It draws the first `samples` of the
 * paths largen_timers_run draws (same seed); each point's interval is formed
 * as largen_timers_run forms the horizon's (KL bound at the same per-look
 * confidence, the check's gap at that point, FO_LT_REL, the floor), so it
 * holds point by point, not jointly.  pts and informed hold sim_steps(p) + 1
 * entries (node_miss NAN).  FO_TOO_LARGE (nothing filled) when the method
 * refuses p or samples < 1; FO_NOMEM, FO_CANCELLED otherwise.
 */
enum fo_status largen_timers_curve(const struct gossip_params *p, int64_t samples, const atomic_int *cancel,
				   struct largen_result *pts, double *informed, struct largen_timers_info *info);

/*
 * The most samples FO_LT_FIRST_SAMPLES * 2^j <= FO_LT_MAX_SAMPLES whose work
 * (each largen_timers_sample_cost) fits in max_work; 0 when not even
 * FO_LT_FIRST_SAMPLES do, or the method refuses p.
 */
int64_t largen_timers_curve_samples(const struct gossip_params *p, double max_work);

/* Work units of one sample; HUGE_VAL when the method refuses p (horizon or budget too long). */
double largen_timers_sample_cost(const struct gossip_params *p);

/*
 * Work units of one sample of largen_timers_rows for this target (it stops
 * when its late phase settles, or at the least r shown to meet the target,
 * however far the horizon), and of the whole run.
 */
double largen_timers_rows_sample_cost(const struct gossip_params *p, double target);
double largen_timers_rows_cost(const struct gossip_params *p, double target);

/*
 * Work units of largen_timers_rows for a target >= 0.5 where P(full) is
 * about p_full < target at every r (no r meets it, as under a transmit
 * limit's ceiling): it stops at the first look whose interval falls short of
 * the target, each sample running to where its late phase settles.  Else
 * (or when no look would decide it) largen_timers_rows_cost.
 */
double largen_timers_rows_cost_below(const struct gossip_params *p, double target, double p_full);

/*
 * The least K in 1 … top whose informed, growing by 1 + (1 - loss)(K + 1 /
 * probe interval) per Δ from one node, reach every live node within the
 * horizon (the growth largen_timers_rows_cost's horizon takes); 0 when none.
 * A planning guess, on the slow side: independent timers with probes grow
 * faster than aligned rounds, which the mean field predicts.
 */
int64_t largen_timers_rows_least_fanout(const struct gossip_params *p, int64_t top);

/* Could FO_LT_MAX_SAMPLES with no miss at all show the target?  (Else no r of largen_timers_rows meets it.) */
int largen_timers_can_show(double target);

/* Work units of largen_timers_run with its most samples. */
double largen_timers_cost(const struct gossip_params *p);

/* Work units with twice the samples that could show the target (what a search charges a K). */
double largen_timers_cost_target(const struct gossip_params *p, double target);

#endif
