/* SPDX-License-Identifier: MIT */
/*
 * http.c — fanoutd's routes, request bodies, worker hand-off and access log.
 *
 * Per request, an `exchange` (libmicrohttpd's request context) collects the
 * body and remembers the status sent, for the access log and metrics written
 * when libmicrohttpd reports the request complete.  Heavy work becomes a
 * `job`: the connection is suspended, the job runs on the worker pool, queues
 * its response on the suspended connection and resumes it.  While suspended,
 * libmicrohttpd does not notice a client that hangs up, so the guard's
 * watchdog (guard.h) looks at each job's socket, and also enforces the time
 * limit and stops work that outgrows its estimate.  Work answered inline is
 * guarded the same way, without the socket.
 *
 * Connection defences: at most FO_HTTP_PER_ADDRESS connections per client
 * address (so /healthz from another address stays answered), a small
 * per-connection memory pool (libmicrohttpd answers 414 or 431 beyond it; the
 * query is parsed here, not into the pool, and a query of more than
 * FO_HTTP_MAX_PARAMS parameters gets 414 from here), and a reaper, run by the
 * guard's watchdog thread (guard_on_tick), that closes a connection whose
 * request has not fully arrived FO_HTTP_READ_DEADLINE seconds after it
 * began, however slowly its bytes trickle in.  When the connections near
 * --connections, the oldest idle or incomplete ones are shed at once, so a
 * health check always finds room.  The server never stops libmicrohttpd while a
 * connection is suspended (libmicrohttpd 0.9.75 aborts then): jobs are only
 * suspended while `closed` is not set, and http_stop refuses while any is.
 *
 * The cheap request's path (issue 22) takes no lock another connection
 * thread takes: the read deadline's per-request fields are atomics (the list
 * lock is for connects and closes), the guard is armed through this thread's
 * own slot (guard_slot), request ids count per thread, and the access line
 * goes to this thread's log buffer (log_buffered), written out by the reaper's
 * tick and when the server stops.  A GET whose answer depends on its query
 * alone, computed on this thread, goes into this thread's answer cache
 * (anscache.h), and the same query is answered from there without parsing,
 * planning, computing or rendering, by the entry's ready response, made once
 * a second with every header (respond_cached); its request id and access
 * line are still its own.  The access line is formatted by hand.
 */
#define _DEFAULT_SOURCE /* MSG_DONTWAIT */

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "anscache.h"
#include "assets.h"
#include "fanout/rng.h"
#include "guard.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "request.h"
#include "workpool.h"

/*
 * What the page and every other answer may load: only this origin's own
 * script, style and images, no inline script, no framing.
 */
#define CONTENT_SECURITY_POLICY \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* A client's X-Request-Id is echoed if it is this short and of these characters. */
#define REQUEST_ID_MAX 64
#define REQUEST_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:"

/* Status a request is logged with when its client left before an answer. */
#define STATUS_CLIENT_GONE 499

/* One TCP connection, for the read deadline (libmicrohttpd's socket context). */
struct conn_watch {
	int fd;
	atomic_int reading;            /* a request is arriving (or awaited) */
	atomic_llong since;            /* when it began to: guard_now() in nanoseconds */
	atomic_uint requests;          /* requests begun on it, counted by conn_read_again */
	unsigned seen;                 /* the count when the reaper last looked */
	int ended;                     /* reaper ticks in a row, in one request, that saw the client's end of input */
	int shed;                      /* shut down to make room */
	char remote[64];               /* the client's address as text, for the access log */
	struct conn_watch *prev, *next;
};

struct job;
struct exchange;

typedef enum MHD_Result (*route_fn)(struct exchange *ex, struct MHD_Connection *conn);

struct route {
	const char *path;
	const char *allow;             /* methods answered, for 405 and OPTIONS */
	route_fn handler;              /* after the method was found allowed */
	enum req_op op;                /* for run_operation: the operation */
};

static enum MHD_Result run_operation(struct exchange *ex, struct MHD_Connection *conn);
static enum MHD_Result get_asset(struct exchange *ex, struct MHD_Connection *conn);
static enum MHD_Result get_healthz(struct exchange *ex, struct MHD_Connection *conn);
static enum MHD_Result get_readyz(struct exchange *ex, struct MHD_Connection *conn);
static enum MHD_Result get_metrics(struct exchange *ex, struct MHD_Connection *conn);
static void client_address(struct MHD_Connection *conn, char *out, size_t size);

/* Every path fanoutd answers; metrics are kept per row, plus one row for the rest. */
static const struct route routes[] = {
	{ "/calc_fanout", "GET, POST, OPTIONS", run_operation, REQ_CALC_FANOUT },
	{ "/simulate_gossip", "GET, POST, OPTIONS", run_operation, REQ_SIMULATE_GOSSIP },
	{ "/tradeoff", "GET, POST, OPTIONS", run_operation, REQ_TRADEOFF },
	{ "/", "GET, HEAD, OPTIONS", get_asset, 0 },
	{ "/page.js", "GET, HEAD, OPTIONS", get_asset, 0 },
	{ "/page.css", "GET, HEAD, OPTIONS", get_asset, 0 },
	{ "/chart.js", "GET, HEAD, OPTIONS", get_asset, 0 },
	{ "/favicon.svg", "GET, HEAD, OPTIONS", get_asset, 0 },
	{ "/openapi.yaml", "GET, HEAD, OPTIONS", get_asset, 0 },
	{ "/healthz", "GET, HEAD, OPTIONS", get_healthz, 0 },
	{ "/readyz", "GET, HEAD, OPTIONS", get_readyz, 0 },
	{ "/metrics", "GET, HEAD, OPTIONS", get_metrics, 0 },
};

#define NROUTES (sizeof routes / sizeof routes[0])

