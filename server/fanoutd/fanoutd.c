/* SPDX-License-Identifier: MIT */
/*
 * fanoutd.c — the HTTP service: options, start, and a graceful stop.
 *
 * SIGTERM and SIGINT are blocked in every thread and taken by the main thread
 * with sigwait, so no work happens in a signal handler.  On the first one
 * the server drains: /readyz answers 503, new work is refused, and work in
 * flight gets up to the grace period to finish; then whatever is left is
 * cancelled, the server stops, and the process exits 0.  A second signal
 * during the drain cancels at once.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "options.h"
#include "settings.h"
#include "http.h"
#include "probe.h"
#include "log.h"

/* The usage text is usage_head, usage_about (the lists from the tables, filled) and usage_tail. */
static const char usage_head[] = "usage: fanoutd [options]\n\n";
static const char usage_about[] =
	"HTTP service answering POST/GET %s (see /openapi.yaml), with /healthz, /readyz, /metrics "
	"and a browser page at /.\n"
	"Requests may name a preset (%s) and give transmit_limit, interval (seconds) and message_bytes; "
	"timers is aligned (lock-step rounds, the default) or independent (one timer per node, as every "
	"preset sets, with probe_interval and sync_interval in seconds), and within_seconds a time budget "
	"that stands for "
	"rounds.\n"
	"Every option also has an environment twin, shown in brackets.\n";
static const char usage_tail[] =
	"\n"
	"  --address ADDR       listen address (FANOUTD_ADDRESS, default 127.0.0.1)\n"
	"  --port N             listen port, 0 for any free one (FANOUTD_PORT, default " FO_STR(FO_HTTP_PORT) ")\n"
	"  --threads N          worker threads for heavy requests (FANOUTD_THREADS, default " FO_STR(FO_WORKER_THREADS) ")\n"
	"  --sim-threads N      threads one simulation uses, 0 for the CPUs it may use\n"
	"                       (affinity mask and cgroup v2 cpu.max quota); with 2 or\n"
	"                       more the exact K search runs two K at once and\n"
	"                       splits a wide push_pull round of a chain in two\n"
	"                       (FANOUTD_SIM_THREADS, default 0)\n"
	"  --http-threads N     connection threads (FANOUTD_HTTP_THREADS, default " FO_STR(FO_HTTP_THREADS) ")\n"
	"  --queue N            heavy requests that may wait before 503 (FANOUTD_QUEUE, default " FO_STR(FO_HTTP_QUEUE) ")\n"
	"  --body-limit BYTES   largest request body before 413 (FANOUTD_BODY_LIMIT, default " FO_STR(FO_HTTP_BODY_LIMIT) ")\n"
	"  --work-budget UNITS  work one request may cost before 422, about 1 ns each\n"
	"                       (FANOUTD_WORK_BUDGET, default " FO_STR(FO_DEFAULT_WORK_BUDGET) ")\n"
	"  --timeout SECONDS    time a request may run before 504 (FANOUTD_TIMEOUT, default " FO_STR(FO_HTTP_TIMEOUT) ")\n"
	"  --grace SECONDS      time in-flight work gets on SIGTERM (FANOUTD_GRACE, default " FO_STR(FO_HTTP_GRACE) ")\n"
	"  --connections N      connections in all (FANOUTD_CONNECTIONS, default " FO_STR(FO_HTTP_MAX_CONNECTIONS) ")\n"
	"  --per-address N      connections one client address may hold; more are refused\n"
	"                       (FANOUTD_PER_ADDRESS, default " FO_STR(FO_HTTP_PER_ADDRESS) ")\n"
	"  --read-deadline SECONDS  time a request's headers and body may take to arrive,\n"
	"                       however slowly (FANOUTD_READ_DEADLINE, default " FO_STR(FO_HTTP_READ_DEADLINE) ")\n"
	"  --log-format FORMAT  log on stderr: text or json, one object a line\n"
	"                       (FANOUTD_LOG_FORMAT, default text)\n"
	"  --healthcheck [URL]  only GET URL (default http://127.0.0.1:$FANOUTD_PORT/healthz)\n"
	"                       and exit 0 if it answers 200, else 1: for container health checks\n"
	"  --help               this text\n"
	"  --version            the version\n"
	"\n"
	"Example:\n"
	"  fanoutd --port 8080 &\n"
	"  curl -d '{\"nodes\":25,\"target_prob\":0.99,\"rounds\":5}' localhost:8080/calc_fanout\n"
	"  curl -d '{\"nodes\":1000,\"target_prob\":0.999,\"preset\":\"memberlist-lan\"}' localhost:8080/tradeoff\n";

