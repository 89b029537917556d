/* SPDX-License-Identifier: MIT */
/*
 * estimates.c — the work estimates against measured CPU time, over a
 * randomized grid (fixed seed), for every calc_fanout model and the fast
 * simulator.  Prints one line per model: cases, median and worst ratio of
 * measured to estimated time (1 work unit = 1 ns), and the worst case's
 * parameters; and the worst ratio among cases estimated at 1 ms or more,
 * where the services' 0.1 s of slack no longer hides a wrong estimate.  "auto"
 * is left out: the request layer plans it with the exact and mean-field
 * estimates, measured on their own lines.  A case is cut off (and counted as "over") at 20 times its
 * estimate plus 0.2 s.  The guard stops real work at 2 times plus 0.1 s,
 * so "worst" above 2 names cases the services stop as "grew past the budget".
 *
 * A second grid sends whole requests through the request layer (plan,
 * execute, render, print) with curves and long rounds, up to 10^5: there
 * the per-round output and the answer's text are most of the work, and
 * req_plan's estimate must cover them.  It prints the same columns per
 * operation, then the worst ratio over every case of 1 ms or more.
 *
 * A third grid runs the fast simulator under independent timers (CASES / 2).
 *
 * Usage: estimates [CASES] [SEED] [timers]   (default 300 cases, seed 1;
 *        "timers": the third grid alone)
 *        estimates fleet [MAX_NODES]   (issue 19's table: tradeoff with each
 *        memberlist preset at N = 30 … 10^6 (or MAX_NODES), targets 0.99 and
 *        0.9999, through the request layer with two simulation threads (as
 *        fanoutd's default): the model chosen, the estimate (wall time), the
 *        CPU seconds of every thread and the ratio of half of them to it, and
 *        whether the estimate is within the default budget FO_DEFAULT_WORK_BUDGET)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fanout/calc.h"
#include "fanout/rng.h"
#include "fanout/sim.h"
#include "request.h"
#include "settings.h"

#define MAX_ESTIMATE 3e8  /* cases estimated above 0.3 s are skipped, to keep the run short */
#define CUTOFF_FACTOR 20
#define CUTOFF_SLACK 0.2

/* The fleet table runs niced on a shared machine: its cut-off (wall time) is far looser. */
static double cutoff_factor = CUTOFF_FACTOR;

/* What run_request measures: the calling thread's CPU time, or (fleet) the process's, every thread's. */
static clockid_t measured_clock = CLOCK_THREAD_CPUTIME_ID;

struct watch {
	atomic_int cancel, done;
	double limit;           /* seconds */
};

