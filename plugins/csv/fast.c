/* The csv tokenizer's fast path: one record in the common configuration (a
 * one-byte delimiter, a quote character, no trimming), found from 64-bit
 * masks of the bytes that can end a field, 64 input bytes per mask, and
 * stored straight into the current row of the page.
 *
 * It handles only records it can finish without a judgement call: anything
 * else (the end of the data before the record ends, a line end inside
 * quotes, bytes after a closing quote, a lone \r, too few or too many
 * columns, a value its column rejects, an oversized record, a comment or
 * empty line) makes it give up, and csv_parse_record parses the record again
 * with the general tokenizer (record.c), which decides and words the reason.
 * So the fast path never changes what a record means, only how fast the
 * plain ones go. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "plugins/csv/parser.h"

#define WINDOW 64 /* input bytes per mask */

/* Bit i of each mask stands for byte base[i] of a window.  When the data
 * ends inside the window, the bit for its end is set in both masks, so a
 * search always stops there. */
struct masks {
	uint64_t field_end; /* delimiter, \n, \r */
	uint64_t special;   /* quote, escape, \n, \r: what a quoted field must look at */
};

/* The settings the loop needs, in locals (stores into the page could alias
 * the parser's struct for the compiler).  The masks compare with the bytes
 * of t->fast_rep in memory: broadcasts held in registers across the loop
 * would be spilled and reloaded at every field. */
struct fast_keys {
	unsigned char delim, quote, esc;
	const unsigned char (*rep)[32]; /* FAST_REP_* */
};

enum { FAST_REP_DELIM, FAST_REP_QUOTE, FAST_REP_ESC, FAST_REP_LF, FAST_REP_CR };

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX2_PATH 1
/* The masks 32 bytes a step, on CPUs with AVX2.  Not always_inline: it is
 * inlined into the AVX2 copy of the record loop only (fast_record_avx2). */
static inline __attribute__((target("avx2"))) struct masks masks64_avx2(const char *src, struct fast_keys k)
{
	struct masks m = { 0, 0 };
#pragma GCC unroll 2
	for (int i = 0; i < 2; i++) {
		__m256i d = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_DELIM]);
		__m256i q = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_QUOTE]);
		__m256i e = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_ESC]);
		__m256i lf = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_LF]);
		__m256i cr = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_CR]);
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(src + 32 * i));
		__m256i nl = _mm256_or_si256(_mm256_cmpeq_epi8(x, lf), _mm256_cmpeq_epi8(x, cr));
		uint32_t mf = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(nl, _mm256_cmpeq_epi8(x, d)));
		uint32_t ms = (uint32_t)_mm256_movemask_epi8(
			_mm256_or_si256(nl, _mm256_or_si256(_mm256_cmpeq_epi8(x, q), _mm256_cmpeq_epi8(x, e))));
		m.field_end |= (uint64_t)mf << (32 * i);
		m.special |= (uint64_t)ms << (32 * i);
	}
	return m;
}
#endif

/* The masks of src[0..64): 16 bytes a step with SSE2 (part of every x86-64),
 * else a byte at a time. */
static inline __attribute__((always_inline)) struct masks masks64_sse2(const char *src, struct fast_keys k)
{
	struct masks m = { 0, 0 };
#if defined(__SSE2__)
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		__m128i d = _mm_loadu_si128((const __m128i *)(const void *)k.rep[FAST_REP_DELIM]);
		__m128i q = _mm_loadu_si128((const __m128i *)(const void *)k.rep[FAST_REP_QUOTE]);
		__m128i e = _mm_loadu_si128((const __m128i *)(const void *)k.rep[FAST_REP_ESC]);
		__m128i lf = _mm_loadu_si128((const __m128i *)(const void *)k.rep[FAST_REP_LF]);
		__m128i cr = _mm_loadu_si128((const __m128i *)(const void *)k.rep[FAST_REP_CR]);
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + 16 * i));
		__m128i nl = _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr));
		uint32_t mf = (uint32_t)_mm_movemask_epi8(_mm_or_si128(nl, _mm_cmpeq_epi8(x, d)));
		uint32_t ms = (uint32_t)_mm_movemask_epi8(
			_mm_or_si128(nl, _mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, e))));
		m.field_end |= (uint64_t)mf << (16 * i);
		m.special |= (uint64_t)ms << (16 * i);
	}
#else
	for (int i = 0; i < WINDOW; i++) {
		unsigned char c = (unsigned char)src[i];
		uint64_t nl = c == '\n' || c == '\r';
		m.field_end |= (nl | (c == k.delim)) << i;
		m.special |= (nl | (c == k.quote) | (c == k.esc)) << i;
	}
#endif
	return m;
}

