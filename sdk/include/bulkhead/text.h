/* bulkhead SDK: fast, locale-independent conversion between text and values.
 * Link with -lbulkhead-sdk (pkg-config bulkhead-sdk).  Nothing here allocates. */
#ifndef BULKHEAD_TEXT_H
#define BULKHEAD_TEXT_H

#include <stddef.h>
#include <stdint.h>
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

#ifdef __cplusplus
}
#endif
#endif