enum { O_ADDRESS, O_PORT, O_THREADS, O_SIM_THREADS, O_HTTP_THREADS, O_QUEUE, O_BODY, O_BUDGET, O_TIMEOUT, O_GRACE,
       O_LOG, O_CONNECTIONS, O_PER_ADDRESS, O_READ_DEADLINE, O_COUNT };

static int configure(int argc, char **argv, struct http_config *cfg, double *grace)
{
	struct opt_option o[O_COUNT] = {
		[O_ADDRESS] = { "address", "FANOUTD_ADDRESS", "127.0.0.1" },
		[O_PORT] = { "port", "FANOUTD_PORT", FO_STR(FO_HTTP_PORT) },
		[O_THREADS] = { "threads", "FANOUTD_THREADS", FO_STR(FO_WORKER_THREADS) },
		[O_SIM_THREADS] = { "sim-threads", "FANOUTD_SIM_THREADS", "0" },
		[O_HTTP_THREADS] = { "http-threads", "FANOUTD_HTTP_THREADS", FO_STR(FO_HTTP_THREADS) },
		[O_QUEUE] = { "queue", "FANOUTD_QUEUE", FO_STR(FO_HTTP_QUEUE) },
		[O_BODY] = { "body-limit", "FANOUTD_BODY_LIMIT", FO_STR(FO_HTTP_BODY_LIMIT) },
		[O_BUDGET] = { "work-budget", "FANOUTD_WORK_BUDGET", FO_STR(FO_DEFAULT_WORK_BUDGET) },
		[O_TIMEOUT] = { "timeout", "FANOUTD_TIMEOUT", FO_STR(FO_HTTP_TIMEOUT) },
		[O_GRACE] = { "grace", "FANOUTD_GRACE", FO_STR(FO_HTTP_GRACE) },
		[O_LOG] = { "log-format", "FANOUTD_LOG_FORMAT", "text" },
		[O_CONNECTIONS] = { "connections", "FANOUTD_CONNECTIONS", FO_STR(FO_HTTP_MAX_CONNECTIONS) },
		[O_PER_ADDRESS] = { "per-address", "FANOUTD_PER_ADDRESS", FO_STR(FO_HTTP_PER_ADDRESS) },
		[O_READ_DEADLINE] = { "read-deadline", "FANOUTD_READ_DEADLINE", FO_STR(FO_HTTP_READ_DEADLINE) },
	};
	double port, threads, sim_threads, http_threads, queue, body, connections, per_address;
	struct strbuf usage = STRBUF_INIT;
	int bad;

	if (opt_usage(&usage, usage_head, usage_about, "/", usage_tail) < 0) {
		fputs("fanoutd: out of memory\n", stderr);
		return -1;
	}
	bad = opt_parse(argc, argv, o, O_COUNT, "fanoutd", FO_VERSION, usage.buf) < 0 ||
	    opt_number("fanoutd", &o[O_PORT], 0, 65535, 1, &port) < 0 ||
	    opt_number("fanoutd", &o[O_THREADS], 1, FO_MAX_WORKER_THREADS, 1, &threads) < 0 ||
	    opt_number("fanoutd", &o[O_SIM_THREADS], 0, FO_SIM_MAX_THREADS, 1, &sim_threads) < 0 ||
	    opt_number("fanoutd", &o[O_HTTP_THREADS], 1, FO_HTTP_MAX_THREADS, 1, &http_threads) < 0 ||
	    opt_number("fanoutd", &o[O_QUEUE], 0, 1e6, 1, &queue) < 0 ||
	    opt_number("fanoutd", &o[O_BODY], 1, 1 << 30, 1, &body) < 0 ||
	    opt_number("fanoutd", &o[O_BUDGET], 1, 1e18, 0, &cfg->work_budget) < 0 ||
	    opt_number("fanoutd", &o[O_TIMEOUT], 0.001, 86400, 0, &cfg->timeout) < 0 ||
	    opt_number("fanoutd", &o[O_GRACE], 0, 86400, 0, grace) < 0 ||
	    opt_number("fanoutd", &o[O_CONNECTIONS], 1, 65536, 1, &connections) < 0 ||
	    opt_number("fanoutd", &o[O_PER_ADDRESS], 1, 65536, 1, &per_address) < 0 ||
	    opt_number("fanoutd", &o[O_READ_DEADLINE], 0.1, 86400, 0, &cfg->read_deadline) < 0;
	strbuf_release(&usage);
	if (bad)
		return -1;
	if (strcmp(o[O_LOG].value, "text") != 0 && strcmp(o[O_LOG].value, "json") != 0) {
		fprintf(stderr, "fanoutd: '--log-format' must be text or json, not '%s'\n", o[O_LOG].value);
		return -1;
	}
	cfg->address = o[O_ADDRESS].value;
	cfg->port = (int)port;
	cfg->threads = (int)threads;
	cfg->sim_threads = opt_threads(sim_threads);
	cfg->http_threads = (int)http_threads;
	/* A queue of 0 would mean "unbounded" to the pool: at least one may wait. */
	cfg->queue = queue < 1 ? 1 : (size_t)queue;
	cfg->body_limit = (size_t)body;
	cfg->log_json = strcmp(o[O_LOG].value, "json") == 0;
	cfg->connections = (int)connections;
	cfg->per_address = (int)per_address;
	return 0;
}

