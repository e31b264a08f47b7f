/* The fast paths of number parsing.  bh_parse_long_padded and
 * bh_parse_double_padded (bulkhead/text.h, inline) give exactly what
 * bh_parse_long and bh_parse_double give (status, value, the bits of a
 * double), whatever bytes follow the text, and read nothing past the
 * BH_PARSE_PADDING bytes after it: every text here ends that many bytes
 * before a page that can not be read.  And bh_parse_double beyond Clinger's
 * range (its 128-bit power-of-ten path) agrees with strtod. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bulkhead/text.h>

static char *guard_end; /* the first byte of the unreadable page */

static void guard_setup(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + page, (size_t)page, PROT_NONE), 0);
	guard_end = m + page;
}

static const char padding_bytes[] = "0123456789.-+eE, \"\n";

/* Places text[0..n) so that its padding ends at the guard page, fills the
 * padding from *seed, and compares the two parsers on it.  Returns 0 or
 * aborts with the input. */
static void same_long(const char *text, size_t n, unsigned *seed)
{
	char *s = guard_end - BH_PARSE_PADDING - n;
	int64_t plain = 0x5555, padded = 0x5555;
	int rp, rq;
	memcpy(s, text, n);
	for (size_t i = 0; i < BH_PARSE_PADDING; i++)
		s[n + i] = padding_bytes[rand_r(seed) % (sizeof padding_bytes - 1)];
	rp = bh_parse_long(s, n, &plain);
	rq = bh_parse_long_padded(s, n, &padded);
	if (rp != rq || (rp == 0 && plain != padded))
		ck_abort_msg("long [%.*s] + [%.*s]: plain %d %lld, padded %d %lld", (int)n, s, BH_PARSE_PADDING, s + n,
			     rp, (long long)plain, rq, (long long)padded);
}

static void same_double(const char *text, size_t n, unsigned *seed)
{
	char *s = guard_end - BH_PARSE_PADDING - n;
	double plain = 0.25, padded = 0.25;
	int rp, rq;
	memcpy(s, text, n);
	for (size_t i = 0; i < BH_PARSE_PADDING; i++)
		s[n + i] = padding_bytes[rand_r(seed) % (sizeof padding_bytes - 1)];
	rp = bh_parse_double(s, n, &plain);
	rq = bh_parse_double_padded(s, n, &padded);
	if (rp != rq || (rp == 0 && memcmp(&plain, &padded, sizeof plain) != 0))
		ck_abort_msg("double [%.*s] + [%.*s]: plain %d %a, padded %d %a", (int)n, s, BH_PARSE_PADDING,
			     s + n, rp, plain, rq, padded);
}

/* Every text of up to `max` bytes over alphabet, each with a few paddings. */
static void every_text(const char *alphabet, size_t max, int dbl)
{
	size_t k = strlen(alphabet);
	unsigned seed = 7;
	char text[16];
	for (size_t n = 0; n <= max; n++) {
		size_t total = 1;
		for (size_t i = 0; i < n; i++)
			total *= k;
		for (size_t code = 0; code < total; code++) {
			size_t c = code;
			for (size_t i = 0; i < n; i++, c /= k)
				text[i] = alphabet[c % k];
			for (int rep = 0; rep < 2; rep++) {
				if (dbl)
					same_double(text, n, &seed);
				else
					same_long(text, n, &seed);
			}
		}
	}
}

START_TEST(long_every_short_text)
{
	guard_setup();
	every_text("0195-+x.", 6, 0);
}
END_TEST

START_TEST(double_every_short_text)
{
	guard_setup();
	every_text("0195.-+e", 6, 1);
}
END_TEST

/* Digits with a sign and a point, of every length around the 8-digit words. */
static size_t random_number(char *buf, unsigned *seed, int point)
{
	size_t n = 0;
	int sign = rand_r(seed) % 4, before = rand_r(seed) % 12, after = rand_r(seed) % 12;
	if (sign == 1)
		buf[n++] = '-';
	else if (sign == 2)
		buf[n++] = '+';
	for (int i = 0; i < before; i++)
		buf[n++] = (char)('0' + (rand_r(seed) % 3 == 0 ? 9 : rand_r(seed) % 10));
	if (point && rand_r(seed) % 8) {
		buf[n++] = '.';
		for (int i = 0; i < after; i++)
			buf[n++] = (char)('0' + rand_r(seed) % 10);
	}
	if (rand_r(seed) % 50 == 0) /* a stray byte anywhere */
		buf[rand_r(seed) % (n + 1)] = "x.e-+ /:"[rand_r(seed) % 8];
	return n + (rand_r(seed) % 60 == 0); /* or one past the text */
}

