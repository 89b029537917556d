/* SPDX-License-Identifier: MIT */
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
/* calc_fanout's solve_for interval: the most rounds searched (the shortest interval is within_seconds / this). */
#ifndef FO_SOLVE_MAX_ROUNDS
#define FO_SOLVE_MAX_ROUNDS 40
#endif

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

/*
 * Largest answer a request may ask for, in bytes of memory while it is built
 * and sent (its JSON tree and text, as estimated before any work; the text
 * is about a fifth): past it, a refusal naming "curve" or "rounds" (or
 * "max_fanout").  Bounds what each worker holds at once.
 */
#ifndef FO_MAX_ANSWER_BYTES
#define FO_MAX_ANSWER_BYTES (40 * 1024 * 1024)
#endif

/* Work units to make and render one curve point or tradeoff row (tests/bench/estimates.c). */
#ifndef FO_RENDER_POINT_WORK
#define FO_RENDER_POINT_WORK 4000
#endif

/* Work units to make and render the rest of any answer (its scalars, notes and params). */
#ifndef FO_RENDER_BASE_WORK
#define FO_RENDER_BASE_WORK 20000
#endif

/* Work units to make and render one entry of simulate_gossip's rounds_to_all_hist. */
#ifndef FO_RENDER_ENTRY_WORK
#define FO_RENDER_ENTRY_WORK 400
#endif

/* After an answer this large is freed, the programs hand free memory back to the system. */
#ifndef FO_TRIM_BYTES
#define FO_TRIM_BYTES (1024 * 1024)
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

/* fanoutd: answers each connection thread keeps for repeated GETs (anscache.h), and the
 * largest it keeps, in bytes: at most their product per thread. */
#ifndef FO_HTTP_CACHE_SLOTS
#define FO_HTTP_CACHE_SLOTS 256
#endif
#ifndef FO_HTTP_CACHE_BODY_MAX
#define FO_HTTP_CACHE_BODY_MAX (16 * 1024)
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

/* fanoutd: most query parameters a GET may carry; past it, 414 (the API has about 20 fields). */
#ifndef FO_HTTP_MAX_PARAMS
#define FO_HTTP_MAX_PARAMS 1024
#endif

/* fanoutd: seconds a request's headers and body may take to arrive, however they trickle. */
#ifndef FO_HTTP_READ_DEADLINE
#define FO_HTTP_READ_DEADLINE 10
#endif

/* fanoutd: bytes of libmicrohttpd memory per connection: the request line and the headers
 * (fanoutd parses the query itself, so parameters take none of it), then the answer's
 * headers.  A request past it gets 414 or 431.  libmicrohttpd 0.9.75 zeroes about 1.5 times
 * this after every request of a kept-alive connection, the largest single cost of a cheap
 * request: so it is small, yet room for a 6 KiB query beside 4 KiB of a browser's headers
 * and the largest answer's headers (tests/http/test_faults.py,
 * test_largest_requests_get_every_header); 8 KiB would not be. */
#ifndef FO_HTTP_CONNECTION_MEMORY
#define FO_HTTP_CONNECTION_MEMORY (16 * 1024)
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

/* fanout --endpoints: times one job (shard) is tried before the run stops. */
#ifndef FO_REMOTE_ATTEMPTS
#define FO_REMOTE_ATTEMPTS 10
#endif

/* fanout --endpoints: seconds a failing endpoint first rests; doubled with each failure in a row. */
#ifndef FO_REMOTE_BACKOFF
#define FO_REMOTE_BACKOFF 0.5
#endif

/* fanout --endpoints: longest rest, whatever the failures or a Retry-After say. */
#ifndef FO_REMOTE_BACKOFF_MAX
#define FO_REMOTE_BACKOFF_MAX 60
#endif

/* fanout --endpoints: connections refused in a row, on every endpoint, that stop the run. */
#ifndef FO_REMOTE_GONE
#define FO_REMOTE_GONE 3
#endif

/* fanout --endpoints: a transfer may receive nothing for this many seconds ... */
#ifndef FO_REMOTE_STALL_SLACK
#define FO_REMOTE_STALL_SLACK 5
#endif

/* ... plus this many times its estimated work (in seconds) before it is abandoned. */
#ifndef FO_REMOTE_STALL_FACTOR
#define FO_REMOTE_STALL_FACTOR 10
#endif

/* fanout --endpoints: largest answer accepted, in bytes (fanoutd's answers are far below). */
#ifndef FO_REMOTE_MAX_ANSWER
#define FO_REMOTE_MAX_ANSWER (64 * 1024 * 1024)
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

/* fanoutd: bytes of access log each connection thread buffers before writing (nginx's buffer=). */
#ifndef FO_LOG_BUFFER_BYTES
#define FO_LOG_BUFFER_BYTES (32 * 1024)
#endif

/* fanoutd: how often the watchdog looks for requests past their read deadline and writes
 * out the access log's buffers, in milliseconds. */
#ifndef FO_HTTP_READ_TICK_MS
#define FO_HTTP_READ_TICK_MS 100
#endif

#endif
