/* The jsonl plugin (parser and formatter) through the plugin test kit. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"

static bh_testkit *tk;

static void setup(void)
{
	const char *dir = getenv("BULKHEAD_BUILDDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/plugins/jsonl/jsonl.so", dir ? dir : ".");
	tk = bh_testkit_open(path);
	ck_assert_msg(tk != NULL, "cannot load %s", path);
}

static void teardown(void)
{
	bh_testkit_free(tk);
	tk = NULL;
}

#define ALL_COLUMNS                                                                          \
	"{\"columns\":[{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"l\",\"type\":\"long\"}," \
	"{\"name\":\"d\",\"type\":\"double\"},{\"name\":\"s\",\"type\":\"string\"},"             \
	"{\"name\":\"t\",\"type\":\"timestamp\"},{\"name\":\"j\",\"type\":\"json\"}]"

static bh_testkit_result *parse(const char *config, const char *input, size_t len)
{
	bh_testkit_result *r = NULL;
	bh_testkit_parse(tk, "jsonl", config, input, len, &r);
	ck_assert_msg(r != NULL, "parse: %s", bh_testkit_error(tk));
	return r;
}

static void expect_records(const char *config, const char *input, const char *records)
{
	bh_testkit_result *r = parse(config, input, strlen(input));
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->error ? r->error : "");
	ck_assert_str_eq(r->records_json, records);
	bh_testkit_result_free(r);
}

/* ---- parser ------------------------------------------------------------ */

START_TEST(parse_every_type)
{
	expect_records(ALL_COLUMNS "}",
		       "{\"b\":true,\"l\":-42,\"d\":1.5,\"s\":\"x\",\"t\":\"2024-01-02 03:04:05.123 +09:00\","
		       "\"j\":{\"a\": [1, 2]}}\n",
		       "[[true,-42,1.5,\"x\",\"2024-01-01 18:04:05.123000000 UTC\",{\"a\":[1,2]}]]");
}
END_TEST

START_TEST(parse_nulls_missing_and_unknown_keys)
{
	expect_records(ALL_COLUMNS "}",
		       "{\"b\":null,\"zz\":{\"deep\":[1,{\"x\":\"}\"}]},\"s\":null}\n{}\n",
		       "[[null,null,null,null,null,null],[null,null,null,null,null,null]]");
}
END_TEST

START_TEST(parse_string_escapes)
{
	expect_records("{\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}",
		       "{\"s\":\"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\ud83d\\ude00\\u0001\"}\n"
		       "{\"s\":\"raw \xc3\xa9 \xe2\x82\xac\"}\n",
		       "[[\"q\\\"b\\\\s/n\\nt\\tu\xc3\xa9\xf0\x9f\x98\x80\\u0001\"],[\"raw \xc3\xa9 \xe2\x82\xac\"]]");
}
END_TEST

START_TEST(parse_escaped_keys)
{
	expect_records("{\"columns\":[{\"name\":\"k\xc3\xa9y\",\"type\":\"long\"}]}",
		       "{\"k\\u00e9y\":7}\n", "[[7]]");
}
END_TEST

START_TEST(parse_string_column_keeps_text)
{
	/* Numbers keep their text, other values become compact JSON. */
	expect_records("{\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}",
		       "{\"s\":1.50e3}\n{\"s\":true}\n{\"s\":{ \"a\" : [ 1 , \"x y\" ] }}\n{\"s\":[]}\n",
		       "[[\"1.50e3\"],[\"true\"],[\"{\\\"a\\\":[1,\\\"x y\\\"]}\"],[\"[]\"]]");
}
END_TEST

START_TEST(parse_json_column_values)
{
	expect_records("{\"columns\":[{\"name\":\"j\",\"type\":\"json\"}]}",
		       "{\"j\":\"text\"}\n{\"j\":12.5}\n{\"j\":[true,null]}\n{\"j\":null}\n",
		       "[[\"text\"],[12.5],[[true,null]],[null]]");
}
END_TEST

START_TEST(parse_conversions)
{
	expect_records("{\"columns\":[{\"name\":\"l\",\"type\":\"long\"},{\"name\":\"d\",\"type\":\"double\"},"
		       "{\"name\":\"b\",\"type\":\"boolean\"}]}",
		       "{\"l\":\"12\",\"d\":\"2.5\",\"b\":\"yes\"}\n"
		       "{\"l\":3.0,\"d\":7,\"b\":0}\n"
		       "{\"l\":-9223372036854775808,\"d\":\"NaN\",\"b\":false}\n"
		       "{\"l\":9223372036854775807,\"d\":-1e-300,\"b\":\"off\"}\n",
		       "[[12,2.5,true],[3,7.0,false],[-9223372036854775808,\"NaN\",false],"
		       "[9223372036854775807,-1e-300,false]]");
}
END_TEST

