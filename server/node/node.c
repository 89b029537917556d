/* SPDX-License-Identifier: MIT */
/*
 * node.c — fanout-node: a Maelstrom node (JSON lines on stdin/stdout) over
 * the shared request layer; docs/API.md is its contract.
 *
 * The main thread reads lines and answers cheap requests at once; requests
 * estimated above FO_NODE_INLINE_WORK go to a worker pool, so a long
 * simulation never stops the node from reading.  Every reply is written whole
 * and flushed under one lock, which also hands out msg_id 0, 1, 2, … in
 * output order.  Bad input is logged to stderr and never ends the node; end
 * of input waits for the workers and exits 0.  A reply that cannot be
 * written (stdout closed or full) is logged, the node stops reading and
 * exits 1: its client can no longer hear it.
 *
 * All work runs under the guard (guard.h): past --timeout it stops with
 * code 0 (timeout), and work that outgrows its estimate stops with code 14,
 * so a request whose estimate was wrong cannot hold the read loop or a
 * worker.  Built with -DFUZZING there is no main(): a fuzzer includes this
 * file and calls node_open and read_loop.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "options.h"
#include "settings.h"
#include "guard.h"
#include "request.h"
#include "workpool.h"

/* Maelstrom error codes. */
enum { ERR_TIMEOUT = 0, ERR_CRASH = 13, ERR_NOT_SUPPORTED = 10, ERR_MALFORMED = 12, ERR_ABORT = 14 };

/* The Maelstrom error code of each failure of the request layer. */
static const int code_of[REQ_STATUS_COUNT] = {
	[REQ_BAD_FIELD] = ERR_MALFORMED, [REQ_OVER_BUDGET] = ERR_ABORT, [REQ_CANCELLED] = ERR_CRASH,
	[REQ_FAILED] = ERR_CRASH,
};

struct node {
	pthread_mutex_t out_lock;
	FILE *out;                  /* replies: stdout */
	int64_t next_msg_id;
	char *id;                   /* from init; NULL before */
	struct req_limits limits;
	double timeout;             /* seconds one request may take */
	struct workpool *pool;
	struct guard *guard;
	atomic_int write_failed;    /* a reply could not be written: stop */
};

/* Who a reply goes to and what it answers. */
struct reply_to {
	char *src, *dest;           /* our name, the requester's */
	cJSON *in_reply_to;         /* copy of the request's msg_id, or NULL */
};

struct job {
	struct node *node;
	struct reply_to to;
	struct request req;
	struct guard_item guard;
};

/* The usage text is usage_head, usage_about (the lists from the tables, filled) and usage_tail. */
static const char usage_head[] =
	"usage: fanout-node [--work-budget UNITS] [--timeout SECONDS] [--threads N] [--sim-threads N]\n"
	"\n";
static const char usage_about[] =
	"A Maelstrom node answering %s: one JSON message per line on stdin, one reply per line on "
	"stdout, logs on stderr.\n"
	"Requests may name a preset (%s) and give transmit_limit, interval (seconds) and message_bytes; "
	"timers is aligned (lock-step rounds, the default) or independent (one timer per node, as every "
	"preset sets, with probe_interval and sync_interval in seconds), and within_seconds a time budget "
	"that stands for "
	"rounds; answers echo the parameters used under \"params\".\n";
static const char usage_tail[] =
	"\n"
	"  --work-budget UNITS  work one request may cost, about 1 ns each\n"
	"                       (env FANOUT_WORK_BUDGET, default " FO_STR(FO_DEFAULT_WORK_BUDGET) ")\n"
	"  --timeout SECONDS    time a request may take before it stops with code 0\n"
	"                       (env FANOUT_TIMEOUT, default " FO_STR(FO_NODE_TIMEOUT) ")\n"
	"  --threads N          worker threads for heavy requests\n"
	"                       (env FANOUT_THREADS, default " FO_STR(FO_WORKER_THREADS) ")\n"
	"  --sim-threads N      threads one simulation uses, 0 for all CPUs; with 2 or\n"
	"                       more the exact K search runs two K at once and\n"
	"                       splits a wide push_pull round of a chain in two\n"
	"                       (env FANOUT_SIM_THREADS, default 0)\n"
	"  --help               this text\n"
	"  --version            the version\n"
	"\n"
	"Example:\n"
	"  echo '{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"calc_fanout\",\"msg_id\":1,\n"
	"        \"nodes\":25,\"target_prob\":0.99,\"rounds\":5}}' | fanout-node\n"
	"  echo '{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"tradeoff\",\"msg_id\":1,\n"
	"        \"nodes\":1000,\"target_prob\":0.999,\"preset\":\"memberlist-lan\"}}' | fanout-node\n";

