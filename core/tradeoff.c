/* SPDX-License-Identifier: MIT */
/*
 * tradeoff.c — see tradeoff.h.  Rows are found K = 1, 2, … (no monotonicity
 * in K is assumed, so the least K that reaches the target is the first one
 * met), each from one chain run at R = max_rounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "fanout/broadcast.h"
#include "fanout/exact.h"
#include "fanout/grow.h"
#include "fanout/largen.h"
#include "fanout/largen_timers.h"
#include "fanout/meanfield.h"
#include "fanout/sim.h"
#include "fanout/tradeoff.h"

void tradeoff_release(struct tradeoff *t)
{
	free(t->rows);
	t->rows = NULL;
	t->count = 0;
}

/* Under independent timers, p with its horizon cut to its last whole interval (at least 1): rows count whole ones. */
static struct gossip_params timers_whole(const struct gossip_params *p)
{
	struct gossip_params q = *p;
	int64_t whole = (int64_t)floor(gossip_horizon(p) + 1e-9);

	q.rounds = whole < 1 ? 1 : whole;
	q.horizon = (double)q.rounds;
	return q;
}

/* large_n runs at a row's own R that its estimate counts on (the first usually confirms it). */
#define TRADEOFF_LARGEN_CONFIRMS 2

static double run_cost(const struct gossip_params *p, enum calc_model model, double target, int64_t k,
		       int threads)
{
	struct gossip_params q = *p;

	q.fanout = k;
	switch (model) {
	case CALC_SIMULATION:
		/* Independent timers: a second, shorter run for the row's messages (sim_row). */
		return (p->timers == GOSSIP_TIMERS_ALIGNED ? 1 : 2) *
		       sim_fast_cost(&q, calc_sim_trials(&q, target)) / threads;
	case CALC_EXACT:
		return exact_cost(&q);
	case CALC_LARGE_N:
		/*
		 * Under independent timers one run to the last whole interval gives
		 * every r (timers_row); else the curve to max_rounds, and about two
		 * runs at the rows' own R to confirm them.
		 */
		if (q.timers == GOSSIP_TIMERS_INDEPENDENT) {
			/* K by K on the threads, side by side (timers_batch): wall time. */
			q = timers_whole(&q);
			return largen_timers_rows_cost(&q, target) / threads;
		}
		return (1 + TRADEOFF_LARGEN_CONFIRMS) * largen_cost(&q);
	case CALC_MEAN_FIELD:
		return mf_cost(&q);
	case CALC_AUTO:
	case CALC_FORMULA:
	case CALC_MODEL_COUNT:
		break;
	}
	return HUGE_VAL;
}

/* Does P(full) with interval [lo, hi] and miss interval [mlo, mhi] surely meet the target? */
static int sure(double target, const double p[2], const double miss[2])
{
	return target >= 0.5 ? miss[1] <= 1 - target : p[0] >= target;
}

/* Does a point P(full), with its miss summed apart, meet the target? */
static int point_meets(double target, double p, double miss)
{
	return target >= 0.5 ? miss <= 1 - target : p >= target;
}

/*
 * Independent timers: the mean messages of a broadcast observed up to
 * `edge` intervals, from trials of their own (same seed) at that horizon.
 */
static enum fo_status timed_messages(const struct gossip_params *q, double edge, int64_t trials,
				     uint64_t seed, int threads, const atomic_int *cancel,
				     double *messages)
{
	struct gossip_params at = *q;
	struct sim_tally t;
	enum fo_status st;

	*messages = 0;
	if (edge <= 0)
		return FO_OK; /* L = 1: nothing is sent */
	at.horizon = edge;
	if ((st = sim_tally_init(&t, &at, 0)) != FO_OK)
		return st;
	if ((st = sim_fast_run(&at, seed, 0, trials, threads, cancel, &t)) == FO_OK)
		*messages = (double)t.messages_sum / (double)t.trials;
	sim_tally_release(&t);
	return st;
}

