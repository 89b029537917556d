/*
 * config.h — every tunable of the core and of the front ends, in one place.
 *
 * Each value can be overridden at build time (-DNAME=value); the programs also
 * take the run-time ones as flags.  Work is counted in "work units", calibrated
 * so that one unit is roughly one nanosecond on the 2-core machine the project
 * is developed on (see the cost functions in calc.h and sim.h).
 */
#ifndef FANOUT_CONFIG_H
#define FANOUT_CONFIG_H

/* Largest "rounds" any request may ask for; per-round arrays are this long. */
#ifndef FO_MAX_ROUNDS
#define FO_MAX_ROUNDS 1000000
#endif

/* Largest integer a JSON client can send exactly (2^53 - 1). */
#ifndef FO_MAX_JSON_INT
#define FO_MAX_JSON_INT 9007199254740991LL
#endif

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

/* "auto" answers with the exact chain when its estimate is below this. */
#ifndef FO_EXACT_AUTO_LIMIT
#define FO_EXACT_AUTO_LIMIT 2e8
#endif

/* The exact chain drops probabilities below this, and reports their sum. */
#ifndef FO_EXACT_EPSILON
#define FO_EXACT_EPSILON 1e-20
#endif

/*
 * Planning does not even predict the fanout when exact's cost at K = 1 is past
 * this (about three hours): such a request can only be refused or handed on.
 */
#ifndef FO_EXACT_HOPELESS
#define FO_EXACT_HOPELESS 1e13
#endif

/* The exact chain with forward_rounds refuses past this many distinct states. */
#ifndef FO_EXACT_MAX_STATES
#define FO_EXACT_MAX_STATES (1 << 21)
#endif

/* Longest push window (forward_rounds) the exact chain tracks: a state keys one cohort per round. */
#ifndef FO_EXACT_MAX_WINDOW
#define FO_EXACT_MAX_WINDOW 64
#endif

/* tradeoff: rows past the least K that reaches the target, when max_fanout is not given. */
#ifndef FO_TRADEOFF_EXTRA_FANOUT
#define FO_TRADEOFF_EXTRA_FANOUT 3
#endif

/* tradeoff's estimate: rows costed one by one; the rest at the dearer end (planning stays cheap). */
#ifndef FO_TRADEOFF_COST_ROWS
#define FO_TRADEOFF_COST_ROWS 8
#endif

/* tradeoff: max_rounds when not given (MODEL.md's default). */
#ifndef FO_TRADEOFF_MAX_ROUNDS
#define FO_TRADEOFF_MAX_ROUNDS 100
#endif

/* calc: the mean field that predicts where a K search starts looks this many rounds ahead at most. */
#ifndef FO_PREDICT_MAX_ROUNDS
#define FO_PREDICT_MAX_ROUNDS 64
#endif

/*
 * Work units the mean field may spend predicting where a search or a
 * tradeoff's rows end (planning runs it before any budget is known, so it
 * must be cheap for every request; past this the prediction looks fewer
 * rounds ahead, or gives up and assumes the worst).
 */
#ifndef FO_PREDICT_WORK
#define FO_PREDICT_WORK 2e6
#endif

/* largen: the early phase is the random chain until this many are informed. */
#ifndef FO_LARGEN_THRESHOLD
#define FO_LARGEN_THRESHOLD 1000
#endif

/* largen with a push window: states carry cohorts, so the early phase is shorter. */
#ifndef FO_LARGEN_THRESHOLD_WINDOW
#define FO_LARGEN_THRESHOLD_WINDOW 200
#endif

/* largen: the check run uses threshold / this; the two answers' gap measures the error. */
#ifndef FO_LARGEN_CHECK_RATIO
#define FO_LARGEN_CHECK_RATIO 4
#endif

/* largen: the interval is this many gaps wide on each side (validated, tests/validate). */
#ifndef FO_LARGEN_SAFETY
#define FO_LARGEN_SAFETY 3
#endif

/* largen: plus this share of min(P, miss) on each side, for what the gap cannot see. */
#ifndef FO_LARGEN_REL_FLOOR
#define FO_LARGEN_REL_FLOOR 0.02
#endif

