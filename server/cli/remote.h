/* SPDX-License-Identifier: MIT */
/*
 * remote.h — send many JSON requests to a set of fanoutd endpoints in
 * parallel (libcurl's multi interface), retrying each failed one elsewhere.
 *
 * Used by `fanout --endpoints`: every shard of a split simulation is one job.
 * A job fails over to another endpoint when the connection fails, the answer
 * is a 5xx (saturated, draining, timed out) or a 408/429; any other 4xx is the
 * request's own fault and stops the run.  An endpoint whose connection failed
 * rests for FO_REMOTE_REST seconds before it gets new jobs.
 */
#ifndef FANOUT_REMOTE_H
#define FANOUT_REMOTE_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct remote_job {
	const char *path;        /* "/simulate_gossip" */
	char *body;              /* the JSON request; owned by the caller */
	cJSON *answer;           /* out: the 200 answer, freed by the caller with cJSON_Delete */
	int attempts;            /* out: how many sends it took */
	/* private */
	int last_endpoint;
	double not_before;
};

/*
 * Called after each job finishes and at least every 50 ms (done of total),
 * e.g. for a progress bar; a nonzero return stops the run (why: "stopped").
 */
typedef int remote_progress(void *ctx, size_t done, size_t total);

/*
 * Runs jobs[0..count-1] against endpoints[0..n_endpoints-1] (base URLs such
 * as "http://10.0.0.7:8080"), at most `per_endpoint` at a time on each, each
 * job tried at most FO_REMOTE_ROUNDS times per endpoint.  Returns 0 when every
 * job has its answer; -1 after writing why the run stopped to `why` (the
 * answers got so far stay in their jobs).  Retries are told on stderr.
 */
int remote_run(char *const *endpoints, int n_endpoints, struct remote_job *jobs, size_t count,
	       int per_endpoint, remote_progress *progress, void *ctx, char *why, size_t why_size);

#endif
