/* SPDX-License-Identifier: MIT */
/*
 * render.c — the answer objects: calc_fanout's (and its solve_for answers),
 * tradeoff's rows and simulate_gossip's tally, with their curves, times and
 * bytes; and a simulate_gossip answer read back into its tally
 * (req_read_tally).  Each renderer returns NULL when allocation fails or
 * the cancel flag is set, and then holds nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/broadcast.h"
#include "fanout/config.h"
#include "fanout/largen_timers.h"
#include "fanout/sim.h"
#include "fanout/solve.h"
#include "fanout/tradeoff.h"
#include "request_impl.h"

/*
 * The add_* helpers below put one member into o: each returns 0, or -1 when
 * allocation failed (o then holds what was added before, freed with it).
 */
static int add_number(cJSON *o, const char *name, double v)
{
	return cJSON_AddNumberToObject(o, name, v) ? 0 : -1;
}

/* [lo, hi] as a JSON array member. */
static int add_interval(cJSON *o, const char *name, const double ci[2])
{
	cJSON *a = cJSON_CreateDoubleArray(ci, 2);

	return a && cJSON_AddItemToObject(o, name, a) ? 0 : -1;
}

/* v, or null when it is NaN (or, for counts, negative). */
static int add_number_or_null(cJSON *o, const char *name, double v)
{
	if (isnan(v))
		return cJSON_AddNullToObject(o, name) ? 0 : -1;
	return add_number(o, name, v);
}

static int add_count_or_null(cJSON *o, const char *name, int64_t v)
{
	if (v < 0)
		return cJSON_AddNullToObject(o, name) ? 0 : -1;
	return add_number(o, name, (double)v);
}

/* {mean, p50, p90, p99} in rounds, times `scale` (1, or the interval for seconds). */
static int add_rounds(cJSON *o, const char *name, const struct rounds_to_all *r, double scale)
{
	cJSON *d = cJSON_AddObjectToObject(o, name);

	return d && add_number_or_null(d, "mean", r->mean * scale) == 0 &&
	       add_number_or_null(d, "p50", r->p50 < 0 ? NAN : (double)r->p50 * scale) == 0 &&
	       add_number_or_null(d, "p90", r->p90 < 0 ? NAN : (double)r->p90 * scale) == 0 &&
	       add_number_or_null(d, "p99", r->p99 < 0 ? NAN : (double)r->p99 * scale) == 0 ? 0 : -1;
}

/*
 * The timers in `params`, when the request or its preset named timers or a
 * time budget: an answer without them is aligned, as it always was.
 */
static int add_timers_params(cJSON *d, const struct request *req)
{
	if (!req->independent && !req->has_timers && !req->has_within_seconds)
		return 0;
	return cJSON_AddStringToObject(d, "timers", timers_name(req->independent)) != NULL &&
	       add_number_or_null(d, "probe_interval", req->probe_interval > 0 ? req->probe_interval : NAN) == 0 &&
	       add_number_or_null(d, "within_seconds", req->has_within_seconds ? req->within_seconds : NAN) == 0 &&
	       /* Only when set: answers without anti-entropy read as they always did. */
	       (!(req->sync_interval > 0) || add_number(d, "sync_interval", req->sync_interval) == 0)
		? 0 : -1;
}

/* The parameters used, after the preset: `params` in every answer. */
static int add_params(cJSON *o, const struct request *req)
{
	const struct gossip_params *p = &req->params;
	cJSON *d = cJSON_AddObjectToObject(o, "params");
	int ok = d != NULL;

	ok = ok && (req->preset ? cJSON_AddStringToObject(d, "preset", req->preset->name) != NULL
				: cJSON_AddNullToObject(d, "preset") != NULL);
	ok = ok && add_number(d, "nodes", (double)p->nodes) == 0;
	if (req->op == REQ_SIMULATE_GOSSIP)
		ok = ok && add_number(d, "fanout", (double)p->fanout) == 0;
	else
		ok = ok && add_number(d, "target_prob", req->target_prob) == 0;
	if (req->op == REQ_TRADEOFF) {
		ok = ok && add_number(d, "max_rounds", (double)req->max_rounds) == 0;
		/* min_fanout only when given, so that answers without it are as before. */
		if (req->min_fanout > 0)
			ok = ok && add_number(d, "min_fanout", (double)req->min_fanout) == 0;
		ok = ok && add_count_or_null(d, "max_fanout", req->max_fanout > 0 ? req->max_fanout : -1) == 0;
	} else {
		ok = ok && add_number(d, "rounds", (double)p->rounds) == 0;
	}
	ok = ok && cJSON_AddStringToObject(d, "mode", gossip_mode_name(p->mode)) != NULL;
	ok = ok && add_number(d, "loss", p->loss) == 0;
	ok = ok && add_number(d, "failed_nodes", (double)p->failed) == 0;
	ok = ok && cJSON_AddBoolToObject(d, "failed_known", p->failed_known) != NULL;
	/* Only when given: answers without Cassandra's seeds read as they always did. */
	if (p->seed_gossip)
		ok = ok && add_number(d, "seeds", (double)p->seeds) == 0;
	ok = ok && add_count_or_null(d, "forward_rounds",
				     p->forward_rounds > 0 ? p->forward_rounds : -1) == 0;
	ok = ok && add_count_or_null(d, "transmit_limit",
				     p->transmit_limit > 0 ? p->transmit_limit : -1) == 0;
	ok = ok && add_number_or_null(d, "interval", req->interval > 0 ? req->interval : NAN) == 0;
	ok = ok && add_count_or_null(d, "message_bytes",
				     req->message_bytes > 0 ? req->message_bytes : -1) == 0;
	ok = ok && add_timers_params(d, req) == 0;
	return ok ? 0 : -1;
}

