/* SPDX-License-Identifier: MIT */
/*
 * http.h — fanoutd's HTTP front end over libmicrohttpd (API.md, "HTTP").
 *
 * Cheap requests are answered on libmicrohttpd's own threads; requests whose
 * estimated work is above FO_HTTP_INLINE_WORK run on a bounded worker pool
 * while their connection is suspended, so health checks and formula answers
 * keep flowing during long simulations.  A watchdog cancels work that passes
 * its time limit (504) or whose client went away.
 */
#ifndef FANOUT_HTTP_H
#define FANOUT_HTTP_H

#include <stddef.h>

struct http_config {
	const char *address;   /* numeric IPv4 or IPv6 address, or a host name */
	int port;              /* 0: any free port (logged at start) */
	int threads;           /* worker threads for heavy requests */
	int http_threads;      /* libmicrohttpd threads for connections */
	size_t queue;          /* heavy requests that may wait before 503 */
	size_t body_limit;     /* bytes of request body before 413 */
	double work_budget;    /* work units one request may cost before 422 */
	int sim_threads;       /* threads one simulation may use */
	double timeout;        /* seconds a request may run before 504 */
	int log_json;          /* access log as JSON lines instead of text */
	int connections;       /* connections in all */
	int per_address;       /* connections one client address may hold */
	double read_deadline;  /* seconds a request's headers and body may take to arrive */
};

struct http_server;

/* Starts serving; NULL (with the reason on stderr) if it cannot. */
struct http_server *http_start(const struct http_config *cfg);

/* The port actually listened on. */
int http_port(const struct http_server *s);

/* From now on /readyz answers 503 and new work is refused with 503. */
void http_begin_drain(struct http_server *s);

/* Work requests accepted whose answer has not been sent yet. */
int http_busy(struct http_server *s);

/* Cancels every piece of work in flight; their clients get 504. */
void http_cancel_all(struct http_server *s);

/*
 * Stops listening and frees everything; call once http_busy() is 0.  If work
 * is still running (it ignored its cancel flag), stopping libmicrohttpd would
 * abort the process: then nothing is freed and -1 is returned, and the
 * caller should exit without further cleanup.
 */
int http_stop(struct http_server *s);

#endif