/* The masks of [p, end) and end, fewer than 64 bytes (the end of a chunk). */
static __attribute__((noinline)) struct masks window_short(const char *p, const char *end, struct fast_keys k)
{
	size_t avail = (size_t)(end - p);
	uint64_t stop = UINT64_C(1) << avail;
	char pad[WINDOW];
	struct masks m;
	memcpy(pad, p, avail);
	memset(pad + avail, 0, WINDOW - avail);
	m = masks64_sse2(pad, k);
	m.field_end = (m.field_end & (stop - 1)) | stop;
	m.special = (m.special & (stop - 1)) | stop;
	return m;
}

/* The masks of [p, p + 64), or of [p, end) and end. */
static inline __attribute__((always_inline)) struct masks window_load(const char *p, const char *end,
									struct fast_keys k, const int avx2)
{
	if (end - p < WINDOW)
		return window_short(p, end, k);
#if defined(HAVE_AVX2_PATH)
	if (avx2)
		return masks64_avx2(p, k);
#endif
	return masks64_sse2(p, k);
}

/* The first byte at or after p (*base <= p <= end) marked in the chosen
 * mask, end when there is none before it; moves the window (*base, *m)
 * forward as needed. */
static inline __attribute__((always_inline)) const char *window_next(const char **base, struct masks *m,
								     const char *p, const char *end,
								     struct fast_keys k, const int special,
								     const int avx2)
{
	for (;;) {
		size_t off = (size_t)(p - *base);
		if (off < WINDOW) {
			uint64_t bits = (special ? m->special : m->field_end) >> off;
			if (bits)
				return p + __builtin_ctzll(bits);
			/* Nothing from p on: the window is whole (a short one has its
			 * end bit), so base + 64 <= end, and the search goes on there. */
			p = *base + WINDOW;
		}
		*base = p;
		*m = window_load(p, end, k, avx2);
	}
}

#define ARENA_SLACK 64 /* arena bytes past a value copy_run may write */

/* The page arena as the record loop keeps it, in locals (stores into cells
 * could alias the page for the compiler); written back when the record is
 * done. */
struct arena {
	char *bytes;
	size_t len, cap;
};

/* Room for n more bytes plus the copy slack: grows the arena (rarely). */
static __attribute__((noinline)) int arena_grow(bh_page_builder *pb, struct arena *a, size_t n)
{
	int r;
	pb->page.arena_len = a->len;
	if ((r = pb->reserve(pb, n + ARENA_SLACK)) < 0)
		return r;
	a->bytes = pb->page.arena;
	a->cap = pb->page.arena_cap;
	return 0;
}

static inline int arena_room(bh_page_builder *pb, struct arena *a, size_t n)
{
	return a->cap - a->len >= n + ARENA_SLACK ? 0 : arena_grow(pb, a, n);
}

#if defined(HAVE_AVX2_PATH)
/* 64 bytes as two 32-byte moves (inlined into the AVX2 loop only). */
static inline __attribute__((target("avx2"))) void copy64_avx2(char *dst, const char *src)
{
	__m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)src);
	__m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(src + 32));
	_mm256_storeu_si256((__m256i *)(void *)dst, x0);
	_mm256_storeu_si256((__m256i *)(void *)(dst + 32), x1);
}
#endif

/* Copies n bytes.  Up to 64 with fixed moves (four of 16 bytes, or two of
 * 32 with AVX2), no branch on the length, when the input has 64 bytes to
 * read from src (before end): the arena has the slack for the excess, which
 * the next copy or value overwrites.  Else memcpy. */
static inline __attribute__((always_inline)) void copy_run(char *dst, const char *src, size_t n, const char *end,
							   const int avx2)
{
	if (n <= 64 && end - src >= 64) {
#if defined(HAVE_AVX2_PATH)
		if (avx2) {
			copy64_avx2(dst, src);
			return;
		}
#endif
#if defined(__SSE2__)
		__m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)src);
		__m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(src + 16));
		__m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(src + 32));
		__m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(src + 48));
		_mm_storeu_si128((__m128i *)(void *)dst, x0);
		_mm_storeu_si128((__m128i *)(void *)(dst + 16), x1);
		_mm_storeu_si128((__m128i *)(void *)(dst + 32), x2);
		_mm_storeu_si128((__m128i *)(void *)(dst + 48), x3);
#else
		char tmp[64];
		memcpy(tmp, src, 64);
		memcpy(dst, tmp, 64);
#endif
	} else {
		memcpy(dst, src, n);
	}
}

#define MAX_DROPS 16 /* escapes of a quoted field the fast path keeps track of */

/* A quoted field's content without its escapes: the bytes at drop[0..ndrop)
 * (in order) are left out.  Returns the length written to dst. */