/* Exact's answer under independent timers (gossip_bound_view, docs/METHODS.md). */
#define EXACT_BOUND_NOTE                                                                            \
	"exact under independent timers: a certified bound, not the value. Each node's first tick "  \
	"after it learns comes at most one interval later, so the aligned chain over the whole "      \
	"intervals of the horizon (probes, syncs and seed exchanges left out, as they only inform "   \
	"earlier) is never ahead of the model: P(full delivery by the horizon) is at least "          \
	"delivery_prob, and the value found is the least whose bound meets the target (a smaller "    \
	"one may too: auto or simulation tells). delivery_prob_interval's upper end is 1"

/* What calc_fanout's answer adds to EXACT_BOUND_NOTE. */
#define EXACT_BOUND_FIGURES                                                                         \
	"; rounds_to_all and seconds_to_all are upper bounds, the curve's figures lower bounds, one " \
	"point per interval; no message figures (simulate_gossip at this fanout gives them)"

/* A note, when there is one (note not NULL): 0, or -1 if out of memory. */
static int add_note(cJSON *o, const char *note)
{
	return !note || cJSON_AddStringToObject(o, "note", note) ? 0 : -1;
}

/*
 * tradeoff under independent timers with a target past what large_n's
 * FO_LT_MAX_SAMPLES samples can show (about 0.9988; largen_timers.h, "More
 * looks"): its rows keep those samples; appended to buf.  Nothing otherwise.
 */
static void rows_samples_advice(const struct request *req, char *buf, size_t size)
{
	double t = req->target_prob;
	int64_t show = largen_timers_show_samples(t);
	size_t used = strlen(buf);

	if (req->params.timers != GOSSIP_TIMERS_INDEPENDENT || !(t > 0 && t < 1) || largen_timers_can_show(t) ||
	    used + 1 >= size)
		return;
	if (show == 0)
		snprintf(buf + used, size - used,
			 "; no K can show target %g: it is past what large_n can show under "
			 "independent timers (even %d samples with no miss at all)", t, FO_LT_MOST_SAMPLES);
	else
		snprintf(buf + used, size - used,
			 "; no K can show target %g: it needs about %lld large_n samples a K, more than "
			 "the rows take (%d); calc_fanout at a row's K and rounds, with a work budget "
			 "that pays for them, can show it", t, (long long)show, FO_LT_MAX_SAMPLES);
}

/*
 * What large_n's answers add with sync_interval (largen_timers.h): it
 * follows gossip alone, whose lower ends bound P(full) with the syncs.
 */
#define SYNC_BOUND_NOTE \
	"sync_interval is bounded, not modelled: large_n follows gossip alone, and since syncs " \
	"only add deliveries, each interval's lower end is a lower bound on P(full delivery) " \
	"with them (proved without probes, or with probes and neither transmit_limit nor " \
	"forward_rounds; otherwise, as in the serf presets, checked against the simulation, " \
	"not proved) and its upper end is 1; delivery_prob, " \
	"informed_fraction and the times to all are gossip alone's (never early)"

/* tradeoff's note on the model its rows came from, or NULL. */
static const char *tradeoff_note(const struct request *req)
{
	switch (req->chosen) {
	case CALC_MEAN_FIELD:
		return "the mean field errs on the optimistic side (too few rounds, "
		       "about one round early when there is loss, pull or failures); "
		       "check a row with simulate_gossip";
	case CALC_LARGE_N:
		if (timed(req) && req->params.sync_interval > 0)
			return "large-N estimates under independent timers: for each K, one large_n "
			       "run to max_rounds gives every r, each r's interval the one large_n "
			       "gives at that K and r (as calc_fanout): a row's rounds is the least r "
			       "whose interval's lower end meets the target; " SYNC_BOUND_NOTE;
		if (timed(req))
			return "large-N estimates under independent timers: for each K, one large_n "
			       "run to max_rounds gives every r, each r's interval the one large_n "
			       "gives at that K and r (as calc_fanout): a row's rounds is the least r "
			       "whose interval's lower end meets the target";
		return "large-N estimates: for each K, large_n's curve to max_rounds proposes "
		       "the least rounds and large_n at those rounds confirms them: a row's "
		       "rounds is the least r whose interval's lower end meets the target "
		       "(a K large_n cannot follow is simulated, and says so)";
	case CALC_SIMULATION:
		return req->params.seed_gossip && req->params.seeds > 0
		       ? "Monte Carlo estimates: for each K, trials of the agent simulator (every node: "
			 "seeds are not interchangeable with the others) at max_rounds from a seed fixed "
			 "by the parameters; a row's rounds is the least r whose Clopper-Pearson lower "
			 "end (99.9%) of P(full by r) meets the target"
		       : "Monte Carlo estimates: for each K, trials of the fast simulator at "
		       "max_rounds from a seed fixed by the parameters; a row's rounds is "
		       "the least r whose Clopper-Pearson lower end (99.9%) of P(full by r) "
		       "meets the target";
	default:
		return NULL;
	}
}

/*
 * The end of every answer: `params` after the rest, or, when ok is 0 (an
 * allocation failed), o freed and NULL.
 */