static void reply_to_release(struct reply_to *to)
{
	free(to->src);
	free(to->dest);
	cJSON_Delete(to->in_reply_to);
}

/* Writes {src, dest, body} as one flushed line; takes ownership of body. */
static void emit(struct node *n, const struct reply_to *to, cJSON *body)
{
	cJSON *msg = cJSON_CreateObject();
	char *text = NULL;

	pthread_mutex_lock(&n->out_lock);
	if (msg && body && cJSON_AddStringToObject(msg, "src", to->src) &&
	    cJSON_AddStringToObject(msg, "dest", to->dest) &&
	    cJSON_AddNumberToObject(body, "msg_id", (double)n->next_msg_id) &&
	    (!to->in_reply_to ||
	     cJSON_AddItemToObject(body, "in_reply_to", cJSON_Duplicate(to->in_reply_to, 1)))) {
		cJSON_AddItemToObject(msg, "body", body);
		body = NULL;
		text = req_json_print(msg);
	}
	if (text) {
		n->next_msg_id++;
		errno = 0;
		if ((fputs(text, n->out) == EOF || fputc('\n', n->out) == EOF || fflush(n->out) == EOF) &&
		    !atomic_exchange(&n->write_failed, 1))
			fprintf(stderr, "fanout-node: cannot write a reply to stdout (%s); stopping\n",
				errno ? strerror(errno) : "write error");
	} else {
		fputs("fanout-node: out of memory writing a reply\n", stderr);
	}
	pthread_mutex_unlock(&n->out_lock);
	cJSON_Delete(body);
	cJSON_Delete(msg);
	/* A big answer's memory goes back to the system, not only to malloc's free lists. */
	if (text && strlen(text) > FO_TRIM_BYTES) {
		free(text);
		malloc_trim(0);
	} else {
		free(text);
	}
}

static void emit_error(struct node *n, const struct reply_to *to, int code, const char *text)
{
	cJSON *body = cJSON_CreateObject();

	if (body && cJSON_AddStringToObject(body, "type", "error") &&
	    cJSON_AddNumberToObject(body, "code", code) && cJSON_AddStringToObject(body, "text", text)) {
		emit(n, to, body);
		return;
	}
	cJSON_Delete(body);
	fputs("fanout-node: out of memory writing an error\n", stderr);
}

/* Runs req under the guard, which already watches `it`, and writes the reply. */
static void run_request(struct node *n, const struct reply_to *to, const struct request *req,
			struct guard_item *it)
{
	struct req_error err;
	cJSON *body;
	enum guard_why why;

	body = guard_execute(n->guard, it, req, &n->limits, &err, &why);
	if (!body && err.status == REQ_CANCELLED) {
		char text[128];
		snprintf(text, sizeof text, "the request ran past its time limit of %g s; lower its work",
			 n->timeout);
		emit_error(n, to, ERR_TIMEOUT, text);
		return;
	}
	if (!body) {
		emit_error(n, to, code_of[err.status], err.detail);
		return;
	}
	if (!cJSON_AddStringToObject(body, "type", req_op_reply_type(req->op))) {
		cJSON_Delete(body);
		emit_error(n, to, ERR_CRASH, "out of memory");
		return;
	}
	emit(n, to, body);
}

static void run_job(void *arg)
{
	struct job *j = arg;

	run_request(j->node, &j->to, &j->req, &j->guard);
	reply_to_release(&j->to);
	free(j);
}

static void handle_init(struct node *n, struct reply_to *to, const cJSON *body)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "node_id");
	cJSON *ok;
	char *copy;

	if (!cJSON_IsString(id)) {
		emit_error(n, to, ERR_MALFORMED, "\"node_id\" must be a string");
		return;
	}
	copy = strdup(id->valuestring);
	if (!copy) {
		emit_error(n, to, ERR_CRASH, "out of memory");
		return;
	}
	free(n->id);
	n->id = copy;
	free(to->src);
	to->src = strdup(copy);
	ok = cJSON_CreateObject();
	if (!to->src || !ok || !cJSON_AddStringToObject(ok, "type", "init_ok")) {
		cJSON_Delete(ok);
		fputs("fanout-node: out of memory answering init\n", stderr);
		return;
	}
	emit(n, to, ok);
}