static inline __attribute__((always_inline)) size_t unescape_to(char *dst, const char *v, size_t n,
								const char *const *drop, unsigned ndrop,
								const char *end, const int avx2)
{
	size_t len = 0;
	for (unsigned i = 0; i < ndrop; i++) {
		size_t run = (size_t)(drop[i] - v);
		copy_run(dst + len, v, run, end, avx2);
		len += run;
		n -= run + 1;
		v = drop[i] + 1;
	}
	copy_run(dst + len, v, n, end, avx2);
	return len + n;
}

/* A string or json cell of the n bytes just written at the arena's end. */
static inline __attribute__((always_inline)) int put_text(bh_value *cell, bh_type type, struct arena *a, size_t n)
{
	/* Strings are checked for UTF-8 a window of records at a time
	 * (csv_parse_record); json cells here, as record.c does. */
	if (type == BH_TYPE_JSON && (!csv_utf8_ok(a->bytes + a->len, n) || !csv_json_valid(a->bytes + a->len, n)))
		return -1;
	cell->u.s.off = (uint32_t)a->len;
	cell->u.s.len = (uint32_t)n;
	cell->is_null = 0;
	a->len += n;
	return 0;
}

/* Converts and stores a value without escapes (not null); 0, or -1 to give
 * the record up. */
static inline __attribute__((always_inline)) int put_value(bh_page_builder *pb, const struct csv_column *col,
							  bh_value *cell, struct arena *a, const char *v, size_t n,
							  const char *end, const int avx2)
{
	bh_type type = col->type;
	/* Tests rather than a switch for the common types: a schema repeats its
	 * pattern every record, which the branch predictor learns. */
	if (type == BH_TYPE_STRING || type == BH_TYPE_JSON) {
		if (arena_room(pb, a, n) < 0)
			return -1;
		copy_run(a->bytes + a->len, v, n, end, avx2);
		return put_text(cell, type, a, n);
	}
	/* Numbers: short ones inline, reading past the value within the input. */
	if (type == BH_TYPE_LONG) {
		if ((end - (v + n) >= BH_PARSE_PADDING ? bh_parse_long_padded(v, n, &cell->u.l)
						       : bh_parse_long(v, n, &cell->u.l)) < 0)
			return -1;
		cell->is_null = 0;
		return 0;
	}
	if (type == BH_TYPE_DOUBLE) {
		if ((end - (v + n) >= BH_PARSE_PADDING ? bh_parse_double_padded(v, n, &cell->u.d)
						       : bh_parse_double(v, n, &cell->u.d)) < 0)
			return -1;
		cell->is_null = 0;
		return 0;
	}
	switch (type) {
	case BH_TYPE_BOOLEAN: {
		int b;
		if (bh_parse_boolean(v, n, &b) < 0)
			return -1;
		cell->u.b = b ? 1 : 0;
		break;
	}
	case BH_TYPE_TIMESTAMP:
		if (bh_parse_timestamp_at(v, n, col->format, col->zone, &cell->u.t) < 0)
			return -1;
		break;
	default:
		return -1;
	}
	cell->is_null = 0;
	return 0;
}

/* One record, with the masks of the CPU's choice (avx2 is a constant at each
 * call: the loop is compiled once per mask variant, the masks inline). */
static inline __attribute__((always_inline)) int fast_record(struct csv_task *t, const char *s, const char *end,
							     struct csv_result *res, const int avx2)
{
	const struct csv_parser *p = t->p;
	const struct csv_column *const cols = p->cols;
	const struct csv_column *const cols_end = cols + p->ncols;
	const size_t max_quoted = p->max_quoted, null_len = p->null_len;
	const char *const null_string = p->null_string;
	bh_page_builder *const pb = t->pb;
	bh_value *cell = bh_pb_row(pb);
	const struct csv_column *cd;
	struct arena a;
	struct fast_keys k;
	struct masks m;
	const char *base, *q = s, *f;