/*
 * One row from one simulation at K = k: trials full by step r are
 * full_by_round[r].  Under independent timers the steps are quarter-interval
 * bins (sim.h): the row's rounds is the least bin edge b, its time
 * sim_edge(b) intervals.
 */
static enum fo_status sim_row(const struct gossip_params *p, double target, int64_t k, int threads,
			      const atomic_int *cancel, struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct sim_tally t;
	enum fo_status st;
	int timed = p->timers != GOSSIP_TIMERS_ALIGNED;
	int64_t steps = sim_steps(p);
	double *m;

	q.fanout = k;
	row->fanout = k;
	row->model = CALC_SIMULATION;
	row->rounds = -1;
	row->messages = NAN;
	row->trials = calc_sim_trials(&q, target);
	row->seed = calc_sim_seed(&q);
	if ((st = sim_tally_init(&t, &q, 1)) != FO_OK)
		return st;
	if (!(m = malloc((size_t)(steps + 1) * sizeof *m))) {
		sim_tally_release(&t);
		return FO_NOMEM;
	}
	if ((st = sim_fast_run(&q, row->seed, 0, row->trials, threads, cancel, &t)) == FO_OK) {
		double n = (double)t.trials, pi[2], miss[2];
		for (int64_t r = 0; r <= steps; r++)
			m[r] = (double)t.informed_by_round[r] / n;
		calc_sim_interval(t.full_by_round[steps], t.trials, pi, miss);
		row->prob_by_max_rounds = (double)t.full_by_round[steps] / n;
		row->delivery_prob = row->prob_by_max_rounds;
		row->p_lo = row->max_lo = pi[0];
		row->p_hi = row->max_hi = pi[1];
		row->error_bound = 0;
		for (int64_t r = 0; r <= steps; r++) {
			calc_sim_interval(t.full_by_round[r], t.trials, pi, miss);
			if (sure(target, pi, miss)) {
				row->rounds = r;
				row->time = sim_edge(p, r);
				row->delivery_prob = (double)t.full_by_round[r] / n;
				row->p_lo = pi[0];
				row->p_hi = pi[1];
				if (timed) {
					st = timed_messages(&q, row->time, row->trials, row->seed, threads, cancel,
							    &row->messages);
				} else {
					q.rounds = r;
					row->messages = broadcast_messages(&q, m);
				}
				break;
			}
		}
	}
	free(m);
	sim_tally_release(&t);
	return st;
}

/* large_n's interval at R = r (r < the curve's R): its figures into *l, its cost charged to *work. */
static enum fo_status largen_at(const struct gossip_params *q, int64_t r, double *work, double work_limit,
				const atomic_int *cancel, struct largen_result *l)
{
	struct gossip_params at = *q;

	at.rounds = r;
	*work += largen_cost(&at);
	if (*work > work_limit)
		return FO_TOO_LARGE;
	return largen_run(&at, cancel, l);
}

static int largen_sure(double target, const struct largen_result *l)
{
	double p[2] = { l->p_lo, l->p_hi }, miss[2] = { l->miss_lo, l->miss_hi };

	return sure(target, p, miss);
}

/*
 * One row from large_n at K = k.  Its curve to max_rounds has point
 * estimates only (largen.h), so they only propose a row's R: the least r
 * whose point meets the target.  large_n run at R = r itself gives that r's
 * interval; the row's R is an r whose interval's lower end meets the target
 * while r - 1's does not (tried r0, r0 + 1, then bisected up to max_rounds,
 * whose interval the curve's run gave), so a row is never optimistic.  The
 * first TRADEOFF_LARGEN_CONFIRMS runs are in the K's estimate; further ones
 * are charged to *work as they run (stopping past work_limit).
 */
