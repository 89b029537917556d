/* SPDX-License-Identifier: MIT */
/*
 * remote.c — see remote.h.  One libcurl multi handle drives every transfer;
 * the loop hands waiting jobs to endpoints with room, and sorts finished
 * transfers into answers, retries elsewhere, or the reason to stop.
 */
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
};

/* One transfer in flight. */
struct transfer {
	CURL *easy;
	struct remote_job *job;
	int endpoint;
	char *data;
	size_t len, cap;
	char error[CURL_ERROR_SIZE];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
	struct transfer *t = userdata;
	size_t add = size * n;

	if (t->len + add + 1 > t->cap) {
		size_t cap = (t->len + add + 1) * 2;
		char *grown = realloc(t->data, cap);
		if (!grown)
			return 0; /* libcurl then fails the transfer */
		t->data = grown;
		t->cap = cap;
	}
	memcpy(t->data + t->len, ptr, add);
	t->len += add;
	t->data[t->len] = '\0';
	return add;
}

/*
 * The endpoint for `job`: among those not resting and with room, the one
 * with the fewest in flight, preferring any but the job's last; -1 if none.
 */
static int pick(const struct endpoint *ep, int n, int per_endpoint, const struct remote_job *job,
		double t)
{
	int best = -1;

	for (int pass = 0; pass < 2 && best < 0; pass++) {
		for (int i = 0; i < n; i++) {
			if (ep[i].rest_until > t || ep[i].in_flight >= per_endpoint ||
			    (pass == 0 && n > 1 && i == job->last_endpoint))
				continue;
			if (best < 0 || ep[i].in_flight < ep[best].in_flight)
				best = i;
		}
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

int remote_run(char *const *endpoints, int n_endpoints, struct remote_job *jobs, size_t count,
	       int per_endpoint, remote_progress *progress, void *ctx, char *why, size_t why_size)
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
	}
	while (!failed && done < count) {
		double t = now();
		CURLMsg *msg;
		int left;

		/* Hand out waiting jobs, in order, while endpoints have room. */
		for (size_t k = n_waiting; k-- > 0;) {
			struct remote_job *job = &jobs[waiting[k]];
			int e;
			if (job->not_before > t)
				continue;
			e = pick(ep, n_endpoints, per_endpoint, job, t);
			if (e < 0)
				break;
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
			long code = 0;
			int retry;
			char detail[256];

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&tr);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			if (msg->data.result == CURLE_OK && code == 200) {
				tr->job->answer = tr->data ? req_json_parse(tr->data, tr->len) : NULL;
				if (!tr->job->answer) {
					snprintf(why, why_size, "%s answered 200 with no JSON object",
						 ep[tr->endpoint].url);
					failed = 1;
				} else if (++done && progress && progress(ctx, done, count)) {
					snprintf(why, why_size, "stopped");
					failed = 1;
				}
				flight[tr->job - jobs] = NULL;
				finish(multi, ep, tr);
				continue;
			}
			if (msg->data.result != CURLE_OK) {
				snprintf(detail, sizeof detail, "%s",
					 tr->error[0] ? tr->error : curl_easy_strerror(msg->data.result));
				ep[tr->endpoint].rest_until = now() + FO_REMOTE_REST;
				retry = 1;
			} else {
				problem_detail(tr, detail, sizeof detail);
				retry = code >= 500 || code == 408 || code == 429;
			}
			if (!retry) {
				snprintf(why, why_size, "%s answered %ld: %s", ep[tr->endpoint].url, code,
					 detail);
				failed = 1;
			} else if (tr->job->attempts >= FO_REMOTE_ROUNDS * n_endpoints) {
				snprintf(why, why_size, "a request failed %d times, last at %s: %s",
					 tr->job->attempts, ep[tr->endpoint].url, detail);
				failed = 1;
			} else {
				if (code)
					fprintf(stderr, "fanout: %s answered %ld (%.200s); retrying\n",
						ep[tr->endpoint].url, code, detail);
				else
					fprintf(stderr, "fanout: %s failed (%.200s); retrying\n",
						ep[tr->endpoint].url, detail);
				/* With one endpoint, give it a moment before the same one again. */
				tr->job->not_before = n_endpoints == 1 ? now() + 1 : 0;
				waiting[n_waiting++] = (size_t)(tr->job - jobs);
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
