/* SPDX-License-Identifier: MIT */
/*
 * solve.h — the knobs an operator has besides the fanout: the least
 * transmit limit X at a given K, and the least rounds R at a given K (which
 * gives the longest gossip interval that still meets a time budget: with a
 * budget of W seconds and R rounds needed, every interval up to W / R does).
 *
 * P(full delivery by r) never falls as r grows (nobody forgets).  In X it
 * is expected to rise too, though no proof covers it: as with K under a push
 * window (gossip_fanout_monotone), a node informed earlier also stops
 * earlier.  Both are searched as calc_fanout searches a monotone K:
 * galloping up from 1, then bisection, each value evaluated by calc_at, and
 * a value counts only when its interval's lower end meets the target.  The
 * answer always meets the target and the value below it does not (it was
 * evaluated), so it is never optimistic; in X it is the least wherever X is
 * monotone.  When the value below may still meet the target (its interval
 * straddles it), the answer says so.
 *
 * Under independent timers the rounds are a horizon in intervals within a
 * budget of seconds that stays (the longest interval is the budget over
 * it): searched in quarter intervals (whole ones for exact, whose bound
 * counts whole intervals), and since the probe and sync periods are fixed
 * in seconds they count fewer intervals as the horizon shrinks.  Faster
 * gossip within the same seconds is expected to deliver no later, though,
 * as for X, no proof covers every case (a probe under a transmit limit
 * spends a send).
 */
#ifndef FANOUT_SOLVE_H
#define FANOUT_SOLVE_H

#include "fanout/calc.h"
#include "fanout/model.h"

struct solve_answer {
	int reachable;          /* some value up to `top` meets the target */
	int64_t value;          /* the least value that surely does; when unreachable, `top` */
	int64_t top;            /* the largest value searched (past it nothing changes, or the cap) */
	double unit;            /* intervals a value of the rounds' search counts: 1, or 1 / SOLVE_QUARTERS */
	int value_uncertain;    /* value - 1's interval reaches the target too: it might suffice */
	struct calc_answer at;  /* calc_at at `value` (at.fanout is the K searched at) */
	int64_t evaluations;
};

/*
 * The least transmit_limit X at K = p->fanout (p->transmit_limit and
 * p->forward_rounds are ignored): X runs from 1 to K R, past which the
 * limit never binds within R rounds.  FO_OK and *out, or the status of
 * the failing calculator (FO_TOO_LARGE past work_limit, FO_NOMEM,
 * FO_CANCELLED).
 */
enum fo_status solve_transmit_limit(const struct gossip_params *p, enum calc_model model, double target,
				    double work_limit, int threads, const atomic_int *cancel,
				    struct solve_answer *out);

/* Independent timers: the rounds' search steps by a quarter interval. */
#define SOLVE_QUARTERS 4

/*
 * The least rounds R from 1 to max_rounds at K = p->fanout (p->rounds is
 * ignored); as above.  Under independent timers the least horizon, value
 * times out->unit intervals, up to max_rounds, with p's probe_interval and
 * sync_interval those at a horizon of max_rounds (p->horizon is ignored).
 */
enum fo_status solve_rounds(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			    double target, double work_limit, int threads, const atomic_int *cancel,
			    struct solve_answer *out);

/*
 * Estimated work units of the two searches: every step at the dearest
 * value's cost, an upper end that under independent timers runs far above
 * the work (each value a simulation or large_n, most decided at the first
 * look).  *first (NULL: not wanted) is the first value's alone.  A search
 * charges each value against work_limit before it runs it and stops there
 * (FO_TOO_LARGE), so a caller may let one in whose first value fits.
 */
double solve_transmit_limit_cost(const struct gossip_params *p, enum calc_model model, double target,
				 int threads, double *first);
double solve_rounds_cost(const struct gossip_params *p, int64_t max_rounds, enum calc_model model,
			 double target, int threads, double *first);

/*
 * The longest interval (seconds) whose rounds within `budget` seconds,
 * floor(budget / interval), are at least `horizon` (whole rounds), or under
 * independent timers whose horizon budget / interval is at least `horizon`
 * intervals: the largest such double, budget / horizon within an ulp or two.
 */
double solve_longest_interval(double budget, double horizon);

#endif
