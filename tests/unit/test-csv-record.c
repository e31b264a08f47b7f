/* The csv record tokenizer (plugins/csv/record.c, fast.c) on its own: the
 * fast path must give exactly what the general tokenizer gives (status,
 * extent, line count, column, reason and every cell) for any input, at any
 * place of its 64-byte blocks and with the data ending anywhere. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/csv/parser.h"
#include "sdk/src/runtime.h"

static int drop_page(void *user, const bh_page *page)
{
	(void)user;
	(void)page;
	return 0;
}

struct out {
	char *buf;
	size_t len, cap;
	uint64_t records, fast_records; /* CSV_RECORD outcomes, and the fast path's */
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 4096;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf) /* (no ck_assert in hot loops: check logs every one) */
			ck_abort_msg("out of memory");
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_printf(struct out *o, const char *fmt, ...) BH_PRINTF(2, 3);
static void out_printf(struct out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		ck_abort_msg("out_printf: %d bytes", n);
	out_add(o, tmp, (size_t)n);
}

/* The current record's cells as text (before bh_pb_end_record). */
static void dump_row(struct out *o, const bh_page_builder *pb, const struct csv_parser *p)
{
	const bh_page *pg = &pb->page;
	for (uint32_t c = 0; c < p->ncols; c++) {
		const bh_value *v = bh_page_cell(pg, pg->nrows, c);
		if (v->is_null) {
			out_printf(o, " null");
			continue;
		}
		switch (p->cols[c].type) {
		case BH_TYPE_STRING:
		case BH_TYPE_JSON:
			out_printf(o, " s%u[", v->u.s.len);
			out_add(o, pg->arena + v->u.s.off, v->u.s.len);
			out_printf(o, "]");
			break;
		case BH_TYPE_LONG:
			out_printf(o, " l%lld", (long long)v->u.l);
			break;
		case BH_TYPE_DOUBLE:
			out_printf(o, " d%a", v->u.d);
			break;
		case BH_TYPE_BOOLEAN:
			out_printf(o, " b%d", v->u.b);
			break;
		case BH_TYPE_TIMESTAMP:
			out_printf(o, " t%lld.%d", (long long)v->u.t.sec, v->u.t.nsec);
			break;
		}
	}
}

/* Tokenizes data[0..len) record by record as the chunk loop does (an
 * incomplete record ends it), writing every outcome to o. */
static void tokenize(struct out *o, const struct csv_parser *p, const bh_schema *schema, const char *data,
		     size_t len, int eof, int mode)
{
	bh_page_builder pb;
	struct csv_task t;
	size_t pos = 0;
	/* Small pages and arena: flushes and arena growth happen mid-input. */
	ck_assert_int_eq(rt_pb_init(&pb, schema, 7, 256, drop_page, NULL), 0);
	memset(&t, 0, sizeof t);
	t.p = p;
	t.pb = &pb;
	t.slow_only = mode == 0;
	t.no_avx2 = mode == 2;
	while (pos < len) {
		struct csv_result res;
		enum csv_status st = csv_parse_record(&t, data + pos, data + len, eof, &res);
		out_printf(o, "@%zu st%d c%zu n%llu col%u raw%zu rs%d e%d", pos, (int)st, res.consumed,
			   (unsigned long long)res.lines, res.column, res.raw_len, res.resync, res.error);
		if (st == CSV_RECORD) {
			o->records++;
			dump_row(o, &pb, p);
			if (bh_pb_end_record(&pb) != 0)
				ck_abort_msg("bh_pb_end_record failed");
		} else {
			bh_pb_discard_record(&pb);
		}
		if (st == CSV_INVALID)
			out_printf(o, " why[%s]", t.reason);
		out_printf(o, "\n");
		if (st == CSV_INCOMPLETE || st == CSV_FAIL || res.consumed == 0)
			break;
		pos += res.consumed;
	}
	o->fast_records += t.fast_records;
	rt_pb_destroy(&pb);
	free(t.scratch);
}

/* The fast path and the general tokenizer agree on data, with the data
 * ending there (eof) and cut short at every length (not eof). */