static enum fo_status largen_row(const struct gossip_params *p, double target, int64_t k,
				 double *work, double work_limit, const atomic_int *cancel,
				 struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct chain_result c;
	struct largen_result at_max, l, best;
	enum fo_status st;
	int64_t r, lo, hi, runs = 0;
	double free_work = HUGE_VAL;

	q.fanout = k;
	if ((st = largen_curve(&q, cancel, &at_max, &c)) != FO_OK)
		return st;
	row->model = CALC_LARGE_N;
	row->rounds = -1;
	row->messages = NAN;
	row->error_bound = 0;
	row->prob_by_max_rounds = at_max.p_full;
	row->delivery_prob = at_max.p_full;
	row->p_lo = row->max_lo = at_max.p_lo;
	row->p_hi = row->max_hi = at_max.p_hi;
	if (!largen_sure(target, &at_max))
		goto done;
	for (r = 0; r < p->rounds && !point_meets(target, c.p_full[r], c.p_miss[r]); r++)
		;
	/* Invariant: hi's interval meets the target (best holds it), lo's does not (lo < r: untried). */
	lo = r - 1;
	hi = p->rounds;
	best = at_max;
	while (hi - lo > 1) {
		int64_t mid = runs < TRADEOFF_LARGEN_CONFIRMS ? lo + 1 : lo + (hi - lo) / 2;
		/* The K's estimate paid for the first runs: charge only those after them. */
		double charged = runs < TRADEOFF_LARGEN_CONFIRMS ? free_work : work_limit;
		double before = *work;
		st = largen_at(&q, mid, work, charged, cancel, &l);
		if (runs < TRADEOFF_LARGEN_CONFIRMS)
			*work = before;
		runs++;
		if (st != FO_OK)
			break;
		if (largen_sure(target, &l)) {
			hi = mid;
			best = l;
		} else {
			lo = mid;
		}
	}
	if (st == FO_OK) {
		q.rounds = hi;
		row->rounds = hi;
		row->time = (double)hi;
		row->delivery_prob = best.p_full;
		row->p_lo = best.p_lo;
		row->p_hi = best.p_hi;
		row->messages = broadcast_messages(&q, c.mean_informed);
	}
done:
	chain_result_release(&c);
	return st;
}

/*
 * largen_row under independent timers (largen_timers.h): one run to the
 * last whole interval of the horizon gives every r at once
 * (largen_timers_rows), each r's interval and verdict what large_n at
 * horizon r answers, so the row's rounds is the least r whose interval's
 * lower end meets the target, and calc_fanout at that K and R agrees with
 * it (as it does, not reached, at R - 1).  The run charges its samples to
 * *work look by look.  Messages are not followed (NAN).
 */
static enum fo_status timers_row(const struct gossip_params *p, double target, int64_t k, double max_work,
				 const atomic_int *cancel, struct tradeoff_row *row, double *used)
{
	struct gossip_params q = timers_whole(p);
	struct largen_timers_info info;
	struct largen_result *at;
	signed char *verdict;
	int64_t whole = q.rounds;
	enum fo_status st;

	q.fanout = k;
	*used = 0;
	at = malloc((size_t)(whole + 1) * sizeof *at);
	verdict = malloc((size_t)(whole + 1));
	if (!at || !verdict) {
		free(at);
		free(verdict);
		return FO_NOMEM;
	}
	st = largen_timers_rows(&q, target, max_work, cancel, at, verdict, &info);
	*used = info.work;
	row->fanout = k;
	row->model = CALC_LARGE_N;
	row->rounds = -1;
	row->messages = NAN;
	row->error_bound = 0;
	if (st == FO_OK) {
		/* The figures by max_rounds: the horizon's, at the last look. */
		row->prob_by_max_rounds = at[whole].p_full;
		row->delivery_prob = at[whole].p_full;
		row->p_lo = row->max_lo = at[whole].p_lo;
		row->p_hi = row->max_hi = at[whole].p_hi;
		for (int64_t r = 0; r <= whole; r++) {
			if (verdict[r] == 1) {
				row->rounds = r;
				row->time = (double)r;
				row->delivery_prob = at[r].p_full;
				row->p_lo = at[r].p_lo;
				row->p_hi = at[r].p_hi;
				break;
			}
		}
	}
	free(at);
	free(verdict);
	return st;
}