START_TEST(parse_timestamps)
{
	const char *cfg = "{\"default_timezone\":\"+09:00\",\"columns\":[{\"name\":\"t\",\"type\":\"timestamp\"},"
			  "{\"name\":\"f\",\"type\":\"timestamp\",\"format\":\"%d/%m/%Y %H:%M\"},"
			  "{\"name\":\"z\",\"type\":\"timestamp\",\"timezone\":\"-01:30\"}]}";
	expect_records(cfg,
		       "{\"t\":\"2024-01-02 09:00:00\",\"f\":\"02/01/2024 09:30\",\"z\":\"2024-01-02 09:00:00\"}\n"
		       "{\"t\":\"2024-01-02T09:00:00Z\",\"z\":\"2024-01-02 09:00:00+01:00\"}\n"
		       "{\"t\":1700000000,\"f\":1.5}\n",
		       "[[\"2024-01-02 00:00:00.000000000 UTC\",\"2024-01-02 00:30:00.000000000 UTC\","
		       "\"2024-01-02 10:30:00.000000000 UTC\"],"
		       "[\"2024-01-02 09:00:00.000000000 UTC\",null,\"2024-01-02 08:00:00.000000000 UTC\"],"
		       "[\"2023-11-14 22:13:20.000000000 UTC\",\"1970-01-01 00:00:01.500000000 UTC\",null]]");
}
END_TEST

START_TEST(parse_crlf_bom_blank_lines)
{
	expect_records("{\"columns\":[{\"name\":\"a\",\"type\":\"long\"}]}",
		       "\xEF\xBB\xBF{\"a\":1}\r\n\r\n   \n\t\r\n{\"a\":2}\r\n{\"a\":3}", "[[1],[2],[3]]");
}
END_TEST

START_TEST(parse_invalid_stops_with_line)
{
	const char *in = "{\"a\":1}\n\n{\"a\":2,}\n{\"a\":3}\n";
	bh_testkit_result *r = parse("{\"columns\":[{\"name\":\"a\",\"type\":\"long\"}]}", in, strlen(in));
	ck_assert_int_eq(r->status, -10001);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_msg(strstr(r->error, ":3:") != NULL, "no line 3 in: %s", r->error);
	ck_assert_msg(strstr(r->error, "invalid JSON") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
}
END_TEST

START_TEST(parse_stop_option_wins_over_reject_room)
{
	const char *in = "{\"a\":1}\n[1]\n{\"a\":3}\n";
	bh_testkit_result *r;
	bh_testkit_set_max_rejects(tk, 10);
	r = parse("{\"stop_on_invalid_record\":true,\"columns\":[{\"name\":\"a\",\"type\":\"long\"}]}", in,
		  strlen(in));
	ck_assert_int_eq(r->status, -10001);
	ck_assert_msg(strstr(r->error, ":2:1: expected a JSON object") != NULL, "%s", r->error);
	ck_assert_str_eq(r->rejects_json, "[]");
	bh_testkit_result_free(r);
}
END_TEST

START_TEST(parse_invalid_collected)
{
	const char *in = "{\"a\":1}\n"
			 "[1,2]\n"
			 "{\"a\":\"x\"}\n"
			 "{\"a\":2}\n"
			 "{\"a\":1 \"b\":2}\n"
			 "{\"a\":\"\\ud800\"}\n"
			 "{\"a\":9223372036854775808}\n"
			 "{\"a\":1} x\n"
			 "{\"a\":4}\n";
	bh_testkit_result *r;
	json_t *rej, *e;
	size_t i;
	static const int lines[] = { 2, 3, 5, 6, 7, 8 };
	static const char *const reasons[] = { "expected a JSON object", "column 'a'",
					       "expected ',' or '}'", "surrogate", "out of range",
					       "after the object" };

	bh_testkit_set_max_rejects(tk, 100);
	r = parse("{\"stop_on_invalid_record\":false,\"columns\":[{\"name\":\"a\",\"type\":\"long\"}]}", in,
		  strlen(in));
	ck_assert_msg(r->status == 0, "%s", r->error ? r->error : "");
	ck_assert_str_eq(r->records_json, "[[1],[2],[4]]");
	rej = json_loads(r->rejects_json, 0, NULL);
	ck_assert_ptr_nonnull(rej);
	ck_assert_int_eq(json_array_size(rej), 6);
	json_array_foreach(rej, i, e) {
		const char *reason = json_string_value(json_object_get(e, "reason"));
		ck_assert_int_eq(json_integer_value(json_object_get(e, "line")), lines[i]);
		ck_assert_msg(strstr(reason, reasons[i]) != NULL, "line %d: %s", lines[i], reason);
	}
	/* The record is the line as read, and the column points at the problem. */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rej, 1), "record")),
			 "{\"a\":\"x\"}");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rej, 1), "column")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rej, 2), "column")), 8);
	json_decref(rej);
	bh_testkit_result_free(r);
}
END_TEST

