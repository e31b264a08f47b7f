/* bulkhead SDK: fast, locale-independent conversion between text and values.
 * Link with -lbulkhead-sdk (pkg-config bulkhead-sdk).  Nothing here allocates. */
#ifndef BULKHEAD_TEXT_H
#define BULKHEAD_TEXT_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <bulkhead/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Buffer sizes that always suffice. */
#define BH_LONG_MAX_CHARS 21
#define BH_DOUBLE_MAX_CHARS 32
#define BH_TIMESTAMP_MAX_CHARS 128

/* Parses a whole field (no surrounding space, no trailing bytes).
 * Returns 0, -EINVAL for malformed text or -ERANGE for overflow. */
int bh_parse_long(const char *s, size_t n, int64_t *out);
/* Accepts decimal and exponent forms, "NaN", "Infinity", "-Infinity", "inf". */
int bh_parse_double(const char *s, size_t n, double *out);
/* true/false, yes/no, on/off, 1/0, t/f, y/n (any case). */
int bh_parse_boolean(const char *s, size_t n, int *out);

/* Bytes after a field that bh_parse_long_padded and bh_parse_double_padded
 * may read (and ignore). */
#define BH_PARSE_PADDING 16

/* bh_parse_long and bh_parse_double with the same results, faster for short
 * values (up to 8 digits; for doubles also a point and up to 8 more): these
 * are decided inline, 8 digits in one word, without a call or a branch on
 * their length; anything else goes to the functions above.  They read
 * whole words, so s[0 .. n + BH_PARSE_PADDING) must be readable (e.g. the
 * rest of a record in a buffer); use the plain functions when it is not. */
#if defined(__GNUC__)
#define BH_TEXT_INLINE_ static inline __attribute__((always_inline))
#else
#define BH_TEXT_INLINE_ static inline
#endif
BH_TEXT_INLINE_ int bh_parse_long_padded(const char *s, size_t n, int64_t *out);
BH_TEXT_INLINE_ int bh_parse_double_padded(const char *s, size_t n, double *out);

/* Writes the text of v without a NUL and returns its length.  buf must have
 * room for BH_LONG_MAX_CHARS bytes (BH_DOUBLE_MAX_CHARS for doubles) whatever
 * the value: the formatters store whole words and may write scratch bytes
 * past the returned length (never past those sizes). */
size_t bh_format_long(int64_t v, char *buf);
/* The shortest decimal that reads back as the same double; integers print
 * with a trailing ".0" ("1.0"), NaN as "NaN", infinities as "Infinity" and
 * "-Infinity", negative zero as "-0.0". */
size_t bh_format_double(double v, char *buf);

/* Is s[0..n) well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF)? */
int bh_utf8_valid(const char *s, size_t n);
/* Bytes of the longest well-formed prefix of s[0..n). */
size_t bh_utf8_prefix(const char *s, size_t n);

/* Timestamps.  format is strftime-like with %N (nanoseconds, or %3N/%6N/%9N
 * digits) and %z/%Z; NULL parses ISO 8601 / "YYYY-MM-DD hh:mm:ss[.frac][ zone]"
 * forms and formats as "%Y-%m-%d %H:%M:%S.%6N %z".  Zones: Z, UTC, +hh:mm, +hhmm. */
int bh_parse_timestamp(const char *s, size_t n, const char *format, bh_timestamp *out);
/* Returns the length written (< cap) or 0 if cap was too small. */
size_t bh_format_timestamp(bh_timestamp t, const char *format, char *buf, size_t cap);
/* The same at a fixed offset from UTC (seconds east, e.g. 32400 for +09:00):
 * text without a zone of its own is read as local time at utc_offset, and
 * output shows local time at utc_offset (%z prints it). */
int bh_parse_timestamp_at(const char *s, size_t n, const char *format, int32_t utc_offset,
			  bh_timestamp *out);
size_t bh_format_timestamp_at(bh_timestamp t, const char *format, int32_t utc_offset, char *buf,
			      size_t cap);
/* A zone as accepted above ("UTC", "GMT", "Z", "+hh", "+hhmm", "+hh:mm", or
 * with "-"): sets *utc_offset in seconds east of UTC, or returns -EINVAL. */
int bh_parse_utc_offset(const char *s, size_t n, int32_t *utc_offset);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t bh_days_from_civil(int64_t y, unsigned m, unsigned d);
void bh_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* For an error about an unknown name: the candidate closest to word (edit
 * distance with adjacent transpositions, ignoring ASCII case) when it is close
 * enough to be a likely typo, else NULL.  Returns one of candidates. */
const char *bh_did_you_mean(const char *word, const char *const *candidates, size_t count);

