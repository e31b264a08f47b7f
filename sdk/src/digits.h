/* Decimal digits of unsigned integers for the SDK's number conversions
 * (text.c, double_format.c), 8 at a time in the lanes of one register.
 * Out: the digit count, then words of 8 characters stored whole (pairs from
 * a table for a few leading digits).  In: 8 bytes checked and converted per
 * step, the last 4-8 as one overlapping window. */
#ifndef BH_SDK_DIGITS_H
#define BH_SDK_DIGITS_H

#include <stdint.h>
#include <string.h>

static const uint64_t digits_pow10[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
	UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000),
	UINT64_C(10000000000000), UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
	UINT64_C(10000000000000000000),
};

/* "00" "01" ... "99". */
static const char digits_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				      "8081828384858687888990919293949596979899";

/* How many decimal digits d has (1 for 0): the bit length times log10(2)
 * (1233 / 4096) is that count or one less, one comparison tells. */
static inline int digits_count(uint64_t d)
{
	uint64_t x = d | 1; /* the same count (10^t is even for t > 0), and 0 has one */
	int t = ((64 - __builtin_clzll(x)) * 1233) >> 12;
	return t + (x >= digits_pow10[t]);
}

/* Writes the nd = digits_count(d) digits of d to dst[0..nd). */
static inline void digits_put(uint64_t d, int nd, char *dst)
{
	char *p = dst + nd;
	while (d >= 100) {
		unsigned r = (unsigned)(d % 100);
		d /= 100;
		p -= 2;
		memcpy(p, digits_pairs + 2 * r, 2);
	}
	if (d >= 10)
		memcpy(p - 2, digits_pairs + 2 * d, 2);
	else
		p[-1] = (char)('0' + d);
}

/* The 8 digits of v < 10^8, each 0-9 in a byte of a word, the first digit
 * in the lowest byte, by division in the lanes of one register: two 4-digit
 * halves in 32-bit lanes, then four 2-digit quarters in 16-bit lanes, then
 * eight digits in bytes.  x / 100 = (x * 5243) >> 19 for x < 10^4 and
 * x / 10 = (x * 103) >> 10 for x < 100; no lane overflows into the next.
 * Each step puts the quotient q of a lane's x by m in its low half and the
 * remainder in its high half at once: (x << s) - q * ((m << s) - 1) is
 * ((x - q * m) << s) + q, one multiply-subtract instead of a multiply, a
 * subtract, a shift and an or. */
static inline uint64_t digits_eight_raw(uint32_t v)
{
	uint64_t hi = v / 10000, y, q;
	uint64_t m1 = (UINT64_C(10000) << 32) - 1, m2 = (100 << 16) - 1, m3 = (10 << 8) - 1;
#if defined(__GNUC__)
	/* Opaque, or GCC splits the multiplies back into shifts and adds. */
	__asm__("" : "+r"(m1), "+r"(m2), "+r"(m3));
#endif
	y = ((uint64_t)v << 32) - hi * m1;
	q = ((y * 5243) >> 19) & UINT64_C(0x0000007f0000007f);
	y = (y << 16) - q * m2;
	q = ((y * 103) >> 10) & UINT64_C(0x000f000f000f000f);
	return (y << 8) - q * m3;
}

/* digits_eight_raw of a and of b at once: *wa and *wb.  With SSE2 the same
 * three steps run on both in the two 64-bit lanes of one register (the
 * 16-bit quotients by pmulhuw: x / 100 = ((x * 5243) >> 16) >> 3 for
 * x < 10^4, x / 10 = (x * 6554) >> 16 for x < 100), about half the
 * instructions of two scalar conversions. */
