/* SPDX-License-Identifier: MIT */
/*
 * rng.c — stream derivation for the xoshiro256** generator in rng.h.
 *
 * The four state words of a stream come from SplitMix64 started at a point
 * that mixes seed and index, so nearby seeds or indices give unrelated states
 * and the all-zero state (the one xoshiro cannot leave) never arises in practice;
 * it is still ruled out explicitly.
 */
#include "fanout/rng.h"

#define SPLITMIX_GAMMA 0x9E3779B97F4A7C15ULL

uint64_t rng_mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

void rng_stream(struct rng *r, uint64_t seed, uint64_t index)
{
	uint64_t z = rng_mix64(rng_mix64(seed + SPLITMIX_GAMMA) ^ index);

	for (int i = 0; i < 4; i++) {
		z += SPLITMIX_GAMMA;
		r->s[i] = rng_mix64(z);
	}
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = SPLITMIX_GAMMA;
}
