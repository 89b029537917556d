/* SPDX-License-Identifier: MIT */
/*
 * guard.c — the watchdog: a mutex-protected list of items and one thread
 * that looks at them every FO_TICK_MS.  A thread's slot (guard_slot) stays in
 * the list and is armed and disarmed under its own lock only.
 */
#define _DEFAULT_SOURCE /* MSG_DONTWAIT, struct tcp_info */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "settings.h"
#include "request.h"
#include "guard.h"

struct guard {
	unsigned long serial;          /* which guard a thread's cached slot belongs to */
	pthread_mutex_t lock;
	struct guard_item *items;
	double timeout;
	void (*on_cancel)(void *ctx, enum guard_why why);
	void *ctx;
	atomic_int stopping;
	pthread_t thread;
	void (*tick_fn)(void *ctx);    /* guard_on_tick's, or NULL */
	void *tick_ctx;
	int tick_every;                /* in watchdog ticks */
};

struct timespec guard_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

double guard_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

double guard_overrun_seconds(double work)
{
	return FO_OVERRUN_FACTOR * work * 1e-9 + FO_OVERRUN_SLACK;
}

void guard_overrun_error(const struct request *req, double budget, struct req_error *err)
{
	const char *advice;

	memset(err, 0, sizeof *err);
	err->status = REQ_OVER_BUDGET;
	req_budget_advice(req, &err->field, &advice);
	err->estimate = req->work;
	err->budget = budget;
	snprintf(err->detail, sizeof err->detail,
		 "the computation grew past the work budget while running: it used over %g times its "
		 "estimate %.3g; lower \"%s\"%s", (double)FO_OVERRUN_FACTOR, req->work, err->field, advice);
}

cJSON *guard_execute(struct guard *g, struct guard_item *it, const struct request *req,
		     const struct req_limits *lim, struct req_error *err, enum guard_why *why)
{
	cJSON *o;

	guard_begin(g, it, req->work);
	o = req_execute(req, lim, &it->cancel, err);
	guard_unwatch(g, it);
	*why = (enum guard_why)atomic_load(&it->why);
	if (!o && err->status == REQ_CANCELLED && *why == GUARD_OVERRUN)
		guard_overrun_error(req, lim->work_budget, err);
	return o;
}

/*
 * Has the client behind fd gone?  Only an error or a reset says so: a 0 from
 * recv is the end of what the client sends, and it may still be reading.
 */