/* One K of a batch of timers_row runs side by side. */
struct timers_job {
	const struct gossip_params *p;
	double target, max_work, used;
	int64_t k;
	const atomic_int *cancel;
	struct tradeoff_row row;
	enum fo_status st;
	thrd_t th;
	int running;
};

static int timers_job_run(void *arg)
{
	struct timers_job *j = arg;

	j->st = timers_row(j->p, j->target, j->k, j->max_work, j->cancel, &j->row, &j->used);
	return 0;
}

/*
 * Rows K = k … k + n - 1 (n <= TRADEOFF_MAX_BATCH) under independent
 * timers, each on a thread of its own (the first on the caller's), each
 * given what is left of the budget (they run side by side: wall time).  The
 * batch charges *work the wall time it took: the dearest run's work.
 * Every row is what timers_row answers alone (its samples and seed do not
 * depend on the threads).  The first failure, in K order, is returned.
 */
#define TRADEOFF_MAX_BATCH 16
static enum fo_status timers_batch(const struct gossip_params *p, double target, int64_t k, int n,
				   double *work, double work_limit, const atomic_int *cancel,
				   struct tradeoff_row *rows)
{
	struct timers_job jobs[TRADEOFF_MAX_BATCH];
	double dearest = 0;
	enum fo_status st = FO_OK;

	if (n < 1 || n > TRADEOFF_MAX_BATCH)
		return FO_OK;
	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < n; i++) {
		jobs[i].p = p;
		jobs[i].target = target;
		jobs[i].max_work = work_limit - *work;
		jobs[i].k = k + i;
		jobs[i].cancel = cancel;
		if (i > 0)
			jobs[i].running = thrd_create(&jobs[i].th, timers_job_run, &jobs[i]) == thrd_success;
	}
	timers_job_run(&jobs[0]);
	for (int i = 1; i < n; i++) {
		if (jobs[i].running)
			thrd_join(jobs[i].th, NULL);
		else
			timers_job_run(&jobs[i]); /* no thread: in turn */
	}
	for (int i = 0; i < n; i++) {
		dearest = fmax(dearest, jobs[i].used);
		rows[i] = jobs[i].row;
		if (st == FO_OK)
			st = jobs[i].st;
	}
	*work += dearest;
	return st;
}

/* One row from one chain run at K = k. */
static enum fo_status row_at(const struct gossip_params *p, enum calc_model model, double target,
			     int64_t k, const atomic_int *cancel, struct tradeoff_row *row)
{
	struct gossip_params q = *p;
	struct chain_result c;
	enum fo_status st;

	q.fanout = k;
	row->p_lo = row->p_hi = NAN;
	row->trials = 0;
	row->seed = 0;
	if ((st = broadcast_chain(&q, model, cancel, &c)) != FO_OK)
		return st;
	row->fanout = k;
	row->model = model;
	row->rounds = -1;
	row->delivery_prob = c.p_full[p->rounds];
	/* Rounding can carry the chain a few ulps past 1; a probability is at most 1. */
	row->prob_by_max_rounds = fmin(c.p_full[p->rounds], 1.0);
	row->messages = NAN;
	row->error_bound = c.error_bound;
	for (int64_t r = 0; r <= p->rounds; r++) {
		if (c.p_full[r] >= target) {
			/* The first r rounds of a run to R are a run to r. */
			q.rounds = r;
			row->rounds = r;
			row->time = (double)r;
			row->delivery_prob = c.p_full[r];
			row->messages = broadcast_messages(&q, c.mean_informed);
			break;
		}
	}
	chain_result_release(&c);
	return FO_OK;
}

enum fo_status tradeoff_run(const struct gossip_params *p, enum calc_model model, double target,
			    int64_t max_fanout, double work_limit, const atomic_int *cancel,
			    struct tradeoff *out)
{
	return tradeoff_run_mt(p, model, target, max_fanout, work_limit, 1, cancel, out);
}

