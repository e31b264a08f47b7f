/* The jsonl formatter: one JSON object per record, keys in schema order,
 * written through a fixed buffer with no allocation per value. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_escape.h"
#include "json_scan.h"
#include "jsonl.h"

/* Bytes gathered before each write to the sink. */
#define JSONL_WRITE_BUFFER (256 * 1024)
/* Longest text one timestamp may format to. */
#define JSONL_TIMESTAMP_TEXT_MAX 256

const bh_option jsonl_formatter_options[] = {
	{ "default_timezone", BH_OPT_STRING, "UTC", 0,
	  "Time zone timestamps are written in: UTC or a fixed offset such as +09:00." },
	{ "default_timestamp_format", BH_OPT_STRING, "%Y-%m-%d %H:%M:%S.%6N %z", 0,
	  "strftime-like format of timestamp values (%N, %3N, %6N, %9N for fractions); "
	  "timestamps are written as JSON strings." },
	{ "column_options", BH_OPT_MAP, NULL, 0,
	  "Per-column settings for timestamp columns: {column: {format: ..., timezone: ...}}, "
	  "overriding default_timestamp_format and default_timezone." },
	{ "nan_as_string", BH_OPT_BOOLEAN, "false", 0,
	  "JSON has no NaN or infinities: by default such doubles are written as null; when "
	  "true they are written as the strings \"NaN\", \"Infinity\" and \"-Infinity\"." },
	{ NULL, 0, NULL, 0, NULL },
};

struct format_column {
	char key[16]; /* the prefix's first 16 bytes, copied without a pointer */
	char *prefix; /* `{"name":` for the first column, `,"name":` after */
	size_t prefix_len;
	bh_type type;
	char *timestamp_format; /* owned copy */
	int32_t offset;
};

struct format_state {
	uint32_t ncols;
	struct format_column *cols;
	int nan_as_string;
	int has_strings; /* a string column: the page's arena is checked for UTF-8 */
	int long_prefix; /* a key too long for the cell fast path */
	/* Rows of only long, double, boolean and string columns are written
	 * whole after one reservation: row_reserve bytes plus 6 per byte of
	 * the string cells. */
	int row_fast;
	size_t row_reserve;
	/* Well-formed strings escaped 64 bytes a step with AVX-512 (chosen at
	 * run time; BULKHEAD_FORMATTER_SIMD=sse2 turns it off, for tests). */
	int avx512;
};

struct format_task {
	const struct format_state *st;
	bh_ctx *ctx;
	bh_sink sink;
	/* The page being written: string cells inside arena[0..arena_valid)
	 * that start and end on character boundaries are well-formed UTF-8;
	 * bytes up to readable may be loaded (the arena's capacity). */
	const char *arena;
	size_t arena_valid;
	int page_utf8; /* the page says every cell is well-formed (BH_PAGE_UTF8) */
	const char *readable;
	size_t len;
	char buf[JSONL_WRITE_BUFFER];
};

/* Room the cell fast path reserves besides the key: the key's 16-byte copy
 * steps overrun it by up to 15 bytes, then any value but a string or json
 * (a double is the longest; a string's quotes and 16-byte steps take 18
 * bytes besides its 6 per byte). */
#define JSONL_CELL_SLACK (16 + BH_DOUBLE_MAX_CHARS)

static int out_flush(struct format_task *t)
{
	if (t->len == 0)
		return 0;
	int r = t->sink.write(t->sink.self, t->buf, t->len);
	t->len = 0;
	return r;
}

/* Makes sure n bytes fit in the buffer (n <= JSONL_WRITE_BUFFER). */
static inline int out_room(struct format_task *t, size_t n)
{
	if (JSONL_WRITE_BUFFER - t->len >= n)
		return 0;
	return out_flush(t);
}

