/*
 * http.c — fanoutd's routes, request bodies, worker hand-off and access log.
 *
 * Per request, an `exchange` (libmicrohttpd's request context) collects the
 * body and remembers the status sent, for the access log and metrics written
 * when libmicrohttpd reports the request complete.  Heavy work becomes a
 * `job`: the connection is suspended, the job runs on the worker pool, queues
 * its response on the suspended connection and resumes it.  While suspended,
 * libmicrohttpd does not notice a client that hangs up, so the watchdog
 * thread peeks at each job's socket, and also enforces the time limit.
 */
#define _DEFAULT_SOURCE /* MSG_DONTWAIT */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "assets.h"
#include "fanout/config.h"
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
	{ 405, "Method Not Allowed" }, { 413, "Content Too Large" }, { 422, "Unprocessable Content" },
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
	atomic_int draining;
	atomic_int busy;               /* jobs whose exchange has not completed */
	pthread_mutex_t jobs_lock;
	struct job *jobs;              /* queued or running, for the watchdog */
	pthread_t watchdog;
	atomic_int stopping;
	int port;
	const char *paths[NROUTES];    /* the routes' paths, for the metrics */
	uint64_t id_seed;              /* generated request ids: this, mixed with a count */
	atomic_uint_fast64_t ids;
};


struct exchange {
	struct http_server *srv;
	const struct route *route;
	struct timespec start;
	char method[8];
	char path[128];
	char remote[64];
	char request_id[REQUEST_ID_MAX + 1];
	char *body;
	size_t len, cap;
	int too_large;
	int status;                    /* sent, or 0 */
	size_t bytes;
	int had_job;
};

struct job {
	struct exchange *ex;
	struct MHD_Connection *conn;
	struct request req;
	atomic_int cancel;
	int why;                       /* metrics_cancel reason, or -1 */
	int fd;
	struct job *prev, *next;
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static struct timespec now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* ---- responses ---------------------------------------------------------- */

/*
 * Queues `body` (len bytes; freed with free() when `owned`) with the headers
 * every answer carries, plus `headers`: NULL, or name, value, …, NULL.
 */
static enum MHD_Result respond(struct exchange *ex, struct MHD_Connection *conn, int status,
			       const char *type, const char *body, size_t len, int owned,
			       const char *const *headers)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r) {
		if (owned)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(r, "Access-Control-Expose-Headers", "X-Request-Id");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
	MHD_add_response_header(r, "X-Request-Id", ex->request_id);
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	for (; headers && headers[0]; headers += 2)
		MHD_add_response_header(r, headers[0], headers[1]);
	ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	ex->status = status;
	ex->bytes = len;
	return ret;
}

/* Renders and queues a JSON object and a final newline; takes ownership of o. */
static enum MHD_Result respond_json(struct exchange *ex, struct MHD_Connection *conn, int status,
				    const char *type, cJSON *o, const char *const *headers)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL, *line = NULL;
	size_t len = text ? strlen(text) : 0;

	cJSON_Delete(o);
	if (text)
		line = realloc(text, len + 2);
	if (!line) {
		static const char oom[] = "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\","
					  "\"status\":500,\"detail\":\"out of memory\"}\n";
		free(text);
		return respond(ex, conn, 500, "application/problem+json", oom, sizeof oom - 1, 0, NULL);
	}
	line[len++] = '\n';
	line[len] = '\0';
	return respond(ex, conn, status, type, line, len, 1, headers);
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
	const char *const headers[] = { "ETag", a->etag, "Cache-Control", a->cache, NULL };
	if (match && etag_matches(match, a->etag))
		return respond(ex, conn, 304, NULL, "", 0, 0, headers);
	return respond(ex, conn, 200, a->type, a->data, a->len, 0, headers);
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
	size_t len;
	char *text = metrics_render(s->metrics, workpool_load(s->pool), s->cfg.queue,
				    atomic_load(&s->draining), &len);

	if (!text)
		return problem(ex, conn, 500, "out of memory", NULL, NULL);
	return respond(ex, conn, 200, "text/plain; version=0.0.4", text, len, 1, NULL);
}