static cJSON *finish_answer(cJSON *o, const struct request *req, int ok)
{
	ok = ok && add_params(o, req) == 0;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- answers under independent timers: time in intervals, every quarter ---- */

/* The last index of a tally's per-step arrays: R, or B = ceil(4 H) under independent timers. */
static int64_t tally_last(const struct sim_tally *t)
{
	return t->rounds;
}

/* The time of point b of a timed tally, in intervals: b / 4, the last at the horizon. */
static double point_time(const struct request *req, int64_t b)
{
	return sim_edge(&req->params, b);
}

/* Time to all in intervals: the mean, and the grid points by which 50, 90, 99% were full. */
struct times_to_all {
	double mean, p50, p90, p99;   /* NaN: none within the horizon */
};

static void times_from_tally(const struct request *req, const struct sim_tally *t,
			     struct times_to_all *out)
{
	struct rounds_to_all r;
	struct sim_summary s;

	rounds_from_hist(t->rounds_to_all_hist, tally_last(t), t->trials, &r);
	sim_summarize(t, &s);
	out->mean = s.avg_rounds_to_all;
	out->p50 = r.p50 < 0 ? NAN : point_time(req, r.p50);
	out->p90 = r.p90 < 0 ? NAN : point_time(req, r.p90);
	out->p99 = r.p99 < 0 ? NAN : point_time(req, r.p99);
}

/* {mean, p50, p90, p99} times `scale` (1 for intervals, the interval for seconds); 0 or -1. */
static int add_times(cJSON *o, const char *name, const struct times_to_all *r, double scale)
{
	cJSON *d = cJSON_AddObjectToObject(o, name);

	return d && add_number_or_null(d, "mean", r->mean * scale) == 0 &&
	       add_number_or_null(d, "p50", r->p50 * scale) == 0 &&
	       add_number_or_null(d, "p90", r->p90 * scale) == 0 &&
	       add_number_or_null(d, "p99", r->p99 * scale) == 0 ? 0 : -1;
}

/*
 * Exact's bound under independent timers (gossip_bound_view): the chain's
 * P(full by r) less its bound is a lower end of the model's P(full by t) for
 * every t in [r, r + 1), so a percentile is at most the first whole r whose
 * lower end reaches the level, and the mean over the broadcasts full by the
 * horizon H, H - integral of P(full by t) / P(full by H), at most H less the
 * integral of those lower ends (P(full by H) <= 1); NaN where none.
 */
static void times_from_bound(const struct request *req, const struct chain_result *c,
			     struct times_to_all *out)
{
	double h = gossip_horizon(&req->params), area = 0, lo = 0;

	out->p50 = out->p90 = out->p99 = NAN;
	for (int64_t r = 0; r <= c->rounds; r++) {
		lo = fmax(0, c->p_full[r] - c->round_bound[r]);
		area += lo * (r < c->rounds ? 1 : h - (double)r);
		if (isnan(out->p50) && lo >= 0.5)
			out->p50 = (double)r;
		if (isnan(out->p90) && lo >= 0.9)
			out->p90 = (double)r;
		if (isnan(out->p99) && lo >= 0.99)
			out->p99 = (double)r;
	}
	out->mean = lo > 0 ? h - area : NAN;
}

/*
 * A curve point's time: t in intervals, and seconds with an interval; 0 or
 * -1.  b >= 0: the simulation's point b; b < 0: the whole interval -1 - b
 * (exact's bound under independent timers, a point per interval).
 */
static int add_point_time(cJSON *pt, const struct request *req, int64_t b)
{
	double t = b < 0 ? (double)(-1 - b) : point_time(req, b);

	if (add_number(pt, "t", t) < 0)
		return -1;
	return req->interval > 0 ? add_number(pt, "seconds", t * req->interval) : 0;
}

/*
 * simulate_gossip's transmits under independent timers: the sends that count
 * against a transmit limit (memberlist's transmits), their integer sums (for
 * split runs) and mean, and the share of them on pings and acks; 0 or -1.
 */
static int add_transmits(cJSON *o, const struct sim_tally *t)
{
	return add_number(o, "transmits_sum", (double)t->transmits_sum) == 0 &&
	       add_number(o, "probe_transmits_sum", (double)t->probe_transmits_sum) == 0 &&
	       add_number(o, "transmits_mean", (double)t->transmits_sum / (double)t->trials) == 0 &&
	       add_number(o, "probe_transmits_mean", (double)t->probe_transmits_sum / (double)t->trials) == 0
		? 0 : -1;
}

/* simulate_gossip's histogram bin width: hist_bin in intervals, hist_bin_seconds with an interval. */
static int add_hist_bin(cJSON *o, const struct request *req)
{
	double bin = 1.0 / SIM_BINS_PER_INTERVAL;

	if (add_number(o, "hist_bin", bin) < 0)
		return -1;
	return req->interval > 0 ? add_number(o, "hist_bin_seconds", bin * req->interval) : 0;
}

/*
 * Time and bandwidth (MODEL.md): seconds_to_all with an interval (from
 * `times` under independent timers, else from `r`);
 * bytes_per_broadcast with message_bytes (when messages is known);
 * max_bytes_per_s_per_node = 2 K b / interval with both.
 */
static int add_time_and_bytes(cJSON *o, const struct request *req, const struct rounds_to_all *r,
			      const struct times_to_all *times, double messages, int64_t fanout)
{
	int ok = 1;

	if (req->interval > 0 && times)
		ok = add_times(o, "seconds_to_all", times, req->interval) == 0;
	else if (req->interval > 0 && r)
		ok = add_rounds(o, "seconds_to_all", r, req->interval) == 0;
	if (ok && req->message_bytes > 0 && !isnan(messages))
		ok = add_number(o, "bytes_per_broadcast", messages * (double)req->message_bytes) == 0;
	if (ok && req->message_bytes > 0 && req->interval > 0)
		ok = add_number(o, "max_bytes_per_s_per_node",
				2.0 * (double)fanout * (double)req->message_bytes / req->interval) == 0;
	return ok ? 0 : -1;
}

/*
 * Rendering a long answer polls the cancel flag every this many points, so
 * the watchdog's time limit holds while it is built.
 */
#define RENDER_POLL 1024

static int render_cancelled(const atomic_int *cancel, int64_t i)
{
	return i % RENDER_POLL == 0 && fo_cancelled(cancel);
}

/* A probability or a share that rounding carried a few ulps out of [0, 1], put back. */
static double clamp01(double v)
{
	return fmin(fmax(v, 0), 1);
}

/*
 * The per-round (per-quarter, under independent timers) curve of calc_fanout
 * and simulate_gossip, from the chain at the K returned or from a tally (one
 * of chain and t is NULL); 0 or -1.  Its points, as the answers always had them:
 * calc_fanout's from r = 0, {round, full_delivery_prob, informed_fraction}
 * (the chain's carried back into [0, 1]); simulate_gossip's from r = 0,
 * {round, informed_fraction, full_delivery_rate}; a tally's under
 * independent timers name their time (t, and seconds with an interval) in
 * place of the round, simulate_gossip's from the first quarter.
 */
static int add_curve(cJSON *o, const struct request *req, const struct chain_result *chain,
		     const struct sim_tally *t, const atomic_int *cancel)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	int sim = req->op == REQ_SIMULATE_GOSSIP, by_time = timed(req);
	const char *full_name = sim ? "full_delivery_rate" : "full_delivery_prob";
	double live = (double)gossip_live(&req->params), n = t ? (double)t->trials : 0;
	int64_t last = t ? tally_last(t) : chain ? chain->rounds : -1;

	if (!curve)
		return -1;
	for (int64_t r = sim && by_time ? 1 : 0; r <= last; r++) {
		cJSON *pt = render_cancelled(cancel, r) ? NULL : cJSON_CreateObject();
		double full = t ? (double)t->full_by_round[r] / n : clamp01(chain->p_full[r]);
		double informed = t ? (double)t->informed_by_round[r] / (n * live)
				    : clamp01(chain->mean_informed[r] / live);
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return -1;
		}
		if ((by_time ? add_point_time(pt, req, t ? r : -1 - r) : add_number(pt, "round", (double)r)) < 0 ||
		    (!sim && add_number(pt, full_name, full) < 0) ||
		    add_number(pt, "informed_fraction", informed) < 0 ||
		    (sim && add_number(pt, full_name, full) < 0))
			return -1;
	}
	return 0;
}

