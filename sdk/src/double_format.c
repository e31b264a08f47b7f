/* bh_format_double: the shortest decimal that reads back as the same double
 * (bulkhead/text.h).
 *
 * The digits come from the Schubfach method (R. Giulietti, "The Schubfach
 * way to render doubles", 2020): for v = c * 2^q, a power of ten 10^k is
 * chosen so that v's rounding interval, scaled by 10^-k, is between 1 and 10
 * units wide.  Then the shortest decimal in the interval is either a multiple
 * of 10 units (there is at most one inside) or one of the two integers around
 * v * 10^-k, the nearer one.  The scaling is one 64 x 128-bit multiplication
 * per bound with a table of 128-bit powers of ten (pow10_table.h); the
 * table's generator proves that the products decide every comparison exactly
 * for every double (see gen_pow10_table.py).  No libm, no division by a
 * variable, no loop over digits before the output. */
#include <stdint.h>
#include <string.h>

#include <bulkhead/text.h>

#include "digits.h"
#include "pow10_table.h"

/* The high 64 bits of a * b, and the low ones in *low. */
static inline uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *low)
{
#if defined(__SIZEOF_INT128__)
	unsigned __int128 p = (unsigned __int128)a * b;
	*low = (uint64_t)p;
	return (uint64_t)(p >> 64);
#else
	uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
	*low = (mid << 32) | (uint32_t)ll;
	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* x * 10^f rounded to odd, where cp = x << h and g = pow10_table's entry for f:
 * the integer part of the exact product, with its lowest bit set when the
 * product is not an integer.  Rounding to odd keeps every comparison with an
 * even integer exact, which is all the caller needs.  P = cp * g exceeds the
 * exact product by less than cp (in units of 2^-128), so the product is an
 * integer exactly when P's low 128 bits are below cp. */
static inline uint64_t round_to_odd(const uint64_t g[2], uint64_t cp)
{
	uint64_t a_low, a_high = mul_64x64(cp, g[1], &a_low);
	uint64_t b_low, b_high = mul_64x64(cp, g[0], &b_low);
	uint64_t mid = b_low + a_high;
	uint64_t high = b_high + (mid < b_low);
	return high | (mid != 0 || a_low >= cp);
}

/* floor(log10(2^q)), floor(log10(3/4 * 2^q)) and floor(log2(10^f)) as
 * multiply-shifts; gen_pow10_table.py checks them for |q|, |f| far beyond
 * the exponents of doubles. */
static inline int floor_log10_pow2(int q)
{
	return (q * 78913) >> 18;
}

static inline int floor_log10_three_quarters_pow2(int q)
{
	return (q * 315653 - 131072) >> 20;
}

static inline int floor_log2_pow10(int f)
{
	return (f * 1741647) >> 19;
}

/* The shortest decimal in the rounding interval of c * 2^q (c > 0), the
 * nearest to it when there are several (ties to an even digit): returns its
 * significand and sets *exp10, possibly with trailing zeros. */
static uint64_t shortest(uint64_t c, int q, int *exp10)
{
	/* The interval is [v - half the gap below, v + half the gap above],
	 * bounds included when c is even (round-half-even reads them back as v).
	 * The gap below is half as wide at a power of two, except at the bottom
	 * of the normal range. */
	int irregular = c == (UINT64_C(1) << 52) && q > -1074;
	uint64_t out = c & 1; /* 1: bounds excluded */
	uint64_t cb = c << 2, cbl = cb - 2 + (uint64_t)irregular, cbr = cb + 2;
	int k = irregular ? floor_log10_three_quarters_pow2(q) : floor_log10_pow2(q);
	int h = q + floor_log2_pow10(-k) + 1; /* 0..4 */
	const uint64_t *g = pow10_table[-k - POW10_F_MIN];
	/* 4 * (v and its bounds) * 10^-k, rounded to odd. */
	uint64_t vb = round_to_odd(g, cb << h);
	uint64_t vbl = round_to_odd(g, cbl << h) + out;
	uint64_t vbr = round_to_odd(g, cbr << h) - out;
	uint64_t s = vb >> 2, t;
	int u_in, w_in;

	/* The interval is narrower than 10 units: at most one multiple of 10 in
	 * it.  If there is one, it is shorter than anything else inside. */
	if (s >= 10) {
		uint64_t sp = s / 10;
		u_in = vbl <= 40 * sp;
		w_in = 40 * sp + 40 <= vbr;
		if (u_in != w_in) {
			*exp10 = k + 1;
			return sp + (uint64_t)w_in;
		}
	}
	/* Otherwise s or s + 1 (at least one is inside: the interval is at least
	 * one unit wide), the nearer to v when both are. */
	t = s + 1;
	u_in = vbl <= 4 * s;
	w_in = 4 * t <= vbr;
	*exp10 = k;
	if (u_in != w_in)
		return u_in ? s : t;
	return vb < 4 * s + 2 || (vb == 4 * s + 2 && (s & 1) == 0) ? s : t;
}

/* 5^0 .. 5^22 (5^22 < 2^52). */
static const uint64_t pow5[23] = {
	UINT64_C(1), UINT64_C(5), UINT64_C(25), UINT64_C(125), UINT64_C(625), UINT64_C(3125),
	UINT64_C(15625), UINT64_C(78125), UINT64_C(390625), UINT64_C(1953125), UINT64_C(9765625),
	UINT64_C(48828125), UINT64_C(244140625), UINT64_C(1220703125), UINT64_C(6103515625),
	UINT64_C(30517578125), UINT64_C(152587890625), UINT64_C(762939453125),
	UINT64_C(3814697265625), UINT64_C(19073486328125), UINT64_C(95367431640625),
	UINT64_C(476837158203125), UINT64_C(2384185791015625),
};

/* The common values (money, measurements: a decimal with up to 15
 * significant digits, about 1e-8 <= v < 1e15) without shortest().
 * v = c * 2^q (c >= 2^52, normal) times 10^k is c * 5^k * 2^(q + k), the
 * exact 128-bit product P = c * 5^k shifted right by sh = -(q + k); k is
 * chosen so that v * 10^k lies in [10^14, 2 * 10^15), which makes sh 2..58.
 * d, that rounded to the nearest integer, is at distance dist / 2^sh from
 * it (dist: the bits shifted out, or what they lack to 2^sh).  v's rounding
 * interval scaled the same way has half-width 5^k / 2^(sh + 1), so
 * d * 10^-k reads back as v exactly when 2 * dist < 5^k (5^k is odd: never
 * equal, so whether bounds are included does not matter; powers of two,
 * whose gap below is half as wide, are left to shortest()).  The interval
 * is narrower than one unit of d (v * 10^k < 2^52), so no other multiple of
 * 10^-k lies in it, and a decimal with fewer digits would be one: d, less
 * its trailing zeros, is the only shortest decimal, which is what
 * shortest() finds too.  Returns 1 and sets *digits to d (15 or 16 digits,
 * trailing zeros included) and *k (v = *digits * 10^-*k).  Other values
 * (16-17 digits, tiny, huge, subnormal) return 0. */
static inline int short_decimal(uint64_t c, int q, int kmax, uint64_t *digits, int *kp)
{
	int k = 14 - floor_log10_pow2(q + 52); /* 10^14 <= v * 10^k < 2 * 10^15 */
	if ((unsigned)k > (unsigned)kmax || c <= (UINT64_C(1) << 52))
		return 0;
	/* P = c * 5^k computed shifted left by 64 - sh (5^k < 2^(sh - 1), as
	 * v * 10^k < 2^51 and c > 2^52: m fits), so that the high word is P >> sh
	 * and the low word the bits shifted out, at the top: dist and the
	 * bound both scaled by 2^(64 - sh), the bound m / 2.  One variable
	 * shift. */
	uint64_t m = pow5[k] << (64 + q + k), low, high = mul_64x64(c, m, &low);
	uint64_t up = low >> 63, dist = up ? 0 - low : low;
	if (dist >= m >> 1)
		return 0;
	*digits = high + up;
	*kp = k;
	return 1;
}

#define ZEROS UINT64_C(0x3030303030303030) /* "00000000" */

/* Writes a short decimal d * 10^-k with 0 <= k <= 16 (0.01 <= v < 2 * 10^15)
 * as INTEGER.FRACTION, given its integer part ip (v truncated), and returns
 * the length.  ip's digits come as they are; the fraction, d - ip * 10^k
 * (below 10^k: d rounds v * 10^k, and ip + 1 is a double other than v, so
 * it is not d * 10^-k), is scaled to 16 digits after the point and written
 * as two 8-digit words, the second only when it is not all zeros (never
 * for fractions of up to 8 digits).  The fraction's length is 16 less its
 * trailing zeros, which are the last word's high zero bytes; an all-zero
 * fraction keeps one "0".  No point to find, no digits to move.  Writes at
 * most 26 bytes: 16 integer digits come with k <= 7 (one fraction word). */
static inline size_t short_text(uint64_t d, int k, uint64_t ip, char *p, char *start)
{
	uint64_t f = (d - ip * digits_pow10[k]) * digits_pow10[16 - k];
	uint64_t fh = f / 100000000, fl = f - fh * 100000000, raw, w;
	unsigned zeros;
	size_t n = 0;
	if (ip >= 100000000) { /* 9 to 16 digits: the first 1-8, then 8 */
		uint64_t ih = ip / 100000000;
		digits_eight_raw2((uint32_t)ih, (uint32_t)(ip - ih * 100000000), &w, &raw);
		zeros = (unsigned)__builtin_ctzll(w | UINT64_C(1) << 56) & ~7u;
		digits_store8(p, (w | ZEROS) >> zeros);
		n = 8 - zeros / 8;
		digits_store8(p + n, raw | ZEROS);
		n += 8;
		raw = digits_eight_raw((uint32_t)fh);
	} else { /* the integer's and the fraction's first 8 digits at once */
		digits_eight_raw2((uint32_t)ip, (uint32_t)fh, &w, &raw);
		zeros = (unsigned)__builtin_ctzll(w | UINT64_C(1) << 56) & ~7u;
		digits_store8(p, (w | ZEROS) >> zeros);
		n = 8 - zeros / 8;
	}
	p[n] = '.';
	digits_store8(p + n + 1, raw | ZEROS);
	p += n;
	/* the digits up to the highest nonzero byte (63 - clz: one bsr) */
	if (fl == 0)
		return (size_t)(p - start) + 2 + (size_t)((63 - __builtin_clzll(raw | 1)) >> 3);
	raw = digits_eight_raw((uint32_t)fl);
	digits_store8(p + 9, raw | ZEROS);
	return (size_t)(p - start) + 10 + (size_t)((63 - __builtin_clzll(raw)) >> 3);
}

/* Writes the text of v for bh_format_double, which handles the short
 * decimals of 0.01 or more itself.  All digits are made at once: the
 * significand is scaled to exactly 17 digits (trailing zeros are cheaper
 * to count in the text than to divide away) and turned into a first digit
 * and two 8-digit words, which are stored whole at their place in each
 * layout.  So bytes past the returned length may be written: at most 24 in
 * all, within BH_DOUBLE_MAX_CHARS. */
static __attribute__((noinline)) size_t format_other(double v, char *buf)
{
	uint64_t bits, c, d, high, w1, w2, x;
	size_t len = 0;
	int q, e10, nd, point, k, small;
	char first;

	memcpy(&bits, &v, sizeof(bits));
	c = bits & ((UINT64_C(1) << 52) - 1);
	q = (int)(bits >> 52) & 0x7ff;
	if (q == 0x7ff) {
		if (c) {
			memcpy(buf, "NaN", 3);
			return 3;
		}
		if (bits >> 63)
			buf[len++] = '-';
		memcpy(buf + len, "Infinity", 8);
		return len + 8;
	}
	if (bits >> 63)
		buf[len++] = '-';
	if (q == 0) {
		if (c == 0) {
			memcpy(buf + len, "0.0", 3);
			return len + 3;
		}
		q = -1074; /* subnormal */
	} else {
		c |= UINT64_C(1) << 52;
		q -= 1075;
	}
	/* Scaled to exactly 17 digits (v = d * 10^e10): short decimals have
	 * 15 or 16; normal doubles give 15 to 17, so two steps without
	 * branches; subnormals may need more. */
	if (short_decimal(c, q, 22, &d, &k)) {
		small = d < UINT64_C(1000000000000000);
		d *= small ? 100 : 10;
		e10 = -k - (small ? 2 : 1);
	} else {
		d = shortest(c, q, &e10);
		for (int i = 0; i < 2; i++) {
			small = d < UINT64_C(10000000000000000);
			d = small ? d * 10 : d;
			e10 -= small;
		}
		if (d < UINT64_C(10000000000000000)) {
			nd = digits_count(d);
			d *= digits_pow10[17 - nd];
			e10 -= 17 - nd;
		}
	}
	point = 17 + e10; /* v = 0.DIGITS * 10^point */

	high = d / 100000000;
	first = (char)('0' + high / 100000000);
	w1 = digits_eight((uint32_t)(high % 100000000));
	x = d % 100000000;
	w2 = x ? digits_eight((uint32_t)x) : ZEROS; /* short decimals: no work */
	/* Significant digits: 17 less the trailing '0' bytes (the last digit
	 * is the word's highest byte). */
	if ((x = w2 ^ ZEROS) != 0)
		nd = 17 - (__builtin_clzll(x) >> 3);
	else if ((x = w1 ^ ZEROS) != 0)
		nd = 9 - (__builtin_clzll(x) >> 3);
	else
		nd = 1;

	/* Python's repr layout: positional for 1e-4 <= |v| < 1e16. */
	if (point > -4 && point <= 16) {
		if (point <= 0) { /* 0.000DIGITS */
			memcpy(buf + len, "0.000000", 8);
			len += (size_t)(2 - point);
			buf[len] = first;
			digits_store8(buf + len + 1, w1);
			digits_store8(buf + len + 9, w2);
			return len + (size_t)nd;
		}
		if (point >= nd) { /* DIGITS000.0: the zeros are in the words */
			buf[len] = first;
			digits_store8(buf + len + 1, w1);
			digits_store8(buf + len + 9, w2);
			len += (size_t)point;
			memcpy(buf + len, ".0", 2);
			return len + 2;
		}
		/* DIG.ITS, 0 < point < nd: the digits are stored one byte right,
		 * which puts the fraction in place; then the 8-byte word that holds
		 * the point is rebuilt in a register (the integer digits below the
		 * point, the shifted fraction digits above) and stored over it,
		 * after a word of integer digits when point >= 8.  s: the digits
		 * of that word unshifted, shifted: the same place one byte right. */
		{
			uint64_t s = (uint64_t)(unsigned char)first | w1 << 8, shifted = s << 8, keep;
			size_t from = 0;
			int at = point;
			buf[len + 1] = first;
			digits_store8(buf + len + 2, w1);
			digits_store8(buf + len + 10, w2);
			if (at >= 8) {
				digits_store8(buf + len, s);
				shifted = w2 << 16 | (w1 >> 48);
				s = w1 >> 56 | w2 << 8;
				from = 8;
				at -= 8;
			}
			if (at < 8) {
				keep = (UINT64_C(1) << (8 * at)) - 1;
				s = (s & keep) | (uint64_t)'.' << (8 * at) | (shifted & ~(keep << 8 | 0xff));
				digits_store8(buf + len + from, s);
			} else { /* point 16 */
				digits_store8(buf + len + 8, s);
				buf[len + 16] = '.';
			}
		}
		return len + (size_t)nd + 1;
	}
	/* D.IGITSe+XX */
	buf[len] = first;
	buf[len + 1] = '.';
	digits_store8(buf + len + 2, w1);
	digits_store8(buf + len + 10, w2);
	len += nd > 1 ? (size_t)nd + 1 : 1;
	e10 = point - 1;
	buf[len++] = 'e';
	buf[len++] = e10 < 0 ? '-' : '+';
	if (e10 < 0)
		e10 = -e10;
	if (e10 >= 100) {
		buf[len++] = (char)('0' + e10 / 100);
		e10 %= 100;
	}
	memcpy(buf + len, digits_pairs + 2 * e10, 2);
	return len + 2;
}

/* The short decimals of 0.01 or more (short_decimal, short_text) here, in
 * few registers; every other value in format_other. */
size_t bh_format_double(double v, char *buf)
{
	uint64_t bits, c, d;
	unsigned e;
	int k;

	memcpy(&bits, &v, sizeof(bits));
	c = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
	e = (unsigned)(bits >> 52) & 0x7ff;
	if (e - 1 < 0x7fe && short_decimal(c, (int)e - 1075, 16, &d, &k)) {
		buf[0] = '-'; /* overwritten by the first digit when v >= 0 */
		return short_text(d, k, (uint64_t)(int64_t)__builtin_fabs(v), buf + (bits >> 63), buf);
	}
	return format_other(v, buf);
}
