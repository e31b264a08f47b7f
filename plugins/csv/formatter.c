/* The csv formatter: writes pages as delimited text through a task's sink,
 * quoting per quote_policy, with a header line, through one buffer per task
 * (the sink sees a few large writes, not one per value). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CSV_HAVE_AVX512 1
#endif

#include "plugins/csv/csv.h"

enum quote_policy { QUOTE_MINIMAL, QUOTE_ALL, QUOTE_NONE };

struct fmt_column {
	const char *format;
	int32_t zone;
};

struct csv_formatter {
	char delim[CSV_MAX_DELIMITER];
	size_t delim_len;
	int quote, escape; /* -1: none */
	enum quote_policy policy;
	int header;
	const char *newline;
	const char *null_string;
	size_t null_len;
	const bh_schema *schema;
	struct fmt_column *cols;
	/* Rows written whole (quote_policy MINIMAL, a one-byte delimiter,
	 * columns long, double, boolean, string or json): row_reserve bytes
	 * plus 2 per byte of the text cells (see add_rows). */
	int row_fast;
	size_t row_reserve;
	/* Text cells copied 64 bytes a step with AVX-512 (chosen at run time;
	 * BULKHEAD_FORMATTER_SIMD=sse2 turns it off, for tests). */
	int avx512;
};

struct fmt_task {
	const struct csv_formatter *f;
	bh_sink sink;
	char *buf;
	size_t len;
	int header_pending; /* written with the first bytes, so opening never fails after allocating */
};

static void formatter_free(struct csv_formatter *f)
{
	if (!f)
		return;
	free(f->cols);
	free(f);
}

static int read_column_options(bh_ctx *ctx, const bh_config *cfg, struct csv_formatter *f)
{
	const bh_config *opts = NULL, *co;
	const char *default_format = NULL;
	int32_t default_zone;
	int r;
	if ((r = csv_config_optional_string(ctx, cfg, "default_timestamp_format", &default_format)) < 0 ||
	    (r = csv_config_zone(ctx, cfg, "default_timezone", 0, &default_zone)) < 0)
		return r;
	r = bh_host->config_map(ctx, cfg, "column_options", &opts);
	if (r < 0 && r != -ENOENT)
		return r;
	f->cols = calloc(f->schema->count ? f->schema->count : 1, sizeof(*f->cols));
	if (!f->cols)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->schema->count; i++) {
		const bh_column *c = &f->schema->columns[i];
		struct fmt_column *fc = &f->cols[i];
		const char *format = NULL;
		/* As in Embulk, the input's parse format does not carry over. */
		fc->format = default_format;
		fc->zone = default_zone;
		if (!opts || bh_host->config_map(ctx, opts, c->name, &co) < 0)
			continue;
		if ((r = csv_config_optional_string(ctx, co, "format", &format)) < 0 ||
		    (r = csv_config_zone(ctx, co, "timezone", default_zone, &fc->zone)) < 0)
			return r;
		if (format)
			fc->format = format;
	}
	return 0;
}

/* Longest text of a long, double or boolean cell. */
#define CSV_TOKEN_MAX BH_DOUBLE_MAX_CHARS
/* Bytes a text cell takes besides 2 per byte: quotes, 16-byte steps. */
#define CSV_TEXT_SLACK 18

/* Decides whether rows can take the whole-row path (see struct csv_formatter). */
static int plan_rows(struct csv_formatter *f)
{
	f->row_fast = f->policy == QUOTE_MINIMAL && f->delim_len == 1;
	f->row_reserve = 2; /* the newline */
	for (uint32_t i = 0; i < f->schema->count; i++) {
		if (f->schema->columns[i].type == BH_TYPE_TIMESTAMP)
			f->row_fast = 0;
		/* a delimiter, then the longest of a token, a text's slack, the null string */
		f->row_reserve += 1 + CSV_TOKEN_MAX + CSV_TEXT_SLACK + f->null_len;
	}
	/* the fixed part of a row well inside the buffer (else cell by cell) */
	f->row_fast &= f->row_reserve <= CSV_OUT_BUFFER / 2;
	return 0;
}