/* Answers one operation, inline when cheap; takes ownership of *to. */
static void handle_op(struct node *n, struct reply_to *to, enum req_op op, const cJSON *body)
{
	struct job *j;
	struct req_error err;
	struct request req;
	struct guard_item it;
	struct timespec arrival = guard_now();
	/* The envelope's own members are known; the rest are the request's fields. */
	cJSON *fields = cJSON_Duplicate(body, 1);
	enum req_status st;
	int copied = fields != NULL;

	cJSON_DeleteItemFromObjectCaseSensitive(fields, "type");
	cJSON_DeleteItemFromObjectCaseSensitive(fields, "msg_id");
	st = copied ? req_prepare(op, fields, &n->limits, &req, &err) : REQ_FAILED;
	cJSON_Delete(fields);
	if (st != REQ_OK) {
		emit_error(n, to, code_of[st], copied ? err.detail : "out of memory");
		reply_to_release(to);
		return;
	}
	if (req.work > FO_NODE_INLINE_WORK && (j = malloc(sizeof *j)) != NULL) {
		j->node = n;
		j->to = *to;
		j->req = req;
		guard_watch(n->guard, &j->guard, &arrival, -1, 0);
		if (workpool_submit(n->pool, run_job, j) == 0)
			return;
		guard_unwatch(n->guard, &j->guard);
		free(j);
	}
	guard_watch(n->guard, &it, &arrival, -1, 0);
	run_request(n, to, &req, &it);
	reply_to_release(to);
}

/* Bytes of the UTF-8 sequence at s (at most len bytes): 1 to 4, or 0 if it is not valid. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;

	if (n == 0 || n > len)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, UTF-16 surrogates, and past U+10FFFF. */
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* Is text[0..len) valid UTF-8 (as JSON text must be)? */
static int utf8_valid(const char *text, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if ((n = utf8_sequence((const unsigned char *)text + i, len - i)) == 0)
			return 0;
	return 1;
}

/* The longest prefix of valid UTF-8 s that is at most max bytes and ends on a character. */
static int utf8_prefix(const char *s, size_t max)
{
	size_t len = strlen(s), i = 0, n;

	while (i < len && (n = utf8_sequence((const unsigned char *)s + i, len - i)) != 0 && i + n <= max)
		i += n;
	return (int)i;
}

static void handle_line(struct node *n, const char *line, size_t len, long lineno)
{
	cJSON *msg = utf8_valid(line, len) ? req_json_parse(line, len) : NULL;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(msg, "src");
	const cJSON *dest = cJSON_GetObjectItemCaseSensitive(msg, "dest");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(msg, "body");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(body, "type");
	const cJSON *msg_id = cJSON_GetObjectItemCaseSensitive(body, "msg_id");
	enum req_op op;
	struct reply_to to = { NULL, NULL, NULL };

	if (!cJSON_IsObject(msg) || !cJSON_IsString(src) || !cJSON_IsObject(body)) {
		fprintf(stderr, "fanout-node: line %ld: %s, ignored\n", lineno,
			msg ? "no \"src\" string or \"body\" object" : "not JSON (or not UTF-8)");
		goto done;
	}
	to.src = strdup(n->id ? n->id : cJSON_IsString(dest) ? dest->valuestring : "");
	to.dest = strdup(src->valuestring);
	to.in_reply_to = msg_id ? cJSON_Duplicate(msg_id, 1) : NULL;
	if (!to.src || !to.dest || (msg_id && !to.in_reply_to)) {
		fprintf(stderr, "fanout-node: line %ld: out of memory, ignored\n", lineno);
		goto done;
	}
	if (!cJSON_IsString(type)) {
		emit_error(n, &to, ERR_MALFORMED, "\"type\" must be a string");
	} else if (strcmp(type->valuestring, "init") == 0) {
		handle_init(n, &to, body);
	} else if (req_op_parse(type->valuestring, &op) == 0) {
		handle_op(n, &to, op, body);
		to = (struct reply_to){ NULL, NULL, NULL };
	} else {
		char text[160];
		snprintf(text, sizeof text, "unsupported type \"%.*s\"", utf8_prefix(type->valuestring, 100),
			 type->valuestring);
		emit_error(n, &to, ERR_NOT_SUPPORTED, text);
	}
done:
	reply_to_release(&to);
	cJSON_Delete(msg);
}

