/*
 * strbuf.c — see strbuf.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout/grow.h"
#include "strbuf.h"

/* What buf points to while nothing is allocated; it stays "". */
char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	*sb = (struct strbuf)STRBUF_INIT;
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	char *buf = sb->alloc ? sb->buf : NULL;
	int fresh = !sb->alloc;

	if (extra > (size_t)-1 - 1 - sb->len || FO_GROW(buf, sb->len + extra + 1, sb->alloc) < 0) {
		sb->failed = 1;
		return -1;
	}
	if (fresh)
		buf[0] = '\0';
	sb->buf = buf;
	return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len) < 0)
		return -1;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Try in the room there is; if it was too small, grow to fit and print again. */
	va_start(ap, fmt);
	n = vsnprintf(sb->alloc ? sb->buf + sb->len : NULL, sb->alloc ? sb->alloc - sb->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (sb->alloc)
			sb->buf[sb->len] = '\0';
		sb->failed = 1;
		return -1;
	}
	if (sb->len + (size_t)n + 1 > sb->alloc) {
		if (strbuf_grow(sb, (size_t)n) < 0) {
			if (sb->alloc)
				sb->buf[sb->len] = '\0';
			return -1;
		}
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
	return 0;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *buf = sb->alloc ? sb->buf : calloc(1, 1);

	if (!buf) {
		sb->failed = 1;
		return NULL;
	}
	if (len)
		*len = sb->len;
	strbuf_init(sb);
	return buf;
}