static void expect_same(const struct csv_parser *p, const bh_schema *schema, const char *data, size_t len,
			int every_cut, uint64_t *records, uint64_t *fast_records)
{
	struct out fast = { 0 }, slow = { 0 };
	for (size_t cut = every_cut ? 0 : len; cut <= len; cut++) {
		for (int eof = 0; eof <= 1; eof++) {
			slow.len = 0;
			tokenize(&slow, p, schema, data, cut, eof, 0);
			for (int mode = 1; mode <= 2; mode++) { /* with AVX2 when the CPU has it, without */
				fast.len = 0;
				tokenize(&fast, p, schema, data, cut, eof, mode);
				if (fast.len != slow.len || memcmp(fast.buf, slow.buf, fast.len) != 0)
					ck_abort_msg("input (%zu of %zu bytes, eof %d, mode %d) [%.*s]\nfast:\n%s\n"
						     "general:\n%s", cut, len, eof, mode, (int)cut, data,
						     fast.buf ? fast.buf : "", slow.buf ? slow.buf : "");
			}
		}
	}
	if (records)
		*records += fast.records;
	if (fast_records)
		*fast_records += fast.fast_records;
	free(fast.buf);
	free(slow.buf);
}

/* A parser configuration as parser_begin would make it. */
struct config {
	struct csv_parser p;
	struct csv_column cols[8];
	bh_column schema_cols[8];
	bh_schema schema;
};

static void config_init(struct config *c, const char *types)
{
	memset(c, 0, sizeof *c);
	c->p.delim[0] = ',';
	c->p.delim_len = 1;
	c->p.quote = '"';
	c->p.escape = '\\';
	c->p.max_quoted = 131072;
	c->p.max_line = 16777216;
	for (size_t i = 0; types[i]; i++) {
		bh_type t = types[i] == 'l' ? BH_TYPE_LONG : types[i] == 'd' ? BH_TYPE_DOUBLE
			  : types[i] == 'b' ? BH_TYPE_BOOLEAN : types[i] == 't' ? BH_TYPE_TIMESTAMP
			  : types[i] == 'j' ? BH_TYPE_JSON : BH_TYPE_STRING;
		c->cols[i].name = "c";
		c->cols[i].type = t;
		c->schema_cols[i].name = "c";
		c->schema_cols[i].type = t;
		c->p.ncols++;
	}
	c->p.cols = c->cols;
	c->schema.count = c->p.ncols;
	c->schema.columns = c->schema_cols;
	c->p.schema = &c->schema;
}

/* Quotes, delimiters, escapes and line ends at every offset of a 64-byte
 * block, in records that cross one or two block boundaries. */
START_TEST(fast_path_every_block_offset)
{
	static const char *const specials[] = { ",", "\"a,b\"", "\"x\"\"y\"", "\"\\\"q\\\\\"", "\n", "\r\n",
						"\r", "\"\"", "\"é,\n\"", "\"unterminated", "\"q\" ,", "1" };
	struct config cfg;
	char data[512];
	uint64_t records = 0, fast_records = 0;
	for (int esc = 0; esc < 3; esc++) {
		config_init(&cfg, "sss");
		cfg.p.escape = esc == 0 ? '\\' : esc == 1 ? '"' : -1;
		for (size_t sp = 0; sp < sizeof specials / sizeof specials[0]; sp++) {
			for (size_t off = 0; off < 140; off++) {
				size_t n = 0;
				memset(data, 'x', off);
				n = off;
				n += (size_t)snprintf(data + n, sizeof data - n, "%s,y,%s\nlast,%s,z\n", specials[sp],
						      specials[sp], specials[sp]);
				expect_same(&cfg.p, &cfg.schema, data, n, off % 16 == 0 || off > 120, &records,
					    &fast_records);
			}
		}
	}
	/* most of these records are plain: the fast path must have taken them */
	ck_assert_msg(fast_records * 2 > records, "fast path took %llu of %llu records",
		      (unsigned long long)fast_records, (unsigned long long)records);
}
END_TEST

/* Random records of CSV's special bytes with long fields, under configs
 * that exercise every option the fast path looks at. */
