/* Unit tests of the SDK's text conversions (bulkhead/text.h). */
#include <check.h>
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/text.h>

#include "number-oracle.h"
#include "sdk/src/pow10_table.h"

#include "tests/unit/xorshift.h"

static int plong(const char *s, int64_t *v)
{
	return bh_parse_long(s, strlen(s), v);
}

static int pdouble(const char *s, double *v)
{
	return bh_parse_double(s, strlen(s), v);
}

static const char *fdouble(double v)
{
	static char buf[BH_DOUBLE_MAX_CHARS + 1];
	size_t n = bh_format_double(v, buf);
	ck_assert_uint_lt(n, BH_DOUBLE_MAX_CHARS);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_parse_long)
{
	int64_t v = 7;
	ck_assert_int_eq(plong("0", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(plong("-0", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(plong("+42", &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(plong("9223372036854775807", &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(plong("-9223372036854775808", &v), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(plong("000000000000000000000000012", &v), 0);
	ck_assert_int_eq(v, 12);
	v = 5;
	ck_assert_int_eq(plong("9223372036854775808", &v), -ERANGE);
	ck_assert_int_eq(plong("-9223372036854775809", &v), -ERANGE);
	ck_assert_int_eq(plong("99999999999999999999999", &v), -ERANGE);
	ck_assert_int_eq(v, 5); /* untouched on failure */
	ck_assert_int_eq(plong("99999999999999999999x", &v), -EINVAL);
	ck_assert_int_eq(plong("", &v), -EINVAL);
	ck_assert_int_eq(plong("-", &v), -EINVAL);
	ck_assert_int_eq(plong(" 1", &v), -EINVAL);
	ck_assert_int_eq(plong("1 ", &v), -EINVAL);
	ck_assert_int_eq(plong("1.0", &v), -EINVAL);
	ck_assert_int_eq(plong("0x10", &v), -EINVAL);
	/* n bounds the text: trailing bytes beyond it are not read */
	ck_assert_int_eq(bh_parse_long("123abc", 3, &v), 0);
	ck_assert_int_eq(v, 123);
	/* at the 19-digit edge, with signs and leading zeros */
	ck_assert_int_eq(plong("+9223372036854775807", &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(plong("+9223372036854775808", &v), -ERANGE);
	ck_assert_int_eq(plong("-0009223372036854775808", &v), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(plong("00000000000000000000000000000000009223372036854775807", &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(plong("-00000000000000000000000000000000009223372036854775809", &v), -ERANGE);
	ck_assert_int_eq(plong("9999999999999999999", &v), -ERANGE); /* 19 digits, above 2^63 */
	ck_assert_int_eq(plong("18446744073709551616", &v), -ERANGE); /* 2^64: must not wrap */
	ck_assert_int_eq(plong("-18446744073709551615", &v), -ERANGE);
	ck_assert_int_eq(plong("0000000000000000000000", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(plong("1234567812345678", &v), 0);
	ck_assert(v == INT64_C(1234567812345678));
	static const char *const bad[] = { "+", "--1", "+-1", "1-", "12345678x", "1234567x9", "x2345678", "1234:678",
					   "123/5678", "12345678123456789/", "1e3", "١", "1\t" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(plong(bad[i], &v) == -EINVAL, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(bh_parse_long("12\0" "4", 4, &v), -EINVAL);
}
END_TEST

/* Digit strings of every length 1-40 (leading zeros, signs), each digit
 * position in turn damaged: against strtoll, which agrees on digit-only text. */
START_TEST(test_parse_long_reference)
{
	char text[48];
	for (int i = 0; i < 400000; i++) {
		size_t n = 0, digits = 1 + rnd() % (i % 3 == 0 ? 40 : 20);
		int64_t v = 42, ref;
		int r;
		if (rnd() % 3 == 0)
			text[n++] = rnd() % 2 ? '-' : '+';
		for (size_t k = 0; k < digits; k++)
			text[n++] = (char)('0' + (k < digits / 2 && rnd() % 4 == 0 ? 0 : rnd() % 10));
		text[n] = '\0';
		errno = 0;
		ref = strtoll(text, NULL, 10);
		r = bh_parse_long(text, n, &v);
		if (errno == ERANGE) {
			ck_assert_msg(r == -ERANGE && v == 42, "%s: %d", text, r);
		} else {
			ck_assert_msg(r == 0 && v == ref, "%s: %d %lld", text, r, (long long)v);
		}
		/* one byte that is not a digit, anywhere: a syntax error, even in
		 * text too long for a long */
		text[n - digits + rnd() % digits] = "x./:: e"[rnd() % 7];
		ck_assert_msg(bh_parse_long(text, n, &v) == -EINVAL, "accepted %s", text);
	}
}
END_TEST

START_TEST(test_format_long)
{
	char buf[BH_LONG_MAX_CHARS + 1];
	int64_t back;
	size_t n = bh_format_long(INT64_MIN, buf);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "-9223372036854775808");
	n = bh_format_long(0, buf);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "0");
	n = bh_format_long(-1, buf);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "-1");
	n = bh_format_long(INT64_MAX, buf);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "9223372036854775807");
	/* every digit count, at its edges */
	for (int k = 0; k < 19; k++) {
		int64_t p = 1;
		for (int i = 0; i < k; i++)
			p *= 10;
		const int64_t edge[] = { p, p - 1, -p, 1 - p, p + 1, -p - 1 };
		for (size_t e = 0; e < sizeof(edge) / sizeof(edge[0]); e++) {
			char ref[32];
			n = bh_format_long(edge[e], buf);
			buf[n] = '\0';
			snprintf(ref, sizeof(ref), "%lld", (long long)edge[e]);
			ck_assert_str_eq(buf, ref);
		}
	}
	for (int i = 0; i < 1000000; i++) {
		int64_t v = (int64_t)rnd() >> (rnd() % 64);
		n = bh_format_long(v, buf);
		buf[n] = '\0';
		ck_assert_int_eq(bh_parse_long(buf, n, &back), 0);
		ck_assert(back == v);
		char ref[32];
		snprintf(ref, sizeof(ref), "%lld", (long long)v);
		ck_assert_str_eq(buf, ref);
	}
}
END_TEST

START_TEST(test_parse_boolean)
{
	static const char *const yes[] = { "true", "TRUE", "True", "yes", "YES", "on", "On", "1", "t", "T", "y", "Y" };
	static const char *const no[] = { "false", "FALSE", "no", "No", "off", "OFF", "0", "f", "F", "n", "N" };
	int b;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = 0;
		ck_assert_int_eq(bh_parse_boolean(yes[i], strlen(yes[i]), &b), 0);
		ck_assert_int_eq(b, 1);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = 1;
		ck_assert_int_eq(bh_parse_boolean(no[i], strlen(no[i]), &b), 0);
		ck_assert_int_eq(b, 0);
	}
	ck_assert_int_eq(bh_parse_boolean("", 0, &b), -EINVAL);
	ck_assert_int_eq(bh_parse_boolean("tru", 3, &b), -EINVAL);
	ck_assert_int_eq(bh_parse_boolean("truee", 5, &b), -EINVAL);
	ck_assert_int_eq(bh_parse_boolean("2", 1, &b), -EINVAL);
}
END_TEST

START_TEST(test_parse_double)
{
	double v = 0;
	ck_assert_int_eq(pdouble("0.1", &v), 0);
	ck_assert(v == 0.1);
	ck_assert_int_eq(pdouble("-1.5e3", &v), 0);
	ck_assert(v == -1500.0);
	ck_assert_int_eq(pdouble(".5", &v), 0);
	ck_assert(v == 0.5);
	ck_assert_int_eq(pdouble("5.", &v), 0);
	ck_assert(v == 5.0);
	ck_assert_int_eq(pdouble("1E+2", &v), 0);
	ck_assert(v == 100.0);
	ck_assert_int_eq(pdouble("-0", &v), 0);
	ck_assert(v == 0 && signbit(v));
	ck_assert_int_eq(pdouble("NaN", &v), 0);
	ck_assert(isnan(v));
	ck_assert_int_eq(pdouble("Infinity", &v), 0);
	ck_assert(isinf(v) && v > 0);
	ck_assert_int_eq(pdouble("-Infinity", &v), 0);
	ck_assert(isinf(v) && v < 0);
	ck_assert_int_eq(pdouble("inf", &v), 0);
	ck_assert(isinf(v) && v > 0);
	/* halfway between 2^53 and 2^53 + 2: ties to even */
	ck_assert_int_eq(pdouble("9007199254740993", &v), 0);
	ck_assert(v == 9007199254740992.0);
	ck_assert_int_eq(pdouble("2.2250738585072011e-308", &v), 0);
	ck_assert(v == strtod("2.2250738585072011e-308", NULL));
	ck_assert_int_eq(pdouble("4.9e-324", &v), 0);
	ck_assert(v == 5e-324);
	ck_assert_int_eq(pdouble("1e-400", &v), 0);
	ck_assert(v == 0);
	ck_assert_int_eq(pdouble("1e400", &v), -ERANGE);
	ck_assert_int_eq(pdouble("1.7976931348623157e308", &v), 0);
	ck_assert(v == DBL_MAX);
	ck_assert_int_eq(pdouble("1e99999999999999999999", &v), -ERANGE);
	ck_assert_int_eq(pdouble("0e99999999999999999999", &v), 0);
	ck_assert(v == 0);
	static const char *const bad[] = { "", "-", ".", "e5", "1e", "1e+", "1.2.3", " 1", "1 ", "0x10",
					   "1,5", "nanx", "--1", "Infinit" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pdouble(bad[i], &v) == -EINVAL, "accepted \"%s\"", bad[i]);
}
END_TEST

/* Long inputs take the strtod path: compare with strtod itself. */
START_TEST(test_parse_double_long_inputs)
{
	char buf[2100];
	double v;
	for (int i = 0; i < 2000; i++) {
		size_t n = 0, digits = 20 + rnd() % 1500;
		if (rnd() & 1)
			buf[n++] = '-';
		for (size_t k = 0; k < digits; k++)
			buf[n++] = (char)('0' + rnd() % 10);
		if (rnd() & 1) {
			memmove(buf + n - digits / 2 + 1, buf + n - digits / 2, digits / 2);
			buf[n - digits / 2] = '.';
			n++;
		}
		n += (size_t)snprintf(buf + n, 20, "e%d", (int)(rnd() % 1400) - 700);
		buf[n] = '\0';
		ck_assert_int_eq(pdouble(buf, &v) == 0 || pdouble(buf, &v) == -ERANGE, 1);
		double ref = strtod(buf, NULL);
		if (!isinf(ref)) {
			ck_assert_msg(pdouble(buf, &v) == 0, "%s", buf);
			ck_assert_msg(memcmp(&v, &ref, sizeof(v)) == 0, "%s: %a != %a", buf, v, ref);
		}
	}
	/* A decimal just above a halfway point, decided by its 800th digit. */
	strcpy(buf, "9007199254740993.");
	memset(buf + 17, '0', 800);
	strcpy(buf + 817, "1");
	ck_assert_int_eq(pdouble(buf, &v), 0);
	ck_assert(v == 9007199254740994.0);
	/* Many short decimals: exact agreement with strtod. */
	for (int i = 0; i < 200000; i++) {
		uint64_t bits = rnd();
		double x;
		memcpy(&x, &bits, sizeof(x));
		if (!isfinite(x))
			continue;
		snprintf(buf, sizeof(buf), "%.*g", (int)(rnd() % 17) + 1, x);
		double ref = strtod(buf, NULL);
		ck_assert_int_eq(pdouble(buf, &v), isinf(ref) ? -ERANGE : 0);
		if (!isinf(ref))
			ck_assert_msg(memcmp(&v, &ref, sizeof(v)) == 0, "%s", buf);
	}
}
END_TEST

/* Around the edges of Clinger's fast path (19 digits, 2^53, 10^+-22) and
 * across them, with points and exponents placed anywhere: bit for bit as
 * strtod reads it. */
START_TEST(test_parse_double_fast_path_edges)
{
	static const char *const edges[] = {
		"9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
		"9007199254740993e22", "9007199254740993e-22", "9007199254740992e-22", "9007199254740992e22",
		"1e22", "1e23", "1e-22", "1e-23", "123.456e20", "123.456e21", ".5e-21", "5.e22",
		"9999999999999999999", "99999999999999999999", "1234567890123456789e-22", "0.0000000000000000000001",
		"4.9e-324", "2.4703282292062328e-324", "2.4703282292062327e-324", "1.7976931348623158e308",
		"0.1", "0.3", "-12345.67", "3.14159", "1e0000", "1E-0022", "-0.0e5",
	};
	char text[64];
	double v, ref;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		ref = strtod(edges[i], NULL);
		ck_assert_msg(pdouble(edges[i], &v) == 0, "%s", edges[i]);
		ck_assert_msg(memcmp(&v, &ref, sizeof(v)) == 0, "%s: %a, strtod %a", edges[i], v, ref);
	}
	for (int i = 0; i < 500000; i++) {
		uint64_t m = rnd() >> (rnd() % 64);
		int n = snprintf(text, sizeof(text), "%s%" PRIu64, rnd() % 2 ? "-" : "", m);
		if (rnd() % 2) { /* a point somewhere (also first or last) */
			int at = (int)(rnd() % (uint64_t)(n + 1)), start = text[0] == '-';
			if (at < start)
				at = start;
			memmove(text + at + 1, text + at, (size_t)(n - at + 1));
			text[at] = '.';
			n++;
		}
		if (rnd() % 2)
			snprintf(text + n, sizeof(text) - (size_t)n, "e%d", (int)(rnd() % 60) - 30);
		ref = strtod(text, NULL);
		ck_assert_msg(pdouble(text, &v) == 0, "%s", text);
		ck_assert_msg(memcmp(&v, &ref, sizeof(v)) == 0, "%s: %a, strtod %a", text, v, ref);
	}
}
END_TEST

START_TEST(test_format_double_cases)
{
	ck_assert_str_eq(fdouble(0.1), "0.1");
	ck_assert_str_eq(fdouble(1.0 / 3), "0.3333333333333333");
	ck_assert_str_eq(fdouble(2.0 / 3), "0.6666666666666666");
	ck_assert_str_eq(fdouble(5e-324), "5e-324");
	ck_assert_str_eq(fdouble(-5e-324), "-5e-324");
	ck_assert_str_eq(fdouble(DBL_MAX), "1.7976931348623157e+308");
	ck_assert_str_eq(fdouble(DBL_MIN), "2.2250738585072014e-308");
	ck_assert_str_eq(fdouble(9007199254740992.0), "9007199254740992.0");
	ck_assert_str_eq(fdouble(9007199254740991.0), "9007199254740991.0");
	ck_assert_str_eq(fdouble(9007199254740994.0), "9007199254740994.0");
	ck_assert_str_eq(fdouble(0.0), "0.0");
	ck_assert_str_eq(fdouble(-0.0), "-0.0");
	ck_assert_str_eq(fdouble(NAN), "NaN");
	ck_assert_str_eq(fdouble(INFINITY), "Infinity");
	ck_assert_str_eq(fdouble(-INFINITY), "-Infinity");
	ck_assert_str_eq(fdouble(1.0), "1.0");
	ck_assert_str_eq(fdouble(-100.0), "-100.0");
	ck_assert_str_eq(fdouble(1.5), "1.5");
	ck_assert_str_eq(fdouble(123.456), "123.456");
	ck_assert_str_eq(fdouble(1e15), "1000000000000000.0");
	ck_assert_str_eq(fdouble(1e16), "1e+16");
	ck_assert_str_eq(fdouble(1e21), "1e+21");
	ck_assert_str_eq(fdouble(1e22), "1e+22");
	ck_assert_str_eq(fdouble(1e23), "1e+23");
	ck_assert_str_eq(fdouble(0.0001), "0.0001");
	ck_assert_str_eq(fdouble(1e-5), "1e-05");
	ck_assert_str_eq(fdouble(1e-7), "1e-07");
	ck_assert_str_eq(fdouble(1.25e-300), "1.25e-300");
	ck_assert_str_eq(fdouble(123456789012345680.0), "1.2345678901234568e+17");
	ck_assert_str_eq(fdouble(0.30000000000000004), "0.30000000000000004");
	ck_assert_str_eq(fdouble(ldexp(1, -1022)), "2.2250738585072014e-308");
	ck_assert_str_eq(fdouble(ldexp(1, 1023)), "8.98846567431158e+307");
	/* more extremes and layout edges (expected texts from Python's repr) */
	ck_assert_str_eq(fdouble(4.9e-324), "5e-324");
	ck_assert_str_eq(fdouble(3 * 4.9e-324), "1.5e-323");
	ck_assert_str_eq(fdouble(nextafter(DBL_MIN, 0)), "2.225073858507201e-308");
	ck_assert_str_eq(fdouble(-DBL_MAX), "-1.7976931348623157e+308");
	ck_assert_str_eq(fdouble(ldexp(1, 63)), "9.223372036854776e+18");
	ck_assert_str_eq(fdouble(ldexp(1, 64)), "1.8446744073709552e+19");
	ck_assert_str_eq(fdouble(9999999999999998.0), "9999999999999998.0");
	ck_assert_str_eq(fdouble(1234567890123456.7), "1234567890123456.8");
	ck_assert_str_eq(fdouble(123456789012345.67), "123456789012345.67");
	ck_assert_str_eq(fdouble(1e15 + 0.3), "1000000000000000.2");
	ck_assert_str_eq(fdouble(0.00012345678901234567), "0.00012345678901234567");
	ck_assert_str_eq(fdouble(9.999999999999999e-05), "9.999999999999999e-05");
	ck_assert_str_eq(fdouble(5e-05), "5e-05");
	ck_assert_str_eq(fdouble(0.3), "0.3");
	ck_assert_str_eq(fdouble(0.1 + 0.2), "0.30000000000000004");
	ck_assert_str_eq(fdouble(-12345.67), "-12345.67");
	ck_assert_str_eq(fdouble(3.14159), "3.14159");
	ck_assert_str_eq(fdouble(1.5e300), "1.5e+300");
	ck_assert_str_eq(fdouble(7e-10), "7e-10");
	ck_assert_str_eq(fdouble(-NAN), "NaN");
}
END_TEST

/* Every entry of double_format.c's table is ceil(10^f * 2^(127 - b)) with
 * b = floor(log2(10^f)), checked with exact integers. */
START_TEST(test_pow10_table)
{
	for (int f = POW10_F_MIN; f <= POW10_F_MAX; f++) {
		const uint64_t *e = pow10_table[f - POW10_F_MIN];
		oracle_big ten, g, below, a, t;
		ck_assert_msg(e[0] >> 63, "%d: not 128 bits", f);
		big_u128(&g, e[0], e[1]);
		big_u128(&below, e[1] ? e[0] : e[0] - 1, e[1] - 1);
		big_pow10(&ten, f < 0 ? -f : f);
		if (f >= 0 && big_bits(&ten) - 1 <= 127) { /* exact */
			t = ten;
			big_shl(&t, 127 - (big_bits(&ten) - 1));
			ck_assert_msg(big_cmp(&t, &g) == 0, "10^%d", f);
		} else if (f >= 0) { /* (g - 1) * 2^s < 10^f <= g * 2^s */
			int shift = big_bits(&ten) - 1 - 127;
			a = g;
			big_shl(&a, shift);
			t = below;
			big_shl(&t, shift);
			ck_assert_msg(big_cmp(&t, &ten) < 0 && big_cmp(&ten, &a) <= 0, "10^%d", f);
		} else { /* (g - 1) * 10^-f < 2^(127 - b) <= g * 10^-f, b = -bits(10^-f) */
			oracle_big p;
			big_u64(&p, 1);
			big_shl(&p, 127 + big_bits(&ten));
			big_mul(&a, &g, &ten);
			big_mul(&t, &below, &ten);
			ck_assert_msg(big_cmp(&t, &p) < 0 && big_cmp(&p, &a) <= 0, "10^%d", f);
		}
	}
}
END_TEST

/* bh_format_double's whole text against the brute-force reference. */
static int check_format_double(double v)
{
	char want[64];
	const char *got = fdouble(v);
	uint64_t m;
	int e10, neighbour;
	neighbour = oracle_shortest(fabs(v), &m, &e10);
	oracle_layout(signbit(v) != 0, m, e10, want);
	ck_assert_msg(strcmp(got, want) == 0, "%a printed as %s, expected %s", v, got, want);
	return neighbour;
}

static double from_bits(uint64_t bits)
{
	double v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

/* Each binary exponent (so each decimal exponent estimate, and the
 * powers of two where the gap below is half the gap above), then random
 * doubles of several kinds. */
START_TEST(test_format_double_reference)
{
	static const uint64_t fractions[] = { 0, 1, 2, 3, UINT64_C(1) << 51, (UINT64_C(1) << 52) - 1,
					      (UINT64_C(1) << 52) - 2 };
	char text[48];
	for (uint64_t exponent = 0; exponent < 2047; exponent++) {
		for (size_t i = 0; i < sizeof(fractions) / sizeof(fractions[0]); i++)
			if (exponent || fractions[i])
				check_format_double(from_bits(exponent << 52 | fractions[i]));
		for (int i = 0; i < 20; i++)
			check_format_double(from_bits(exponent << 52 | (rnd() >> 12)));
	}
	for (long i = 0; i < 300000; i++) {
		double v;
		switch (i % 5) {
		case 0: /* any bits */
			v = from_bits(rnd());
			break;
		case 1: /* subnormal */
			v = from_bits((rnd() >> 12) | (rnd() % 2) << 63);
			break;
		case 2: /* short decimals, any scale */
			snprintf(text, sizeof(text), "%" PRIu64 "e%d", rnd() % 10000000, (int)(rnd() % 660) - 330);
			v = strtod(text, NULL);
			break;
		case 3: /* money-like, and integers */
			snprintf(text, sizeof(text), "%lld.%02u", (long long)(rnd() % 20000000) - 10000000,
				 (unsigned)(rnd() % 100));
			v = i % 2 ? strtod(text, NULL) : (double)((int64_t)rnd() >> (rnd() % 64));
			break;
		default: /* up to 17 digits near the layout edges (1e-4 and 1e16) */
			snprintf(text, sizeof(text), "%" PRIu64 "e%d", rnd() >> (rnd() % 64),
				 (int)(rnd() % 44) - 32);
			v = strtod(text, NULL);
			break;
		}
		if (isfinite(v) && v != 0)
			check_format_double(v);
	}
}
END_TEST

static uint64_t ten_to(int n)
{
	uint64_t p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

/* The short-decimal path of bh_format_double (up to 14-15 significant
 * digits, 1e-9 <= |v| < 2e14 or so) against the brute-force reference: decimals of
 * every length from 1 to 17 digits at every scale around that range, their
 * neighbours a few ulps away (most read back only from longer decimals,
 * some from another short one), and the powers of two in it, where the
 * gap below is half the gap above. */
START_TEST(test_format_double_short_decimals)
{
	char text[48];
	for (long i = 0; i < 150000; i++) {
		int nd = 1 + (int)(rnd() % 17), e = (int)(rnd() % 34) - 22;
		uint64_t m = rnd() % ten_to(nd);
		double v, up, down;
		snprintf(text, sizeof(text), "%s%" PRIu64 "e%d", i % 2 ? "-" : "", m, e);
		v = strtod(text, NULL);
		if (!isfinite(v) || v == 0)
			continue;
		check_format_double(v);
		up = down = v;
		for (int step = 0; step < 3; step++) {
			check_format_double(up = nextafter(up, HUGE_VAL));
			if ((down = nextafter(down, -HUGE_VAL)) != 0)
				check_format_double(down);
		}
	}
	for (int exponent = 1023 - 40; exponent <= 1023 + 50; exponent++) {
		double v = from_bits((uint64_t)exponent << 52);
		check_format_double(v);
		check_format_double(nextafter(v, 0));
		check_format_double(nextafter(v, HUGE_VAL));
	}
}
END_TEST

/* The boundaries of bh_format_double's short path (short_text): integer
 * parts of 0 to 17 digits with fractions of 0 to 18 digits (the point at
 * every place, fractions of exactly 8 and 9 digits where the second word
 * starts, 15/16/17 significant digits where the short path ends), with
 * zeros and nines at the ends.  Up to 15 significant digits the text must
 * be the input itself (no other decimal that short reads back the same);
 * every value, and its neighbours, against the reference. */
START_TEST(test_format_double_short_path_edges)
{
	char text[64], want[64];
	for (int ni = 0; ni <= 17; ni++)
		for (int nf = 0; nf <= 18; nf++)
			for (int kind = 0; kind < 6; kind++) {
				size_t n = 0;
				double v;
				if (ni + nf == 0 || ni + nf > 20)
					continue;
				for (int i = 0; i < ni; i++) /* no leading zero */
					text[n++] = (char)('0' + (kind == 1 ? 9 : i == 0 ? 1 + (int)(rnd() % 9) : (int)(rnd() % 10)));
				if (ni == 0)
					text[n++] = '0';
				text[n++] = '.';
				for (int i = 0; i < nf; i++) /* the last digit is not 0 */
					text[n++] = (char)('0' + (kind == 1 ? 9 : kind == 2 && i < nf - 1 ? 0 : i == nf - 1 ? 1 + (int)(rnd() % 9) : (int)(rnd() % 10)));
				if (nf == 0)
					text[n++] = '0';
				text[n] = '\0';
				v = strtod(text, NULL);
				if (v == 0)
					continue;
				check_format_double(v);
				check_format_double(-v);
				check_format_double(nextafter(v, 0));
				check_format_double(nextafter(v, HUGE_VAL));
				/* significant digits: all but the leading zeros of 0.000ddd */
				int sig = ni + nf;
				for (size_t i = 2; ni == 0 && i < n && text[i] == '0'; i++)
					sig--;
				if (sig <= 15 && v >= 1e-4 && v < 1e16) {
					ck_assert_str_eq(fdouble(v), text);
					snprintf(want, sizeof(want), "-%s", text);
					ck_assert_str_eq(fdouble(-v), want);
				}
			}
}
END_TEST

/* The digits and exponent of a formatted double: m * 10^e10, m without
 * trailing zeros. */
static void decimal_of(const char *s, uint64_t *m, int *e10)
{
	uint64_t digits = 0;
	int point = 0, seen_point = 0;
	for (; *s && *s != 'e'; s++) {
		if (*s == '.')
			seen_point = 1;
		else if (*s >= '0' && *s <= '9') {
			digits = digits * 10 + (uint64_t)(*s - '0');
			point -= seen_point;
		}
	}
	*m = digits;
	*e10 = point + (*s == 'e' ? atoi(s + 1) : 0);
	oracle_strip(m, e10);
}

/* Millions of doubles: the text reads back bit for bit, no decimal with one
 * digit fewer reads back (the nearest and both its neighbours, which covers
 * every candidate), and no other decimal of the same length is nearer. */
START_TEST(test_format_double_random)
{
	char text[48];
	for (long i = 0; i < 2000000; i++) {
		uint64_t bits = rnd(), m, r;
		double v, back, a;
		const char *s;
		int e10, e, nd;
		if (i % 4 == 1) /* short decimals take the multiple-of-10 branch */
			snprintf(text, sizeof(text), "%" PRIu64 "e%d", rnd() % 100000000, (int)(rnd() % 40) - 30);
		if (i % 4 == 2) /* subnormals */
			bits >>= 12;
		v = i % 4 == 1 ? strtod(text, NULL) : from_bits(bits);
		if (!isfinite(v) || v == 0)
			continue;
		s = fdouble(v);
		back = strtod(s, NULL);
		ck_assert_msg(memcmp(&back, &v, sizeof(v)) == 0, "%a printed as %s", v, s);
		a = fabs(v);
		decimal_of(s, &m, &e10);
		nd = snprintf(text, sizeof(text), "%" PRIu64, m);
		if (nd > 1) {
			oracle_round(a, nd - 2, &r, &e);
			ck_assert_msg(!oracle_reads_back(r, e, a) && !oracle_reads_back(r + 1, e, a) &&
					      (r < 2 || !oracle_reads_back(r - 1, e, a)),
				      "%a printed as %s but %" PRIu64 "e%d (+-1) is shorter", v, s, r, e);
		}
		oracle_round(a, nd - 1, &r, &e);
		oracle_strip(&r, &e);
		if (r != m || e != e10)
			ck_assert_msg(!oracle_reads_back(r, e, a), "%a printed as %s, %" PRIu64 "e%d is nearer", v,
				      s, r, e);
	}
}
END_TEST

/* The formatters may write past the text they return (whole 8-byte words)
 * but never past BH_LONG_MAX_CHARS / BH_DOUBLE_MAX_CHARS, nor before buf. */
START_TEST(test_format_stays_in_buffer)
{
	unsigned char area[8 + BH_DOUBLE_MAX_CHARS + 8];
	for (int i = 0; i < 200000; i++) {
		int64_t l = (int64_t)rnd() >> (rnd() % 64);
		double d = from_bits(i % 2 ? rnd() : rnd() >> (rnd() % 64));
		size_t n, k;
		memset(area, 0xa5, sizeof(area));
		n = bh_format_long(l, (char *)area + 8);
		ck_assert_uint_le(n, BH_LONG_MAX_CHARS - 1);
		for (k = 0; k < sizeof(area); k++)
			if (k < 8 || k >= 8 + BH_LONG_MAX_CHARS)
				ck_assert_msg(area[k] == 0xa5, "%lld: byte %zu written", (long long)l, k);
		memset(area, 0xa5, sizeof(area));
		n = bh_format_double(d, (char *)area + 8);
		ck_assert_uint_le(n, BH_DOUBLE_MAX_CHARS - 1);
		for (k = 0; k < sizeof(area); k++)
			if (k < 8 || k >= 8 + BH_DOUBLE_MAX_CHARS)
				ck_assert_msg(area[k] == 0xa5, "%a: byte %zu written", d, k);
	}
}
END_TEST

/* A process locale with a decimal comma changes nothing (where one is
 * installed; C-only systems run the checks in the C locale). */
START_TEST(test_numbers_ignore_locale)
{
	static const char *const names[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", "ru_RU.UTF-8" };
	double v;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (setlocale(LC_ALL, names[i]))
			break;
	ck_assert_int_eq(pdouble("1.5", &v), 0);
	ck_assert(v == 1.5);
	/* long enough for the strtod path */
	ck_assert_int_eq(pdouble("0.1000000000000000055511151231257827021181583404541015625", &v), 0);
	ck_assert(v == 0.1);
	ck_assert_int_eq(pdouble("1,5", &v), -EINVAL);
	ck_assert_str_eq(fdouble(1.5), "1.5");
	ck_assert_str_eq(fdouble(1.0 / 3), "0.3333333333333333");
	setlocale(LC_ALL, "C");
}
END_TEST

/* ---- timestamps ---------------------------------------------------------- */

static bh_timestamp pts(const char *s, const char *format)
{
	bh_timestamp t = { 0, 0 };
	int r = bh_parse_timestamp(s, strlen(s), format, &t);
	ck_assert_msg(r == 0, "\"%s\" with %s: %d", s, format ? format : "ISO", r);
	return t;
}

static const char *fts(bh_timestamp t, const char *format, int32_t offset)
{
	static char buf[BH_TIMESTAMP_MAX_CHARS];
	ck_assert_uint_gt(bh_format_timestamp_at(t, format, offset, buf, sizeof(buf)), 0);
	return buf;
}

START_TEST(test_civil)
{
	int64_t y;
	unsigned m, d;
	ck_assert_int_eq(bh_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(bh_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(bh_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(bh_days_from_civil(0, 3, 1), -719468);
	for (int64_t days = -800000; days <= 800000; days += 1 + (int64_t)(rnd() % 7)) {
		bh_civil_from_days(days, &y, &m, &d);
		ck_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		ck_assert_int_eq(bh_days_from_civil(y, m, d), days);
	}
	bh_civil_from_days(bh_days_from_civil(2024, 2, 29), &y, &m, &d);
	ck_assert(y == 2024 && m == 2 && d == 29);
	/* the day after 1900-02-28 is March 1st (1900 is not a leap year) */
	bh_civil_from_days(bh_days_from_civil(1900, 2, 28) + 1, &y, &m, &d);
	ck_assert(y == 1900 && m == 3 && d == 1);
}
END_TEST

START_TEST(test_parse_timestamp_iso)
{
	bh_timestamp t = pts("2020-01-02 03:04:05.123456789 UTC", NULL);
	ck_assert_int_eq(t.sec, 1577934245);
	ck_assert_int_eq(t.nsec, 123456789);
	ck_assert_int_eq(pts("2020-01-02T03:04:05Z", NULL).sec, 1577934245);
	ck_assert_int_eq(pts("2020-01-02T03:04:05+09:00", NULL).sec, 1577934245 - 9 * 3600);
	ck_assert_int_eq(pts("2020-01-02 03:04:05 -0130", NULL).sec, 1577934245 + 5400);
	ck_assert_int_eq(pts("2020-01-02 03:04", NULL).sec, 1577934240);
	ck_assert_int_eq(pts("2020-01-02", NULL).sec, 1577923200);
	ck_assert_int_eq(pts("2020-01-02 03:04:05,5", NULL).nsec, 500000000);
	t = pts("1969-12-31 23:59:59.999", NULL);
	ck_assert_int_eq(t.sec, -1);
	ck_assert_int_eq(t.nsec, 999000000);
	ck_assert_int_eq(pts("0001-01-01", NULL).sec, INT64_C(-62135596800));
	/* more than nine fraction digits are truncated */
	ck_assert_int_eq(pts("2020-01-02 03:04:05.1234567891", NULL).nsec, 123456789);
	static const char *const bad[] = { "", "2020", "2020-13-01", "2020-02-30", "2021-02-29", "2020-01-01 24:00",
					   "2020-01-01 12:60", "2020-01-01T", "2020-01-01 03:04:05 +25:00",
					   "2020-01-01 03:04:05 JST", "2020-01-01 03:04:05.", "2020-1-1", " 2020-01-01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bh_timestamp x;
		ck_assert_msg(bh_parse_timestamp(bad[i], strlen(bad[i]), NULL, &x) == -EINVAL, "accepted \"%s\"",
			      bad[i]);
	}
	/* with a default zone for text that has none */
	ck_assert_int_eq(bh_parse_timestamp_at("2020-01-02 03:04:05", 19, NULL, 3600, &t), 0);
	ck_assert_int_eq(t.sec, 1577934245 - 3600);
	ck_assert_int_eq(bh_parse_timestamp_at("2020-01-02 03:04:05Z", 20, NULL, 3600, &t), 0);
	ck_assert_int_eq(t.sec, 1577934245);
}
END_TEST

START_TEST(test_parse_timestamp_formats)
{
	ck_assert_int_eq(pts("2020-01-02 03:04:05.123 +0900", "%Y-%m-%d %H:%M:%S.%N %z").sec, 1577934245 - 32400);
	ck_assert_int_eq(pts("2020-01-02 03:04:05.123 +0900", "%Y-%m-%d %H:%M:%S.%N %z").nsec, 123000000);
	ck_assert_int_eq(pts("20200102030405", "%Y%m%d%H%M%S").sec, 1577934245);
	ck_assert_int_eq(pts("02/Jan/2020:03:04:05 +0000", "%d/%b/%Y:%H:%M:%S %z").sec, 1577934245);
	ck_assert_int_eq(pts("2 January 2020", "%d %B %Y").sec, 1577923200);
	ck_assert_int_eq(pts("1577934245", "%s").sec, 1577934245);
	ck_assert_int_eq(pts("-1", "%s").sec, -1);
	ck_assert_int_eq(pts("Jan 2 2020 3:04 PM", "%b %d %Y %I:%M %p").sec, 1577977440);
	ck_assert_int_eq(pts("Jan 2 2020 12:04 AM", "%b %d %Y %I:%M %p").sec, 1577923440);
	ck_assert_int_eq(pts("2020-366", "%Y-%j").sec, 1609372800);
	ck_assert_int_eq(pts("Thu, 02 Jan 2020 03:04:05 GMT", "%a, %d %b %Y %T %Z").sec, 1577934245);
	ck_assert_int_eq(pts("2020-01-02T03:04:05", "%FT%T").sec, 1577934245);
	ck_assert_int_eq(pts("10%", "%H%%").sec, 10 * 3600);
	ck_assert_int_eq(pts("2020-01-02   03", "%Y-%m-%d %H").sec, 1577934000);
	static const struct {
		const char *s, *f;
	} bad[] = {
		{ "2021-366", "%Y-%j" }, { "13:00 PM", "%I:%M %p" }, { "2020-01-02x", "%Y-%m-%d" },
		{ "2020-01-02", "%Y-%m-%d %H" }, { "x", "%Q" }, { "2020", "%Y-" }, { "Foo 2 2020", "%b %d %Y" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bh_timestamp x;
		ck_assert_msg(bh_parse_timestamp(bad[i].s, strlen(bad[i].s), bad[i].f, &x) == -EINVAL,
			      "accepted \"%s\" with %s", bad[i].s, bad[i].f);
	}
}
END_TEST

START_TEST(test_format_timestamp)
{
	bh_timestamp t = { 1577934245, 123456789 };
	char small[8];
	ck_assert_str_eq(fts(t, NULL, 0), "2020-01-02 03:04:05.123456 +0000");
	ck_assert_str_eq(fts(t, "%Y-%m-%dT%H:%M:%S.%3N%:z", 32400), "2020-01-02T12:04:05.123+09:00");
	ck_assert_str_eq(fts(t, "%N|%9N|%6N|%L|%1N", 0), "123456789|123456789|123456|123|1");
	ck_assert_str_eq(fts(t, "%a %A %b %B %e %j %I %p %u %w %Z %%", 0),
			 "Thu Thursday Jan January  2 002 03 AM 4 4 UTC %");
	ck_assert_str_eq(fts(t, "%Z %z", -5400), "-01:30 -0130");
	ck_assert_str_eq(fts(t, "%s %F %T %D %R", 0), "1577934245 2020-01-02 03:04:05 01/02/20 03:04");
	ck_assert_str_eq(fts(t, "%-m/%-d %y %C", 0), "1/2 20 20");
	bh_timestamp before = { -1, 500000000 };
	ck_assert_str_eq(fts(before, "%Y-%m-%d %H:%M:%S.%N", 0), "1969-12-31 23:59:59.500000000");
	bh_timestamp far = { INT64_C(253402300799), 0 };
	ck_assert_str_eq(fts(far, "%Y-%m-%d %H:%M:%S", 0), "9999-12-31 23:59:59");
	bh_timestamp ancient = { INT64_C(-62135596800) - 86400, 0 };
	ck_assert_str_eq(fts(ancient, "%Y-%m-%d", 0), "0000-12-31");
	/* a too small buffer is an error, never a truncated text */
	ck_assert_uint_eq(bh_format_timestamp(t, NULL, small, sizeof(small)), 0);
	ck_assert_uint_eq(bh_format_timestamp(t, "%Y", small, 4), 0);
	ck_assert_uint_eq(bh_format_timestamp(t, "%Y", small, 5), 4);
	ck_assert_str_eq(small, "2020");
}
END_TEST

START_TEST(test_timestamp_round_trip)
{
	static const char *const formats[] = { "%Y-%m-%d %H:%M:%S.%N %z", "%Y-%m-%dT%H:%M:%S.%9N%:z", "%s.%N" };
	char buf[BH_TIMESTAMP_MAX_CHARS];
	for (int i = 0; i < 100000; i++) {
		bh_timestamp t = { (int64_t)(rnd() % UINT64_C(400000000000)) - INT64_C(200000000000),
				   (int32_t)(rnd() % 1000000000) }, back;
		int32_t offset = (int32_t)(rnd() % (2 * 86340)) - 86340;
		offset -= offset % 60;
		const char *f = formats[i % 3];
		size_t n = bh_format_timestamp_at(t, f, offset, buf, sizeof(buf));
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(bh_parse_timestamp(buf, n, f, &back), 0);
		ck_assert_msg(back.sec == t.sec && back.nsec == t.nsec, "%s", buf);
		/* the default forms read what the default format writes (microseconds) */
		n = bh_format_timestamp(t, NULL, buf, sizeof(buf));
		ck_assert_int_eq(bh_parse_timestamp(buf, n, NULL, &back), 0);
		ck_assert(back.sec == t.sec && back.nsec == t.nsec / 1000 * 1000);
	}
}
END_TEST

START_TEST(test_utc_offset)
{
	int32_t off = 1;
	ck_assert_int_eq(bh_parse_utc_offset("UTC", 3, &off), 0);
	ck_assert_int_eq(off, 0);
	ck_assert_int_eq(bh_parse_utc_offset("+09:00", 6, &off), 0);
	ck_assert_int_eq(off, 32400);
	ck_assert_int_eq(bh_parse_utc_offset("-0530", 5, &off), 0);
	ck_assert_int_eq(off, -19800);
	ck_assert_int_eq(bh_parse_utc_offset("+09", 3, &off), 0);
	ck_assert_int_eq(off, 32400);
	ck_assert_int_eq(bh_parse_utc_offset("Asia/Tokyo", 10, &off), -EINVAL);
	ck_assert_int_eq(bh_parse_utc_offset("+9", 2, &off), -EINVAL);
	ck_assert_int_eq(bh_parse_utc_offset("+09:00x", 7, &off), -EINVAL);
	ck_assert_int_eq(off, 32400);
}
END_TEST

/* The slack grows with the longer of the two names: 1 edit up to 4 letters,
 * 2 up to 8, then 3. */
START_TEST(test_did_you_mean_slack)
{
	const char *const cols[] = {"time", "created", "updated_at"};
	const char *const stamps[] = {"created_at", "id"};

	ck_assert_str_eq(bh_did_you_mean("tiem", cols, 3), "time");
	ck_assert_ptr_null(bh_did_you_mean("tmei", cols, 3));
	ck_assert_str_eq(bh_did_you_mean("cretd", cols, 3), "created");
	ck_assert_ptr_null(bh_did_you_mean("crtd", cols, 3));
	ck_assert_str_eq(bh_did_you_mean("xpdatdd_ax", cols, 3), "updated_at");
	ck_assert_ptr_null(bh_did_you_mean("xpxatdd_ax", cols, 3));
	/* A name cut short is still its own typo; one cut shorter is not. */
	ck_assert_str_eq(bh_did_you_mean("created", stamps, 2), "created_at");
	ck_assert_ptr_null(bh_did_you_mean("create", stamps, 2));
}
END_TEST

START_TEST(test_did_you_mean_choice)
{
	const char *const cols[] = {"colour", "color", "cat", "bat", "id", "a"};
	char long_word[80];
	const char *const long_cols[] = {long_word};

	/* The closest wins over the first; among equals the first stays. */
	ck_assert_ptr_eq(bh_did_you_mean("colr", cols, 6), cols[1]);
	ck_assert_ptr_eq(bh_did_you_mean("hat", cols, 6), cols[2]);
	ck_assert_ptr_eq(bh_did_you_mean("ID", cols, 6), cols[4]);
	ck_assert_ptr_eq(bh_did_you_mean("idd", cols, 6), cols[4]);
	/* Replacing every letter of a name is no typo of it. */
	ck_assert_ptr_null(bh_did_you_mean("b", cols + 5, 1));
	ck_assert_ptr_eq(bh_did_you_mean("A", cols + 5, 1), cols[5]);
	ck_assert_ptr_null(bh_did_you_mean("color", cols, 0));
	/* Names past the compared length are never matched, not even exactly. */
	memset(long_word, 'c', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	ck_assert_ptr_null(bh_did_you_mean(long_word, cols, 6));
	ck_assert_ptr_null(bh_did_you_mean(long_word, long_cols, 1));
	ck_assert_ptr_null(bh_did_you_mean("cccc", long_cols, 1));
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *n = tcase_create("numbers"), *t = tcase_create("timestamps");
	TCase *d = tcase_create("did_you_mean");
	tcase_set_timeout(n, 120);
	tcase_add_test(n, test_parse_long);
	tcase_add_test(n, test_parse_long_reference);
	tcase_add_test(n, test_format_long);
	tcase_add_test(n, test_parse_boolean);
	tcase_add_test(n, test_parse_double);
	tcase_add_test(n, test_parse_double_long_inputs);
	tcase_add_test(n, test_parse_double_fast_path_edges);
	tcase_add_test(n, test_format_double_cases);
	tcase_add_test(n, test_format_double_reference);
	tcase_add_test(n, test_format_double_random);
	tcase_add_test(n, test_format_double_short_decimals);
	tcase_add_test(n, test_format_double_short_path_edges);
	tcase_add_test(n, test_pow10_table);
	tcase_add_test(n, test_format_stays_in_buffer);
	tcase_add_test(n, test_numbers_ignore_locale);
	tcase_add_test(t, test_civil);
	tcase_add_test(t, test_parse_timestamp_iso);
	tcase_add_test(t, test_parse_timestamp_formats);
	tcase_add_test(t, test_format_timestamp);
	tcase_add_test(t, test_timestamp_round_trip);
	tcase_add_test(t, test_utc_offset);
	suite_add_tcase(s, n);
	tcase_add_test(d, test_did_you_mean_slack);
	tcase_add_test(d, test_did_you_mean_choice);
	suite_add_tcase(s, t);
	suite_add_tcase(s, d);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
