/* Locale-independent conversion between numbers and text (bulkhead/text.h;
 * doubles are formatted in double_format.c, timestamps in timestamp.c).
 *
 * Integers are parsed exactly with overflow detection.  Doubles are parsed
 * with Clinger's fast path, then with a 128-bit power of ten (the
 * Eisel-Lemire method, decided by an interval), otherwise by strtod on a
 * normalized, radix-free copy.  Nothing here allocates or depends on the
 * process locale. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/text.h>

#include "digits.h"
#include "pow10_table.h"

/* ---- integers ------------------------------------------------------------ */

int bh_parse_long(const char *s, size_t n, int64_t *out)
{
	const char *p = s, *end = s + n;
	uint64_t v = 0, chunk;
	size_t left;
	int neg = 0;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end)
		return -EINVAL;
	/* 19 digits always fit in 64 bits, so the range is tested once at the
	 * end.  Leading zeros do not count; longer text is all digits and out
	 * of range, or a syntax error. */
	if (end - p > 19) {
		while (end - p > 19 && *p == '0')
			p++;
		if (end - p > 19) {
			for (; p < end; p++)
				if ((unsigned)((unsigned char)*p - '0') > 9)
					return -EINVAL;
			return -ERANGE;
		}
	}
	/* Eight digits at a time, then the last 4-8 in one go (or 1-3 singly). */
	while (end - p > 8) {
		if (!digits_value8(digits_load8(p), &chunk))
			return -EINVAL;
		v = v * 100000000 + chunk;
		p += 8;
	}
	left = (size_t)(end - p);
	if (left >= 4) {
		if (!digits_value_4_to_8(p, left, &chunk))
			return -EINVAL;
		v = v * digits_pow10[left] + chunk;
	} else {
		for (; p < end; p++) {
			unsigned d = (unsigned char)*p - '0';
			if (d > 9)
				return -EINVAL;
			v = v * 10 + d;
		}
	}
	if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* Digits in 8-digit words (digits_eight), the first one shifted past its
 * leading zeros: each word is stored whole, so bytes past the returned
 * length may be written, within BH_LONG_MAX_CHARS.  (No digit count first:
 * ~25% less time for 6-7 digits, bench/numbers.) */
size_t bh_format_long(int64_t v, char *buf)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, high;
	size_t len = v < 0;
	int nd;
	buf[0] = '-'; /* overwritten by the first digit when v >= 0 */
	if (u < 100000000)
		return len + digits_put_eight_trimmed((uint32_t)u, buf + len);
	high = u / 100000000;
	if (high >= 100000000) { /* 17 to 19 digits: the first 1-3 by pairs */
		nd = digits_count(high / 100000000);
		digits_put(high / 100000000, nd, buf + len);
		len += (size_t)nd;
		digits_store8(buf + len, digits_eight((uint32_t)(high % 100000000)));
		len += 8;
	} else {
		len += digits_put_eight_trimmed((uint32_t)high, buf + len);
	}
	digits_store8(buf + len, digits_eight((uint32_t)(u % 100000000)));
	return len + 8;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive comparison of s[0..n) with a lowercase word. */
static int word_is(const char *s, size_t n, const char *word)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (word[i] == '\0' || lower((unsigned char)s[i]) != word[i])
			return 0;
	return word[i] == '\0';
}