START_TEST(parse_invalid_bytes)
{
	static const char *const lines[] = {
		"{\"s\":\"a\x01\"}",          /* raw control character */
		"{\"s\":\"\xff\"}",           /* not UTF-8 */
		"{\"s\":\"\xc0\xaf\"}",       /* overlong */
		"{\"s\":\"\xed\xa0\x80\"}",   /* encoded surrogate */
		"{\"s\":\"abc}",              /* unterminated */
		"{\"s\":\"\\x\"}",            /* bad escape */
		"{\"s\":tru}",
		"{\"s\":01}",
		"{\"s\":-}",
		"{\"s\" 1}",
		"{s:1}",
		"{\"s\":1",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		bh_testkit_result *r = parse("{\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}",
					     lines[i], strlen(lines[i]));
		ck_assert_msg(r->status == -10001, "line %zu accepted: %s", i, r->records_json);
		bh_testkit_result_free(r);
	}
}
END_TEST

/* Strings are scanned 16 bytes a step and checked for UTF-8 a run at a time:
 * an invalid byte, a control character or an escape at any offset must be
 * found at its own column, and valid text around them kept byte for byte. */
START_TEST(parse_string_scan_at_every_offset)
{
	const char *config = "{\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}";
	static const char *const bad[] = { "\xff", "\x01", "\xc3(", "\xe2\x82" };
	for (int k = 0; k < 48; k++) {
		char text[128], line[256], want[64];
		size_t n = 0;
		/* k bytes of mixed text: ASCII and two-byte characters */
		while (n < (size_t)k)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s", (n % 5 == 3 && n + 2 <= (size_t)k) ? "\xc3\xa9" : "a");
		for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
			int at = snprintf(line, sizeof line, "{\"s\":\"%.*s", (int)n, text);
			snprintf(line + at, sizeof line - (size_t)at, "%s and a tail long enough for whole 16-byte steps\"}",
				 bad[b]);
			bh_testkit_result *r = parse(config, line, strlen(line));
			snprintf(want, sizeof want, ":1:%d:", at + 1);
			ck_assert_msg(r->status == -10001, "offset %d bad %zu accepted", k, b);
			ck_assert_msg(r->error && strstr(r->error, want), "offset %d bad %zu: want %s in %s", k, b, want,
				      r->error ? r->error : "(none)");
			bh_testkit_result_free(r);
		}
		/* valid: an escape right after the mixed text */
		snprintf(line, sizeof line, "{\"s\":\"%.*s\\n\\u00e9\\\"z\", \"other\": \"a tail long enough for whole 16-byte steps\"}",
			 (int)n, text);
		bh_testkit_result *r = parse(config, line, strlen(line));
		ck_assert_msg(r->status == 0, "offset %d: %s", k, r->error ? r->error : "");
		json_t *rec = json_loads(r->records_json, 0, NULL);
		const char *got = json_string_value(json_array_get(json_array_get(rec, 0), 0));
		ck_assert_ptr_nonnull(got);
		ck_assert_uint_eq(strlen(got), n + 5);
		ck_assert_int_eq(memcmp(got, text, n), 0);
		ck_assert_str_eq(got + n, "\n\xc3\xa9\"z");
		/* checked here, so the pages tell the formatters not to check again */
		ck_assert_msg(r->page_flags & BH_PAGE_UTF8, "offset %d: page flags %#x", k, r->page_flags);
		json_decref(rec);
		bh_testkit_result_free(r);
	}
}
END_TEST