START_TEST(fast_path_random_records)
{
	static const char alphabet[] = { 'a', 'b', ',', ',', ',', '"', '"', '"', '\\', '\n', '\n', '\r', ' ',
					 '1', '2', '#', '.', 'N', '\xc3', '\xa9', '\xff', '{', '}', '-' };
	static const char *const types[] = { "sss", "lsd", "ss", "sssj", "bltd" };
	unsigned seed = 4242;
	char data[700];
	long iterations = getenv("CSV_RANDOM_ITERATIONS") ? atol(getenv("CSV_RANDOM_ITERATIONS")) : 5000;
	for (long iter = 0; iter < iterations; iter++) {
		struct config cfg;
		size_t n = 0;
		int nrec = 1 + rand_r(&seed) % 6;
		config_init(&cfg, types[iter % 5]);
		switch ((iter / 5) % 6) {
		case 0: break;
		case 1: cfg.p.escape = '"'; break;
		case 2: cfg.p.escape = -1; cfg.p.null_string = "N"; cfg.p.null_len = 1; break;
		case 3: cfg.p.comment = "#"; cfg.p.comment_len = 1; cfg.p.max_quoted = 20; break;
		case 4: cfg.p.max_line = 90; cfg.p.allow_extra = 1; cfg.p.allow_optional = 1; break;
		case 5: cfg.p.null_string = "\""; cfg.p.null_len = 1; cfg.p.escape = '"'; break;
		}
		for (int r = 0; r < nrec && n < 600; r++) {
			for (uint32_t c = 0; c < cfg.p.ncols + (rand_r(&seed) % 7 == 0) && n < 600; c++) {
				int kind = rand_r(&seed) % 4, len = rand_r(&seed) % (rand_r(&seed) % 3 ? 12 : 90);
				if (c)
					data[n++] = ',';
				if (kind == 0) { /* a number */
					n += (size_t)snprintf(data + n, 20, "%d", rand_r(&seed) % 200000 - 100000);
				} else if (kind == 1) { /* quoted */
					data[n++] = '"';
					for (int i = 0; i < len && n < 640; i++)
						data[n++] = rand_r(&seed) % 4 ? 'q' : alphabet[rand_r(&seed) % sizeof alphabet];
					data[n++] = '"';
				} else {
					for (int i = 0; i < len && n < 640; i++)
						data[n++] = alphabet[rand_r(&seed) % sizeof alphabet];
				}
			}
			data[n++] = rand_r(&seed) % 5 ? '\n' : '\r';
		}
		expect_same(&cfg.p, &cfg.schema, data, n, iter % 10 == 0, NULL, NULL);
	}
}
END_TEST

/* Valid records of every type, with and without quotes and escapes, that
 * the fast path keeps (the outcome is also what the general tokenizer says). */
START_TEST(fast_path_typed_records)
{
	struct config cfg;
	static const char input[] =
		"true,-42,1.5,x y,2024-01-02 03:04:05.123 +09:00,\"{\"\"a\"\": [1, 2]}\"\n"
		"no,9223372036854775807,-1e-3,,2024-01-02,[]\r\n"
		",,,\"\",,\n"
		"\"1\",\"-0\",\"-0.0\",\"a \"\"b\"\" c\",\"2024-01-02\",\"{}\"\n"
		"yes,1,1e308,0123456789abcdef0123456789abcdef0123456789,1970-01-01,\"[\"\"é\"\"]\"\r";
	uint64_t records = 0, fast_records = 0;
	config_init(&cfg, "bldstj");
	cfg.p.escape = '"';
	expect_same(&cfg.p, &cfg.schema, input, strlen(input), 0, &records, &fast_records);
	/* Two mask variants, the data ending there or not (then the last record,
	 * ended by a lone \r at the end, is incomplete): 2 * (5 + 4) records.
	 * All are plain but that last one, whose \r may start a \r\n. */
	ck_assert_msg(records == 18 && fast_records == 16, "%llu records, %llu by the fast path",
		      (unsigned long long)records, (unsigned long long)fast_records);
	expect_same(&cfg.p, &cfg.schema, input, strlen(input), 1, NULL, NULL);
	cfg.p.escape = '\\';
	expect_same(&cfg.p, &cfg.schema, input, strlen(input), 1, NULL, NULL);
}
END_TEST

