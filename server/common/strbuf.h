/*
 * strbuf.h — a growable byte buffer for the programs, in the style of git's
 * strbuf: answers, metrics, usage texts and files read whole are built in one.
 *
 * Invariants:
 *   - buf is never NULL: it holds len bytes followed by a '\0', so it may be
 *     read as a C string whenever the contents hold no '\0' of their own;
 *   - alloc is the size of the block buf points to (len + 1 ≤ alloc), or 0
 *     while buf points to a shared empty string that must not be written;
 *   - a function that fails to allocate leaves the contents as they were,
 *     returns -1 and sets `failed`, so a caller may append a whole text and
 *     check once at the end; it returns 0 otherwise.
 *
 * Ownership: the buffer owns buf.  strbuf_release frees it (the struct stays
 * the caller's); strbuf_detach hands it to the caller, who frees it with
 * free().  Growth goes through FO_GROW (fanout/grow.h), doubling.
 */
#ifndef FANOUT_STRBUF_H
#define FANOUT_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	int failed;   /* an allocation failed since init */
};

extern char strbuf_empty[];

#define STRBUF_INIT { strbuf_empty, 0, 0, 0 }

/* An empty buffer; allocates nothing. */
void strbuf_init(struct strbuf *sb);

/* Frees the contents; sb is empty again (as after strbuf_init). */
void strbuf_release(struct strbuf *sb);

/* Room for `extra` more bytes (and the '\0') without another allocation; -1 if none. */
int strbuf_grow(struct strbuf *sb, size_t extra);

/* Appends len bytes of data. */
int strbuf_add(struct strbuf *sb, const void *data, size_t len);

/* Appends the string s. */
int strbuf_addstr(struct strbuf *sb, const char *s);

/* Appends what printf would write for fmt; -1 also for an encoding error. */
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The contents, which the caller now owns and frees with free(), their length
 * in *len when len is not NULL; sb is empty again.  NULL (and sb unchanged)
 * when it holds nothing allocated and a one-byte block cannot be had.
 */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
