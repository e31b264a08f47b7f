/* The csv tokenizer's fast path: the records of a chunk in the common
 * configuration (a one-byte delimiter, a quote character, no trimming), one
 * after the other in one loop, found from 64-bit masks of the bytes that can
 * end a field, 64 input bytes per mask, and stored straight into the rows of
 * the page.  The masks, the arena and the row stay in locals from record to
 * record; the loop ends records itself and flushes full pages.
 *
 * It takes only records it can finish without a judgement call: anything
 * else (the end of the data before the record ends, a line end inside
 * quotes, bytes after a closing quote, a lone \r, too few or too many
 * columns, a value its column rejects, an oversized record, bytes that are
 * not UTF-8, a comment or empty line) stops it before that record, and the
 * chunk loop has the general tokenizer (record.c) parse the record, which
 * decides and words the reason.  So the fast path never changes what a
 * record means, only how fast the plain ones go. */
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
 * ends inside the window, the bit for its end is set in field_end and
 * special, so a search always stops there. */
struct masks {
	uint64_t field_end; /* delimiter, \n, \r */
	uint64_t special;   /* quote, escape, \n, \r: what a quoted field must look at */
	/* Bytes whose record must be checked for UTF-8: with AVX2 the bytes
	 * where the check of the window found an error (see utf8_errors32),
	 * else every byte >= 0x80.  The record loop clears the bits of the
	 * records it is done with. */
	uint64_t bad;
};

/* The settings the loop needs, in locals (stores into the page could alias
 * the parser's struct for the compiler).  The masks compare with the bytes
 * of t->fast_rep in memory: broadcasts held in registers across the loop
 * would be spilled and reloaded at every field. */
struct fast_keys {
	unsigned char delim, quote, esc;
	const unsigned char (*rep)[32]; /* FAST_REP_* */
};

/* Rows of t->fast_rep: the keys, then the UTF-8 check's tables (U8_T_*)
 * copied from u8_tables (constants the compiler can see it would
 * materialize with broadcasts, or keep in registers the loop needs). */
enum { FAST_REP_DELIM, FAST_REP_QUOTE, FAST_REP_ESC, FAST_REP_LF, FAST_REP_CR, FAST_REP_U8 };

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX2_PATH 1

/* UTF-8 errors of 32 bytes, given the same bytes 1, 2 and 3 back: the
 * lookup-table method of Keiser and Lemire ("Validating UTF-8 in less than
 * one instruction per byte", 2021), as sdk/src/utf8.c has it.  A byte is
 * marked (nonzero) where a sequence is found wrong: a byte pair that is
 * wrong (the three nibble tables agree on an error class), or a 3rd or 4th
 * byte that is missing or extra.  The mark falls on the second byte of the
 * pair, or on the byte that should (not) have been a continuation; so in
 * data where every record ends with a line end (ASCII), each error of a
 * record is marked inside that record, and the bytes of other records can
 * only add marks (never hide one: a wrong continuation right after a line
 * end is a pair error of its own). */
#include "sdk/src/utf8_tables.h"

#define U8_REP8(b) b, b, b, b, b, b, b, b
#define U8_REP32(b) U8_REP8(b), U8_REP8(b), U8_REP8(b), U8_REP8(b)

/* The tables and the constants, loaded from memory where they are used
 * (the loop needs the registers; a broadcast is no cheaper than a load). */
enum { U8_T_PREV_HIGH, U8_T_PREV_LOW, U8_T_CUR_HIGH, U8_T_NIBBLE, U8_T_THIRD, U8_T_FOURTH, U8_T_HIGH_BIT, U8_T_ANY };
static const unsigned char u8_tables[8][32] __attribute__((aligned(32))) = {
	{ U8_PREV_HIGH, U8_PREV_HIGH },
	{ U8_PREV_LOW, U8_PREV_LOW },
	{ U8_CUR_HIGH, U8_CUR_HIGH },
	{ U8_REP32(0x0F) },
	{ U8_REP32(0xE0 - 0x80) }, /* (subtracted: E0.. keep 0x80) */
	{ U8_REP32(0xF0 - 0x80) }, /* (F0.. keep 0x80) */
	{ U8_REP32(0x80) },
	{ U8_REP32(0x7F) }, /* (added with saturation: a nonzero byte gets 0x80) */
};

