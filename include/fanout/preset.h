/* SPDX-License-Identifier: MIT */
/*
 * preset.h — the gossip settings of real systems, as named presets.
 *
 * docs/MODEL.md's table, stated once: a preset fills every parameter it
 * defines that a request leaves unset.  memberlist (Consul and Serf on the
 * LAN timing; Consul WAN and Nomad's servers on the WAN timing) bounds how
 * often one node sends a broadcast, RetransmitMult x
 * ceil(log10(N + 1)) transmissions in all, which is the model's
 * transmit_limit; Cassandra's Gossiper has no such bound.  Every node of
 * these systems runs its own timers (independent timers); memberlist's probes
 * (ProbeInterval) carry broadcasts on their pings and acks.  Cassandra's
 * Gossiper has no transmit bound, and gossips to live peers only
 * (failed_known).  Serf carries its user events in memberlist's push/pull
 * state too, every PushPullInterval (sync_interval).
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
	enum gossip_timers timers; /* every node runs its own timer (memberlist, Cassandra) */
	double probe_interval;    /* seconds between a node's failure-detector probes; 0: none */
	int failed_known;         /* peers among live nodes only (Cassandra gossips to live peers) */
	double sync_interval;     /* seconds between a node's anti-entropy syncs (Serf's push/pull); 0: none */
};

/* How many presets there are: the rows of preset.c's table. */
int gossip_preset_count(void);

/* Preset i, for 0 <= i < gossip_preset_count(). */
const struct gossip_preset *gossip_preset(int i);

/* The preset called name, or NULL. */
const struct gossip_preset *gossip_preset_find(const char *name);

/* The preset's transmit_limit at N = nodes >= 1 (0: unlimited). */
int64_t gossip_preset_transmit_limit(const struct gossip_preset *s, int64_t nodes);

/*
 * The least RetransmitMult m >= 1 whose transmit_limit at N = nodes,
 * m * ceil(log10(N + 1)), is at least `limit` (>= 1); 0 when the preset has
 * no RetransmitMult.
 */
int64_t gossip_preset_retransmit_mult(const struct gossip_preset *s, int64_t nodes, int64_t limit);

#endif
