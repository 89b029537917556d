/*
 * settings.h — the settings of the programs (fanoutd, fanout-node, fanout),
 * in one place, beside the core's tunables in fanout/config.h (included).
 *
 * Each value can be overridden at build time (-DNAME=value); the run-time
 * ones are also flags with an environment twin (see each program's --help,
 * whose defaults are these values).  Work units are the core's: about one
 * nanosecond each.
 */
#ifndef FANOUT_SETTINGS_H
#define FANOUT_SETTINGS_H

#include "fanout/config.h"

/* Bad fields one error answer lists in detail; the count is always given. */
#ifndef FO_MAX_FIELD_ERRORS
#define FO_MAX_FIELD_ERRORS 16
#endif

/* FO_STR(X): the text of macro X's value, for defaults shown in --help. */
#define FO_STR_(x) #x
#define FO_STR(x) FO_STR_(x)

/* Default work budget of one request: about two seconds of this machine. */
#ifndef FO_DEFAULT_WORK_BUDGET
#define FO_DEFAULT_WORK_BUDGET 2e9
#endif

/* tradeoff: max_rounds when not given (MODEL.md's default). */
#ifndef FO_TRADEOFF_MAX_ROUNDS
#define FO_TRADEOFF_MAX_ROUNDS 100
#endif

/* Worker threads for heavy requests, in both programs (--threads). */
#ifndef FO_WORKER_THREADS
#define FO_WORKER_THREADS 2
#endif

/* Most worker threads --threads accepts: beyond, they only compete for cores. */
#ifndef FO_MAX_WORKER_THREADS
#define FO_MAX_WORKER_THREADS 256
#endif

/* How often waiting loops (watchdog, drain) look again, in milliseconds. */
#ifndef FO_TICK_MS
#define FO_TICK_MS 10
#endif

/* fanout-node: requests estimated above this run on a worker thread. */
#ifndef FO_NODE_INLINE_WORK
#define FO_NODE_INLINE_WORK 1e6
#endif

/* fanout-node: longest input line it reads; longer ones are logged and skipped. */
#ifndef FO_NODE_MAX_LINE
#define FO_NODE_MAX_LINE (1 << 20)
#endif

/* fanoutd: requests estimated above this run on the worker pool. */
#ifndef FO_HTTP_INLINE_WORK
#define FO_HTTP_INLINE_WORK 1e6
#endif

/* fanoutd defaults for its flags (see fanoutd --help). */
#ifndef FO_HTTP_PORT
#define FO_HTTP_PORT 8080
#endif
#ifndef FO_HTTP_BODY_LIMIT
#define FO_HTTP_BODY_LIMIT 65536
#endif
/* libmicrohttpd's connection threads, and the most --http-threads accepts. */
#ifndef FO_HTTP_THREADS
#define FO_HTTP_THREADS 2
#endif
#ifndef FO_HTTP_MAX_THREADS
#define FO_HTTP_MAX_THREADS 64
#endif
/* Open connections fanoutd holds at once; more wait in the kernel's backlog. */
#ifndef FO_HTTP_MAX_CONNECTIONS
#define FO_HTTP_MAX_CONNECTIONS 1024
#endif
/* Seconds an idle connection is kept before libmicrohttpd closes it. */
#ifndef FO_HTTP_IDLE_TIMEOUT
#define FO_HTTP_IDLE_TIMEOUT 30
#endif
#ifndef FO_HTTP_QUEUE
#define FO_HTTP_QUEUE 16
#endif
#ifndef FO_HTTP_TIMEOUT
#define FO_HTTP_TIMEOUT 30
#endif
#ifndef FO_HTTP_GRACE
#define FO_HTTP_GRACE 30
#endif

/* Work running longer than FACTOR x its estimate + SLACK seconds is stopped
 * ("grew past the budget"): the estimate no longer bounds it.  Sanitizer
 * builds run several times slower, so the Makefile raises the factor there. */
#ifndef FO_OVERRUN_FACTOR
#define FO_OVERRUN_FACTOR 2
#endif
#ifndef FO_OVERRUN_SLACK
#define FO_OVERRUN_SLACK 0.1
#endif

/* fanout-node: default time limit of one request, in seconds (--timeout). */
#ifndef FO_NODE_TIMEOUT
#define FO_NODE_TIMEOUT 30
#endif

/* fanoutd: connections one client address may hold at once; more are refused. */
#ifndef FO_HTTP_PER_ADDRESS
#define FO_HTTP_PER_ADDRESS 64
#endif

/* fanoutd: seconds a request's headers and body may take to arrive, however they trickle. */
#ifndef FO_HTTP_READ_DEADLINE
#define FO_HTTP_READ_DEADLINE 10
#endif

/* fanoutd: bytes of libmicrohttpd memory per connection (request line, headers, query
 * arguments); an 8 KiB URL needs about three times its length.  Beyond: 414 or 431. */
#ifndef FO_HTTP_CONNECTION_MEMORY
#define FO_HTTP_CONNECTION_MEMORY (256 * 1024)
#endif

/* Seconds a drain waits for cancelled work to stop before stopping anyway. */
#ifndef FO_HTTP_CANCEL_WAIT
#define FO_HTTP_CANCEL_WAIT 30
#endif

/* Seconds a 503 asks the client to wait (Retry-After). */
#ifndef FO_HTTP_RETRY_AFTER
#define FO_HTTP_RETRY_AFTER 1
#endif

/* fanoutd --healthcheck: seconds the whole GET may take (container probes time out too). */
#ifndef FO_PROBE_TIMEOUT
#define FO_PROBE_TIMEOUT 5
#endif

/* fanout: default in-process work budget: a minute or so; a terminal user waits for their own runs. */
#ifndef FO_CLI_WORK_BUDGET
#define FO_CLI_WORK_BUDGET 6e10
#endif

/* fanout --endpoints: requests in flight on each endpoint (fanoutd runs FO_WORKER_THREADS at once). */
#ifndef FO_REMOTE_PER_ENDPOINT
#define FO_REMOTE_PER_ENDPOINT 2
#endif

/* fanout --endpoints: times a failing job goes round all the endpoints before the run stops. */
#ifndef FO_REMOTE_ROUNDS
#define FO_REMOTE_ROUNDS 3
#endif

/* fanout --endpoints: seconds an endpoint whose connection failed gets no new job. */
#ifndef FO_REMOTE_REST
#define FO_REMOTE_REST 2
#endif

/* fanout --endpoints: seconds one request may take, end to end, before it is retried. */
#ifndef FO_REMOTE_TIMEOUT
#define FO_REMOTE_TIMEOUT 600
#endif

/* fanout --endpoints: shards per endpoint when --shard-trials is not given (keeps all busy). */
#ifndef FO_REMOTE_SHARDS_PER_ENDPOINT
#define FO_REMOTE_SHARDS_PER_ENDPOINT 4
#endif

/* Version reported by --version. */
#ifndef FO_VERSION
#define FO_VERSION "0.1.0"
#endif

/* fanoutd: how often it looks for requests past their read deadline, in milliseconds. */
#ifndef FO_HTTP_READ_TICK_MS
#define FO_HTTP_READ_TICK_MS 100
#endif

#endif
