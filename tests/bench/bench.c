/* SPDX-License-Identifier: MIT */
/*
 * bench.c — `make bench`: the simulators and calculators on a fixed table of
 * workloads, side by side in one run, with the comparisons printed.
 *
 *   bench FANOUTD GOSSIP_SIM_PY [NUMPY_COMMAND]
 *
 * For each simulation workload: the fast simulator on 1 and 2 threads, the
 * agent-based reference simulator and the plain Python simulation
 * (tests/bench/gossip_sim.py) on fewer trials, compared per trial; the
 * throughput in trials/s and node-rounds/s, nanoseconds per informed node,
 * and whether the fast and agent answers agree within their intervals.  Then
 * the exact, mean-field and formula calculators, the exact chain against its
 * speed targets (issue 8), and one large simulation through a fanoutd
 * started on 127.0.0.1.  Last, issue 22's table (bench_issue22), one "ROW"
 * line a row, each row against its anchor measured in the same run (the
 * numpy simulation is NUMPY_COMMAND, e.g. "python3 tests/bench/gossip_numpy.py";
 * without it that row says it could not run); tests/bench/perf_table.py
 * turns them into docs/PERFORMANCE.md's table.  BENCH_TABLE_ONLY=1 in the
 * environment runs that table alone.  Timings are wall time on this machine
 * and noisy: read the ratios, not the absolute numbers.
 */
#define _DEFAULT_SOURCE /* popen, kill */

#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fanout/calc.h"
#include "fanout/exact.h"
#include "fanout/sim.h"

struct workload {
	const char *name;
	struct gossip_params p;
	int64_t trials, agent_trials, python_trials;
};

