/* SPDX-License-Identifier: MIT */
/*
 * points.c — the requests of a fanout run ("points") and what they answer.
 *
 * A point runs in-process through the request layer, or, with --endpoints,
 * as jobs over fanoutd replicas (remote.c): a simulation's trials split into
 * shards by first_trial, every shard's answer checked to hold its tallies
 * exactly (req_read_tally) and the tallies merged (sim_tally_merge), then
 * rendered by the request layer's own renderer, so the split run answers bit
 * for bit what one request would.  --shard writes one such shard for a batch
 * engine and `fanout merge` merges their files the same way.
 */
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "remote.h"
#include "settings.h"

/* ---- one request in-process ------------------------------------------------- */

/* The answer of one request run here; NULL when a signal stopped it; exits on refusal or failure. */
static cJSON *run_local(const struct run *r, const cJSON *fields)
{
	struct request req;
	struct req_error err;
	cJSON *answer;

	if (req_prepare(r->op, fields, &r->lim, &req, &err) != REQ_OK)
		reject(r, &err);
	answer = req_execute(&req, &r->lim, &stop_signal, &err);
	if (!answer && !(err.status == REQ_CANCELLED && atomic_load(&stop_signal)))
		reject(r, &err);
	return answer;
}

/* ---- split simulations ---------------------------------------------------- */

/* Trials [*first, *first + *count) of shard i of n of req's trials. */
static void shard_range(const struct request *req, int64_t i, int64_t n, int64_t *first,
			int64_t *count)
{
	unsigned __int128 t = (unsigned __int128)req->trials;
	int64_t lo = (int64_t)(t * (unsigned __int128)i / (unsigned __int128)n);
	int64_t hi = (int64_t)(t * (unsigned __int128)(i + 1) / (unsigned __int128)n);

	*first = req->first_trial + lo;
	*count = hi - lo;
}

/* fields with first_trial and trials replaced, as a new object. */
static cJSON *shard_fields(const cJSON *fields, int64_t seed, int64_t first, int64_t count)
{
	cJSON *f = need(cJSON_Duplicate(fields, 1));

	cJSON_DeleteItemFromObjectCaseSensitive(f, "seed");
	cJSON_DeleteItemFromObjectCaseSensitive(f, "first_trial");
	cJSON_DeleteItemFromObjectCaseSensitive(f, "trials");
	need(cJSON_AddNumberToObject(f, "seed", (double)seed));
	need(cJSON_AddNumberToObject(f, "first_trial", (double)first));
	need(cJSON_AddNumberToObject(f, "trials", (double)count));
	return f;
}

/*
 * Adds a shard's answer into *merged after checking that it is the answer to
 * trials [first, first + count) of `whole` and holds its tallies exactly.
 * Returns 0, or -1 after saying what is wrong with it (`from` names it).
 */
static int merge_shard(const struct request *whole, int64_t first, int64_t count, const cJSON *answer,
		       struct sim_tally *merged, const char *from)
{
	struct request part = *whole;
	struct sim_tally t;
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(answer, "seed");
	const cJSON *ft = cJSON_GetObjectItemCaseSensitive(answer, "first_trial");
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(answer, "trials");
	int ok;

	part.first_trial = first;
	part.trials = count;
	if (!cJSON_IsNumber(seed) || seed->valuedouble != (double)whole->seed || !cJSON_IsNumber(ft) ||
	    ft->valuedouble != (double)first || !cJSON_IsNumber(tr) || tr->valuedouble != (double)count) {
		fprintf(stderr, "fanout: %s is not the answer for seed %lld, trials %lld from %lld\n", from,
			(long long)whole->seed, (long long)count, (long long)first);
		return -1;
	}
	if (sim_tally_init(&t, &whole->params, whole->curve) != FO_OK)
		die("out of memory");
	ok = req_read_tally(&part, answer, &t) == 0;
	if (ok)
		sim_tally_merge(merged, &t);
	else
		fprintf(stderr, "fanout: %s does not hold its tallies exactly (another version, or "
			"counts past 2^53)\n", from);
	sim_tally_release(&t);
	return ok ? 0 : -1;
}

/* ---- progress ---------------------------------------------------------------- */

