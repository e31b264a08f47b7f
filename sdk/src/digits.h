/* Decimal digits of unsigned integers, for the SDK's number formatting
 * (text.c, double_format.c): the digit count first, then two digits per step
 * from a table, written straight into place. */
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

#endif
