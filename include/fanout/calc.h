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
 * The ways to answer.  CALC_AUTO is what a client may ask for: the request
 * layer resolves it to one of the others before calling calc_fanout.
 */
enum calc_model { CALC_AUTO, CALC_EXACT, CALC_MEAN_FIELD, CALC_FORMULA, CALC_MODEL_COUNT };

struct calc_answer {
	int reachable;          /* some K in 1..N-1 reaches the target */
	int64_t fanout;         /* least such K; when unreachable, the best K */
	double delivery_prob;   /* the compared probability at `fanout` */
	double miss_prob;       /* 1 - delivery_prob */
	double node_miss_prob;  /* P(a given live non-origin node missed) at `fanout` */
	double error_bound;     /* exact: probability discarded, 0 otherwise */
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