START_TEST(parse_deep_nesting)
{
	size_t depth = 600, n = 0;
	char *in = malloc(depth * 2 + 16);
	n += (size_t)sprintf(in, "{\"j\":");
	for (size_t i = 0; i < depth; i++)
		in[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		in[n++] = ']';
	in[n++] = '}';
	bh_testkit_result *r = parse("{\"columns\":[{\"name\":\"j\",\"type\":\"json\"}]}", in, n);
	ck_assert_int_eq(r->status, -10001);
	ck_assert_msg(strstr(r->error, "nesting") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	free(in);
}
END_TEST

/* A line of exactly `len` bytes: {"s":"xxx...x"} */
static char *line_of(size_t len)
{
	char *s = malloc(len + 1);
	memcpy(s, "{\"s\":\"", 6);
	memset(s + 6, 'x', len - 8);
	memcpy(s + len - 2, "\"}", 2);
	s[len] = '\0';
	return s;
}

START_TEST(parse_line_bound)
{
	static const size_t chunks[] = { 0, 1, 7, 63, 64, 65 };
	char *ok = line_of(64), *big = line_of(65), *in;
	const char *cfg = "{\"max_line_size\":64,\"stop_on_invalid_record\":false,"
			  "\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}";

	/* 64 bytes pass (also with CR), 65 do not, and the line after is read. */
	if (asprintf(&in, "%s\r\n%s\n%s\n{\"s\":\"after\"}", ok, big, ok) < 0)
		ck_abort();
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		bh_testkit_result *r;
		json_t *rec, *rej;
		bh_testkit_set_chunk_size(tk, chunks[c]);
		bh_testkit_set_max_rejects(tk, 10);
		r = parse(cfg, in, strlen(in));
		ck_assert_msg(r->status == 0, "chunk %zu: %s", chunks[c], r->error);
		rec = json_loads(r->records_json, 0, NULL);
		rej = json_loads(r->rejects_json, 0, NULL);
		ck_assert_int_eq(json_array_size(rec), 3);
		ck_assert_str_eq(json_string_value(json_array_get(json_array_get(rec, 2), 0)), "after");
		ck_assert_int_eq(json_array_size(rej), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rej, 0), "line")), 2);
		ck_assert_msg(strstr(json_string_value(json_object_get(json_array_get(rej, 0), "reason")),
				     "max_line_size") != NULL, "reason");
		json_decref(rec);
		json_decref(rej);
		bh_testkit_result_free(r);
	}
	free(in);
	free(ok);
	free(big);
}
END_TEST

/* Found by tests/fuzz: a byte order mark does not count toward max_line_size
 * of the first line, whether the line arrives whole or in pieces. */
START_TEST(parse_line_bound_after_bom)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 4, 5, 63, 64 };
	char *ok = line_of(64), *in;
	const char *cfg = "{\"max_line_size\":64,\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}";
	if (asprintf(&in, "\xEF\xBB\xBF%s\r\n%s", ok, ok) < 0)
		ck_abort();
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		bh_testkit_result *r;
		bh_testkit_set_chunk_size(tk, chunks[c]);
		r = parse(cfg, in, strlen(in));
		ck_assert_msg(r->status == 0, "chunk %zu: %s", chunks[c], r->error);
		ck_assert_int_eq(r->record_count, 2);
		bh_testkit_result_free(r);
	}
	free(in);
	free(ok);
}
END_TEST

START_TEST(parse_huge_line_spanning_chunks)
{
	/* Far past the bound, fed in small chunks: the carry stays bounded. */
	size_t n = 1 << 20;
	char *big = line_of(n), *in = malloc(n + 32);
	bh_testkit_result *r;
	ck_assert_ptr_nonnull(in);
	sprintf(in, "%s\n{\"s\":\"ok\"}\n", big);
	bh_testkit_set_chunk_size(tk, 4096);
	r = parse("{\"max_line_size\":1000,\"columns\":[{\"name\":\"s\",\"type\":\"string\"}]}", in,
		  strlen(in));
	ck_assert_int_eq(r->status, -10001);
	ck_assert_msg(strstr(r->error, ":1:") && strstr(r->error, "max_line_size"), "%s", r->error);
	bh_testkit_result_free(r);
	free(big);
	free(in);
}
END_TEST

START_TEST(parse_chunking_is_invisible)
{
	const char *cfg = ALL_COLUMNS "}";
	const char *in = "\xEF\xBB\xBF{\"b\":true,\"l\":1,\"s\":\"\xe2\x82\xac\\u00e9\",\"j\":{\"k\":[1,2,3]}}\r\n"
			 "\n{\"d\":-0.25,\"t\":\"2024-02-29 12:00:00 UTC\",\"s\":\"a\\nb\"}\n"
			 "{\"l\":99}";
	bh_testkit_result *whole = parse(cfg, in, strlen(in));
	ck_assert_int_eq(whole->status, 0);
	for (size_t c = 1; c <= 9; c++) {
		bh_testkit_set_chunk_size(tk, c);
		bh_testkit_result *r = parse(cfg, in, strlen(in));
		ck_assert_int_eq(r->status, 0);
		ck_assert_str_eq(r->records_json, whole->records_json);
		bh_testkit_result_free(r);
	}
	ck_assert_int_eq(whole->record_count, 3);
	bh_testkit_result_free(whole);
}
END_TEST

