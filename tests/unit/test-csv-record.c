/* The csv record tokenizer (plugins/csv/record.c, fast.c) on its own: the
 * fast path (csv_fast_records, many records per call) with the general
 * tokenizer for what it leaves must give exactly what the general tokenizer
 * gives alone (every page and cell, every other outcome with its place,
 * column and reason, where it stops, the line count) for any input, at any
 * place of its 64-byte blocks, with the data ending anywhere, in pages of
 * any size. */
#include <check.h>
#include <errno.h>
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
	uint64_t records, fast_records; /* records (either way), and the fast path's */
	uint64_t rows;                  /* rows delivered in this run */
	int pages;                      /* pages delivered in this run */
	int fail_page;                  /* the delivery of this page (1-based) fails: -EIO (0: none) */
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

/* A page's rows as text, as it is delivered (the page size shows too: the
 * fast path must flush where bh_pb_end_record would). */
static int dump_page(void *user, const bh_page *pg)
{
	struct out *o = user;
	if (++o->pages == o->fail_page)
		return -EIO;
	out_printf(o, "page %u\n", pg->nrows);
	for (uint32_t r = 0; r < pg->nrows; r++) {
		for (uint32_t c = 0; c < pg->ncols; c++) {
			const bh_value *v = bh_page_cell(pg, r, c);
			if (v->is_null) {
				out_printf(o, " null");
				continue;
			}
			switch (pg->schema->columns[c].type) {
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
		out_printf(o, "\n");
	}
	o->rows += pg->nrows;
	return 0;
}

/* The page builder's size, and where the fast path must stop once (as at
 * the next part's first record; 0: nowhere). */
struct shape {
	uint32_t capacity;
	size_t flush_at;
	size_t stop;
};

/* Tokenizes data[0..len) as the chunk loop does (an incomplete record ends
 * it): mode 0 record by record with the general tokenizer; 1 the fast path
 * (csv_fast_records) with the general tokenizer for each record it does not
 * take, 2 the same with SSE2 masks.  Writes every outcome to o: the rows of
 * each page delivered, each record that is not one (where, after how many
 * rows, why), the first record boundary at or after sh->stop, and where it
 * ended. */
static void tokenize(struct out *o, const struct csv_parser *p, const bh_schema *schema, const char *input,
		     size_t len, int eof, int mode, const struct shape *sh)
{
	/* a buffer of exactly len bytes: a sanitizer sees reads past either end */
	char *data = malloc(len ? len : 1);
	bh_page_builder pb;
	struct csv_task t;
	size_t pos = 0;
	uint64_t lines = 0;
	int r = 0, stopped = sh->stop == 0;
	if (!data)
		ck_abort_msg("out of memory");
	memcpy(data, input, len);
	ck_assert_int_eq(rt_pb_init(&pb, schema, sh->capacity, sh->flush_at, dump_page, o), 0);
	memset(&t, 0, sizeof t);
	t.p = p;
	t.pb = &pb;
	t.slow_only = mode == 0;
	t.no_avx2 = mode == 2;
	o->rows = 0;
	o->pages = 0;
	while (pos < len) {
		struct csv_result res;
		enum csv_status st;
		if (!stopped && pos >= sh->stop) {
			out_printf(o, "stop @%zu row%llu\n", pos, (unsigned long long)(o->rows + pb.page.nrows));
			stopped = 1;
		}
		if (mode) {
			struct csv_batch b;
			size_t stop = stopped || sh->stop > len ? len : sh->stop;
			if ((r = csv_fast_records(&t, data + pos, data + len, data + stop, &b)) < 0)
				break;
			if (!b.hard && pos + b.consumed < stop)
				ck_abort_msg("the fast path stopped at %zu, before %zu, for no reason", pos + b.consumed, stop);
			pos += b.consumed;
			lines += b.records;
			if (!b.hard)
				continue;
		}
		st = csv_parse_record(&t, data + pos, data + len, eof, &res);
		if (st == CSV_RECORD) {
			o->records++;
			if ((r = bh_pb_end_record(&pb)) < 0)
				break;
		} else {
			out_printf(o, "@%zu row%llu st%d c%zu n%llu col%u raw%zu rs%d e%d", pos,
				   (unsigned long long)(o->rows + pb.page.nrows), (int)st, res.consumed,
				   (unsigned long long)res.lines, res.column, res.raw_len, res.resync, res.error);
			if (st == CSV_INVALID)
				out_printf(o, " why[%s]", t.reason);
			out_printf(o, "\n");
			bh_pb_discard_record(&pb);
		}
		if (st == CSV_INCOMPLETE || st == CSV_FAIL || res.consumed == 0)
			break;
		pos += res.consumed;
		lines += res.lines;
	}
	if (r == 0)
		r = rt_pb_finish(&pb);
	if (r == 0)
		out_printf(o, "end @%zu lines %llu\n", pos, (unsigned long long)lines);
	else /* (where it was then does not matter: the parser stops) */
		out_printf(o, "failed: %d\n", r);
	o->records += t.fast_records;
	o->fast_records += t.fast_records;
	rt_pb_destroy(&pb);
	free(t.scratch);
	free(data);
}

/* The fast path and the general tokenizer agree on data, in pages of the
 * shape given. */
static void expect_same_shape(const struct csv_parser *p, const bh_schema *schema, const char *data, size_t len,
			      int eof, const struct shape *sh, int fail_page, uint64_t *records,
			      uint64_t *fast_records)
{
	struct out fast = { 0 }, slow = { 0 };
	slow.fail_page = fast.fail_page = fail_page;
	tokenize(&slow, p, schema, data, len, eof, 0, sh);
	for (int mode = 1; mode <= 2; mode++) { /* with AVX2 when the CPU has it, without */
		fast.len = 0;
		tokenize(&fast, p, schema, data, len, eof, mode, sh);
		if (fast.len != slow.len || memcmp(fast.buf, slow.buf, fast.len) != 0) {
			if (getenv("CSV_TEST_DUMP")) {
				FILE *f = fopen(getenv("CSV_TEST_DUMP"), "wb");
				fwrite(data, 1, len, f);
				fclose(f);
			}
			ck_abort_msg("input (%zu bytes, eof %d, mode %d, pages of %u rows / %zu bytes, stop %zu, "
				     "failing page %d) [%.*s]\nfast:\n%s\ngeneral:\n%s",
				     len, eof, mode, sh->capacity, sh->flush_at, sh->stop, fail_page, (int)len, data,
				     fast.buf ? fast.buf : "", slow.buf ? slow.buf : "");
		}
	}
	if (records)
		*records += fast.records;
	if (fast_records)
		*fast_records += fast.fast_records;
	free(fast.buf);
	free(slow.buf);
}

/* The fast path and the general tokenizer agree on data, with the data
 * ending there (eof) and cut short at every length (not eof); in small
 * pages, and in smaller ones with a stop in the middle. */
static void expect_same(const struct csv_parser *p, const bh_schema *schema, const char *data, size_t len,
			int every_cut, uint64_t *records, uint64_t *fast_records)
{
	for (size_t cut = every_cut ? 0 : len; cut <= len; cut++) {
		for (int eof = 0; eof <= 1; eof++) {
			struct shape small = { 7, 256, 0 }, smaller = { 2, 64, cut / 2 + 1 };
			expect_same_shape(p, schema, data, cut, eof, &small, 0, records, fast_records);
			expect_same_shape(p, schema, data, cut, eof, &smaller, 0, NULL, NULL);
		}
	}
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

/* A longer input of plain records with every kind of record the fast path
 * leaves to the general tokenizer in between (rejects, an empty line, a
 * comment, a line end in quotes, invalid UTF-8, an oversized record): the
 * fast path stops at every offset, in pages of 1 to 5 rows or a few arena
 * bytes, and pages that fail to deliver, and must give what the general
 * tokenizer gives, page by page. */
START_TEST(fast_path_batch_boundaries)
{
	static const char *const odd[] = { "x,1,2\n",	    "\n",	       "# comment, a\n",
					   "\"a\nb\",3,4\n", "caf\xc3,5,6\n", "1,2\n",
					   "q,\"7\"x,8\n",   "w,9,10,11\n",   "\"e\"\"e\",12,\"1.5\"\r\n",
					   "z,13,1e400\n",   "ok,-0,-0.0\r",   "\xe2\x82\xac,14,15\n" };
	struct config cfg;
	char data[4096];
	unsigned seed = 7;
	uint64_t records = 0, fast_records = 0;
	config_init(&cfg, "sld");
	cfg.p.escape = '"';
	cfg.p.comment = "#";
	cfg.p.comment_len = 1;
	cfg.p.max_line = 60;
	for (int iter = 0; iter < 12; iter++) {
		size_t n = 0;
		for (int r = 0; r < 40 && n < sizeof data - 200; r++) {
			if (rand_r(&seed) % 4 == 0) {
				const char *s = odd[rand_r(&seed) % (sizeof odd / sizeof odd[0])];
				memcpy(data + n, s, strlen(s));
				n += strlen(s);
			} else if (rand_r(&seed) % 20 == 0) { /* oversized */
				n += (size_t)snprintf(data + n, 100, "%070d,1,2\n", r);
			} else {
				n += (size_t)snprintf(data + n, 100, "%s%d%s,%d,%d.%d\n", r % 3 ? "" : "\"", r * 7919,
						      r % 3 ? "" : "\"", rand_r(&seed) % 1000 - 500, r, rand_r(&seed) % 100);
			}
		}
		for (size_t stop = 1; stop <= n + 1; stop++) {
			struct shape sh = { 1 + (uint32_t)(stop % 5), stop % 3 == 0 ? 16 : 1024, stop };
			expect_same_shape(&cfg.p, &cfg.schema, data, n, (int)(stop % 2), &sh, 0, &records, &fast_records);
		}
		for (int fail = 1; fail <= 8; fail++) {
			struct shape sh = { (uint32_t)fail % 3 + 1, 1024, 0 };
			expect_same_shape(&cfg.p, &cfg.schema, data, n, 1, &sh, fail, NULL, NULL);
		}
	}
	ck_assert_msg(fast_records * 2 > records, "fast path took %llu of %llu records",
		      (unsigned long long)fast_records, (unsigned long long)records);
}
END_TEST

/* UTF-8 in records, valid and not, at every offset of the 64-byte windows
 * (the fast path checks the windows it loads, 32 bytes a step, looking 3
 * bytes back), quoted or not, in the middle or at the end of a field. */
START_TEST(fast_path_utf8_every_offset)
{
	static const char *const seqs[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe6\x9d\xb1\xe4\xba\xac", "\xdf\xbf\xef\xbf\xbd",
		"\xf4\x8f\xbf\xbf",				      /* valid, U+10FFFF last */
		"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", /* overlong */
		"\xed\xa0\x80", "\xed\xbf\xbf",			      /* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", /* too large */
		"\x80", "\xbf\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98",	/* stray, cut short */
		"\xc3\xa9\xa9", "\xe2\x82\xac\x80", "\xf0\x80\x80\x80", "\xf8\x88\x80\x80\x80"
	};
	struct config cfg;
	char data[512];
	uint64_t records = 0, fast_records = 0;
	config_init(&cfg, "ss");
	cfg.p.escape = '"';
	for (size_t sq = 0; sq < sizeof seqs / sizeof seqs[0]; sq++) {
		/* v < 136: the sequence at every offset of the record; then the
		 * record starting at 60 to 67 with the sequence in its first 8
		 * bytes, across the second window */
		for (size_t v = 0; v < 136 + 64; v++) {
			size_t off = v < 136 ? v : (v - 136) % 8, hard = v < 136 ? off * 7 % 70 : 55 + (v - 136) / 8;
			for (int form = 0; form < 4; form++) {
				const char *s = seqs[sq];
				size_t n = 0;
				n += (size_t)snprintf(data + n, 64, "a,b\n");
				/* a record of one column, for the general tokenizer: the
				 * fast path starts again after it, within a window it has */
				memset(data + n, 'z', hard);
				n += hard;
				data[n++] = '\n';
				memset(data + n, 'x', off);
				n += off;
				/* the sequence ends a field, starts one, or sits in a quoted one */
				if (form == 0)
					n += (size_t)snprintf(data + n, 64, "%s,y\n", s);
				else if (form == 1)
					n += (size_t)snprintf(data + n, 64, ",%sy\n", s);
				else if (form == 2)
					n += (size_t)snprintf(data + n, 64, ",\"%s\"\n", s);
				else
					n += (size_t)snprintf(data + n, 64, ",%s\n", s);
				n += (size_t)snprintf(data + n, 64, "%s%s,ok\nlast,row\n", s, s);
				expect_same(&cfg.p, &cfg.schema, data, n, v % 32 == 0 && form == 0, &records,
					    &fast_records);
			}
		}
	}
	ck_assert_msg(fast_records * 2 > records, "fast path took %llu of %llu records",
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
	tcase_add_test(tc, fast_path_batch_boundaries);
	tcase_add_test(tc, fast_path_utf8_every_offset);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