static inline int out_bytes(struct format_task *t, const char *s, size_t n)
{
	int r;
	if (JSONL_WRITE_BUFFER - t->len < n) {
		r = out_flush(t);
		if (r < 0)
			return r;
		if (n >= JSONL_WRITE_BUFFER)
			return t->sink.write(t->sink.self, s, n);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return 0;
}

/* A JSON string: quote, escaped bytes in buffer-sized slices, quote. */
static int out_string(struct format_task *t, const char *s, size_t n)
{
	int r = out_room(t, 1);
	if (r < 0)
		return r;
	t->buf[t->len++] = '"';
	while (n > 0) {
		size_t room = JSONL_WRITE_BUFFER - t->len, take, used;
		if (room < 64) {
			r = out_flush(t);
			if (r < 0)
				return r;
			room = JSONL_WRITE_BUFFER;
		}
		take = room / 6;
		if (take > n)
			take = n;
		t->len += json_escape(t->buf + t->len, s, take, take == n, &used);
		if (used == 0) {
			/* Only the start of a split sequence was left: take it whole. */
			t->len += json_escape(t->buf + t->len, s, n < 4 ? n : 4, n <= 4, &used);
		}
		s += used;
		n -= used;
	}
	r = out_room(t, 1);
	if (r < 0)
		return r;
	t->buf[t->len++] = '"';
	return 0;
}

/* A JSON string known to be well-formed UTF-8, escaped straight into the
 * buffer when its worst case (6 bytes per byte) fits; bytes up to readable
 * may be loaded.  Longer ones go through out_string's slices. */
static inline int out_utf8_string(struct format_task *t, const char *s, size_t n, const char *readable)
{
	int r;
	if (n > (JSONL_WRITE_BUFFER - 32) / 6)
		return out_string(t, s, n);
	if (JSONL_WRITE_BUFFER - t->len < 6 * n + 32 && (r = out_flush(t)) < 0)
		return r;
	char *d = t->buf + t->len;
	*d++ = '"';
	d = json_escape_utf8(d, s, n, readable);
	*d++ = '"';
	t->len = (size_t)(d - t->buf);
	return 0;
}

static inline int is_continuation(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* Writes a string cell of the current page, quoted, to d, which holds
 * 6 * length + 18 bytes, and returns the end.  Cells are well-formed when the
 * page says so (BH_PAGE_UTF8); else the page's UTF-8 check covers a cell
 * inside its valid prefix that starts and ends on character boundaries;
 * other cells are checked alone, and invalid ones take the escape that
 * writes U+FFFD for each invalid byte, as out_string does. */
static inline __attribute__((always_inline)) char *put_string_cell_with(const struct format_task *t, char *d,
									  const bh_value *v, int avx512)
{
	size_t off = v->u.s.off, n = v->u.s.len, end = off + n, used;
	const char *s = t->arena + off;
	*d++ = '"';
	if (n == 0) {
	} else if (t->page_utf8 ||
		   (end <= t->arena_valid && !is_continuation(*s) &&
		    (end == t->arena_valid || !is_continuation(t->arena[end]))) ||
		   bh_utf8_valid(s, n)) {
#if defined(JSON_HAVE_AVX512)
		if (avx512)
			d = json_escape_utf8_avx512(d, s, n);
		else
#endif
			d = json_escape_utf8(d, s, n, t->readable > s + n ? t->readable : s + n);
	} else {
		d += json_escape(d, s, n, 1, &used);
	}
	*d++ = '"';
	return d;
}

#if defined(JSON_HAVE_AVX512)
static __attribute__((noinline)) JSON_AVX512_TARGET char *put_string_cell_avx512(const struct format_task *t,
										   char *d, const bh_value *v)
{
	return put_string_cell_with(t, d, v, 1);
}
#endif

static char *put_string_cell(const struct format_task *t, char *d, const bh_value *v)
{
#if defined(JSON_HAVE_AVX512)
	if (t->st->avx512)
		return put_string_cell_avx512(t, d, v);
#endif
	return put_string_cell_with(t, d, v, 0);
}

static int out_string_cell(struct format_task *t, const bh_value *v)
{
	int r;
	if (v->u.s.len > (JSONL_WRITE_BUFFER - 32) / 6)
		return out_string(t, t->arena + v->u.s.off, v->u.s.len);
	if (JSONL_WRITE_BUFFER - t->len < 6 * (size_t)v->u.s.len + 32 && (r = out_flush(t)) < 0)
		return r;
	t->len = (size_t)(put_string_cell(t, t->buf + t->len, v) - t->buf);
	return 0;
}

/* json text with its line breaks (and other whitespace between tokens)
 * removed, so a cell written by a plugin that keeps JSON as typed cannot
 * split the output line.  Whitespace inside strings is escaped already. */
static int out_json_one_line(struct format_task *t, const char *s, size_t n)
{
	size_t run = 0;
	int in_string = 0, r;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if ((r = out_bytes(t, s + run, i - run)) < 0)
				return r;
			run = i + 1;
		}
	}
	return out_bytes(t, s + run, n - run);
}

