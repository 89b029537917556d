/* SPDX-License-Identifier: MIT */
/*
 * log.h — fanoutd's lines on stderr, as text or, in json mode, one JSON
 * object a line (startup, shutdown and libmicrohttpd's own messages included),
 * so that a log collector never meets a line it cannot parse.
 */
#ifndef FANOUT_LOG_H
#define FANOUT_LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Chooses the format of every later line; text until called. */
void log_set_json(int json);

/* The current UTC time as 2026-01-02T03:04:05Z into out (at least 21 bytes). */
void log_stamp(char *out, size_t size);

/*
 * One line: the formatted message as it is in text mode; in json mode
 * {"time","event","message"}, with the message's final newline dropped.
 */
void log_line(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vline(const char *event, const char *fmt, va_list ap);

/*
 * The access log, buffered as nginx's `buffer=`: appends `len` bytes (whole
 * lines) to the calling thread's buffer, without a lock any other request
 * thread takes; a full buffer is written out first.  log_flush writes every
 * thread's buffer to stderr; fanoutd calls it every FO_HTTP_READ_TICK_MS, before
 * each log_line (so lines keep their order) and when it stops.  Writes are cut
 * at line ends into pieces of at most PIPE_BUF bytes, so a line is never
 * split among other writers' on a pipe.
 */
void log_buffered(const char *line, size_t len);
void log_flush(void);

#endif
