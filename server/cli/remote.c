/* SPDX-License-Identifier: MIT */
/*
 * remote.c — see remote.h.  One libcurl multi handle drives every transfer;
 * the loop hands waiting jobs to healthy endpoints with room, and sorts
 * finished transfers into answers, retries elsewhere, or the reason to stop.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "fanout/config.h"
#include "remote.h"
#include "request.h"

struct endpoint {
	const char *url;
	int in_flight;
	double rest_until;       /* no new job before this (monotonic seconds) */
	int failures;            /* failed attempts in a row */
	int refused;             /* of which connections that could not be made, in a row */
	char last[160];          /* its last failure, for the "all gone" message */
};

/* One transfer in flight. */
struct transfer {
	CURL *easy;
	struct remote_job *job;
	int endpoint;
	char *data;
	size_t len, cap;
	int too_big;             /* the answer passed FO_REMOTE_MAX_ANSWER */
	char error[CURL_ERROR_SIZE];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double remote_stall_seconds(double work)
{
	return FO_REMOTE_STALL_SLACK + FO_REMOTE_STALL_FACTOR * fmax(work, 0) * 1e-9;
}

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
	struct transfer *t = userdata;
	size_t add = size * n;

	if (t->len + add > FO_REMOTE_MAX_ANSWER) {
		t->too_big = 1;
		return 0; /* libcurl then fails the transfer */
	}
	if (t->len + add + 1 > t->cap) {
		size_t cap = (t->len + add + 1) * 2;
		char *grown = realloc(t->data, cap);
		if (!grown)
			return 0;
		t->data = grown;
		t->cap = cap;
	}
	memcpy(t->data + t->len, ptr, add);
	t->len += add;
	t->data[t->len] = '\0';
	return add;
}

/*
 * The endpoint for `job`: among the healthy ones (not resting) with room,
 * the one with the fewest in flight.  Never the job's last endpoint while
 * another is healthy, even one without room (the job then waits for it).
 * -1 if none.
 */
static int pick(const struct endpoint *ep, int n, int per_endpoint, const struct remote_job *job,
		double t)
{
	int best = -1, other_healthy = 0;

	for (int i = 0; i < n; i++)
		other_healthy |= i != job->last_endpoint && ep[i].rest_until <= t;
	for (int i = 0; i < n; i++) {
		if (ep[i].rest_until > t || ep[i].in_flight >= per_endpoint ||
		    (other_healthy && i == job->last_endpoint))
			continue;
		if (best < 0 || ep[i].in_flight < ep[best].in_flight)
			best = i;
	}
	return best;
}

static struct transfer *start(CURLM *multi, struct curl_slist *headers, struct endpoint *ep, int e,
			      struct remote_job *job)
{
	struct transfer *t = calloc(1, sizeof *t);
	char url[2048];

	if (!t)
		return NULL;
	t->easy = curl_easy_init();
	if (!t->easy) {
		free(t);
		return NULL;
	}
	t->job = job;
	t->endpoint = e;
	/* "http://host:port" or ".../" both work. */
	snprintf(url, sizeof url, "%.*s%s", (int)(strlen(ep[e].url) -
		 (ep[e].url[0] && ep[e].url[strlen(ep[e].url) - 1] == '/')), ep[e].url, job->path);
	curl_easy_setopt(t->easy, CURLOPT_URL, url);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, job->body);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, (long)FO_REMOTE_TIMEOUT);
	curl_easy_setopt(t->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FO_REMOTE_MAX_ANSWER);
	/* The progress limit: less than a byte a second for this long is a stall. */
	curl_easy_setopt(t->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(t->easy, CURLOPT_LOW_SPEED_TIME, (long)ceil(remote_stall_seconds(job->work)));
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	if (curl_multi_add_handle(multi, t->easy) != CURLM_OK) {
		curl_easy_cleanup(t->easy);
		free(t);
		return NULL;
	}
	job->attempts++;
	job->last_endpoint = e;
	ep[e].in_flight++;
	return t;
}

