/* SPDX-License-Identifier: MIT */
/*
 * anscache.c — a direct-mapped table of reference-counted entries.  Direct
 * mapping keeps a lookup to one hash, one slot and one comparison, and the
 * bound to the table's size; a collision costs a recomputation, never a
 * wrong answer, since the whole key is compared.  The figures are atomics
 * written by the owner alone and read by anyone (relaxed: they are counts).
 */
#include <stdlib.h>
#include <string.h>

#include "anscache.h"

struct anscache {
	size_t slots;
	size_t max_body;
	void (*detach)(void *attached);
	atomic_size_t entries;
	atomic_uint_fast64_t hits, misses;
	struct anscache_entry *slot[];
};

/* FNV-1a over the operation's number and the key. */
static uint64_t key_hash(unsigned op, const char *key, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u ^ op;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3u;
	return h;
}

struct anscache *anscache_new(size_t slots, size_t max_body)
{
	struct anscache *c;

	if (slots == 0)
		slots = 1;
	c = calloc(1, sizeof *c + slots * sizeof c->slot[0]);
	if (!c)
		return NULL;
	c->slots = slots;
	c->max_body = max_body;
	atomic_init(&c->entries, 0);
	atomic_init(&c->hits, 0);
	atomic_init(&c->misses, 0);
	return c;
}

void anscache_on_detach(struct anscache *c, void (*detach)(void *attached))
{
	c->detach = detach;
}

/* The cache lets go of the entry in a slot: its attachment first, then the cache's reference. */
static void let_go(struct anscache *c, struct anscache_entry *e)
{
	void *attached = e->attached;

	e->attached = NULL;
	if (attached && c->detach)
		c->detach(attached);
	anscache_release(e);
}

int anscache_attach(struct anscache *c, struct anscache_entry *e, void *attached)
{
	if (e->attached || c->slot[e->hash % c->slots] != e)
		return -1;
	e->attached = attached;
	return 0;
}

void anscache_free(struct anscache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->slots; i++)
		if (c->slot[i])
			let_go(c, c->slot[i]);
	free(c);
}

void anscache_release(struct anscache_entry *e)
{
	if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
		free(e);
}

/* Adds one to a figure only its owner writes. */
static void count(atomic_uint_fast64_t *n)
{
	atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1, memory_order_relaxed);
}

struct anscache_entry *anscache_get(struct anscache *c, unsigned op, const char *key)
{
	size_t n = strlen(key);
	uint64_t h;
	struct anscache_entry *e;

	if (n > FO_ANSCACHE_KEY_MAX) {
		count(&c->misses);
		return NULL;
	}
	h = key_hash(op, key, n);
	e = c->slot[h % c->slots];
	if (!e || e->hash != h || e->op != op || e->key_len != n || memcmp(e->key, key, n) != 0) {
		count(&c->misses);
		return NULL;
	}
	atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
	count(&c->hits);
	return e;
}

int anscache_put(struct anscache *c, unsigned op, const char *key, const char *body, size_t len)
{
	size_t n = strlen(key);
	struct anscache_entry *e, **slot;
	char *text;

	if (n > FO_ANSCACHE_KEY_MAX || len > c->max_body)
		return -1;
	e = malloc(sizeof *e + len + 1 + n + 1);
	if (!e)
		return -1;
	atomic_init(&e->refs, 1);
	e->attached = NULL;
	e->op = op;
	e->hash = key_hash(op, key, n);
	e->len = len;
	e->key_len = n;
	memcpy(e->body, body, len);
	e->body[len] = '\0';
	text = e->body + len + 1;
	memcpy(text, key, n + 1);
	e->key = text;
	slot = &c->slot[e->hash % c->slots];
	if (*slot)
		let_go(c, *slot);
	else
		atomic_store_explicit(&c->entries, atomic_load_explicit(&c->entries, memory_order_relaxed) + 1,
				      memory_order_relaxed);
	*slot = e;
	return 0;
}

void anscache_figures(const struct anscache *c, struct anscache_figures *out)
{
	out->entries = atomic_load_explicit(&c->entries, memory_order_relaxed);
	out->hits = atomic_load_explicit(&c->hits, memory_order_relaxed);
	out->misses = atomic_load_explicit(&c->misses, memory_order_relaxed);
}
