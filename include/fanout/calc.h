/* SPDX-License-Identifier: MIT */
/*
 * calc.h — calc_fanout: the least fanout K that reaches a target probability.
 *
 * For exact and mean_field the probability compared with the target is
 * P(full delivery by round R); for formula it is the seed's per-node
 * 1 - P(miss).  Where that probability is non-decreasing in K (always for the
 * formula; for the chains whenever there is no push window, see
 * gossip_fanout_monotone) the search doubles K until the target is reached and
 * then bisects; otherwise it tries K = 1, 2, … in turn.  N = 1 needs no fanout.
 */
#ifndef FANOUT_CALC_H
#define FANOUT_CALC_H

#include "fanout/model.h"

/*
 * The ways to answer.  CALC_AUTO takes, for each K the search tries, the
 * exact chain while its estimate is within FO_EXACT_AUTO_LIMIT, the large-N
 * method (largen.h) beyond where it can go, and elsewhere (a transmit limit's
 * partial last round or a window wider than FO_LARGEN_TUPLE_WINDOW at fewer
 * than FO_LARGEN_LIMIT_MIN_LIVE live nodes, or where such a large_n run
 * outgrows its estimate) the fast simulator with a Clopper-Pearson interval
 * (CALC_SIMULATION); never the mean field.
 *
 * CALC_SIMULATION runs calc_sim_trials(q) trials of sim_fast_run for each K
 * from the seed calc_sim_seed(q), both functions of the parameters alone, so
 * the same request gets the same answer.
 */
enum calc_model {
	CALC_AUTO, CALC_EXACT, CALC_MEAN_FIELD, CALC_FORMULA, CALC_LARGE_N, CALC_SIMULATION,
	CALC_MODEL_COUNT
};

/*
 * A K reaches the target when the lower end of its interval does (for
 * targets of 1/2 and more: when the upper end of the miss interval is at most
 * 1 - target).  Exact's interval is its error bound (dropped mass plus a
 * rounding margin) either side; the large-N method's is its own; the
 * simulation's is Clopper-Pearson at FO_CALC_SIM_CONFIDENCE; the mean field
 * and the formula give a point.
 */
struct calc_answer {
	int reachable;          /* some K in 1..N-1 reaches the target */
	int64_t fanout;         /* least such K; when unreachable, the best K */
	enum calc_model model;  /* what answered at `fanout` (auto: exact, large_n or simulation) */
	double delivery_prob;   /* the compared probability at `fanout` */
	double delivery_prob_lo, delivery_prob_hi; /* an interval that covers its true value */
	double miss_prob;       /* its complement, summed from the non-full mass */
	double node_miss_prob;  /* P(a given live non-origin node missed) at `fanout` */
	double error_bound;     /* exact: dropped mass; large_n, simulation: the interval's larger side */
	int fanout_uncertain;   /* K - 1's interval reaches the target too: it might suffice */
	/*
	 * The least K whose interval's upper end reaches the target: no K below
	 * it can (as far as the intervals tell); `fanout` when K - 1 cannot, 0
	 * when no K's interval reaches the target.
	 */
	int64_t fanout_possible;
	int64_t evaluations;    /* values of K computed */
	int64_t evaluations_beside; /* of them, computed on a second thread beside another (exact, threads >= 2) */
	double work;            /* work units the search charged (its estimates, as it went) */
	int64_t sim_trials;     /* simulation: trials run at `fanout` (0 otherwise) */
	int64_t sim_trials_total; /* every trial simulated, over every K tried */
	uint64_t sim_seed;      /* simulation: their seed */
	int sim_unresolved;     /* on FO_TOO_LARGE: the simulation's trials cannot show the target */
	int may_reach;          /* calc_at: the interval's upper end meets the target */
};

/*
 * Finds the least K for target in (0, 1); p->fanout is ignored.  Before each
 * value of K it adds that evaluation's estimated cost to the work done, and
 * stops with FO_TOO_LARGE if that would pass work_limit.  Returns FO_OK and
 * fills *out, or the status of the failing calculator (FO_TOO_LARGE,
 * FO_NOMEM, FO_CANCELLED) with *out unspecified.  With sync_interval,
 * large_n's figures are gossip alone's lower bound (largen_timers.h); when
 * under auto they reach the target at no K, the search is run again by the
 * simulation within what the budget leaves (its answer, or its status).
 */
enum fo_status calc_fanout(const struct gossip_params *p, enum calc_model model, double target,
			   double work_limit, const atomic_int *cancel, struct calc_answer *out);

/*
 * calc_fanout with simulations on `threads` threads (>= 1); their work is
 * charged as one-thread work / threads (wall time).  calc_fanout is this
 * with one thread.
 */
enum fo_status calc_fanout_mt(const struct gossip_params *p, enum calc_model model, double target,
			      double work_limit, int threads, const atomic_int *cancel,
			      struct calc_answer *out);

/*
 * One K alone, p->fanout, as the search evaluates it (auto picks the
 * calculator for it): *out as calc_fanout fills it for that K, reachable
 * when the interval's lower end meets the target and may_reach when its
 * upper end does.  The evaluation's estimated cost is added to *work first,
 * and FO_TOO_LARGE returned if that passes work_limit.  What searches over
 * other knobs (solve.h) build on.
 */
enum fo_status calc_at(const struct gossip_params *p, enum calc_model model, double target,
		       double *work, double work_limit, int threads, const atomic_int *cancel,
		       struct calc_answer *out);

/* Estimated work units of calc_at for p->fanout. */
double calc_at_cost(const struct gossip_params *p, enum calc_model model, double target, int threads);

/*
 * Estimated work units of calc_fanout.  The exact chain's cost depends on the
 * K it ends at, which is predicted with the mean field.  calc_cost_mt: of
 * calc_fanout_mt with `threads`.
 */
double calc_cost(const struct gossip_params *p, enum calc_model model, double target);
double calc_cost_mt(const struct gossip_params *p, enum calc_model model, double target, int threads);

/*
 * The simulation of one K (q->fanout) for `target`: its trials, those
 * FO_CALC_SIM_EVAL_WORK pays for, or FO_CALC_SIM_RESOLVE_FACTOR times those
 * that could show the target if more, FO_CALC_SIM_MAX_TRIALS at most (the
 * work budget then decides); its seed, a hash of every parameter (below
 * 2^53, so JSON carries it exactly).  Both depend on the parameters alone.
 */
int64_t calc_sim_trials(const struct gossip_params *q, double target);
uint64_t calc_sim_seed(const struct gossip_params *q);

/* Can n trials show P >= target at all (with no miss, the interval's lower end reaches it)? */
int calc_sim_resolves(int64_t n, double target);

/*
 * The Clopper-Pearson interval (FO_CALC_SIM_CONFIDENCE) from `full` of n
 * trials: P(full) in p[0..1], its complement (from the misses, not 1 - P) in
 * miss[0..1].
 */
void calc_sim_interval(int64_t full, int64_t n, double p[2], double miss[2]);

/* The model's API name, for m < CALC_MODEL_COUNT. */
const char *calc_model_name(enum calc_model m);
/* 0 and *out set when name is a model, -1 otherwise. */
int calc_model_parse(const char *name, enum calc_model *out);

#endif