/*
 * large_n's times to all under independent timers, from its curve's
 * intervals (pts[0 … last], at the simulation's points), never optimistic:
 * a percentile is the first point whose lower end reaches the level (the
 * true one is at most that, as far as the intervals tell), the mean over the
 * broadcasts full by the horizon H - integral of P(full by t) / P(full by H)
 * with the integral's lower sum from the lower ends and P(full by H) its
 * upper end (an upper bound of the true mean); NaN where none.  At the
 * horizon the answer's own interval (h_lo, its lower end: more samples than
 * the curve's) is a second one for the same P(full by H), and the higher
 * lower end of the two counts, so that a K whose interval meets a level
 * by H never shows that percentile as not reached.
 */
static void times_from_lt(const struct request *req, const struct largen_result *pts, int64_t last,
			  double h_lo, struct times_to_all *out)
{
	double h = point_time(req, last), area = 0;

	out->p50 = out->p90 = out->p99 = NAN;
	for (int64_t b = 0; b <= last; b++) {
		double t = point_time(req, b), lo = b == last ? fmax(pts[b].p_lo, h_lo) : pts[b].p_lo;
		if (b > 0)
			area += pts[b - 1].p_lo * (t - point_time(req, b - 1));
		if (isnan(out->p50) && lo >= 0.5)
			out->p50 = t;
		if (isnan(out->p90) && lo >= 0.9)
			out->p90 = t;
		if (isnan(out->p99) && lo >= 0.99)
			out->p99 = t;
	}
	out->mean = pts[last].p_hi > 0 ? fmax(0, h - area / pts[last].p_hi) : NAN;
}

/*
 * calc_fanout's curve from large_n under independent timers: points from
 * t = 0 every quarter interval to the horizon, {t, seconds,
 * full_delivery_prob, full_delivery_prob_interval, informed_fraction}; 0 or -1.
 */
static int add_lt_curve(cJSON *o, const struct request *req, const struct largen_result *pts,
			const double *informed, int64_t last, const atomic_int *cancel)
{
	cJSON *curve = cJSON_AddArrayToObject(o, "curve");
	double live = (double)gossip_live(&req->params);

	if (!curve)
		return -1;
	for (int64_t b = 0; b <= last; b++) {
		cJSON *pt = render_cancelled(cancel, b) ? NULL : cJSON_CreateObject();
		double ci[2] = { clamp01(pts[b].p_lo), clamp01(pts[b].p_hi) };
		if (!pt || !cJSON_AddItemToArray(curve, pt)) {
			cJSON_Delete(pt);
			return -1;
		}
		if (add_point_time(pt, req, b) < 0 || add_number(pt, "full_delivery_prob", clamp01(pts[b].p_full)) < 0 ||
		    add_interval(pt, "full_delivery_prob_interval", ci) < 0 ||
		    add_number(pt, "informed_fraction", clamp01(informed[b] / live)) < 0)
			return -1;
	}
	return 0;
}

/* The formula's note: what it leaves out, naming what this request set. */
static int add_formula_note(cJSON *o, const struct request *req)
{
	const struct gossip_params *p = &req->params;
	char note[400];
	size_t used;

	used = (size_t)snprintf(note, sizeof note,
				"the formula treats each round as one independent chance from the origin "
				"alone: it ignores mode, failed_nodes (with failed_known its N is the live "
				"nodes), forward_rounds and transmit_limit, "
				"and gives no rounds_to_all, curve or message counts");
	if (p->mode != GOSSIP_PUSH || (p->failed > 0 && !p->failed_known) || p->forward_rounds > 0 ||
	    p->transmit_limit > 0 || timed(req))
		snprintf(note + used, sizeof note - used, "; ignored here:%s%s%s%s%s",
			 p->mode != GOSSIP_PUSH ? " mode" : "",
			 p->failed > 0 && !p->failed_known ? " failed_nodes" : "",
			 p->forward_rounds > 0 ? " forward_rounds" : "",
			 p->transmit_limit > 0 ? " transmit_limit" : "",
			 timed(req) ? " timers (it counts R = ceil(horizon) rounds)" : "");
	return cJSON_AddStringToObject(o, "note", note) ? 0 : -1;
}

/*
 * The answer of calc_fanout; `chain` is the chain model's run at the K
 * returned, `tally` the simulation's (NULL when not that model).
 */