static int client_gone(struct guard_item *it)
{
	static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	char c;
	ssize_t n = recv(it->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0)
		return 0;
	if (n < 0)
		return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
	if (getsockopt(it->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_CLOSE)
		return 1;
	if (it->may_probe && !it->probed) {
		/* A closed client's kernel answers these bytes with a reset. */
		it->probed = 1;
		n = send(it->fd, interim, sizeof interim - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		return n < 0 && (errno == EPIPE || errno == ECONNRESET);
	}
	return 0;
}

static enum guard_why verdict(const struct guard *g, struct guard_item *it, const struct timespec *t)
{
	if (guard_seconds(&it->arrival, t) > g->timeout)
		return GUARD_TIMEOUT;
	if (it->overrun_after > 0) {
		struct timespec used;
		if (clock_gettime(it->cpu, &used) == 0 && guard_seconds(&it->started, &used) > it->overrun_after)
			return GUARD_OVERRUN;
	}
	if (it->fd >= 0 && client_gone(it))
		return GUARD_GONE;
	return GUARD_NONE;
}

static void *watchdog(void *arg)
{
	struct guard *g = arg;
	const struct timespec tick = { 0, FO_TICK_MS * 1000L * 1000L };

	for (unsigned long n = 0; !atomic_load(&g->stopping); n++) {
		struct timespec t = guard_now();
		void (*fn)(void *ctx);
		void *ctx;
		pthread_mutex_lock(&g->lock);
		fn = g->tick_fn && n % (unsigned long)g->tick_every == 0 ? g->tick_fn : NULL;
		ctx = g->tick_ctx;
		for (struct guard_item *it = g->items; it; it = it->next) {
			enum guard_why why = GUARD_NONE;
			if (it->slot)
				pthread_mutex_lock(&it->lock);
			if ((!it->slot || it->armed) && atomic_load(&it->why) == GUARD_NONE)
				why = verdict(g, it, &t);
			if (why != GUARD_NONE) {
				atomic_store(&it->why, why);
				atomic_store(&it->cancel, 1);
			}
			if (it->slot)
				pthread_mutex_unlock(&it->lock);
			if (why != GUARD_NONE && g->on_cancel)
				g->on_cancel(g->ctx, why);
		}
		pthread_mutex_unlock(&g->lock);
		if (fn)
			fn(ctx);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

struct guard *guard_new(double timeout, void (*on_cancel)(void *ctx, enum guard_why why), void *ctx)
{
	struct guard *g = calloc(1, sizeof *g);

	static atomic_ulong serials;

	if (!g)
		return NULL;
	g->serial = atomic_fetch_add(&serials, 1) + 1;
	pthread_mutex_init(&g->lock, NULL);
	g->timeout = timeout;
	g->on_cancel = on_cancel;
	g->ctx = ctx;
	if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
		pthread_mutex_destroy(&g->lock);
		free(g);
		return NULL;
	}
	return g;
}

void guard_free(struct guard *g)
{
	if (!g)
		return;
	atomic_store(&g->stopping, 1);
	pthread_join(g->thread, NULL);
	/* Only slots are left in the list: every other item was unwatched. */
	for (struct guard_item *it = g->items, *next; it; it = next) {
		next = it->next;
		if (it->slot) {
			pthread_mutex_destroy(&it->lock);
			free(it);
		}
	}
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void guard_watch(struct guard *g, struct guard_item *it, const struct timespec *arrival, int fd,
		 int may_probe)
{
	atomic_store(&it->cancel, 0);
	atomic_store(&it->why, GUARD_NONE);
	it->arrival = arrival ? *arrival : guard_now();
	it->overrun_after = 0;
	it->fd = fd;
	it->may_probe = may_probe;
	it->probed = 0;
	it->slot = 0;
	pthread_mutex_lock(&g->lock);
	it->prev = NULL;
	it->next = g->items;
	if (g->items)
		g->items->prev = it;
	g->items = it;
	pthread_mutex_unlock(&g->lock);
}

void guard_arm(struct guard *g, struct guard_item *slot, const struct timespec *arrival)
{
	(void)g;
	/* Already in the list: only armed, under its own lock. */
	pthread_mutex_lock(&slot->lock);
	atomic_store(&slot->cancel, 0);
	atomic_store(&slot->why, GUARD_NONE);
	slot->arrival = arrival ? *arrival : guard_now();
	slot->overrun_after = 0;
	slot->armed = 1;
	pthread_mutex_unlock(&slot->lock);
}

void guard_begin(struct guard *g, struct guard_item *it, double work)
{
	clockid_t cpu;
	struct timespec t;

	/* Without a thread CPU clock there is no overrun limit; the time limit remains. */
	if (it->slot)
		cpu = it->cpu;  /* the slot's thread's, found when it was made */
	else if (pthread_getcpuclockid(pthread_self(), &cpu) != 0)
		return;
	if (clock_gettime(cpu, &t) != 0)
		return;
	pthread_mutex_lock(it->slot ? &it->lock : &g->lock);
	it->cpu = cpu;
	it->started = t;
	it->overrun_after = guard_overrun_seconds(work);
	pthread_mutex_unlock(it->slot ? &it->lock : &g->lock);
}

void guard_unwatch(struct guard *g, struct guard_item *it)
{
	if (it->slot) {
		pthread_mutex_lock(&it->lock);
		it->armed = 0;
		pthread_mutex_unlock(&it->lock);
		return;
	}
	pthread_mutex_lock(&g->lock);
	if (it->prev)
		it->prev->next = it->next;
	else
		g->items = it->next;
	if (it->next)
		it->next->prev = it->prev;
	it->prev = it->next = NULL;
	pthread_mutex_unlock(&g->lock);
}

void guard_on_tick(struct guard *g, int every_ms, void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&g->lock);
	g->tick_every = every_ms > FO_TICK_MS ? every_ms / FO_TICK_MS : 1;
	g->tick_ctx = ctx;
	g->tick_fn = fn;
	pthread_mutex_unlock(&g->lock);
}

void guard_cancel_all(struct guard *g)
{
	pthread_mutex_lock(&g->lock);
	for (struct guard_item *it = g->items; it; it = it->next) {
		int none = GUARD_NONE;
		if (it->slot)
			pthread_mutex_lock(&it->lock);
		if (!it->slot || it->armed) {
			atomic_compare_exchange_strong(&it->why, &none, GUARD_DRAIN);
			atomic_store(&it->cancel, 1);
		}
		if (it->slot)
			pthread_mutex_unlock(&it->lock);
	}
	pthread_mutex_unlock(&g->lock);
}

struct guard_item *guard_slot(struct guard *g)
{
	/* This thread's slot of the guard it last asked, by serial (a new guard may reuse an address). */
	static _Thread_local unsigned long cached_serial;
	static _Thread_local struct guard_item *cached;
	struct guard_item *it;

	if (cached && cached_serial == g->serial)
		return cached;
	it = calloc(1, sizeof *it);
	if (!it)
		return NULL;
	/* Without a thread CPU clock, guard_begin arms no overrun limit: the time limit remains. */
	if (pthread_getcpuclockid(pthread_self(), &it->cpu) != 0)
		it->cpu = CLOCK_THREAD_CPUTIME_ID;
	it->slot = 1;
	it->fd = -1;
	atomic_init(&it->why, GUARD_NONE);
	pthread_mutex_init(&it->lock, NULL);
	pthread_mutex_lock(&g->lock);
	it->next = g->items;
	if (g->items)
		g->items->prev = it;
	g->items = it;
	pthread_mutex_unlock(&g->lock);
	cached = it;
	cached_serial = g->serial;
	return it;
}
