/* The csv record tokenizer: splits one record into fields (RFC 4180 quoting
 * plus Embulk's escape character and trimming rules), converts each field to
 * its column's type and appends it to the page builder.  Fields are found a
 * word at a time; unquoted strings are copied once, straight into the page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "plugins/csv/parser.h"

#if !defined(__SSE2__)
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Bytes of w equal to the byte replicated in pattern get their high bit set
 * (the lowest match is exact; bits above it may be spurious). */
static inline uint64_t match_byte(uint64_t w, uint64_t pattern)
{
	uint64_t x = w ^ pattern;
	return (x - ONES) & ~x & HIGHS;
}
#endif

/* First byte in [p, end) equal to a, b or c: 16 bytes a step with SSE2 (part
 * of every x86-64), else 8 with word arithmetic. */
static inline __attribute__((always_inline)) const char *scan3(const char *p, const char *end, unsigned char a,
							       unsigned char b, unsigned char c)
{
#if defined(__SSE2__)
	__m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c);
	while (end - p >= 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)),
						       _mm_cmpeq_epi8(w, vc)));
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t pa = ONES * a, pb = ONES * b, pc = ONES * c;
	while (end - p >= 8) {
		uint64_t w, m;
		memcpy(&w, p, 8);
		m = match_byte(w, pa) | match_byte(w, pb) | match_byte(w, pc);
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
		p += 8;
	}
#endif
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b && (unsigned char)*p != c)
		p++;
	return p;
}

/* First byte in [p, end) equal to a, b, '\n' or '\r' (quoted fields). */
static inline __attribute__((always_inline)) const char *scan_quoted(const char *p, const char *end,
								     unsigned char a, unsigned char b)
{
#if defined(__SSE2__)
	__m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
	__m128i vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r');
	while (end - p >= 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)),
						       _mm_or_si128(_mm_cmpeq_epi8(w, vn), _mm_cmpeq_epi8(w, vr))));
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b && *p != '\n' && *p != '\r')
		p++;
	return p;
}

size_t csv_line_length(const char *s, const char *end, int eof)
{
	const char *p = scan3(s, end, '\n', '\r', '\n');
	if (p == end)
		return 0;
	if (*p == '\r') {
		if (p + 1 == end)
			return eof ? (size_t)(end - s) : 0;
		if (p[1] == '\n')
			p++;
	}
	return (size_t)(p + 1 - s);
}

static int invalid(struct csv_task *t, struct csv_result *res, uint32_t column, const char *fmt, ...)
	BH_PRINTF(4, 5);
static int invalid(struct csv_task *t, struct csv_result *res, uint32_t column, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(t->reason)) { /* cut: do not end inside a character */
		size_t len = sizeof(t->reason) - 1;
		while (len && !csv_utf8_valid(t->reason, len))
			len--;
		t->reason[len] = '\0';
	}
	res->column = column;
	return CSV_INVALID;
}

/* Copies a quoted field's content without its escapes into task scratch. */
static int unescape(struct csv_task *t, const char *s, size_t n, size_t *out_len)
{
	const struct csv_parser *p = t->p;
	size_t len = 0;
	if (n > t->scratch_cap) {
		size_t cap = t->scratch_cap ? t->scratch_cap : 256;
		char *b;
		while (cap < n)
			cap *= 2;
		b = realloc(t->scratch, cap);
		if (!b)
			return -ENOMEM;
		t->scratch = b;
		t->scratch_cap = cap;
	}
	/* Copy runs between quote/escape characters whole. */
	const char *q = s, *end = s + n;
	unsigned char quote = (unsigned char)p->quote;
	unsigned char esc = p->escape >= 0 ? (unsigned char)p->escape : quote;
	while (q < end) {
		const char *c = scan3(q, end, quote, esc, quote);
		memcpy(t->scratch + len, q, (size_t)(c - q));
		len += (size_t)(c - q);
		if (c == end)
			break;
		if (c + 1 < end && ((unsigned char)*c == quote ? (unsigned char)c[1] == quote
							 : ((unsigned char)c[1] == quote || (unsigned char)c[1] == esc)))
			c++; /* keep the escaped character, drop its escape */
		t->scratch[len++] = *c;
		q = c + 1;
	}
	*out_len = len;
	return 0;
}

#define EXCERPT_MAX 64 /* bytes of a value quoted in a message */

