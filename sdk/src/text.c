/* Locale-independent conversion between numbers and text (bulkhead/text.h;
 * timestamps are in timestamp.c).
 *
 * Integers are parsed exactly with overflow detection.  Doubles are parsed
 * with Clinger's fast path, otherwise by strtod on a normalized, radix-free
 * copy, and formatted as the shortest decimal that reads back exactly: an
 * exact big-integer digit generator, with a fast path for values that have at
 * most 15 significant digits.  Nothing here allocates or depends on the
 * process locale. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/text.h>

/* ---- integers ------------------------------------------------------------ */

int bh_parse_long(const char *s, size_t n, int64_t *out)
{
	const char *p = s, *end = s + n;
	int neg = 0;
	uint64_t v = 0, limit;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end)
		return -EINVAL;
	/* Up to 18 digits can not overflow: no range test per digit then. */
	if (end - p <= 18) {
		for (; p < end; p++) {
			unsigned d = (unsigned char)*p - '0';
			if (d > 9)
				return -EINVAL;
			v = v * 10 + d;
		}
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
		return 0;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		unsigned d = (unsigned char)*p - '0';
		if (d > 9)
			return -EINVAL;
		if (v > (limit - d) / 10) {
			/* Keep checking the syntax so "123x" stays -EINVAL. */
			while (++p < end)
				if ((unsigned)((unsigned char)*p - '0') > 9)
					return -EINVAL;
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* "00" "01" ... "99": two digits per division when formatting integers. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				     "8081828384858687888990919293949596979899";

/* Writes u's decimal digits so that they end just before e; returns their start. */
static char *put_u64_backwards(uint64_t u, char *e)
{
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		e -= 2;
		memcpy(e, digit_pairs + 2 * r, 2);
	}
	if (u >= 10) {
		e -= 2;
		memcpy(e, digit_pairs + 2 * u, 2);
	} else {
		*--e = (char)('0' + u);
	}
	return e;
}

size_t bh_format_long(int64_t v, char *buf)
{
	char tmp[BH_LONG_MAX_CHARS];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char *start = put_u64_backwards(u, tmp + sizeof(tmp));
	size_t n = (size_t)(tmp + sizeof(tmp) - start), len = 0;
	if (v < 0)
		buf[len++] = '-';
	memcpy(buf + len, start, n);
	return len + n;
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

/* ---- formatting doubles: exact digit generation ---------------------------
 * Steele & White / Burger & Dybvig free-format printing: with v = r/s and
 * the rounding interval [r - mminus, r + mplus] / s (bounds included when the
 * significand is even, as round-half-even reads them back), emit digits until
 * the remainder falls inside the interval, then round the last one to the
 * nearest.  Big integers are little-endian arrays of 32-bit limbs. */

#define BIG_LIMBS 40 /* 1280 bits: 2^1077 * 10^17 and 10^341 fit */

typedef struct big {
	size_t n;
	uint32_t w[BIG_LIMBS];
} big;

static void big_set(big *b, uint64_t v)
{
	b->n = 0;
	while (v) {
		b->w[b->n++] = (uint32_t)v;
		v >>= 32;
	}
}

static void big_mul_small(big *b, uint32_t m)
{
	uint64_t carry = 0;
	for (size_t i = 0; i < b->n; i++) {
		uint64_t t = (uint64_t)b->w[i] * m + carry;
		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry)
		b->w[b->n++] = (uint32_t)carry;
}

static void big_mul_pow10(big *b, int k)
{
	for (; k >= 9; k -= 9)
		big_mul_small(b, 1000000000u);
	if (k > 0)
		big_mul_small(b, (uint32_t)exact_pow10[k]);
}

static void big_shl(big *b, int bits)
{
	size_t words = (size_t)bits / 32, i;
	int rem = bits % 32;
	if (b->n == 0)
		return;
	if (rem) {
		uint32_t carry = 0;
		for (i = 0; i < b->n; i++) {
			uint32_t w = b->w[i];
			b->w[i] = (w << rem) | carry;
			carry = w >> (32 - rem);
		}
		if (carry)
			b->w[b->n++] = carry;
	}
	if (words) {
		memmove(b->w + words, b->w, b->n * sizeof(uint32_t));
		memset(b->w, 0, words * sizeof(uint32_t));
		b->n += words;
	}
}

static int big_cmp(const big *a, const big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (size_t i = a->n; i-- > 0;)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* Compares a + b with c. */
static int big_cmp_sum(const big *a, const big *b, const big *c)
{
	big t;
	uint64_t carry = 0;
	size_t n = a->n > b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		uint64_t s = carry + (i < a->n ? a->w[i] : 0) + (i < b->n ? b->w[i] : 0);
		t.w[i] = (uint32_t)s;
		carry = s >> 32;
	}
	t.n = n;
	if (carry)
		t.w[t.n++] = (uint32_t)carry;
	return big_cmp(&t, c);
}

/* a -= b, for a >= b. */
static void big_sub(big *a, const big *b)
{
	int64_t borrow = 0;
	for (size_t i = 0; i < a->n; i++) {
		int64_t d = (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;
		borrow = d < 0;
		a->w[i] = (uint32_t)(d + (borrow ? (INT64_C(1) << 32) : 0));
	}
	while (a->n && a->w[a->n - 1] == 0)
		a->n--;
}

/* Writes the shortest digits of c * 2^q (c > 0) to digits; returns their
 * count and sets *point so that the value is 0.DIGITS * 10^point. */
static size_t shortest_exact(uint64_t c, int q, char *digits, int *point)
{
	big r, s, mplus, mminus;
	int inclusive = (c & 1) == 0;
	int boundary = c == (UINT64_C(1) << 52) && q > -1074;
	int k, cmp;
	size_t nd = 0;

	/* v = r/s, the neighbours' midpoints are (r +- m)/s. */
	big_set(&r, c);
	big_set(&s, 1);
	big_set(&mplus, 1);
	big_set(&mminus, 1);
	if (q >= 0) {
		big_shl(&r, q + 1 + boundary);
		big_shl(&s, 1 + boundary);
		big_shl(&mplus, q + boundary);
		big_shl(&mminus, q);
	} else {
		big_shl(&r, 1 + boundary);
		big_shl(&s, 1 - q + boundary);
		big_shl(&mplus, boundary);
	}
	/* k estimates ceil(log10(v)); corrected below in both directions. */
	k = (int)ceil((q + 64 - __builtin_clzll(c) - 1) * 0.30102999566398114 - 1e-9);
	if (k >= 0) {
		big_mul_pow10(&s, k);
	} else {
		big_mul_pow10(&r, -k);
		big_mul_pow10(&mplus, -k);
		big_mul_pow10(&mminus, -k);
	}
	for (;;) {
		cmp = big_cmp_sum(&r, &mplus, &s);
		if (cmp > 0 || (inclusive && cmp == 0)) {
			big_mul_small(&s, 10);
			k++;
			continue;
		}
		break;
	}
	for (;;) { /* too high by one: (r + m+) * 10 still below s */
		big t = r;
		big_mul_small(&t, 10);
		big m10 = mplus;
		big_mul_small(&m10, 10);
		cmp = big_cmp_sum(&t, &m10, &s);
		if (cmp < 0 || (!inclusive && cmp == 0)) {
			r = t;
			mplus = m10;
			big_mul_small(&mminus, 10);
			k--;
			continue;
		}
		break;
	}
	for (;;) {
		int d = 0, low, high;
		big_mul_small(&r, 10);
		big_mul_small(&mplus, 10);
		big_mul_small(&mminus, 10);
		while (big_cmp(&r, &s) >= 0) {
			big_sub(&r, &s);
			d++;
		}
		cmp = big_cmp(&r, &mminus);
		low = cmp < 0 || (inclusive && cmp == 0);
		cmp = big_cmp_sum(&r, &mplus, &s);
		high = cmp > 0 || (inclusive && cmp == 0);
		if (!low && !high) {
			digits[nd++] = (char)('0' + d);
			continue;
		}
		if (low && high) { /* both fit: the nearer one, ties to even */
			big twice = r;
			big_shl(&twice, 1);
			cmp = big_cmp(&twice, &s);
			if (cmp > 0 || (cmp == 0 && (d & 1)))
				d++;
		} else if (high) {
			d++;
		}
		digits[nd++] = (char)('0' + d);
		break;
	}
	/* A rounded-up 9 carries (it cannot in theory; kept for safety). */
	for (size_t i = nd; i-- > 0;) {
		if (digits[i] <= '9')
			break;
		digits[i] = '0';
		if (i == 0) {
			memmove(digits + 1, digits, nd);
			digits[0] = '1';
			nd++;
			k++;
		} else {
			digits[i - 1]++;
		}
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	*point = k;
	return nd;
}

#if defined(__SIZEOF_INT128__)
typedef unsigned __int128 u128;

static int bits128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64);
	return hi ? 128 - __builtin_clzll(hi) : (x ? 64 - __builtin_clzll((uint64_t)x) : 0);
}

/* The same digit generation as shortest_exact in 128-bit integers, for the
 * (common) values whose scaled numbers stay below 2^123 so that times ten
 * still fits; returns 0 when they do not. */
static size_t shortest_u128(uint64_t c, int q, char *digits, int *point)
{
	int inclusive = (c & 1) == 0;
	int boundary = c == (UINT64_C(1) << 52) && q > -1074;
	int k, low, high;
	u128 r, s, mplus, mminus, p10 = 1;
	size_t nd = 0;
	if (q >= 0 ? q + 56 > 123 : 3 - q > 123)
		return 0;
	if (q >= 0) {
		r = (u128)c << (q + 1 + boundary);
		s = (u128)2 << boundary;
		mplus = (u128)1 << (q + boundary);
		mminus = (u128)1 << q;
	} else {
		r = (u128)c << (1 + boundary);
		s = (u128)1 << (1 - q + boundary);
		mplus = (u128)1 << boundary;
		mminus = 1;
	}
	k = (int)ceil((q + 64 - __builtin_clzll(c) - 1) * 0.30102999566398114 - 1e-9);
	for (int i = 0; i < (k < 0 ? -k : k); i++) {
		p10 *= 10;
		if (bits128(p10) > 123)
			return 0;
	}
	if (k >= 0) {
		if (bits128(s) + bits128(p10) > 123)
			return 0;
		s *= p10;
	} else {
		if (bits128(r) + bits128(p10) > 122)
			return 0;
		r *= p10;
		mplus *= p10;
		mminus *= p10;
	}
	/* Fix the estimate of k (r + mplus must stay below s, or reach it only
	 * when the bound is excluded). */
	while (r + mplus > s || (inclusive && r + mplus == s)) {
		if (bits128(s) > 119)
			return 0;
		s *= 10;
		k++;
	}
	while ((r + mplus) * 10 < s || (!inclusive && (r + mplus) * 10 == s)) {
		r *= 10;
		mplus *= 10;
		mminus *= 10;
		k--;
	}
	for (;;) {
		int d = 0;
		r *= 10;
		mplus *= 10;
		mminus *= 10;
		while (r >= s) {
			r -= s;
			d++;
		}
		low = r < mminus || (inclusive && r == mminus);
		high = r + mplus > s || (inclusive && r + mplus == s);
		if (!low && !high) {
			digits[nd++] = (char)('0' + d);
			continue;
		}
		if (low && high) {
			if (r * 2 > s || (r * 2 == s && (d & 1)))
				d++;
		} else if (high) {
			d++;
		}
		digits[nd++] = (char)('0' + d);
		break;
	}
	if (digits[nd - 1] > '9') /* cannot happen (see shortest_exact); be exact anyway */
		return 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	*point = k;
	return nd;
}
#endif

/* Fast path: when some decimal of at most 15 significant digits reads back as
 * v (v > 0 finite), it is the only one of that length in v's rounding
 * interval (15-digit spacing exceeds the interval's width), so it is the
 * answer.  Candidates come from v * 10^m in double arithmetic and are
 * verified with one correctly rounded operation each. */
static size_t shortest_fast(double v, char *digits, int *point)
{
	/* floor(log10(v)) from the binary exponent, no libm: v is in
	 * [2^(e2-1), 2^e2), so this is floor(log10(v)) or one less; a low
	 * estimate shows as a scaled value >= 1e15 and is raised below. */
	uint64_t bits;
	int e2, e10;
	memcpy(&bits, &v, sizeof(bits));
	if ((bits >> 52) == 0)
		return 0; /* subnormal: far outside the 10^+-22 range anyway */
	e2 = (int)(bits >> 52) - 1022;      /* v in [2^(e2-1), 2^e2) */
	e10 = ((e2 - 1) * 78913) >> 18; /* 78913 / 2^18 ~ log10(2): floor for |e2| < 2^11 */
	for (int attempt = 0; attempt < 3; attempt++) {
		int m = 14 - e10;
		double scaled, base;
		if (m < -22 || m > 22)
			return 0;
		scaled = m >= 0 ? v * exact_pow10[m] : v / exact_pow10[-m];
		if (scaled >= 1e15) {
			e10++;
			continue;
		}
		/* Round to nearest (even) without libm: exact for 0 <= scaled < 2^52. */
		base = (scaled + 4503599627370496.0) - 4503599627370496.0;
		if (base >= 1e15) {
			e10++;
			continue;
		}
		for (int k = 0; k < 3; k++) { /* the nearest first: usually the one */
			double cand = base + (k == 0 ? 0 : k == 1 ? -1 : 1);
			uint64_t u;
			size_t nd;
			char tmp[20], *start;
			if (cand <= 0 || cand >= 1e15)
				continue;
			if ((m >= 0 ? cand / exact_pow10[m] : cand * exact_pow10[-m]) != v)
				continue;
			u = (uint64_t)cand;
			while (u % 10 == 0)
				u /= 10, m--;
			start = put_u64_backwards(u, tmp + sizeof(tmp));
			nd = (size_t)(tmp + sizeof(tmp) - start);
			memcpy(digits, start, nd);
			*point = (int)nd - m;
			return nd;
		}
		return 0;
	}
	return 0;
}

static size_t put_str(char *buf, const char *s)
{
	size_t n = strlen(s);
	memcpy(buf, s, n);
	return n;
}

size_t bh_format_double(double v, char *buf)
{
	char digits[24];
	size_t nd = 0, len = 0;
	int point, exp10;
	uint64_t bits, c;
	int q;

	if (isnan(v))
		return put_str(buf, "NaN");
	if (signbit(v)) {
		buf[len++] = '-';
		v = -v;
	}
	if (isinf(v))
		return len + put_str(buf + len, "Infinity");
	if (v == 0)
		return len + put_str(buf + len, "0.0");
#if FLT_EVAL_METHOD == 0
	nd = shortest_fast(v, digits, &point);
#endif
	if (nd == 0) {
		memcpy(&bits, &v, sizeof(bits));
		c = bits & ((UINT64_C(1) << 52) - 1);
		q = (int)(bits >> 52);
		if (q == 0) {
			q = -1074;
		} else {
			c |= UINT64_C(1) << 52;
			q -= 1075;
		}
#if defined(__SIZEOF_INT128__)
		nd = shortest_u128(c, q, digits, &point);
		if (nd == 0)
#endif
			nd = shortest_exact(c, q, digits, &point);
	}
	/* Python's repr layout: positional for 1e-4 <= |v| < 1e16. */
	exp10 = point - 1;
	if (exp10 >= -4 && exp10 < 16) {
		if (point <= 0) {
			buf[len++] = '0';
			buf[len++] = '.';
			for (int i = 0; i < -point; i++)
				buf[len++] = '0';
			memcpy(buf + len, digits, nd);
			len += nd;
		} else if ((size_t)point < nd) {
			memcpy(buf + len, digits, (size_t)point);
			len += (size_t)point;
			buf[len++] = '.';
			memcpy(buf + len, digits + point, nd - (size_t)point);
			len += nd - (size_t)point;
		} else {
			memcpy(buf + len, digits, nd);
			len += nd;
			for (size_t i = nd; i < (size_t)point; i++)
				buf[len++] = '0';
			buf[len++] = '.';
			buf[len++] = '0';
		}
		return len;
	}
	buf[len++] = digits[0];
	if (nd > 1) {
		buf[len++] = '.';
		memcpy(buf + len, digits + 1, nd - 1);
		len += nd - 1;
	}
	buf[len++] = 'e';
	buf[len++] = exp10 < 0 ? '-' : '+';
	if (exp10 < 0)
		exp10 = -exp10;
	if (exp10 < 10)
		buf[len++] = '0';
	len += bh_format_long(exp10, buf + len);
	return len;
}
