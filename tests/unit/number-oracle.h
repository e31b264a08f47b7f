/* Independent references for the number conversion tests (test-text.c):
 * the shortest round-trip decimal of a double found by brute force with the
 * C library (snprintf "%.*e" and strtod), its text in bh_format_double's
 * layout, and small exact big integers to check the formatter's table of
 * powers of ten.  Slow and simple on purpose. */
#ifndef BH_TEST_NUMBER_ORACLE_H
#define BH_TEST_NUMBER_ORACLE_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does m * 10^e10 (m > 0) read back as v (v > 0)? */
static int oracle_reads_back(uint64_t m, int e10, double v)
{
	char text[48];
	double back;
	snprintf(text, sizeof(text), "%" PRIu64 "e%d", m, e10);
	back = strtod(text, NULL);
	return memcmp(&back, &v, sizeof(v)) == 0;
}

/* v (> 0, finite) correctly rounded to p + 1 significant digits, as m * 10^e10. */
static void oracle_round(double v, int p, uint64_t *m, int *e10)
{
	char text[48], *e;
	uint64_t digits = 0;
	snprintf(text, sizeof(text), "%.*e", p, v);
	for (const char *c = text; *c && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			digits = digits * 10 + (uint64_t)(*c - '0');
	e = strchr(text, 'e');
	*m = digits;
	*e10 = atoi(e + 1) - p;
}

static void oracle_strip(uint64_t *m, int *e10)
{
	while (*m && *m % 10 == 0) {
		*m /= 10;
		++*e10;
	}
}

/* The shortest decimal m * 10^e10 that reads back as v (v > 0, finite), the
 * nearest to v among those of that length: for each length, the correctly
 * rounded one, else its neighbours (the nearest can miss where the interval
 * is lopsided, at powers of two, while a neighbour fits).  Returns 1 if a
 * neighbour was the answer. */
static int oracle_shortest(double v, uint64_t *m, int *e10)
{
	for (int p = 0; p <= 16; p++) {
		uint64_t r;
		int e;
		oracle_round(v, p, &r, &e);
		if (oracle_reads_back(r, e, v)) {
			oracle_strip(&r, &e);
			*m = r;
			*e10 = e;
			return 0;
		}
		if (oracle_reads_back(r + 1, e, v) || (r > 1 && oracle_reads_back(r - 1, e, v))) {
			r = oracle_reads_back(r + 1, e, v) ? r + 1 : r - 1;
			oracle_strip(&r, &e);
			*m = r;
			*e10 = e;
			return 1;
		}
	}
	abort(); /* 17 digits always read back */
}

/* The text of -?m * 10^e10 in bh_format_double's layout (Python's repr):
 * positional with at least one digit after the point for 1e-4 <= |v| <
 * 1e16, else d.ddde+XX with at least two exponent digits. */
static void oracle_layout(int negative, uint64_t m, int e10, char *out)
{
	char digits[24];
	int nd = snprintf(digits, sizeof(digits), "%" PRIu64, m);
	int exp10 = nd - 1 + e10; /* of the first digit */
	if (negative)
		*out++ = '-';
	if (exp10 >= -4 && exp10 < 16) {
		if (exp10 < 0) {
			out += sprintf(out, "0.");
			for (int i = 0; i < -exp10 - 1; i++)
				*out++ = '0';
			strcpy(out, digits);
		} else if (exp10 + 1 >= nd) {
			out += sprintf(out, "%s", digits);
			for (int i = nd; i < exp10 + 1; i++)
				*out++ = '0';
			strcpy(out, ".0");
		} else {
			sprintf(out, "%.*s.%s", exp10 + 1, digits, digits + exp10 + 1);
		}
		return;
	}
	*out++ = digits[0];
	if (nd > 1)
		out += sprintf(out, ".%s", digits + 1);
	sprintf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
}

/* ---- exact big integers (little-endian 32-bit limbs) ---------------------- */

#define ORACLE_LIMBS 48 /* 1536 bits: 10^324 * 2^128 fits */

typedef struct oracle_big {
	int n;
	uint32_t w[ORACLE_LIMBS];
} oracle_big;

static void big_u64(oracle_big *b, uint64_t v)
{
	b->n = 0;
	for (; v; v >>= 32)
		b->w[b->n++] = (uint32_t)v;
}

static void big_u128(oracle_big *b, uint64_t high, uint64_t low)
{
	b->w[0] = (uint32_t)low;
	b->w[1] = (uint32_t)(low >> 32);
	b->w[2] = (uint32_t)high;
	b->w[3] = (uint32_t)(high >> 32);
	b->n = 4;
	while (b->n && b->w[b->n - 1] == 0)
		b->n--;
}

static void big_mul_u32(oracle_big *b, uint32_t m)
{
	uint64_t carry = 0;
	for (int i = 0; i < b->n; i++) {
		uint64_t t = (uint64_t)b->w[i] * m + carry;
		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry)
		b->w[b->n++] = (uint32_t)carry;
}

/* b * a, into r (r distinct from both). */
static void big_mul(oracle_big *r, const oracle_big *a, const oracle_big *b)
{
	memset(r->w, 0, sizeof(r->w));
	for (int i = 0; i < a->n; i++) {
		uint64_t carry = 0;
		for (int j = 0; j < b->n; j++) {
			uint64_t t = (uint64_t)a->w[i] * b->w[j] + r->w[i + j] + carry;
			r->w[i + j] = (uint32_t)t;
			carry = t >> 32;
		}
		r->w[i + b->n] = (uint32_t)carry;
	}
	r->n = a->n + b->n;
	while (r->n && r->w[r->n - 1] == 0)
		r->n--;
}

static void big_shl(oracle_big *b, int bits)
{
	for (; bits > 0; bits--) {
		uint32_t carry = 0;
		for (int i = 0; i < b->n; i++) {
			uint32_t w = b->w[i];
			b->w[i] = w << 1 | carry;
			carry = w >> 31;
		}
		if (carry)
			b->w[b->n++] = carry;
	}
}

static int big_bits(const oracle_big *b)
{
	return b->n ? 32 * (b->n - 1) + (32 - __builtin_clz(b->w[b->n - 1])) : 0;
}

static int big_cmp(const oracle_big *a, const oracle_big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n; i-- > 0;)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

static void big_pow10(oracle_big *b, int k)
{
	big_u64(b, 1);
	for (int i = 0; i < k; i++)
		big_mul_u32(b, 10);
}

#endif