/* Every status fanoutd answers with, and its reason phrase; metrics count these. */
static const struct http_status statuses[] = {
	{ 200, "OK" }, { 204, "No Content" }, { 304, "Not Modified" }, { 400, "Bad Request" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 422, "Unprocessable Content" },
	{ STATUS_CLIENT_GONE, "Client Closed Request" }, { 500, "Internal Server Error" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

/* The HTTP status of each outcome of the request layer. */
static const int status_of[REQ_STATUS_COUNT] = {
	[REQ_OK] = 200, [REQ_BAD_FIELD] = 400, [REQ_OVER_BUDGET] = 422, [REQ_CANCELLED] = 504,
	[REQ_FAILED] = 500,
};

struct http_server {
	struct http_config cfg;
	struct req_limits limits;
	struct MHD_Daemon *daemon;
	struct workpool *pool;
	struct metrics *metrics;
	struct guard *guard;
	atomic_int draining;
	atomic_int busy;               /* jobs whose exchange has not completed */
	pthread_mutex_t state_lock;    /* guards `suspended` and `closed` together */
	int suspended;                 /* connections suspended for a job */
	int closed;                    /* no more suspensions: stopping */
	pthread_mutex_t conns_lock;
	struct conn_watch *conns;      /* newest first */
	int nconns;
	int nshed;                     /* of which shed and not yet closed */
	int high_water;                /* past this many connections, idle ones are shed */
	int port;
	const char *paths[NROUTES];    /* the routes' paths, for the metrics */
	uint64_t id_seed;              /* generated request ids: this, mixed with a thread's number and count */
	atomic_uint threads_seen;      /* connection threads numbered so far (thread_number) */
	struct anscache **caches;      /* one per connection thread, by its number - 1 */
	size_t ncaches;
};


struct exchange {
	struct http_server *srv;
	const struct route *route;
	struct timespec start;
	char method[16];
	int method_cut;                /* longer than method[] holds: no method we know */
	char path[128];
	char remote[64];               /* as conn_watch's */
	char request_id[REQUEST_ID_MAX + 1];
	char *query;                   /* the query after '?', in libmicrohttpd's buffer (on_uri), or NULL */
	char query_first;              /* its first character, which on_uri hid from libmicrohttpd */
	int too_many_params;           /* on_uri found more than FO_HTTP_MAX_PARAMS */
	int started;                   /* on_request has filled in the rest */
	char *body;
	size_t len, cap;
	int too_large;
	int status;                    /* sent, or 0 */
	size_t bytes;
	int had_job;
	int http11;                    /* HTTP/1.1: an interim 100 may be sent */
	char *cache_key;               /* a GET's query, copied when its answer was not cached, or NULL */
	int cacheable;                 /* a 200 answer to it goes into this thread's answer cache */
};

struct job {
	struct exchange *ex;
	struct MHD_Connection *conn;
	struct request req;
	struct guard_item guard;
};


/* ---- responses ---------------------------------------------------------- */

/*
 * Appenders for the access line and the Date, which are formatted by hand
 * (snprintf was about 5% of a cached answer's CPU, issue 22): each writes
 * what fits before `end` and returns where the next piece goes, or `end`
 * when full.
 */
static char *put_text(char *p, char *end, const char *s)
{
	size_t n = strlen(s);

	if (n > (size_t)(end - p))
		return end;
	memcpy(p, s, n);
	return p + n;
}

static char *put_uint(char *p, char *end, unsigned long long v)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (n > end - p)
		return end;
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/* Milliseconds with three decimals, from whole microseconds (no floating-point printing). */
static char *put_ms(char *p, char *end, long long us)
{
	if (us < 0)
		us = 0;
	p = put_uint(p, end, (unsigned long long)(us / 1000));
	if (end - p < 4)
		return end;
	*p++ = '.';
	*p++ = (char)('0' + us % 1000 / 100);
	*p++ = (char)('0' + us % 100 / 10);
	*p++ = (char)('0' + us % 10);
	return p;
}


static enum MHD_Result respond_with(struct exchange *ex, struct MHD_Connection *conn, int status,
				    const char *type, struct MHD_Response *r, size_t len,
				    const char *const *headers);

/*
 * Queues `body` (len bytes) with the headers every answer carries, plus
 * `headers`: NULL, or name, value, …, NULL.  `mem` says who owns the body, in
 * libmicrohttpd's terms: MHD_RESPMEM_PERSISTENT, the caller, and it outlives
 * the response (static text, a compiled-in asset); MHD_RESPMEM_MUST_FREE,
 * this function from now on, which frees it with free() when the response is
 * done or could not be made.
 */
static enum MHD_Result respond(struct exchange *ex, struct MHD_Connection *conn, int status,
			       const char *type, const char *body, size_t len,
			       enum MHD_ResponseMemoryMode mem, const char *const *headers)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, mem);

	if (!r) {
		if (mem == MHD_RESPMEM_MUST_FREE)
			free((void *)body);
		return MHD_NO;
	}
	return respond_with(ex, conn, status, type, r, len, headers);
}

/* The headers every answer carries, in this order (respond_cached keeps it), then `headers`. */
static void add_headers(struct MHD_Response *r, const char *request_id, const char *type,
			const char *const *headers)
{
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(r, "Access-Control-Expose-Headers", "X-Request-Id");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
	MHD_add_response_header(r, "X-Request-Id", request_id);
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	for (; headers && headers[0]; headers += 2)
		MHD_add_response_header(r, headers[0], headers[1]);
}

/* respond's second half: the headers, then queues r (len bytes of body) and lets it go. */
static enum MHD_Result respond_with(struct exchange *ex, struct MHD_Connection *conn, int status,
				    const char *type, struct MHD_Response *r, size_t len,
				    const char *const *headers)
{
	enum MHD_Result ret;

	add_headers(r, ex->request_id, type, headers);
	ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	ex->status = status;
	ex->bytes = len;
	return ret;
}

/* ---- the answer cache --------------------------------------------------- */

/* This connection thread's number, from 1 up, in the order the threads first asked. */
static _Thread_local unsigned thread_no;

static unsigned thread_number(struct http_server *s)
{
	if (thread_no == 0)
		thread_no = atomic_fetch_add(&s->threads_seen, 1) + 1;
	return thread_no;
}

/* This connection thread's own answer cache (anscache.h), or NULL. */
static struct anscache *thread_cache(struct http_server *s)
{
	unsigned n = thread_number(s);

	return n <= s->ncaches ? s->caches[n - 1] : NULL;
}

/* Keeps a cacheable request's answer (len bytes of text) in this thread's cache. */
static void keep_answer(struct exchange *ex, const char *text, size_t len)
{
	struct anscache *c = thread_cache(ex->srv);

	if (c)
		anscache_put(c, ex->route->op, ex->cache_key, text, len);
}

/* libmicrohttpd's free callback of an answer sent from a cache entry. */
static void release_entry(void *cls)
{
	anscache_release(cls);
}

/*
 * A cached answer's ready response (hung on its anscache entry): made with
 * a Date header of its own, of `second`, first among its headers.
 */
struct ready {
	struct MHD_Response *r;
	time_t second;
};

/* The cache's detach function (anscache_on_detach): the cache's hold on an entry's response. */
static void drop_ready(void *p)
{
	struct ready *ready = p;

	MHD_destroy_response(ready->r);
	free(ready);
}

/*
 * An HTTP Date (RFC 9110, IMF-fixdate) of second t, in this thread's copy
 * made once a second: gmtime_r takes glibc's time zone lock.
 */
static const char *http_date(time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char text[32];
	struct tm tm;

	if (t != last && gmtime_r(&t, &tm)) {
		char *p = text;
		memcpy(p, days + 3 * (tm.tm_wday % 7), 3);
		p += 3;
		*p++ = ',';
		*p++ = ' ';
		*p++ = (char)('0' + tm.tm_mday / 10);
		*p++ = (char)('0' + tm.tm_mday % 10);
		*p++ = ' ';
		memcpy(p, months + 3 * (tm.tm_mon % 12), 3);
		p += 3;
		*p++ = ' ';
		p = put_uint(p, text + sizeof text - 16, (unsigned)(tm.tm_year + 1900));
		*p++ = ' ';
		*p++ = (char)('0' + tm.tm_hour / 10);
		*p++ = (char)('0' + tm.tm_hour % 10);
		*p++ = ':';
		*p++ = (char)('0' + tm.tm_min / 10);
		*p++ = (char)('0' + tm.tm_min % 10);
		*p++ = ':';
		*p++ = (char)('0' + tm.tm_sec / 10);
		*p++ = (char)('0' + tm.tm_sec % 10);
		memcpy(p, " GMT", 5);
		last = t;
	}
	return text;
}

