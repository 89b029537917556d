/* SPDX-License-Identifier: MIT */
/*
 * anscache.h — a small bounded cache of finished answers, by operation and
 * request text, for one thread (issue 22: fanoutd keeps one per connection
 * thread, so that a repeated GET is answered without parsing, planning,
 * computing or rendering, and without a lock).
 *
 * Invariants:
 *   - a cache is looked up and filled by one thread only (its owner); the
 *     figures (anscache_figures) may be read from any thread;
 *   - an entry is immutable once made, and counted by references: the cache
 *     holds one while the entry is in it, and anscache_get gives the caller
 *     another, released with anscache_release from any thread.  An entry
 *     replaced while an answer is still being sent from it lives on until
 *     that answer lets it go;
 *   - but for its attachment: one pointer the owner may hang on an entry in
 *     the cache (anscache_attach; fanoutd keeps the answer's ready response
 *     there), handed to the cache's `detach` function, on the owner's thread,
 *     when the cache lets go of the entry (replaced, or the cache freed), and
 *     never otherwise;
 *   - bounded: at most `slots` entries (direct-mapped by a hash of the key:
 *     a new key evicts the one in its slot), keys of at most
 *     FO_ANSCACHE_KEY_MAX bytes, bodies of at most `max_body` bytes; what is
 *     larger is not kept.
 *
 * The cache knows nothing of requests: the caller keeps only answers that
 * depend on the operation and the key alone (request.h, req_deterministic).
 */
#ifndef FANOUT_ANSCACHE_H
#define FANOUT_ANSCACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Longest key (request text) kept, in bytes. */
#ifndef FO_ANSCACHE_KEY_MAX
#define FO_ANSCACHE_KEY_MAX 1024
#endif

struct anscache_entry {
	atomic_int refs;
	void *attached;            /* the owner's (anscache_attach), or NULL */
	unsigned op;
	uint64_t hash;             /* of op and key */
	size_t len;                /* of body */
	size_t key_len;
	const char *key;           /* key_len bytes and a '\0', in this entry's block */
	char body[];               /* len bytes and a '\0' */
};

struct anscache;

/* An empty cache of `slots` entries (>= 1) and bodies up to max_body bytes; NULL if out of memory. */
struct anscache *anscache_new(size_t slots, size_t max_body);

/* What the cache calls with an entry's attachment when it lets go of the entry; NULL: nothing. */
void anscache_on_detach(struct anscache *c, void (*detach)(void *attached));

/*
 * Hangs `attached` on e, an entry now in c (from anscache_get, on the
 * owner's thread), in place of nothing: 0; -1 (and nothing changes) when e
 * already has one or is no longer c's.
 */
int anscache_attach(struct anscache *c, struct anscache_entry *e, void *attached);

/* Drops the cache's references (entries still referenced stay until released) and frees it; NULL is fine. */
void anscache_free(struct anscache *c);

/*
 * The entry for op and key with a reference taken for the caller, who
 * releases it with anscache_release; NULL when there is none (counted as a
 * miss, a found entry as a hit).
 */
struct anscache_entry *anscache_get(struct anscache *c, unsigned op, const char *key);

/*
 * Keeps a copy of body (len bytes) as op and key's answer, in place of what
 * held its slot.  0 when kept; -1 when the key or body is over the bounds or
 * memory is short (the cache is then unchanged).
 */
int anscache_put(struct anscache *c, unsigned op, const char *key, const char *body, size_t len);

/* Lets go of one reference to e; the last frees it. */
void anscache_release(struct anscache_entry *e);

/* Entries held now, and lookups that found (hits) or missed an entry since the cache was made. */
struct anscache_figures {
	size_t entries;
	uint64_t hits, misses;
};
void anscache_figures(const struct anscache *c, struct anscache_figures *out);

#endif
