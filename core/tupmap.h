/* SPDX-License-Identifier: MIT */
/*
 * tupmap.h — interns fixed-width tuples of int32 as dense indices 0, 1, 2, …
 *
 * The exact chain names its states (informed count, recent cohorts) and its
 * cached transition rows with it; callers keep their values in arrays indexed
 * by the interned index, which never changes once given.  Internal to core/.
 */
#ifndef FANOUT_TUPMAP_H
#define FANOUT_TUPMAP_H

#include <stddef.h>
#include <stdint.h>

struct tupmap {
	int width;          /* int32 values per tuple */
	size_t count;       /* tuples interned */
	size_t key_cap;     /* int32 values `keys` has room for */
	int32_t *keys;      /* count * width values, in interning order */
	size_t slot_cap;    /* power of two, or 0 */
	uint32_t *slots;    /* index + 1, or 0 for an empty slot */
};

/* Sets up an empty map of `width`-tuples; allocates nothing. */
void tupmap_init(struct tupmap *m, int width);

/* Frees what the map holds; it is then empty and can be used again. */
void tupmap_release(struct tupmap *m);

/* Forgets every tuple but keeps the memory. */
void tupmap_clear(struct tupmap *m);

/*
 * The index of `key`, interning it if new.  Returns -1 if allocation fails,
 * in which case the map is unchanged.
 */
int64_t tupmap_intern(struct tupmap *m, const int32_t *key);

/* The tuple with index idx < count; valid until the next intern. */
static inline const int32_t *tupmap_key(const struct tupmap *m, size_t idx)
{
	return m->keys + idx * (size_t)m->width;
}

#endif
