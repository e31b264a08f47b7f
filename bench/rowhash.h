/* bench/rowhash.h: the order-independent dataset checksum shared by the
 * generator (which hashes the values it writes) and the checker (which hashes
 * the values it reads back from any output format).  Two outputs agree only
 * if they hold the same multiset of typed rows: same longs, the same double
 * bit patterns (so -0.0 differs from 0.0) and byte-identical strings. */
#ifndef BENCH_ROWHASH_H
#define BENCH_ROWHASH_H

#include <stdint.h>
#include <string.h>

/* The dataset's schema, in column order. */
#define RH_COLUMNS 5
static const char *const rh_column_names[RH_COLUMNS] = {"id", "name", "qty", "price", "note"};
enum rh_type { RH_LONG, RH_STRING, RH_DOUBLE };
static const enum rh_type rh_column_types[RH_COLUMNS] = {RH_LONG, RH_STRING, RH_LONG, RH_DOUBLE,
							  RH_STRING};

/* splitmix64's finalizer: a cheap full-avalanche mix. */
static inline uint64_t rh_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static inline uint64_t rh_long(uint64_t h, int64_t v)
{
	return rh_mix(h ^ rh_mix((uint64_t)v + 1));
}

static inline uint64_t rh_double(uint64_t h, double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof bits);
	return rh_mix(h ^ rh_mix(bits + 2));
}

/* Eight bytes at a time; the length goes in last so "ab","c" != "a","bc". */
static inline uint64_t rh_string(uint64_t h, const char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = rh_mix(h ^ w);
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = rh_mix(h ^ w ^ 0x80);
	}
	return rh_mix(h ^ rh_mix((uint64_t)n + 3));
}

/* The sum over rows plus an xor of remixed row hashes: independent of row
 * order (tasks may finish in any order), sensitive to a lost, duplicated or
 * changed row. */
struct rh_total {
	uint64_t rows;
	uint64_t sum;
	uint64_t mixed;
};

#define RH_ROW_SEED UINT64_C(0x6a09e667f3bcc909)

static inline void rh_add_row(struct rh_total *t, uint64_t row_hash)
{
	t->rows++;
	t->sum += row_hash;
	t->mixed ^= rh_mix(row_hash ^ UINT64_C(0x3c6ef372fe94f82b));
}

#endif
