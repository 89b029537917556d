/* SPDX-License-Identifier: MIT */
/*
 * remote.h — send many JSON requests to a set of fanoutd endpoints in
 * parallel (libcurl's multi interface), retrying each failed one elsewhere.
 *
 * Used by `fanout --endpoints`: every shard of a split simulation is one job.
 * A job fails over to another endpoint when the connection fails, the
 * transfer stalls, or the answer is a 5xx (saturated, draining, timed out)
 * or a 408/429; any other 4xx is the request's own fault and stops the run,
 * and so does an answer over FO_REMOTE_MAX_ANSWER bytes.
 *
 * Each endpoint keeps its health: a failure rests it (no new job) for a
 * backoff that doubles with each failure in a row, from `backoff` up
 * to FO_REMOTE_BACKOFF_MAX, and at least its Retry-After when it sent one
 * (503, 429); an answer makes it healthy again.  A job never goes to the
 * endpoint it just failed on while another endpoint is healthy.  A transfer
 * that receives nothing for FO_REMOTE_STALL_SLACK seconds plus
 * FO_REMOTE_STALL_FACTOR times its estimated work (a stopped replica) is
 * abandoned.  Each job may be tried FO_REMOTE_ATTEMPTS times; past that the
 * run stops, listing what was tried.  When every endpoint has refused
 * FO_REMOTE_GONE connections in a row, the run stops at once.
 */
#ifndef FANOUT_REMOTE_H
#define FANOUT_REMOTE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* What a job's attempts were, for the message when it runs out of them. */
#define REMOTE_TRIED_SIZE 640

struct remote_job {
	const char *path;        /* "/simulate_gossip" */
	char *body;              /* the JSON request; owned by the caller */
	double work;             /* its estimated work units (~ns), for the stall limit; 0: unknown */
	cJSON *answer;           /* out: the 200 answer, freed by the caller with cJSON_Delete */
	int attempts;            /* out: how many sends it took */
	/* private */
	int last_endpoint;
	char tried[REMOTE_TRIED_SIZE];
};

/*
 * Called after each job finishes and at least every 50 ms (done of total),
 * e.g. for a progress bar; a nonzero return stops the run (why: "stopped").
 */
typedef int remote_progress(void *ctx, size_t done, size_t total);

/*
 * Runs jobs[0..count-1] against endpoints[0..n_endpoints-1] (base URLs such
 * as "http://10.0.0.7:8080"), at most `per_endpoint` at a time on each;
 * `backoff` is the first rest of a failing endpoint (FO_REMOTE_BACKOFF).
 * Returns 0 when every job has its answer; -1 after writing why the run
 * stopped to `why` (the answers got so far stay in their jobs).  Retries are
 * told on stderr.
 */
int remote_run(char *const *endpoints, int n_endpoints, struct remote_job *jobs, size_t count,
	       int per_endpoint, double backoff, remote_progress *progress, void *ctx, char *why,
	       size_t why_size);

/* Seconds a transfer of a job estimated at `work` units may receive nothing. */
double remote_stall_seconds(double work);

#endif