static const struct workload table[] = {
	/* name                 N  K  R  mode  loss  F  T  X        trials, agent, python */
	{ "push 1e5", { 100000, 3, 100, GOSSIP_PUSH, 0, 0, 0, 0 }, 200, 5, 1 },
	{ "push_pull 1e4 loss", { 10000, 4, 30, GOSSIP_PUSH_PULL, 0.1, 100, 0, 0 }, 1000, 40, 2 },
	{ "push 1e3 window", { 1000, 2, 20, GOSSIP_PUSH, 0.2, 10, 3, 0 }, 20000, 1000, 20 },
	{ "pull 1e4", { 10000, 2, 40, GOSSIP_PULL, 0.1, 0, 0, 0 }, 20000, 50, 2 },
	{ "push 1e6", { 1000000, 3, 100, GOSSIP_PUSH, 0, 0, 0, 0 }, 100, 1, 0 },
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef enum fo_status (*runner)(const struct gossip_params *p, int64_t trials, int threads,
				 struct sim_tally *t);

static enum fo_status run_fast(const struct gossip_params *p, int64_t trials, int threads,
			       struct sim_tally *t)
{
	return sim_fast_run(p, 1, 0, trials, threads, NULL, t);
}

static enum fo_status run_agent(const struct gossip_params *p, int64_t trials, int threads,
				struct sim_tally *t)
{
	(void)threads;
	return sim_agent_run(p, 2, 0, trials, NULL, t);
}

/*
 * Runs `repeat` times and returns the shortest time in seconds (the least
 * disturbed by whatever else the machine does); fills *s.
 */
static double timed(runner run, const struct gossip_params *p, int64_t trials, int threads,
		    int repeat, struct sim_summary *s)
{
	double best = INFINITY;

	for (int k = 0; k < repeat; k++) {
		struct sim_tally t;
		double start;
		if (sim_tally_init(&t, p, 0) != FO_OK)
			exit(1);
		start = now();
		if (run(p, trials, threads, &t) != FO_OK)
			exit(1);
		best = fmin(best, now() - start);
		sim_summarize(&t, s);
		sim_tally_release(&t);
	}
	return best;
}

/* Seconds per trial of the Python simulation, or NaN if it could not run. */
static double python_per_trial(const char *script, const struct workload *w)
{
	static const char *const modes[] = { "push", "pull", "push_pull" };
	char cmd[512], out[4096];
	size_t len;
	FILE *f;
	const char *at;

	if (w->python_trials == 0)
		return NAN;
	snprintf(cmd, sizeof cmd,
		 "python3 %s --nodes %lld --fanout %lld --rounds %lld --trials %lld --mode %s --loss %g "
		 "--failed-nodes %lld%s%.0lld --seed 3",
		 script, (long long)w->p.nodes, (long long)w->p.fanout, (long long)w->p.rounds,
		 (long long)w->python_trials, modes[w->p.mode], w->p.loss, (long long)w->p.failed,
		 w->p.forward_rounds ? " --forward-rounds " : "", (long long)w->p.forward_rounds);
	f = popen(cmd, "r");
	if (!f)
		return NAN;
	len = fread(out, 1, sizeof out - 1, f);
	out[len] = '\0';
	pclose(f);
	at = strstr(out, "\"seconds_per_trial\":");
	return at ? strtod(at + 20, NULL) : NAN;
}

/* |a - b| in combined standard errors, from two 95% intervals. */
static double z_apart(double a, const double ci_a[2], double b, const double ci_b[2])
{
	double se = hypot((ci_a[1] - ci_a[0]) / 3.92, (ci_b[1] - ci_b[0]) / 3.92);

	return se > 0 ? fabs(a - b) / se : (a == b ? 0 : INFINITY);
}

static void bench_simulators(const char *script)
{
	printf("\n== Simulation (per trial; speed-ups are per trial, measured in this run)\n");
	printf("%-20s %10s %10s %10s %10s %8s %9s %9s %11s %12s %8s %7s\n", "workload", "fast 1t",
	       "fast 2t", "agent", "python", "2t/1t", "vs agent", "vs python", "trials/s", "node-rnds/s",
	       "ns/node", "agree z");
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct workload *w = &table[i];
		struct sim_summary fast, fast2, agent;
		double t1 = timed(run_fast, &w->p, w->trials, 1, 3, &fast) / (double)w->trials;
		double t2 = timed(run_fast, &w->p, w->trials, 2, 3, &fast2) / (double)w->trials;
		double ta = timed(run_agent, &w->p, w->agent_trials, 1, 1, &agent) / (double)w->agent_trials;
		double tp = python_per_trial(script, w);
		double informed = fast.delivery_rate * (double)gossip_live(&w->p);
		double z = fmax(z_apart(fast.full_rate, fast.full_ci, agent.full_rate, agent.full_ci),
				z_apart(fast.delivery_rate, fast.delivery_ci, agent.delivery_rate, agent.delivery_ci));

		char py[16] = "-", vs_py[16] = "-";
		if (!isnan(tp)) {
			snprintf(py, sizeof py, "%.3gs", tp);
			snprintf(vs_py, sizeof vs_py, "%.0fx", tp / t1);
		}
		printf("%-20s %9.3gs %9.3gs %9.3gs %10s %7.2fx %8.0fx %9s %11.4g %12.4g %8.1f %7.2f\n",
		       w->name, t1, t2, ta, py, t1 / t2, ta / t1, vs_py, 1 / t2,
		       (double)w->p.nodes * (double)w->p.rounds / t2, t1 * 1e9 / informed, z);
	}
	printf("(fast 1t/2t: one and two threads, best of 3 runs; agent, python: the same model,\n"
	       " fewer trials, one run;\n"
	       " vs agent/python: their time per trial over fast 1t; trials/s and node-rounds/s\n"
	       " with 2 threads; ns/node: fast 1t time per informed node; agree z: the larger\n"
	       " gap between fast and agent in full-delivery and delivery rate, in standard errors;\n"
	       " python \"-\": not run, a trial would take minutes)\n");
}

/* The exact chain's speed targets (issue 8), each run once with a time cap. */
static const struct exact_target {
	struct gossip_params p;
	double target, cap; /* seconds: the goal, and when to give up */
} exact_targets[] = {
	/*  N        K  R   mode              loss F  T  X    target cap */
	{ { 1000000, 2, 20, GOSSIP_PULL, 0, 0, 0, 0 }, 1, 20 },
	{ { 100000, 2, 12, GOSSIP_PUSH_PULL, 0, 0, 0, 0 }, 5, 30 },
	{ { 100000, 3, 20, GOSSIP_PUSH, 0, 0, 0, 0 }, 3, 30 },
	{ { 1000000, 3, 20, GOSSIP_PUSH, 0, 0, 0, 0 }, 60, 120 },
};