/* Any value after its key (the cell fast path below handles the common ones). */
static int out_value(struct format_task *t, const struct format_column *c, const bh_page *page,
		     const bh_value *v)
{
	char text[JSONL_TIMESTAMP_TEXT_MAX + 16]; /* + 16: read 16 bytes a step */
	size_t n;
	int r;

	if (v->is_null)
		return out_bytes(t, "null", 4);
	switch (c->type) {
	case BH_TYPE_BOOLEAN:
		return v->u.b ? out_bytes(t, "true", 4) : out_bytes(t, "false", 5);
	case BH_TYPE_LONG:
		r = out_room(t, BH_LONG_MAX_CHARS);
		if (r < 0)
			return r;
		t->len += bh_format_long(v->u.l, t->buf + t->len);
		return 0;
	case BH_TYPE_DOUBLE:
		if (!isfinite(v->u.d)) {
			if (!t->st->nan_as_string)
				return out_bytes(t, "null", 4);
			if (isnan(v->u.d))
				return out_bytes(t, "\"NaN\"", 5);
			return v->u.d > 0 ? out_bytes(t, "\"Infinity\"", 10)
					  : out_bytes(t, "\"-Infinity\"", 11);
		}
		r = out_room(t, BH_DOUBLE_MAX_CHARS);
		if (r < 0)
			return r;
		t->len += bh_format_double(v->u.d, t->buf + t->len);
		return 0;
	case BH_TYPE_STRING:
		return out_string_cell(t, v);
	case BH_TYPE_JSON:
		/* Stored json cells are valid JSON text; an empty one has no value.
		 * Compact text (what parsers store) goes out as is. */
		if (v->u.s.len == 0)
			return out_bytes(t, "null", 4);
		if (memchr(page->arena + v->u.s.off, '\n', v->u.s.len) != NULL ||
		    memchr(page->arena + v->u.s.off, '\r', v->u.s.len) != NULL)
			return out_json_one_line(t, page->arena + v->u.s.off, v->u.s.len);
		return out_bytes(t, page->arena + v->u.s.off, v->u.s.len);
	case BH_TYPE_TIMESTAMP: {
		n = bh_format_timestamp_at(v->u.t, c->timestamp_format, c->offset, text,
					   JSONL_TIMESTAMP_TEXT_MAX);
		if (n == 0) {
			bh_error(t->ctx, "timestamp of column %.*s formats to more than %d bytes",
				 (int)(c->prefix_len - 3), c->prefix + 2, JSONL_TIMESTAMP_TEXT_MAX - 1);
			return -EOVERFLOW;
		}
		if (!bh_utf8_valid(text, n))
			return out_string(t, text, n);
		return out_utf8_string(t, text, n, text + sizeof text);
	}
	}
	return -EINVAL;
}

/* The cells of one row in the slow way: keys longer than the fast path's
 * reservation allows. */
static int add_row_slow(struct format_task *t, const bh_page *page, const bh_value *v)
{
	const struct format_state *st = t->st;
	int r;
	for (uint32_t col = 0; col < st->ncols; col++) {
		const struct format_column *c = &st->cols[col];
		if ((r = out_bytes(t, c->prefix, c->prefix_len)) < 0 ||
		    (r = out_value(t, c, page, &v[col])) < 0)
			return r;
	}
	return 0;
}

/* The column's key prefix ("{\"id\":" or ",\"name\":") at d; returns its end.
 * Prefixes are padded to 16 bytes, so whole blocks are copied without a call. */
static inline char *put_key(const struct format_column *c, char *d)
{
	memcpy(d, c->key, 16); /* every prefix has one block (4 bytes or more) */
	for (size_t i = 16; i < c->prefix_len; i += 16)
		memcpy(d + i, c->prefix + i, 16);
	return d + c->prefix_len;
}