/*
 * Will libmicrohttpd answer this request with no Connection header?  Then
 * the Date header it would write first comes at the same place from the
 * response's own headers.  So for an HTTP/1.1 request without a Connection
 * header (with one, "close" makes libmicrohttpd write "Connection: close"
 * before the answer's own headers).
 */
static int no_connection_header(const struct exchange *ex, struct MHD_Connection *conn)
{
	return ex->http11 && !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Connection");
}

/*
 * Queues a cached answer, the entry's bytes as they are; takes the caller's
 * reference to e.  The entry's answer in a new second makes its response,
 * with a Date header of that second and every other header, and hangs it
 * on the entry (anscache_attach): the response holds the caller's
 * reference, the cache holds the response until it lets the entry go
 * (drop_ready), and every later answer from the entry in the same second
 * queues the same response with only its X-Request-Id changed: two headers
 * taken out and put back (Content-Type too, so that the headers keep the
 * order of a computed answer's), 6 allocations, instead of a response and
 * its six headers made and freed, 19 allocations, and glibc's gmtime_r
 * under its time zone lock for libmicrohttpd's Date, per request (issue 22).
 * A request with a Connection header (or HTTP/1.0) gets a response of its
 * own, as a computed answer does.
 *
 * Safe because the response is this thread's alone (the cache is) and
 * libmicrohttpd 0.9.75 reads a response's headers only when it writes them
 * into a connection's buffer, which it does as soon as the request handler
 * that queued it returns, before this thread handles any other request
 * (MHD_CONNECTION_START_REPLY follows MHD_CONNECTION_FULL_REQ_RECEIVED in one
 * pass of the connection's state machine); later it reads only the body,
 * which never changes.  tests/http/test_http.py's AnswerCache checks that
 * concurrent answers each carry their own request id, and the headers of a
 * computed answer in their order.
 */
static enum MHD_Result respond_cached(struct exchange *ex, struct MHD_Connection *conn,
				      struct anscache_entry *e)
{
	struct anscache *c = thread_cache(ex->srv);
	struct ready *ready = e->attached;
	struct MHD_Response *r;
	enum MHD_Result ret;
	time_t now;

	if (!c || !no_connection_header(ex, conn)) {
		r = MHD_create_response_from_buffer_with_free_callback_cls(e->len, e->body, release_entry, e);
		if (!r) {
			anscache_release(e);
			return MHD_NO;
		}
		return respond_with(ex, conn, 200, "application/json", r, e->len, NULL);
	}
	now = time(NULL);
	if (ready && ready->second == now) {
		const char *id = MHD_get_response_header(ready->r, "X-Request-Id");
		r = ready->r;
		if (id)
			MHD_del_response_header(r, "X-Request-Id", id);
		MHD_del_response_header(r, "Content-Type", "application/json");
		MHD_add_response_header(r, "X-Request-Id", ex->request_id);
		MHD_add_response_header(r, "Content-Type", "application/json");
		ret = MHD_queue_response(conn, 200, r);
		ex->status = 200;
		ex->bytes = e->len;
		/* The response holds a reference of its own. */
		anscache_release(e);
		return ret;
	}
	r = MHD_create_response_from_buffer_with_free_callback_cls(e->len, e->body, release_entry, e);
	if (!r) {
		anscache_release(e);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Date", http_date(now));
	if (!ready) {
		ready = calloc(1, sizeof *ready);
		if (!ready || anscache_attach(c, e, ready) != 0) {
			/* Not kept: this answer's response alone. */
			free(ready);
			return respond_with(ex, conn, 200, "application/json", r, e->len, NULL);
		}
	} else {
		/* The last second's: queued answers hold it while they need it. */
		MHD_destroy_response(ready->r);
	}
	ready->r = r;
	ready->second = now;
	add_headers(r, ex->request_id, "application/json", NULL);
	ret = MHD_queue_response(conn, 200, r);
	ex->status = 200;
	ex->bytes = e->len;
	return ret;
}

/*
 * A GET's answer from this thread's cache, or else NULL, and the query kept
 * (ex->cache_key) so that a deterministic answer computed here can go in.
 * Keyed on the operation and the query exactly as it came: the same text
 * always means the same request (two spellings of one request are two
 * entries, never one entry for two requests).
 */
static struct anscache_entry *cached_answer(struct exchange *ex)
{
	struct anscache *c;
	struct anscache_entry *e;

	if (!ex->query || strcmp(ex->method, "GET") != 0 || !(c = thread_cache(ex->srv)))
		return NULL;
	/* The query as it came (on_uri hid its first character from libmicrohttpd). */
	ex->query[0] = ex->query_first;
	e = anscache_get(c, ex->route->op, ex->query);
	if (!e && strlen(ex->query) <= FO_ANSCACHE_KEY_MAX)
		ex->cache_key = strdup(ex->query);
	return e;
}

/* Renders and queues a JSON object and a final newline; takes ownership of o. */
static enum MHD_Result respond_json(struct exchange *ex, struct MHD_Connection *conn, int status,
				    const char *type, cJSON *o, const char *const *headers)
{
	char *text = o ? req_json_print(o) : NULL, *line = NULL;
	size_t len = text ? strlen(text) : 0;

	cJSON_Delete(o);
	if (text)
		line = realloc(text, len + 2);
	if (!line) {
		static const char oom[] = "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\","
					  "\"status\":500,\"detail\":\"out of memory\"}\n";
		free(text);
		return respond(ex, conn, 500, "application/problem+json", oom, sizeof oom - 1, MHD_RESPMEM_PERSISTENT,
			       NULL);
	}
	line[len++] = '\n';
	line[len] = '\0';
	if (ex->cacheable && status == 200)
		keep_answer(ex, line, len);
	return respond(ex, conn, status, type, line, len, MHD_RESPMEM_MUST_FREE, headers);
}

/* An RFC 9457 problem; `err` (may be NULL) adds field, estimate and budget. */
static enum MHD_Result problem(struct exchange *ex, struct MHD_Connection *conn, int status,
			       const char *detail, const struct req_error *err,
			       const char *const *headers)
{
	cJSON *o = cJSON_CreateObject();
	const char *title = "Error";

	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (statuses[i].code == status)
			title = statuses[i].reason;
	cJSON_AddStringToObject(o, "type", "about:blank");
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddStringToObject(o, "detail", detail);
	if (err && err->field)
		cJSON_AddStringToObject(o, "field", err->field);
	if (err && err->status == REQ_OVER_BUDGET) {
		cJSON_AddNumberToObject(o, "estimate", err->estimate);
		cJSON_AddNumberToObject(o, "budget", err->budget);
	}
	if (err && err->count > 0) {
		cJSON *list = cJSON_AddArrayToObject(o, "errors");
		for (int i = 0; list && i < err->count && i < FO_MAX_FIELD_ERRORS; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "field", err->errors[i].field);
			cJSON_AddStringToObject(e, "detail", err->errors[i].detail);
			cJSON_AddItemToArray(list, e);
		}
	}
	return respond_json(ex, conn, status, "application/problem+json", o, headers);
}