struct progress {
	int tty;
	const char *what;
	struct timespec start;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Draws the bar with an ETA on a terminal; nonzero once a signal asked to stop. */
static int show_progress(void *ctx, size_t done, size_t total)
{
	const struct progress *p = ctx;
	int width = 30, filled = total ? (int)((double)done / (double)total * width) : width;
	char eta[32] = "";

	if (!p->tty)
		return atomic_load(&stop_signal);
	if (done > 0 && done < total) {
		double left = seconds_since(&p->start) / (double)done * (double)(total - done);
		if (left < 3600)
			snprintf(eta, sizeof eta, " ETA %dm%02ds", (int)left / 60, (int)left % 60);
		else
			snprintf(eta, sizeof eta, " ETA %.1fh", left / 3600);
	}
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu %s%s\033[K", filled, "##############################",
		width - filled, "", done, total, p->what, eta);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
	return atomic_load(&stop_signal);
}

/* ---- the points of a run ------------------------------------------------------ */

/* Gives every simulation point a seed, so all its shards share it. */
static void fix_seed(struct point *pt)
{
	struct req_limits unbounded = { .work_budget = DBL_MAX, .sim_threads = 1 };
	struct req_error err;

	if (pt->req.op != REQ_SIMULATE_GOSSIP || pt->req.has_seed)
		return;
	req_plan(&pt->req, &unbounded, &err); /* makes the seed; the budget is the servers' */
	cJSON_DeleteItemFromObjectCaseSensitive(pt->fields, "seed");
	need(cJSON_AddNumberToObject(pt->fields, "seed", (double)pt->req.seed));
}

/* The number of shards a point's trials go into on r's endpoints. */
static int64_t shard_count(const struct run *r, const struct request *req)
{
	int64_t per = r->shard_trials;

	if (req->op != REQ_SIMULATE_GOSSIP)
		return 1;
	if (per <= 0)
		per = (req->trials + (int64_t)r->n_endpoints * FO_REMOTE_SHARDS_PER_ENDPOINT - 1) /
		      ((int64_t)r->n_endpoints * FO_REMOTE_SHARDS_PER_ENDPOINT);
	if (per < 1)
		per = 1;
	return (req->trials + per - 1) / per;
}

/* A remote run's state, for the progress callback that finishes points in order. */
struct remote_points {
	const struct run *r;
	struct point *pts;
	size_t n, next;             /* points [0, next) are finished */
	struct remote_job *jobs;
	point_done *done;
	void *ctx;
	struct progress *prog;
};

/* Gives pt its answer from its jobs' answers: the shards merged, or the one answer. */
static void finish_point(const struct run *r, struct point *pt, struct remote_job *jobs)
{
	struct sim_tally merged;

	if (r->op != REQ_SIMULATE_GOSSIP) {
		pt->answer = jobs[pt->first_job].answer;
		jobs[pt->first_job].answer = NULL;
		return;
	}
	if (sim_tally_init(&merged, &pt->req.params, pt->req.curve) != FO_OK)
		die("out of memory");
	for (size_t s = 0; s < pt->n_jobs; s++) {
		int64_t first, count;
		char from[96];
		shard_range(&pt->req, (int64_t)s, (int64_t)pt->n_jobs, &first, &count);
		snprintf(from, sizeof from, "the answer for shard %zu of %zu", s, pt->n_jobs);
		if (merge_shard(&pt->req, first, count, jobs[pt->first_job + s].answer, &merged, from) < 0)
			exit(1);
	}
	pt->answer = need(req_render_tally(&pt->req, &merged));
	sim_tally_release(&merged);
}

/* remote_run's progress: finishes the points whose jobs all answered, in order. */
static int remote_progress_points(void *ctx, size_t done, size_t total)
{
	struct remote_points *rp = ctx;

	while (rp->next < rp->n) {
		struct point *pt = &rp->pts[rp->next];
		size_t s = 0;
		while (s < pt->n_jobs && rp->jobs[pt->first_job + s].answer)
			s++;
		if (s < pt->n_jobs)
			break;
		finish_point(rp->r, pt, rp->jobs);
		if (rp->done)
			rp->done(rp->ctx, rp->next);
		rp->next++;
	}
	return show_progress(rp->prog, done, total);
}

/*
 * Runs every point: in-process one after another, or all their shards at once
 * remotely; `done` (when not NULL) gets each point as soon as it and every
 * point before it have their answers.  Returns how many points (from the
 * first) have their answers: fewer than n when a signal stopped the run.
 */
size_t run_points(const struct run *r, struct point *pts, size_t n, point_done *done, void *ctx)
{
	struct progress prog = { isatty(2) && (r->sweep || r->n_endpoints), NULL, { 0, 0 } };

	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	if (!r->n_endpoints) {
		prog.what = "points";
		for (size_t i = 0; i < n; i++) {
			if (atomic_load(&stop_signal) || !(pts[i].answer = run_local(r, pts[i].fields)))
				return i;
			if (done)
				done(ctx, i);
			if (r->sweep)
				show_progress(&prog, i + 1, n);
		}
		return n;
	}
	size_t n_jobs = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		fix_seed(&pts[i]);
		pts[i].first_job = n_jobs;
		pts[i].n_jobs = (size_t)shard_count(r, &pts[i].req);
		n_jobs += pts[i].n_jobs;
	}
	struct remote_job *jobs = need(calloc(n_jobs, sizeof *jobs));
	struct remote_points rp = { r, pts, n, 0, jobs, done, ctx, &prog };
	char path[64], why[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/%s", req_op_name(r->op));
		for (size_t s = 0; s < pts[i].n_jobs; s++, j++) {
			cJSON *f;
			jobs[j].path = need(strdup(path));
			struct request shard = pts[i].req;
			struct req_error err;
			if (r->op == REQ_SIMULATE_GOSSIP) {
				int64_t first, count;
				shard_range(&pts[i].req, (int64_t)s, (int64_t)pts[i].n_jobs, &first, &count);
				f = shard_fields(pts[i].fields, pts[i].req.seed, first, count);
				shard.trials = count;
			} else {
				f = need(cJSON_Duplicate(pts[i].fields, 1));
			}
			/* Its estimate sets how long a transfer may go without a byte (a stopped replica). */
			jobs[j].work = req_plan(&shard, &r->lim, &err) == REQ_OK ? shard.work : r->lim.work_budget;
			jobs[j].body = need(req_json_print(f));
			cJSON_Delete(f);
		}
	}
	prog.what = "requests";
	if (remote_run(r->endpoints, r->n_endpoints, jobs, n_jobs, FO_REMOTE_PER_ENDPOINT, r->backoff,
		       remote_progress_points, &rp, why, sizeof why) < 0 && !atomic_load(&stop_signal))
		die("%s: %s", r->prog, why);
	remote_progress_points(&rp, 0, 0);
	for (size_t k = 0; k < n_jobs; k++) {
		free((char *)jobs[k].path);
		cJSON_free(jobs[k].body);
		cJSON_Delete(jobs[k].answer);
	}
	free(jobs);
	return rp.next;
}