/* largen with a push window: plus this share of min(P, miss) (cohorts stay random late). */
#ifndef FO_LARGEN_WINDOW_REL
#define FO_LARGEN_WINDOW_REL 0.1
#endif

/* largen with a push window: plus this much (tail events the late phase cannot see). */
#ifndef FO_LARGEN_WINDOW_ABS
#define FO_LARGEN_WINDOW_ABS 1e-9
#endif

/* largen: plus this much on each side, for rounding and tails below what was validated. */
#ifndef FO_LARGEN_ABS_FLOOR
#define FO_LARGEN_ABS_FLOOR 1e-13
#endif

/* largen: transition weights below this (relative to the mode) are dropped and counted. */
#ifndef FO_LARGEN_TRIM
#define FO_LARGEN_TRIM 1e-22
#endif

/* largen: widest push window followed with exact cohort tuples (one count per round in a state). */
#ifndef FO_LARGEN_TUPLE_WINDOW
#define FO_LARGEN_TUPLE_WINDOW 3
#endif

/* largen, wider windows: the early chain is the count alone (cohorts as means), so M can be large. */
#ifndef FO_LARGEN_THRESHOLD_WIDE
#define FO_LARGEN_THRESHOLD_WIDE 1000
#endif

/* largen: fewest live nodes for a partial last round or a wide window (validated from here up). */
#ifndef FO_LARGEN_LIMIT_MIN_LIVE
#define FO_LARGEN_LIMIT_MIN_LIVE 10000
#endif

/* largen, wider windows: the early phase ends by this round at the latest (forced entries). */
#ifndef FO_LARGEN_WIDE_ROUNDS
#define FO_LARGEN_WIDE_ROUNDS 64
#endif

/* largen: pull failure is summed over the hypergeometric up to this fanout. */
#ifndef FO_LARGEN_PULL_EXACT
#define FO_LARGEN_PULL_EXACT 4096
#endif

/* largen push_pull: below this many expected push hits, push and pull are convolved exactly. */
#ifndef FO_LARGEN_MIXED
#define FO_LARGEN_MIXED 32
#endif

/* largen: fewer uninformed (or window senders) than this count as none. */
#ifndef FO_LARGEN_SATURATED
#define FO_LARGEN_SATURATED 1e-6
#endif

/* largen, partial last round in cohort tuples: stops past this many times its estimate (~3 ns a unit there). */
#ifndef FO_LARGEN_OVERRUN
#define FO_LARGEN_OVERRUN 1
#endif

/* largen, windows wider than the tuples (and tuple windows without a partial round): stops past this many times its estimate; auto then simulates. */
#ifndef FO_LARGEN_OVERRUN_WIDE
#define FO_LARGEN_OVERRUN_WIDE 4
#endif

/* largen: refuses (too large) past this many work units, whatever the budget. */
#ifndef FO_LARGEN_MAX_WORK
#define FO_LARGEN_MAX_WORK 6e10
#endif

/* calc_fanout/tradeoff by simulation: two-sided confidence of each K's Clopper-Pearson interval. */
#ifndef FO_CALC_SIM_CONFIDENCE
#define FO_CALC_SIM_CONFIDENCE 0.999
#endif

/* calc_fanout/tradeoff by simulation: one-thread work units one K may spend on trials. */
#ifndef FO_CALC_SIM_EVAL_WORK
#define FO_CALC_SIM_EVAL_WORK 4e8
#endif

/* calc_fanout/tradeoff by simulation: most trials for one K (past it the interval barely narrows). */
#ifndef FO_CALC_SIM_MAX_TRIALS
#define FO_CALC_SIM_MAX_TRIALS 100000
#endif

/* calc_fanout/tradeoff by simulation: at least this many times the trials that could show the target. */
#ifndef FO_CALC_SIM_RESOLVE_FACTOR
#define FO_CALC_SIM_RESOLVE_FACTOR 3
#endif

/* Most threads one simulation request may use. */
#ifndef FO_SIM_MAX_THREADS
#define FO_SIM_MAX_THREADS 64
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

/* fanoutd: most query parameters a GET may carry; past it, 414 (the API has about 20 fields; 1024 parsed fit the memory pool). */
#ifndef FO_HTTP_MAX_PARAMS
#define FO_HTTP_MAX_PARAMS 1024
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

#endif