enum fo_status tradeoff_run_mt(const struct gossip_params *p, enum calc_model model, double target,
			       int64_t max_fanout, double work_limit, int threads,
			       const atomic_int *cancel, struct tradeoff *out)
{
	return tradeoff_run_from(p, model, target, 1, max_fanout, work_limit, threads, cancel, out);
}

enum fo_status tradeoff_run_from(const struct gossip_params *p, enum calc_model model, double target,
				 int64_t min_fanout, int64_t max_fanout, double work_limit, int threads,
				 const atomic_int *cancel, struct tradeoff *out)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	/* By default rows stop at the largest K that can differ from the smaller ones. */
	int64_t top = max_fanout > 0 ? gossip_peers(p) : gossip_fanout_top(p);
	int64_t last = max_fanout > 0 && max_fanout < top ? max_fanout : top;
	double work = 0;
	size_t cap = 0;

	out->count = 0;
	out->rows = NULL;
	for (int64_t k = min_fanout < 1 ? 1 : min_fanout; k <= last; k++) {
		struct tradeoff_row row;
		enum fo_status st;

		if (model == CALC_LARGE_N && p->timers == GOSSIP_TIMERS_INDEPENDENT) {
			/*
			 * Up to `threads` K at once, never past the last row.  Their
			 * runs charge their looks as they go (largen_timers_rows), so
			 * no estimate is charged before: a row near the target may
			 * sample longer than its estimate, the others less.
			 */
			int n = threads < 1 ? 1 : threads > TRADEOFF_MAX_BATCH ? TRADEOFF_MAX_BATCH : threads;
			if ((int64_t)n > last - k + 1)
				n = (int)(last - k + 1);
			if (FO_GROW(out->rows, (size_t)out->count + (size_t)n, cap) < 0) {
				tradeoff_release(out);
				return FO_NOMEM;
			}
			memset(out->rows + out->count, 0, (size_t)n * sizeof *out->rows);
			st = timers_batch(p, target, k, n, &work, work_limit, cancel, out->rows + out->count);
			if (st != FO_OK) {
				tradeoff_release(out);
				return st;
			}
			for (int i = 0; i < n; i++) {
				row = out->rows[out->count++];
				if (max_fanout <= 0 && row.rounds >= 0 && last == top)
					last = row.fanout + FO_TRADEOFF_EXTRA_FANOUT < top ? row.fanout + FO_TRADEOFF_EXTRA_FANOUT : top;
			}
			/* A batch may hold rows past a last that one of its rows moved: drop them. */
			while (out->count > 0 && out->rows[out->count - 1].fanout > last)
				out->count--;
			k += n - 1;
			continue;
		}
		work += run_cost(p, model, target, k, threads);
		if (work > work_limit) {
			tradeoff_release(out);
			return FO_TOO_LARGE;
		}
		if (FO_GROW(out->rows, (size_t)out->count + 1, cap) < 0) {
			tradeoff_release(out);
			return FO_NOMEM;
		}
		memset(&row, 0, sizeof row);
		row.fanout = k;
		if (model == CALC_SIMULATION) {
			st = sim_row(p, target, k, threads, cancel, &row);
		} else if (model == CALC_LARGE_N) {
			st = largen_row(p, target, k, &work, work_limit, cancel, &row);
			if (st == FO_TOO_LARGE && work <= work_limit) {
				/* Cohorts outgrew large_n's estimate (largen.h): this K is simulated. */
				work += run_cost(p, CALC_SIMULATION, target, k, threads);
				st = work > work_limit ? FO_TOO_LARGE
				     : sim_row(p, target, k, threads, cancel, &row);
			}
		} else {
			st = row_at(p, model, target, k, cancel, &row);
		}
		if (st != FO_OK) {
			tradeoff_release(out);
			return st;
		}
		out->rows[out->count++] = row;
		if (max_fanout <= 0 && row.rounds >= 0 && last == top)
			last = k + FO_TRADEOFF_EXTRA_FANOUT < top ? k + FO_TRADEOFF_EXTRA_FANOUT : top;
	}
	return FO_OK;
}