/* A value for messages: at most EXCERPT_MAX bytes, control characters and
 * bytes that are not UTF-8 written as \xNN, so a reason is always text. */
static const char *excerpt(struct csv_task *t, const char *v, size_t n)
{
	char *o = t->excerpt;
	size_t len = 0;
	for (size_t i = 0; i < n && len + 8 < sizeof(t->excerpt) && i < EXCERPT_MAX;) {
		unsigned char c = (unsigned char)v[i];
		size_t seq = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		if (seq > 1 && (i + seq > n || !csv_utf8_valid(v + i, seq)))
			seq = 0;
		if (seq == 0 || c < 0x20 || c == 0x7f) {
			len += (size_t)snprintf(o + len, 5, "\\x%02x", c);
			i++;
		} else {
			memcpy(o + len, v + i, seq);
			len += seq;
			i += seq;
		}
	}
	if (n > EXCERPT_MAX && len + 4 < sizeof(t->excerpt)) {
		memcpy(o + len, "...", 3);
		len += 3;
	}
	o[len] = '\0';
	return o;
}

/* Converts one field of column c and stores it; returns CSV_INVALID on a bad
 * value.  With `deferred` string cells are not checked for UTF-8 here: the
 * caller validates the whole record once instead. */
static inline __attribute__((always_inline)) int store(struct csv_task *t, struct csv_result *res, uint32_t c,
							  const char *v, size_t n, int quoted, int deferred)
{
	const struct csv_parser *p = t->p;
	const struct csv_column *col = &p->cols[c];
	bh_page_builder *pb = t->pb;
	int r = 0;
	if (p->null_string ? (n == p->null_len && memcmp(v, p->null_string, n) == 0) : (n == 0 && !quoted)) {
		bh_pb_null(pb, c);
		return CSV_RECORD;
	}
	switch (col->type) {
	case BH_TYPE_STRING:
		if (!deferred && !csv_utf8_ok(v, n))
			return invalid(t, res, c + 1, "column '%s' (string): invalid UTF-8", col->name);
		r = bh_pb_string(pb, c, v, n);
		if (r < 0) {
			res->error = r;
			return CSV_FAIL;
		}
		return CSV_RECORD;
	case BH_TYPE_LONG: {
		int64_t l;
		if ((r = bh_parse_long(v, n, &l)) == 0) {
			bh_pb_long(pb, c, l);
			return CSV_RECORD;
		}
		break;
	}
	case BH_TYPE_DOUBLE: {
		double d;
		if ((r = bh_parse_double(v, n, &d)) == 0) {
			bh_pb_double(pb, c, d);
			return CSV_RECORD;
		}
		break;
	}
	case BH_TYPE_BOOLEAN: {
		int b;
		if ((r = bh_parse_boolean(v, n, &b)) == 0) {
			bh_pb_boolean(pb, c, b);
			return CSV_RECORD;
		}
		break;
	}
	case BH_TYPE_TIMESTAMP: {
		bh_timestamp ts;
		if ((r = bh_parse_timestamp_at(v, n, col->format, col->zone, &ts)) == 0) {
			bh_pb_timestamp(pb, c, ts);
			return CSV_RECORD;
		}
		return invalid(t, res, c + 1, "column '%s' (timestamp): \"%s\" does not match format \"%s\"",
			       col->name, excerpt(t, v, n), col->format ? col->format : "ISO 8601");
	}
	case BH_TYPE_JSON:
		if (!csv_utf8_ok(v, n))
			return invalid(t, res, c + 1, "column '%s' (json): invalid UTF-8", col->name);
		if (!csv_json_valid(v, n))
			return invalid(t, res, c + 1, "column '%s' (json): \"%s\" is not valid JSON", col->name,
				       excerpt(t, v, n));
		r = bh_pb_string(pb, c, v, n);
		if (r < 0) {
			res->error = r;
			return CSV_FAIL;
		}
		return CSV_RECORD;
	}
	return invalid(t, res, c + 1, "column '%s' (%s): %s \"%s\"", col->name, bh_type_name(col->type),
		       r == -ERANGE ? "value out of range" : "invalid value", excerpt(t, v, n));
}

/* The record failed in a way that hides where it ends: report it as its
 * first line and resume after that line (as Embulk does). */
static int resync(const char *s, const char *end, int eof, struct csv_result *res)
{
	size_t n = csv_line_length(s, end, eof);
	if (n == 0 && !eof)
		return CSV_INCOMPLETE;
	res->consumed = n ? n : (size_t)(end - s);
	res->lines = 1;
	res->resync = 1;
	return CSV_INVALID;
}

