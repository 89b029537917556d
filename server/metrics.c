/*
 * metrics.c — one mutex over plain counters; rendering formats into a
 * growing buffer.  Status codes are counted per path in a small table of the
 * codes fanoutd can answer, plus a catch-all.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const char *const path_names[MP_COUNT] = {
	"/calc_fanout", "/simulate_gossip", "/", "/openapi.yaml", "/healthz", "/readyz", "/metrics",
	"other",
};

static const int statuses[] = { 200, 204, 400, 404, 405, 413, 422, 499, 500, 503, 504 };
#define NSTATUS ((int)(sizeof statuses / sizeof statuses[0]))

/* Upper bounds of the latency buckets, in seconds; +Inf is implied. */
static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKET ((int)(sizeof buckets / sizeof buckets[0]))

struct metrics {
	pthread_mutex_t lock;
	uint64_t requests[MP_COUNT][NSTATUS + 1]; /* last column: any other status */
	uint64_t bucket[MP_COUNT][NBUCKET + 1];   /* last: +Inf */
	double seconds[MP_COUNT];
	uint64_t trials;
	uint64_t cancelled[MC_COUNT];
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof *m);

	if (m)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void metrics_observe(struct metrics *m, enum metrics_path path, int status, double seconds)
{
	int s = 0, b = 0;

	while (s < NSTATUS && statuses[s] != status)
		s++;
	while (b < NBUCKET && seconds > buckets[b])
		b++;
	pthread_mutex_lock(&m->lock);
	m->requests[path][s]++;
	m->bucket[path][b]++;
	m->seconds[path] += seconds;
	pthread_mutex_unlock(&m->lock);
}

void metrics_add_trials(struct metrics *m, uint64_t trials)
{
	pthread_mutex_lock(&m->lock);
	m->trials += trials;
	pthread_mutex_unlock(&m->lock);
}

void metrics_cancelled(struct metrics *m, enum metrics_cancel why)
{
	pthread_mutex_lock(&m->lock);
	m->cancelled[why]++;
	pthread_mutex_unlock(&m->lock);
}

struct text {
	char *buf;
	size_t len, cap;
	int failed;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failed)
		return;
	for (;;) {
		int n;
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap * 2 + (size_t)(n > 0 ? n : 0);
		char *buf = realloc(t->buf, cap);
		if (n < 0 || !buf) {
			t->failed = 1;
			return;
		}
		t->buf = buf;
		t->cap = cap;
	}
}

static void render_requests(const struct metrics *m, struct text *t)
{
	put(t, "# HELP fanoutd_requests_total Requests answered, by path and status.\n"
	       "# TYPE fanoutd_requests_total counter\n");
	for (int p = 0; p < MP_COUNT; p++) {
		for (int s = 0; s <= NSTATUS; s++) {
			if (!m->requests[p][s])
				continue;
			if (s < NSTATUS)
				put(t, "fanoutd_requests_total{path=\"%s\",status=\"%d\"} %llu\n", path_names[p],
				    statuses[s], (unsigned long long)m->requests[p][s]);
			else
				put(t, "fanoutd_requests_total{path=\"%s\",status=\"other\"} %llu\n", path_names[p],
				    (unsigned long long)m->requests[p][s]);
		}
	}
}

static void render_latency(const struct metrics *m, struct text *t)
{
	put(t, "# HELP fanoutd_request_duration_seconds Time from request to response, by path.\n"
	       "# TYPE fanoutd_request_duration_seconds histogram\n");
	for (int p = 0; p < MP_COUNT; p++) {
		uint64_t cumulative = 0;
		for (int b = 0; b < NBUCKET; b++) {
			cumulative += m->bucket[p][b];
			put(t, "fanoutd_request_duration_seconds_bucket{path=\"%s\",le=\"%g\"} %llu\n",
			    path_names[p], buckets[b], (unsigned long long)cumulative);
		}
		cumulative += m->bucket[p][NBUCKET];
		put(t, "fanoutd_request_duration_seconds_bucket{path=\"%s\",le=\"+Inf\"} %llu\n"
		       "fanoutd_request_duration_seconds_sum{path=\"%s\"} %.9g\n"
		       "fanoutd_request_duration_seconds_count{path=\"%s\"} %llu\n",
		    path_names[p], (unsigned long long)cumulative, path_names[p], m->seconds[p],
		    path_names[p], (unsigned long long)cumulative);
	}
}

char *metrics_render(struct metrics *m, size_t in_flight, size_t queue_limit, int draining,
		     size_t *len)
{
	struct text t = { malloc(4096), 0, 4096, 0 };

	if (!t.buf)
		return NULL;
	pthread_mutex_lock(&m->lock);
	render_requests(m, &t);
	render_latency(m, &t);
	put(&t, "# HELP fanoutd_trials_simulated_total Monte Carlo trials completed.\n"
		"# TYPE fanoutd_trials_simulated_total counter\n"
		"fanoutd_trials_simulated_total %llu\n"
		"# HELP fanoutd_cancelled_total Work cancelled before it finished, by reason.\n"
		"# TYPE fanoutd_cancelled_total counter\n"
		"fanoutd_cancelled_total{reason=\"timeout\"} %llu\n"
		"fanoutd_cancelled_total{reason=\"disconnect\"} %llu\n"
		"fanoutd_cancelled_total{reason=\"overrun\"} %llu\n",
	    (unsigned long long)m->trials, (unsigned long long)m->cancelled[MC_TIMEOUT],
	    (unsigned long long)m->cancelled[MC_DISCONNECT], (unsigned long long)m->cancelled[MC_OVERRUN]);
	pthread_mutex_unlock(&m->lock);
	put(&t, "# HELP fanoutd_work_in_flight Heavy requests queued or running on workers.\n"
		"# TYPE fanoutd_work_in_flight gauge\n"
		"fanoutd_work_in_flight %zu\n"
		"# HELP fanoutd_work_queue_limit Heavy requests that may wait before 503.\n"
		"# TYPE fanoutd_work_queue_limit gauge\n"
		"fanoutd_work_queue_limit %zu\n"
		"# HELP fanoutd_draining 1 while shutting down.\n"
		"# TYPE fanoutd_draining gauge\n"
		"fanoutd_draining %d\n",
	    in_flight, queue_limit, draining);
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}