/*
 * Where the default rows stop: the mean field's least K (without a window)
 * plus FO_TRADEOFF_EXTRA_FANOUT, or N - 1 when it finds none.  The search is
 * given FO_PREDICT_WORK at R = max_rounds; past that, R is cut to
 * FO_PREDICT_MAX_ROUNDS (fewer rounds need a K at least as large, so the
 * prediction only grows: the estimate stays on the safe side).  Either way
 * the prediction costs at most twice FO_PREDICT_WORK, whatever the request.
 */
static int64_t predict_last_in(const struct gossip_params *p, double target, int speedup)
{
	struct gossip_params q = gossip_as_rounds(p);
	struct calc_answer a;
	enum fo_status st;

	/* As calc's prediction: H intervals go about as far as FO_PREDICT_TIMERS_SPEEDUP H rounds. */
	if (speedup && p->timers == GOSSIP_TIMERS_INDEPENDENT)
		q.rounds = (int64_t)fmax(1, fmin(FO_MAX_ROUNDS, floor(FO_PREDICT_TIMERS_SPEEDUP * gossip_horizon(p))));
	q.forward_rounds = 0;
	q.transmit_limit = 0;
	st = calc_fanout(&q, CALC_MEAN_FIELD, target, FO_PREDICT_WORK, NULL, &a);
	if (st == FO_TOO_LARGE && q.rounds > FO_PREDICT_MAX_ROUNDS) {
		q.rounds = FO_PREDICT_MAX_ROUNDS;
		st = calc_fanout(&q, CALC_MEAN_FIELD, target, FO_PREDICT_WORK, NULL, &a);
	}
	if (st != FO_OK || !a.reachable)
		return p->nodes - 1;
	return a.fanout + FO_TRADEOFF_EXTRA_FANOUT;
}

static int64_t predict_last(const struct gossip_params *p, double target)
{
	return predict_last_in(p, target, 0);
}

int64_t tradeoff_rows(const struct gossip_params *p, double target, int64_t max_fanout)
{
	int64_t top = max_fanout > 0 ? gossip_peers(p) : gossip_fanout_top(p);
	int64_t last = max_fanout > 0 ? max_fanout : top >= 1 ? predict_last(p, target) : 0;

	return top < 1 ? 0 : last < top ? last : top;
}

double tradeoff_cost(const struct gossip_params *p, enum calc_model model, double target,
		     int64_t max_fanout)
{
	return tradeoff_cost_mt(p, model, target, max_fanout, 1);
}

/*
 * Planning only, never an answer: about the ceiling a transmit limit X puts
 * on P(full) under push (MODEL.md; the same under both timers without
 * probes, which move it slightly).  Every informed node sends X copies to
 * uniform peers, so a live node escapes them all with probability about
 * exp(-X (1 - loss) (L - 1) / (N - 1)) (failed_known: the peers are the
 * L - 1 live ones), and the L - 1 others escape about independently.  1 when
 * nothing caps it.
 */
static double limit_ceiling(const struct gossip_params *p)
{
	double live = (double)gossip_live(p), hits;

	/* Syncs are left out too: large_n follows gossip alone with them (largen_timers.h). */
	if (p->mode != GOSSIP_PUSH || p->transmit_limit <= 0 || live <= 1)
		return 1;
	hits = (double)p->transmit_limit * (1 - p->loss) *
	       (p->failed_known ? 1 : (live - 1) / (double)(p->nodes - 1));
	return exp(-(live - 1) * exp(-hits));
}

/*
 * Work of row K = k: run_cost, or for K below `far` (rows whose P(full) is
 * about p_far, short of the target at every r) only the looks that show it
 * short (largen_timers_rows_cost_below), over the threads.
 */
static double row_cost(const struct gossip_params *p, enum calc_model model, double target, int64_t k,
		       int threads, int64_t far, double p_far)
{
	struct gossip_params q;

	if (k >= far)
		return run_cost(p, model, target, k, threads);
	q = timers_whole(p);
	q.fanout = k;
	return largen_timers_rows_cost_below(&q, target, p_far) / threads;
}