static int formatter_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema, void **state)
{
	struct csv_formatter *f = calloc(1, sizeof(*f));
	const char *s;
	int r;
	if (!f)
		return -ENOMEM;
	f->schema = schema;
	if ((r = csv_config_delimiter(ctx, cfg, f->delim, &f->delim_len)) < 0 ||
	    (r = csv_config_char(ctx, cfg, "quote", &f->quote)) < 0)
		goto out;
	if ((r = csv_config_optional_string(ctx, cfg, "quote_policy", &s)) < 0)
		goto out;
	if (s == NULL || strcasecmp(s, "MINIMAL") == 0) {
		f->policy = QUOTE_MINIMAL;
	} else if (strcasecmp(s, "ALL") == 0) {
		f->policy = QUOTE_ALL;
	} else if (strcasecmp(s, "NONE") == 0) {
		f->policy = QUOTE_NONE;
	} else {
		r = BH_ECONFIG;
		bh_error(ctx, "option 'quote_policy' must be MINIMAL, ALL or NONE (got \"%s\")", s);
		goto out;
	}
	if (f->quote < 0)
		f->policy = QUOTE_NONE;
	if ((r = csv_config_optional_string(ctx, cfg, "escape", &s)) < 0)
		goto out;
	if (s == NULL) /* the default: RFC 4180 doubling, or a backslash without quotes */
		f->escape = f->policy == QUOTE_NONE ? '\\' : f->quote;
	else if ((r = csv_config_char(ctx, cfg, "escape", &f->escape)) < 0)
		goto out;
	if ((r = csv_config_bool(ctx, cfg, "header_line", 1, &f->header)) < 0)
		goto out;
	if ((r = csv_config_optional_string(ctx, cfg, "newline", &s)) < 0)
		goto out;
	if (s == NULL || strcasecmp(s, "LF") == 0) {
		f->newline = "\n";
	} else if (strcasecmp(s, "CRLF") == 0) {
		f->newline = "\r\n";
	} else if (strcasecmp(s, "CR") == 0) {
		f->newline = "\r";
	} else {
		r = BH_ECONFIG;
		bh_error(ctx, "option 'newline' must be LF, CRLF or CR (got \"%s\")", s);
		goto out;
	}
	if ((r = csv_config_optional_string(ctx, cfg, "null_string", &f->null_string)) < 0)
		goto out;
	if (f->null_string == NULL)
		f->null_string = "";
	f->null_len = strlen(f->null_string);
	if ((r = csv_config_optional_string(ctx, cfg, "charset", &s)) < 0)
		goto out;
	if (s && strcasecmp(s, "UTF-8") != 0 && strcasecmp(s, "UTF8") != 0) {
		r = BH_ECONFIG;
		bh_error(ctx, "option 'charset': only UTF-8 output is supported (got \"%s\")", s);
		goto out;
	}
	if ((r = read_column_options(ctx, cfg, f)) < 0)
		goto out;
	if ((r = plan_rows(f)) < 0)
		goto out;
#if defined(CSV_HAVE_AVX512)
	__builtin_cpu_init(); /* (the plugin's constructors may not have run it) */
	s = getenv("BULKHEAD_FORMATTER_SIMD");
	f->avx512 = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi2") &&
		    !(s && strcmp(s, "sse2") == 0);
#endif
	*state = f;
	return 0;
out:
	formatter_free(f);
	return r;
}

static void formatter_end(void *state)
{
	formatter_free(state);
}

/* ---- output -------------------------------------------------------------- */

static int flush(struct fmt_task *t)
{
	int r = 0;
	if (t->len)
		r = t->sink.write(t->sink.self, t->buf, t->len);
	t->len = 0;
	return r;
}