static cJSON *render_calc(const struct request *req, const struct calc_answer *a,
			  const struct chain_result *chain, const struct sim_tally *tally,
			  const struct largen_result *lt_pts, const double *lt_informed, int64_t lt_samples,
			  const atomic_int *cancel)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;
	struct rounds_to_all r;
	struct times_to_all times;
	double messages = NAN;

	ok = ok && (a->reachable ? add_number(o, "min_fanout", (double)a->fanout) == 0
				 : cJSON_AddNullToObject(o, "min_fanout") != NULL);
	ok = ok && add_number(o, "miss_prob", a->miss_prob) == 0;
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(a->model));
	ok = ok && cJSON_AddBoolToObject(o, "reachable", a->reachable);
	ok = ok && add_number(o, "delivery_prob", a->delivery_prob) == 0;
	ok = ok && add_number(o, "node_miss_prob", a->node_miss_prob) == 0;
	if (ok && !a->reachable)
		ok = add_number(o, "best_fanout", (double)a->fanout) == 0;
	if (ok && (a->model == CALC_EXACT || a->model == CALC_LARGE_N || a->model == CALC_SIMULATION)) {
		double ci[2] = { a->delivery_prob_lo, a->delivery_prob_hi };
		ok = add_number(o, "error_bound", a->error_bound) == 0 &&
		     add_interval(o, "delivery_prob_interval", ci) == 0 &&
		     cJSON_AddBoolToObject(o, "fanout_uncertain", a->fanout_uncertain) &&
		     (a->fanout_possible > 0 || a->fanout == 0
		      ? add_number(o, "min_fanout_possible", (double)a->fanout_possible) == 0
		      : cJSON_AddNullToObject(o, "min_fanout_possible") != NULL);
	}
	if (ok && req->preset)
		ok = add_number(o, "preset_fanout", (double)req->preset->fanout) == 0;
	if (ok && chain && timed(req)) {
		/* Exact's bound under independent timers (execute.c): its figures are bounds. */
		times_from_bound(req, chain, &times);
		ok = add_times(o, "rounds_to_all", &times, 1) == 0;
		if (ok && req->curve)
			ok = add_curve(o, req, chain, NULL, cancel) == 0;
	} else if (ok && chain) {
		struct gossip_params q = req->params;
		q.fanout = a->fanout;
		rounds_from_cdf(chain->p_full, chain->rounds, &r);
		messages = broadcast_messages(&q, chain->mean_informed);
		ok = add_rounds(o, "rounds_to_all", &r, 1) == 0 &&
		     add_number(o, "messages_per_broadcast", messages) == 0;
		if (ok && req->curve)
			ok = add_curve(o, req, chain, NULL, cancel) == 0;
	}
	if (ok && tally) {
		char note[320];
		rounds_from_hist(tally->rounds_to_all_hist, tally_last(tally), tally->trials, &r);
		if (timed(req))
			times_from_tally(req, tally, &times);
		messages = (double)tally->messages_sum / (double)tally->trials;
		ok = (timed(req) ? add_times(o, "rounds_to_all", &times, 1) : add_rounds(o, "rounds_to_all", &r, 1)) == 0 &&
		     add_number(o, "messages_per_broadcast", messages) == 0 &&
		     (!timed(req) || add_number(o, "transmits_per_broadcast",
						(double)tally->transmits_sum / (double)tally->trials) == 0) &&
		     add_number(o, "trials", (double)a->sim_trials) == 0 &&
		     add_number(o, "seed", (double)a->sim_seed) == 0;
		if (ok && req->curve)
			ok = add_curve(o, req, NULL, tally, cancel) == 0;
		snprintf(note, sizeof note,
			 "a Monte Carlo estimate: %lld trials of the %s from a seed fixed by the "
			 "parameters; delivery_prob_interval is a %g%% "
			 "Clopper-Pearson interval, and K is the least whose lower end meets the target",
			 (long long)a->sim_trials,
			 req->params.seed_gossip && req->params.seeds > 0 ? "agent simulator (every node: seeds are not "
						   "interchangeable with the others)"
						 : "fast simulator (exact in distribution)",
			 FO_CALC_SIM_CONFIDENCE * 100);
		ok = ok && cJSON_AddStringToObject(o, "note", note) != NULL;
	}
	if (ok && lt_pts) {
		int64_t last = sim_steps(&req->params);
		times_from_lt(req, lt_pts, last, a->delivery_prob_lo, &times);
		ok = add_times(o, "rounds_to_all", &times, 1) == 0 &&
		     (!req->curve || add_lt_curve(o, req, lt_pts, lt_informed, last, cancel) == 0);
	}
	ok = ok && add_time_and_bytes(o, req, chain || tally ? &r : NULL,
				      ((tally || chain) && timed(req)) || lt_pts ? &times : NULL, messages, a->fanout) == 0;
	if (ok && a->model == CALC_FORMULA)
		ok = add_formula_note(o, req) == 0;
	else if (ok && a->model == CALC_EXACT && timed(req))
		ok = add_note(o, EXACT_BOUND_NOTE EXACT_BOUND_FIGURES) == 0;
	else if (ok && a->model == CALC_LARGE_N && lt_pts) {
		char note[1400];
		snprintf(note, sizeof note,
			 "large_n under independent timers: delivery_prob_interval covers P(full "
			 "delivery by the horizon); its curve over time (%lld samples of the same "
			 "paths, a point every quarter interval) gives each point's "
			 "full_delivery_prob_interval, each holding on its own; rounds_to_all and "
			 "seconds_to_all come from those intervals and are never early: a percentile "
			 "is the first point whose interval's lower end reaches the level (at the "
			 "horizon the higher of that and delivery_prob_interval's), the mean "
			 "an upper bound from the lower ends; informed_fraction is a point estimate; "
			 "no message figures (simulate_gossip at this fanout gives them)%s",
			 (long long)lt_samples, req->params.sync_interval > 0 ? "; " SYNC_BOUND_NOTE : "");
		if (!a->reachable && a->fanout > 0)
			req_samples_advice(req, note, sizeof note);
		ok = add_note(o, note) == 0;
	} else if (ok && a->model == CALC_LARGE_N) {
		char note[1400];
		snprintf(note, sizeof note, "%s%s",
			 timed(req)
			 ? "large_n under independent timers: delivery_prob_interval covers "
			   "P(full delivery by the horizon); no rounds_to_all, curve or message "
			   "figures (simulate_gossip at this fanout gives them)"
			 : "large_n: delivery_prob_interval covers P(full delivery by R); "
			   "rounds_to_all, the curve and messages_per_broadcast are its point "
			   "estimates for each round, without an interval",
			 timed(req) && req->params.sync_interval > 0 ? "; " SYNC_BOUND_NOTE : "");
		if (!a->reachable && a->fanout > 0 && timed(req))
			req_samples_advice(req, note, sizeof note);
		ok = add_note(o, note) == 0;
	}
	return finish_answer(o, req, ok);
}