#define u8_table(i) _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_U8 + (i)])

/* The bits of the bytes of in marked as UTF-8 errors (bit j: in[j]). */
static inline __attribute__((target("avx2"))) uint32_t utf8_errors32(__m256i in, __m256i prev1, __m256i prev2,
								     __m256i prev3, struct fast_keys k)
{
	const __m256i nibble = u8_table(U8_T_NIBBLE);
	__m256i special = _mm256_and_si256(
		_mm256_and_si256(_mm256_shuffle_epi8(u8_table(U8_T_PREV_HIGH),
						     _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble)),
				 _mm256_shuffle_epi8(u8_table(U8_T_PREV_LOW), _mm256_and_si256(prev1, nibble))),
		_mm256_shuffle_epi8(u8_table(U8_T_CUR_HIGH), _mm256_and_si256(_mm256_srli_epi16(in, 4), nibble)));
	/* E0.. two back or F0.. three back keep 0x80 after the subtraction:
	 * there the byte must be a 3rd or 4th one */
	__m256i must = _mm256_or_si256(_mm256_subs_epu8(prev2, u8_table(U8_T_THIRD)),
				       _mm256_subs_epu8(prev3, u8_table(U8_T_FOURTH)));
	__m256i err = _mm256_xor_si256(_mm256_and_si256(must, u8_table(U8_T_HIGH_BIT)), special);
	return (uint32_t)_mm256_movemask_epi8(_mm256_adds_epu8(err, u8_table(U8_T_ANY)));
}
#undef u8_table

/* The masks 32 bytes a step, on CPUs with AVX2.  The UTF-8 check looks 3
 * bytes back: read from src - 3 on when that is at or after lo (the data
 * is readable from there), else the bytes before src count as ASCII.  (The
 * record loop's lo is at or before every window it loads, so only the
 * window of its first record can start less than 3 bytes after lo: at a
 * record start, where the bytes before are not the record's.)  Not
 * always_inline: it is inlined into the AVX2 copy of the record loop only
 * (fast_records_avx2). */
static inline __attribute__((target("avx2"))) struct masks masks64_avx2(const char *src, const char *lo,
									struct fast_keys k)
{
	struct masks m = { 0, 0, 0 };
#pragma GCC unroll 2
	for (int i = 0; i < 2; i++) {
		__m256i d = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_DELIM]);
		__m256i q = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_QUOTE]);
		__m256i e = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_ESC]);
		__m256i lf = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_LF]);
		__m256i cr = _mm256_loadu_si256((const __m256i *)(const void *)k.rep[FAST_REP_CR]);
		const char *at = src + 32 * i;
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)at), p1, p2, p3;
		__m256i nl = _mm256_or_si256(_mm256_cmpeq_epi8(x, lf), _mm256_cmpeq_epi8(x, cr));
		uint32_t mf = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(nl, _mm256_cmpeq_epi8(x, d)));
		uint32_t ms = (uint32_t)_mm256_movemask_epi8(
			_mm256_or_si256(nl, _mm256_or_si256(_mm256_cmpeq_epi8(x, q), _mm256_cmpeq_epi8(x, e))));
		if (i == 0 && src - lo < 3) {
			/* zeros, then the low lane: alignr works within lanes */
			__m256i across = _mm256_permute2x128_si256(_mm256_setzero_si256(), x, 0x21);
			p1 = _mm256_alignr_epi8(x, across, 15);
			p2 = _mm256_alignr_epi8(x, across, 14);
			p3 = _mm256_alignr_epi8(x, across, 13);
		} else {
			p1 = _mm256_loadu_si256((const __m256i *)(const void *)(at - 1));
			p2 = _mm256_loadu_si256((const __m256i *)(const void *)(at - 2));
			p3 = _mm256_loadu_si256((const __m256i *)(const void *)(at - 3));
		}
		m.field_end |= (uint64_t)mf << (32 * i);
		m.special |= (uint64_t)ms << (32 * i);
		m.bad |= (uint64_t)utf8_errors32(x, p1, p2, p3, k) << (32 * i);
	}
	return m;
}
#endif