static int put(struct fmt_task *t, const char *s, size_t n)
{
	int r;
	if (CSV_OUT_BUFFER - t->len < n) {
		if ((r = flush(t)) < 0)
			return r;
		if (n >= CSV_OUT_BUFFER)
			return t->sink.write(t->sink.self, s, n);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return 0;
}

static int put_char(struct fmt_task *t, char c)
{
	if (t->len == CSV_OUT_BUFFER) {
		int r = flush(t);
		if (r < 0)
			return r;
	}
	t->buf[t->len++] = c;
	return 0;
}

static int is_delim_at(const struct csv_formatter *f, const char *s, size_t i, size_t n)
{
	return s[i] == f->delim[0] && n - i >= f->delim_len && memcmp(s + i, f->delim, f->delim_len) == 0;
}

/* Does the byte at s[i] need an escape character before it? */
static int needs_escape(const struct csv_formatter *f, const char *s, size_t i, size_t n)
{
	int c = (unsigned char)s[i];
	if (f->escape < 0)
		return 0;
	if (f->policy == QUOTE_NONE)
		return c == '\n' || c == '\r' || c == f->escape || is_delim_at(f, s, i, n) ||
		       (f->quote >= 0 && c == f->quote);
	/* Inside quotes: the quote, and the escape itself when it is not the quote. */
	return c == f->quote || (f->escape != f->quote && c == f->escape);
}

/* Offset of the first byte of s[i..n) equal to one of a..e, or n: 16 bytes a
 * step with SSE2 (part of every x86-64), so clean values cost one pass. */
static inline size_t find5(const char *s, size_t i, size_t n, char a, char b, char c, char d, char e)
{
#if defined(__SSE2__)
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d),
		      ve = _mm_set1_epi8(e);
	for (; n - i >= 16; i += 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va), _mm_cmpeq_epi8(w, vb)),
					 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vc), _mm_cmpeq_epi8(w, vd)),
						      _mm_cmpeq_epi8(w, ve)));
		int bits = _mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz((unsigned)bits);
	}
#endif
	for (; i < n; i++)
		if (s[i] == a || s[i] == b || s[i] == c || s[i] == d || s[i] == e)
			return i;
	return n;
}

/* Values up to this size are copied while they are scanned. */
#define CSV_FAST_TEXT 4096

/* The common case of put_text: quote_policy MINIMAL and a value with none of
 * the bytes that may call for quotes.  Copies 16 bytes a step straight into
 * the output buffer while looking at them; returns 0 when the value is not
 * that case (the bytes written past t->len are then not committed), 1 when
 * it wrote the value, or a negative errno from flushing. */
static inline int put_plain_fast(struct fmt_task *t, const char *s, size_t n)
{
#if defined(__SSE2__)
	const struct csv_formatter *f = t->f;
	if (n < 16 || n > CSV_FAST_TEXT || (n == f->null_len && memcmp(s, f->null_string, n) == 0))
		return 0;
	int r;
	if (CSV_OUT_BUFFER - t->len < n && (r = flush(t)) < 0)
		return r;
	char e = f->escape >= 0 ? (char)f->escape : '\n';
	const __m128i vq = _mm_set1_epi8((char)f->quote), vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'),
		      vd = _mm_set1_epi8(f->delim[0]), ve = _mm_set1_epi8(e);
	char *d = t->buf + t->len;
	for (size_t i = 0; i < n; i += 16) {
		if (i + 16 > n)
			i = n - 16; /* the last block overlaps the one before */
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vq), _mm_cmpeq_epi8(w, vn)),
					 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vr), _mm_cmpeq_epi8(w, vd)),
						      _mm_cmpeq_epi8(w, ve)));
		if (_mm_movemask_epi8(m))
			return 0;
		_mm_storeu_si128((__m128i *)(void *)(d + i), w);
	}
	t->len += n;
	return 1;
#else
	(void)t;
	(void)s;
	(void)n;
	return 0;
#endif
}

/* A text value (string, json, header name) with quoting and escapes. */
static int put_text(struct fmt_task *t, const char *s, size_t n)
{
	const struct csv_formatter *f = t->f;
	int quote = f->policy == QUOTE_ALL;
	size_t start = 0;
	int r;
	if (f->policy == QUOTE_MINIMAL && (r = put_plain_fast(t, s, n)) != 0)
		return r < 0 ? r : 0;
	if (f->policy == QUOTE_MINIMAL) {
		/* The bytes that may call for quotes (-1 options never match a
		 * char compared as such: their stand-in is a byte already listed). */
		char q = (char)f->quote, e = f->escape >= 0 ? (char)f->escape : '\n';
		quote = n == f->null_len && memcmp(s, f->null_string, n) == 0; /* keep it apart from null */
		for (size_t i = find5(s, 0, n, q, '\n', '\r', f->delim[0], e); i < n && !quote;
		     i = find5(s, i + 1, n, q, '\n', '\r', f->delim[0], e)) {
			int c = (unsigned char)s[i];
			quote = c == f->quote || c == '\n' || c == '\r' || is_delim_at(f, s, i, n) ||
				(f->escape != f->quote && c == f->escape);
		}
	} else if (f->policy == QUOTE_NONE && f->escape < 0) {
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\n' || s[i] == '\r' || is_delim_at(f, s, i, n))
				return -EINVAL;
	}
	if (quote && (r = put_char(t, (char)f->quote)) < 0)
		return r;
	if (quote && f->escape >= 0) {
		/* Inside quotes only the quote and the escape are escaped. */
		char e = (char)f->escape, q = f->quote >= 0 ? (char)f->quote : e;
		for (size_t i = find5(s, 0, n, q, e, q, e, q); i < n; i = find5(s, i + 1, n, q, e, q, e, q)) {
			if ((r = put(t, s + start, i - start)) < 0 || (r = put_char(t, (char)f->escape)) < 0)
				return r;
			start = i;
		}
	} else if (f->policy == QUOTE_NONE) {
		for (size_t i = 0; i < n; i++) {
			if (!needs_escape(f, s, i, n))
				continue;
			if ((r = put(t, s + start, i - start)) < 0 || (r = put_char(t, (char)f->escape)) < 0)
				return r;
			start = i;
		}
	}
	if ((r = put(t, s + start, n - start)) < 0)
		return r;
	if (quote && (r = put_char(t, (char)f->quote)) < 0)
		return r;
	return 0;
}