/*
 * The answer of calc_fanout with solve_for transmit_limit or interval: the
 * value found (null when unreachable, with the best reached), whether the
 * value below it might suffice, and calc_at's figures at the value (at the
 * largest value searched when unreachable).
 */
static cJSON *render_solve(const struct request *req, const struct solve_answer *s)
{
	const struct calc_answer *a = &s->at;
	const struct gossip_preset *ps = req->preset;
	int64_t n = req->params.nodes;
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;

	ok = ok && cJSON_AddStringToObject(o, "solve_for", req_solve_name(req->solve_for)) != NULL;
	if (req->solve_for == REQ_SOLVE_TRANSMIT_LIMIT) {
		ok = ok && add_count_or_null(o, "min_transmit_limit", s->reachable ? s->value : -1) == 0;
		if (ok && !s->reachable)
			ok = add_number(o, "best_transmit_limit", (double)s->value) == 0;
		ok = ok && cJSON_AddBoolToObject(o, "transmit_limit_uncertain", s->value_uncertain);
		if (ok && ps && ps->retransmit_mult > 0)
			ok = add_count_or_null(o, "retransmit_mult",
					       s->reachable ? gossip_preset_retransmit_mult(ps, n, s->value) : -1) == 0 &&
			     add_number(o, "preset_retransmit_mult", (double)ps->retransmit_mult) == 0 &&
			     add_number(o, "preset_transmit_limit", (double)gossip_preset_transmit_limit(ps, n)) == 0;
	} else {
		/* Rounds, or under independent timers a horizon in intervals (value times unit: solve.h). */
		double h = (double)s->value * s->unit;
		double longest = s->reachable ? solve_longest_interval(req->within_seconds, h) : NAN;
		ok = ok && add_number_or_null(o, "max_interval", longest) == 0;
		ok = ok && add_number_or_null(o, "min_rounds", s->reachable ? h : NAN) == 0;
		if (ok && !s->reachable)
			ok = add_number(o, "best_rounds", h) == 0;
		ok = ok && cJSON_AddBoolToObject(o, "interval_uncertain", s->value_uncertain);
		if (ok && s->value_uncertain)
			ok = add_number(o, "next_interval",
					solve_longest_interval(req->within_seconds, h - s->unit)) == 0;
		if (ok && ps)
			ok = add_number(o, "preset_interval", ps->interval) == 0;
	}
	ok = ok && add_number(o, "fanout", (double)a->fanout) == 0;
	ok = ok && cJSON_AddBoolToObject(o, "reachable", s->reachable);
	ok = ok && add_number(o, "miss_prob", a->miss_prob) == 0;
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(a->model));
	ok = ok && add_number(o, "delivery_prob", a->delivery_prob) == 0;
	ok = ok && add_number(o, "node_miss_prob", a->node_miss_prob) == 0;
	if (ok && (a->model == CALC_EXACT || a->model == CALC_LARGE_N || a->model == CALC_SIMULATION)) {
		double ci[2] = { a->delivery_prob_lo, a->delivery_prob_hi };
		ok = add_number(o, "error_bound", a->error_bound) == 0 &&
		     add_interval(o, "delivery_prob_interval", ci) == 0;
	}
	if (ok && a->model == CALC_SIMULATION)
		ok = add_number(o, "trials", (double)a->sim_trials) == 0 && add_number(o, "seed", (double)a->sim_seed) == 0;
	if (ok && ps)
		ok = add_number(o, "preset_fanout", (double)ps->fanout) == 0;
	ok = ok && add_number(o, "evaluations", (double)s->evaluations) == 0;
	if (ok && a->model == CALC_EXACT && timed(req))
		ok = add_note(o, EXACT_BOUND_NOTE) == 0;
	return finish_answer(o, req, ok);
}