static double now_s(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *watcher(void *arg)
{
	struct watch *w = arg;
	double start = now_s(CLOCK_MONOTONIC);
	const struct timespec tick = { 0, 2 * 1000 * 1000 };

	while (!atomic_load(&w->done)) {
		if (now_s(CLOCK_MONOTONIC) - start > w->limit) {
			atomic_store(&w->cancel, 1);
			break;
		}
		nanosleep(&tick, NULL);
	}
	return NULL;
}

struct stats {
	const char *name;
	double ratios[4096];
	int n, over, big;
	double worst, worst_big;
	char worst_case[256], worst_big_case[256];
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}


static void record(struct stats *st, double est, double secs, int cut, const char *desc)
{
	double ratio = secs / (est * 1e-9);

	if (st->n < 4096)
		st->ratios[st->n++] = ratio;
	st->over += cut;
	if (est >= 1e6) {
		st->big++;
		if (ratio > st->worst_big) {
			st->worst_big = ratio;
			snprintf(st->worst_big_case, sizeof st->worst_big_case, "%s (est %.3g s, took %.3g s%s)",
				 desc, est * 1e-9, secs, cut ? ", cut off" : "");
		}
	}
	if (ratio > st->worst) {
		st->worst = ratio;
		snprintf(st->worst_case, sizeof st->worst_case, "%s (est %.3g s, took %.3g s%s)", desc,
			 est * 1e-9, secs, cut ? ", cut off" : "");
	}
}

/* Runs one case under the cut-off; its CPU seconds, *cut set if it was cut off. */
static double run(int model, const struct gossip_params *p, double target, int64_t trials, double est,
		  int *cut)
{
	struct watch w = { 0 };
	pthread_t t;
	double start, secs;
	enum fo_status st;

	w.limit = CUTOFF_FACTOR * est * 1e-9 + CUTOFF_SLACK;
	pthread_create(&t, NULL, watcher, &w);
	start = now_s(CLOCK_THREAD_CPUTIME_ID);
	if (model >= 0) {
		struct calc_answer a;
		st = calc_fanout(p, (enum calc_model)model, target, 1e18, &w.cancel, &a);
	} else {
		struct sim_tally tally;
		st = sim_tally_init(&tally, p, 0);
		if (st == FO_OK) {
			st = sim_fast_run(p, 1, 0, trials, 1, &w.cancel, &tally);
			sim_tally_release(&tally);
		}
	}
	secs = now_s(CLOCK_THREAD_CPUTIME_ID) - start;
	atomic_store(&w.done, 1);
	pthread_join(t, NULL);
	*cut = st == FO_CANCELLED;
	return secs;
}

/* A whole request: plan, execute, render, print; its CPU seconds, *cut 1 if cut off, 2 if it failed. */
static double run_request(const struct request *req, const struct req_limits *lim, int *cut)
{
	struct watch w = { 0 };
	struct req_error err;
	pthread_t t;
	double start, secs;
	cJSON *o;
	char *text;

	w.limit = cutoff_factor * req->work * 1e-9 + CUTOFF_SLACK;
	pthread_create(&t, NULL, watcher, &w);
	start = now_s(measured_clock);
	o = req_execute(req, lim, &w.cancel, &err);
	text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_free(text);
	cJSON_Delete(o);
	secs = now_s(measured_clock) - start;
	atomic_store(&w.done, 1);
	pthread_join(t, NULL);
	*cut = !o ? (err.status == REQ_CANCELLED ? 1 : 2) : 0;
	return secs;
}

/* The second grid: calc_fanout and simulate_gossip with curves, tradeoff, long rounds. */
static void answers(int cases, struct rng *r)
{
	static struct stats st[REQ_OP_COUNT];
	struct req_limits lim = { MAX_ESTIMATE, 1 };
	static const char *const models[] = { "auto", "exact", "mean_field", "large_n" };
	double worst = 0;
	char worst_case[768] = "";

	for (int op = 0; op < REQ_OP_COUNT; op++)
		st[op].name = req_op_name((enum req_op)op);
	for (int i = 0; i < cases; i++) {
		int op = (int)(rng_next(r) % REQ_OP_COUNT);
		int64_t nodes = 2 + (int64_t)exp(rng_unit(r) * log(op == REQ_SIMULATE_GOSSIP ? 1e3 : 1e5));
		int64_t rounds = 1 + (int64_t)exp(rng_unit(r) * log(op == REQ_TRADEOFF ? 1e4 : 1e5));
		char json[320];
		struct request req;
		struct req_error err;
		cJSON *in;
		int cut;

		if (op == REQ_CALC_FANOUT)
			snprintf(json, sizeof json, "{\"nodes\":%lld,\"target_prob\":%g,\"rounds\":%lld,\"curve\":true,"
				 "\"model\":\"%s\",\"loss\":%g}", (long long)nodes,
				 (double[]){ 0.5, 0.9, 0.99 }[rng_next(r) % 3], (long long)rounds,
				 models[rng_next(r) % 4], rng_next(r) % 2 ? 0 : 0.3 * rng_unit(r));
		else if (op == REQ_SIMULATE_GOSSIP)
			snprintf(json, sizeof json, "{\"nodes\":%lld,\"fanout\":%lld,\"rounds\":%lld,\"trials\":%lld,"
				 "\"seed\":1,\"curve\":%s}", (long long)nodes,
				 1 + (long long)(rng_next(r) % (uint64_t)(nodes - 1 < 5 ? nodes - 1 : 5)),
				 (long long)rounds, 1 + (long long)(rng_next(r) % 20),
				 rng_next(r) % 2 ? "true" : "false");
		else
			snprintf(json, sizeof json, "{\"nodes\":%lld,\"target_prob\":%g,\"max_rounds\":%lld,"
				 "\"model\":\"%s\"}", (long long)nodes, (double[]){ 0.5, 0.9, 0.99 }[rng_next(r) % 3],
				 (long long)rounds, rng_next(r) % 2 ? "mean_field" : "auto");
		in = cJSON_Parse(json);
		if (req_prepare((enum req_op)op, in, &lim, &req, &err) == REQ_OK && req.work > 0) {
			double secs = run_request(&req, &lim, &cut);
			cut = cut == 1;
			record(&st[op], req.work, secs, cut, json);
			if (req.work >= 1e6 && secs / (req.work * 1e-9) > worst) {
				worst = secs / (req.work * 1e-9);
				snprintf(worst_case, sizeof worst_case, "%s %s (est %.3g s, took %.3g s)",
					 req_op_name((enum req_op)op), json, req.work * 1e-9, secs);
			}
		}
		cJSON_Delete(in);
	}
	printf("\nwhole requests (plan, execute, render, print), curves and long rounds:\n");
	printf("%-16s %6s %8s %8s %6s %10s  %s\n", "operation", "cases", "median", "worst", "cut",
	       ">=1ms:n/worst", "worst case");
	for (int op = 0; op < REQ_OP_COUNT; op++) {
		struct stats *s = &st[op];
		if (!s->n)
			continue;
		qsort(s->ratios, (size_t)s->n, sizeof s->ratios[0], cmp);
		printf("%-16s %6d %8.3f %8.2f %6d %5d/%-7.2f  %s\n", s->name, s->n, s->ratios[s->n / 2], s->worst,
		       s->over, s->big, s->worst_big, s->worst_case);
	}
	printf("worst measured/estimated over the cases of 1 ms or more: %.2f  %s\n", worst, worst_case);
}

/*
 * The third grid: the fast simulator under independent timers (sim_clock.c),
 * every mode, loss, failures, windows, transmit limits and probes, horizons
 * of 1 to 60 intervals, N up to 3e5; its own stream of the seed, so the
 * grids above keep their cases.
 */
static void timed(int cases, uint64_t seed)
{
	static struct stats st = { .name = "simulate (indep.)" };
	struct rng r;

	rng_stream(&r, seed, 1);
	for (int i = 0; i < cases; i++) {
		struct gossip_params p = { 0 };
		int64_t trials;
		int limit, cut;
		double est, secs;
		char desc[200];

		p.nodes = 2 + (int64_t)exp(rng_unit(&r) * log(3e5));
		p.rounds = 1;
		p.timers = GOSSIP_TIMERS_INDEPENDENT;
		p.mode = (enum gossip_mode)(rng_next(&r) % 3);
		p.loss = rng_next(&r) % 2 ? 0 : 0.4 * rng_unit(&r);
		p.failed = (int64_t)((double)(p.nodes - 1) * 0.5 * rng_unit(&r) * (double)(rng_next(&r) % 2));
		limit = (int)(rng_next(&r) % 3);
		p.fanout = 1 + (int64_t)(rng_next(&r) % (uint64_t)(p.nodes - 1 < 8 ? p.nodes - 1 : 8));
		p.probe_interval = rng_next(&r) % 2 ? 0 : 1 + 4 * rng_unit(&r);
		if (limit == 1 && p.probe_interval == 0)
			p.forward_rounds = 1 + (int64_t)(rng_next(&r) % 5);
		else if (limit == 2)
			p.transmit_limit = 1 + (int64_t)(rng_next(&r) % 30);
		p.horizon = 1 + exp(rng_unit(&r) * log(60));
		trials = 1 + (int64_t)(rng_next(&r) % 100);
		if (gossip_params_check(&p, 1, NULL, 0) != 0)
			continue;
		est = sim_fast_cost(&p, trials);
		if (!(est > 0 && est <= MAX_ESTIMATE))
			continue;
		snprintf(desc, sizeof desc, "N=%lld K=%lld %s loss=%.3f F=%lld T=%lld X=%lld P=%.2f H=%.1f trials=%lld",
			 (long long)p.nodes, (long long)p.fanout, gossip_mode_name(p.mode), p.loss, (long long)p.failed,
			 (long long)p.forward_rounds, (long long)p.transmit_limit, p.probe_interval, p.horizon,
			 (long long)trials);
		secs = run(-1, &p, 0, trials, est, &cut);
		record(&st, est, secs, cut, desc);
	}
	printf("\nthe fast simulator under independent timers:\n");
	printf("%-16s %6s %8s %8s %6s %10s  %s\n", "model", "cases", "median", "worst", "cut", ">=1ms:n/worst",
	       "worst case");
	if (st.n) {
		qsort(st.ratios, (size_t)st.n, sizeof st.ratios[0], cmp);
		printf("%-16s %6d %8.3f %8.2f %6d %5d/%-7.2f  %s\n", st.name, st.n, st.ratios[st.n / 2], st.worst,
		       st.over, st.big, st.worst_big, st.worst_case);
		printf("%-16s best (most over-estimated): %.3f\n", "", st.ratios[0]);
	}
}

/* Issue 19's table (see the usage above); cut off at 1000 times the estimate (wall time). */
static int fleet(int64_t max_nodes)
{
	static const char *const presets[] = { "memberlist-lan", "memberlist-wan", "memberlist-local" };
	static const double targets[] = { 0.99, 0.9999 };
	static const int64_t sizes[] = { 30, 1000, 10000, 100000, 1000000 };
	struct req_limits lim = { FO_DEFAULT_WORK_BUDGET, 2 };

	cutoff_factor = 1000;
	measured_clock = CLOCK_PROCESS_CPUTIME_ID;
	printf("%-17s %8s %7s %-10s %10s %9s %7s %6s %s\n", "preset", "nodes", "target", "model", "estimate_s",
	       "cpu_s", "ratio", "fits", "status");
	for (size_t pi = 0; pi < sizeof presets / sizeof *presets; pi++)
		for (size_t ni = 0; ni < sizeof sizes / sizeof *sizes && sizes[ni] <= max_nodes; ni++)
			for (size_t ti = 0; ti < sizeof targets / sizeof *targets; ti++) {
				char json[200];
				struct request req;
				struct req_error err;
				cJSON *in;
				int cut = 0;
				double secs = NAN;

				snprintf(json, sizeof json, "{\"preset\":\"%s\",\"nodes\":%lld,\"target_prob\":%g}",
					 presets[pi], (long long)sizes[ni], targets[ti]);
				in = cJSON_Parse(json);
				/* Planned with no limit (its estimate shown), run within the default budget. */
				lim.work_budget = 1e12;
				enum req_status planned = req_prepare(REQ_TRADEOFF, in, &lim, &req, &err);
				lim.work_budget = FO_DEFAULT_WORK_BUDGET;
				if (planned == REQ_OK)
					secs = run_request(&req, &lim, &cut);
				else
					req.work = err.estimate;
				printf("%-17s %8lld %7g %-10s %10.3g %9.3g %7.2f %6s %s\n", presets[pi],
				       (long long)sizes[ni], targets[ti], calc_model_name(req.chosen), req.work * 1e-9, secs,
				       secs / lim.sim_threads / (req.work * 1e-9), req.work <= FO_DEFAULT_WORK_BUDGET ? "yes" : "no",
				       isnan(secs) ? "refused" : cut == 1 ? "cut off" : cut ? "failed" : "ok");
				fflush(stdout);
				cJSON_Delete(in);
			}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "fleet") == 0)
		return fleet(argc > 2 ? strtoll(argv[2], NULL, 10) : 1000000);
	int cases = argc > 1 ? atoi(argv[1]) : 300;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	static struct stats st[CALC_MODEL_COUNT + 1];
	struct rng r;

	if (argc > 3 && strcmp(argv[3], "timers") == 0) {
		timed(cases / 2, seed);
		return 0;
	}
	rng_stream(&r, seed, 0);
	for (int m = 0; m < CALC_MODEL_COUNT; m++)
		st[m].name = calc_model_name((enum calc_model)m);
	st[CALC_MODEL_COUNT].name = "simulate (fast)";
	for (int i = 0; i < cases; i++) {
		struct gossip_params p = { 0 };
		double target = (double[]){ 0.5, 0.9, 0.99, 0.999999 }[rng_next(&r) % 4];
		int64_t trials = 1 + (int64_t)(rng_next(&r) % 1000);
		char desc[160];

		p.nodes = 2 + (int64_t)exp(rng_unit(&r) * log(1e6));
		p.rounds = 1 + (int64_t)(rng_next(&r) % 200);
		p.mode = (enum gossip_mode)(rng_next(&r) % 3);
		p.loss = rng_next(&r) % 2 ? 0 : 0.5 * rng_unit(&r);
		p.failed = (int64_t)((double)(p.nodes - 1) * 0.5 * rng_unit(&r) * (rng_next(&r) % 2));
		p.forward_rounds = rng_next(&r) % 2 ? 0 : 1 + (int64_t)(rng_next(&r) % 5);
		p.fanout = 1 + (int64_t)(rng_next(&r) % (uint64_t)(p.nodes - 1 < 50 ? p.nodes - 1 : 50));
		snprintf(desc, sizeof desc, "N=%lld K=%lld R=%lld %s loss=%.3f F=%lld T=%lld target=%g trials=%lld",
			 (long long)p.nodes, (long long)p.fanout, (long long)p.rounds,
			 gossip_mode_name(p.mode), p.loss, (long long)p.failed, (long long)p.forward_rounds,
			 target, (long long)trials);
		for (int m = 0; m <= CALC_MODEL_COUNT; m++) {
			if (m == CALC_AUTO)
				continue;
			double est = m < CALC_MODEL_COUNT ? calc_cost(&p, (enum calc_model)m, target)
							  : sim_fast_cost(&p, trials);
			int cut;
			double secs;
			if (!(est > 0 && est <= MAX_ESTIMATE))
				continue;
			secs = run(m < CALC_MODEL_COUNT ? m : -1, &p, target, trials, est, &cut);
			record(&st[m], est, secs, cut, desc);
		}
	}
	printf("%-16s %6s %8s %8s %6s %10s  %s\n", "model", "cases", "median", "worst", "cut",
	       ">=1ms:n/worst", "worst case");
	for (int m = 0; m <= CALC_MODEL_COUNT; m++) {
		struct stats *s = &st[m];
		if (!s->n)
			continue;
		qsort(s->ratios, (size_t)s->n, sizeof s->ratios[0], cmp);
		printf("%-16s %6d %8.3f %8.2f %6d %5d/%-7.2f  %s\n", s->name, s->n, s->ratios[s->n / 2], s->worst,
		       s->over, s->big, s->worst_big, s->worst_case);
		if (s->big)
			printf("%-16s %6s %8s %8s %6s %10s  >=1ms: %s\n", "", "", "", "", "", "", s->worst_big_case);
	}
	answers(cases, &r);
	timed(cases / 2, seed);
	return 0;
}
