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
 * exact chain while its estimate is within FO_EXACT_AUTO_LIMIT and the
 * large-N method (largen.h) beyond; never the mean field.
 */
enum calc_model {
	CALC_AUTO, CALC_EXACT, CALC_MEAN_FIELD, CALC_FORMULA, CALC_LARGE_N, CALC_MODEL_COUNT
};

/*
 * A K reaches the target when the lower end of its interval does (for
 * targets of 1/2 and more: when the upper end of the miss interval is at most
 * 1 - target).  Exact's interval is its error bound (dropped mass plus a
 * rounding margin) either side; the large-N method's is its own; the mean
 * field and the formula give a point.
 */
struct calc_answer {
	int reachable;          /* some K in 1..N-1 reaches the target */
	int64_t fanout;         /* least such K; when unreachable, the best K */
	enum calc_model model;  /* what answered at `fanout` (auto: exact or large_n) */
	double delivery_prob;   /* the compared probability at `fanout` */
	double delivery_prob_lo, delivery_prob_hi; /* an interval that covers its true value */
	double miss_prob;       /* its complement, summed from the non-full mass */
	double node_miss_prob;  /* P(a given live non-origin node missed) at `fanout` */
	double error_bound;     /* exact: dropped mass; large_n: half the interval's width */
	int fanout_uncertain;   /* K - 1's interval reaches the target too: it might suffice */
	int64_t evaluations;    /* values of K computed */
};

/*
 * Finds the least K for target in (0, 1); p->fanout is ignored.  Before each
 * value of K it adds that evaluation's estimated cost to the work done, and
 * stops with FO_TOO_LARGE if that would pass work_limit.  Returns FO_OK and
 * fills *out, or the status of the failing calculator (FO_TOO_LARGE,
 * FO_NOMEM, FO_CANCELLED) with *out unspecified.
 */
enum fo_status calc_fanout(const struct gossip_params *p, enum calc_model model, double target,
			   double work_limit, const atomic_int *cancel, struct calc_answer *out);

/*
 * Estimated work units of calc_fanout.  The exact chain's cost depends on the
 * K it ends at, which is predicted with the mean field.
 */
double calc_cost(const struct gossip_params *p, enum calc_model model, double target);

/* The model's API name, for m < CALC_MODEL_COUNT. */
const char *calc_model_name(enum calc_model m);
/* 0 and *out set when name is a model, -1 otherwise. */
int calc_model_parse(const char *name, enum calc_model *out);

#endif