static cJSON *render_tradeoff(const struct request *req, const struct tradeoff *t,
			      const atomic_int *cancel)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *rows = o ? cJSON_AddArrayToObject(o, "rows") : NULL;
	int ok = rows != NULL;

	for (int64_t i = 0; ok && i < t->count; i++) {
		const struct tradeoff_row *row = &t->rows[i];
		int reached = row->rounds >= 0;
		cJSON *x = render_cancelled(cancel, i) ? NULL : cJSON_CreateObject();
		if (!x || !cJSON_AddItemToArray(rows, x)) {
			cJSON_Delete(x);
			ok = 0;
			break;
		}
		ok = add_number(x, "fanout", (double)row->fanout) == 0 &&
		     (timed(req) ? add_number_or_null(x, "rounds", reached ? row->time : NAN)
				 : add_count_or_null(x, "rounds", row->rounds)) == 0 &&
		     add_number(x, "delivery_prob", row->delivery_prob) == 0 &&
		     add_number(x, "delivery_prob_by_max_rounds", row->prob_by_max_rounds) == 0 &&
		     add_number_or_null(x, "messages_per_broadcast", row->messages) == 0;
		if (ok && req->chosen == CALC_EXACT)
			ok = add_number(x, "error_bound", row->error_bound) == 0;
		if (ok && row->model == CALC_SIMULATION) {
			double ci[2] = { row->p_lo, row->p_hi };
			double at_max[2] = { row->max_lo, row->max_hi };
			ok = cJSON_AddStringToObject(x, "model", "simulation") != NULL &&
			     add_interval(x, "delivery_prob_interval", ci) == 0 &&
			     add_interval(x, "delivery_prob_by_max_rounds_interval", at_max) == 0 &&
			     add_number(x, "trials", (double)row->trials) == 0 &&
			     add_number(x, "seed", (double)row->seed) == 0;
		}
		if (ok && row->model == CALC_LARGE_N) {
			double ci[2] = { row->p_lo, row->p_hi }, at_max[2] = { row->max_lo, row->max_hi };
			ok = cJSON_AddStringToObject(x, "model", "large_n") != NULL &&
			     add_interval(x, "delivery_prob_interval", ci) == 0 &&
			     add_interval(x, "delivery_prob_by_max_rounds_interval", at_max) == 0;
		}
		if (ok && req->interval > 0)
			ok = add_number_or_null(x, "seconds", !reached ? NAN
							      : timed(req) ? row->time * req->interval
							      : (double)row->rounds * req->interval) == 0;
		if (ok && req->message_bytes > 0)
			ok = add_number_or_null(x, "bytes_per_broadcast",
						row->messages * (double)req->message_bytes) == 0;
	}
	ok = ok && cJSON_AddStringToObject(o, "model", calc_model_name(req->chosen));
	if (ok && tradeoff_note(req)) {
		char note[1400];
		snprintf(note, sizeof note, "%s", tradeoff_note(req));
		if (req->chosen == CALC_LARGE_N)
			rows_samples_advice(req, note, sizeof note);
		ok = add_note(o, note) == 0;
	}
	return finish_answer(o, req, ok);
}

/* A 128-bit count in decimal: JSON numbers are exact only to 2^53. */
static int add_u128(cJSON *o, const char *name, unsigned __int128 v)
{
	char digits[40], *p = digits + sizeof digits - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	return cJSON_AddStringToObject(o, name, p) ? 0 : -1;
}

/* The methods of the two intervals, as openapi.yaml names them: 0, or -1 if out of memory. */
static int add_interval_methods(cJSON *o)
{
	cJSON *m = cJSON_AddObjectToObject(o, "interval_methods");

	return m && cJSON_AddStringToObject(m, "delivery_rate_ci", SIM_DELIVERY_CI_METHOD) &&
	       cJSON_AddStringToObject(m, "full_delivery_rate_ci", SIM_FULL_CI_METHOD) ? 0 : -1;
}

/* req_render_tally, stopping (NULL) when *cancel is set. */
static cJSON *render_tally(const struct request *req, const struct sim_tally *t, const atomic_int *cancel)
{
	struct sim_summary s;
	struct rounds_to_all r;
	struct times_to_all times;
	cJSON *o = cJSON_CreateObject();
	cJSON *hist;
	int ok = o != NULL;

	sim_summarize(t, &s);
	rounds_from_hist(t->rounds_to_all_hist, tally_last(t), t->trials, &r);
	if (timed(req))
		times_from_tally(req, t, &times);
	ok = ok && add_number(o, "delivery_rate", s.delivery_rate) == 0;
	ok = ok && (isnan(s.avg_rounds_to_all)
		    ? cJSON_AddNullToObject(o, "avg_rounds_to_all") != NULL
		    : add_number(o, "avg_rounds_to_all", s.avg_rounds_to_all) == 0);
	ok = ok && add_interval(o, "delivery_rate_ci", s.delivery_ci) == 0;
	ok = ok && add_number(o, "full_delivery_rate", s.full_rate) == 0;
	ok = ok && add_interval(o, "full_delivery_rate_ci", s.full_ci) == 0;
	ok = ok && add_interval_methods(o) == 0;
	ok = ok && add_number(o, "trials_full", (double)t->trials_full) == 0;
	ok = ok && add_number(o, "trials", (double)t->trials) == 0;
	ok = ok && add_number(o, "first_trial", (double)req->first_trial) == 0;
	ok = ok && add_number(o, "messages_mean", s.messages_mean) == 0;
	ok = ok && add_number(o, "seed", (double)req->seed) == 0;
	ok = ok && cJSON_AddStringToObject(o, "model", "simulation");
	/* Seeds (above 0) are not interchangeable with the others: sim_fast_run hands their trials to the agent. */
	ok = ok && cJSON_AddStringToObject(o, "simulator", req->params.seed_gossip && req->params.seeds > 0 ? "agent" : "fast");
	ok = ok && add_number(o, "informed_sum", (double)t->informed_sum) == 0;
	ok = ok && add_number(o, "rounds_to_all_sum", (double)t->rounds_to_all_sum) == 0;
	ok = ok && add_number(o, "messages_sum", (double)t->messages_sum) == 0;
	ok = ok && add_u128(o, "informed_sq_sum", t->informed_sq_sum) == 0;
	if (ok && timed(req))
		ok = add_transmits(o, t) == 0;
	ok = ok && (timed(req) ? add_times(o, "rounds_to_all", &times, 1) : add_rounds(o, "rounds_to_all", &r, 1)) == 0;
	if (ok && timed(req))
		ok = add_hist_bin(o, req) == 0;
	ok = ok && (hist = cJSON_AddArrayToObject(o, "rounds_to_all_hist")) != NULL;
	for (int64_t k = 0; ok && k <= tally_last(t); k++) {
		cJSON *n = render_cancelled(cancel, k) ? NULL : cJSON_CreateNumber((double)t->rounds_to_all_hist[k]);
		ok = n && cJSON_AddItemToArray(hist, n);
		if (!ok)
			cJSON_Delete(n);
	}
	ok = ok && add_time_and_bytes(o, req, &r, timed(req) ? &times : NULL, s.messages_mean,
				      req->params.fanout) == 0;
	if (ok && req->curve)
		ok = add_curve(o, req, NULL, t, cancel) == 0;
	return finish_answer(o, req, ok);
}