/* ---- the inline parsers (declared above; the names ending in _ are not API) */

#define BH_TEXT_ZEROS_ UINT64_C(0x3030303030303030)

/* Marks (with nonzero bits in their byte) the bytes of w, first in the lowest
 * byte, that are not ASCII digits: a digit's high nibble is 3 and stays 3
 * when 6 is added.  The lowest mark is exact; a carry out of a byte >= 0xFA
 * (marked itself) may mark bytes above it. */
static inline uint64_t bh_text_nondigits_(uint64_t w)
{
	const uint64_t high = UINT64_C(0xf0f0f0f0f0f0f0f0);
	return ((w & high) ^ BH_TEXT_ZEROS_) | (((w + UINT64_C(0x0606060606060606)) & high) ^ BH_TEXT_ZEROS_);
}

/* The number of the 8 ASCII digits in w (first in the lowest byte): pairs,
 * quads and the whole by multiply-add in 8-, 16- and 32-bit lanes. */
static inline uint64_t bh_text_value8_(uint64_t w)
{
	w -= BH_TEXT_ZEROS_;
	w = (w * 10 + (w >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
	w = (w * 100 + (w >> 16)) & UINT64_C(0x0000ffff0000ffff);
	return (w * 10000 + (w >> 32)) & 0xffffffff;
}

/* The nd (1 to 8) bytes at p as a word of 8 with '0's in front; reads
 * p[0..8). */
static inline uint64_t bh_text_load_digits_(const char *p, size_t nd)
{
	unsigned pad = 8 * (unsigned)(8 - nd);
	uint64_t w;
	memcpy(&w, p, 8);
	return (w << pad) | (BH_TEXT_ZEROS_ & ((UINT64_C(1) << pad) - 1));
}

BH_TEXT_INLINE_ int bh_parse_long_padded(const char *s, size_t n, int64_t *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* s[0] is readable even when n is 0 (then nd is out of range). */
	size_t sign = s[0] == '-' || s[0] == '+', nd = n - sign;
	if (nd - 1 < 8) {
		uint64_t w = bh_text_load_digits_(s + sign, nd);
		if (bh_text_nondigits_(w) == 0) {
			uint64_t neg = 0 - (uint64_t)(s[0] == '-');
			*out = (int64_t)((bh_text_value8_(w) ^ neg) - neg);
			return 0;
		}
	}
#endif
	return bh_parse_long(s, n, out);
}

BH_TEXT_INLINE_ int bh_parse_double_padded(const char *s, size_t n, double *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && FLT_EVAL_METHOD == 0
	static const uint64_t pow10_int[9] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000 };
	static const double pow10_double[9] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 };
	size_t sign = s[0] == '-' || s[0] == '+', len = n - sign, i, f;
	const char *p = s + sign;
	uint64_t w, mark, m;
	double v;
	memcpy(&w, p, 8);
	mark = bh_text_nondigits_(w);
	i = mark ? (size_t)__builtin_ctzll(mark) >> 3 : 8; /* digits before the point */
	if (i == 0)
		goto general;
	if (i == len) {
		v = (double)bh_text_value8_(bh_text_load_digits_(p, i));
	} else {
		/* A point and 1 to 8 digits (f wraps around when len < i + 1). */
		f = len - i - 1;
		if (p[i] != '.' || f - 1 >= 8)
			goto general;
		if (len <= 8) {
			/* All in w (as prices often are): the point dropped by moving
			 * the bytes after it down one, then the len - 1 digits as a
			 * word, with no second load on the way to the division. */
			uint64_t below = (UINT64_C(1) << 8 * i) - 1;
			unsigned pad = 8 * (unsigned)(9 - len);
			w = (w & below) | ((w >> 8) & ~below);
			w = (w << pad) | (BH_TEXT_ZEROS_ & ((UINT64_C(1) << pad) - 1));
			if (bh_text_nondigits_(w) != 0)
				goto general;
			m = bh_text_value8_(w);
		} else {
			uint64_t frac = bh_text_load_digits_(p + i + 1, f);
			if (bh_text_nondigits_(frac) != 0)
				goto general;
			m = bh_text_value8_(bh_text_load_digits_(p, i)) * pow10_int[f] + bh_text_value8_(frac);
			if (m > (UINT64_C(1) << 53))
				goto general;
		}
		/* Clinger: m and 10^f are exact doubles, so one division rounds
		 * correctly, as bh_parse_double does. */
		v = (double)m / pow10_double[f];
	}
	*out = s[0] == '-' ? -v : v;
	return 0;
general:
#endif
	return bh_parse_double(s, n, out);
}

#ifdef __cplusplus
}
#endif
#endif