/* `simple` (a one-byte delimiter, no trimming) and `deferred` are constants
 * at each call, so the common configuration runs without their branches. */
static inline __attribute__((always_inline)) enum csv_status
parse_record_as(struct csv_task *t, const char *s, const char *end, int eof, struct csv_result *res,
		const int deferred, const int simple)
{
	const struct csv_parser *p = t->p;
	const char *q = s;
	unsigned char d0 = (unsigned char)p->delim[0];
	uint32_t col = 0;
	int status = CSV_RECORD;
	/* Options as locals: stores into the page could alias *p for the compiler. */
	const size_t delim_len = simple ? 1 : p->delim_len;
	const int trim = simple ? 0 : p->trim, quote = p->quote;
	const uint32_t ncols = p->ncols;

	memset(res, 0, sizeof(*res));
	if (q == end)
		return eof ? CSV_SKIP : CSV_INCOMPLETE;
	/* Empty lines and comment lines are skipped, as in Embulk. */
	if (*q == '\n' || *q == '\r' ||
	    (p->comment && (size_t)(end - q) >= p->comment_len && memcmp(q, p->comment, p->comment_len) == 0)) {
		size_t n = csv_line_length(q, end, eof);
		if (n == 0 && !eof)
			return CSV_INCOMPLETE;
		res->consumed = n ? n : (size_t)(end - s);
		res->lines = 1;
		return CSV_SKIP;
	}
	if (p->comment && (size_t)(end - q) < p->comment_len && !eof &&
	    memcmp(q, p->comment, (size_t)(end - q)) == 0)
		return CSV_INCOMPLETE;

	for (;;) {
		const char *v, *f;
		size_t n;
		int quoted = 0, r;

		while (trim && q < end && *q == ' ')
			q++;
		if (quote >= 0 && q < end && (unsigned char)*q == quote) {
			/* A quoted field: find its closing quote. */
			int escaped = 0;
			const char *c = q + 1;
			unsigned char esc = p->escape >= 0 ? (unsigned char)p->escape : (unsigned char)quote;
			for (;;) {
				c = scan_quoted(c, end, (unsigned char)quote, esc);
				if ((size_t)(c - (q + 1)) > p->max_quoted) {
					res->column = col + 1;
					snprintf(t->reason, sizeof(t->reason),
						 "column %u: quoted field larger than max_quoted_size_limit (%zu bytes)",
						 col + 1, p->max_quoted);
					return resync(s, end, eof, res);
				}
				if (c == end) {
					if (!eof)
						return CSV_INCOMPLETE;
					res->column = col + 1;
					snprintf(t->reason, sizeof(t->reason),
						 "column %u: unterminated quoted field (missing closing quote)", col + 1);
					return resync(s, end, eof, res);
				}
				if (c + 1 == end && !eof)
					return CSV_INCOMPLETE; /* need the next byte to decide */
				if (*c == '\n' || *c == '\r') { /* a line end inside quotes */
					if (*c == '\n' || c + 1 == end || c[1] != '\n')
						res->lines++;
					c++;
					continue;
				}
				if ((unsigned char)*c == quote) {
					if (c + 1 < end && (unsigned char)c[1] == quote) {
						escaped = 1;
						c += 2;
						continue;
					}
					break;
				}
				/* the escape character (distinct from the quote) */
				if (c + 1 < end && ((int)(unsigned char)c[1] == quote || (unsigned char)c[1] == esc)) {
					escaped = 1;
					c += 2;
				} else {
					c++;
				}
			}
			v = q + 1;
			n = (size_t)(c - v);
			if (escaped) {
				r = unescape(t, v, n, &n);
				if (r < 0) {
					res->error = r;
					return CSV_FAIL;
				}
				v = t->scratch;
			}
			quoted = 1;
			f = c + 1;
			while (f < end && *f == ' ')
				f++;
			if (f == end && !eof)
				return CSV_INCOMPLETE;
			if (f < end && (unsigned char)*f != d0 && *f != '\n' && *f != '\r') {
				res->column = col + 1;
				snprintf(t->reason, sizeof(t->reason),
					 "column %u: unexpected character '%s' after a quoted field", col + 1,
					 excerpt(t, f, 1));
				return resync(s, end, eof, res);
			}
		} else {
			/* An unquoted field runs to the delimiter or the line end. */
			v = q;
			f = q;
			for (;;) {
				f = scan3(f, end, d0, '\n', '\r');
				if (f == end || *f != (char)d0 || delim_len == 1)
					break;
				if ((size_t)(end - f) < delim_len && !eof)
					return CSV_INCOMPLETE;
				if ((size_t)(end - f) >= delim_len && memcmp(f, p->delim, delim_len) == 0)
					break;
				f++;
			}
			if (f == end && !eof)
				return CSV_INCOMPLETE;
			n = (size_t)(f - v);
			while (trim && n && v[n - 1] == ' ')
				n--;
		}
		/* f is now at a delimiter, a line end or the end of input. */
		if (f < end && (unsigned char)*f == d0 && delim_len > 1) {
			if ((size_t)(end - f) < delim_len) {
				if (!eof)
					return CSV_INCOMPLETE;
			} else if (memcmp(f, p->delim, delim_len) != 0) {
				res->column = col + 1;
				snprintf(t->reason, sizeof(t->reason),
					 "column %u: unexpected character '%s' after a quoted field", col + 1,
					 excerpt(t, f, 1));
				return resync(s, end, eof, res);
			}
		}
		if (col < ncols) {
			if (status == CSV_RECORD) {
				r = store(t, res, col, v, n, quoted, deferred);
				if (r == CSV_FAIL)
					return CSV_FAIL;
				status = r;
			}
		} else if (!p->allow_extra && status == CSV_RECORD) {
			status = invalid(t, res, col + 1, "too many columns (expected %u)", ncols);
		}
		col++;
		if (f < end && (unsigned char)*f == d0 &&
		    (delim_len == 1 || ((size_t)(end - f) >= delim_len && memcmp(f, p->delim, delim_len) == 0))) {
			q = f + delim_len;
			continue;
		}
		/* The line end (or the end of input) ends the record. */
		if (f < end) {
			if (*f == '\r') {
				if (f + 1 == end && !eof)
					return CSV_INCOMPLETE;
				if (f + 1 < end && f[1] == '\n')
					f++;
			}
			f++;
			res->lines++;
		}
		res->consumed = (size_t)(f - s);
		break;
	}
	if (res->consumed > p->max_line) {
		/* Reported the way the chunk loop must report it when it can not
		 * buffer the record: its first max_line_size bytes, and when the
		 * record spans lines, reading resumes after its first line. */
		size_t first = csv_line_length(s, s + res->consumed, 1);
		snprintf(t->reason, sizeof(t->reason), "record larger than max_line_size (%zu bytes)", p->max_line);
		res->column = 0;
		if (res->lines > 1) {
			res->consumed = first;
			res->lines = 1;
			res->resync = 1;
		}
		res->raw_len = first < p->max_line ? first : p->max_line;
		return CSV_INVALID;
	}
	if (col < ncols && status == CSV_RECORD) {
		if (!p->allow_optional)
			return invalid(t, res, col + 1, "too few columns (expected %u, got %u)", ncols, col);
		for (; col < ncols; col++)
			bh_pb_null(t->pb, col);
	}
	return status;
}

static enum csv_status parse_record(struct csv_task *t, const char *s, const char *end, int eof,
				   struct csv_result *res, int deferred)
{
	if (deferred && t->p->delim_len == 1 && !t->p->trim)
		return parse_record_as(t, s, end, eof, res, 1, 1);
	if (deferred)
		return parse_record_as(t, s, end, eof, res, 1, 0);
	return parse_record_as(t, s, end, eof, res, 0, 0);
}

/* Strings are validated a record at a time rather than per field: fields
 * split a record only at ASCII bytes (delimiters, quotes, escapes, spaces),
 * so when the record's bytes are valid UTF-8 so is every field.  When they
 * are not, or the record is invalid for another reason, it is parsed again
 * checking field by field, so the reason names the same column as a
 * field-by-field parse would. */
enum csv_status csv_parse_record(struct csv_task *t, const char *s, const char *end, int eof,
				 struct csv_result *res)
{
	enum csv_status st = parse_record(t, s, end, eof, res, 1);
	if (st == CSV_RECORD ? csv_utf8_ok(s, res->consumed) : st != CSV_INVALID)
		return st;
	bh_pb_discard_record(t->pb);
	return parse_record(t, s, end, eof, res, 0);
}