struct capped_run {
	const struct gossip_params *p;
	atomic_int cancel, done;
	double cpu; /* seconds of CPU the run's thread used */
	struct chain_result r;
	enum fo_status st;
};

static void *capped_thread(void *arg)
{
	struct capped_run *c = arg;

	struct timespec t;

	c->st = exact_run(c->p, &c->cancel, &c->r);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	c->cpu = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
	atomic_store(&c->done, 1);
	return NULL;
}

/* exact_run in a thread, cancelled after `cap` seconds; returns the seconds it took. */
static double capped_exact(struct capped_run *c, double cap)
{
	pthread_t th;
	double start = now(), t;
	struct timespec tick = { 0, 5000000 };

	atomic_init(&c->cancel, 0);
	atomic_init(&c->done, 0);
	if (pthread_create(&th, NULL, capped_thread, c) != 0)
		exit(1);
	while (!atomic_load(&c->done)) {
		if (now() - start > cap)
			atomic_store(&c->cancel, 1);
		nanosleep(&tick, NULL);
	}
	t = now() - start;
	pthread_join(th, NULL);
	return t;
}

static void bench_exact(void)
{
	static const char *const modes[] = { "push", "pull", "push_pull" };
	struct gossip_params small = { 2000, 2, 12, GOSSIP_PUSH_PULL, 0.1, 20, 0, 0 };
	struct chain_result fast, ref;
	double t_fast, t_ref;

	printf("\n== Exact chain against its speed targets (one run each, cancelled at the cap)\n");
	printf("%-30s %10s %10s %7s %5s %20s %9s\n", "workload", "wall", "cpu", "target", "met", "P(full) at R",
	       "bound");
	for (size_t i = 0; i < sizeof exact_targets / sizeof exact_targets[0]; i++) {
		const struct exact_target *e = &exact_targets[i];
		struct capped_run c = { .p = &e->p };
		char name[64];
		double t = capped_exact(&c, e->cap);

		snprintf(name, sizeof name, "%s N=%.0e K=%lld R=%lld", modes[e->p.mode], (double)e->p.nodes,
			 (long long)e->p.fanout, (long long)e->p.rounds);
		if (c.st == FO_OK) {
			printf("%-30s %9.3fs %9.3fs %6.0fs %5s %20.15f %9.1e\n", name, t, c.cpu, e->target,
			       c.cpu < e->target ? "yes" : "NO", c.r.p_full[e->p.rounds], c.r.round_bound[e->p.rounds]);
			chain_result_release(&c.r);
		} else {
			printf("%-30s %9.3fs %9.3fs %6.0fs %5s %20s %9s\n", name, t, c.cpu, e->target, "NO",
			       c.st == FO_CANCELLED ? "(cancelled at cap)" : "(failed)", "-");
		}
	}
	printf("(cpu: the computing thread's CPU time, what the run takes with a core to itself;\n"
	       " met: cpu below the target; wall is inflated when the machine is shared)\n");
	t_fast = now();
	exact_run(&small, NULL, &fast);
	t_fast = now() - t_fast;
	t_ref = now();
	exact_run_reference(&small, &ref);
	t_ref = now() - t_ref;
	printf("push_pull N=2000 K=2 R=12 loss 0.1 F=20: fast %.1f ms, one row per state %.1f ms (%.0fx);"
	       " P(full) %.15f vs %.15f\n", t_fast * 1e3, t_ref * 1e3, t_ref / t_fast, fast.p_full[12],
	       ref.p_full[12]);
	chain_result_release(&fast);
	chain_result_release(&ref);
}

