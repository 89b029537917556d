/* SPDX-License-Identifier: MIT */
/*
 * log.c — text or JSON lines on stderr for fanoutd (see log.h).  The format
 * is set once at start, before any thread that logs exists.  Each thread that
 * writes access lines has its own buffer, in a list that log_flush walks; a
 * buffer's lock is taken by its thread and by log_flush only.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "settings.h"

static int as_json;

struct log_buffer {
	pthread_mutex_t lock;
	size_t len;
	struct log_buffer *next;
	char data[FO_LOG_BUFFER_BYTES];
};

static pthread_mutex_t buffers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_buffer *buffers;      /* every thread's, never freed (threads may log until exit) */
static _Thread_local struct log_buffer *mine;

/*
 * Is stderr a pipe, a socket or a terminal, where a write of more than
 * PIPE_BUF bytes may be interleaved with another writer's, rather than a
 * regular file, where one write() is never cut by another?  Asked once.
 */
static int pipe_like(void)
{
	static atomic_int kind;        /* 0: not yet asked; 1: a regular file; 2: anything else */
	int k = atomic_load_explicit(&kind, memory_order_relaxed);
	struct stat st;

	if (k == 0) {
		k = fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? 1 : 2;
		atomic_store_explicit(&kind, k, memory_order_relaxed);
	}
	return k == 2;
}

/*
 * Writes data to stderr: to a regular file in one write (a full buffer of
 * access lines, 32 KiB, is one system call, not eight, issue 22); to
 * anything else in pieces that end at a line's end and hold at most
 * PIPE_BUF bytes.
 */
static void write_lines(const char *data, size_t len)
{
	int cut_pieces = pipe_like();

	while (len > 0) {
		size_t n = len;
		ssize_t w;
		if (n > PIPE_BUF && cut_pieces) {
			size_t cut = PIPE_BUF;
			while (cut > 0 && data[cut - 1] != '\n')
				cut--;
			n = cut > 0 ? cut : PIPE_BUF;
		}
		w = write(STDERR_FILENO, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;    /* stderr is gone: nothing else can be done with the log */
		data += w;
		len -= (size_t)w;
	}
}

void log_buffered(const char *line, size_t len)
{
	struct log_buffer *b = mine;

	if (!b) {
		b = calloc(1, sizeof *b);
		if (!b) {
			write_lines(line, len);
			return;
		}
		pthread_mutex_init(&b->lock, NULL);
		pthread_mutex_lock(&buffers_lock);
		b->next = buffers;
		buffers = b;
		pthread_mutex_unlock(&buffers_lock);
		mine = b;
	}
	pthread_mutex_lock(&b->lock);
	if (b->len + len > sizeof b->data) {
		write_lines(b->data, b->len);
		b->len = 0;
	}
	if (len > sizeof b->data) {
		write_lines(line, len);
	} else {
		memcpy(b->data + b->len, line, len);
		b->len += len;
	}
	pthread_mutex_unlock(&b->lock);
}

void log_flush(void)
{
	pthread_mutex_lock(&buffers_lock);
	for (struct log_buffer *b = buffers; b; b = b->next) {
		pthread_mutex_lock(&b->lock);
		write_lines(b->data, b->len);
		b->len = 0;
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_unlock(&buffers_lock);
}

void log_set_json(int json)
{
	as_json = json;
}

void log_stamp(char *out, size_t size)
{
	/* This thread's text of the last second it stamped: gmtime_r (which takes glibc's time
	 * zone lock) and strftime run once a second, not once a line. */
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char text[32];
	time_t t = time(NULL);
	struct tm tm;

	if (t != last) {
		gmtime_r(&t, &tm);
		strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
		last = t;
	}
	if (size > 0) {
		size_t n = strnlen(text, size - 1);
		memcpy(out, text, n);
		out[n] = '\0';
	}
}

void log_vline(const char *event, const char *fmt, va_list ap)
{
	char message[512], stamp[32], *line;
	size_t n;
	cJSON *o;

	log_flush();
	vsnprintf(message, sizeof message, fmt, ap);
	n = strlen(message);
	while (n > 0 && message[n - 1] == '\n')
		message[--n] = '\0';
	if (!as_json) {
		fprintf(stderr, "%s\n", message);
		return;
	}
	log_stamp(stamp, sizeof stamp);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "time", stamp);
	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddStringToObject(o, "message", message);
	line = cJSON_PrintUnformatted(o);
	/* Without memory for JSON, the message alone still says what happened. */
	fprintf(stderr, "%s\n", line ? line : message);
	free(line);
	cJSON_Delete(o);
}

void log_line(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(event, fmt, ap);
	va_end(ap);
}