#if defined(__SSE2__)
#include <emmintrin.h>
static inline void digits_eight_raw2(uint32_t a, uint32_t b, uint64_t *wa, uint64_t *wb)
{
	__m128i x = _mm_set_epi64x((long long)b, (long long)a), hi, q, r;
	__m128i m100 = _mm_set1_epi16(100), m10 = _mm_set1_epi16((10 << 8) - 1);
	/* Opaque to the compiler, which would otherwise turn each multiply
	 * into a chain of shifts and adds. */
	__asm__("" : "+x"(m100), "+x"(m10));
	/* 4-digit halves in 32-bit lanes, the first half low */
	hi = _mm_srli_epi64(_mm_mul_epu32(x, _mm_set1_epi32((int)0xd1b71759)), 45);
	r = _mm_sub_epi32(x, _mm_mul_epu32(hi, _mm_set1_epi32(10000)));
	x = _mm_or_si128(hi, _mm_slli_epi64(r, 32));
	/* 2-digit quarters in 16-bit lanes */
	q = _mm_srli_epi16(_mm_mulhi_epu16(x, _mm_set1_epi16(5243)), 3);
	r = _mm_sub_epi16(x, _mm_mullo_epi16(q, m100));
	x = _mm_or_si128(q, _mm_slli_epi32(r, 16));
	/* digits in bytes */
	q = _mm_mulhi_epu16(x, _mm_set1_epi16(6554));
	x = _mm_sub_epi16(_mm_slli_epi16(x, 8), _mm_mullo_epi16(q, m10)); /* as above */
	*wa = (uint64_t)_mm_cvtsi128_si64(x);
	*wb = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
}
#else
static inline void digits_eight_raw2(uint32_t a, uint32_t b, uint64_t *wa, uint64_t *wb)
{
	*wa = digits_eight_raw(a);
	*wb = digits_eight_raw(b);
}
#endif

/* The same as text in a little-endian word ('0' added to each byte). */
static inline uint64_t digits_eight(uint32_t v)
{
	return digits_eight_raw(v) | UINT64_C(0x3030303030303030);
}

/* Stores 8 characters held first-in-the-lowest-byte. */
static inline void digits_store8(char *p, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(p, &w, 8);
}

/* Writes v < 10^8 without leading zeros as one 8-byte store at dst and
 * returns its digit count.  The leading zeros are the word's low zero bytes
 * (digits_eight_raw), counted after the digits are made: the last digit is
 * always kept, for 0. */
static inline size_t digits_put_eight_trimmed(uint32_t v, char *dst)
{
	uint64_t w = digits_eight_raw(v);
	unsigned zeros = (unsigned)__builtin_ctzll(w | UINT64_C(1) << 56) & ~7u;
	digits_store8(dst, (w | UINT64_C(0x3030303030303030)) >> zeros);
	return 8 - zeros / 8;
}

/* The 8 (4) bytes at p, the first in the lowest byte. */
static inline uint64_t digits_load8(const char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static inline uint32_t digits_load4(const char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap32(w);
#endif
	return w;
}

/* If the 8 bytes of w (first in the lowest byte) are all ASCII digits, sets
 * *value to their number and returns 1.  A byte is a digit when its high
 * nibble is 3 and adding 6 keeps it so (no carry crosses bytes once the first
 * test passed).  Then pairs, quads and the whole are formed by multiply-add
 * in 8-, 16- and 32-bit lanes; the first digit weighs most. */
static inline int digits_value8(uint64_t w, uint64_t *value)
{
	const uint64_t high = UINT64_C(0xf0f0f0f0f0f0f0f0), zeros = UINT64_C(0x3030303030303030);
	if ((w & high) != zeros || ((w + UINT64_C(0x0606060606060606)) & high) != zeros)
		return 0;
	w -= zeros;
	w = (w * 10 + (w >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
	w = (w * 100 + (w >> 16)) & UINT64_C(0x0000ffff0000ffff);
	*value = (w * 10000 + (w >> 32)) & 0xffffffff;
	return 1;
}

/* The same for the n bytes at p, 4 <= n <= 8, without reading past them:
 * the first and the last four bytes, overlapping when n < 8, become one word
 * with the first ones moved down over the overlap and '0's in front. */
static inline int digits_value_4_to_8(const char *p, size_t n, uint64_t *value)
{
	unsigned pad = 8 * (unsigned)(8 - n);
	uint64_t first = digits_load4(p), last = digits_load4(p + n - 4);
	uint64_t w = last << 32 | ((first << pad) & 0xffffffff) |
		     (UINT64_C(0x30303030) & ((UINT64_C(1) << pad) - 1));
	return digits_value8(w, value);
}

#endif
