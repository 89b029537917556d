/* SPDX-License-Identifier: MIT */
/*
 * test_guard.c — the watchdog both programs run work under (server/common/guard.c):
 * it stops work that outgrows its estimate, work past the time limit, and
 * work whose client reset; a client that only half-closed is not gone, and
 * reads the interim "100 Continue" the guard sends it; a thread's slot is
 * watched only while armed.  Every wait is
 * bounded; nothing asserts on wall time.
 */
#define _DEFAULT_SOURCE /* MSG_DONTWAIT */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "suites.h"

static const struct timespec tick = { 0, 1000 * 1000 };

/* Waits (1 ms steps, at most `steps`) for it->cancel; returns it. */
static int wait_cancel(struct guard_item *it, int steps)
{
	for (int i = 0; i < steps && !atomic_load(&it->cancel); i++)
		nanosleep(&tick, NULL);
	return atomic_load(&it->cancel);
}

START_TEST(test_overrun_stops_work)
{
	struct guard *g = guard_new(3600, NULL, NULL);
	struct guard_item it;
	volatile double x = 0;
	struct timespec t0, t;

	ck_assert_ptr_nonnull(g);
	guard_watch(g, &it, NULL, -1, 0);
	/* Estimated at 1000 units (1 us): stopped after 2 us + FO_OVERRUN_SLACK of CPU. */
	guard_begin(g, &it, 1000);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x += 1e-9 * i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while (!atomic_load(&it.cancel) && guard_seconds(&t0, &t) < 60);
	guard_unwatch(g, &it);
	ck_assert_int_eq(atomic_load(&it.why), GUARD_OVERRUN);
	/* Not before its CPU time passed the limit. */
	ck_assert(guard_seconds(&t0, &t) >= guard_overrun_seconds(1000) - 0.02);
	guard_free(g);
}
END_TEST

START_TEST(test_waiting_is_not_overrun)
{
	/* Sleeping uses no CPU: the overrun limit counts CPU time, so only the time limit fires. */
	struct guard *g = guard_new(0.3, NULL, NULL);
	struct guard_item it;

	guard_watch(g, &it, NULL, -1, 0);
	guard_begin(g, &it, 1000);
	ck_assert(wait_cancel(&it, 60000));
	guard_unwatch(g, &it);
	ck_assert_int_eq(atomic_load(&it.why), GUARD_TIMEOUT);
	guard_free(g);
}
END_TEST

/* A connected loopback TCP pair: *client and *server. */
static void tcp_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
	*client = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(*client, (struct sockaddr *)&a, sizeof a), 0);
	*server = accept(l, NULL, NULL);
	ck_assert_int_ge(*server, 0);
	close(l);
}

START_TEST(test_half_close_is_not_gone_reset_is)
{
	struct guard *g = guard_new(3600, NULL, NULL);
	struct guard_item it;
	struct linger hard = { 1, 0 };
	char buf[64];
	ssize_t n = 0;
	int client, server;

	tcp_pair(&client, &server);
	guard_watch(g, &it, NULL, server, 1);
	ck_assert_int_eq(shutdown(client, SHUT_WR), 0);
	/* The guard sees the FIN and probes; the half-closed client reads the interim answer. */
	for (int i = 0; i < 10000 && n <= 0; i++) {
		n = recv(client, buf, sizeof buf - 1, MSG_DONTWAIT);
		if (n <= 0)
			nanosleep(&tick, NULL);
	}
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "HTTP/1.1 100 Continue\r\n\r\n");
	/* Many ticks later the half-closed client is still not taken for gone. */
	ck_assert(!wait_cancel(&it, 200));
	/* A reset is. */
	ck_assert_int_eq(setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
	close(client);
	ck_assert(wait_cancel(&it, 60000));
	guard_unwatch(g, &it);
	ck_assert_int_eq(atomic_load(&it.why), GUARD_GONE);
	close(server);
	guard_free(g);
}
END_TEST

START_TEST(test_closed_client_is_gone)
{
	/* A client that closed (FIN, then a reset for the probe) is gone. */
	struct guard *g = guard_new(3600, NULL, NULL);
	struct guard_item it;
	int client, server;

	tcp_pair(&client, &server);
	guard_watch(g, &it, NULL, server, 1);
	close(client);
	ck_assert(wait_cancel(&it, 60000));
	guard_unwatch(g, &it);
	ck_assert_int_eq(atomic_load(&it.why), GUARD_GONE);
	close(server);
	guard_free(g);
}
END_TEST

START_TEST(test_slot_is_watched_only_while_armed)
{
	/* A thread's slot: the same item each time, watched from guard_arm to guard_unwatch only. */
	struct guard *g = guard_new(0.05, NULL, NULL), *g2 = guard_new(0.05, NULL, NULL);
	struct guard_item *slot = guard_slot(g), *slot2;
	struct timespec past = guard_now();

	ck_assert_ptr_nonnull(slot);
	ck_assert_ptr_eq(guard_slot(g), slot);
	slot2 = guard_slot(g2);
	ck_assert_ptr_nonnull(slot2);
	ck_assert_ptr_ne(slot2, slot);
	guard_arm(g, slot, NULL);
	ck_assert(wait_cancel(slot, 60000));
	ck_assert_int_eq(atomic_load(&slot->why), GUARD_TIMEOUT);
	guard_unwatch(g, slot);
	/* Disarmed, even past its time limit, it is left alone. */
	atomic_store(&slot->cancel, 0);
	atomic_store(&slot->why, GUARD_NONE);
	ck_assert(!wait_cancel(slot, 100));
	guard_cancel_all(g);
	ck_assert_int_eq(atomic_load(&slot->cancel), 0);
	/* Armed again from an arrival already past the limit: cancelled at the next tick. */
	past.tv_sec -= 1;
	guard_arm(g, slot, &past);
	ck_assert(wait_cancel(slot, 60000));
	guard_unwatch(g, slot);
	/* The other guard's slot was never armed: never touched. */
	ck_assert_int_eq(atomic_load(&slot2->cancel), 0);
	guard_free(g2);
	guard_free(g);
}
END_TEST

START_TEST(test_drain_cancels_an_armed_slot)
{
	struct guard *g = guard_new(3600, NULL, NULL);
	struct guard_item *slot = guard_slot(g);

	ck_assert_ptr_nonnull(slot);
	guard_arm(g, slot, NULL);
	guard_begin(g, slot, 1e9);
	guard_cancel_all(g);
	ck_assert_int_eq(atomic_load(&slot->cancel), 1);
	ck_assert_int_eq(atomic_load(&slot->why), GUARD_DRAIN);
	guard_unwatch(g, slot);
	guard_free(g);
}
END_TEST

/* The cases, one a row: CK_RUN_CASE picks one by its name without "test_". */
static const struct unit_case suite_cases[] = {
	UNIT_TEST(test_overrun_stops_work),
	UNIT_TEST(test_waiting_is_not_overrun),
	UNIT_TEST(test_half_close_is_not_gone_reset_is),
	UNIT_TEST(test_closed_client_is_gone),
	UNIT_TEST(test_slot_is_watched_only_while_armed),
	UNIT_TEST(test_drain_cancels_an_armed_slot),
};

Suite *guard_suite(void)
{
	return unit_suite("guard", suite_cases, UNIT_COUNT(suite_cases), 300);
}
