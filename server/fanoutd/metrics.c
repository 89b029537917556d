/* SPDX-License-Identifier: MIT */
/*
 * metrics.c — what every request adds (metrics_observe) is atomic, so the
 * connection threads share no lock per request; the rarer counts (trials,
 * cancellations) sit under one mutex.  Rendering formats into a growing
 * buffer.  Status codes are counted per path in a small table of the codes
 * fanoutd can answer, plus a catch-all.
 */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "settings.h"
#include "strbuf.h"

/* Upper bounds of the latency buckets, in seconds; +Inf is implied. */
static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKET ((int)(sizeof buckets / sizeof buckets[0]))

/* What is counted for one path. */
struct path_metrics {
	atomic_uint_fast64_t bucket[NBUCKET + 1];  /* last: +Inf */
	atomic_uint_fast64_t nanoseconds;          /* the durations' sum */
	atomic_uint_fast64_t *requests;            /* nstatuses + 1: last, any other status */
};

struct metrics {
	pthread_mutex_t lock;          /* over trials and cancelled */
	const char *const *paths;
	size_t npaths;                 /* rows of per_path: npaths + 1, the last "other" */
	const struct http_status *statuses;
	size_t nstatuses;
	struct path_metrics *per_path;
	atomic_uint_fast64_t *counts;  /* storage of every row's requests */
	uint64_t trials;
	uint64_t cancelled[MC_COUNT];
	double start_time;             /* Unix time when the metrics were made (fanoutd started) */
};

struct metrics *metrics_new(const char *const *paths, size_t npaths,
			    const struct http_status *statuses, size_t nstatuses)
{
	struct metrics *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->paths = paths;
	m->npaths = npaths;
	m->statuses = statuses;
	m->nstatuses = nstatuses;
	m->per_path = calloc(npaths + 1, sizeof *m->per_path);
	m->counts = calloc((npaths + 1) * (nstatuses + 1), sizeof *m->counts);
	if (!m->per_path || !m->counts) {
		free(m->per_path);
		free(m->counts);
		free(m);
		return NULL;
	}
	for (size_t p = 0; p <= npaths; p++)
		m->per_path[p].requests = m->counts + p * (nstatuses + 1);
	{
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		m->start_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	}
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->per_path);
	free(m->counts);
	free(m);
}

