/*
 * preset.h — the gossip settings of real systems, as named presets.
 *
 * docs/MODEL.md's table, stated once: a preset fills every parameter it
 * defines that a request leaves unset.  memberlist (Consul, Serf, Nomad)
 * bounds how often one node sends a broadcast, RetransmitMult x
 * ceil(log10(N + 1)) transmissions in all, which is the model's
 * transmit_limit; Cassandra's Gossiper has no such bound.
 */
#ifndef FANOUT_PRESET_H
#define FANOUT_PRESET_H

#include <stdint.h>

#include "fanout/model.h"

struct gossip_preset {
	const char *name;
	const char *label;        /* what it is, for people (the page's select) */
	enum gossip_mode mode;
	int64_t fanout;           /* K: peers gossiped to per round */
	double interval;          /* seconds per round */
	int64_t retransmit_mult;  /* transmit_limit = mult * ceil(log10(N + 1)); 0: unlimited */
	int64_t message_bytes;    /* one message on the wire; 0: not defined */
};

/* How many presets there are: the rows of preset.c's table. */
int gossip_preset_count(void);

/* Preset i, for 0 <= i < gossip_preset_count(). */
const struct gossip_preset *gossip_preset(int i);

/* The preset called name, or NULL. */
const struct gossip_preset *gossip_preset_find(const char *name);

/* The preset's transmit_limit at N = nodes >= 1 (0: unlimited). */
int64_t gossip_preset_transmit_limit(const struct gossip_preset *s, int64_t nodes);

#endif