/* --shard I/N: this shard's answer wrapped with the whole request, for merge. */
int run_shard(struct run *r, cJSON *fields)
{
	struct point pt = { .fields = fields };
	int64_t first, count;
	cJSON *file, *part;
	char *text;

	parse(r, fields, &pt.req);
	if (r->op != REQ_SIMULATE_GOSSIP)
		bad_flag("%s: --shard splits simulations only", r->prog);
	if (!pt.req.has_seed)
		bad_flag("%s: --shard needs --seed, so that every shard draws from the same run", r->prog);
	if (r->shard_count > pt.req.trials)
		bad_flag("%s: --shard %d/%d: more shards than trials", r->prog, r->shard_index, r->shard_count);
	shard_range(&pt.req, r->shard_index, r->shard_count, &first, &count);
	part = shard_fields(fields, pt.req.seed, first, count);
	{
		struct point one = { .fields = part };
		parse(r, part, &one.req);
		if (run_points(r, &one, 1, NULL, NULL) < 1)
			exit(128 + atomic_load(&stop_signal));
		file = need(cJSON_CreateObject());
		need(cJSON_AddStringToObject(file, "fanout_shard", req_op_name(r->op)));
		need(cJSON_AddNumberToObject(file, "index", r->shard_index));
		need(cJSON_AddNumberToObject(file, "count", r->shard_count));
		cJSON_AddItemToObject(file, "request", need(cJSON_Duplicate(fields, 1)));
		cJSON_AddItemToObject(file, "answer", one.answer);
	}
	cJSON_Delete(part);
	text = need(req_json_print(file));
	puts(text);
	cJSON_free(text);
	cJSON_Delete(file);
	return 0;
}

