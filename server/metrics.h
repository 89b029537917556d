/*
 * metrics.h — fanoutd's counters, gauges and latency histogram, rendered in
 * the Prometheus text exposition format (version 0.0.4).
 *
 * Paths are a fixed list (anything else counts as "other") so that no client
 * can grow the label set.  All functions are thread-safe.
 */
#ifndef FANOUT_METRICS_H
#define FANOUT_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum metrics_path {
	MP_CALC_FANOUT, MP_SIMULATE_GOSSIP, MP_PAGE, MP_OPENAPI, MP_HEALTHZ, MP_READYZ, MP_METRICS,
	MP_OTHER, MP_COUNT
};

enum metrics_cancel { MC_TIMEOUT, MC_DISCONNECT, MC_OVERRUN, MC_COUNT };

struct metrics;

/* A zeroed set of metrics; NULL if allocation fails.  Free with metrics_free. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* One finished request: its path, status and duration in seconds. */
void metrics_observe(struct metrics *m, enum metrics_path path, int status, double seconds);
void metrics_add_trials(struct metrics *m, uint64_t trials);
void metrics_cancelled(struct metrics *m, enum metrics_cancel why);

/*
 * The exposition text, with the gauges given; the caller frees it with
 * free().  NULL if allocation fails.
 */
char *metrics_render(struct metrics *m, size_t in_flight, size_t queue_limit, int draining,
		     size_t *len);

#endif