/* The masks of src[0..64): 16 bytes a step with SSE2 (part of every x86-64),
 * else a byte at a time. */
static inline __attribute__((always_inline)) struct masks masks64_sse2(const char *src, struct fast_keys k)
{
	struct masks m = { 0, 0, 0 };
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
		m.bad |= (uint64_t)(uint32_t)_mm_movemask_epi8(x) << (16 * i);
	}
#else
	for (int i = 0; i < WINDOW; i++) {
		unsigned char c = (unsigned char)src[i];
		uint64_t nl = c == '\n' || c == '\r';
		m.field_end |= (nl | (c == k.delim)) << i;
		m.special |= (nl | (c == k.quote) | (c == k.esc)) << i;
		m.bad |= (uint64_t)(c >= 0x80) << i;
	}
#endif
	return m;
}

/* The masks of [p, end) and end, fewer than 64 bytes (the end of a chunk),
 * from a copy padded with zeros; with AVX2 the 3 bytes before p go with it
 * when they are at or after lo (else zeros: ASCII). */
static inline __attribute__((always_inline)) struct masks window_short(const char *p, const char *end,
									 const char *lo, struct fast_keys k,
									 const int avx2)
{
	size_t avail = (size_t)(end - p);
	uint64_t stop = UINT64_C(1) << avail;
	char pad[3 + WINDOW + 32] = { 0 };
	struct masks m;
	memcpy(pad + 3, p, avail);
#if defined(HAVE_AVX2_PATH)
	if (avx2) {
		if (p - lo >= 3)
			memcpy(pad, p - 3, 3);
		m = masks64_avx2(pad + 3, pad, k);
	} else
#endif
		m = masks64_sse2(pad + 3, k);
	m.field_end = (m.field_end & (stop - 1)) | stop;
	m.special = (m.special & (stop - 1)) | stop;
	m.bad &= stop - 1;
	return m;
}

#if defined(HAVE_AVX2_PATH)
static __attribute__((noinline, target("avx2,bmi,bmi2"))) struct masks window_short_avx2(const char *p,
											    const char *end,
											    const char *lo,
											    struct fast_keys k)
{
	return window_short(p, end, lo, k, 1);
}
#endif

static __attribute__((noinline)) struct masks window_short_sse2(const char *p, const char *end, struct fast_keys k)
{
	return window_short(p, end, p, k, 0);
}

/* The masks of [p, p + 64), or of [p, end) and end. */
static inline __attribute__((always_inline)) struct masks window_load(const char *p, const char *end,
									const char *lo, struct fast_keys k,
									const int avx2)
{
#if defined(HAVE_AVX2_PATH)
	if (avx2)
		return end - p < WINDOW ? window_short_avx2(p, end, lo, k) : masks64_avx2(p, lo, k);
#endif
	(void)lo;
	return end - p < WINDOW ? window_short_sse2(p, end, k) : masks64_sse2(p, k);
}

/* Moves the window (*base, *m) to the next 64 bytes, adding the bad bits
 * of the one it leaves to *bad (they belong to the current record: the
 * loop clears the bits of the records before).  Windows follow each other
 * without gaps from where the loop started, so the UTF-8 check sees every
 * byte with the 3 before it. */
static inline __attribute__((always_inline)) void window_advance(const char **base, struct masks *m, uint64_t *bad,
								 const char *end, const char *lo,
								 struct fast_keys k, const int avx2)
{
	*bad |= m->bad;
	*base += WINDOW;
	*m = window_load(*base, end, lo, k, avx2);
}

/* The first special byte (struct masks) at or after p (*base <= p <= end),
 * end when there is none before it; moves the window forward as needed. */
static inline __attribute__((always_inline)) const char *window_next_special(const char **base, struct masks *m,
									     uint64_t *bad, const char *p,
									     const char *end, const char *lo,
									     struct fast_keys k, const int avx2)
{
	for (;;) {
		size_t off = (size_t)(p - *base);
		if (off < WINDOW) {
			uint64_t bits = m->special >> off;
			if (bits)
				return p + __builtin_ctzll(bits);
			p = *base + WINDOW;
		}
		/* Nothing from p on: the window is whole (a short one has its end
		 * bit), so base + 64 <= end, and the search goes on there. */
		window_advance(base, m, bad, end, lo, k, avx2);
	}
}