static void finish(CURLM *multi, struct endpoint *ep, struct transfer *t)
{
	ep[t->endpoint].in_flight--;
	curl_multi_remove_handle(multi, t->easy);
	curl_easy_cleanup(t->easy);
	free(t->data);
	free(t);
}

/* The "detail" of a problem+json body, or the body's start. */
static void problem_detail(const struct transfer *t, char *out, size_t size)
{
	cJSON *p = t->data ? req_json_parse(t->data, t->len) : NULL;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "detail");

	snprintf(out, size, "%s", cJSON_IsString(d) ? d->valuestring : t->data ? t->data : "");
	cJSON_Delete(p);
}

/*
 * Rests endpoint e after a failure: `base` seconds doubled for each
 * failure in a row, at least `retry_after` (its Retry-After, or 0), at most
 * FO_REMOTE_BACKOFF_MAX.
 */
static void rest(struct endpoint *e, double base, double retry_after, int refused, const char *what)
{
	double backoff = base * pow(2, e->failures < 16 ? e->failures : 16);

	e->failures++;
	e->refused = refused ? e->refused + 1 : 0;
	e->rest_until = now() + fmin(fmax(backoff, retry_after), FO_REMOTE_BACKOFF_MAX);
	snprintf(e->last, sizeof e->last, "%.150s", what);
}

/* Have all endpoints refused FO_REMOTE_GONE connections in a row? */
static int all_gone(const struct endpoint *ep, int n)
{
	for (int i = 0; i < n; i++)
		if (ep[i].refused < FO_REMOTE_GONE)
			return 0;
	return 1;
}

/* Appends "url (what)" to the job's list of attempts. */
static void note_attempt(struct remote_job *job, const char *url, const char *what)
{
	size_t used = strlen(job->tried);

	if (used + 4 < sizeof job->tried)
		snprintf(job->tried + used, sizeof job->tried - used, "%s%s (%.120s)", used ? "; " : "", url,
			 what);
}