START_TEST(parse_config_errors)
{
	bh_testkit_result *r = NULL;
	ck_assert_int_lt(bh_testkit_parse(tk, "jsonl",
					  "{\"columns\":[{\"name\":\"a\",\"type\":\"long\"},"
					  "{\"name\":\"a\",\"type\":\"string\"}]}",
					  "", 0, &r),
			 0);
	ck_assert_msg(strstr(r->error, "twice") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_parse(tk, "jsonl",
					  "{\"default_timezone\":\"Mars/Olympus\",\"columns\":[]}", "", 0, &r),
			 0);
	ck_assert_msg(strstr(r->error, "default_timezone") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_parse(tk, "jsonl",
					  "{\"columns\":[{\"name\":\"t\",\"type\":\"timestamp\",\"timezon\":\"UTC\"}]}",
					  "", 0, &r),
			 0);
	ck_assert_msg(strstr(r->error, "columns[0]: unknown key 'timezon'") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_parse(tk, "jsonl",
					  "{\"columns\":[{\"name\":\"t\",\"type\":\"timestamp\",\"timezone\":\"Asia/Tokyo\"}]}",
					  "", 0, &r),
			 0);
	ck_assert_msg(strstr(r->error, "columns[0].timezone") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_parse(tk, "jsonl", "{\"max_line_size\":0,\"columns\":[]}", "", 0, &r), 0);
	ck_assert_msg(strstr(r->error, "max_line_size") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
}
END_TEST

/* Lines holding something besides JSON whitespace. */
static size_t content_lines(const char *s, size_t n)
{
	size_t count = 0;
	int content = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\n') {
			count += content;
			content = 0;
		} else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			content = 1;
	}
	return count;
}

START_TEST(parse_mutations_account_for_every_line)
{
	/* Random byte edits of valid input, in random chunk sizes: the parser
	 * must neither crash nor lose a line: each becomes a record or a reject. */
	const char *base = "{\"b\":true,\"l\":-42,\"d\":1.5e3,\"s\":\"x\\u00e9\\n\\\"\",\"t\":\"2024-01-02 03:04:05\","
			   "\"j\":{\"a\":[1,{\"b\":null}]},\"u\":[\"\\ud83d\\ude00\"]}\n";
	static const char bytes[] = "{}[]\",:\\ \n\r\t0-.eEtfnu\x80\xc3\xa9\xff";
	size_t blen = strlen(base);
	char *in = malloc(blen * 4);
	unsigned seed = 12345;
	bh_testkit_set_max_rejects(tk, 1000000);
	for (int iter = 0; iter < 1500; iter++) {
		size_t n = 0;
		int ascii = 1;
		for (int rep = 0; rep < 3; rep++) {
			memcpy(in + n, base, blen);
			n += blen;
		}
		for (int e = 0; e < 1 + iter % 4; e++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			in[at] = bytes[(seed >> 20) % (sizeof bytes - 1)];
			ascii &= (unsigned char)in[at] < 0x80;
		}
		bh_testkit_set_chunk_size(tk, 1 + iter % 17);
		bh_testkit_result *r = parse(ALL_COLUMNS ",\"stop_on_invalid_record\":false}", in, n);
		json_t *rej = json_loads(r->rejects_json, 0, NULL);
		ck_assert_msg(r->status == 0, "iteration %d: %s", iter, r->error);
		/* The kit cannot hold a reject whose text is not UTF-8, so lines made
		 * invalid UTF-8 only count as "not a record". */
		if (ascii)
			ck_assert_int_eq(r->record_count + json_array_size(rej), content_lines(in, n));
		else
			ck_assert_int_le(r->record_count + json_array_size(rej), content_lines(in, n));
		json_decref(rej);
		bh_testkit_result_free(r);
	}
	free(in);
}
END_TEST

START_TEST(parse_guess)
{
	const char *sample = "\xEF\xBB\xBF{\"id\":1,\"name\":\"a\",\"score\":1,\"at\":\"2024-01-02 03:04:05\",\"ok\":true}\n"
			     "{\"id\":2,\"name\":null,\"score\":2.5,\"tags\":[1],\"mixed\":1}\r\n\n"
			     "{\"id\":3,\"mixed\":\"x\",\"extra\":null}\n"
			     "{\"id\":4,\"name\":\"cut";
	bh_testkit_result *r = NULL;
	ck_assert_int_eq(bh_testkit_guess(tk, "jsonl", sample, strlen(sample), &r), 0);
	ck_assert_str_eq(r->bytes,
			 "{\"type\":\"jsonl\",\"columns\":[{\"name\":\"id\",\"type\":\"long\"},"
			 "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"score\",\"type\":\"double\"},"
			 "{\"name\":\"at\",\"type\":\"timestamp\"},{\"name\":\"ok\",\"type\":\"boolean\"},"
			 "{\"name\":\"tags\",\"type\":\"json\"},{\"name\":\"mixed\",\"type\":\"string\"},"
			 "{\"name\":\"extra\",\"type\":\"string\"}]}");
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_guess(tk, "jsonl", "a,b\n1,2\n", 8, &r), 0);
	bh_testkit_result_free(r);
}
END_TEST

/* ---- formatter --------------------------------------------------------- */

static bh_testkit_result *format(const char *config, const char *schema, const char *records)
{
	bh_testkit_result *r = NULL;
	bh_testkit_format(tk, "jsonl", config, schema, records, &r);
	ck_assert_msg(r != NULL, "format: %s", bh_testkit_error(tk));
	return r;
}

