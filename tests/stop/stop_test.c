/* SPDX-License-Identifier: MIT */
/*
 * stop_test.c — http_stop while a connection is still suspended (issue 9).
 *
 * libmicrohttpd 0.9.75 aborts the process when MHD_stop_daemon runs with a
 * suspended connection, which is what a job that ignored cancellation past
 * fanoutd's grace period would leave behind.  http_stop must refuse instead
 * (return -1) and succeed once the job is gone.  A job that ignores
 * cancellation cannot be made on purpose, so this program calls http_stop
 * while a long simulation is still running, uncancelled, with http.c built
 * with FO_HTTP_CANCEL_WAIT=1 (the Makefile's stop-test rule) so the refusal
 * comes after one second instead of thirty.  Loopback only; exits 0 on
 * success, 1 with the reason on stderr otherwise.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static const char body[] =
	"{\"nodes\":1000000,\"fanout\":3,\"rounds\":100,\"trials\":100000,\"seed\":1}";

static int fail(const char *why)
{
	fprintf(stderr, "stop_test: %s\n", why);
	return 1;
}

/* POSTs the long simulation to 127.0.0.1:port; the socket, or -1. */
static int post_heavy(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	char req[512];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	n = snprintf(req, sizeof req,
		     "POST /simulate_gossip HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	if (write(fd, req, (size_t)n) != n)
		return -1;
	return fd;
}

int main(void)
{
	struct http_config cfg = {
		.address = "127.0.0.1", .port = 0, .threads = 1, .http_threads = 1, .queue = 4,
		.body_limit = 65536, .work_budget = 1e15, .sim_threads = 1, .timeout = 3600,
		.log_json = 0, .connections = 16, .per_address = 16, .read_deadline = 10,
	};
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct http_server *s = http_start(&cfg);
	int fd, i;

	if (!s)
		return fail("cannot start the server");
	fd = post_heavy(http_port(s));
	if (fd < 0)
		return fail("cannot send the request");
	for (i = 0; i < 1000 && http_busy(s) < 1; i++)
		nanosleep(&tick, NULL);
	if (http_busy(s) < 1)
		return fail("the simulation never started");
	/* The job runs for minutes and nobody cancels it: stopping must be refused, not abort. */
	if (http_stop(s) != -1)
		return fail("http_stop stopped with a connection suspended");
	fprintf(stderr, "stop_test: http_stop refused while the job ran (no abort)\n");
	http_cancel_all(s);
	for (i = 0; i < 3000 && http_busy(s) > 0; i++)
		nanosleep(&tick, NULL);
	if (http_stop(s) != 0)
		return fail("http_stop refused after the job was cancelled");
	close(fd);
	fprintf(stderr, "stop_test: stopped cleanly once the job was cancelled\n");
	return 0;
}