/* fanout merge FILE…: the shards of one run, merged and checked. */
int cmd_merge(struct run *r, int argc, char **argv)
{
	cJSON **files;
	int n = 0, count = -1;
	char *want = NULL;
	struct request whole;
	struct sim_tally merged;
	cJSON *answer;
	int *seen;
	const char *output = NULL;

	r->format = "json";
	files = need(calloc((size_t)argc + 1, sizeof *files));
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *text;
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			r->format = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--format=", 9) == 0) {
			r->format = argv[i] + 9;
			continue;
		}
		if (strcmp(argv[i], "--output") == 0 && i + 1 < argc) {
			output = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--help") == 0) {
			print_usage();
			free(files);
			return 0;
		}
		text = slurp(argv[i], &len);
		if (!text)
			die("merge: cannot read '%s': %s", argv[i], strerror(errno));
		files[n] = req_json_parse(text, len);
		free(text);
		if (!files[n] || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(files[n], "answer")))
			die("merge: '%s' is not a shard written by fanout --shard", argv[i]);
		n++;
	}
	if (strcmp(r->format, "json") && strcmp(r->format, "table") && strcmp(r->format, "csv"))
		bad_flag("merge: '--format' must be json, table or csv, not '%s'", r->format);
	if (!n)
		bad_flag("merge: name the shard files to merge; 'fanout --help' says how they are made");
	write_to(output);
	for (int i = 0; i < n; i++) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(files[i], "count");
		char *req = need(req_json_print(cJSON_GetObjectItemCaseSensitive(files[i], "request")));
		if (i == 0) {
			const cJSON *op = cJSON_GetObjectItemCaseSensitive(files[0], "fanout_shard");
			if (!cJSON_IsString(op) || req_op_parse(op->valuestring, &r->op) < 0 ||
			    r->op != REQ_SIMULATE_GOSSIP || !cJSON_IsNumber(c) || c->valuedouble < 1 ||
			    c->valuedouble > 1e9)
				die("merge: '%s' is not a simulation shard", argv[1]);
			count = (int)c->valuedouble;
			want = req;
			continue;
		}
		if (strcmp(req, want) != 0 || !cJSON_IsNumber(c) || (int)c->valuedouble != count)
			die("merge: the files are shards of different runs (the %d%s differs from the first)",
			    i + 1, i == 1 ? "nd" : i == 2 ? "rd" : "th");
		cJSON_free(req);
	}
	r->prog = "merge";
	parse(r, cJSON_GetObjectItemCaseSensitive(files[0], "request"), &whole);
	if (!whole.has_seed)
		die("merge: the shards' request has no seed");
	if (n != count)
		die("merge: %d shard file(s) given, but the run has %d shards", n, count);
	seen = need(calloc((size_t)count, sizeof *seen));
	if (sim_tally_init(&merged, &whole.params, whole.curve) != FO_OK)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(files[i], "index");
		int64_t first, len;
		char from[300];
		int k = cJSON_IsNumber(idx) ? (int)idx->valuedouble : -1;
		if (k < 0 || k >= count || seen[k]++)
			die("merge: shard index %d is repeated or out of range", k);
		shard_range(&whole, k, count, &first, &len);
		snprintf(from, sizeof from, "shard %d of %d", k, count);
		if (merge_shard(&whole, first, len, cJSON_GetObjectItemCaseSensitive(files[i], "answer"),
				&merged, from) < 0)
			exit(1);
	}
	answer = need(req_render_tally(&whole, &merged));
	print_answer(r, answer);
	cJSON_Delete(answer);
	sim_tally_release(&merged);
	for (int i = 0; i < n; i++)
		cJSON_Delete(files[i]);
	free(files);
	free(seen);
	cJSON_free(want);
	return 0;
}