static void expect_bytes(const char *config, const char *schema, const char *records,
			 const char *bytes)
{
	bh_testkit_result *r = format(config, schema, records);
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->error ? r->error : "");
	ck_assert_int_eq(r->bytes_len, strlen(bytes));
	ck_assert_str_eq(r->bytes, bytes);
	bh_testkit_result_free(r);
}

#define ALL_SCHEMA                                                                             \
	"[{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"l\",\"type\":\"long\"},"            \
	"{\"name\":\"d\",\"type\":\"double\"},{\"name\":\"s\",\"type\":\"string\"},"            \
	"{\"name\":\"t\",\"type\":\"timestamp\"},{\"name\":\"j\",\"type\":\"json\"}]"

START_TEST(format_every_type)
{
	expect_bytes(NULL, ALL_SCHEMA,
		     "[[true,-9223372036854775808,0.1,\"x\",\"2024-01-02 03:04:05.5 UTC\",{\"a\":[1,null]}],"
		     "[false,9223372036854775807,1e300,\"\",\"1969-12-31 23:59:59 UTC\",\"s\"],"
		     "[null,null,null,null,null,null]]",
		     "{\"b\":true,\"l\":-9223372036854775808,\"d\":0.1,\"s\":\"x\","
		     "\"t\":\"2024-01-02 03:04:05.500000 +0000\",\"j\":{\"a\":[1,null]}}\n"
		     "{\"b\":false,\"l\":9223372036854775807,\"d\":1e+300,\"s\":\"\","
		     "\"t\":\"1969-12-31 23:59:59.000000 +0000\",\"j\":\"s\"}\n"
		     "{\"b\":null,\"l\":null,\"d\":null,\"s\":null,\"t\":null,\"j\":null}\n");
}
END_TEST

START_TEST(format_escaping)
{
	expect_bytes(NULL, "[{\"name\":\"we\\\"ird\\n\",\"type\":\"string\"}]",
		     "[[\"q\\\" b\\\\ nl\\n cr\\r tab\\t bs\\b ff\\f c1\\u0001 c1f\\u001f del\\u007f "
		     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 sl/\"]]",
		     "{\"we\\\"ird\\n\":\"q\\\" b\\\\ nl\\n cr\\r tab\\t bs\\b ff\\f c1\\u0001 c1f\\u001f "
		     "del\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 sl/\"}\n");
}
END_TEST

START_TEST(format_non_finite)
{
	const char *schema = "[{\"name\":\"d\",\"type\":\"double\"}]";
	const char *rows = "[[\"NaN\"],[\"Infinity\"],[\"-Infinity\"],[-0.0],[2.0]]";
	expect_bytes(NULL, schema, rows, "{\"d\":null}\n{\"d\":null}\n{\"d\":null}\n{\"d\":-0.0}\n{\"d\":2.0}\n");
	expect_bytes("{\"nan_as_string\":true}", schema, rows,
		     "{\"d\":\"NaN\"}\n{\"d\":\"Infinity\"}\n{\"d\":\"-Infinity\"}\n{\"d\":-0.0}\n{\"d\":2.0}\n");
}
END_TEST

START_TEST(format_timestamp_options)
{
	const char *schema = "[{\"name\":\"a\",\"type\":\"timestamp\"},{\"name\":\"b\",\"type\":\"timestamp\"}]";
	const char *rows = "[[\"2024-01-01 20:30:00.123456789 UTC\",\"2024-01-01 20:30:00 UTC\"]]";
	expect_bytes("{\"default_timezone\":\"-05:00\",\"default_timestamp_format\":\"%Y-%m-%dT%H:%M:%S.%3N%:z\","
		     "\"column_options\":{\"b\":{\"timezone\":\"+09:00\",\"format\":\"%Y/%m/%d %H:%M %Z\"}}}",
		     schema, rows,
		     "{\"a\":\"2024-01-01T15:30:00.123-05:00\",\"b\":\"2024/01/02 05:30 +09:00\"}\n");
}
END_TEST