int remote_run(char *const *endpoints, int n_endpoints, struct remote_job *jobs, size_t count,
	       int per_endpoint, double backoff, remote_progress *progress, void *ctx, char *why,
	       size_t why_size)
{
	struct endpoint *ep = calloc((size_t)n_endpoints, sizeof *ep);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	CURLM *multi = curl_multi_init();
	size_t *waiting = malloc((count + 1) * sizeof *waiting), n_waiting = count, done = 0;
	struct transfer **flight = calloc(count + 1, sizeof *flight); /* by job */
	int running = 0, failed = 0;

	if (!ep || !headers || !multi || !waiting || !flight) {
		snprintf(why, why_size, "out of memory");
		failed = 1;
		count = 0;
	}
	for (int i = 0; i < n_endpoints && ep; i++)
		ep[i].url = endpoints[i];
	for (size_t i = 0; i < count; i++) {
		waiting[i] = count - 1 - i; /* a stack: job 0 leaves first */
		jobs[i].last_endpoint = -1;
		jobs[i].tried[0] = '\0';
	}
	while (!failed && done < count) {
		double t = now();
		CURLMsg *msg;
		int left;

		/* Hand out waiting jobs, in order, while healthy endpoints have room. */
		for (size_t k = n_waiting; k-- > 0;) {
			struct remote_job *job = &jobs[waiting[k]];
			int e = pick(ep, n_endpoints, per_endpoint, job, t);
			if (e < 0)
				continue;
			if (!(flight[waiting[k]] = start(multi, headers, ep, e, job))) {
				snprintf(why, why_size, "cannot start a transfer: out of memory");
				failed = 1;
				break;
			}
			memmove(&waiting[k], &waiting[k + 1], (n_waiting - k - 1) * sizeof *waiting);
			n_waiting--;
		}
		curl_multi_perform(multi, &running);
		while (!failed && (msg = curl_multi_info_read(multi, &left))) {
			struct transfer *tr;
			struct endpoint *e;
			long code = 0;
			curl_off_t retry_after = 0;
			int retry, refused;
			char detail[256] = "", what[300] = "";

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&tr);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RETRY_AFTER, &retry_after);
			e = &ep[tr->endpoint];
			if (msg->data.result == CURLE_OK && code == 200) {
				tr->job->answer = tr->data ? req_json_parse(tr->data, tr->len) : NULL;
				if (!tr->job->answer) {
					snprintf(why, why_size, "%s answered 200 with no JSON object", e->url);
					failed = 1;
				} else if (++done && progress && progress(ctx, done, count)) {
					snprintf(why, why_size, "stopped");
					failed = 1;
				}
				e->failures = e->refused = 0;
				flight[tr->job - jobs] = NULL;
				finish(multi, ep, tr);
				continue;
			}
			refused = msg->data.result == CURLE_COULDNT_CONNECT ||
				  msg->data.result == CURLE_COULDNT_RESOLVE_HOST;
			if (tr->too_big || msg->data.result == CURLE_FILESIZE_EXCEEDED) {
				snprintf(why, why_size, "%s sent an answer over %d bytes; refusing it", e->url,
					 (int)FO_REMOTE_MAX_ANSWER);
				failed = 1;
				retry = 0;
			} else if (msg->data.result != CURLE_OK) {
				snprintf(detail, sizeof detail, "%s%.200s",
					 msg->data.result == CURLE_OPERATION_TIMEDOUT ? "stalled or too slow: " : "",
					 tr->error[0] ? tr->error : curl_easy_strerror(msg->data.result));
				retry = 1;
			} else {
				problem_detail(tr, detail, sizeof detail);
				retry = code >= 500 || code == 408 || code == 429;
			}
			if (code)
				snprintf(what, sizeof what, "%ld: %.200s", code, detail);
			else
				snprintf(what, sizeof what, "%.200s", detail);
			if (failed) {
				/* `why` says it already */
			} else if (!retry) {
				snprintf(why, why_size, "%s answered %s", e->url, what);
				failed = 1;
			} else {
				note_attempt(tr->job, e->url, what);
				rest(e, backoff, (double)retry_after, refused, what);
				if (all_gone(ep, n_endpoints)) {
					size_t used = (size_t)snprintf(why, why_size, "no endpoint is reachable:");
					for (int i = 0; i < n_endpoints && used < why_size; i++)
						used += (size_t)snprintf(why + used, why_size - used, " %s (%.80s)%s",
									 ep[i].url, ep[i].last,
									 i + 1 < n_endpoints ? ";" : "");
					failed = 1;
				} else if (tr->job->attempts >= FO_REMOTE_ATTEMPTS) {
					snprintf(why, why_size, "request %zu of %zu failed %d times; tried: %s",
						 (size_t)(tr->job - jobs) + 1, count, tr->job->attempts, tr->job->tried);
					failed = 1;
				} else {
					fprintf(stderr, "fanout: %s %s (%.200s); resting it %.1f s, retrying\n", e->url,
						code ? "answered" : "failed", what, e->rest_until - now());
					waiting[n_waiting++] = (size_t)(tr->job - jobs);
				}
			}
			flight[tr->job - jobs] = NULL;
			finish(multi, ep, tr);
		}
		if (!failed && done < count)
			curl_multi_poll(multi, NULL, 0, 50, NULL);
		if (!failed && done < count && progress && progress(ctx, done, count)) {
			snprintf(why, why_size, "stopped");
			failed = 1;
		}
	}
	/* Stopped early: abandon what is still in flight. */
	for (size_t i = 0; flight && i < count; i++)
		if (flight[i])
			finish(multi, ep, flight[i]);
	if (multi)
		curl_multi_cleanup(multi);
	free(flight);
	curl_slist_free_all(headers);
	free(waiting);
	free(ep);
	return failed ? -1 : 0;
}