static void bench_calculators(void)
{
	struct gossip_params p = { 1000, 0, 10, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct calc_answer a;
	struct chain_result r;
	double t;

	printf("\n== Calculators\n");
	t = now();
	calc_fanout(&p, CALC_EXACT, 0.999, HUGE_VAL, NULL, &a);
	t = now() - t;
	printf("calc_fanout exact      N=1000 R=10 p=0.999: K=%lld P=%.9f bound %.1e, %lld evaluations, %.1f ms\n",
	       (long long)a.fanout, a.delivery_prob, a.error_bound, (long long)a.evaluations, t * 1e3);
	p = (struct gossip_params){ 2000, 3, 12, GOSSIP_PUSH, 0, 0, 0, 0 };
	t = now();
	exact_run(&p, NULL, &r);
	t = now() - t;
	printf("exact chain            N=2000 K=3 R=12: P(full)=%.12f bound %.1e, %.1f ms\n", r.p_full[12],
	       r.round_bound[12], t * 1e3);
	chain_result_release(&r);
	p = (struct gossip_params){ 20000, 3, 15, GOSSIP_PUSH, 0.1, 200, 0, 0 };
	t = now();
	exact_run(&p, NULL, &r);
	t = now() - t;
	printf("exact chain            N=20000 K=3 R=15 loss 0.1 F=200: P(full)=%.9f bound %.1e, %.1f ms\n",
	       r.p_full[15], r.round_bound[15], t * 1e3);
	chain_result_release(&r);
	p = (struct gossip_params){ 1000000, 0, 30, GOSSIP_PUSH, 0, 0, 0, 0 };
	t = now();
	calc_fanout(&p, CALC_MEAN_FIELD, 0.99, HUGE_VAL, NULL, &a);
	t = now() - t;
	printf("calc_fanout mean_field N=1e6 R=30 p=0.99: K=%lld P=%.6f, %.3f ms\n", (long long)a.fanout,
	       a.delivery_prob, t * 1e3);
	t = now();
	calc_fanout(&p, CALC_FORMULA, 0.99, HUGE_VAL, NULL, &a);
	t = now() - t;
	printf("calc_fanout formula    N=1e6 R=30 p=0.99: K=%lld, %.3f ms\n", (long long)a.fanout, t * 1e3);
}

/* Seconds per trial of `cmd` (a script printing seconds_per_trial), or NaN. */
static double script_per_trial(const char *cmd)
{
	char out[4096];
	size_t len;
	FILE *f = popen(cmd, "r");
	const char *at;

	if (!f)
		return NAN;
	len = fread(out, 1, sizeof out - 1, f);
	out[len] = '\0';
	pclose(f);
	at = strstr(out, "\"seconds_per_trial\":");
	return at ? strtod(at + 20, NULL) : NAN;
}

/*
 * One row of issue 22's table, tab-separated after "ROW", for
 * tests/bench/perf_table.py: workload, measured, anchor, ratio, goal, met.
 */
static void row(const char *workload, const char *measured, const char *anchor, const char *ratio,
		const char *goal, int met)
{
	printf("ROW\t%s\t%s\t%s\t%s\t%s\t%s\n", workload, measured, anchor, ratio, goal,
	       met ? "met" : "not met");
}

/* Seconds as "12.3 ms" or "4.56 s". */
static const char *secs(double t, char *buf, size_t n)
{
	if (t < 1)
		snprintf(buf, n, "%.3g ms", t * 1e3);
	else
		snprintf(buf, n, "%.3g s", t);
	return buf;
}

/* A speed-up row: anchor / fast per trial against the goal (at least `goal` times). */
static void ratio_row(const char *workload, double fast, const char *anchor_name, double anchor, double goal)
{
	char measured[64], anc[96], ratio[32], want[32], t[32];

	snprintf(measured, sizeof measured, "%s per trial", secs(fast, t, sizeof t));
	snprintf(want, sizeof want, ">= %.0fx", goal);
	if (isnan(anchor)) {
		snprintf(anc, sizeof anc, "%s: could not run", anchor_name);
		row(workload, measured, anc, "-", want, 0);
		return;
	}
	snprintf(anc, sizeof anc, "%s %s per trial", anchor_name, secs(anchor, t, sizeof t));
	snprintf(ratio, sizeof ratio, "%.0fx", anchor / fast);
	row(workload, measured, anc, ratio, want, anchor / fast >= goal);
}

/*
 * Issue 22's table, each row against its anchor measured here: push N=1e5
 * per trial against the plain-Python and the numpy simulation, N=1e6 x 100
 * trials, the independent-timer sampler against the aligned one (N=1e5 and
 * N=1e6, the two alternated), and the exact push_pull K search against the same search on one
 * thread (the search before issue 22 evaluated its K one after the other).
 * The HTTP row is perf_table.py's (make bench-http).
 */
static void bench_issue22(const char *python, const char *numpy)
{
	const struct gossip_params push = { 100000, 3, 100, GOSSIP_PUSH, 0, 0, 0, 0 };
	const struct gossip_params big = { 1000000, 3, 100, GOSSIP_PUSH, 0, 0, 0, 0 };
	const struct gossip_params exact = { 100000, 0, 12, GOSSIP_PUSH_PULL, 0, 0, 0, 0 };
	const struct gossip_params aligned = { 100000, 3, 30, GOSSIP_PUSH, 0, 0, 0, 0 };
	struct sim_summary sum;
	struct calc_answer one, two;
	char cmd[512], measured[96], anc[96], ratio[32], t[32], tt[32];
	double t1, t2, fast, tp, tn, tb, s1, s2;
	enum fo_status st1, st2;

	printf("\n== Issue 22's table (each row against its anchor, measured in this run)\n");
	t1 = timed(run_fast, &push, 200, 1, 3, &sum) / 200;
	t2 = timed(run_fast, &push, 200, 2, 3, &sum) / 200;
	fast = fmin(t1, t2);
	snprintf(cmd, sizeof cmd, "python3 %s --nodes 100000 --fanout 3 --rounds 100 --trials 2 --seed 3", python);
	tp = script_per_trial(cmd);
	tn = NAN;
	if (numpy && *numpy) {
		snprintf(cmd, sizeof cmd, "%s --nodes 100000 --fanout 3 --rounds 100 --trials 10 --seed 3", numpy);
		tn = script_per_trial(cmd);
	}
	printf("push N=1e5 K=3 R=100: fast %.3g ms (1 thread) %.3g ms (2 threads) per trial; python %.3g s;"
	       " numpy %.3g s\n", t1 * 1e3, t2 * 1e3, tp, tn);
	ratio_row("simulate push N=1e5 K=3 R=100, vs plain Python", fast, "Python", tp, 2000);
	ratio_row("simulate push N=1e5 K=3 R=100, vs numpy", fast, "numpy", tn, 170);

	tb = timed(run_fast, &big, 100, 2, 2, &sum);
	snprintf(measured, sizeof measured, "%.3g s (2 threads)", tb);
	row("simulate push N=1e6 K=3 R=100 x 100 trials", measured, "-", "-", "<= 0.35 s", tb <= 0.35);

	/*
	 * The independent-timer sampler against the aligned one, one thread
	 * each, the same case: the issue's N = 1e5, and N = 1e6, where the
	 * occupancy draws both share weigh more than the per-slot work.
	 */
	for (int c = 0; c < 2; c++) {
		struct gossip_params al = aligned, indep;
		int64_t trials = c == 0 ? 400 : 30;
		char what[128];
		al.nodes = c == 0 ? 100000 : 1000000;
		indep = al;
		indep.timers = GOSSIP_TIMERS_INDEPENDENT;
		double ta = INFINITY, ti = INFINITY;
		/* Alternated, best of 5 each: a slow spell of the machine then weighs on both sides alike. */
		for (int rep = 0; rep < 5; rep++) {
			ta = fmin(ta, timed(run_fast, &al, trials, 1, 1, &sum) / (double)trials);
			ti = fmin(ti, timed(run_fast, &indep, trials, 1, 1, &sum) / (double)trials);
		}
		printf("push N=%s K=3 R=30, one thread: aligned %.3g ms, independent timers %.3g ms per trial\n",
		       c == 0 ? "1e5" : "1e6", ta * 1e3, ti * 1e3);
		snprintf(measured, sizeof measured, "%s per trial", secs(ti, t, sizeof t));
		snprintf(anc, sizeof anc, "aligned timers %s per trial", secs(ta, tt, sizeof tt));
		snprintf(ratio, sizeof ratio, "%.1fx", ti / ta);
		snprintf(what, sizeof what, "simulate push N=%s K=3 R=30, independent timers vs aligned (1 thread)",
			 c == 0 ? "1e5" : "1e6");
		row(what, measured, anc, ratio, "<= 2x", ti <= 2 * ta);
	}

	s1 = now();
	st1 = calc_fanout_mt(&exact, CALC_EXACT, 0.99, HUGE_VAL, 1, NULL, &one);
	s1 = now() - s1;
	s2 = now();
	st2 = calc_fanout_mt(&exact, CALC_EXACT, 0.99, HUGE_VAL, 2, NULL, &two);
	s2 = now() - s2;
	printf("calc_fanout exact push_pull N=1e5 R=12 p=0.99: 1 thread K=%lld P=%.17g (%d) %.3g s;"
	       " 2 threads K=%lld P=%.17g (%d) %.3g s; %lld evaluations\n", (long long)one.fanout,
	       one.delivery_prob, st1, s1, (long long)two.fanout, two.delivery_prob, st2, s2,
	       (long long)two.evaluations);
	snprintf(measured, sizeof measured, "%.3g s (2 threads)", s2);
	snprintf(anc, sizeof anc, "one thread, K in turn: %.3g s", s1);
	snprintf(ratio, sizeof ratio, "%.2fx", s1 / s2);
	row("calc_fanout exact push_pull N=1e5 R=12 p=0.99 (K search)", measured, anc, ratio, "<= 3 s",
	    st1 == FO_OK && st2 == FO_OK && one.fanout == two.fanout &&
	    one.delivery_prob == two.delivery_prob && s2 <= 3);
}

/* Starts fanoutd on a free loopback port; returns its pid and sets *port. */
static pid_t start_fanoutd(const char *path, int *port)
{
	int fds[2];
	pid_t pid;
	char line[256] = "";
	FILE *err;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		execl(path, path, "--port", "0", "--log-format", "text", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	err = fdopen(fds[0], "r");
	if (!err || !fgets(line, sizeof line, err) || sscanf(strstr(line, "port") ? strstr(line, "port") : "",
							       "port %d", port) != 1) {
		kill(pid, SIGKILL);
		return -1;
	}
	return pid; /* the pipe stays open: fanoutd's log is read by nobody, a few lines fit */
}

/* One POST through a fresh connection; returns seconds, or -1; *status gets the HTTP status. */
static double http_post(int port, const char *path, const char *body, int *status)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[1024], resp[4096];
	ssize_t n, got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double t = now();

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	snprintf(req, sizeof req,
		 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
		 path, strlen(body), body);
	if (write(fd, req, strlen(req)) < 0)
		return -1;
	while ((n = read(fd, resp + got, sizeof resp - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	resp[got] = '\0';
	*status = got > 12 ? atoi(resp + 9) : 0;
	return now() - t;
}

static void bench_service(const char *fanoutd)
{
	const char *body = "{\"nodes\":1000000,\"fanout\":3,\"rounds\":100,\"trials\":100,\"seed\":1}";
	int port, status = 0;
	pid_t pid = start_fanoutd(fanoutd, &port);
	double t;

	printf("\n== Through fanoutd (127.0.0.1, defaults)\n");
	if (pid < 0) {
		printf("could not start %s\n", fanoutd);
		return;
	}
	t = http_post(port, "/simulate_gossip", body, &status);
	printf("POST /simulate_gossip %s: HTTP %d in %.3f s\n", body, status, t);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	char cpu[128] = "unknown";
	char line[256];
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0); /* progress through make bench's tee */
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: bench FANOUTD GOSSIP_SIM_PY [NUMPY_COMMAND]\n");
		return 2;
	}
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0) {
			snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	printf("fanout bench: %ld CPUs (%s)\n", sysconf(_SC_NPROCESSORS_ONLN), cpu);
	if (!getenv("BENCH_TABLE_ONLY")) { /* BENCH_TABLE_ONLY=1: issue 22's table alone */
		bench_simulators(argv[2]);
		bench_calculators();
		bench_exact();
		bench_service(argv[1]);
	}
	bench_issue22(argv[2], argc == 4 ? argv[3] : NULL);
	return 0;
}