static enum MHD_Result request_failed(struct exchange *ex, struct MHD_Connection *conn,
				      const struct req_error *err)
{
	return problem(ex, conn, status_of[err->status], err->detail, err, NULL);
}

static enum MHD_Result too_large(struct exchange *ex, struct MHD_Connection *conn)
{
	return problem(ex, conn, 413, "the request body is over the size limit", NULL, NULL);
}

static enum MHD_Result busy(struct exchange *ex, struct MHD_Connection *conn, const char *why)
{
	static const char *const retry[] = { "Retry-After", FO_STR(FO_HTTP_RETRY_AFTER), NULL };

	return problem(ex, conn, 503, why, NULL, retry);
}

/* ---- plain routes ------------------------------------------------------- */

/* Does If-None-Match's list (or "*") name `etag`?  Weak comparison, as RFC 9110 asks. */
static int etag_matches(const char *list, const char *etag)
{
	size_t n = strlen(etag);

	while (*list) {
		list += strspn(list, " \t,");
		if (*list == '*')
			return 1;
		if (strncmp(list, "W/", 2) == 0)
			list += 2;
		if (strncmp(list, etag, n) == 0 && strchr(" \t,", list[n]))
			return 1;
		list += strcspn(list, ",");
	}
	return 0;
}

/*
 * Whether an Accept-Encoding value lists gzip (or *) with a q other than 0:
 * coding tokens separated by commas, each with optional ";q=" weight.
 */
static int accepts_gzip(const char *v)
{
	while (v && *v) {
		size_t n;
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		n = strcspn(v, ",; \t");
		if ((n == 4 && strncasecmp(v, "gzip", 4) == 0) || (n == 1 && *v == '*')) {
			const char *end = v + n + strcspn(v + n, ",");
			const char *w = strstr(v + n, "q=");
			if (!w || w > end || strtod(w + 2, NULL) > 0)
				return 1;
		}
		v += strcspn(v, ",");
	}
	return 0;
}

/* A compiled-in file, or 304 when the client's copy is current. */
static enum MHD_Result get_asset(struct exchange *ex, struct MHD_Connection *conn)
{
	const char *match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	const struct asset *a = NULL;

	for (size_t i = 0; i < fo_asset_count && !a; i++)
		if (strcmp(fo_assets[i].path, ex->route->path) == 0)
			a = &fo_assets[i];
	if (!a)
		return problem(ex, conn, 500, "a route names a file that was not compiled in", NULL, NULL);
	/* The precompressed copy when the client accepts gzip and it is smaller. */
	int gz = accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding")) &&
		 a->gz_len < a->len;
	const char *etag = gz ? a->gz_etag : a->etag;
	const char *const headers[] = { "ETag", etag, "Cache-Control", a->cache, "Vary", "Accept-Encoding",
					gz ? "Content-Encoding" : NULL, "gzip", NULL };
	if (match && etag_matches(match, etag))
		return respond(ex, conn, 304, NULL, "", 0, MHD_RESPMEM_PERSISTENT, headers);
	return respond(ex, conn, 200, a->type, gz ? a->gz : a->data, gz ? a->gz_len : a->len,
		       MHD_RESPMEM_PERSISTENT, headers);
}

static enum MHD_Result get_healthz(struct exchange *ex, struct MHD_Connection *conn)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddStringToObject(o, "version", FO_VERSION);
	return respond_json(ex, conn, 200, "application/json", o, NULL);
}

static enum MHD_Result get_readyz(struct exchange *ex, struct MHD_Connection *conn)
{
	cJSON *o;

	if (atomic_load(&ex->srv->draining))
		return busy(ex, conn, "draining: not accepting new work");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ready");
	return respond_json(ex, conn, 200, "application/json", o, NULL);
}

static enum MHD_Result get_metrics(struct exchange *ex, struct MHD_Connection *conn)
{
	struct http_server *s = ex->srv;
	struct metrics_now now = { workpool_load(s->pool), (size_t)s->cfg.queue, atomic_load(&s->draining), 0, 0, 0 };
	size_t len;
	char *text;

	for (size_t i = 0; s->caches && i < s->ncaches; i++) {
		struct anscache_figures f = { 0, 0, 0 };
		if (s->caches[i])
			anscache_figures(s->caches[i], &f);
		now.cache_entries += f.entries;
		now.cache_hits += f.hits;
		now.cache_misses += f.misses;
	}
	text = metrics_render(s->metrics, &now, &len);

	if (!text)
		return problem(ex, conn, 500, "out of memory", NULL, NULL);
	return respond(ex, conn, 200, "text/plain; version=0.0.4", text, len, MHD_RESPMEM_MUST_FREE, NULL);
}

/* ---- work on the pool --------------------------------------------------- */

/*
 * Queues a request's answer from its outcome: `o`, or else `err` and what the
 * guard did: 200, 504 past the time limit, 422 when it outgrew its estimate,
 * 499 when the client left, 503 when a drain cancelled it, or the request
 * layer's error.
 */
static enum MHD_Result outcome(struct exchange *ex, struct MHD_Connection *conn, cJSON *o,
			       const struct req_error *err_, enum guard_why why)
{
	struct http_server *s = ex->srv;
	struct req_error err = *err_;

	if (o) {
		return respond_json(ex, conn, 200, "application/json", o, NULL);
	}
	if (err.status == REQ_CANCELLED && why == GUARD_GONE)
		return problem(ex, conn, STATUS_CLIENT_GONE, "the client closed the connection", NULL, NULL);
	if (err.status == REQ_CANCELLED && why == GUARD_DRAIN)
		return busy(ex, conn, "draining: the service is stopping and cancelled this request; retry "
				      "on another replica");
	if (err.status == REQ_CANCELLED) {
		char detail[160];
		snprintf(detail, sizeof detail,
			 "the request ran past its time limit of %g s; lower its work or retry later",
			 s->cfg.timeout);
		return problem(ex, conn, 504, detail, NULL, NULL);
	}
	return request_failed(ex, conn, &err);
}

/* Runs a planned request under the guard (already watching `it`) and queues its answer. */
static enum MHD_Result execute(struct exchange *ex, struct MHD_Connection *conn,
			       const struct request *req, struct guard_item *it)
{
	struct http_server *s = ex->srv;
	struct req_error err;
	enum guard_why why;
	cJSON *o = guard_execute(s->guard, it, req, &s->limits, &err, &why);

	return outcome(ex, conn, o, &err, why);
}