START_TEST(format_config_errors)
{
	bh_testkit_result *r = NULL;
	const char *schema = "[{\"name\":\"created_at\",\"type\":\"timestamp\"},{\"name\":\"n\",\"type\":\"long\"}]";
	ck_assert_int_lt(bh_testkit_format(tk, "jsonl", "{\"column_options\":{\"created\":{\"format\":\"%Y\"}}}",
					   schema, "[]", &r),
			 0);
	ck_assert_msg(strstr(r->error, "did you mean 'created_at'") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_format(tk, "jsonl", "{\"column_options\":{\"n\":{\"format\":\"%Y\"}}}",
					   schema, "[]", &r),
			 0);
	ck_assert_msg(strstr(r->error, "only timestamp") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	ck_assert_int_lt(bh_testkit_format(tk, "jsonl",
					   "{\"column_options\":{\"created_at\":{\"zone\":\"UTC\"}}}", schema,
					   "[]", &r),
			 0);
	ck_assert_msg(strstr(r->error, "unknown key 'zone'") != NULL, "%s", r->error);
	bh_testkit_result_free(r);
	r = NULL;
	/* default_timezone is read as the parser reads it (plugin.c). */
	ck_assert_int_lt(bh_testkit_format(tk, "jsonl", "{\"default_timezone\":\"Mars/Olympus\"}", schema,
					   "[]", &r),
			 0);
	ck_assert_msg(strstr(r->error, "default_timezone: 'Mars/Olympus' is not UTC or a fixed offset") != NULL,
		      "%s", r->error);
	bh_testkit_result_free(r);
}
END_TEST

START_TEST(format_large_output)
{
	/* Many rows and one string far larger than the write buffer, with escapes. */
	size_t big = 200000, rows = 5000;
	json_t *recs = json_array();
	char *s = malloc(big + 1), *text;
	bh_testkit_result *r;
	/* Mostly multi-byte characters, so some straddle the writer's slices. */
	static const char *const pieces[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\"", "\n", "a" };
	size_t fill = 0;
	for (size_t i = 0; fill + 4 < big; i++) {
		const char *piece = pieces[(i * 7 + i / 5) % 6];
		memcpy(s + fill, piece, strlen(piece));
		fill += strlen(piece);
	}
	s[fill] = '\0';
	json_array_append_new(recs, json_pack("[I,s]", (json_int_t)-1, s));
	for (size_t i = 0; i < rows; i++)
		json_array_append_new(recs, json_pack("[I,s]", (json_int_t)i, "\xe2\x82\xac row"));
	text = json_dumps(recs, JSON_COMPACT);
	r = format(NULL, "[{\"name\":\"i\",\"type\":\"long\"},{\"name\":\"s\",\"type\":\"string\"}]", text);
	ck_assert_int_eq(r->status, 0);
	/* Every line is a JSON object that gives back the input. */
	size_t line = 0;
	for (char *p = r->bytes; p < r->bytes + r->bytes_len; line++) {
		char *nl = memchr(p, '\n', (size_t)(r->bytes + r->bytes_len - p));
		ck_assert_ptr_nonnull(nl);
		json_t *o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "i")), line == 0 ? -1 : (json_int_t)line - 1);
		ck_assert_str_eq(json_string_value(json_object_get(o, "s")), line == 0 ? s : "\xe2\x82\xac row");
		json_decref(o);
		p = nl + 1;
	}
	ck_assert_int_eq(line, rows + 1);
	bh_testkit_result_free(r);
	free(text);
	free(s);
	json_decref(recs);
}
END_TEST

START_TEST(format_then_parse_round_trip)
{
	const char *rows = "[[true,5,2.5,\"a\\u0001b\\\"c\\n\\u00e9\",\"2024-05-06 07:08:09.123456 UTC\",[1,{\"x\":\"y\"}]],"
			   "[null,-1,-1e-7,\"\",null,null]]";
	bh_testkit_result *f = format(NULL, ALL_SCHEMA, rows), *p, *want;
	ck_assert_int_eq(f->status, 0);
	p = parse(ALL_COLUMNS ",\"default_timestamp_format\":\"%Y-%m-%d %H:%M:%S.%N %z\"}", f->bytes,
		  f->bytes_len);
	ck_assert_msg(p->status == 0, "%s", p->error);
	/* Compare with what the kit itself makes of the same records. */
	want = format(NULL, ALL_SCHEMA, p->records_json);
	ck_assert_str_eq(want->bytes, f->bytes);
	bh_testkit_result_free(want);
	bh_testkit_result_free(p);
	bh_testkit_result_free(f);
}
END_TEST

/* Cells the kit's JSON records cannot express (bytes that are not UTF-8,
 * json text with line breaks), written into pages directly. */
struct raw_sink {
	char buf[256];
	size_t len;
};
static int raw_write(void *self, const void *data, size_t len)
{
	struct raw_sink *k = self;
	ck_assert_uint_lt(k->len + len, sizeof k->buf);
	memcpy(k->buf + k->len, data, len);
	k->len += len;
	return 0;
}
static int raw_finish(void *self) { (void)self; return 0; }
static void raw_close(void *self) { (void)self; }

struct raw_run {
	const bh_formatter_vtable *vt;
	void *task;
	bh_ctx *ctx;
};
static int raw_deliver(void *user, const bh_page *page)
{
	struct raw_run *run = user;
	return run->vt->add(run->task, run->ctx, page);
}