/* Numbers of every length around the fast path's 8-digit words, with signs,
 * points, exponents and stray bytes, quoted or not, anywhere in the block:
 * the fast path parses the short ones inline (reading past them within the
 * input) and must agree with the general tokenizer on all. */
START_TEST(fast_path_numbers)
{
	static const char stray[] = "-+.eE x,\"";
	static const char *const types[] = { "ldl", "dld", "lddl" };
	unsigned seed = 99;
	char data[400];
	uint64_t records = 0, fast_records = 0;
	for (long iter = 0; iter < 6000; iter++) {
		struct config cfg;
		size_t n = 0;
		config_init(&cfg, types[iter % 3]);
		cfg.p.escape = '"';
		for (int r = 0; r < 4; r++) {
			for (uint32_t c = 0; c < cfg.p.ncols; c++) {
				int quoted = rand_r(&seed) % 6 == 0, before = rand_r(&seed) % 11, after = rand_r(&seed) % 11;
				size_t start;
				if (c)
					data[n++] = ',';
				if (quoted)
					data[n++] = '"';
				start = n;
				if (rand_r(&seed) % 3 == 0)
					data[n++] = rand_r(&seed) % 2 ? '-' : '+';
				for (int i = 0; i < before; i++)
					data[n++] = (char)('0' + rand_r(&seed) % 10);
				if (rand_r(&seed) % 2) {
					data[n++] = '.';
					for (int i = 0; i < after; i++)
						data[n++] = (char)('0' + rand_r(&seed) % 10);
				}
				if (rand_r(&seed) % 10 == 0)
					n += (size_t)snprintf(data + n, 8, "e%d", rand_r(&seed) % 700 - 350);
				if (rand_r(&seed) % 30 == 0) /* a stray byte */
					data[start + (size_t)rand_r(&seed) % (n - start + 1)] = stray[rand_r(&seed) % 9];
				if (quoted)
					data[n++] = '"';
			}
			data[n++] = '\n';
		}
		expect_same(&cfg.p, &cfg.schema, data, n, iter % 20 == 0, &records, &fast_records);
	}
	ck_assert_msg(fast_records * 3 > records, "fast path took %llu of %llu records",
		      (unsigned long long)fast_records, (unsigned long long)records);
}
END_TEST

/* bh_pb_row is the row bh_pb_cell indexes, record after record and across
 * page flushes. */
START_TEST(page_builder_row)
{
	bh_column cols[3] = { { "a", BH_TYPE_LONG, NULL }, { "b", BH_TYPE_STRING, NULL }, { "c", BH_TYPE_DOUBLE, NULL } };
	bh_schema schema = { 3, cols };
	bh_page_builder pb;
	ck_assert_int_eq(rt_pb_init(&pb, &schema, 4, 0, drop_page, NULL), 0);
	for (int i = 0; i < 11; i++) {
		bh_value *row = bh_pb_row(&pb);
		for (uint32_t c = 0; c < 3; c++)
			ck_assert_ptr_eq(&row[c], bh_pb_cell(&pb, c));
		row[0].u.l = i;
		row[0].is_null = 0;
		ck_assert_int_eq(bh_pb_string(&pb, 1, "xy", 2), 0);
		row[2].is_null = 1;
		ck_assert_int_eq(bh_page_long(&pb.page, pb.page.nrows, 0), i);
		ck_assert_int_eq(bh_page_is_null(&pb.page, pb.page.nrows, 2), 1);
		ck_assert_int_eq(bh_pb_end_record(&pb), 0);
	}
	rt_pb_destroy(&pb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv-record");
	TCase *tc = tcase_create("fast");
	int failed;
	SRunner *sr;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, page_builder_row);
	tcase_add_test(tc, fast_path_typed_records);
	tcase_add_test(tc, fast_path_every_block_offset);
	tcase_add_test(tc, fast_path_random_records);
	tcase_add_test(tc, fast_path_numbers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