void metrics_observe(struct metrics *m, size_t path, int status, double seconds)
{
	size_t s = 0;
	int b = 0;
	struct path_metrics *pm = &m->per_path[path < m->npaths ? path : m->npaths];

	while (s < m->nstatuses && m->statuses[s].code != status)
		s++;
	while (b < NBUCKET && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&pm->requests[s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pm->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pm->nanoseconds, (uint_fast64_t)llround(seconds * 1e9), memory_order_relaxed);
}

static const char *path_name(const struct metrics *m, size_t p)
{
	return p < m->npaths ? m->paths[p] : "other";
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

static void render_requests(const struct metrics *m, struct strbuf *t)
{
	strbuf_addf(t, "# HELP fanoutd_requests_total Requests answered, by path and status.\n"
	       "# TYPE fanoutd_requests_total counter\n");
	for (size_t p = 0; p <= m->npaths; p++) {
		const atomic_uint_fast64_t *requests = m->per_path[p].requests;
		for (size_t s = 0; s <= m->nstatuses; s++) {
			unsigned long long n = atomic_load_explicit(&requests[s], memory_order_relaxed);
			if (!n)
				continue;
			if (s < m->nstatuses)
				strbuf_addf(t, "fanoutd_requests_total{path=\"%s\",status=\"%d\"} %llu\n",
				    path_name(m, p), m->statuses[s].code, n);
			else
				strbuf_addf(t, "fanoutd_requests_total{path=\"%s\",status=\"other\"} %llu\n",
				    path_name(m, p), n);
		}
	}
}

static void render_latency(const struct metrics *m, struct strbuf *t)
{
	strbuf_addf(t, "# HELP fanoutd_request_duration_seconds Time from request to response, by path.\n"
	       "# TYPE fanoutd_request_duration_seconds histogram\n");
	for (size_t p = 0; p <= m->npaths; p++) {
		const struct path_metrics *pm = &m->per_path[p];
		const char *name = path_name(m, p);
		uint64_t cumulative = 0;
		for (int b = 0; b < NBUCKET; b++) {
			cumulative += atomic_load_explicit(&pm->bucket[b], memory_order_relaxed);
			strbuf_addf(t, "fanoutd_request_duration_seconds_bucket{path=\"%s\",le=\"%g\"} %llu\n",
			    name, buckets[b], (unsigned long long)cumulative);
		}
		cumulative += atomic_load_explicit(&pm->bucket[NBUCKET], memory_order_relaxed);
		strbuf_addf(t, "fanoutd_request_duration_seconds_bucket{path=\"%s\",le=\"+Inf\"} %llu\n"
		       "fanoutd_request_duration_seconds_sum{path=\"%s\"} %.9g\n"
		       "fanoutd_request_duration_seconds_count{path=\"%s\"} %llu\n",
		    name, (unsigned long long)cumulative, name,
		    (double)atomic_load_explicit(&pm->nanoseconds, memory_order_relaxed) / 1e9, name,
		    (unsigned long long)cumulative);
	}
}

/*
 * The process metrics every Prometheus client library exports, under their
 * standard names: CPU time (getrusage), memory (/proc/self/statm, in pages),
 * open descriptors (/proc/self/fd, less the one reading it) and their limit.
 * A figure that cannot be read is left out rather than made up.
 */
static void render_process(const struct metrics *m, struct strbuf *t)
{
	struct rusage ru;
	struct rlimit rl;
	unsigned long long pages_virt, pages_res;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "r");
	DIR *d;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		strbuf_addf(t, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
		       "# TYPE process_cpu_seconds_total counter\n"
		       "process_cpu_seconds_total %.6f\n",
		    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	if (f && page > 0 && fscanf(f, "%llu %llu", &pages_virt, &pages_res) == 2)
		strbuf_addf(t, "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
		       "# TYPE process_virtual_memory_bytes gauge\n"
		       "process_virtual_memory_bytes %llu\n"
		       "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
		       "# TYPE process_resident_memory_bytes gauge\n"
		       "process_resident_memory_bytes %llu\n",
		    pages_virt * (unsigned long long)page, pages_res * (unsigned long long)page);
	if (f)
		fclose(f);
	if ((d = opendir("/proc/self/fd")) != NULL) {
		long fds = -1; /* the directory's own descriptor is not fanoutd's */
		const struct dirent *e;
		while ((e = readdir(d)) != NULL)
			fds += e->d_name[0] != '.';
		closedir(d);
		strbuf_addf(t, "# HELP process_open_fds Number of open file descriptors.\n"
		       "# TYPE process_open_fds gauge\n"
		       "process_open_fds %ld\n", fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		strbuf_addf(t, "# HELP process_max_fds Maximum number of open file descriptors.\n"
		       "# TYPE process_max_fds gauge\n"
		       "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
	strbuf_addf(t, "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
	       "# TYPE process_start_time_seconds gauge\n"
	       "process_start_time_seconds %.3f\n"
	       "# HELP fanoutd_build_info The version of fanoutd running, as a label; always 1.\n"
	       "# TYPE fanoutd_build_info gauge\n"
	       "fanoutd_build_info{version=\"%s\"} 1\n", m->start_time, FO_VERSION);
}

char *metrics_render(struct metrics *m, const struct metrics_now *now, size_t *len)
{
	struct strbuf t = STRBUF_INIT;

	pthread_mutex_lock(&m->lock);
	render_requests(m, &t);
	render_latency(m, &t);
	strbuf_addf(&t, "# HELP fanoutd_trials_simulated_total Monte Carlo trials completed, by every "
		"operation (calc_fanout's and tradeoff's simulations too).\n"
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
	strbuf_addf(&t, "# HELP fanoutd_work_in_flight Heavy requests queued or running on workers.\n"
		"# TYPE fanoutd_work_in_flight gauge\n"
		"fanoutd_work_in_flight %zu\n"
		"# HELP fanoutd_work_queue_limit Heavy requests that may wait before 503.\n"
		"# TYPE fanoutd_work_queue_limit gauge\n"
		"fanoutd_work_queue_limit %zu\n"
		"# HELP fanoutd_draining 1 while shutting down.\n"
		"# TYPE fanoutd_draining gauge\n"
		"fanoutd_draining %d\n"
		"# HELP fanoutd_answer_cache_hits_total GET requests answered from a connection thread's answer cache.\n"
		"# TYPE fanoutd_answer_cache_hits_total counter\n"
		"fanoutd_answer_cache_hits_total %llu\n"
		"# HELP fanoutd_answer_cache_misses_total GET requests looked up in the answer caches in vain.\n"
		"# TYPE fanoutd_answer_cache_misses_total counter\n"
		"fanoutd_answer_cache_misses_total %llu\n"
		"# HELP fanoutd_answer_cache_entries Answers the connection threads' caches hold.\n"
		"# TYPE fanoutd_answer_cache_entries gauge\n"
		"fanoutd_answer_cache_entries %zu\n",
	    now->in_flight, now->queue_limit, now->draining, (unsigned long long)now->cache_hits,
	    (unsigned long long)now->cache_misses, now->cache_entries);
	render_process(m, &t);
	if (t.failed) {
		strbuf_release(&t);
		return NULL;
	}
	return strbuf_detach(&t, len);
}