START_TEST(format_raw_cells)
{
	static const bh_column cols[] = { { "s", BH_TYPE_STRING, NULL }, { "j", BH_TYPE_JSON, NULL } };
	static const bh_schema schema = { 2, cols };
	static const char s1[] = "a\xff" "b\xc3", s2[] = "ok \xe2\x82\xac", j1[] = "{\n \"a\" : [1,\r\n 2], \"b\": \"x y\\\" z\"\n}";
	const bh_plugin *plugin = bh_testkit_plugin(tk);
	const bh_component *c = NULL;
	struct rt_runtime rt;
	struct raw_run run;
	struct raw_sink sink = { .len = 0 };
	bh_sink s = { &sink, raw_write, raw_finish, raw_close, };
	bh_page_builder pb;
	json_t *cfg = json_object();
	char *err = NULL;
	void *state;

	for (uint32_t i = 0; i < plugin->component_count; i++)
		if (plugin->components[i].kind == BH_KIND_FORMATTER)
			c = &plugin->components[i];
	ck_assert_ptr_nonnull(c);
	rt_runtime_init(&rt);
	run.vt = c->vtable;
	run.ctx = rt_ctx_new(&rt, "formatter jsonl", 0, NULL);
	ck_assert_int_eq(rt_config_prepare(c->options, cfg, "formatter jsonl", &err), 0);
	ck_assert_int_eq(run.vt->begin(run.ctx, (const bh_config *)cfg, &schema, &state), 0);
	ck_assert_int_eq(run.vt->open_task(state, run.ctx, &s, &run.task), 0);
	ck_assert_int_eq(rt_pb_init(&pb, &schema, 0, 0, raw_deliver, &run), 0);
	ck_assert_int_eq(bh_pb_string(&pb, 0, s1, sizeof s1 - 1), 0);
	ck_assert_int_eq(bh_pb_string(&pb, 1, j1, sizeof j1 - 1), 0);
	ck_assert_int_eq(bh_pb_end_record(&pb), 0);
	ck_assert_int_eq(bh_pb_string(&pb, 0, s2, sizeof s2 - 1), 0);
	ck_assert_int_eq(bh_pb_string(&pb, 1, "", 0), 0);
	ck_assert_int_eq(bh_pb_end_record(&pb), 0);
	ck_assert_int_eq(rt_pb_finish(&pb), 0);
	ck_assert_int_eq(run.vt->finish_task(run.task, run.ctx), 0);
	run.vt->close_task(run.task);
	run.vt->end(state);
	rt_pb_destroy(&pb);
	sink.buf[sink.len] = '\0';
	ck_assert_str_eq(sink.buf, "{\"s\":\"a\\ufffdb\\ufffd\",\"j\":{\"a\":[1,2],\"b\":\"x y\\\" z\"}}\n"
				   "{\"s\":\"ok \xe2\x82\xac\",\"j\":null}\n");
	rt_ctx_free(run.ctx);
	rt_runtime_destroy(&rt);
	json_decref(cfg);
}
END_TEST

static Suite *jsonl_suite(void)
{
	Suite *s = suite_create("jsonl");
	TCase *p = tcase_create("parser"), *f = tcase_create("formatter");
	tcase_add_checked_fixture(p, setup, teardown);
	tcase_add_checked_fixture(f, setup, teardown);
	tcase_add_test(p, parse_every_type);
	tcase_add_test(p, parse_nulls_missing_and_unknown_keys);
	tcase_add_test(p, parse_string_escapes);
	tcase_add_test(p, parse_escaped_keys);
	tcase_add_test(p, parse_string_column_keeps_text);
	tcase_add_test(p, parse_json_column_values);
	tcase_add_test(p, parse_conversions);
	tcase_add_test(p, parse_timestamps);
	tcase_add_test(p, parse_crlf_bom_blank_lines);
	tcase_add_test(p, parse_line_bound_after_bom);
	tcase_add_test(p, parse_invalid_stops_with_line);
	tcase_add_test(p, parse_stop_option_wins_over_reject_room);
	tcase_add_test(p, parse_invalid_collected);
	tcase_add_test(p, parse_invalid_bytes);
	tcase_add_test(p, parse_string_scan_at_every_offset);
	tcase_add_test(p, parse_deep_nesting);
	tcase_add_test(p, parse_line_bound);
	tcase_add_test(p, parse_huge_line_spanning_chunks);
	tcase_add_test(p, parse_chunking_is_invisible);
	tcase_add_test(p, parse_config_errors);
	tcase_add_test(p, parse_guess);
	tcase_add_test(p, parse_mutations_account_for_every_line);
	tcase_add_test(f, format_every_type);
	tcase_add_test(f, format_escaping);
	tcase_add_test(f, format_non_finite);
	tcase_add_test(f, format_timestamp_options);
	tcase_add_test(f, format_config_errors);
	tcase_add_test(f, format_large_output);
	tcase_add_test(f, format_then_parse_round_trip);
	tcase_add_test(f, format_raw_cells);
	suite_add_tcase(s, p);
	suite_add_tcase(s, f);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsonl_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
