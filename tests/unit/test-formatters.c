/* The jsonl and csv formatters' output against reference encoders written
 * byte by byte, on random pages built by hand: strings with escapes, CSV
 * specials and UTF-8 at every offset, invalid UTF-8 (alone and hidden in a
 * page whose arena as a whole is valid), strings that end at the last byte
 * of their arena allocation (nothing may be read past it: run under ASan or
 * valgrind to check), strings longer than the output buffer, nulls, every
 * value type, and option sets that take the general paths. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <bulkhead/testkit.h>
#include <bulkhead/text.h>
#include "sdk/src/runtime.h"

#define XORSHIFT_SEED UINT64_C(0x2545F4914F6CDD1D)
#include "tests/unit/xorshift.h"

/* ---- growing byte buffer ------------------------------------------------- */

struct bytes {
	char *p;
	size_t len, cap;
};

static void add(struct bytes *b, const void *s, size_t n)
{
	if (b->cap - b->len < n + 1) {
		b->cap = (b->cap + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void adds(struct bytes *b, const char *s)
{
	add(b, s, strlen(s));
}

/* ---- formatter run ------------------------------------------------------- */

struct run {
	bh_testkit *tk;
	const bh_formatter_vtable *vt;
	struct rt_runtime rt;
	bh_ctx *ctx;
	json_t *cfg;
	void *state, *task;
	struct bytes out;
};

static int sink_write(void *self, const void *data, size_t len)
{
	add(self, data, len);
	return 0;
}
static int sink_finish(void *self)
{
	(void)self;
	return 0;
}
static void sink_close(void *self)
{
	(void)self;
}

static void run_open(struct run *r, const char *plugin, const char *config, const bh_schema *schema)
{
	const char *dir = getenv("BULKHEAD_BUILDDIR");
	char path[4096];
	const bh_component *c = NULL;
	char *err = NULL;

	memset(r, 0, sizeof *r);
	snprintf(path, sizeof path, "%s/plugins/%s/%s.so", dir ? dir : ".", plugin, plugin);
	r->tk = bh_testkit_open(path);
	ck_assert_msg(r->tk != NULL, "cannot load %s", path);
	const bh_plugin *p = bh_testkit_plugin(r->tk);
	for (uint32_t i = 0; i < p->component_count; i++)
		if (p->components[i].kind == BH_KIND_FORMATTER)
			c = &p->components[i];
	ck_assert_ptr_nonnull(c);
	r->vt = c->vtable;
	rt_runtime_init(&r->rt);
	r->ctx = rt_ctx_new(&r->rt, "formatter", 0, NULL);
	r->cfg = json_loads(config, 0, NULL);
	ck_assert_ptr_nonnull(r->cfg);
	ck_assert_int_eq(rt_config_prepare(c->options, r->cfg, "formatter", &err), 0);
	ck_assert_int_eq(r->vt->begin(r->ctx, (const bh_config *)r->cfg, schema, &r->state), 0);
	bh_sink sink = { &r->out, sink_write, sink_finish, sink_close };
	ck_assert_int_eq(r->vt->open_task(r->state, r->ctx, &sink, &r->task), 0);
}

static void run_close(struct run *r)
{
	ck_assert_int_eq(r->vt->finish_task(r->task, r->ctx), 0);
	r->vt->close_task(r->task);
	r->vt->end(r->state);
	rt_ctx_free(r->ctx);
	rt_runtime_destroy(&r->rt);
	json_decref(r->cfg);
	bh_testkit_free(r->tk);
}

/* ---- random pages -------------------------------------------------------- */

/* A piece of string text: mostly plain, with the bytes each format treats
 * specially, well-formed UTF-8 and, when `invalid`, broken sequences. */
static void random_piece(struct bytes *b, int invalid)
{
	static const char *const pieces[] = {
		"a", "plain words", "0123456789abcdefghij", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f",
		"\x7f", ",", ";", ":", "::", "/", "'", "\xc3\xa9", "\xe6\x9d\xb1\xe4\xba\xac", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\xc2\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "NULL",
	};
	static const char *const broken[] = {
		"\x80", "\xbf", "\xc0\xaf", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf0\x9f\x98",
		"\xff", "\xf8\x88\x80\x80\x80", "\xe0\x80\x80",
	};
	size_t np = sizeof pieces / sizeof pieces[0], nb = sizeof broken / sizeof broken[0];
	if (invalid && rnd() % 6 == 0)
		adds(b, broken[rnd() % nb]);
	else if (rnd() % 3 == 0)
		adds(b, pieces[rnd() % np]);
	else
		adds(b, pieces[rnd() % 3]);
}

struct column_spec {
	const char *name;
	bh_type type;
};

/* A page of nrows random rows for the columns; the arena is allocated to
 * its exact length, so strings at its end have no bytes after them. */
/* Plain text of length n with, when at < n, the byte c at offset at: the
 * edges of the formatters' 16- and 64-byte steps. */
static void edge_string(struct bytes *b, size_t n, size_t at, char c)
{
	for (size_t i = 0; i < n; i++) {
		char x = (char)('a' + i % 26);
		add(b, i == at ? &c : &x, 1);
	}
}

static bh_page *random_page(const bh_schema *schema, uint32_t nrows, int invalid, int huge, int edges)
{
	bh_page *page = calloc(1, sizeof *page);
	struct bytes arena = { 0 };
	ck_assert_ptr_nonnull(page);
	page->ncols = schema->count;
	page->nrows = page->capacity = nrows;
	page->schema = schema;
	page->values = calloc((size_t)nrows * schema->count + 1, sizeof *page->values);
	ck_assert_ptr_nonnull(page->values);
	for (uint32_t row = 0; row < nrows; row++) {
		for (uint32_t col = 0; col < schema->count; col++) {
			bh_value *v = &page->values[(size_t)row * schema->count + col];
			if (rnd() % 10 == 0) {
				v->is_null = 1;
				continue;
			}
			switch (schema->columns[col].type) {
			case BH_TYPE_LONG:
				v->u.l = (int64_t)rnd() >> (rnd() % 64);
				break;
			case BH_TYPE_DOUBLE: {
				static const double special[] = { 0.0, -0.0, 0.1, 1e300, 5e-324, NAN, INFINITY, -INFINITY };
				v->u.d = rnd() % 4 == 0 ? special[rnd() % 8] : (double)(int64_t)rnd() / 1e6;
				break;
			}
			case BH_TYPE_BOOLEAN:
				v->u.b = (int)(rnd() % 2);
				break;
			case BH_TYPE_TIMESTAMP:
				v->u.t.sec = (int64_t)(rnd() % 4000000000u) - 1000000000;
				v->u.t.nsec = (int32_t)(rnd() % 1000000000u);
				break;
			case BH_TYPE_STRING:
			case BH_TYPE_JSON: {
				size_t start = arena.len, pieces = rnd() % 4 == 0 ? 0 : rnd() % 12;
				if (schema->columns[col].type == BH_TYPE_JSON) {
					adds(&arena, rnd() % 2 ? "{\"a\":[1,\"x,y\"]}" : "\"q\\\"\"");
				} else if (edges) {
					/* every length to 199, plain or with one special byte
					 * at the start, the end, or around 16/64/128; then
					 * with every byte, or every third, special (several
					 * escapes in one 64-byte block, across blocks) */
					static const char specials[] = "\",\n\r\\;:'\x01\x1f";
					static const size_t places[] = { 0, 15, 16, 63, 64, 65, 127, 128 };
					size_t n = row % 200, kind = (row / 200) % 12, ns = sizeof specials - 1;
					size_t at = kind == 0 ? n : kind == 1 ? n - 1 : kind < 10 ? places[kind - 2] : n;
					edge_string(&arena, n, at, specials[(row + col) % ns]);
					for (size_t i = 0; kind >= 10 && i < n; i += kind == 10 ? 1 : 3)
						arena.p[arena.len - n + i] = specials[(row + col + i) % ns];
				} else if (huge && row == nrows / 2) {
					for (int k = 0; k < 40000; k++) /* past the 256 KiB output buffers */
						random_piece(&arena, invalid);
				} else {
					for (size_t k = 0; k < pieces; k++)
						random_piece(&arena, invalid);
				}
				v->u.s.off = (uint32_t)start;
				v->u.s.len = (uint32_t)(arena.len - start);
				break;
			}
			}
		}
	}
	/* exactly arena.len bytes, so that a read past the last string is caught */
	page->arena = malloc(arena.len ? arena.len : 1);
	ck_assert_ptr_nonnull(page->arena);
	if (arena.len)
		memcpy(page->arena, arena.p, arena.len);
	page->arena_len = page->arena_cap = arena.len;
	free(arena.p);
	return page;
}

static void free_page(bh_page *page)
{
	free(page->values);
	free(page->arena);
	free(page);
}

/* ---- references ---------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (lead >= 0x80), or 0:
 * decoded to a code point, unlike the plugins' range tables. */
static size_t ref_sequence(const unsigned char *s, size_t n)
{
	unsigned c = s[0], len;
	uint32_t cp, min;
	if ((c & 0xE0) == 0xC0)
		len = 2, cp = c & 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		len = 3, cp = c & 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (unsigned k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* A JSON string: each byte that does not start a well-formed sequence
 * becomes U+FFFD. */
static void ref_json_string(struct bytes *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	adds(b, "\"");
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		char esc[8];
		if (c >= 0x80) {
			size_t len = ref_sequence(s + i, n - i);
			if (len == 0) {
				adds(b, "\\ufffd");
				i++;
			} else {
				add(b, s + i, len);
				i += len;
			}
			continue;
		}
		if (c == '"')
			adds(b, "\\\"");
		else if (c == '\\')
			adds(b, "\\\\");
		else if (c == '\n')
			adds(b, "\\n");
		else if (c == '\r')
			adds(b, "\\r");
		else if (c == '\t')
			adds(b, "\\t");
		else if (c == '\b')
			adds(b, "\\b");
		else if (c == '\f')
			adds(b, "\\f");
		else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			adds(b, esc);
		} else {
			add(b, s + i, 1);
		}
		i++;
	}
	adds(b, "\"");
}

static void ref_jsonl(struct bytes *b, const bh_page *page, int nan_as_string)
{
	const bh_schema *schema = page->schema;
	char text[256];
	for (uint32_t row = 0; row < page->nrows; row++) {
		for (uint32_t col = 0; col < schema->count; col++) {
			const bh_value *v = &page->values[(size_t)row * page->ncols + col];
			adds(b, col ? "," : "{");
			ref_json_string(b, schema->columns[col].name, strlen(schema->columns[col].name));
			adds(b, ":");
			if (v->is_null) {
				adds(b, "null");
				continue;
			}
			switch (schema->columns[col].type) {
			case BH_TYPE_LONG:
				add(b, text, bh_format_long(v->u.l, text));
				break;
			case BH_TYPE_DOUBLE:
				if (isfinite(v->u.d))
					add(b, text, bh_format_double(v->u.d, text));
				else if (!nan_as_string)
					adds(b, "null");
				else
					adds(b, isnan(v->u.d) ? "\"NaN\"" : v->u.d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
				break;
			case BH_TYPE_BOOLEAN:
				adds(b, v->u.b ? "true" : "false");
				break;
			case BH_TYPE_TIMESTAMP: {
				size_t n = bh_format_timestamp_at(v->u.t, "%Y-%m-%d %H:%M:%S.%6N %z", 0, text, sizeof text);
				ref_json_string(b, text, n);
				break;
			}
			case BH_TYPE_STRING:
				ref_json_string(b, page->arena + v->u.s.off, v->u.s.len);
				break;
			case BH_TYPE_JSON:
				add(b, page->arena + v->u.s.off, v->u.s.len);
				break;
			}
		}
		adds(b, schema->count ? "}\n" : "{}\n");
	}
}

struct csv_options {
	const char *json;
	const char *delim, *null_string, *newline;
	char quote, escape;
	int all, header;
};

static void ref_csv_text(struct bytes *b, const struct csv_options *o, const char *s, size_t n, int force)
{
	size_t dl = strlen(o->delim);
	int quote = force || (n == strlen(o->null_string) && memcmp(s, o->null_string, n) == 0);
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == o->quote || s[i] == o->escape || s[i] == '\n' || s[i] == '\r' ||
			(n - i >= dl && memcmp(s + i, o->delim, dl) == 0);
	if (!quote) {
		add(b, s, n);
		return;
	}
	add(b, &o->quote, 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == o->quote || s[i] == o->escape)
			add(b, &o->escape, 1);
		add(b, s + i, 1);
	}
	add(b, &o->quote, 1);
}

static void ref_csv(struct bytes *b, const struct csv_options *o, const bh_page *page)
{
	const bh_schema *schema = page->schema;
	char text[256];
	size_t n;
	for (uint32_t row = 0; row < page->nrows; row++) {
		for (uint32_t col = 0; col < schema->count; col++) {
			const bh_value *v = &page->values[(size_t)row * page->ncols + col];
			if (col)
				adds(b, o->delim);
			if (v->is_null) {
				adds(b, o->null_string);
				continue;
			}
			switch (schema->columns[col].type) {
			case BH_TYPE_LONG:
				n = bh_format_long(v->u.l, text);
				ref_csv_text(b, o, text, n, o->all);
				break;
			case BH_TYPE_DOUBLE:
				n = bh_format_double(v->u.d, text);
				ref_csv_text(b, o, text, n, o->all);
				break;
			case BH_TYPE_BOOLEAN:
				ref_csv_text(b, o, v->u.b ? "true" : "false", v->u.b ? 4 : 5, o->all);
				break;
			case BH_TYPE_TIMESTAMP:
				n = bh_format_timestamp_at(v->u.t, "%Y-%m-%d %H:%M:%S.%6N %z", 0, text, sizeof text);
				ref_csv_text(b, o, text, n, o->all);
				break;
			case BH_TYPE_STRING:
			case BH_TYPE_JSON:
				ref_csv_text(b, o, page->arena + v->u.s.off, v->u.s.len, o->all);
				break;
			}
		}
		adds(b, o->newline);
	}
}

/* ---- tests --------------------------------------------------------------- */

static const bh_column fast_columns[] = {
	{ "id", BH_TYPE_LONG, NULL },	    { "name", BH_TYPE_STRING, NULL }, { "price", BH_TYPE_DOUBLE, NULL },
	{ "ok", BH_TYPE_BOOLEAN, NULL },    { "note", BH_TYPE_STRING, NULL },
};
static const bh_column all_columns[] = {
	{ "s", BH_TYPE_STRING, NULL },	  { "t", BH_TYPE_TIMESTAMP, NULL }, { "l", BH_TYPE_LONG, NULL },
	{ "j", BH_TYPE_JSON, NULL },	  { "d", BH_TYPE_DOUBLE, NULL },    { "b", BH_TYPE_BOOLEAN, NULL },
	{ "we\"ird\n\xc3\xa9", BH_TYPE_STRING, NULL },
};
static const bh_schema schemas[] = {
	{ sizeof fast_columns / sizeof fast_columns[0], fast_columns },
	{ sizeof all_columns / sizeof all_columns[0], all_columns },
	{ 1, fast_columns + 1 },
};
#define NSCHEMAS (int)(sizeof schemas / sizeof schemas[0])

/* Pages of each kind through one task: valid text (some flagged
 * BH_PAGE_UTF8), invalid text, a string longer than the output buffer, an
 * empty page, and two pages of edge strings (2400 rows, so that the
 * buffer's end comes inside them), one flagged. */
static void compare_pages(const char *plugin, const char *config, const bh_schema *schema,
			  const struct csv_options *csv, int nan_as_string)
{
	struct run r;
	struct bytes want = { 0 };
	run_open(&r, plugin, config, schema);
	if (csv && csv->header) {
		for (uint32_t col = 0; col < schema->count; col++) {
			if (col)
				adds(&want, csv->delim);
			ref_csv_text(&want, csv, schema->columns[col].name, strlen(schema->columns[col].name),
				     csv->all);
		}
		adds(&want, csv->newline);
	}
	for (int k = 0; k < 25; k++) {
		bh_page *page = k == 22 || k == 24 ? random_page(schema, 2400, 0, 0, 1)
						   : random_page(schema, k == 23 ? 0 : 1 + (uint32_t)(rnd() % 300),
								 k % 3 == 1, k % 8 == 5, 0);
		/* valid text: the page may say so (the formatter then trusts it);
		 * the edge strings both ways */
		if (k % 3 == 2 || k == 24)
			page->flags = BH_PAGE_UTF8;
		ck_assert_int_eq(r.vt->add(r.task, r.ctx, page), 0);
		if (csv)
			ref_csv(&want, csv, page);
		else
			ref_jsonl(&want, page, nan_as_string);
		free_page(page);
	}
	run_close(&r);
	ck_assert_uint_eq(r.out.len, want.len);
	if (memcmp(r.out.p, want.p, want.len) != 0) {
		size_t i = 0;
		while (r.out.p[i] == want.p[i])
			i++;
		size_t from = i > 60 ? i - 60 : 0;
		ck_abort_msg("%s %s: differs at byte %zu:\n got  %.120s\n want %.120s", plugin, config, i,
			     r.out.p + from, want.p + from);
	}
	free(r.out.p);
	free(want.p);
}

/* Both string copies on a CPU with AVX-512: the one it picks (_i even),
 * and the SSE2 one (odd), which the formatters take when told so. */
static void choose_simd(int i)
{
	if (i % 2)
		setenv("BULKHEAD_FORMATTER_SIMD", "sse2", 1);
	else
		unsetenv("BULKHEAD_FORMATTER_SIMD");
}

START_TEST(jsonl_matches_reference)
{
	choose_simd(_i);
	compare_pages("jsonl", "{}", &schemas[_i / 2], NULL, 0);
	compare_pages("jsonl", "{\"nan_as_string\":true}", &schemas[_i / 2], NULL, 1);
}
END_TEST

START_TEST(csv_matches_reference)
{
	static const struct csv_options opts[] = {
		{ "{}", ",", "", "\n", '"', '"', 0, 1 },
		{ "{\"delimiter\":\";\",\"escape\":\"\\\\\",\"null_string\":\"NULL\",\"header_line\":false}", ";",
		  "NULL", "\n", '"', '\\', 0, 0 },
		{ "{\"delimiter\":\"::\",\"newline\":\"CRLF\"}", "::", "", "\r\n", '"', '"', 0, 1 },
		{ "{\"delimiter\":\"\\t\",\"newline\":\"CR\",\"quote\":\"'\"}", "\t", "", "\r", '\'', '\'', 0, 1 },
		{ "{\"quote_policy\":\"ALL\"}", ",", "", "\n", '"', '"', 1, 1 },
	};
	choose_simd(_i);
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		compare_pages("csv", opts[i].json, &schemas[_i / 2], &opts[i], 0);
}
END_TEST

/* A string valid on its own arena bytes only together with its neighbour
 * (a lead byte ending one cell, its continuation starting the next) is
 * still two invalid strings. */
START_TEST(jsonl_split_sequence_across_cells)
{
	static const bh_column cols[] = { { "a", BH_TYPE_STRING, NULL }, { "b", BH_TYPE_STRING, NULL } };
	static const bh_schema schema = { 2, cols };
	char arena[] = "x\xc3\xa9y\xe2\x82\xac";
	bh_value values[2] = { { .u.s = { 0, 2 } }, { .u.s = { 2, 5 } } };
	bh_page page = { .ncols = 2, .nrows = 1, .capacity = 1, .values = values, .arena = arena,
			 .arena_len = 7, .arena_cap = 7, .schema = &schema };
	struct run r;
	run_open(&r, "jsonl", "{}", &schema);
	ck_assert_int_eq(r.vt->add(r.task, r.ctx, &page), 0);
	run_close(&r);
	ck_assert_str_eq(r.out.p, "{\"a\":\"x\\ufffd\",\"b\":\"\\ufffdy\xe2\x82\xac\"}\n");
	free(r.out.p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("formatters");
	TCase *tc = tcase_create("reference");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, jsonl_matches_reference, 0, 2 * NSCHEMAS);
	tcase_add_loop_test(tc, csv_matches_reference, 0, 2 * NSCHEMAS);
	tcase_add_test(tc, jsonl_split_sequence_across_cells);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
