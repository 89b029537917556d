/* SPDX-License-Identifier: MIT */
/*
 * rng.h — the simulators' random numbers: xoshiro256** with explicit state.
 *
 * A simulation is a pure function of its parameters and a 64-bit seed: trial t
 * draws from the stream rng_stream(seed, t), so the result does not depend on
 * how trials are spread over threads or requests.  Streams for different
 * (seed, index) pairs start at unrelated points of the generator's 2^256 - 1
 * period; nothing here allocates or touches global state.
 */
#ifndef FANOUT_RNG_H
#define FANOUT_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds *r with the stream of trial `index` under `seed`. */
void rng_stream(struct rng *r, uint64_t seed, uint64_t index);

/* SplitMix64's finaliser: a bijective 64-bit mix, also used to make seeds. */
uint64_t rng_mix64(uint64_t x);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 uniform bits. */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return out;
}

/*
 * Uniform integer in [0, n), n >= 1, without bias: Lemire's multiply-shift
 * with rejection of the few products that would favour some values.
 */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t threshold = (UINT64_MAX - n + 1) % n; /* 2^64 mod n */
		while (low < threshold) {
			m = (unsigned __int128)rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Uniform double in [0, 1) on the 2^-53 grid. */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* 1 with probability p, else 0; p <= 0 never, p >= 1 always. */
static inline int rng_bernoulli(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

#endif
