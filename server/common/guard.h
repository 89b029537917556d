/* SPDX-License-Identifier: MIT */
/*
 * guard.h — one watchdog thread that stops work which runs too long, outgrows
 * its estimate, or whose client has gone; shared by fanoutd and fanout-node.
 *
 * Each piece of work is a `guard_item` the front end embeds in its job and
 * passes to the core as the cancel flag.  Every FO_TICK_MS the watchdog
 * looks at each item and sets its cancel flag, with the reason in `why`, when
 *   - the time limit, counted from the request's arrival, has passed;
 *   - it has used more than FO_OVERRUN_FACTOR times its estimate (work units
 *     are about 1 ns of CPU) plus FO_OVERRUN_SLACK seconds of the running
 *     thread's CPU time: the estimate was wrong and the budget no longer
 *     bounds the work.  CPU time, not wall time, so that a busy machine does
 *     not turn honest work into refusals;
 *   - its client's socket (fd >= 0) failed or was reset.
 * A peer that only shut down its sending side (FIN) may still be reading, so
 * that alone never cancels: for HTTP/1.1 the guard then sends one interim
 * "100 Continue", which a half-closed client reads and ignores, and a closed
 * one answers with a reset that the next tick sees.
 *
 * The same thread runs a program's other periodic checks (guard_on_tick), so
 * each program has one watcher thread.
 */
#ifndef FANOUT_GUARD_H
#define FANOUT_GUARD_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <cjson/cJSON.h>

enum guard_why { GUARD_NONE = -1, GUARD_TIMEOUT, GUARD_GONE, GUARD_OVERRUN, GUARD_DRAIN };

struct guard_item {
	atomic_int cancel;             /* pass &cancel to the core */
	atomic_int why;                /* enum guard_why */
	struct timespec arrival;       /* the time limit counts from here */
	clockid_t cpu;                 /* the running thread's CPU clock (guard_begin) */
	struct timespec started;       /* its reading then */
	double overrun_after;          /* seconds after `started`; 0 until guard_begin */
	int fd;                        /* the client's socket, or -1 */
	int may_probe;                 /* the client speaks HTTP/1.1: an interim 100 is allowed */
	int probed;
	int slot;                      /* a thread's own item (guard_slot), always in the list */
	int armed;                     /* a slot: watched now (under `lock`) */
	pthread_mutex_t lock;          /* a slot's: its owner thread and the watchdog only */
	struct guard_item *prev, *next;
};

struct guard;

/*
 * Starts the watchdog; `timeout` is the time limit in seconds.  on_cancel
 * (may be NULL) is called from the watchdog thread once per cancelled item.
 * NULL if the thread cannot be started.
 */
struct guard *guard_new(double timeout, void (*on_cancel)(void *ctx, enum guard_why why), void *ctx);

/* Stops the watchdog; no item may be watched any more. */
void guard_free(struct guard *g);

/* Resets `it` and starts watching it; `arrival` NULL means now. */
void guard_watch(struct guard *g, struct guard_item *it, const struct timespec *arrival, int fd,
		 int may_probe);

/*
 * The work begins now, on the calling thread, and is estimated at `work`
 * units: arms the overrun limit.  Call guard_unwatch on the same thread.
 */
void guard_begin(struct guard *g, struct guard_item *it, double work);

/* Stops watching `it`; afterwards the guard never touches it again. */
void guard_unwatch(struct guard *g, struct guard_item *it);

/*
 * The calling thread's own item for this guard, made on its first call (NULL
 * if out of memory): for work that runs on the thread that took the request
 * (fanoutd's planning and inline answers).  It stays in the watched list; it
 * is armed by guard_arm instead of guard_watch (time limit from `arrival`,
 * NULL for now; no socket), and guard_begin, guard_execute and guard_unwatch
 * take it as any item.  They take only its own lock, which the watchdog shares
 * once a tick, never the guard's: no lock contended between request threads.
 * It lives until guard_free.  A thread remembers the slot of the guard it
 * asked last (a program has one guard): asking another guard in between
 * makes a new slot.
 */
struct guard_item *guard_slot(struct guard *g);
void guard_arm(struct guard *g, struct guard_item *slot, const struct timespec *arrival);

/* Cancels every item watched (reason: GUARD_DRAIN unless already set): the program is stopping. */
void guard_cancel_all(struct guard *g);

/*
 * Also calls fn(ctx) from the watchdog thread about every `every_ms`
 * milliseconds, outside the guard's lock (fanoutd's connection reaper): the
 * one watcher thread of a program.  Call once, before any work is watched.
 */
void guard_on_tick(struct guard *g, int every_ms, void (*fn)(void *ctx), void *ctx);

struct request;
struct req_error;

/* The "grew past the budget" error (REQ_OVER_BUDGET) for req stopped by GUARD_OVERRUN. */
void guard_overrun_error(const struct request *req, double budget, struct req_error *err);

struct req_limits;

/*
 * Runs req (planned) under the guard, which already watches `it`, and stops
 * watching it.  Returns the answer, or NULL with *err, and in *why what the
 * guard did (GUARD_NONE if nothing).  Work stopped for outgrowing its
 * estimate gets the "grew past the budget" error (REQ_OVER_BUDGET).
 */
cJSON *guard_execute(struct guard *g, struct guard_item *it, const struct request *req,
		     const struct req_limits *lim, struct req_error *err, enum guard_why *why);

/* Seconds the overrun limit allows work estimated at `work` units. */
double guard_overrun_seconds(double work);

/* CLOCK_MONOTONIC now, and seconds from a to b. */
struct timespec guard_now(void);
double guard_seconds(const struct timespec *a, const struct timespec *b);

#endif