/* Runs on a worker: compute, queue the answer on the suspended connection, resume it. */
static void run_job(void *arg)
{
	struct job *j = arg;
	struct http_server *s = j->ex->srv;

	execute(j->ex, j->conn, &j->req, &j->guard);
	MHD_resume_connection(j->conn);
	pthread_mutex_lock(&s->state_lock);
	s->suspended--;
	pthread_mutex_unlock(&s->state_lock);
	free(j);
}

static void on_cancel(void *ctx, enum guard_why why)
{
	struct http_server *s = ctx;

	metrics_cancelled(s->metrics, why == GUARD_TIMEOUT ? MC_TIMEOUT
				      : why == GUARD_GONE ? MC_DISCONNECT : MC_OVERRUN);
}

/* Hands a planned request to the pool; answers 503 at once if the queue is full. */
static enum MHD_Result start_job(struct exchange *ex, struct MHD_Connection *conn,
				 const struct request *req)
{
	struct http_server *s = ex->srv;
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct job *j = calloc(1, sizeof *j);
	int closed;

	if (!j)
		return problem(ex, conn, 500, "out of memory", NULL, NULL);
	j->ex = ex;
	j->conn = conn;
	j->req = *req;
	pthread_mutex_lock(&s->state_lock);
	closed = s->closed;
	if (!closed) {
		s->suspended++;
		MHD_suspend_connection(conn);
	}
	pthread_mutex_unlock(&s->state_lock);
	if (closed) {
		free(j);
		return busy(ex, conn, "draining: not accepting new work");
	}
	ex->had_job = 1;
	atomic_fetch_add(&s->busy, 1);
	guard_watch(s->guard, &j->guard, &ex->start, info ? info->connect_fd : -1, ex->http11);
	if (workpool_submit(s->pool, run_job, j) == 0)
		return MHD_YES;
	guard_unwatch(s->guard, &j->guard);
	free(j);
	busy(ex, conn, "all workers are busy and the queue is full; retry later");
	MHD_resume_connection(conn);
	pthread_mutex_lock(&s->state_lock);
	s->suspended--;
	pthread_mutex_unlock(&s->state_lock);
	return MHD_YES;
}

/* ---- operations --------------------------------------------------------- */

/* req_limits' trials_done: every simulated trial, whatever the operation, in the metrics. */
static void count_trials(void *ctx, int64_t trials)
{
	metrics_add_trials(ctx, (uint64_t)trials);
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	cJSON *fields = cls, *v = value ? req_json_parse(value, strlen(value)) : NULL;

	(void)kind;
	/* An empty value (`curve=`, as URLSearchParams writes one) is an absent field. */
	if (value && !*value) {
		cJSON_Delete(v);
		return MHD_YES;
	}
	if (!v)
		v = value ? cJSON_CreateString(value) : cJSON_CreateTrue();
	if (v)
		cJSON_AddItemToObject(fields, key, v);
	return MHD_YES;
}

/* '+' is a space in a query, then %XX escapes are decoded (libmicrohttpd's own decoder). */
static void unescape(char *text)
{
	for (char *c = text; (c = strchr(c, '+')) != NULL; c++)
		*c = ' ';
	MHD_http_unescape(text);
}

/*
 * Adds each of a query's parameters to `fields` (add_query_arg), in place in
 * `query`, as libmicrohttpd would have: parameters are separated by '&' (a
 * last empty one is none), each is a name and, after its first '=', a value
 * (without '=', no value); both are unescaped.
 */
static void parse_query(char *query, cJSON *fields)
{
	while (*query) {
		char *end = strchr(query, '&'), *value;
		if (end)
			*end = '\0';
		value = strchr(query, '=');
		if (value)
			*value++ = '\0';
		unescape(query);
		if (value)
			unescape(value);
		add_query_arg(fields, MHD_GET_ARGUMENT_KIND, query, value);
		if (!end)
			break;
		query = end + 1;
	}
}

/* The request's fields: the JSON body, or for GET the query parameters as JSON values. */
static cJSON *request_fields(struct exchange *ex)
{
	cJSON *fields;

	if (strcmp(ex->method, "GET") != 0)
		return req_json_parse(ex->body ? ex->body : "", ex->len);
	fields = cJSON_CreateObject();
	if (fields && ex->query) {
		/* The query as it came, once: on_uri hid its first character from libmicrohttpd. */
		ex->query[0] = ex->query_first;
		parse_query(ex->query, fields);
		ex->query = NULL;
	}
	return fields;
}

#ifdef FO_TEST_HOOKS
/*
 * Test builds only (fanoutd-test-hooks, never installed): planning made slow
 * by FANOUTD_TEST_PLAN_DELAY_MS milliseconds, so that a test can see the time
 * limit cover it.
 */
static void test_slow_planning(void)
{
	const char *ms = getenv("FANOUTD_TEST_PLAN_DELAY_MS");
	long n = ms ? strtol(ms, NULL, 10) : 0;
	struct timespec t = { n / 1000, n % 1000 * 1000000L };

	if (n > 0)
		nanosleep(&t, NULL);
}
#endif

/*
 * Parses and plans a request on this connection thread, under the guard's
 * time limit (counted from the request's arrival): planning is bounded by
 * construction, and a request the watchdog finds past its limit meanwhile is
 * answered as cancelled once planning returns.  Then cheap work runs here,
 * still watched; heavy work goes to the pool as a job, watched by its own
 * item.  This thread's guard slot does the watching: no lock shared with the
 * other connection threads.
 */
static enum MHD_Result run_operation(struct exchange *ex, struct MHD_Connection *conn)
{
	struct http_server *s = ex->srv;
	struct guard_item local, *it = guard_slot(s->guard);
	cJSON *fields;
	struct request req;
	struct req_error err;
	enum req_status st;
	struct anscache_entry *cached = atomic_load(&s->draining) ? NULL : cached_answer(ex);

	if (cached)
		return respond_cached(ex, conn, cached);
	if (it) {
		guard_arm(s->guard, it, &ex->start);
	} else {
		/* No memory for a slot: a watched item of this call's own, as for a job. */
		it = &local;
		guard_watch(s->guard, it, &ex->start, -1, 0);
	}
	fields = request_fields(ex);
	if (!fields) {
		guard_unwatch(s->guard, it);
		return problem(ex, conn, 400, "the request body is not valid JSON", NULL, NULL);
	}
#ifdef FO_TEST_HOOKS
	test_slow_planning();
#endif
	st = req_prepare(ex->route->op, fields, &s->limits, &req, &err);
	cJSON_Delete(fields);
	if (st == REQ_OK && atomic_load(&it->cancel)) {
		/* Past the time limit (or cancelled by a drain) while planning. */
		guard_unwatch(s->guard, it);
		memset(&err, 0, sizeof err);
		err.status = REQ_CANCELLED;
		return outcome(ex, conn, NULL, &err, (enum guard_why)atomic_load(&it->why));
	}
	if (st != REQ_OK || atomic_load(&s->draining) || req.work > FO_HTTP_INLINE_WORK)
		guard_unwatch(s->guard, it);
	if (st != REQ_OK)
		return request_failed(ex, conn, &err);
	if (atomic_load(&s->draining))
		return busy(ex, conn, "draining: not accepting new work");
	if (req.work > FO_HTTP_INLINE_WORK)
		return start_job(ex, conn, &req);
	/* Answered on this thread: a deterministic answer may go into its cache. */
	ex->cacheable = ex->cache_key && req_deterministic(&req);
	return execute(ex, conn, &req, it);
}