/*
 * Reads stdin line by line into buf (FO_NODE_MAX_LINE bytes); a longer line is
 * skipped whole and logged.
 */
static void read_loop(struct node *n, char *buf, FILE *in)
{
	long lineno = 0;

	while (!atomic_load(&n->write_failed)) {
		size_t len = 0;
		int c, too_long = 0;

		while ((c = getc(in)) != EOF && c != '\n') {
			if (len < FO_NODE_MAX_LINE)
				buf[len++] = (char)c;
			else
				too_long = 1;
		}
		if (c == EOF && len == 0 && !too_long)
			return;
		lineno++;
		if (too_long)
			fprintf(stderr, "fanout-node: line %ld: longer than %d bytes, ignored\n",
				lineno, FO_NODE_MAX_LINE);
		else if (len > 0)
			handle_line(n, buf, len, lineno);
		if (c == EOF)
			return;
	}
}

/* Starts the node's pool and guard; -1 if threads or memory cannot be had. */
static int node_open(struct node *n, FILE *out, int threads)
{
	pthread_mutex_init(&n->out_lock, NULL);
	n->out = out;
	n->pool = workpool_new(threads, 0);
	n->guard = guard_new(n->timeout, NULL, NULL);
	return n->pool && n->guard ? 0 : -1;
}

#ifndef FUZZING
/* Waits for the workers and frees everything node_open made. */
static void node_close(struct node *n)
{
	if (n->pool)
		workpool_free(n->pool);
	guard_free(n->guard);
	free(n->id);
	n->id = NULL;
	pthread_mutex_destroy(&n->out_lock);
}

/* Reads the options into n->limits and *threads; -1 if one is wrong. */
static int configure(struct node *n, int argc, char **argv, int *threads)
{
	struct opt_option opts[] = {
		{ "work-budget", "FANOUT_WORK_BUDGET", FO_STR(FO_DEFAULT_WORK_BUDGET) },
		{ "threads", "FANOUT_THREADS", FO_STR(FO_WORKER_THREADS) },
		{ "sim-threads", "FANOUT_SIM_THREADS", "0" },
		{ "timeout", "FANOUT_TIMEOUT", FO_STR(FO_NODE_TIMEOUT) },
	};
	double t, sim;
	struct strbuf usage = STRBUF_INIT;
	int bad;

	if (opt_usage(&usage, usage_head, usage_about, "", usage_tail) < 0) {
		fputs("fanout-node: out of memory\n", stderr);
		return -1;
	}
	bad = opt_parse(argc, argv, opts, 4, "fanout-node", FO_VERSION, usage.buf) < 0 ||
	    opt_number("fanout-node", &opts[0], 1, 1e18, 0, &n->limits.work_budget) < 0 ||
	    opt_number("fanout-node", &opts[1], 1, FO_MAX_WORKER_THREADS, 1, &t) < 0 ||
	    opt_number("fanout-node", &opts[2], 0, FO_SIM_MAX_THREADS, 1, &sim) < 0 ||
	    opt_number("fanout-node", &opts[3], 0.001, 86400, 0, &n->timeout) < 0;
	strbuf_release(&usage);
	if (bad)
		return -1;
	*threads = (int)t;
	n->limits.sim_threads = opt_threads(sim);
	return 0;
}

int main(int argc, char **argv)
{
	struct node n = { .next_msg_id = 0 };
	int threads;
	char *buf;

	if (configure(&n, argc, argv, &threads) < 0)
		return 2;
	buf = malloc(FO_NODE_MAX_LINE);
	if (!buf || node_open(&n, stdout, threads) < 0) {
		fputs("fanout-node: cannot start: out of memory or threads\n", stderr);
		return 1;
	}
	/* A closed stdout is a write error to report, not a signal that kills silently. */
	signal(SIGPIPE, SIG_IGN);
	read_loop(&n, buf, stdin);
	node_close(&n);
	free(buf);
	return atomic_load(&n.write_failed) ? 1 : 0;
}
#endif