/* A number or other short token: quoted only under quote_policy ALL. */
static int put_token(struct fmt_task *t, const char *s, size_t n)
{
	if (t->f->policy == QUOTE_ALL)
		return put_text(t, s, n);
	return put(t, s, n);
}

static int put_cell(struct fmt_task *t, bh_ctx *ctx, const bh_page *page, uint32_t row, uint32_t col)
{
	const struct csv_formatter *f = t->f;
	const bh_value *v = bh_page_cell(page, row, col);
	char tmp[BH_TIMESTAMP_MAX_CHARS];
	size_t n;
	const char *s;
	if (v->is_null)
		return put(t, f->null_string, f->null_len);
	switch (page->schema->columns[col].type) {
	case BH_TYPE_BOOLEAN:
		return put_token(t, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
	case BH_TYPE_LONG:
	case BH_TYPE_DOUBLE:
		if (f->policy != QUOTE_ALL) { /* formatted straight into the buffer */
			int r;
			if (CSV_OUT_BUFFER - t->len < BH_DOUBLE_MAX_CHARS && (r = flush(t)) < 0)
				return r;
			t->len += page->schema->columns[col].type == BH_TYPE_LONG
					  ? bh_format_long(v->u.l, t->buf + t->len)
					  : bh_format_double(v->u.d, t->buf + t->len);
			return 0;
		}
		return put_token(t, tmp,
				 page->schema->columns[col].type == BH_TYPE_LONG ? bh_format_long(v->u.l, tmp)
										 : bh_format_double(v->u.d, tmp));
	case BH_TYPE_TIMESTAMP:
		n = bh_format_timestamp_at(v->u.t, f->cols[col].format, f->cols[col].zone, tmp, sizeof(tmp));
		if (n == 0) {
			bh_error(ctx, "column '%s': timestamp format \"%s\" produces more than %d characters",
				 page->schema->columns[col].name, f->cols[col].format, BH_TIMESTAMP_MAX_CHARS - 1);
			return BH_ECONFIG;
		}
		return put_text(t, tmp, n);
	case BH_TYPE_STRING:
	case BH_TYPE_JSON:
		s = bh_page_string(page, row, col, &n);
		return put_text(t, s, n);
	}
	return 0;
}

/* ---- whole rows (quote_policy MINIMAL, one-byte delimiter) -------------- */

/* Copies s[0..n) to d, 16 bytes a step with SSE2 (stored before they are
 * looked at, so no run costs a memcpy call), up to the first byte equal to
 * one of the five in `bytes` (set1 vectors); returns its index, or n.
 * Bytes of s up to readable (>= s + n) may be loaded; d holds n + 16. */
#if defined(__SSE2__)
static inline size_t copy_until(char *d, const char *s, size_t n, const char *readable, const __m128i bytes[5])
{
	size_t i = 0;
	while (i < n && (size_t)(readable - s) - i >= 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		_mm_storeu_si128((__m128i *)(void *)(d + i), w);
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, bytes[0]), _mm_cmpeq_epi8(w, bytes[1])),
					 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, bytes[2]), _mm_cmpeq_epi8(w, bytes[3])),
						      _mm_cmpeq_epi8(w, bytes[4])));
		size_t left = n - i;
		unsigned k = (unsigned)__builtin_ctz((unsigned)_mm_movemask_epi8(m) | 1u << (left < 16 ? left : 16));
		if (k < 16) /* a byte looked for, or the end of s */
			return i + k;
		i += 16;
	}
	for (; i < n; i++) {
		char c = s[i];
		d[i] = c;
		if (c == (char)_mm_cvtsi128_si32(bytes[0]) || c == (char)_mm_cvtsi128_si32(bytes[1]) ||
		    c == (char)_mm_cvtsi128_si32(bytes[2]) || c == (char)_mm_cvtsi128_si32(bytes[3]) ||
		    c == (char)_mm_cvtsi128_si32(bytes[4]))
			return i;
	}
	return n;
}
#endif

