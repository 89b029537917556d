/*
 * probe.c — see probe.h.  HTTP/1.0 with "Connection: close": the status line
 * is all that is read, so nothing else of HTTP is needed.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "settings.h"
#include "probe.h"

/* Milliseconds left until `end` (CLOCK_MONOTONIC seconds), at least 0. */
static int left_ms(double end)
{
	struct timespec now;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end - (double)now.tv_sec - (double)now.tv_nsec * 1e-9) * 1000;
	return ms > 0 ? (int)ms : 0;
}

/* Waits for `events` on fd until `end`; 0 when ready, -1 on time-out. */
static int wait_for(int fd, short events, double end)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, left_ms(end));
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

/* Connects to host:port before `end`; the socket, or -1. */
static int dial(const char *host, const char *port, double end)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		int err = 0;
		socklen_t len = sizeof err;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && wait_for(fd, POLLOUT, end) == 0 &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int probe_run(const char *url, double seconds)
{
	char host[256], port[16], path[1024], request[1400], reply[64];
	const char *p, *slash, *colon;
	size_t hlen, got = 0, sent = 0, total;
	struct timespec now;
	double end;
	int fd, status = 0;

	if (!url) {
		const char *env = getenv("FANOUTD_PORT");
		snprintf(request, sizeof request, "http://127.0.0.1:%s/healthz",
			 env && *env ? env : FO_STR(FO_HTTP_PORT));
		url = request;
	}
	if (strncmp(url, "http://", 7) != 0) {
		fprintf(stderr, "fanoutd: --healthcheck needs an http:// URL, not '%s'\n", url);
		return 1;
	}
	p = url + 7;
	slash = strchr(p, '/');
	hlen = slash ? (size_t)(slash - p) : strlen(p);
	colon = memchr(p, ':', hlen);
	if (hlen == 0 || (colon ? (size_t)(colon - p) : hlen) >= sizeof host ||
	    (colon && (hlen - (size_t)(colon - p) - 1 == 0 || hlen - (size_t)(colon - p) - 1 >= sizeof port)) ||
	    strlen(slash ? slash : "/") >= sizeof path) {
		fprintf(stderr, "fanoutd: --healthcheck cannot use the URL '%s'\n", url);
		return 1;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon ? colon - p : (long)hlen), p);
	snprintf(port, sizeof port, "%.*s", colon ? (int)(hlen - (size_t)(colon - p) - 1) : 2,
		 colon ? colon + 1 : "80");
	snprintf(path, sizeof path, "%s", slash ? slash : "/");

	clock_gettime(CLOCK_MONOTONIC, &now);
	end = (double)now.tv_sec + (double)now.tv_nsec * 1e-9 + seconds;
	fd = dial(host, port, end);
	if (fd < 0) {
		fprintf(stderr, "fanoutd: --healthcheck could not connect to %s port %s\n", host, port);
		return 1;
	}
	total = (size_t)snprintf(request, sizeof request,
				 "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
	while (sent < total && wait_for(fd, POLLOUT, end) == 0) {
		ssize_t n = send(fd, request + sent, total - sent, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		sent += (size_t)n;
	}
	/* "HTTP/1.x 200 " is all that matters. */
	while (sent == total && got < sizeof reply - 1 && wait_for(fd, POLLIN, end) == 0) {
		ssize_t n = recv(fd, reply + got, sizeof reply - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	reply[got] = '\0';
	if (sscanf(reply, "HTTP/%*d.%*d %d", &status) != 1) {
		fprintf(stderr, "fanoutd: --healthcheck got no HTTP status from %s in time\n", url);
		return 1;
	}
	if (status != 200) {
		fprintf(stderr, "fanoutd: --healthcheck %s answered %d\n", url, status);
		return 1;
	}
	return 0;
}