/* ---- work on the pool --------------------------------------------------- */

static void jobs_add(struct http_server *s, struct job *j)
{
	pthread_mutex_lock(&s->jobs_lock);
	j->prev = NULL;
	j->next = s->jobs;
	if (s->jobs)
		s->jobs->prev = j;
	s->jobs = j;
	pthread_mutex_unlock(&s->jobs_lock);
}

static void jobs_remove(struct http_server *s, struct job *j)
{
	pthread_mutex_lock(&s->jobs_lock);
	if (j->prev)
		j->prev->next = j->next;
	else
		s->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	pthread_mutex_unlock(&s->jobs_lock);
}

/* Runs on a worker: compute, queue the answer on the suspended connection, resume it. */
static void run_job(void *arg)
{
	struct job *j = arg;
	struct exchange *ex = j->ex;
	struct http_server *s = ex->srv;
	struct req_error err;
	cJSON *o = req_execute(&j->req, &s->limits, &j->cancel, &err);

	jobs_remove(s, j);
	if (o) {
		if (j->req.op == REQ_SIMULATE_GOSSIP)
			metrics_add_trials(s->metrics, (uint64_t)j->req.trials);
		respond_json(ex, j->conn, 200, "application/json", o, NULL);
	} else if (err.status == REQ_CANCELLED && j->why == MC_DISCONNECT) {
		problem(ex, j->conn, STATUS_CLIENT_GONE, "the client closed the connection", NULL, NULL);
	} else if (err.status == REQ_CANCELLED) {
		char detail[160];
		snprintf(detail, sizeof detail,
			 "the request ran past its time limit of %g s; lower its work or retry later",
			 s->cfg.timeout);
		problem(ex, j->conn, 504, detail, NULL, NULL);
	} else {
		request_failed(ex, j->conn, &err);
	}
	MHD_resume_connection(j->conn);
	free(j);
}

