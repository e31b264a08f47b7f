/* Unit tests of bh_utf8_valid and bh_utf8_prefix (bulkhead/text.h).
 * The source is included so that every implementation the CPU can run
 * (scalar, SSSE3, AVX2) is tested, each against a reference decoder written
 * differently: from the code point's value, not from byte ranges. */
#include <check.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/src/utf8.c"

/* ---- reference ----------------------------------------------------------- */

/* Bytes of the longest well-formed prefix, decoding code points. */
static size_t ref_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], len;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			len = 2, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += len;
	}
	return n;
}

/* ---- implementations ----------------------------------------------------- */

struct impl {
	const char *name;
	first_bad_group_fn fn;
	int (*supported)(void);
};

static int always(void)
{
	return 1;
}

#ifdef UTF8_X86
static int has_ssse3(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("ssse3");
}

static int has_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#endif

static const struct impl impls[] = {
	{ "scalar", first_bad_group_scalar, always },
#ifdef UTF8_X86
	{ "ssse3", first_bad_group_ssse3, has_ssse3 },
	{ "avx2", first_bad_group_avx2, has_avx2 },
#endif
};
#define NIMPLS (int)(sizeof impls / sizeof impls[0])

/* Makes the public functions use impls[i]; 0 when this CPU cannot run it. */
static int use_impl(int i)
{
	if (!impls[i].supported())
		return 0;
	first_bad_group_impl = impls[i].fn;
	return 1;
}

/* A region between two inaccessible pages: input is placed against each
 * of them in turn, so that reading a byte before or after it faults. */
#define GUARDED_BYTES (80 * 1024)
static unsigned char *guarded;

static void guard_setup(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = GUARDED_BYTES + 2 * (size_t)page;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(p != MAP_FAILED);
	ck_assert_int_eq(mprotect(p, (size_t)page, PROT_NONE), 0);
	ck_assert_int_eq(mprotect(p + page + GUARDED_BYTES, (size_t)page, PROT_NONE), 0);
	guarded = p + page;
}

/* Both functions against the reference on s[0..n), placed against the
 * guard page after it and then against the one before it. */
static void check_sides(const unsigned char *s, size_t n, const char *what, int impl, int sides)
{
	size_t want = ref_prefix(s, n), got = 0;
	int valid = 0;
	if (n > GUARDED_BYTES) /* not ck_assert: in a hot loop each one writes to check's pipe */
		ck_abort_msg("input of %zu bytes is longer than the guarded region", n);
	for (int side = 0; side < sides; side++) {
		char *at = (char *)guarded + (side == 0 ? GUARDED_BYTES - n : 0);
		memmove(at, s, n);
		got = bh_utf8_prefix(at, n);
		valid = bh_utf8_valid(at, n);
		if (got != want || valid != (want == n))
			break;
	}
	if (got != want || valid != (want == n)) {
		char hex[3 * 80 + 1] = "";
		for (size_t i = 0; i < n && i < 80; i++) {
			static const char digits[] = "0123456789abcdef";
			hex[3 * i] = digits[s[i] >> 4];
			hex[3 * i + 1] = digits[s[i] & 15];
			hex[3 * i + 2] = ' ';
			hex[3 * i + 3] = '\0';
		}
		ck_abort_msg("%s, %s: n %zu [%s]: prefix %zu valid %d, want %zu", impls[impl].name, what, n, hex,
			     got, valid, want);
	}
}

static void check_one(const unsigned char *s, size_t n, const char *what, int impl)
{
	check_sides(s, n, what, impl, 2);
}

#include "tests/unit/xorshift.h"

/* Appends one random well-formed character, mostly ASCII and the 2-3 byte
 * forms of the bench data; returns its length. */