/* A text value under quote_policy MINIMAL with a one-byte delimiter, to d
 * (which holds 2 * n + CSV_TEXT_SLACK bytes); returns the end.  Quoted when
 * it holds the quote, the escape, CR, LF or the delimiter, or equals the
 * null string; inside quotes the quote and the escape get the escape
 * before them. */
static inline char *put_text_minimal(const struct csv_formatter *f, char *d, const char *s, size_t n,
				     const char *readable)
{
	char q = (char)f->quote, e = f->escape >= 0 ? (char)f->escape : '\n';
	size_t k;
#if defined(__SSE2__)
	const __m128i plain[5] = { _mm_set1_epi8(q), _mm_set1_epi8('\n'), _mm_set1_epi8('\r'),
				   _mm_set1_epi8(f->delim[0]), _mm_set1_epi8(e) };
	k = copy_until(d, s, n, readable, plain);
#else
	(void)readable;
	for (k = 0; k < n && s[k] != q && s[k] != '\n' && s[k] != '\r' && s[k] != f->delim[0] && s[k] != e; k++)
		d[k] = s[k];
#endif
	if (k == n && (n != f->null_len || memcmp(s, f->null_string, n) != 0))
		return d + n;
	*d++ = q;
	if (f->escape < 0) {
		memcpy(d, s, n);
		d += n;
	} else {
		/* quote and escape get the escape before them */
		char x = f->escape != f->quote ? e : q;
		size_t start = 0;
#if defined(__SSE2__)
		const __m128i quoted[5] = { _mm_set1_epi8(q), _mm_set1_epi8(x), _mm_set1_epi8(q), _mm_set1_epi8(x),
					    _mm_set1_epi8(q) };
		while (start < n) {
			k = copy_until(d, s + start, n - start, readable, quoted);
			d += k;
			start += k;
			if (start == n)
				break;
			d[0] = e;
			d[1] = s[start++];
			d += 2;
		}
#else
		for (; start < n; start++) {
			if (s[start] == q || s[start] == x)
				*d++ = e;
			*d++ = s[start];
		}
#endif
	}
	*d++ = q;
	return d;
}

#if defined(CSV_HAVE_AVX512)
/* put_text_minimal 64 bytes a step with AVX-512 masked loads and stores, so
 * a value of up to 64 bytes is one step with no branch on its length, and no
 * byte of s or d past its end is touched.  Quoted text is escaped the same
 * way, one load per block however many bytes it escapes; the rarer cases
 * (the null string, no escape character) go to put_text_minimal. */
