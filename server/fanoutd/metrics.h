/* SPDX-License-Identifier: MIT */
/*
 * metrics.h — fanoutd's counters, gauges and latency histogram, rendered in
 * the Prometheus text exposition format (version 0.0.4).
 *
 * Paths and statuses are fixed lists given at creation (the server's route
 * table and status table; anything else counts as "other"), so that no client
 * can grow the label set.  All functions are thread-safe.
 */
#ifndef FANOUT_METRICS_H
#define FANOUT_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* An HTTP status the server answers with, and its reason phrase. */
struct http_status {
	int code;
	const char *reason;
};

enum metrics_cancel { MC_TIMEOUT, MC_DISCONNECT, MC_OVERRUN, MC_COUNT };

struct metrics;

/*
 * A zeroed set of metrics over paths[0..npaths-1] (path index npaths is
 * "other") and statuses[0..nstatuses-1]; both lists must outlive the metrics.
 * NULL if allocation fails.  Free with metrics_free.
 */
struct metrics *metrics_new(const char *const *paths, size_t npaths,
			    const struct http_status *statuses, size_t nstatuses);
void metrics_free(struct metrics *m);

/* One finished request: its path index (npaths: other), status and duration in seconds. */
void metrics_observe(struct metrics *m, size_t path, int status, double seconds);
void metrics_add_trials(struct metrics *m, uint64_t trials);
void metrics_cancelled(struct metrics *m, enum metrics_cancel why);

/* What the server reports as it is at the moment of rendering. */
struct metrics_now {
	size_t in_flight;              /* heavy requests queued or running */
	size_t queue_limit;
	int draining;
	size_t cache_entries;          /* answers held by the connection threads' caches */
	uint64_t cache_hits, cache_misses; /* GETs answered from them, and those looked up in vain */
};

/*
 * The exposition text, with the figures in *now; the caller frees it with
 * free().  NULL if allocation fails.
 */
char *metrics_render(struct metrics *m, const struct metrics_now *now, size_t *len);

#endif