static size_t put_char(unsigned char *d)
{
	uint32_t cp;
	switch (rnd() % 8) {
	case 0: case 1: case 2: case 3:
		d[0] = (unsigned char)(0x20 + rnd() % 0x5F);
		return 1;
	case 4:
		cp = 0x80 + (uint32_t)(rnd() % (0x800 - 0x80));
		d[0] = (unsigned char)(0xC0 | cp >> 6);
		d[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	case 5: case 6:
		do
			cp = 0x800 + (uint32_t)(rnd() % (0x10000 - 0x800));
		while (cp >= 0xD800 && cp <= 0xDFFF);
		d[0] = (unsigned char)(0xE0 | cp >> 12);
		d[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		d[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	default:
		cp = 0x10000 + (uint32_t)(rnd() % (0x110000 - 0x10000));
		d[0] = (unsigned char)(0xF0 | cp >> 18);
		d[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		d[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		d[3] = (unsigned char)(0x80 | (cp & 0x3F));
		return 4;
	}
}

/* Random well-formed text of at least n bytes (cap >= n + 4); returns its length. */
static size_t random_text(unsigned char *d, size_t n)
{
	size_t len = 0;
	while (len < n) {
		if (rnd() % 16 == 0) { /* ASCII runs long enough for whole vector blocks */
			size_t run = rnd() % 80;
			for (size_t k = 0; k < run && len < n; k++)
				d[len++] = 'a' + rnd() % 26;
			continue;
		}
		len += put_char(d + len);
	}
	return len;
}

/* ---- tests --------------------------------------------------------------- */

/* Every 1- and 2-byte string, alone and between ASCII at offsets that put
 * it across the 16-, 32- and 64-byte block edges. */
START_TEST(test_exhaustive_short)
{
	static const size_t offsets[] = { 0, 1, 14, 15, 30, 31, 62, 63, 64, 126 };
	unsigned char buf[160];
	if (!use_impl(_i))
		return;
	for (unsigned a = 0; a < 256; a++) {
		buf[0] = (unsigned char)a;
		check_one(buf, 1, "1 byte", _i);
	}
	for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
		for (size_t tail = 0; tail <= 3; tail++) {
			memset(buf, 'x', sizeof buf);
			for (unsigned a = 0; a < 256; a++) {
				for (unsigned b = 0; b < 256; b++) {
					buf[offsets[o]] = (unsigned char)a;
					buf[offsets[o] + 1] = (unsigned char)b;
					check_one(buf, offsets[o] + 2 + tail, "2 bytes", _i);
				}
			}
		}
	}
}
END_TEST

/* Every 3-byte string; alone, and the non-ASCII-led ones across a 64-byte
 * group edge. */
START_TEST(test_exhaustive_3)
{
	unsigned char buf[80];
	if (!use_impl(_i))
		return;
	for (uint32_t v = 0; v < 1u << 24; v++) {
		buf[0] = (unsigned char)(v >> 16);
		buf[1] = (unsigned char)(v >> 8);
		buf[2] = (unsigned char)v;
		check_sides(buf, 3, "3 bytes", _i, 1);
	}
	memset(buf, 'y', sizeof buf);
	for (uint32_t v = 0x800000; v < 1u << 24; v++) {
		buf[62] = (unsigned char)(v >> 16);
		buf[63] = (unsigned char)(v >> 8);
		buf[64] = (unsigned char)v;
		check_sides(buf, 66, "3 bytes at 62", _i, 1);
	}
}
END_TEST

/* 4-byte strings: every lead byte >= 0xC0 with every second byte and the
 * interesting classes of third and fourth bytes; and every combination of
 * those classes in all four places. */
START_TEST(test_exhaustive_4)
{
	static const unsigned char cls[] = { 0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
					     0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xF8, 0xFF };
	const size_t ncls = sizeof cls;
	unsigned char buf[80];
	if (!use_impl(_i))
		return;
	for (unsigned a = 0xC0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++)
			for (size_t c = 0; c < ncls; c++)
				for (size_t d = 0; d < ncls; d++) {
					buf[0] = (unsigned char)a, buf[1] = (unsigned char)b;
					buf[2] = cls[c], buf[3] = cls[d];
					check_one(buf, 4, "4 bytes", _i);
				}
	memset(buf, 'z', sizeof buf);
	for (size_t a = 0; a < ncls; a++)
		for (size_t b = 0; b < ncls; b++)
			for (size_t c = 0; c < ncls; c++)
				for (size_t d = 0; d < ncls; d++)
					for (size_t o = 29; o <= 31; o++) {
						buf[o] = cls[a], buf[o + 1] = cls[b];
						buf[o + 2] = cls[c], buf[o + 3] = cls[d];
						check_one(buf + o, 4, "4 classes", _i);
						check_one(buf, o + 4, "4 classes at block edge", _i);
						check_one(buf, o + 5, "4 classes at block edge", _i);
						memset(buf + o, 'z', 4);
					}
}
END_TEST

/* A valid text cut at every length: the prefix stops at the last whole
 * character. */
START_TEST(test_truncation)
{
	unsigned char buf[1200];
	if (!use_impl(_i))
		return;
	for (int round = 0; round < 20; round++) {
		size_t len = random_text(buf, 1000);
		for (size_t n = 0; n <= len; n++)
			check_one(buf, n, "truncated", _i);
	}
}
END_TEST

/* Random texts with one or two bytes replaced at every offset, placed at
 * every alignment of a 32-byte boundary. */
START_TEST(test_mutations)
{
	static const unsigned char pick[] = { 0x00, 0x22, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
					      0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF };
	unsigned char text[400], *buf = malloc(512 + 64);
	ck_assert_ptr_nonnull(buf);
	if (!use_impl(_i)) {
		free(buf);
		return;
	}
	for (int round = 0; round < 6; round++) {
		size_t len = random_text(text, 150 + rnd() % 200);
		for (size_t align = 0; align < 32; align++) {
			unsigned char *s = buf + align;
			for (size_t at = 0; at < len; at++) {
				memcpy(s, text, len);
				s[at] = rnd() % 2 ? pick[rnd() % sizeof pick] : (unsigned char)rnd();
				check_one(s, len, "one byte changed", _i);
				if (rnd() % 4 == 0) {
					s[(at + 1 + rnd() % 8) % len] = (unsigned char)rnd();
					check_one(s, len, "two bytes changed", _i);
				}
				if (rnd() % 8 == 0) /* a byte dropped: a sequence cut short */
					memmove(s + at, s + at + 1, len - at - 1), check_one(s, len - 1, "byte dropped", _i);
			}
		}
	}
	free(buf);
}
END_TEST

/* Long inputs: the error is found far from the start, after ASCII and
 * after non-ASCII groups, and the prefix ends right before it. */
START_TEST(test_long)
{
	size_t cap = 1 << 16;
	unsigned char *buf = malloc(cap + 8);
	ck_assert_ptr_nonnull(buf);
	if (!use_impl(_i)) {
		free(buf);
		return;
	}
	memset(buf, 'q', cap);
	ck_assert(bh_utf8_valid((const char *)buf, cap));
	ck_assert_uint_eq(bh_utf8_prefix((const char *)buf, cap), cap);
	buf[cap - 1] = 0xE2;
	ck_assert(!bh_utf8_valid((const char *)buf, cap));
	ck_assert_uint_eq(bh_utf8_prefix((const char *)buf, cap), cap - 1);
	size_t len = random_text(buf, cap - 8);
	ck_assert_uint_eq(ref_prefix(buf, len), len);
	check_one(buf, len, "long text", _i);
	for (int k = 0; k < 200; k++) {
		size_t at = rnd() % len;
		unsigned char keep = buf[at];
		buf[at] = 0x80 | (unsigned char)(rnd() % 0x80);
		check_one(buf, len, "long text, one byte changed", _i);
		buf[at] = keep;
	}
	ck_assert(bh_utf8_valid("", 0));
	ck_assert(bh_utf8_valid(NULL, 0));
	ck_assert_uint_eq(bh_utf8_prefix(NULL, 0), 0);
	ck_assert_uint_eq(bh_utf8_prefix("", 0), 0);
	ck_assert(bh_utf8_valid("Jos\xc3\xa9 caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xe2\x82\xac", 22));
	ck_assert_uint_eq(bh_utf8_prefix("caf\xc3", 4), 3);
	ck_assert(!bh_utf8_valid("\xed\xa0\x80", 3));	  /* surrogate */
	ck_assert(!bh_utf8_valid("\xc0\xaf", 2));	  /* overlong */
	ck_assert(!bh_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	ck_assert(bh_utf8_valid("\xf4\x8f\xbf\xbf", 4));
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("all");
	tcase_add_checked_fixture(tc, guard_setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_exhaustive_short, 0, NIMPLS);
	tcase_add_loop_test(tc, test_exhaustive_3, 0, NIMPLS);
	tcase_add_loop_test(tc, test_exhaustive_4, 0, NIMPLS);
	tcase_add_loop_test(tc, test_truncation, 0, NIMPLS);
	tcase_add_loop_test(tc, test_mutations, 0, NIMPLS);
	tcase_add_loop_test(tc, test_long, 0, NIMPLS);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
