/* SPDX-License-Identifier: MIT */
/*
 * log.c — text or JSON lines on stderr for fanoutd (see log.h).  The format
 * is set once at start, before any thread that logs exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "log.h"

static int as_json;

void log_set_json(int json)
{
	as_json = json;
}

void log_stamp(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void log_vline(const char *event, const char *fmt, va_list ap)
{
	char message[512], stamp[32], *line;
	size_t n;
	cJSON *o;

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