/* ---- the read deadline ------------------------------------------------- */

static struct conn_watch *conn_watch_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static long long now_ns(void)
{
	struct timespec t = guard_now();

	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * The request on conn has fully arrived: its deadline no longer applies.
 * Per request, so without conns_lock (which guards the list, not these
 * fields): the reaper reads them atomically.
 */
static void conn_read_done(struct MHD_Connection *conn)
{
	struct conn_watch *w = conn_watch_of(conn);

	if (w)
		atomic_store(&w->reading, 0);
}

/*
 * The answer has gone at `now` (guard_now, taken for the access line): the
 * next request's deadline starts then (the reaper resets `ended`).
 */
static void conn_read_again(struct MHD_Connection *conn, struct timespec now)
{
	struct conn_watch *w = conn_watch_of(conn);

	if (!w)
		return;
	atomic_store(&w->since, (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
	atomic_fetch_add(&w->requests, 1);
	atomic_store(&w->reading, 1);
}

/*
 * Shuts down up to `count` connections, oldest first, that wait for a
 * request or are still receiving one (never `keep`, the one just accepted,
 * nor one whose request is being answered); libmicrohttpd then closes them.
 * Called with conns_lock held.
 */
static void shed_idle(struct http_server *s, const struct conn_watch *keep, int count)
{
	struct conn_watch *w = s->conns;

	while (w && w->next)
		w = w->next;
	for (; w && count > 0; w = w->prev) {
		if (w == keep || !atomic_load(&w->reading) || w->shed)
			continue;
		shutdown(w->fd, SHUT_RDWR);
		w->shed = 1;
		s->nshed++;
		count--;
	}
}

/* Tracks each connection from its start (for the read deadline) to its close. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct conn_watch *w = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = calloc(1, sizeof *w);
		if (!w || !info) {
			free(w);
			return;
		}
		w->fd = info->connect_fd;
		client_address(conn, w->remote, sizeof w->remote);
		atomic_init(&w->reading, 1);
		atomic_init(&w->since, now_ns());
		pthread_mutex_lock(&s->conns_lock);
		w->next = s->conns;
		if (s->conns)
			s->conns->prev = w;
		s->conns = w;
		if (++s->nconns - s->nshed > s->high_water)
			shed_idle(s, w, s->nconns - s->nshed - s->high_water);
		pthread_mutex_unlock(&s->conns_lock);
		*socket_context = w;
		return;
	}
	if (!w)
		return;
	/* libmicrohttpd closes the socket after this returns: the reaper never sees it closed. */
	pthread_mutex_lock(&s->conns_lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		s->conns = w->next;
	if (w->next)
		w->next->prev = w->prev;
	s->nconns--;
	s->nshed -= w->shed;
	pthread_mutex_unlock(&s->conns_lock);
	free(w);
	*socket_context = NULL;
}

/*
 * Did the client of a connection whose request has not fully arrived end its
 * input (FIN, nothing left unread)?  Then the request can never complete.
 * Seen on two ticks in a row, so that a request libmicrohttpd has just read
 * but not yet handed to on_request is never taken for one.
 */
static int input_ended(struct conn_watch *w)
{
	char c;
	ssize_t n = recv(w->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	w->ended = n == 0 ? w->ended + 1 : 0;
	return w->ended >= 2;
}

/*
 * Shuts down the socket of every connection whose request is still arriving
 * FO_HTTP_READ_DEADLINE seconds after it began, or can no longer arrive
 * because the client ended its input (libmicrohttpd 0.9.75 does not always
 * notice that while waiting for a body); libmicrohttpd then closes it.  Run
 * by the guard's watchdog thread every FO_HTTP_READ_TICK_MS.
 */
static void reap(void *arg)
{
	struct http_server *s = arg;
	long long t = now_ns();

	pthread_mutex_lock(&s->conns_lock);
	for (struct conn_watch *w = s->conns; w; w = w->next) {
		unsigned requests = atomic_load(&w->requests);
		if (requests != w->seen) {
			w->seen = requests;
			w->ended = 0;
		}
		if (!atomic_load(&w->reading))
			continue;
		if ((double)(t - atomic_load(&w->since)) / 1e9 > s->cfg.read_deadline || input_ended(w)) {
			shutdown(w->fd, SHUT_RDWR);
			atomic_store(&w->reading, 0);
		}
	}
	pthread_mutex_unlock(&s->conns_lock);
	/* The same tick writes out the access log's buffers. */
	log_flush();
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

/* The request context when on_uri could not allocate one: on_request answers 500. */
static char no_memory;

/*
 * Sees each request's URI before libmicrohttpd parses its query, and makes
 * the request's exchange (its context from here on).  Parsed by
 * libmicrohttpd, every parameter would take room in the connection's memory
 * pool, which libmicrohttpd zeroes after every request (so it is kept small),
 * and closes the connection without an answer when it runs out.  So the query
 * is hidden from libmicrohttpd here (its first character zeroed, in
 * libmicrohttpd's own buffer, which it reads after this call and keeps in
 * place until the request completes) and parsed by request_fields; a query of
 * more than FO_HTTP_MAX_PARAMS parameters is answered 414 by on_request.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	char *query = uri ? strchr(uri, '?') : NULL;
	struct exchange *ex = calloc(1, sizeof *ex);

	(void)cls;
	(void)conn;
	if (query)
		query = (char *)(uintptr_t)query + 1;  /* libmicrohttpd's buffer, which it reads after this returns */
	if (!ex) {
		if (query)
			*query = '\0';
		return &no_memory;
	}
	if (query) {
		size_t params = 1;
		for (const char *c = query; *c && params <= FO_HTTP_MAX_PARAMS; c++)
			params += *c == '&' || *c == ';';
		ex->too_many_params = params > FO_HTTP_MAX_PARAMS;
		ex->query = query;
		ex->query_first = *query;
		*query = '\0';
	}
	return ex;
}

static const struct route *find_route(const char *url)
{
	for (size_t i = 0; i < NROUTES; i++)
		if (strcmp(routes[i].path, url) == 0)
			return &routes[i];
	return NULL;
}

/* Is `method` one of the comma-separated `allow` list? */
static int allowed(const char *allow, const char *method)
{
	size_t n = strlen(method);

	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += n)
		if ((p == allow || (p >= allow + 2 && p[-2] == ',' && p[-1] == ' ')) &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	snprintf(out, size, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)size);
}

/* 64 well-mixed bits from x (SplitMix64's finaliser). */
static uint64_t mix64(uint64_t x)
{
	return rng_mix64(x);
}

/* The client's X-Request-Id when it is short and plain, or a new one. */
static void request_id(struct http_server *s, struct MHD_Connection *conn, char out[REQUEST_ID_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";
	/* Per connection thread, so that no count is shared: its number in the top 16 bits. */
	static _Thread_local uint64_t count;
	const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	size_t n = given ? strlen(given) : 0;
	uint64_t id;

	if (n > 0 && n <= REQUEST_ID_MAX && strspn(given, REQUEST_ID_CHARS) == n) {
		memcpy(out, given, n + 1);
		return;
	}
	/* mix64 is a bijection: distinct (thread, count) pairs give distinct ids. */
	id = mix64(s->id_seed + ((uint64_t)thread_number(s) << 48) + count++);
	for (int i = 15; i >= 0; i--, id >>= 4)
		out[i] = hex[id & 15];
	out[16] = '\0';
}

/* Fills in a request's exchange (made by on_uri, or here) when on_request first sees it. */
static struct exchange *exchange_start(struct http_server *s, struct exchange *ex, struct MHD_Connection *conn,
				       const char *url, const char *method, const char *version)
{
	if (!ex)
		ex = calloc(1, sizeof *ex);
	if (!ex)
		return NULL;
	ex->srv = s;
	ex->started = 1;
	ex->start = guard_now();
	ex->route = find_route(url);
	{
		/* Copied, cut to fit (no snprintf on the per-request path). */
		size_t m = strnlen(method, sizeof ex->method), u = strnlen(url, sizeof ex->path - 1);
		ex->method_cut = m >= sizeof ex->method;
		if (ex->method_cut)
			m = sizeof ex->method - 1;
		memcpy(ex->method, method, m);
		ex->method[m] = '\0';
		memcpy(ex->path, url, u);
		ex->path[u] = '\0';
	}
	ex->http11 = version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0;
	{
		/* Made once a connection (on_connection), not once a request. */
		const struct conn_watch *w = conn_watch_of(conn);
		if (w)
			memcpy(ex->remote, w->remote, sizeof ex->remote);
		else
			client_address(conn, ex->remote, sizeof ex->remote);
	}
	request_id(s, conn, ex->request_id);
	return ex;
}

/* Keeps what a log line may show of a client's text printable and quote-free. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			*s = '?';
}

/*
 * Answers a request whose body has been read in full.  Queuing an answer
 * before that makes libmicrohttpd close the connection afterwards, so only
 * an announced oversized body is answered early (see on_request).
 */
static enum MHD_Result answer(struct exchange *ex, struct MHD_Connection *conn)
{
	const struct route *r = ex->route;

	if (!r)
		return problem(ex, conn, 404, "no such path; see /openapi.yaml", NULL, NULL);
	if (!ex->method_cut && strcmp(ex->method, "OPTIONS") == 0) {
		const char *const preflight[] = {
			"Access-Control-Allow-Methods", r->allow,
			"Access-Control-Allow-Headers", "Content-Type, X-Request-Id",
			"Access-Control-Max-Age", "86400", "Allow", r->allow, NULL,
		};
		return respond(ex, conn, 204, NULL, "", 0, MHD_RESPMEM_PERSISTENT, preflight);
	}
	if (ex->method_cut || !allowed(r->allow, ex->method)) {
		const char *const allow[] = { "Allow", r->allow, NULL };
		char detail[96];
		printable(ex->method);
		snprintf(detail, sizeof detail, "%s%s is not allowed here; use %s", ex->method,
			 ex->method_cut ? "..." : "", r->allow);
		return problem(ex, conn, 405, detail, NULL, allow);
	}
	if (ex->too_large)
		return too_large(ex, conn);
	return r->handler(ex, conn);
}

/* A body announced (Content-Length) over the limit is refused before it is read. */
static int announced_too_large(const struct exchange *ex, struct MHD_Connection *conn)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

	return ex->route && ex->route->handler == run_operation && strcmp(ex->method, "POST") == 0 && length &&
	       strtoull(length, NULL, 10) > ex->srv->cfg.body_limit;
}

/* Appends a piece of the body, or past the limit only notes that it is too large. */
static void take_body(struct exchange *ex, const char *data, size_t size)
{
	size_t limit = ex->srv->cfg.body_limit;

	if (ex->too_large || ex->len + size > limit) {
		ex->too_large = 1;
		return;
	}
	if (ex->len + size > ex->cap) {
		size_t cap = ex->cap ? ex->cap : 1024;
		while (cap < ex->len + size)
			cap *= 2;
		char *body = realloc(ex->body, cap);
		if (!body) {
			ex->too_large = 1;
			return;
		}
		ex->body = body;
		ex->cap = cap;
	}
	memcpy(ex->body + ex->len, data, size);
	ex->len += size;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct exchange *ex = *con_cls;

	if (!ex || ex == (void *)&no_memory || !ex->started) {
		int oom = ex == (void *)&no_memory;
		ex = exchange_start(cls, oom ? NULL : ex, conn, url, method, version);
		*con_cls = ex;
		if (!ex)
			return MHD_NO;
		if (oom)
			return problem(ex, conn, 500, "out of memory", NULL, NULL);
		if (ex->too_many_params) {
			char detail[96];
			snprintf(detail, sizeof detail, "the query has more than %d parameters",
				 (int)FO_HTTP_MAX_PARAMS);
			return problem(ex, conn, 414, detail, NULL, NULL);
		}
		return announced_too_large(ex, conn) ? too_large(ex, conn) : MHD_YES;
	}
	if (*upload_size) {
		take_body(ex, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (ex->status || ex->had_job)
		return MHD_YES;
	conn_read_done(conn);
	return answer(ex, conn);
}

/*
 * One access line, buffered (log_buffered): text,
 *   STAMP REMOTE "METHOD PATH" STATUS BYTES MS.mmmms REQUEST_ID
 * or the same fields as one JSON object.
 */
static void access_log(const struct http_server *s, struct exchange *ex, int status, double secs)
{
	char stamp[32], line[512], *p = line, *end = line + sizeof line;
	long long us = llround(secs * 1e6);

	log_stamp(stamp, sizeof stamp);
	/* Both formats: a path cut to fit may end inside a UTF-8 character.  Printable, quote- and
	 * backslash-free, every string here is also a JSON string as it is. */
	printable(ex->path);
	printable(ex->method);
	if (!s->cfg.log_json) {
		p = put_text(p, end, stamp);
		p = put_text(p, end, " ");
		p = put_text(p, end, ex->remote);
		p = put_text(p, end, " \"");
		p = put_text(p, end, ex->method);
		p = put_text(p, end, " ");
		p = put_text(p, end, ex->path);
		p = put_text(p, end, "\" ");
		p = put_uint(p, end, (unsigned)status);
		p = put_text(p, end, " ");
		p = put_uint(p, end, ex->bytes);
		p = put_text(p, end, " ");
		p = put_ms(p, end, us);
		p = put_text(p, end, "ms ");
		p = put_text(p, end, ex->request_id);
	} else {
		p = put_text(p, end, "{\"time\":\"");
		p = put_text(p, end, stamp);
		p = put_text(p, end, "\",\"remote\":\"");
		p = put_text(p, end, ex->remote);
		p = put_text(p, end, "\",\"method\":\"");
		p = put_text(p, end, ex->method);
		p = put_text(p, end, "\",\"path\":\"");
		p = put_text(p, end, ex->path);
		p = put_text(p, end, "\",\"status\":");
		p = put_uint(p, end, (unsigned)status);
		p = put_text(p, end, ",\"bytes\":");
		p = put_uint(p, end, ex->bytes);
		p = put_text(p, end, ",\"ms\":");
		p = put_ms(p, end, us);
		p = put_text(p, end, ",\"request_id\":\"");
		p = put_text(p, end, ex->request_id);
		p = put_text(p, end, "\"}");
	}
	/* The fields are bounded (path 127 bytes, method 15, id 64): a line always fits. */
	p = put_text(p, end, "\n");
	if (p < end)
		log_buffered(line, (size_t)(p - line));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct exchange *ex = *con_cls;
	struct timespec end = guard_now();
	int status;
	double secs;

	if (!ex || ex == (void *)&no_memory || !ex->started) {
		/* Refused by libmicrohttpd before on_request (414, 431): only on_uri's exchange to free. */
		if (ex != (void *)&no_memory)
			free(ex);
		*con_cls = NULL;
		return;
	}
	/* An answer that never reached the client is logged as the client's leaving. */
	status = ex->status && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ex->status : STATUS_CLIENT_GONE;
	secs = guard_seconds(&ex->start, &end);
	metrics_observe(s->metrics, ex->route ? (size_t)(ex->route - routes) : NROUTES, status, secs);
	access_log(s, ex, status, secs);
	conn_read_again(conn, end);
	if (ex->had_job)
		atomic_fetch_sub(&s->busy, 1);
	free(ex->body);
	free(ex->cache_key);
	/* A big answer's memory goes back to the system, not only to malloc's free lists. */
	if (ex->bytes > FO_TRIM_BYTES)
		malloc_trim(0);
	free(ex);
	*con_cls = NULL;
}

/* ---- life cycle --------------------------------------------------------- */

static int resolve(const char *address, int port, struct sockaddr_storage *out, socklen_t *len)
{
	struct addrinfo hints = { 0 }, *res;
	char service[8];

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(service, sizeof service, "%d", port);
	if (getaddrinfo(address, service, &hints, &res) != 0 || !res)
		return -1;
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* libmicrohttpd's own messages, in the log's format. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	log_vline("libmicrohttpd", fmt, ap);
}

static void free_caches(struct http_server *s)
{
	for (size_t i = 0; s->caches && i < s->ncaches; i++)
		anscache_free(s->caches[i]);
	free(s->caches);
	s->caches = NULL;
}

struct http_server *http_start(const struct http_config *cfg)
{
	struct http_server *s = calloc(1, sizeof *s);
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct timespec started;

	if (!s)
		return NULL;
	s->cfg = *cfg;
	clock_gettime(CLOCK_REALTIME, &started);
	s->id_seed = mix64((uint64_t)started.tv_sec * 1000000000u + (uint64_t)started.tv_nsec);
	s->limits.work_budget = cfg->work_budget;
	s->limits.sim_threads = cfg->sim_threads;
	pthread_mutex_init(&s->state_lock, NULL);
	pthread_mutex_init(&s->conns_lock, NULL);
	if (resolve(cfg->address, cfg->port, &addr, &addr_len) < 0) {
		log_line("error", "fanoutd: cannot resolve address '%s'", cfg->address);
		goto fail;
	}
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	for (size_t i = 0; i < NROUTES; i++)
		s->paths[i] = routes[i].path;
	s->metrics = metrics_new(s->paths, NROUTES, statuses, sizeof statuses / sizeof statuses[0]);
	s->limits.trials_done = count_trials;
	s->limits.trials_ctx = s->metrics;
	s->pool = workpool_new(cfg->threads, cfg->queue);
	s->guard = s->metrics ? guard_new(cfg->timeout, on_cancel, s) : NULL;
	if (!s->guard || !s->pool) {
		log_line("error", "fanoutd: out of memory or threads");
		goto fail;
	}
	/* Without memory for the caches, no answer is cached (anscache_new's NULL: that thread's). */
	s->caches = calloc((size_t)cfg->http_threads, sizeof *s->caches);
	s->ncaches = s->caches ? (size_t)cfg->http_threads : 0;
	for (size_t i = 0; i < s->ncaches; i++) {
		s->caches[i] = anscache_new(FO_HTTP_CACHE_SLOTS, FO_HTTP_CACHE_BODY_MAX);
		if (s->caches[i])
			anscache_on_detach(s->caches[i], drop_ready);
	}
	s->high_water = cfg->connections - (cfg->connections / 8 > 1 ? cfg->connections / 8 : 1);
	guard_on_tick(s->guard, FO_HTTP_READ_TICK_MS, reap, s);
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http_threads,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->connections,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_address,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)FO_HTTP_CONNECTION_MEMORY,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FO_HTTP_IDLE_TIMEOUT,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				     MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				     MHD_OPTION_END);
	if (!s->daemon) {
		log_line("error", "fanoutd: cannot listen on %s port %d", cfg->address, cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	return s;
fail:
	free_caches(s);
	if (s->pool)
		workpool_free(s->pool);
	guard_free(s->guard);
	metrics_free(s->metrics);
	pthread_mutex_destroy(&s->state_lock);
	pthread_mutex_destroy(&s->conns_lock);
	free(s);
	return NULL;
}

int http_port(const struct http_server *s)
{
	return s->port;
}

void http_begin_drain(struct http_server *s)
{
	atomic_store(&s->draining, 1);
}

int http_busy(struct http_server *s)
{
	return atomic_load(&s->busy);
}

void http_cancel_all(struct http_server *s)
{
	guard_cancel_all(s->guard);
}

int http_stop(struct http_server *s)
{
	int suspended;

	const struct timespec tick = { 0, FO_TICK_MS * 1000L * 1000L };

	/*
	 * From here no connection is suspended again, so none can be left when
	 * libmicrohttpd stops.  A job resumes its connection just before it
	 * counts itself out, so a finished job may still be counted: wait for
	 * that, up to FO_HTTP_CANCEL_WAIT for one that ignored cancellation.
	 */
	pthread_mutex_lock(&s->state_lock);
	s->closed = 1;
	suspended = s->suspended;
	pthread_mutex_unlock(&s->state_lock);
	for (int i = 0; suspended > 0 && i < FO_HTTP_CANCEL_WAIT * 1000 / FO_TICK_MS; i++) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&s->state_lock);
		suspended = s->suspended;
		pthread_mutex_unlock(&s->state_lock);
	}
	if (suspended > 0)
		return -1;
	MHD_stop_daemon(s->daemon);
	/* Every connection thread is done: the last access lines go out now. */
	log_flush();
	/* No answer is being sent any more: the caches' entries go with them. */
	free_caches(s);
	workpool_free(s->pool);
	guard_free(s->guard);
	metrics_free(s->metrics);
	pthread_mutex_destroy(&s->state_lock);
	pthread_mutex_destroy(&s->conns_lock);
	free(s);
	return 0;
}