int bh_parse_boolean(const char *s, size_t n, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "t", "y" };
	static const char *const no[] = { "false", "no", "off", "0", "f", "n" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (word_is(s, n, yes[i])) {
			*out = 1;
			return 0;
		}
		if (word_is(s, n, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- parsing doubles ----------------------------------------------------- */

static const double exact_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Significant digits kept for strtod: any double is decided by its first 768
 * significant digits plus whether anything nonzero follows (a sticky digit). */
#define DOUBLE_KEEP_DIGITS 780

/* The common case in one pass: at most 19 digits and a small exponent, so
 * Clinger's single correctly rounded operation applies.  Returns 1 when it
 * set *out, 0 to leave the text to the general parser (which also reports
 * every syntax error). */
static int parse_double_fast(const char *p, const char *end, double *out)
{
#if FLT_EVAL_METHOD == 0
	uint64_t m = 0;
	int neg = 0, nd = 0, frac = 0, e = 0;
	double v;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end && (unsigned)(*p - '0') <= 9; p++, nd++)
		m = m * 10 + (unsigned)(*p - '0');
	if (p < end && *p == '.') {
		for (p++; p < end && (unsigned)(*p - '0') <= 9; p++, frac++)
			m = m * 10 + (unsigned)(*p - '0');
		nd += frac;
	}
	if (nd == 0 || nd > 19)
		return 0;
	if (p < end) {
		int eneg = 0, ed = 0;
		if (*p != 'e' && *p != 'E')
			return 0;
		if (++p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		for (; p < end && (unsigned)(*p - '0') <= 9 && ed < 4; p++, ed++)
			e = e * 10 + (*p - '0');
		if (ed == 0 || p != end)
			return 0;
		if (eneg)
			e = -e;
	}
	e -= frac;
	if (m > (UINT64_C(1) << 53) || e < -22 || e > 22)
		return 0;
	v = (double)m;
	v = e < 0 ? v / exact_pow10[-e] : v * exact_pow10[e];
	*out = neg ? -v : v;
	return 1;
#else
	return 0;
#endif
}

#if defined(__SIZEOF_INT128__)
/* floor(log2(10^q)): q log2(10) with log2(10) as 217706 / 2^16, exact for
 * |q| <= 400 (checked against exact powers when this was written). */
static int floor_log2_pow10(int q)
{
	return (q * 217706) >> 16;
}

/* A 192-bit number x2:x1:x0 (x2 >= 2^61) times 2^e0, rounded to the nearest
 * double (ties to even): its bits, or 0 when it is subnormal or overflows
 * (never a valid result here: the value is not zero). */
static uint64_t round_192(uint64_t x2, uint64_t x1, uint64_t x0, int e0)
{
	int s = __builtin_clzll(x2), e2 = 191 - s + e0; /* the exponent of the leading bit */
	uint64_t top, rest, mant;
	if (s) { /* the leading bit to bit 63 of top */
		top = x2 << s | x1 >> (64 - s);
		rest = x1 << s | x0;
	} else {
		top = x2;
		rest = x1 | x0;
	}
	if (e2 > 1023 || e2 < -1022)
		return 0;
	mant = top >> 11; /* 53 bits */
	if ((top >> 10 & 1) && ((top & 0x3ff) || rest || (mant & 1))) {
		mant++;
		if (mant >> 53) {
			mant >>= 1;
			if (++e2 > 1023)
				return 0;
		}
	}
	return (uint64_t)(e2 + 1023) << 52 | (mant & ((UINT64_C(1) << 52) - 1));
}

/* w * 10^q correctly rounded, for w > 0 and POW10_F_MIN <= q <= 308: 1 with
 * *out set, or 0 to leave it to strtod.  The table holds g, 10^q scaled to
 * [2^127, 2^128) and rounded up, so the product lies in (w (g - 1), w g]
 * (both ends exact integers, times a power of two); when both ends round to
 * the same double, so does every value between them. */
static int parse_double_eisel_lemire(uint64_t w, int q, double *out)
{
	const uint64_t *g = pow10_table[q - POW10_F_MIN];
	int lz = __builtin_clzll(w);
	unsigned __int128 high, low;
	uint64_t p0, p1, p2, l0, l1, l2, mid, borrow, bits;
	w <<= lz;
	high = (unsigned __int128)w * g[0];
	low = (unsigned __int128)w * g[1];
	p0 = (uint64_t)low;
	mid = (uint64_t)(low >> 64);
	p1 = (uint64_t)high + mid;
	p2 = (uint64_t)(high >> 64) + (p1 < mid);
	/* the lower end: w (g - 1) = p - w */
	l0 = p0 - w;
	borrow = p0 < w;
	l1 = p1 - borrow;
	l2 = p2 - (p1 < borrow);
	bits = round_192(p2, p1, p0, floor_log2_pow10(q) - 127 - lz);
	if (bits == 0 || bits != round_192(l2, l1, l0, floor_log2_pow10(q) - 127 - lz))
		return 0;
	memcpy(out, &bits, sizeof bits);
	return 1;
}
#endif

int bh_parse_double(const char *s, size_t n, double *out)
{
	const char *p = s, *end = s + n;
	char norm[DOUBLE_KEEP_DIGITS + 40];
	size_t kept = 0, ndigits = 0, sig = 0;
	int neg = 0, sticky = 0, seen_point = 0, any = 0;
	int64_t adjust = 0, exp10 = 0;
	uint64_t mant = 0;
	double v;
	char *q;

	if (parse_double_fast(p, end, out))
		return 0;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p < end && !((*p >= '0' && *p <= '9') || *p == '.')) {
		if (word_is(p, (size_t)(end - p), "nan")) {
			*out = NAN;
			return 0;
		}
		if (word_is(p, (size_t)(end - p), "inf") || word_is(p, (size_t)(end - p), "infinity")) {
			*out = neg ? -INFINITY : INFINITY;
			return 0;
		}
		return -EINVAL;
	}
	for (; p < end; p++) {
		unsigned d = (unsigned char)*p - '0';
		if (d > 9) {
			if (*p == '.' && !seen_point) {
				seen_point = 1;
				continue;
			}
			break;
		}
		any = 1;
		if (d == 0 && sig == 0) { /* a leading zero */
			if (seen_point)
				adjust--;
			continue;
		}
		sig++;
		if (ndigits < 19)
			mant = mant * 10 + d;
		ndigits++;
		if (kept < DOUBLE_KEEP_DIGITS) {
			norm[kept++] = (char)('0' + d);
			if (seen_point)
				adjust--;
		} else {
			sticky |= d != 0;
			if (!seen_point)
				adjust++;
		}
	}
	if (!any)
		return -EINVAL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, edigits = 0;
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edigits++)
			if (exp10 < 100000000)
				exp10 = exp10 * 10 + (*p - '0');
		if (!edigits)
			return -EINVAL;
		if (eneg)
			exp10 = -exp10;
	}
	if (p != end)
		return -EINVAL;
	if (sig == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	exp10 += adjust;

	/* Clinger: an exactly representable mantissa times an exact power of ten
	 * is one correctly rounded operation (needs strict double evaluation). */
#if FLT_EVAL_METHOD == 0
	if (ndigits <= 19 && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22 + 15) {
		v = (double)mant;
		if (exp10 < 0) {
			*out = neg ? -(v / exact_pow10[-exp10]) : v / exact_pow10[-exp10];
			return 0;
		}
		if (exp10 > 22) { /* move the excess into the mantissa if it stays exact */
			double scaled = v * exact_pow10[exp10 - 22];
			if (scaled > 9007199254740992.0)
				goto slow;
			v = scaled;
			exp10 = 22;
		}
		v *= exact_pow10[exp10];
		*out = neg ? -v : v;
		return 0;
	}
slow:
#endif
#if defined(__SIZEOF_INT128__)
	if (ndigits <= 19 && exp10 >= POW10_F_MIN && exp10 <= 308 &&
	    parse_double_eisel_lemire(mant, (int)exp10, &v)) {
		*out = neg ? -v : v;
		return 0;
	}
#endif
	/* The normalized text has digits and an exponent but no radix
	 * character, so strtod reads it the same way in every locale. */
	if (sticky) {
		norm[kept++] = '1';
		exp10--;
	}
	if (exp10 > 1000000)
		exp10 = 1000000;
	if (exp10 < -1000000)
		exp10 = -1000000;
	q = norm + kept;
	*q++ = 'e';
	q += bh_format_long(exp10, q);
	*q = '\0';
	errno = 0;
	v = strtod(norm, NULL);
	if (isinf(v))
		return -ERANGE;
	*out = neg ? -v : v;
	return 0;
}