/* Non-zero when the peer of fd has closed its side (or the socket failed). */
static int peer_gone(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void *watchdog(void *arg)
{
	struct http_server *s = arg;
	const struct timespec tick = { 0, FO_TICK_MS * 1000 * 1000 };

	while (!atomic_load(&s->stopping)) {
		struct timespec t = now();
		pthread_mutex_lock(&s->jobs_lock);
		for (struct job *j = s->jobs; j; j = j->next) {
			if (j->why >= 0)
				continue;
			/* The time limit counts from the request's arrival. */
			if (seconds_between(&j->ex->start, &t) > s->cfg.timeout)
				j->why = MC_TIMEOUT;
			else if (j->fd >= 0 && peer_gone(j->fd))
				j->why = MC_DISCONNECT;
			else
				continue;
			atomic_store(&j->cancel, 1);
			metrics_cancelled(s->metrics, (enum metrics_cancel)j->why);
		}
		pthread_mutex_unlock(&s->jobs_lock);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

/* Hands a planned request to the pool; answers 503 at once if the queue is full. */
static enum MHD_Result start_job(struct exchange *ex, struct MHD_Connection *conn,
				 const struct request *req)
{
	struct http_server *s = ex->srv;
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct job *j = calloc(1, sizeof *j);

	if (!j)
		return problem(ex, conn, 500, "out of memory", NULL, NULL);
	j->ex = ex;
	j->conn = conn;
	j->req = *req;
	j->why = -1;
	j->fd = info ? info->connect_fd : -1;
	ex->had_job = 1;
	atomic_fetch_add(&s->busy, 1);
	MHD_suspend_connection(conn);
	jobs_add(s, j);
	if (workpool_submit(s->pool, run_job, j) == 0)
		return MHD_YES;
	jobs_remove(s, j);
	free(j);
	busy(ex, conn, "all workers are busy and the queue is full; retry later");
	MHD_resume_connection(conn);
	return MHD_YES;
}

/* ---- operations --------------------------------------------------------- */

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

/* The request's fields: the JSON body, or for GET the query parameters as JSON values. */
static cJSON *request_fields(struct exchange *ex, struct MHD_Connection *conn)
{
	cJSON *fields;

	if (strcmp(ex->method, "GET") != 0)
		return req_json_parse(ex->body ? ex->body : "", ex->len);
	fields = cJSON_CreateObject();
	if (fields)
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query_arg, fields);
	return fields;
}

static enum MHD_Result run_operation(struct exchange *ex, struct MHD_Connection *conn)
{
	struct http_server *s = ex->srv;
	cJSON *fields = request_fields(ex, conn), *result;
	struct request req;
	struct req_error err;
	enum req_status st;

	if (!fields)
		return problem(ex, conn, 400, "the request body is not valid JSON", NULL, NULL);
	st = req_prepare(ex->route->op, fields, &s->limits, &req, &err);
	cJSON_Delete(fields);
	if (st != REQ_OK)
		return request_failed(ex, conn, &err);
	if (atomic_load(&s->draining))
		return busy(ex, conn, "draining: not accepting new work");
	if (req.work > FO_HTTP_INLINE_WORK)
		return start_job(ex, conn, &req);
	result = req_execute(&req, &s->limits, NULL, &err);
	if (!result)
		return request_failed(ex, conn, &err);
	return respond_json(ex, conn, 200, "application/json", result, NULL);
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

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
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The client's X-Request-Id when it is short and plain, or a new one. */
static void request_id(struct http_server *s, struct MHD_Connection *conn, char out[REQUEST_ID_MAX + 1])
{
	const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	size_t n = given ? strlen(given) : 0;

	if (n > 0 && n <= REQUEST_ID_MAX && strspn(given, REQUEST_ID_CHARS) == n) {
		memcpy(out, given, n + 1);
		return;
	}
	snprintf(out, REQUEST_ID_MAX + 1, "%016llx",
		 (unsigned long long)mix64(s->id_seed + atomic_fetch_add(&s->ids, 1)));
}

static struct exchange *exchange_new(struct http_server *s, struct MHD_Connection *conn,
				     const char *url, const char *method)
{
	struct exchange *ex = calloc(1, sizeof *ex);

	if (!ex)
		return NULL;
	ex->srv = s;
	ex->start = now();
	ex->route = find_route(url);
	snprintf(ex->method, sizeof ex->method, "%s", method);
	snprintf(ex->path, sizeof ex->path, "%s", url);
	client_address(conn, ex->remote, sizeof ex->remote);
	request_id(s, conn, ex->request_id);
	return ex;
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
	if (strcmp(ex->method, "OPTIONS") == 0) {
		const char *const preflight[] = {
			"Access-Control-Allow-Methods", r->allow,
			"Access-Control-Allow-Headers", "Content-Type, X-Request-Id",
			"Access-Control-Max-Age", "86400", "Allow", r->allow, NULL,
		};
		return respond(ex, conn, 204, NULL, "", 0, 0, preflight);
	}
	if (!allowed(r->allow, ex->method)) {
		const char *const allow[] = { "Allow", r->allow, NULL };
		char detail[96];
		snprintf(detail, sizeof detail, "%.16s is not allowed here; use %s", ex->method, r->allow);
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

	(void)version;
	if (!ex) {
		ex = exchange_new(cls, conn, url, method);
		if (!ex)
			return MHD_NO;
		*con_cls = ex;
		return announced_too_large(ex, conn) ? too_large(ex, conn) : MHD_YES;
	}
	if (*upload_size) {
		take_body(ex, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (ex->status || ex->had_job)
		return MHD_YES;
	return answer(ex, conn);
}

/* Keeps what a log line may show of a client's text printable and quote-free. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			*s = '?';
}

static void access_log(const struct http_server *s, struct exchange *ex, int status, double secs)
{
	char stamp[32];

	log_stamp(stamp, sizeof stamp);
	if (!s->cfg.log_json) {
		printable(ex->path);
		printable(ex->method);
		fprintf(stderr, "%s %s \"%s %s\" %d %zu %.3fms %s\n", stamp, ex->remote, ex->method, ex->path,
			status, ex->bytes, secs * 1e3, ex->request_id);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	char *line;

	cJSON_AddStringToObject(o, "time", stamp);
	cJSON_AddStringToObject(o, "remote", ex->remote);
	cJSON_AddStringToObject(o, "method", ex->method);
	cJSON_AddStringToObject(o, "path", ex->path);
	cJSON_AddNumberToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "bytes", (double)ex->bytes);
	cJSON_AddNumberToObject(o, "ms", secs * 1e3);
	cJSON_AddStringToObject(o, "request_id", ex->request_id);
	line = cJSON_PrintUnformatted(o);
	if (line)
		fprintf(stderr, "%s\n", line);
	free(line);
	cJSON_Delete(o);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct exchange *ex = *con_cls;
	struct timespec end = now();
	int status;
	double secs;

	(void)conn;
	if (!ex)
		return;
	/* An answer that never reached the client is logged as the client's leaving. */
	status = ex->status && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ex->status : STATUS_CLIENT_GONE;
	secs = seconds_between(&ex->start, &end);
	metrics_observe(s->metrics, ex->route ? (size_t)(ex->route - routes) : NROUTES, status, secs);
	access_log(s, ex, status, secs);
	if (ex->had_job)
		atomic_fetch_sub(&s->busy, 1);
	free(ex->body);
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

struct http_server *http_start(const struct http_config *cfg)
{
	struct http_server *s = calloc(1, sizeof *s);
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->id_seed = mix64((uint64_t)time(NULL) ^ ((uint64_t)now().tv_nsec << 20));
	s->limits.work_budget = cfg->work_budget;
	s->limits.sim_threads = cfg->sim_threads;
	pthread_mutex_init(&s->jobs_lock, NULL);
	if (resolve(cfg->address, cfg->port, &addr, &addr_len) < 0) {
		log_line("error", "fanoutd: cannot resolve address '%s'", cfg->address);
		goto fail;
	}
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	for (size_t i = 0; i < NROUTES; i++)
		s->paths[i] = routes[i].path;
	s->metrics = metrics_new(s->paths, NROUTES, statuses, sizeof statuses / sizeof statuses[0]);
	s->pool = workpool_new(cfg->threads, cfg->queue);
	if (!s->metrics || !s->pool || pthread_create(&s->watchdog, NULL, watchdog, s) != 0) {
		log_line("error", "fanoutd: out of memory or threads");
		goto fail;
	}
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->http_threads,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)FO_HTTP_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FO_HTTP_IDLE_TIMEOUT,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_END);
	if (!s->daemon) {
		log_line("error", "fanoutd: cannot listen on %s port %d", cfg->address, cfg->port);
		atomic_store(&s->stopping, 1);
		pthread_join(s->watchdog, NULL);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	return s;
fail:
	if (s->pool)
		workpool_free(s->pool);
	metrics_free(s->metrics);
	pthread_mutex_destroy(&s->jobs_lock);
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
	pthread_mutex_lock(&s->jobs_lock);
	for (struct job *j = s->jobs; j; j = j->next) {
		if (j->why < 0)
			j->why = MC_TIMEOUT;
		atomic_store(&j->cancel, 1);
	}
	pthread_mutex_unlock(&s->jobs_lock);
}

void http_stop(struct http_server *s)
{
	MHD_stop_daemon(s->daemon);
	workpool_free(s->pool);
	atomic_store(&s->stopping, 1);
	pthread_join(s->watchdog, NULL);
	metrics_free(s->metrics);
	pthread_mutex_destroy(&s->jobs_lock);
	free(s);
}
