/* SPDX-License-Identifier: MIT */
/*
 * preset.c — the presets' table (see preset.h and docs/MODEL.md for sources):
 * memberlist's DefaultLANConfig, DefaultWANConfig and DefaultLocalConfig
 * (GossipNodes, GossipInterval, RetransmitMult, UDPBufferSize, ProbeInterval) and
 * Cassandra's Gossiper (one SYN/ACK/ACK2 exchange with one peer a second).
 */
#include <string.h>

#include "fanout/preset.h"

/*
 * The table every list of presets comes from: the request layer's parsing and
 * error messages, the programs' usage texts, the page's select (through the
 * generated /tables.js) and the check of openapi.yaml's enum (make lint).
 * A new preset is a row here and its line in docs/MODEL.md.
 */
static const struct gossip_preset presets[] = {
	{ "memberlist-lan", "memberlist LAN (Consul, Serf)", GOSSIP_PUSH, 3, 0.2, 4, 1400,
	  GOSSIP_TIMERS_INDEPENDENT, 1.0, 0, 0 },
	{ "memberlist-wan", "memberlist WAN (Consul WAN, Nomad servers)", GOSSIP_PUSH, 4, 0.5, 4, 1400,
	  GOSSIP_TIMERS_INDEPENDENT, 5.0, 0, 0 },
	{ "memberlist-local", "memberlist local", GOSSIP_PUSH, 3, 0.1, 2, 1400,
	  GOSSIP_TIMERS_INDEPENDENT, 1.0, 0, 0 },
	{ "cassandra", "Cassandra gossiper", GOSSIP_PUSH_PULL, 1, 1.0, 0, 0,
	  GOSSIP_TIMERS_INDEPENDENT, 0, 1, 0 },
	/* memberlist's timing, and its push/pull sync (PushPullInterval) carrying Serf's user events. */
	{ "serf-lan", "Serf LAN (memberlist LAN with push/pull)", GOSSIP_PUSH, 3, 0.2, 4, 1400,
	  GOSSIP_TIMERS_INDEPENDENT, 1.0, 0, 30.0 },
	{ "serf-wan", "Serf WAN (memberlist WAN with push/pull; Nomad servers)", GOSSIP_PUSH, 4, 0.5, 4,
	  1400, GOSSIP_TIMERS_INDEPENDENT, 5.0, 0, 60.0 },
};

int gossip_preset_count(void)
{
	return (int)(sizeof presets / sizeof presets[0]);
}

const struct gossip_preset *gossip_preset(int i)
{
	return &presets[i];
}

const struct gossip_preset *gossip_preset_find(const char *name)
{
	for (int i = 0; i < gossip_preset_count(); i++)
		if (strcmp(name, presets[i].name) == 0)
			return &presets[i];
	return NULL;
}

/* ceil(log10(N + 1)) is the number of decimal digits of N, in integers. */
static int64_t digits(int64_t nodes)
{
	int64_t d = 0;

	for (int64_t n = nodes; n > 0; n /= 10)
		d++;
	return d;
}

int64_t gossip_preset_transmit_limit(const struct gossip_preset *s, int64_t nodes)
{
	return s->retransmit_mult * digits(nodes);
}

int64_t gossip_preset_retransmit_mult(const struct gossip_preset *s, int64_t nodes, int64_t limit)
{
	int64_t d = digits(nodes);

	if (s->retransmit_mult <= 0 || d <= 0)
		return 0;
	return limit <= d ? 1 : (limit - 1) / d + 1;
}
