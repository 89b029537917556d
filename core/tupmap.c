/*
 * tupmap.c — open addressing with linear probing over a power-of-two table
 * kept at most half full; keys live in one growing array in interning order.
 */
#include <stdlib.h>
#include <string.h>

#include "fanout/grow.h"
#include "tupmap.h"

void tupmap_init(struct tupmap *m, int width)
{
	memset(m, 0, sizeof *m);
	m->width = width;
}

void tupmap_release(struct tupmap *m)
{
	free(m->keys);
	free(m->slots);
	tupmap_init(m, m->width);
}

void tupmap_clear(struct tupmap *m)
{
	m->count = 0;
	if (m->slots)
		memset(m->slots, 0, m->slot_cap * sizeof *m->slots);
}

static uint64_t hash_key(const int32_t *key, int width)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL;

	for (int i = 0; i < width; i++) {
		h ^= (uint32_t)key[i];
		h *= 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 29;
	}
	return h;
}

static size_t find_slot(const struct tupmap *m, const int32_t *key)
{
	size_t mask = m->slot_cap - 1;
	size_t s = (size_t)hash_key(key, m->width) & mask;

	while (m->slots[s] &&
	       memcmp(tupmap_key(m, m->slots[s] - 1), key, (size_t)m->width * sizeof *key) != 0)
		s = (s + 1) & mask;
	return s;
}

static int grow_slots(struct tupmap *m)
{
	size_t cap = m->slot_cap ? m->slot_cap * 2 : 64;
	uint32_t *slots = calloc(cap, sizeof *slots);

	if (!slots)
		return -1;
	free(m->slots);
	m->slots = slots;
	m->slot_cap = cap;
	for (size_t i = 0; i < m->count; i++)
		m->slots[find_slot(m, tupmap_key(m, i))] = (uint32_t)(i + 1);
	return 0;
}

int64_t tupmap_intern(struct tupmap *m, const int32_t *key)
{
	size_t s;

	if (m->slot_cap == 0 && grow_slots(m) < 0)
		return -1;
	s = find_slot(m, key);
	if (m->slots[s])
		return (int64_t)m->slots[s] - 1;
	if (m->count >= UINT32_MAX - 1)
		return -1;
	if (FO_GROW(m->keys, (m->count + 1) * (size_t)m->width, m->key_cap) < 0)
		return -1;
	if (2 * (m->count + 1) > m->slot_cap) {
		if (grow_slots(m) < 0)
			return -1;
		s = find_slot(m, key);
	}
	memcpy(m->keys + m->count * (size_t)m->width, key, (size_t)m->width * sizeof *key);
	m->slots[s] = (uint32_t)(m->count + 1);
	return (int64_t)m->count++;
}