#define CSV_AVX512_TARGET __attribute__((target("avx512bw,bmi2")))
static inline CSV_AVX512_TARGET char *put_text_avx512(const struct csv_formatter *f, char *d, const char *s,
						      size_t n, const char *readable)
{
	char q = (char)f->quote, e = (char)f->escape;
	const __m512i vq = _mm512_set1_epi8(q), lf = _mm512_set1_epi8('\n'), cr = _mm512_set1_epi8('\r'),
		      dl = _mm512_set1_epi8(f->delim[0]), ve = _mm512_set1_epi8(e);
	size_t i;
	if (n == f->null_len || f->escape < 0)
		return put_text_minimal(f, d, s, n, readable);
	for (i = 0; i < n; i += 64) {
		__mmask64 in = _bzhi_u64(~UINT64_C(0), (unsigned)(n - i < 64 ? n - i : 64));
		__m512i w = _mm512_maskz_loadu_epi8(in, s + i);
		__mmask64 hit = _mm512_mask_cmpeq_epi8_mask(in, w, vq) | _mm512_mask_cmpeq_epi8_mask(in, w, lf) |
				_mm512_mask_cmpeq_epi8_mask(in, w, cr) | _mm512_mask_cmpeq_epi8_mask(in, w, dl) |
				_mm512_mask_cmpeq_epi8_mask(in, w, ve);
		if (hit)
			break;
		_mm512_mask_storeu_epi8(d + i, in, w);
	}
	if (i >= n)
		return d + n;
	/* Quoted: the quote and the escape get the escape before them.  Each
	 * block is stored whole, then for each byte to escape the escape is
	 * written before it and the block from that byte on stored again one
	 * byte further right, from the same register. */
	*d++ = q;
	for (i = 0; i < n; i += 64) {
		size_t left = n - i, step = left < 64 ? left : 64;
		__mmask64 in = _bzhi_u64(~UINT64_C(0), (unsigned)step);
		__m512i w = _mm512_maskz_loadu_epi8(in, s + i);
		_mm512_mask_storeu_epi8(d, in, w);
		__mmask64 hit = _mm512_mask_cmpeq_epi8_mask(in, w, vq) | _mm512_mask_cmpeq_epi8_mask(in, w, ve);
		while (hit) {
			unsigned k = (unsigned)__builtin_ctzll(hit);
			d[k] = e;
			d++;
			_mm512_mask_storeu_epi8(d, in & (~UINT64_C(0) << k), w);
			hit &= hit - 1;
		}
		d += step;
	}
	*d++ = q;
	return d;
}
#endif

static int value_error(bh_ctx *ctx, const char *column, int r)
{
	if (r == -EINVAL) {
		bh_error(ctx, "column '%s': a value contains the delimiter or a newline, but quote_policy is NONE "
			      "and escape is empty",
			 column);
		return BH_EDATA;
	}
	return r;
}

static int put_header(struct fmt_task *t, bh_ctx *ctx)
{
	const struct csv_formatter *f = t->f;
	int r = 0;
	t->header_pending = 0;
	for (uint32_t i = 0; i < f->schema->count && r == 0; i++) {
		const char *name = f->schema->columns[i].name;
		if (i)
			r = put(t, f->delim, f->delim_len);
		if (r == 0 && (r = put_text(t, name, strlen(name))) < 0)
			r = value_error(ctx, name, r);
	}
	if (r == 0)
		r = put(t, f->newline, strlen(f->newline));
	return r;
}

static int formatter_open_task(void *state, bh_ctx *ctx, bh_sink *sink, void **task_state)
{
	struct csv_formatter *f = state;
	struct fmt_task *t = calloc(1, sizeof(*t));
	if (!t || !(t->buf = malloc(CSV_OUT_BUFFER))) {
		free(t);
		return -ENOMEM;
	}
	t->f = f;
	t->sink = *sink;
	t->header_pending = f->header;
	*task_state = t;
	return 0;
}

/* Does the page have the column types the formatter was planned for? */
static int same_types(const bh_schema *schema, const bh_page *page)
{
	if (page->ncols != schema->count)
		return 0;
	if (page->schema == schema)
		return 1;
	for (uint32_t i = 0; i < schema->count; i++)
		if (page->schema->columns[i].type != schema->columns[i].type)
			return 0;
	return 1;
}

/* One row cell by cell, through put and put_cell, with its newline. */
static int add_row_cells(struct fmt_task *t, bh_ctx *ctx, const bh_page *page, uint32_t row)
{
	const struct csv_formatter *f = t->f;
	int r;
	for (uint32_t col = 0; col < page->ncols; col++) {
		if (col && (r = put(t, f->delim, f->delim_len)) < 0)
			return r;
		if ((r = put_cell(t, ctx, page, row, col)) < 0)
			return value_error(ctx, page->schema->columns[col].name, r);
	}
	return put(t, f->newline, strlen(f->newline));
}

/* The rows of a page.  A row_fast page's rows are written straight into
 * the buffer: the fixed part of a row (row_reserve) is kept free at the
 * end of the buffer, and each text cell takes its worst case (2 bytes per
 * byte) from what is left before that (budget), so no pass over a row's
 * text comes first.  A row that does not fit is started again in an empty
 * buffer, and one that does not fit there either is written cell by cell,
 * as are the rows of other pages.  Instantiated for each text writer. */