/* One row, cell by cell: each key and value reserved and written straight
 * into the buffer, timestamps and json through out_value. */
static int add_row_cells(struct format_task *t, const bh_page *page, const bh_value *v)
{
	const struct format_state *st = t->st;
	int r;
	for (uint32_t col = 0; col < st->ncols; col++, v++) {
		const struct format_column *c = &st->cols[col];
		if (JSONL_WRITE_BUFFER - t->len < c->prefix_len + JSONL_CELL_SLACK && (r = out_flush(t)) < 0)
			return r;
		char *d = t->buf + t->len;
		d = put_key(c, d);
		if (v->is_null) {
			memcpy(d, "null", 4);
			d += 4;
		} else if (c->type == BH_TYPE_LONG) {
			d += bh_format_long(v->u.l, d);
		} else if (c->type == BH_TYPE_DOUBLE && isfinite(v->u.d)) {
			d += bh_format_double(v->u.d, d);
		} else if (c->type == BH_TYPE_BOOLEAN) {
			memcpy(d, v->u.b ? "true" : "false", 5); /* with the NUL: one length */
			d += v->u.b ? 4 : 5;
		} else {
			t->len = (size_t)(d - t->buf);
			r = c->type == BH_TYPE_STRING ? out_string_cell(t, v) : out_value(t, c, page, v);
			if (r < 0)
				return r;
			continue;
		}
		t->len = (size_t)(d - t->buf);
	}
	return 0;
}

/* A double JSON has no number for, as out_value writes it. */
static inline char *put_nonfinite(char *d, double x, int nan_as_string)
{
	if (!nan_as_string) {
		memcpy(d, "null", 4);
		return d + 4;
	}
	if (isnan(x)) {
		memcpy(d, "\"NaN\"", 5);
		return d + 5;
	}
	if (x > 0) {
		memcpy(d, "\"Infinity\"", 10);
		return d + 10;
	}
	memcpy(d, "\"-Infinity\"", 11);
	return d + 11;
}

/* How add_rows writes string cells: checked for UTF-8 as put_string_cell
 * says, or from a page that says they are well-formed, escaped with SSE2 or
 * with AVX-512 (inline: add_rows is compiled for it). */
enum row_strings { STRINGS_CHECKED, STRINGS_UTF8_SSE2, STRINGS_UTF8_AVX512 };

/* The rows of a page.  A row_fast schema's rows are written straight into
 * the buffer: the fixed part of a row (keys, numbers, quotes, slack:
 * row_reserve) is kept free at the end of the buffer, and each string cell
 * takes its worst case (6 bytes per byte) from what is left before that
 * (budget), so no pass over a row's strings comes first.  A row that does
 * not fit is started again in an empty buffer, and one that does not fit
 * there either is written cell by cell, as are the rows of other schemas. */
static inline __attribute__((always_inline)) int add_rows(struct format_task *t, const bh_page *page,
							  enum row_strings strings)
{
	const struct format_state *st = t->st;
	const struct format_column *cols = st->cols;
	const uint32_t ncols = st->ncols;
	const bh_value *v = page->values;
	const char *arena = page->arena;
	int r;

