/* A small deterministic random generator (xorshift64) for tests and
 * benchmarks: the same numbers on every run and machine.  A file may define
 * XORSHIFT_SEED before including this to draw another sequence. */
#ifndef BH_TESTS_XORSHIFT_H
#define BH_TESTS_XORSHIFT_H

#include <stdint.h>

#ifndef XORSHIFT_SEED
#define XORSHIFT_SEED UINT64_C(0x9E3779B97F4A7C15)
#endif

static uint64_t rng_state = XORSHIFT_SEED;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#endif