START_TEST(long_random_numbers)
{
	unsigned seed = 11;
	char buf[40];
	guard_setup();
	for (long i = 0; i < 2000000; i++) {
		size_t n = random_number(buf, &seed, 0);
		same_long(buf, n, &seed);
	}
}
END_TEST

START_TEST(double_random_numbers)
{
	unsigned seed = 13;
	char buf[40];
	guard_setup();
	for (long i = 0; i < 2000000; i++) {
		size_t n = random_number(buf, &seed, 1);
		same_double(buf, n, &seed);
	}
}
END_TEST

/* The edges of the inline cases: 8 and 9 digits, 2^53 for the mantissa. */
START_TEST(edges)
{
	static const char *const longs[] = { "99999999", "-99999999", "+00000000", "100000000", "-0", "+", "-", "",
					     "00000001", "9223372036854775807", "-9223372036854775808",
					     "9223372036854775808", "1-", "1+" };
	static const char *const doubles[] = { "99999999.99999999", "90071992.54740992", "90071992.54740993",
					       "9007199.254740993", "9007199254740993", "0.00000001", "-0.0", "-0",
					       "+0.5", ".5", "5.", "-.", "1.2.3", "12345678.1", "1.12345678",
					       "123456789.1", "1.123456789", "0.1", "2.2250738585072014e-308",
					       "1e22", "nan", "-Infinity", "1.5e", "00000000.00000000" };
	unsigned seed = 17;
	guard_setup();
	for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++)
		for (int rep = 0; rep < 50; rep++)
			same_long(longs[i], strlen(longs[i]), &seed);
	for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++)
		for (int rep = 0; rep < 50; rep++)
			same_double(doubles[i], strlen(doubles[i]), &seed);
	/* and the values themselves, not only agreement */
	{
		char t[] = "-12345678.87654321";
		double d;
		int64_t l;
		char *s = guard_end - BH_PARSE_PADDING - (sizeof t - 1);
		memcpy(s, t, sizeof t - 1);
		ck_assert_int_eq(bh_parse_double_padded(s, sizeof t - 1, &d), 0);
		ck_assert(d == -12345678.87654321);
		s = guard_end - BH_PARSE_PADDING - 9;
		memcpy(s, "-87654321", 9);
		ck_assert_int_eq(bh_parse_long_padded(s, 9, &l), 0);
		ck_assert_int_eq(l, -87654321);
	}
}
END_TEST

/* xorshift64: a long reproducible sequence without rand_r's 31 bits. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* bh_parse_double against glibc's strtod (correctly rounded) on texts that
 * Clinger's method can not take: up to 19 digits with exponents across the
 * whole range, 17 to 19 digits next to the midpoint of two doubles (the
 * cases where the 128-bit product must give up), and doubles printed with
 * 1 to 19 digits. */
START_TEST(double_against_strtod)
{
	uint64_t state = 88172645463325252u;
	char buf[64];
	long mismatches = 0;
	for (long i = 0; i < 3000000; i++) {
		uint64_t r = next_random(&state), bits;
		double d = 0, got = 0.25, want;
		int len, ret;
		if (i % 3 == 0) {
			uint64_t m = next_random(&state), limit = 1;
			for (int nd = 1 + (int)(r % 19); nd > 0; nd--)
				limit *= 10;
			len = snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)(m % limit),
				       (int)(r >> 8 & 1023) % 700 - 350);
		} else {
			bits = next_random(&state) & UINT64_C(0x7fefffffffffffff);
			memcpy(&d, &bits, sizeof d);
			if (i % 3 == 1) {
				long double mid = ((long double)d + (long double)nextafter(d, INFINITY)) / 2;
				len = snprintf(buf, sizeof buf, "%.*Le", 16 + (int)(r % 3), mid);
			} else {
				len = snprintf(buf, sizeof buf, "%.*e", (int)(r % 19), d);
			}
		}
		want = strtod(buf, NULL);
		ret = bh_parse_double(buf, (size_t)len, &got);
		if (isinf(want) ? ret != -ERANGE : ret != 0 || memcmp(&got, &want, sizeof got) != 0) {
			if (mismatches++ < 5)
				fprintf(stderr, "%s: %a (%d), strtod %a\n", buf, got, ret, want);
		}
	}
	ck_assert_msg(mismatches == 0, "%ld texts read differently from strtod", mismatches);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse-padded");
	TCase *tc = tcase_create("padded");
	int failed;
	SRunner *sr;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, long_every_short_text);
	tcase_add_test(tc, double_every_short_text);
	tcase_add_test(tc, long_random_numbers);
	tcase_add_test(tc, double_random_numbers);
	tcase_add_test(tc, double_against_strtod);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