	k.rep = (const unsigned char(*)[32])t->fast_rep;
	k.delim = k.rep[FAST_REP_DELIM][0];
	k.quote = k.rep[FAST_REP_QUOTE][0];
	k.esc = k.rep[FAST_REP_ESC][0];
	if (s == end || *s == '\n' || *s == '\r' || (p->comment && *s == p->comment[0]))
		return 0;
	if (t->win_base && s >= t->win_base && s < t->win_base + WINDOW && t->win_end == end) {
		base = t->win_base; /* the previous record ended in this window */
		m.field_end = t->win_field_end;
		m.special = t->win_special;
	} else {
		base = s;
		m = window_load(s, end, k, avx2);
	}
	a.bytes = pb->page.arena;
	a.len = pb->page.arena_len;
	a.cap = pb->page.arena_cap;
	for (cd = cols;; cd++, cell++) {
		if (q == end)
			return 0;
		if ((unsigned char)*q != k.quote) {
			/* An unquoted field runs to the delimiter or the line end. */
			size_t n;
			f = window_next(&base, &m, q, end, k, 0, avx2);
			if (f == end)
				return 0;
			n = (size_t)(f - q);
			/* (null_len is 0 without a null_string: one test per field) */
			if (n == null_len && (!null_string || memcmp(q, null_string, n) == 0))
				cell->is_null = 1;
			else if (put_value(pb, cd, cell, &a, q, n, end, avx2) < 0)
				return 0;
		} else {
			/* A quoted field: its closing quote, and the escapes before it. */
			const char *drop[MAX_DROPS], *c = q + 1, *v = q + 1;
			unsigned ndrop = 0;
			size_t n;
			for (;;) {
				c = window_next(&base, &m, c, end, k, 1, avx2);
				if (c + 1 >= end || *c == '\n' || *c == '\r')
					return 0;
				if ((unsigned char)*c == k.quote) {
					if ((unsigned char)c[1] != k.quote)
						break; /* the closing quote */
				} else if ((unsigned char)c[1] != k.quote && (unsigned char)c[1] != k.esc) {
					c++; /* the escape character before an ordinary byte */
					continue;
				}
				if (ndrop == MAX_DROPS)
					return 0;
				drop[ndrop++] = c;
				c += 2;
			}
			n = (size_t)(c - v);
			f = c + 1;
			if (n > max_quoted || ((unsigned char)*f != k.delim && *f != '\n' && *f != '\r'))
				return 0;
			if (ndrop == 0) {
				if (n == null_len && null_string && memcmp(v, null_string, n) == 0)
					cell->is_null = 1;
				else if (put_value(pb, cd, cell, &a, v, n, end, avx2) < 0)
					return 0;
			} else {
				/* null_string is compared with the unescaped value: rare,
				 * left to record.c, as are escapes in other types. */
				if (null_string || (cd->type != BH_TYPE_STRING && cd->type != BH_TYPE_JSON) ||
				    arena_room(pb, &a, n) < 0)
					return 0;
				n = unescape_to(a.bytes + a.len, v, n, drop, ndrop, end, avx2);
				if (put_text(cell, cd->type, &a, n) < 0)
					return 0;
			}
		}
		if ((unsigned char)*f == k.delim) {
			if (cd + 1 == cols_end)
				return 0; /* too many columns */
			q = f + 1;
			continue;
		}
		if (*f == '\r') {
			if (f + 1 == end)
				return 0;
			if (f[1] == '\n')
				f++;
		}
		f++;
		break;
	}
	if (cd + 1 != cols_end || (size_t)(f - s) > p->max_line)
		return 0;
	pb->page.arena_len = a.len;
	t->win_base = base;
	t->win_end = end;
	t->win_field_end = m.field_end;
	t->win_special = m.special;
	memset(res, 0, sizeof(*res));
	res->consumed = (size_t)(f - s);
	res->lines = 1;
	return 1;
}

#if defined(HAVE_AVX2_PATH)
/* (BMI1/2 come with AVX2 and are checked with it: shifts and bit counts
 * without flags.) */
static __attribute__((noinline, target("avx2,bmi,bmi2"))) int fast_record_avx2(struct csv_task *t, const char *s,
									       const char *end, struct csv_result *res)
{
	return fast_record(t, s, end, res, 1);
}
#endif

static __attribute__((noinline)) int fast_record_sse2(struct csv_task *t, const char *s, const char *end,
						      struct csv_result *res)
{
	return fast_record(t, s, end, res, 0);
}

int csv_fast_record(struct csv_task *t, const char *s, const char *end, struct csv_result *res)
{
	if (t->fast_mode <= 0) {
		/* decided once per task: a one-byte delimiter, a quote, no trimming */
		const struct csv_parser *p = t->p;
		if (t->fast_mode < 0 || p->delim_len != 1 || p->trim || p->quote < 0) {
			t->fast_mode = -1;
			return 0;
		}
		memset(t->fast_rep[FAST_REP_DELIM], p->delim[0], 32);
		memset(t->fast_rep[FAST_REP_QUOTE], p->quote, 32);
		memset(t->fast_rep[FAST_REP_ESC], p->escape >= 0 ? p->escape : p->quote, 32);
		memset(t->fast_rep[FAST_REP_LF], '\n', 32);
		memset(t->fast_rep[FAST_REP_CR], '\r', 32);
#if defined(HAVE_AVX2_PATH)
		__builtin_cpu_init(); /* (the plugin's constructors may not have run it) */
		t->fast_mode = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
					       __builtin_cpu_supports("bmi2") && !t->no_avx2
				       ? 2
				       : 1;
#else
		t->fast_mode = 1;
#endif
	}
#if defined(HAVE_AVX2_PATH)
	if (t->fast_mode == 2)
		return fast_record_avx2(t, s, end, res);
#endif
	return fast_record_sse2(t, s, end, res);
}