/*
 * File descriptors beyond the connections: the listening socket, each
 * connection thread's epoll, the log, and what libc and libmicrohttpd open.
 */
#define FD_SPARE 64

/*
 * Makes sure --connections can be reached: raises the soft RLIMIT_NOFILE to
 * what they need (up to the hard limit), or says why it cannot.  -1 then.
 */
static int fit_fd_limit(int connections)
{
	struct rlimit r;
	rlim_t need = (rlim_t)connections + FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= need)
		return 0;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < need) {
		fprintf(stderr,
			"fanoutd: '--connections %d' needs %llu open files, but the limit is %llu (ulimit -n "
			"-H); lower '--connections' to at most %llu or raise the limit (LimitNOFILE= in the "
			"unit)\n", connections, (unsigned long long)need, (unsigned long long)r.rlim_max,
			r.rlim_max > FD_SPARE ? (unsigned long long)(r.rlim_max - FD_SPARE) : 0ULL);
		return -1;
	}
	r.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &r) != 0) {
		perror("fanoutd: setrlimit(RLIMIT_NOFILE)");
		return -1;
	}
	return 0;
}

/* Waits up to `seconds` for work to finish; a signal meanwhile cuts it short. */
static void drain(struct http_server *s, const sigset_t *signals, double seconds)
{
	struct timespec tick = { 0, FO_TICK_MS * 1000 * 1000 };
	double waited = 0;

	while (http_busy(s) > 0 && waited < seconds) {
		if (sigtimedwait(signals, NULL, &tick) > 0)
			break;
		waited += FO_TICK_MS / 1e3;
	}
	if (http_busy(s) > 0) {
		log_line("cancel", "fanoutd: cancelling %d request(s) still running", http_busy(s));
		http_cancel_all(s);
		/* Cancelled work stops at its next check, within milliseconds. */
		for (int i = 0; i < FO_HTTP_CANCEL_WAIT * 1000 / FO_TICK_MS && http_busy(s) > 0; i++)
			nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	struct http_config cfg;
	struct http_server *s;
	sigset_t signals;
	double grace;
	int sig;

	if (argc >= 2 && strcmp(argv[1], "--healthcheck") == 0 && argc <= 3)
		return probe_run(argc == 3 ? argv[2] : NULL, FO_PROBE_TIMEOUT);
	if (configure(argc, argv, &cfg, &grace) < 0 || fit_fd_limit(cfg.connections) < 0)
		return 2;
	log_set_json(cfg.log_json);
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	s = http_start(&cfg);
	if (!s)
		return 1;
	log_line("start", "fanoutd %s listening on %s port %d, %d simulation thread(s)", FO_VERSION,
		 cfg.address, http_port(s), cfg.sim_threads);
	sigwait(&signals, &sig);
	log_line("drain", "fanoutd: %s, draining (grace %g s)", sig == SIGTERM ? "SIGTERM" : "SIGINT", grace);
	http_begin_drain(s);
	drain(s, &signals, grace);
	if (http_stop(s) < 0) {
		/* Stopping libmicrohttpd now would abort: leave without it. */
		log_line("stop", "fanoutd: %d request(s) ignored cancellation; exiting without cleanup",
			 http_busy(s));
		return 1;
	}
	log_line("stop", "fanoutd: stopped");
	return 0;
}