#define ARENA_SLACK 128 /* arena bytes past a value copy_run may write */

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

/* 64 bytes, as four moves of 16 bytes or two of 32 with AVX2. */
static inline __attribute__((always_inline)) void copy64(char *dst, const char *src, const int avx2)
{
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
}

/* Copies n bytes.  Up to 64, or 128, with fixed moves, no branch on the
 * length, when the input has that many bytes to read from src (before
 * end): the arena has the slack for the excess, which the next copy or
 * value overwrites.  Else memcpy (a call, which the loop's registers pay
 * for: a third of the benchmark's records have a text of 65 to 128 bytes). */
static inline __attribute__((always_inline)) void copy_run(char *dst, const char *src, size_t n, const char *end,
							   const int avx2)
{
	if (n <= 64 && end - src >= 64) {
		copy64(dst, src, avx2);
	} else if (n <= 128 && end - src >= 128) {
		copy64(dst, src, avx2);
		copy64(dst + 64, src + 64, avx2);
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
	/* Strings are checked for UTF-8 a record at a time (fast_records);
	 * json cells here, as record.c does. */
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

/* Bits of a window's mask at offsets off and above (none when off >= 64). */
static inline uint64_t bits_from_any(size_t off)
{
	return off >= WINDOW ? 0 : ~UINT64_C(0) << off;
}

#if defined(HAVE_AVX2_PATH)
/* The same with BMI2 (off < 256): bzhi keeps all bits from 64 on. */
static inline __attribute__((target("bmi2"))) uint64_t bits_from_bmi2(size_t off)
{
	return ~_bzhi_u64(~UINT64_C(0), (unsigned)off);
}
#define bits_from(off) (avx2 ? bits_from_bmi2(off) : bits_from_any(off))
#else
#define bits_from(off) bits_from_any(off)
#endif

/* The records from s on, with the masks of the CPU's choice (avx2 is a
 * constant at each call: the loop is compiled once per mask variant, the
 * masks inline).  See csv_fast_records. */
static inline __attribute__((always_inline)) int fast_records(struct csv_task *t, const char *s, const char *end,
							      const char *stop, struct csv_batch *out,
							      const int avx2)
{
	const struct csv_parser *p = t->p;
	const struct csv_column *const cols = p->cols;
	const struct csv_column *const cols_end = cols + p->ncols;
	const size_t max_quoted = p->max_quoted, null_len = p->null_len, max_line = p->max_line;
	const char *const null_string = p->null_string;
	/* A record that starts with it may be a comment line: record.c decides. */
	const int comment = p->comment ? (unsigned char)p->comment[0] : -1;
	const char *const start = s;
	bh_page_builder *const pb = t->pb;
	/* The page's row count and arena length stay in *pb (record_arena_start
	 * is the length after the last record taken): the field loop needs the
	 * registers more. */
	const uint32_t nrows0 = pb->page.nrows;
	uint64_t flushed = 0; /* rows of the pages this call flushed */
	bh_value *row = bh_pb_row(pb);
	struct arena a;
	struct fast_keys k;
	struct masks m;
	const char *base, *lo = s; /* lo: data from there on is readable (the chunk's) */
	uint64_t records;
	int r, hard = 0;

	if (s >= stop) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	k.rep = (const unsigned char(*)[32])t->fast_rep;
	k.delim = k.rep[FAST_REP_DELIM][0];
	k.quote = k.rep[FAST_REP_QUOTE][0];
	k.esc = k.rep[FAST_REP_ESC][0];
	if (t->win_base && s >= t->win_base && s < t->win_base + WINDOW && t->win_end == end) {
		base = lo = t->win_base; /* an earlier call ended in this window */
		m.field_end = t->win_field_end;
		m.special = t->win_special;
		m.bad = t->win_bad;
	} else {
		base = s;
		m = window_load(s, end, lo, k, avx2);
	}
	m.bad &= bits_from((size_t)(s - base)); /* the records before s are not this loop's */
	a.bytes = pb->page.arena;
	a.len = pb->record_arena_start = pb->page.arena_len;
	a.cap = pb->page.arena_cap;
	for (;;) {
		const struct csv_column *cd = cols;
		bh_value *cell = row;
		const char *q = s, *f;
		uint64_t bad = 0; /* the record's bad bits (struct masks), by window offset */
		uint64_t fe;	  /* the field ends not passed yet: field_end from q on */
		size_t off;

		/* (s < stop <= end) */
		if (*s == '\n' || *s == '\r' || (unsigned char)*s == comment)
			goto give_up;
		while ((off = (size_t)(s - base)) >= WINDOW) /* (a \r\n across windows) */
			window_advance(&base, &m, &bad, end, lo, k, avx2);
		fe = m.field_end & bits_from(off);
		m.bad &= bits_from(off); /* the records before s are not this one's */
		for (;; cd++, cell++) {
			if ((unsigned char)*q != k.quote) {
				/* An unquoted field runs to the delimiter or the line end:
				 * the next field end. */
				size_t n;
				while (!fe) {
					window_advance(&base, &m, &bad, end, lo, k, avx2);
					fe = m.field_end;
				}
				f = base + __builtin_ctzll(fe);
				if (f == end)
					goto give_up;
				fe &= fe - 1;
				n = (size_t)(f - q);
				/* (null_len is 0 without a null_string: one test per field) */
				if (n == null_len && (!null_string || memcmp(q, null_string, n) == 0))
					cell->is_null = 1;
				else if (put_value(pb, cd, cell, &a, q, n, end, avx2) < 0)
					goto give_up;
			} else {
				/* A quoted field: its closing quote, and the escapes before it. */
				const char *drop[MAX_DROPS], *c = q + 1, *v = q + 1;
				unsigned ndrop = 0;
				size_t n;
				for (;;) {
					c = window_next_special(&base, &m, &bad, c, end, lo, k, avx2);
					if (c + 1 >= end || *c == '\n' || *c == '\r')
						goto give_up;
					if ((unsigned char)*c == k.quote) {
						if ((unsigned char)c[1] != k.quote)
							break; /* the closing quote */
					} else if ((unsigned char)c[1] != k.quote && (unsigned char)c[1] != k.esc) {
						c++; /* the escape character before an ordinary byte */
						continue;
					}
					if (ndrop == MAX_DROPS)
						goto give_up;
					drop[ndrop++] = c;
					c += 2;
				}
				n = (size_t)(c - v);
				f = c + 1;
				if (n > max_quoted || ((unsigned char)*f != k.delim && *f != '\n' && *f != '\r'))
					goto give_up;
				/* the next field end is after f (c is in the window) */
				if ((size_t)(f - base) >= WINDOW)
					window_advance(&base, &m, &bad, end, lo, k, avx2);
				fe = m.field_end & bits_from((size_t)(f - base) + 1);
				if (ndrop == 0) {
					if (n == null_len && null_string && memcmp(v, null_string, n) == 0)
						cell->is_null = 1;
					else if (put_value(pb, cd, cell, &a, v, n, end, avx2) < 0)
						goto give_up;
				} else {
					/* null_string is compared with the unescaped value: rare,
					 * left to record.c, as are escapes in other types. */
					if (null_string || (cd->type != BH_TYPE_STRING && cd->type != BH_TYPE_JSON) ||
					    arena_room(pb, &a, n) < 0)
						goto give_up;
					n = unescape_to(a.bytes + a.len, v, n, drop, ndrop, end, avx2);
					if (put_text(cell, cd->type, &a, n) < 0)
						goto give_up;
				}
			}
			if ((unsigned char)*f == k.delim) {
				q = f + 1;
				if (cd + 1 == cols_end || q == end)
					goto give_up; /* too many columns, or maybe too few */
				continue;
			}
			if (*f == '\r') {
				if (f + 1 == end)
					goto give_up;
				if (f[1] == '\n')
					f++;
			}
			f++;
			break;
		}
		if (cd + 1 != cols_end || (size_t)(f - s) > max_line)
			goto give_up;
		/* Strings are UTF-8 when the record's bytes are (fields split at
		 * ASCII bytes only): with AVX2 a record with an error bit goes to
		 * record.c, else a record with a byte >= 0x80 is checked here.
		 * (f - base may pass 64 by the \n of a \r\n: that byte is ASCII,
		 * and an error marked there is marked before it too.) */
		bad |= m.bad & ~bits_from((size_t)(f - base));
		if (bad && (avx2 || !bh_utf8_valid(s, (size_t)(f - s))))
			goto give_up;
		/* The record is taken: ended as bh_pb_end_record would. */
		row = cell + 1;
		pb->record_arena_start = a.len;
		s = f;
		if (++pb->page.nrows >= pb->page.capacity || a.len >= pb->arena_flush_at) {
			flushed += pb->page.nrows;
			pb->page.arena_len = a.len;
			if ((r = pb->flush(pb)) < 0)
				return r;
			row = bh_pb_row(pb);
			a.bytes = pb->page.arena;
			a.len = pb->page.arena_len;
			a.cap = pb->page.arena_cap;
		}
		if (s >= stop)
			break;
		continue;
give_up:
		hard = 1;
		break;
	}
	pb->page.arena_len = pb->record_arena_start;
	t->win_base = base;
	t->win_end = end;
	t->win_field_end = m.field_end;
	t->win_special = m.special;
	t->win_bad = m.bad;
	records = flushed + pb->page.nrows - nrows0;
	t->fast_records += records;
	out->consumed = (size_t)(s - start);
	out->records = records;
	out->hard = hard;
	return 0;
}

/* GCC's partial redundancy elimination hoists loads and values of the
 * record loop's rare paths (a \r\n, quoted fields) into the common one,
 * which then runs short of registers: without it the loop takes 4.5% fewer
 * instructions on the benchmark's data (callgrind, 178.6M -> 170.6M per
 * 20 MB). */
#if defined(__GNUC__) && !defined(__clang__)
#define FAST_LOOP_OPTIMIZE optimize("no-tree-pre"),
#else
#define FAST_LOOP_OPTIMIZE
#endif

#if defined(HAVE_AVX2_PATH)
/* (BMI1/2 come with AVX2 and are checked with it: shifts and bit counts
 * without flags.) */
static __attribute__((FAST_LOOP_OPTIMIZE noinline, target("avx2,bmi,bmi2"))) int fast_records_avx2(struct csv_task *t, const char *s,
										const char *end, const char *stop,
										struct csv_batch *out)
{
	return fast_records(t, s, end, stop, out, 1);
}
#endif

static __attribute__((FAST_LOOP_OPTIMIZE noinline)) int fast_records_sse2(struct csv_task *t, const char *s, const char *end,
						       const char *stop, struct csv_batch *out)
{
	return fast_records(t, s, end, stop, out, 0);
}

int csv_fast_records(struct csv_task *t, const char *s, const char *end, const char *stop, struct csv_batch *out)
{
	if (t->fast_mode <= 0) {
		/* decided once per task: a one-byte delimiter, a quote, no trimming */
		const struct csv_parser *p = t->p;
		if (t->fast_mode < 0 || p->delim_len != 1 || p->trim || p->quote < 0) {
			t->fast_mode = -1;
			memset(out, 0, sizeof(*out));
			out->hard = s < stop;
			return 0;
		}
		memset(t->fast_rep[FAST_REP_DELIM], p->delim[0], 32);
		memset(t->fast_rep[FAST_REP_QUOTE], p->quote, 32);
		memset(t->fast_rep[FAST_REP_ESC], p->escape >= 0 ? p->escape : p->quote, 32);
		memset(t->fast_rep[FAST_REP_LF], '\n', 32);
		memset(t->fast_rep[FAST_REP_CR], '\r', 32);
#if defined(HAVE_AVX2_PATH)
		memcpy(t->fast_rep[FAST_REP_U8], u8_tables, sizeof(u8_tables));
#endif
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
		return fast_records_avx2(t, s, end, stop, out);
#endif
	return fast_records_sse2(t, s, end, stop, out);
}