cJSON *req_render_tally(const struct request *req, const struct sim_tally *t)
{
	return render_tally(req, t, NULL);
}

cJSON *req_render_calc(const struct request *req, const struct req_result *res, const atomic_int *cancel)
{
	if (req->solve_for != REQ_SOLVE_FANOUT)
		return render_solve(req, &res->solve);
	return render_calc(req, &res->calc, res->has_chain ? &res->chain : NULL,
			   res->has_tally ? &res->tally : NULL, res->lt_pts, res->lt_informed, res->lt_samples, cancel);
}

cJSON *req_render_tradeoff(const struct request *req, const struct req_result *res,
			   const atomic_int *cancel)
{
	struct request as_run = *req;

	as_run.chosen = res->chosen;   /* auto's fallback may have run another model */
	return render_tradeoff(&as_run, &res->trade, cancel);
}

cJSON *req_render_sim(const struct request *req, const struct req_result *res, const atomic_int *cancel)
{
	return render_tally(req, &res->tally, cancel);
}

/*
 * Member `name` of o (o itself when name is NULL) as a whole number in
 * 0 … 2^53 (exact in a double); -1 if it is not one.
 */
static int read_count(const cJSON *o, const char *name, uint64_t *out)
{
	const cJSON *v = name ? cJSON_GetObjectItemCaseSensitive(o, name) : o;

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 0x1p53) ||
	    floor(v->valuedouble) != v->valuedouble)
		return -1;
	*out = (uint64_t)v->valuedouble;
	return 0;
}

/* The count behind a rate: k with k / d == rate, d < 2^53, or -1. */
static int64_t read_rate(const cJSON *o, const char *name, double d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || !(d < 0x1p53))
		return -1;
	return (int64_t)llround(v->valuedouble * d);
}

/*
 * Reads a timed answer's curve back into t by position (its times are the
 * grid's, checked when the tally renders again).  0, or -1 if it is not one.
 */
static int read_timed_curve(const cJSON *curve, int64_t first, const char *full_name, struct sim_tally *t)
{
	const cJSON *pt;
	int64_t b = first;

	if (!cJSON_IsArray(curve) || cJSON_GetArraySize(curve) != tally_last(t) - first + 1)
		return -1;
	cJSON_ArrayForEach(pt, curve) {
		t->informed_by_round[b] = (uint64_t)read_rate(pt, "informed_fraction",
							      (double)t->trials * (double)t->live);
		t->full_by_round[b] = read_rate(pt, full_name, (double)t->trials);
		b++;
	}
	return 0;
}

int req_read_tally(const struct request *req, const cJSON *answer, struct sim_tally *t)
{
	const cJSON *sq = cJSON_GetObjectItemCaseSensitive(answer, "informed_sq_sum");
	const cJSON *curve = cJSON_GetObjectItemCaseSensitive(answer, "curve");
	const cJSON *hist = cJSON_GetObjectItemCaseSensitive(answer, "rounds_to_all_hist"), *count;
	int64_t round = 0;
	uint64_t trials, full;
	char *want, *got;
	cJSON *again;
	int same;

	if (read_count(answer, "trials", &trials) < 0 || read_count(answer, "trials_full", &full) < 0 ||
	    read_count(answer, "informed_sum", &t->informed_sum) < 0 ||
	    read_count(answer, "rounds_to_all_sum", &t->rounds_to_all_sum) < 0 ||
	    read_count(answer, "messages_sum", &t->messages_sum) < 0 || !cJSON_IsString(sq) ||
	    !sq->valuestring[0] || strspn(sq->valuestring, "0123456789") != strlen(sq->valuestring) ||
	    strlen(sq->valuestring) > 38 || trials == 0)
		return -1;
	if (timed(req) && (read_count(answer, "transmits_sum", &t->transmits_sum) < 0 ||
			   read_count(answer, "probe_transmits_sum", &t->probe_transmits_sum) < 0))
		return -1;
	t->trials = (int64_t)trials;
	t->trials_full = (int64_t)full;
	t->informed_sq_sum = 0;
	for (const char *c = sq->valuestring; *c; c++)
		t->informed_sq_sum = t->informed_sq_sum * 10 + (unsigned)(*c - '0');
	if (!cJSON_IsArray(hist) || cJSON_GetArraySize(hist) != tally_last(t) + 1)
		return -1;
	for (count = hist->child; count; count = count->next, round++) {
		uint64_t k;
		if (read_count(count, NULL, &k) < 0)
			return -1;
		t->rounds_to_all_hist[round] = (int64_t)k;
	}
	if (req->curve && timed(req)) {
		if (read_timed_curve(curve, 1, "full_delivery_rate", t) < 0)
			return -1;
	} else if (req->curve) {
		const cJSON *pt;
		if (!cJSON_IsArray(curve))
			return -1;
		cJSON_ArrayForEach(pt, curve) {
			uint64_t r;
			if (read_count(pt, "round", &r) < 0 || r > (uint64_t)t->rounds)
				return -1;
			t->informed_by_round[r] = (uint64_t)read_rate(pt, "informed_fraction",
								      (double)t->trials * (double)t->live);
			t->full_by_round[r] = read_rate(pt, "full_delivery_rate", (double)t->trials);
		}
	}
	/* The proof that nothing was lost: the tally renders as the answer it came from. */
	again = req_render_tally(req, t);
	want = cJSON_PrintUnformatted(answer);
	got = again ? cJSON_PrintUnformatted(again) : NULL;
	same = want && got && strcmp(want, got) == 0;
	cJSON_free(want);
	cJSON_free(got);
	cJSON_Delete(again);
	return same ? 0 : -1;
}