	if (!st->row_fast) {
		for (uint32_t row = 0; row < page->nrows; row++, v += page->ncols) {
			if (ncols == 0 && (r = out_bytes(t, "{", 1)) < 0)
				return r;
			r = st->long_prefix ? add_row_slow(t, page, v) : add_row_cells(t, page, v);
			if (r < 0 || (r = out_bytes(t, "}\n", 2)) < 0)
				return r;
		}
		return 0;
	}
	char *const limit = t->buf + (JSONL_WRITE_BUFFER - st->row_reserve);
	char *d = t->buf + t->len;
	const size_t stride = page->ncols;
	const bh_value *const vend = v + (size_t)page->nrows * stride;
	const struct format_column *const cend = cols + ncols;
	for (; v < vend; v += stride) {
		char *start = d;
		if (d > limit)
			goto no_room;
		size_t budget = (size_t)(limit - d);
		const bh_value *cell = v;
		for (const struct format_column *c = cols; c < cend; c++, cell++) {
			d = put_key(c, d);
			if (cell->is_null) {
				memcpy(d, "null", 4);
				d += 4;
				continue;
			}
			switch (c->type) {
			case BH_TYPE_LONG:
				d += bh_format_long(cell->u.l, d);
				break;
			case BH_TYPE_DOUBLE:
				if (isfinite(cell->u.d))
					d += bh_format_double(cell->u.d, d);
				else
					d = put_nonfinite(d, cell->u.d, st->nan_as_string);
				break;
			case BH_TYPE_BOOLEAN:
				memcpy(d, cell->u.b ? "true" : "false", 5); /* with the NUL: one length */
				d += cell->u.b ? 4 : 5;
				break;
			case BH_TYPE_STRING: {
				size_t n = cell->u.s.len;
				if (6 * n > budget)
					goto no_room;
				budget -= 6 * n;
				if (strings == STRINGS_CHECKED) {
					d = put_string_cell(t, d, cell);
					break;
				}
				const char *s = arena + cell->u.s.off;
				*d++ = '"';
#if defined(JSON_HAVE_AVX512)
				if (strings == STRINGS_UTF8_AVX512)
					d = json_escape_utf8_avx512(d, s, n);
				else
#endif
					d = json_escape_utf8(d, s, n, t->readable > s + n ? t->readable : s + n);
				*d++ = '"';
				break;
			}
			default: /* not in a row_fast schema: no range check on the type */
				__builtin_unreachable();
			}
		}
		memcpy(d, "}\n", 2);
		d += 2;
		continue;
	no_room:
		/* The buffer's end: the row again after a flush, or alone */
		t->len = (size_t)(start - t->buf);
		if (t->len > 0) {
			if ((r = out_flush(t)) < 0)
				return r;
			d = t->buf;
			v -= stride; /* this row again */
			continue;
		}
		if ((r = add_row_cells(t, page, v)) < 0 || (r = out_bytes(t, "}\n", 2)) < 0)
			return r;
		d = t->buf + t->len;
	}
	t->len = (size_t)(d - t->buf);
	return 0;
}

#if defined(JSON_HAVE_AVX512)
static __attribute__((noinline)) JSON_AVX512_TARGET int add_rows_avx512(struct format_task *t, const bh_page *page)
{
	return add_rows(t, page, STRINGS_UTF8_AVX512);
}
#endif

static __attribute__((noinline)) int add_rows_sse2(struct format_task *t, const bh_page *page)
{
	return add_rows(t, page, STRINGS_UTF8_SSE2);
}

static int formatter_add(void *task_state, bh_ctx *ctx, const bh_page *page)
{
	struct format_task *t = task_state;
	const struct format_state *st = t->st;

	t->ctx = ctx;
	if (st->has_strings) {
		/* one UTF-8 check for the strings of the whole page, unless its
		 * producer checked them */
		t->arena = page->arena;
		t->page_utf8 = (page->flags & BH_PAGE_UTF8) != 0;
		t->arena_valid = t->page_utf8 ? page->arena_len : bh_utf8_prefix(page->arena, page->arena_len);
		t->readable = page->arena + (page->arena_cap > page->arena_len ? page->arena_cap : page->arena_len);
	}
	if (st->has_strings && !t->page_utf8)
		return add_rows(t, page, STRINGS_CHECKED);
#if defined(JSON_HAVE_AVX512)
	if (st->avx512)
		return add_rows_avx512(t, page);
#endif
	return add_rows_sse2(t, page);
}

static int formatter_open_task(void *state, bh_ctx *ctx, bh_sink *sink, void **task_state)
{
	/* The sink becomes the task's only on success. */
	struct format_task *t = malloc(sizeof *t);
	if (t == NULL)
		return -ENOMEM;
	t->st = state;
	t->ctx = ctx;
	t->sink = *sink;
	t->len = 0;
	*task_state = t;
	return 0;
}

static int formatter_finish_task(void *task_state, bh_ctx *ctx)
{
	struct format_task *t = task_state;
	int r = out_flush(t);
	if (r < 0)
		return r;
	return t->sink.finish(t->sink.self);
}

static void formatter_close_task(void *task_state)
{
	struct format_task *t = task_state;
	if (t == NULL)
		return;
	t->sink.close(t->sink.self);
	free(t);
}