double tradeoff_cost_mt(const struct gossip_params *p, enum calc_model model, double target,
			int64_t max_fanout, int threads)
{
	return tradeoff_cost_from(p, model, target, 1, max_fanout, threads);
}

double tradeoff_cost_from(const struct gossip_params *p, enum calc_model model, double target,
			  int64_t min_fanout, int64_t max_fanout, int threads)
{
	struct gossip_params view = gossip_known_view(p);

	p = &view;
	int64_t top = max_fanout > 0 ? gossip_peers(p) : gossip_fanout_top(p), last = max_fanout, far = 0;
	int64_t first = min_fanout < 1 ? 1 : min_fanout;
	double cost = 0, p_far = 0;

	if (top < 1)
		return 0;
	if (model == CALC_LARGE_N && p->timers == GOSSIP_TIMERS_INDEPENDENT && target >= 0.5 &&
	    largen_timers_can_show(target)) {
		double ceiling = limit_ceiling(p);
		if (1 - ceiling >= 2 * (1 - target)) {
			/*
			 * The transmit limit keeps P(full) near `ceiling`, well short
			 * of the target, at every K and r: no row is reached, every
			 * row runs (to top), each only to the looks that show it short.
			 */
			if (last <= 0 || last > top)
				last = top;
			far = last + 1;
			p_far = ceiling;
		} else if (last <= 0) {
			/*
			 * The mean field (aligned rounds, FO_PREDICT_TIMERS_SPEEDUP
			 * of them an interval, as calc predicts) predicts the least K, but
			 * independent timers with probes grow faster: the sampler's own
			 * growth guess (on the slow side; largen_timers.h) may name a
			 * smaller one.  From the smaller of the two, rows from two below
			 * it are counted in full, those before (P(full) about a half or
			 * less) at the looks that show them short, and the rows stop
			 * FO_TRADEOFF_EXTRA_FANOUT past it.
			 */
			struct gossip_params q = timers_whole(p);
			int64_t least = largen_timers_rows_least_fanout(&q, top), predicted = predict_last_in(p, target, 1);
			if (least <= 0)
				least = top;
			if (predicted < top && predicted - FO_TRADEOFF_EXTRA_FANOUT < least)
				least = predicted - FO_TRADEOFF_EXTRA_FANOUT;
			last = least + FO_TRADEOFF_EXTRA_FANOUT;
			far = least - 2;
			p_far = 0.5;
		}
	}
	/* large_n under independent timers that cannot show the target reaches it at no K: every row runs. */
	if (last <= 0 && model == CALC_LARGE_N && p->timers == GOSSIP_TIMERS_INDEPENDENT &&
	    !largen_timers_can_show(target))
		last = top;
	if (last <= 0)
		last = predict_last(p, target);
	/* From a min_fanout past the predicted last row, rows stop FO_TRADEOFF_EXTRA_FANOUT past it at the latest. */
	if (max_fanout <= 0 && last < first + FO_TRADEOFF_EXTRA_FANOUT)
		last = first + FO_TRADEOFF_EXTRA_FANOUT;
	if (last > top)
		last = top;
	/*
	 * K itself barely moves the chain's cost.  The first rows one by one
	 * (under a window the smallest K cost the most), the rest at the dearer
	 * of the last counted and the last row: at most FO_TRADEOFF_COST_ROWS + 1
	 * cost evaluations, so planning stays cheap however many rows there are.
	 */
	if (first > last)
		return 0;
	if (isinf(run_cost(p, model, target, first, threads)))
		return HUGE_VAL;
	for (int64_t k = first; k <= last && cost < HUGE_VAL; k++) {
		double one = row_cost(p, model, target, k, threads, far, p_far);
		cost += one;
		if (k - first + 1 >= FO_TRADEOFF_COST_ROWS && k < last && (k >= far || last < far)) {
			/* The rest alike (all past `far`, or all before it). */
			cost += (double)(last - k) * fmax(one, row_cost(p, model, target, last, threads, far, p_far));
			break;
		}
	}
	return cost;
}