static inline __attribute__((always_inline)) int add_rows(struct fmt_task *t, bh_ctx *ctx, const bh_page *page,
							  int avx512)
{
	const struct csv_formatter *f = t->f;
	int r;
	if (!f->row_fast || !same_types(f->schema, page)) {
		for (uint32_t row = 0; row < page->nrows; row++)
			if ((r = add_row_cells(t, ctx, page, row)) < 0)
				return r;
		return 0;
	}
	const bh_column *types = f->schema->columns;
	const char *readable = page->arena + (page->arena_cap > page->arena_len ? page->arena_cap : page->arena_len);
	const size_t stride = page->ncols;
	const bh_value *v = page->values, *const vend = v + (size_t)page->nrows * stride;
	char *const limit = t->buf + (CSV_OUT_BUFFER - f->row_reserve);
	const char delim = f->delim[0];
	char *d = t->buf + t->len;
	(void)avx512;
	for (; v < vend; v += stride) {
		char *start = d;
		if (d > limit)
			goto no_room;
		size_t budget = (size_t)(limit - d);
		for (uint32_t col = 0; col < stride; col++) {
			const bh_value *cell = &v[col];
			if (col)
				*d++ = delim;
			if (cell->is_null) {
				memcpy(d, f->null_string, f->null_len);
				d += f->null_len;
				continue;
			}
			switch (types[col].type) {
			case BH_TYPE_LONG:
				d += bh_format_long(cell->u.l, d);
				break;
			case BH_TYPE_DOUBLE:
				d += bh_format_double(cell->u.d, d);
				break;
			case BH_TYPE_BOOLEAN:
				memcpy(d, cell->u.b ? "true" : "false", 5); /* with the NUL: one length */
				d += cell->u.b ? 4 : 5;
				break;
			case BH_TYPE_STRING:
			case BH_TYPE_JSON: {
				const char *s = page->arena + cell->u.s.off;
				size_t n = cell->u.s.len;
				const char *rd = readable > s + n ? readable : s + n;
				if (2 * n > budget)
					goto no_room;
				budget -= 2 * n;
#if defined(CSV_HAVE_AVX512)
				if (avx512) {
					d = put_text_avx512(f, d, s, n, rd);
					break;
				}
#endif
				d = put_text_minimal(f, d, s, n, rd);
				break;
			}
			case BH_TYPE_TIMESTAMP: /* not in a row_fast schema */
				break;
			}
		}
		memcpy(d, f->newline, 2); /* "\n" has its NUL */
		d += f->newline[1] == '\n' ? 2 : 1;
		continue;
	no_room:
		/* The buffer's end: the row again after a flush, or alone */
		t->len = (size_t)(start - t->buf);
		if (t->len > 0) {
			if ((r = flush(t)) < 0)
				return r;
			d = t->buf;
			v -= stride; /* this row again */
			continue;
		}
		if ((r = add_row_cells(t, ctx, page, (uint32_t)((size_t)(v - page->values) / stride))) < 0)
			return r;
		d = t->buf + t->len;
	}
	t->len = (size_t)(d - t->buf);
	return 0;
}

#if defined(CSV_HAVE_AVX512)
static __attribute__((noinline)) CSV_AVX512_TARGET int add_rows_avx512(struct fmt_task *t, bh_ctx *ctx,
									const bh_page *page)
{
	return add_rows(t, ctx, page, 1);
}
#endif

static int formatter_add(void *task_state, bh_ctx *ctx, const bh_page *page)
{
	struct fmt_task *t = task_state;
	int r;
	if (t->header_pending && (r = put_header(t, ctx)) < 0)
		return r;
#if defined(CSV_HAVE_AVX512)
	if (t->f->avx512)
		return add_rows_avx512(t, ctx, page);
#endif
	return add_rows(t, ctx, page, 0);
}

static int formatter_finish_task(void *task_state, bh_ctx *ctx)
{
	struct fmt_task *t = task_state;
	int r = t->header_pending ? put_header(t, ctx) : 0;
	if (r < 0 || (r = flush(t)) < 0)
		return r;
	return t->sink.finish ? t->sink.finish(t->sink.self) : 0;
}

static void formatter_close_task(void *task_state)
{
	struct fmt_task *t = task_state;
	if (!t)
		return;
	if (t->sink.close)
		t->sink.close(t->sink.self);
	free(t->buf);
	free(t);
}

const bh_formatter_vtable csv_formatter_vtable = {
	.struct_size = sizeof(bh_formatter_vtable),
	.begin = formatter_begin,
	.open_task = formatter_open_task,
	.add = formatter_add,
	.finish_task = formatter_finish_task,
	.close_task = formatter_close_task,
	.end = formatter_end,
};