static void formatter_end(void *state)
{
	struct format_state *st = state;
	if (st == NULL)
		return;
	for (uint32_t i = 0; i < st->ncols; i++) {
		free(st->cols[i].prefix);
		free(st->cols[i].timestamp_format);
	}
	free(st->cols);
	free(st);
}

/* The column closest to name, for a hint; NULL also when out of
 * memory, since the error stands without it.  Points into schema. */
static const char *closest_column(const bh_schema *schema, const char *name)
{
	const char **names = malloc(((size_t)schema->count + 1) * sizeof *names);
	const char *best;

	if (names == NULL)
		return NULL;
	for (uint32_t i = 0; i < schema->count; i++)
		names[i] = schema->columns[i].name;
	best = bh_did_you_mean(name, names, schema->count);
	free(names);
	return best;
}

static int find_schema_column(const bh_schema *schema, const char *name)
{
	for (uint32_t i = 0; i < schema->count; i++)
		if (strcmp(schema->columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* column_options, read from the config as JSON since its keys are column names. */
static int read_column_options(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema,
			       struct format_state *st, const char *default_format,
			       int32_t default_offset)
{
	char *text = NULL;
	json_t *root = NULL, *opts;
	const char *name;
	json_t *value;
	int r;

	for (uint32_t i = 0; i < st->ncols; i++) {
		st->cols[i].offset = default_offset;
		if (st->cols[i].type == BH_TYPE_TIMESTAMP &&
		    (st->cols[i].timestamp_format = strdup(default_format)) == NULL)
			return -ENOMEM;
	}
	r = bh_host->config_json(ctx, cfg, &text);
	if (r < 0)
		return r;
	root = json_loads(text, 0, NULL);
	free(text);
	if (root == NULL)
		return bh_error(ctx, "config is not valid JSON");
	opts = json_object_get(root, "column_options");
	if (opts == NULL || json_is_null(opts)) {
		r = 0;
		goto out;
	}
	r = BH_ECONFIG;
	if (!json_is_object(opts)) {
		bh_error(ctx, "column_options: expected a mapping of column name to options");
		goto out;
	}
	json_object_foreach(opts, name, value) {
		int col = find_schema_column(schema, name);
		const char *format = default_format, *zone = NULL, *key;
		int32_t offset = default_offset;
		json_t *item;
		if (col < 0) {
			const char *best = closest_column(schema, name);
			if (best != NULL)
				bh_error(ctx, "column_options: no column '%s' (did you mean '%s'?)", name,
					 best);
			else
				bh_error(ctx, "column_options: no column '%s'", name);
			goto out;
		}
		if (!json_is_object(value)) {
			bh_error(ctx, "column_options.%s: expected a mapping with format and timezone",
				 name);
			goto out;
		}
		json_object_foreach(value, key, item) {
			if (!json_is_string(item)) {
				bh_error(ctx, "column_options.%s.%s: expected a string", name, key);
				goto out;
			}
			if (strcmp(key, "format") == 0)
				format = json_string_value(item);
			else if (strcmp(key, "timezone") == 0)
				zone = json_string_value(item);
			else {
				bh_error(ctx, "column_options.%s: unknown key '%s' (expected format or timezone)",
					 name, key);
				goto out;
			}
		}
		if (st->cols[col].type != BH_TYPE_TIMESTAMP) {
			bh_error(ctx, "column_options.%s: only timestamp columns take options (it is %s)",
				 name, bh_type_name(st->cols[col].type));
			goto out;
		}
		if (zone != NULL && bh_parse_utc_offset(zone, strlen(zone), &offset) < 0) {
			bh_error(ctx, "column_options.%s.timezone: '%s' is not UTC or a fixed offset like +09:00",
				 name, zone);
			goto out;
		}
		free(st->cols[col].timestamp_format);
		st->cols[col].timestamp_format = NULL;
		st->cols[col].offset = offset;
		if ((st->cols[col].timestamp_format = strdup(format)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

/* The key prefix of column i: `{"name":` or `,"name":`. */
static int make_prefix(struct format_column *c, const char *name, int first)
{
	size_t n = strlen(name), used;
	char *p = calloc(1, 6 * n + 4 + 16); /* + 16: copied 16 bytes at a time */
	if (p == NULL)
		return -ENOMEM;
	p[0] = first ? '{' : ',';
	p[1] = '"';
	c->prefix_len = 2 + json_escape(p + 2, name, n, 1, &used);
	p[c->prefix_len++] = '"';
	p[c->prefix_len++] = ':';
	c->prefix = p;
	memcpy(c->key, p, 16);
	return 0;
}

static int formatter_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema,
			   void **state)
{
	struct format_state *st = calloc(1, sizeof *st);
	const char *format = "%Y-%m-%d %H:%M:%S.%6N %z";
	int32_t offset;
	int r;

	if (st == NULL)
		return -ENOMEM;
	st->cols = calloc(schema->count ? schema->count : 1, sizeof *st->cols);
	if (st->cols == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	st->ncols = schema->count;
	r = jsonl_default_timezone(ctx, cfg, &offset);
	if (r < 0)
		goto fail;
	r = bh_host->config_string(ctx, cfg, "default_timestamp_format", &format);
	if (r < 0 && r != -ENOENT)
		goto fail;
	r = bh_host->config_boolean(ctx, cfg, "nan_as_string", &st->nan_as_string);
	if (r < 0 && r != -ENOENT)
		goto fail;
	for (uint32_t i = 0; i < schema->count; i++) {
		st->cols[i].type = schema->columns[i].type;
		r = make_prefix(&st->cols[i], schema->columns[i].name, i == 0);
		if (r < 0)
			goto fail;
		st->has_strings |= st->cols[i].type == BH_TYPE_STRING;
		st->long_prefix |= st->cols[i].prefix_len + JSONL_CELL_SLACK > JSONL_WRITE_BUFFER;
	}
	/* Rows written whole: every column of a type add_rows knows, at least
	 * one (an empty object starts with the "{" of no key), and their fixed
	 * part well inside the buffer */
	st->row_fast = schema->count > 0 && !st->long_prefix;
	st->row_reserve = 2; /* "}\n" */
	for (uint32_t i = 0; i < schema->count; i++) {
		bh_type type = st->cols[i].type;
		st->row_fast &= type == BH_TYPE_LONG || type == BH_TYPE_DOUBLE || type == BH_TYPE_BOOLEAN ||
				type == BH_TYPE_STRING;
		st->row_reserve += st->cols[i].prefix_len + JSONL_CELL_SLACK;
	}
	st->row_fast &= st->row_reserve <= JSONL_WRITE_BUFFER / 2;
	r = read_column_options(ctx, cfg, schema, st, format, offset);
	if (r < 0)
		goto fail;
#if defined(JSON_HAVE_AVX512)
	__builtin_cpu_init(); /* (the plugin's constructors may not have run it) */
	{
		const char *simd = getenv("BULKHEAD_FORMATTER_SIMD");
		st->avx512 = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi2") &&
			     !(simd && strcmp(simd, "sse2") == 0);
	}
#endif
	/* A format that cannot fit the text buffer fails now, not on the first record. */
	for (uint32_t i = 0; i < st->ncols; i++) {
		char text[JSONL_TIMESTAMP_TEXT_MAX];
		bh_timestamp probe = { .sec = 253402300799, .nsec = 999999999 };
		if (st->cols[i].type == BH_TYPE_TIMESTAMP &&
		    bh_format_timestamp_at(probe, st->cols[i].timestamp_format, st->cols[i].offset,
					   text, sizeof text) == 0) {
			bh_error(ctx, "timestamp format of column '%s' is empty or longer than %d bytes",
				 schema->columns[i].name, JSONL_TIMESTAMP_TEXT_MAX - 1);
			r = BH_ECONFIG;
			goto fail;
		}
	}
	*state = st;
	return 0;
fail:
	formatter_end(st);
	return r;
}

const bh_formatter_vtable jsonl_formatter_vtable = {
	.struct_size = sizeof(bh_formatter_vtable),
	.begin = formatter_begin,
	.open_task = formatter_open_task,
	.add = formatter_add,
	.finish_task = formatter_finish_task,
	.close_task = formatter_close_task,
	.end = formatter_end,
};
