/* The csv plugin (parser, formatter, guess) through the plugin test kit.
 * Parser cases run at several chunk sizes, down to one byte, so records,
 * quotes, line ends and the byte order mark all get split across chunks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"
#include "sdk/src/testkit_internal.h"

static bh_testkit *tk;

static void setup(void)
{
	const char *dir = getenv("BULKHEAD_BUILDDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/plugins/csv/csv.so", dir ? dir : ".");
	tk = bh_testkit_open(path);
	ck_assert_msg(tk != NULL, "cannot load %s", path);
}

static void teardown(void)
{
	bh_testkit_free(tk);
	tk = NULL;
}

static const size_t chunk_sizes[] = { 0, 1, 2, 3, 5, 7, 64 };
#define NCHUNKS (sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))

static bh_testkit_result *parse_chunked(const char *config, const char *input, size_t len, size_t chunk)
{
	bh_testkit_result *r = NULL;
	bh_testkit_set_chunk_size(tk, chunk);
	bh_testkit_parse(tk, "csv", config, input, len, &r);
	ck_assert_msg(r != NULL, "parse: %s", bh_testkit_error(tk));
	return r;
}

/* Parses input at every chunk size and expects the same records each time. */
static void expect_records(const char *config, const char *input, const char *records)
{
	for (size_t i = 0; i < NCHUNKS; i++) {
		bh_testkit_result *r = parse_chunked(config, input, strlen(input), chunk_sizes[i]);
		ck_assert_msg(r->status == 0, "chunk %zu: status %d: %s", chunk_sizes[i], r->status,
			      r->error ? r->error : "");
		ck_assert_msg(strcmp(r->records_json, records) == 0, "chunk %zu:\n got %s\nwant %s", chunk_sizes[i],
			      r->records_json, records);
		bh_testkit_result_free(r);
	}
}

/* Parses input at every chunk size, collecting rejects; expects both lists. */
static void expect_rejects(const char *config, const char *input, const char *records, const char *rejects)
{
	bh_testkit_set_max_rejects(tk, 1000);
	for (size_t i = 0; i < NCHUNKS; i++) {
		bh_testkit_result *r = parse_chunked(config, input, strlen(input), chunk_sizes[i]);
		ck_assert_msg(r->status == 0, "chunk %zu: status %d: %s", chunk_sizes[i], r->status,
			      r->error ? r->error : "");
		ck_assert_msg(strcmp(r->records_json, records) == 0, "chunk %zu:\n got %s\nwant %s", chunk_sizes[i],
			      r->records_json, records);
		ck_assert_msg(strcmp(r->rejects_json, rejects) == 0, "chunk %zu:\n got %s\nwant %s", chunk_sizes[i],
			      r->rejects_json, rejects);
		/* rejects or not, the pages promise well-formed strings */
		ck_assert_msg(r->record_count == 0 || (r->page_flags & BH_PAGE_UTF8), "chunk %zu: page flags %#x",
			      chunk_sizes[i], r->page_flags);
		bh_testkit_result_free(r);
	}
	bh_testkit_set_max_rejects(tk, -1);
}

/* Expects the parse to stop with an error mentioning `needle`. */
static void expect_failure(const char *config, const char *input, const char *needle)
{
	for (size_t i = 0; i < NCHUNKS; i++) {
		bh_testkit_result *r = parse_chunked(config, input, strlen(input), chunk_sizes[i]);
		ck_assert_msg(r->status < 0, "chunk %zu: parse succeeded: %s", chunk_sizes[i], r->records_json);
		ck_assert_msg(r->error && strstr(r->error, needle), "chunk %zu: error \"%s\" lacks \"%s\"",
			      chunk_sizes[i], r->error ? r->error : "(none)", needle);
		bh_testkit_result_free(r);
	}
}

#define COLS2 "\"columns\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"string\"}]"
#define LENIENT ",\"stop_on_invalid_record\":false"

/* ---- parser: values and syntax ------------------------------------------ */

START_TEST(parse_every_type)
{
	expect_records("{\"columns\":[{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"l\",\"type\":\"long\"},"
		       "{\"name\":\"d\",\"type\":\"double\"},{\"name\":\"s\",\"type\":\"string\"},"
		       "{\"name\":\"t\",\"type\":\"timestamp\"},{\"name\":\"j\",\"type\":\"json\"}]}",
		       "true,-42,1.5,x y,2024-01-02 03:04:05.123 +09:00,\"{\"\"a\"\": [1, 2]}\"\n"
		       "no,9223372036854775807,-1e-3,,2024-01-02,[]\n"
		       ",,,\"\",,\n",
		       "[[true,-42,1.5,\"x y\",\"2024-01-01 18:04:05.123000000 UTC\",{\"a\":[1,2]}],"
		       "[false,9223372036854775807,-0.001,null,\"2024-01-02 00:00:00.000000000 UTC\",[]],"
		       "[null,null,null,\"\",null,null]]");
}
END_TEST

START_TEST(parse_quotes_and_escapes)
{
	expect_records("{" COLS2 "}",
		       "\"a,b\",\"say \"\"hi\"\"\"\n"
		       "\"back\\\"slash\",\"keep \\n and \\\\\"\n"
		       "plain\"quote,\"x\"   \n"
		       "\"multi\nline\",\"crlf\r\ninside\"\r\n",
		       "[[\"a,b\",\"say \\\"hi\\\"\"],"
		       "[\"back\\\"slash\",\"keep \\\\n and \\\\\"],"
		       "[\"plain\\\"quote\",\"x\"],"
		       "[\"multi\\nline\",\"crlf\\r\\ninside\"]]");
	/* escape disabled: backslashes are data (strict RFC 4180) */
	expect_records("{\"escape\":\"\"," COLS2 "}", "\"C:\\dir\\\",\"\"\"\"\n",
		       "[[\"C:\\\\dir\\\\\",\"\\\"\"]]");
	/* quote disabled: quotes are data */
	expect_records("{\"quote\":\"\"," COLS2 "}", "\"a\",\"b\n", "[[\"\\\"a\\\"\",\"\\\"b\"]]");
}
END_TEST

START_TEST(parse_line_ends_bom_and_blank_lines)
{
	expect_records("{" COLS2 "}", "\xEF\xBB\xBF" "a,b\r\nc,d\re,f\n\n\r\n\rg,h",
		       "[[\"a\",\"b\"],[\"c\",\"d\"],[\"e\",\"f\"],[\"g\",\"h\"]]");
	/* a BOM only counts at the start of the input */
	expect_records("{" COLS2 "}", "a,b\n\xEF\xBB\xBFx,y\n",
		       "[[\"a\",\"b\"],[\"\xEF\xBB\xBFx\",\"y\"]]");
	expect_records("{" COLS2 "}", "", "[]");
	expect_records("{" COLS2 "}", "\n\n", "[]");
	expect_records("{\"comment_line_marker\":\"//\"," COLS2 "}", "// c,d\na,b\n/x,y\n//",
		       "[[\"a\",\"b\"],[\"/x\",\"y\"]]");
}
END_TEST

START_TEST(parse_headers)
{
	expect_records("{\"skip_header_lines\":2," COLS2 "}", "h1,h2\nmore,header\na,b\n", "[[\"a\",\"b\"]]");
	expect_records("{\"header_line\":true," COLS2 "}", "\xEF\xBB\xBFh1,h2\r\na,b\r\n", "[[\"a\",\"b\"]]");
	expect_records("{\"skip_header_lines\":5," COLS2 "}", "h1,h2\na,b\n", "[]");
}
END_TEST

START_TEST(parse_null_string_and_trim)
{
	expect_records("{\"null_string\":\"\\\\N\",\"columns\":[{\"name\":\"a\",\"type\":\"string\"},"
		       "{\"name\":\"b\",\"type\":\"long\"},{\"name\":\"c\",\"type\":\"string\"}]}",
		       "\\N,\\N,\n\"\\N\",1,\"\"\n",
		       "[[null,null,\"\"],[null,1,\"\"]]");
	expect_records("{\"trim_if_not_quoted\":true,\"columns\":[{\"name\":\"a\",\"type\":\"string\"},"
		       "{\"name\":\"b\",\"type\":\"long\"},{\"name\":\"c\",\"type\":\"string\"}]}",
		       "  a b  ,  7 ,  \" q \"  \n",
		       "[[\"a b\",7,\" q \"]]");
	/* without trimming spaces are data, and a number with spaces is invalid */
	expect_records("{" COLS2 "}", " a , b \n", "[[\" a \",\" b \"]]");
}
END_TEST

START_TEST(parse_delimiters)
{
	expect_records("{\"delimiter\":\"\\\\t\"," COLS2 "}", "a b\tc,d\n", "[[\"a b\",\"c,d\"]]");
	expect_records("{\"delimiter\":\"\\t\"," COLS2 "}", "\"x\ty\"\tz\n", "[[\"x\\ty\",\"z\"]]");
	expect_records("{\"delimiter\":\"::\"," COLS2 "}", "a:b::c:\n\"q::\"::\n",
		       "[[\"a:b\",\"c:\"],[\"q::\",null]]");
	expect_records("{\"delimiter\":\";\"," COLS2 "}", "1,5;2,5\n", "[[\"1,5\",\"2,5\"]]");
}
END_TEST

START_TEST(parse_extra_and_optional_columns)
{
	expect_records("{\"allow_extra_columns\":true," COLS2 "}", "a,b,c,\"d\ne\"\nf,g\n",
		       "[[\"a\",\"b\"],[\"f\",\"g\"]]");
	expect_records("{\"allow_optional_columns\":true," COLS2 "}", "a\nb,c\n", "[[\"a\",null],[\"b\",\"c\"]]");
}
END_TEST

START_TEST(parse_timestamps_with_formats_and_zones)
{
	expect_records("{\"default_timezone\":\"+09:00\",\"columns\":["
		       "{\"name\":\"a\",\"type\":\"timestamp\"},"
		       "{\"name\":\"b\",\"type\":\"timestamp\",\"format\":\"%d/%m/%Y %H:%M\"},"
		       "{\"name\":\"c\",\"type\":\"timestamp\",\"format\":\"%Y%m%d\",\"timezone\":\"UTC\"},"
		       "{\"name\":\"d\",\"type\":\"timestamp\",\"format\":\"%s.%N\"}]}",
		       "2024-01-02 09:00:00,02/01/2024 09:30,20240102,1.5\n"
		       "2024-01-02T09:00:00Z,02/01/2024 00:00,20240101,0.000000001\n",
		       "[[\"2024-01-02 00:00:00.000000000 UTC\",\"2024-01-02 00:30:00.000000000 UTC\","
		       "\"2024-01-02 00:00:00.000000000 UTC\",\"1970-01-01 00:00:01.500000000 UTC\"],"
		       "[\"2024-01-02 09:00:00.000000000 UTC\",\"2024-01-01 15:00:00.000000000 UTC\","
		       "\"2024-01-01 00:00:00.000000000 UTC\",\"1970-01-01 00:00:00.000000001 UTC\"]]");
}
END_TEST

/* ---- parser: invalid records --------------------------------------------- */

START_TEST(parse_rejects_with_line_numbers)
{
	expect_rejects("{\"columns\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"s\",\"type\":\"string\"}]" LENIENT
		       "}",
		       "1,a\n"
		       "x,b\n"
		       "2\n"
		       "3,c,d\n"
		       "\"4\",\"multi\nline\"\n"
		       "99999999999999999999,e\n"
		       "5,\"q\"x\n"
		       "6,f",
		       "[[1,\"a\"],[4,\"multi\\nline\"],[6,\"f\"]]",
		       "[{\"line\":2,\"column\":1,\"reason\":\"column 'id' (long): invalid value \\\"x\\\"\",\"record\":\"x,b\"},"
		       "{\"line\":3,\"column\":2,\"reason\":\"too few columns (expected 2, got 1)\",\"record\":\"2\"},"
		       "{\"line\":4,\"column\":3,\"reason\":\"too many columns (expected 2)\",\"record\":\"3,c,d\"},"
		       "{\"line\":7,\"column\":1,\"reason\":\"column 'id' (long): value out of range "
		       "\\\"99999999999999999999\\\"\",\"record\":\"99999999999999999999,e\"},"
		       "{\"line\":8,\"column\":2,\"reason\":\"column 2: unexpected character 'x' after a quoted field\","
		       "\"record\":\"5,\\\"q\\\"x\"}]");
}
END_TEST

START_TEST(parse_rejects_bad_values)
{
	expect_rejects("{\"columns\":[{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"d\",\"type\":\"double\"},"
		       "{\"name\":\"t\",\"type\":\"timestamp\",\"format\":\"%Y-%m-%d\"},{\"name\":\"j\",\"type\":\"json\"}]" LENIENT "}",
		       "maybe,1,2024-01-01,1\n"
		       "true,1.2.3,2024-01-01,1\n"
		       "true,1,2024-02-30,1\n"
		       "true,1,2024-01-01,{oops}\n"
		       "true,1,2024-01-01,\"{\"\"ok\"\":true}\"\n",
		       "[[true,1.0,\"2024-01-01 00:00:00.000000000 UTC\",{\"ok\":true}]]",
		       "[{\"line\":1,\"column\":1,\"reason\":\"column 'b' (boolean): invalid value \\\"maybe\\\"\","
		       "\"record\":\"maybe,1,2024-01-01,1\"},"
		       "{\"line\":2,\"column\":2,\"reason\":\"column 'd' (double): invalid value \\\"1.2.3\\\"\","
		       "\"record\":\"true,1.2.3,2024-01-01,1\"},"
		       "{\"line\":3,\"column\":3,\"reason\":\"column 't' (timestamp): \\\"2024-02-30\\\" does not match "
		       "format \\\"%Y-%m-%d\\\"\",\"record\":\"true,1,2024-02-30,1\"},"
		       "{\"line\":4,\"column\":4,\"reason\":\"column 'j' (json): \\\"{oops}\\\" is not valid JSON\","
		       "\"record\":\"true,1,2024-01-01,{oops}\"}]");
}
END_TEST

START_TEST(parse_rejects_invalid_utf8)
{
	expect_rejects("{" COLS2 LENIENT "}", "caf\xc3\xa9,\xf0\x9f\x98\x80\nbad\xff,x\nx,\xc0\xaf\nx,\xed\xa0\x80\nok,\xe2\x82\n",
		       "[[\"caf\xc3\xa9\",\"\xf0\x9f\x98\x80\"]]",
		       "[{\"line\":2,\"column\":1,\"reason\":\"column 'a' (string): invalid UTF-8\",\"record_hex\":\"626164ff2c78\"},"
		       "{\"line\":3,\"column\":2,\"reason\":\"column 'b' (string): invalid UTF-8\",\"record_hex\":\"782cc0af\"},"
		       "{\"line\":4,\"column\":2,\"reason\":\"column 'b' (string): invalid UTF-8\",\"record_hex\":\"782ceda080\"},"
		       "{\"line\":5,\"column\":2,\"reason\":\"column 'b' (string): invalid UTF-8\",\"record_hex\":\"6f6b2ce282\"}]");
}
END_TEST

/* Past 16 bytes the validator skips ASCII a block at a time; a record is
 * validated whole, and a bad one is reported at its first bad column. */
START_TEST(parse_rejects_invalid_utf8_long_fields)
{
	expect_rejects("{" COLS2 LENIENT "}",
		       "0123456789abcdefghij\xc3\xa9,\"0123456789abcdef\xe2\x82\xac\"\n"
		       "0123456789abcdefghij\xff,0123456789abcdefghij\n"
		       "0123456789abcdefghij,0123456789abcdef\xe2\x82\n"
		       "\xff\xff,0123456789abcdefghij\xc0\n",
		       "[[\"0123456789abcdefghij\xc3\xa9\",\"0123456789abcdef\xe2\x82\xac\"]]",
		       "[{\"line\":2,\"column\":1,\"reason\":\"column 'a' (string): invalid UTF-8\",\"record_hex\":"
		       "\"303132333435363738396162636465666768696aff2c303132333435363738396162636465666768696a\"},"
		       "{\"line\":3,\"column\":2,\"reason\":\"column 'b' (string): invalid UTF-8\",\"record_hex\":"
		       "\"303132333435363738396162636465666768696a2c30313233343536373839616263646566e282\"},"
		       "{\"line\":4,\"column\":1,\"reason\":\"column 'a' (string): invalid UTF-8\",\"record_hex\":"
		       "\"ffff2c303132333435363738396162636465666768696ac0\"}]");
}
END_TEST

START_TEST(parse_unterminated_quote_resumes_next_line)
{
	/* As in Embulk: the record is its first line; the lines after it are read again. */
	expect_rejects("{" COLS2 LENIENT "}", "a,b\n\"open,x\nc,d\n",
		       "[[\"a\",\"b\"],[\"c\",\"d\"]]",
		       "[{\"line\":2,\"column\":1,\"reason\":\"column 1: unterminated quoted field (missing closing quote)\","
		       "\"record\":\"\\\"open,x\"}]");
}
END_TEST

START_TEST(parse_size_limits)
{
	/* a quoted field over max_quoted_size_limit */
	expect_rejects("{\"max_quoted_size_limit\":8," COLS2 LENIENT "}",
		       "a,\"12345678\"\nb,\"123456789\nmore\"\nc,d\n",
		       "[[\"a\",\"12345678\"],[\"c\",\"d\"]]",
		       "[{\"line\":2,\"column\":2,\"reason\":\"column 2: quoted field larger than max_quoted_size_limit (8 bytes)\","
		       "\"record\":\"b,\\\"123456789\"},"
		       "{\"line\":3,\"column\":2,\"reason\":\"too few columns (expected 2, got 1)\",\"record\":\"more\\\"\"}]");
	/* the line after it is read again: here it is too short */
}
END_TEST

START_TEST(parse_line_size_limit)
{
	char *input = malloc(200000);
	size_t n = 0;
	bh_testkit_result *r;
	n += (size_t)sprintf(input + n, "a,b\n");
	memset(input + n, 'x', 150000);
	n += 150000;
	n += (size_t)sprintf(input + n, ",y\nc,d\n");
	bh_testkit_set_max_rejects(tk, 10);
	for (size_t chunk = 0; chunk <= 4096; chunk = chunk ? chunk * 8 : 1) {
		r = parse_chunked("{\"max_line_size\":100000," COLS2 LENIENT "}", input, n, chunk);
		ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->error ? r->error : "");
		ck_assert_str_eq(r->records_json, "[[\"a\",\"b\"],[\"c\",\"d\"]]");
		json_t *rej = json_loads(r->rejects_json, 0, NULL);
		ck_assert_int_eq(json_array_size(rej), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(rej, 0), "line")), 2);
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(rej, 0), "reason")),
					     "max_line_size (100000 bytes)"));
		json_decref(rej);
		bh_testkit_result_free(r);
	}
	bh_testkit_set_max_rejects(tk, -1);
	free(input);
}
END_TEST

START_TEST(parse_stops_by_default)
{
	expect_failure("{\"columns\":[{\"name\":\"id\",\"type\":\"long\"}]}", "1\n2\nthree\n4\n",
		       "input:3: column 'id' (long): invalid value \"three\"");
	/* stop_on_invalid_record false hands the record to the host, which stops by default too */
	expect_failure("{\"columns\":[{\"name\":\"id\",\"type\":\"long\"}]" LENIENT "}", "1\n2\nthree\n", "input:3:");
	expect_failure("{" COLS2 "}", "a,b\n\"never closed\n", "input:2: column 1: unterminated quoted field");
}
END_TEST

START_TEST(parse_config_errors)
{
	static const char *const configs[][2] = {
		{ "{\"charset\":\"Shift_JIS\"," COLS2 "}", "only UTF-8" },
		{ "{\"quote\":\"''\"," COLS2 "}", "single ASCII character" },
		{ "{\"delimiter\":\"\"," COLS2 "}", "delimiter" },
		{ "{\"quote\":\",\"," COLS2 "}", "must differ" },
		{ "{\"default_timezone\":\"Asia/Tokyo\"," COLS2 "}", "named zones are not supported" },
		{ "{\"newline\":\"LFCR\"," COLS2 "}", "newline" },
		{ "{\"max_line_size\":0," COLS2 "}", "max_line_size" },
		{ "{\"columns\":[]}", "columns" },
	};
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		bh_testkit_result *r = NULL;
		bh_testkit_parse(tk, "csv", configs[i][0], "a,b\n", 4, &r);
		if (r) {
			ck_assert_msg(r->status < 0, "accepted %s", configs[i][0]);
			ck_assert_msg(r->error && strstr(r->error, configs[i][1]), "%s: error \"%s\"", configs[i][0],
				      r->error ? r->error : "");
			bh_testkit_result_free(r);
		} else {
			ck_assert_msg(strstr(bh_testkit_error(tk), configs[i][1]), "%s: %s", configs[i][0],
				      bh_testkit_error(tk));
		}
	}
}
END_TEST

/* Many records in many chunk layouts: counts and sums must agree. */
START_TEST(parse_large_input)
{
	size_t cap = 4 << 20, n = 0;
	char *input = malloc(cap);
	long long want = 0;
	for (int i = 0; n < cap - 200; i++) {
		n += (size_t)snprintf(input + n, 200, i % 3 ? "%d,\"v,%d\"\r\n" : "%d,v%d\n", i, i);
		want += i;
	}
	for (size_t chunk = 0; chunk <= 65536; chunk = chunk ? chunk * 16 : 1) {
		bh_testkit_result *r = parse_chunked("{\"columns\":[{\"name\":\"id\",\"type\":\"long\"},"
						     "{\"name\":\"s\",\"type\":\"string\"}]}",
						     input, n, chunk);
		json_t *rows;
		long long sum = 0;
		size_t i;
		json_t *row;
		ck_assert_msg(r->status == 0, "%s", r->error ? r->error : "");
		rows = json_loads(r->records_json, 0, NULL);
		json_array_foreach(rows, i, row) {
			long long id = json_integer_value(json_array_get(row, 0));
			char expect[64];
			snprintf(expect, sizeof expect, id % 3 ? "v,%lld" : "v%lld", id);
			ck_assert_str_eq(json_string_value(json_array_get(row, 1)), expect);
			ck_assert_int_eq(id, (long long)i);
			sum += id;
		}
		ck_assert(sum == want);
		json_decref(rows);
		bh_testkit_result_free(r);
	}
	free(input);
}
END_TEST

/* A large quoted field fed one byte at a time must not be re-read per byte. */
START_TEST(parse_large_field_in_tiny_chunks)
{
	size_t n = 100000;
	char *input = malloc(n + 16);
	bh_testkit_result *r;
	input[0] = '"';
	memset(input + 1, 'z', n);
	for (size_t i = 1000; i < n; i += 1000)
		input[i] = '\n';
	memcpy(input + n + 1, "\",b\n", 4);
	r = parse_chunked("{\"max_quoted_size_limit\":1000000," COLS2 "}", input, n + 5, 1);
	ck_assert_msg(r->status == 0, "%s", r->error ? r->error : "");
	ck_assert_int_eq(r->record_count, 1);
	bh_testkit_result_free(r);
	free(input);
}
END_TEST

/* Found by tests/fuzz: an invalid record longer than max_line_size is
 * rejected as oversized at every chunk size (the chunk loop can not see the
 * rest of what is wrong with it), and reading resumes after its first line. */
START_TEST(parse_invalid_and_oversized)
{
	expect_rejects("{\"max_line_size\":16," COLS2 LENIENT "}",
		       "\"ab\"x,1234567890123456789\nc,d\n\"open,quote\nspans,lines",
		       "[[\"c\",\"d\"],[\"spans\",\"lines\"]]",
		       "[{\"line\":1,\"column\":0,\"reason\":\"record larger than max_line_size (16 bytes)\",\"record\":\"\\\"ab\\\"x,1234567890\"},"
		       "{\"line\":3,\"column\":0,\"reason\":\"record larger than max_line_size (16 bytes)\",\"record\":\"\\\"open,quote\"}]");
	/* a quoted field over its own limit, found only past max_line_size */
	expect_rejects("{\"max_line_size\":16,\"max_quoted_size_limit\":16," COLS2 LENIENT "}",
		       "a,\"bcd\nefghijklmnopqrstuvwxyz\nx,y\n", "[[\"x\",\"y\"]]",
		       "[{\"line\":1,\"column\":0,\"reason\":\"record larger than max_line_size (16 bytes)\",\"record\":\"a,\\\"bcd\"},"
		       "{\"line\":2,\"column\":0,\"reason\":\"record larger than max_line_size (16 bytes)\",\"record\":\"efghijklmnopqrst\"}]");
	expect_failure("{\"max_line_size\":16,\"stop_on_invalid_record\":true," COLS2 "}",
		       "a,b\n\"ab\"x,1234567890123456789\n", "input:2: record larger than max_line_size");
}
END_TEST

/* Random inputs of CSV's special bytes: parsing never fails under a lenient
 * config, and every chunk size gives the same records and rejects. */
START_TEST(parse_random_inputs_chunk_invariant)
{
	static const char alphabet[] = { 'a', 'b', ',', ',', '"', '"', '\\', '\n', '\n', '\r', ' ', '1', '#', ':', '\xc3', '\xa9' };
	static const char *const configs[] = {
		"{" COLS2 LENIENT "}",
		"{\"trim_if_not_quoted\":true,\"null_string\":\"1\",\"comment_line_marker\":\"#\"," COLS2 LENIENT "}",
		"{\"escape\":\"\",\"allow_extra_columns\":true,\"allow_optional_columns\":true," COLS2 LENIENT "}",
		"{\"delimiter\":\"::\",\"quote\":\"\",\"max_line_size\":40,\"skip_header_lines\":1," COLS2 LENIENT "}",
		"{\"max_quoted_size_limit\":5,\"columns\":[{\"name\":\"n\",\"type\":\"long\"}]" LENIENT "}",
	};
	unsigned seed = 12345;
	char input[256];
	/* CSV_RANDOM_ITERATIONS runs longer, e.g. under a sanitizer */
	long iterations = getenv("CSV_RANDOM_ITERATIONS") ? atol(getenv("CSV_RANDOM_ITERATIONS")) : 1500;
	bh_testkit_set_max_rejects(tk, 100000);
	for (long iter = 0; iter < iterations; iter++) {
		size_t n = (size_t)(rand_r(&seed) % 120);
		const char *config = configs[iter % 5];
		bh_testkit_result *whole, *part;
		for (size_t i = 0; i < n; i++)
			input[i] = alphabet[rand_r(&seed) % sizeof(alphabet)];
		whole = parse_chunked(config, input, n, 0);
		ck_assert_msg(whole->status == 0, "status %d %s (config %s) input [%.*s]", whole->status,
			      whole->error ? whole->error : "", config, (int)n, input);
		size_t chunk = 1 + (size_t)(rand_r(&seed) % 9);
		part = parse_chunked(config, input, n, chunk);
		ck_assert_int_eq(part->status, 0);
		if (strcmp(whole->records_json, part->records_json) || strcmp(whole->rejects_json, part->rejects_json)) {
			char hex[3 * sizeof(input) + 1];
			for (size_t i = 0; i < n; i++)
				snprintf(hex + 3 * i, 4, "%02x ", (unsigned char)input[i]);
			hex[3 * n] = '\0';
			ck_abort_msg("iteration %ld, config %s, chunk %zu, input %s\nwhole: %s %s\nchunked: %s %s", iter,
				     config, chunk, hex, whole->records_json, whole->rejects_json, part->records_json,
				     part->rejects_json);
		}
		bh_testkit_result_free(whole);
		bh_testkit_result_free(part);
	}
	bh_testkit_set_max_rejects(tk, -1);
}
END_TEST

/* The parser with pages of `capacity` records that are also flushed once
 * their arena passes flush_at bytes (the worker's page_records; the test
 * kit's own pages hold 1024), the input in chunks of `chunk` bytes. */
static bh_testkit_result *parse_paged(const char *config, const char *input, size_t len, size_t chunk,
				      uint32_t capacity, size_t flush_at)
{
	const bh_component *c;
	const bh_parser_vtable *vt;
	const bh_schema *schema = NULL, *copy = NULL;
	bh_testkit_result *out = NULL;
	struct tk_run run;
	struct mem_stream m;
	bh_page_builder pb;
	bh_stream s;
	json_t *cfg;
	void *state = NULL;
	int r;
	ck_assert_int_eq(tk_start(tk, BH_KIND_PARSER, "csv", config, &c, &cfg, &run, &out), 0);
	vt = c->vtable;
	tk_mem_stream_init(&s, &m, input, len, chunk);
	r = vt->begin(run.ctx, (const bh_config *)cfg, &state, &schema);
	if (r == 0) {
		copy = rt_schema_copy(run.ctx, schema);
		r = rt_pb_init(&pb, schema, capacity, flush_at, tk_collect_page, &run);
		if (r == 0) {
			r = vt->run(state, run.ctx, &s, &pb);
			if (r == 0)
				r = rt_pb_finish(&pb);
			rt_pb_destroy(&pb);
		}
		vt->end(state);
	}
	json_decref(cfg);
	tk_run_finish(&run, r, copy, &out);
	ck_assert(out != NULL);
	return out;
}

/* Page boundaries (by record count or arena size) anywhere, in chunks of
 * any size, among rejects, comments and records that span lines or chunks:
 * the same records and rejects as in the test kit's large pages. */
START_TEST(parse_small_pages)
{
	static const char *const odd[] = { "x,1\n",	      "\n",	     "# comment, a\n", "\"a\nb\",3\n",
					   "caf\xc3,5\n",   "1\n",	     "q,\"7\"x\n",      "w,9,10\n",
					   "\"e\"\"e\",12\r\n", "z,1e400\n", "ok,-0\r",	       "\xe2\x82\xac,14\n" };
	const char *config = "{\"escape\":\"\\\"\",\"comment_line_marker\":\"#\",\"columns\":[{\"name\":\"s\","
			     "\"type\":\"string\"},{\"name\":\"l\",\"type\":\"long\"}]" LENIENT "}";
	unsigned seed = 31;
	char input[8192];
	bh_testkit_set_max_rejects(tk, 100000);
	for (int iter = 0; iter < 20; iter++) {
		size_t n = 0;
		bh_testkit_result *want;
		while (n < sizeof input - 100) {
			if (rand_r(&seed) % 5 == 0) {
				const char *s = odd[rand_r(&seed) % (sizeof odd / sizeof odd[0])];
				memcpy(input + n, s, strlen(s));
				n += strlen(s);
			} else {
				n += (size_t)snprintf(input + n, 100, "n%d\xc3\xa9,%d\n", rand_r(&seed) % 1000,
						      rand_r(&seed) % 100000);
			}
		}
		want = parse_chunked(config, input, n, 0);
		ck_assert_msg(want->status == 0 && want->record_count > 100, "status %d, %zu records", want->status,
			      want->record_count);
		for (int k = 0; k < 6; k++) {
			uint32_t capacity = (uint32_t)(1 + rand_r(&seed) % 9);
			size_t flush_at = k % 2 ? (size_t)(1 + rand_r(&seed) % 200) : 1 << 20;
			size_t chunk = k < 2 ? 0 : (size_t)(1 + rand_r(&seed) % 300);
			bh_testkit_result *r = parse_paged(config, input, n, chunk, capacity, flush_at);
			ck_assert_msg(r->status == 0 && strcmp(r->records_json, want->records_json) == 0 &&
					      strcmp(r->rejects_json, want->rejects_json) == 0,
				      "pages of %u records or %zu bytes, chunks of %zu: status %d\n got %s %s\nwant %s %s",
				      capacity, flush_at, chunk, r->status, r->records_json, r->rejects_json,
				      want->records_json, want->rejects_json);
			bh_testkit_result_free(r);
		}
		bh_testkit_result_free(want);
	}
	bh_testkit_set_max_rejects(tk, -1);
}
END_TEST

/* ---- formatter ------------------------------------------------------------ */

#define FMT_SCHEMA                                                                                   \
	"[{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"l\",\"type\":\"long\"},"                   \
	"{\"name\":\"d\",\"type\":\"double\"},{\"name\":\"s\",\"type\":\"string\"},"                    \
	"{\"name\":\"t\",\"type\":\"timestamp\"},{\"name\":\"j\",\"type\":\"json\"}]"
#define FMT_RECORDS                                                                                  \
	"[[true,-42,1.5,\"plain\",\"2024-01-02 03:04:05.123456789 UTC\",{\"a\":\"x\"}],"               \
	"[false,0,0.1,\"a,b\",\"1969-12-31 23:59:59.5 UTC\",[1]],"                                      \
	"[null,null,null,null,null,null],"                                                            \
	"[true,1,1e21,\"say \\\"hi\\\"\\nbye\",\"2024-01-02 03:04:05 UTC\",\"\"],"                     \
	"[true,1,\"NaN\",\"\",\"2024-01-02 03:04:05 UTC\",null]]"

static void expect_output(const char *config, const char *schema, const char *records, const char *want)
{
	bh_testkit_result *r = NULL;
	bh_testkit_format(tk, "csv", config, schema, records, &r);
	ck_assert_msg(r != NULL, "format: %s", bh_testkit_error(tk));
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->error ? r->error : "");
	ck_assert_msg(r->bytes_len == strlen(want) && memcmp(r->bytes, want, r->bytes_len) == 0,
		      "\n got [%.*s]\nwant [%s]", (int)r->bytes_len, r->bytes, want);
	bh_testkit_result_free(r);
}

START_TEST(format_minimal)
{
	expect_output("{}", FMT_SCHEMA, FMT_RECORDS,
		      "b,l,d,s,t,j\n"
		      "true,-42,1.5,plain,2024-01-02 03:04:05.123456 +0000,\"{\"\"a\"\":\"\"x\"\"}\"\n"
		      "false,0,0.1,\"a,b\",1969-12-31 23:59:59.500000 +0000,[1]\n"
		      ",,,,,\n"
		      "true,1,1e+21,\"say \"\"hi\"\"\nbye\",2024-01-02 03:04:05.000000 +0000,\"\"\"\"\"\"\n"
		      "true,1,NaN,\"\",2024-01-02 03:04:05.000000 +0000,\n");
}
END_TEST

START_TEST(format_all_none_and_options)
{
	const char *schema = "[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"s\",\"type\":\"string\"}]";
	const char *records = "[[1,\"a;b\"],[null,\"q\\\"\\r\\n\"],[2,\"\"]]";
	expect_output("{\"quote_policy\":\"ALL\",\"delimiter\":\";\",\"newline\":\"CRLF\"}", schema, records,
		      "\"id\";\"s\"\r\n\"1\";\"a;b\"\r\n;\"q\"\"\r\n\"\r\n\"2\";\"\"\r\n");
	expect_output("{\"quote_policy\":\"NONE\",\"delimiter\":\";\",\"header_line\":false}", schema, records,
		      "1;a\\;b\n;q\\\"\\\r\\\n\n2;\n");
	expect_output("{\"null_string\":\"NULL\",\"delimiter\":\"\\t\",\"escape\":\"\\\\\"}", schema,
		      "[[null,\"NULL\"],[3,\"back\\\\slash \\\"q\\\"\"],[4,\"\"]]",
		      "id\ts\nNULL\t\"NULL\"\n3\t\"back\\\\slash \\\"q\\\"\"\n4\t\n");
}
END_TEST

START_TEST(format_timestamps)
{
	expect_output("{\"default_timezone\":\"+09:00\",\"header_line\":false,"
		      "\"column_options\":{\"b\":{\"format\":\"%Y/%m/%d %H:%M:%S.%3N %Z\",\"timezone\":\"UTC\"},"
		      "\"c\":{\"format\":\"%s\"}}}",
		      /* a's input format is not reused for output */
		      "[{\"name\":\"a\",\"type\":\"timestamp\",\"format\":\"%Y\"},{\"name\":\"b\",\"type\":\"timestamp\"},"
		      "{\"name\":\"c\",\"type\":\"timestamp\"}]",
		      "[[\"2024-01-02 20:00:00.5 UTC\",\"2024-01-02 20:00:00.5 UTC\",\"2024-01-02 20:00:00.5 UTC\"]]",
		      "2024-01-03 05:00:00.500000 +0900,2024/01/02 20:00:00.500 UTC,1704225600\n");
}
END_TEST

START_TEST(format_config_errors)
{
	bh_testkit_result *r = NULL;
	bh_testkit_format(tk, "csv", "{\"quote_policy\":\"SOME\"}", "[{\"name\":\"a\",\"type\":\"long\"}]", "[]", &r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_lt(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->error, "quote_policy"));
	bh_testkit_result_free(r);
	r = NULL;
	bh_testkit_format(tk, "csv", "{\"quote_policy\":\"NONE\",\"escape\":\"\"}", "[{\"name\":\"a\",\"type\":\"string\"}]",
			  "[[\"x,y\"]]", &r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_lt(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->error, "quote_policy is NONE"));
	bh_testkit_result_free(r);
	r = NULL;
	/* The formatter reads the delimiter as the parser does (options.c). */
	bh_testkit_format(tk, "csv", "{\"delimiter\":\"a\\nb\"}", "[{\"name\":\"a\",\"type\":\"long\"}]", "[]", &r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_lt(r->status, 0);
	ck_assert_ptr_nonnull(strstr(r->error, "option 'delimiter' must be 1 to 16 characters without newlines"));
	bh_testkit_result_free(r);
	expect_output("{\"delimiter\":\"\\\\t\",\"header_line\":false}", "[{\"name\":\"a\",\"type\":\"long\"},"
		      "{\"name\":\"b\",\"type\":\"long\"}]", "[[1,2]]", "1\t2\n");
}
END_TEST

/* What the formatter writes, the parser reads back unchanged. */
START_TEST(format_then_parse_round_trip)
{
	const char *schema = "[{\"name\":\"l\",\"type\":\"long\"},{\"name\":\"d\",\"type\":\"double\"},"
			     "{\"name\":\"s\",\"type\":\"string\"},{\"name\":\"t\",\"type\":\"timestamp\"}]";
	const char *records = "[[1,0.1,\"a,\\\"b\\\"\\r\\nc\",\"2024-01-02 03:04:05.123456000 UTC\"],"
			      "[null,null,null,null],[-5,1e-07,\"\",\"1900-03-01 00:00:00.000000000 UTC\"],"
			      "[9223372036854775807,2.5e+300,\"\\\\\",\"2024-01-02 03:04:05.000000000 UTC\"]]";
	bh_testkit_result *f = NULL, *p;
	bh_testkit_format(tk, "csv", "{\"default_timestamp_format\":\"%Y-%m-%d %H:%M:%S.%N %z\"}", schema, records, &f);
	ck_assert_msg(f && f->status == 0, "%s", f && f->error ? f->error : bh_testkit_error(tk));
	char config[1024];
	snprintf(config, sizeof config,
		 "{\"header_line\":true,\"escape\":\"\\\"\",\"default_timestamp_format\":\"%%Y-%%m-%%d %%H:%%M:%%S.%%N %%z\","
		 "\"columns\":%s}",
		 schema);
	p = parse_chunked(config, f->bytes, f->bytes_len, 3);
	ck_assert_msg(p->status == 0, "%s", p->error ? p->error : "");
	json_t *a = json_loads(records, 0, NULL), *b = json_loads(p->records_json, 0, NULL);
	ck_assert_msg(json_equal(a, b), "wrote %.*s\nread %s", (int)f->bytes_len, f->bytes, p->records_json);
	json_decref(a);
	json_decref(b);
	bh_testkit_result_free(p);
	bh_testkit_result_free(f);
}
END_TEST

/* Random strings and doubles survive format -> parse under each quote policy
 * that keeps data apart. */
START_TEST(format_parse_random_round_trip)
{
	static const char alphabet[] = { 'a', ',', '"', '\\', '\n', '\r', ' ', ';', 'N' };
	static const char *const fmt_configs[] = { "{}", "{\"quote_policy\":\"ALL\",\"newline\":\"CRLF\"}",
						   "{\"delimiter\":\";\",\"null_string\":\"N\"}" };
	static const char *const parse_extra[] = { "", "", ",\"delimiter\":\";\",\"null_string\":\"N\"" };
	const char *schema = "[{\"name\":\"s\",\"type\":\"string\"},{\"name\":\"d\",\"type\":\"double\"}]";
	unsigned seed = 777;
	for (int iter = 0; iter < 300; iter++) {
		json_t *records = json_array();
		char *records_text, config[512];
		bh_testkit_result *f = NULL, *p;
		for (int row = 0; row < 20; row++) {
			char str[16];
			size_t n = (size_t)(rand_r(&seed) % sizeof(str));
			uint64_t bits = ((uint64_t)rand_r(&seed) << 40) ^ ((uint64_t)rand_r(&seed) << 20) ^ (uint64_t)rand_r(&seed);
			double d;
			for (size_t i = 0; i < n; i++)
				str[i] = alphabet[rand_r(&seed) % sizeof(alphabet)];
			if (n == 1 && str[0] == 'N') /* the parser reads null_string as null even quoted (Embulk) */
				str[0] = 'a';
			memcpy(&d, &bits, sizeof(d));
			if (d != d || d - d != 0) /* NaN and infinities are checked elsewhere */
				d = 0.5;
			json_array_append_new(records, json_pack("[s#, f]", str, (int)n, d));
		}
		json_array_append_new(records, json_pack("[n, n]"));
		records_text = json_dumps(records, JSON_COMPACT | JSON_REAL_PRECISION(17));
		bh_testkit_format(tk, "csv", fmt_configs[iter % 3], schema, records_text, &f);
		ck_assert_msg(f && f->status == 0, "%s", f && f->error ? f->error : bh_testkit_error(tk));
		snprintf(config, sizeof config, "{\"skip_header_lines\":1,\"escape\":\"\\\"\"%s,\"columns\":%s}",
			 parse_extra[iter % 3], schema);
		p = parse_chunked(config, f->bytes, f->bytes_len, 1 + (size_t)(rand_r(&seed) % 7));
		ck_assert_msg(p->status == 0, "%s", p->error ? p->error : "");
		json_t *back = json_loads(p->records_json, 0, NULL);
		ck_assert_msg(json_equal(records, back), "wrote [%.*s]\nread %s\nwant %s", (int)f->bytes_len, f->bytes,
			      p->records_json, records_text);
		json_decref(back);
		json_decref(records);
		free(records_text);
		bh_testkit_result_free(f);
		bh_testkit_result_free(p);
	}
}
END_TEST

/* The guess never fails on odd samples, and what it suggests is a valid config. */
START_TEST(guess_random_samples)
{
	static const char alphabet[] = { 'a', '1', ',', '\t', '|', ';', '"', '\n', '\r', '.', '-', ' ', '{', '}' };
	unsigned seed = 99;
	char sample[300];
	for (int iter = 0; iter < 500; iter++) {
		size_t n = 1 + (size_t)(rand_r(&seed) % (sizeof(sample) - 1));
		bh_testkit_result *r = NULL;
		for (size_t i = 0; i < n; i++)
			sample[i] = alphabet[rand_r(&seed) % sizeof(alphabet)];
		bh_testkit_guess(tk, "csv", sample, n, &r);
		ck_assert_ptr_nonnull(r);
		if (r->status == 0) {
			json_t *g = json_loadb(r->bytes, r->bytes_len, 0, NULL), *cfg;
			bh_testkit_result *p;
			char *text;
			ck_assert_msg(g != NULL, "guess wrote %.*s", (int)r->bytes_len, r->bytes);
			json_object_del(g, "type");
			json_object_set_new(g, "stop_on_invalid_record", json_false());
			cfg = g;
			text = json_dumps(cfg, JSON_COMPACT);
			bh_testkit_set_max_rejects(tk, 100000);
			p = parse_chunked(text, sample, n, 0);
			ck_assert_msg(p->status == 0, "config %s: %s", text, p->error ? p->error : "");
			bh_testkit_set_max_rejects(tk, -1);
			bh_testkit_result_free(p);
			free(text);
			json_decref(g);
		} else {
			ck_assert_ptr_nonnull(strstr(r->error, "no complete line"));
		}
		bh_testkit_result_free(r);
	}
}
END_TEST

/* ---- guess ----------------------------------------------------------------- */

static json_t *guess(const char *sample)
{
	bh_testkit_result *r = NULL;
	json_t *j;
	bh_testkit_guess(tk, "csv", sample, strlen(sample), &r);
	ck_assert_msg(r && r->status == 0, "guess: %s", r && r->error ? r->error : bh_testkit_error(tk));
	j = json_loadb(r->bytes, r->bytes_len, 0, NULL);
	ck_assert_msg(j != NULL, "guess wrote %.*s", (int)r->bytes_len, r->bytes);
	bh_testkit_result_free(r);
	return j;
}

static void expect_column(json_t *g, size_t i, const char *name, const char *type, const char *format)
{
	json_t *c = json_array_get(json_object_get(g, "columns"), i);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), name);
	ck_assert_str_eq(json_string_value(json_object_get(c, "type")), type);
	if (format)
		ck_assert_str_eq(json_string_value(json_object_get(c, "format")), format);
	else
		ck_assert_ptr_null(json_object_get(c, "format"));
}

START_TEST(guess_header_and_types)
{
	json_t *g = guess("id,name,price,ok,created,meta\n"
			  "1,apple,1.5,true,2024-01-02 03:04:05,\"{\"\"a\"\":1}\"\n"
			  "2,\"pear, green\",2,false,2024-01-03 00:00:00,[]\n"
			  "3,,3.25,true,2024-01-04 10:00:00,{}\n"
			  "4,fig,");
	ck_assert_str_eq(json_string_value(json_object_get(g, "type")), "csv");
	ck_assert_str_eq(json_string_value(json_object_get(g, "delimiter")), ",");
	ck_assert_str_eq(json_string_value(json_object_get(g, "quote")), "\"");
	ck_assert_str_eq(json_string_value(json_object_get(g, "escape")), "\"");
	ck_assert_int_eq(json_integer_value(json_object_get(g, "skip_header_lines")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(g, "columns")), 6);
	expect_column(g, 0, "id", "long", NULL);
	expect_column(g, 1, "name", "string", NULL);
	expect_column(g, 2, "price", "double", NULL);
	expect_column(g, 3, "ok", "boolean", NULL);
	expect_column(g, 4, "created", "timestamp", "%Y-%m-%d %H:%M:%S");
	expect_column(g, 5, "meta", "json", NULL);
	json_decref(g);
}
END_TEST

START_TEST(guess_tabs_without_header_and_nulls)
{
	json_t *g = guess("1\t\\N\t2024-01-02T03:04:05Z\tx\n2\t2.5\t2024-01-02T03:04:06+09:00\ty\n"
			  "3\t\\N\t2024-01-02T03:04:07Z\tz\n");
	ck_assert_str_eq(json_string_value(json_object_get(g, "delimiter")), "\t");
	ck_assert_int_eq(json_integer_value(json_object_get(g, "skip_header_lines")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(g, "null_string")), "\\N");
	expect_column(g, 0, "c0", "long", NULL);
	expect_column(g, 1, "c1", "double", NULL);
	expect_column(g, 2, "c2", "timestamp", "%Y-%m-%dT%H:%M:%S%z");
	expect_column(g, 3, "c3", "string", NULL);
	json_decref(g);
	g = guess("a|b|c\nx|y|z\nu|v|w\n");
	ck_assert_str_eq(json_string_value(json_object_get(g, "delimiter")), "|");
	ck_assert_int_eq(json_integer_value(json_object_get(g, "skip_header_lines")), 1);
	json_decref(g);
	g = guess("name;value\nx;1,5\ny;2,5\n");
	ck_assert_str_eq(json_string_value(json_object_get(g, "delimiter")), ";");
	json_decref(g);
}
END_TEST

START_TEST(guess_dates_written_as_numbers)
{
	json_t *g = guess("id,day,code,x\n1,20150127,20150127,1\n2,20150128,12345,2.5\n3,20151231,20150131,3\n");
	expect_column(g, 0, "id", "long", NULL);
	expect_column(g, 1, "day", "timestamp", "%Y%m%d");
	expect_column(g, 2, "code", "long", NULL);
	expect_column(g, 3, "x", "double", NULL);
	json_decref(g);
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *p = tcase_create("parser"), *f = tcase_create("formatter"), *g = tcase_create("guess");
	tcase_add_checked_fixture(p, setup, teardown);
	tcase_add_checked_fixture(f, setup, teardown);
	tcase_add_checked_fixture(g, setup, teardown);
	tcase_set_timeout(p, 120);
	tcase_add_test(p, parse_every_type);
	tcase_add_test(p, parse_quotes_and_escapes);
	tcase_add_test(p, parse_line_ends_bom_and_blank_lines);
	tcase_add_test(p, parse_headers);
	tcase_add_test(p, parse_null_string_and_trim);
	tcase_add_test(p, parse_delimiters);
	tcase_add_test(p, parse_extra_and_optional_columns);
	tcase_add_test(p, parse_timestamps_with_formats_and_zones);
	tcase_add_test(p, parse_rejects_with_line_numbers);
	tcase_add_test(p, parse_rejects_bad_values);
	tcase_add_test(p, parse_rejects_invalid_utf8);
	tcase_add_test(p, parse_rejects_invalid_utf8_long_fields);
	tcase_add_test(p, parse_unterminated_quote_resumes_next_line);
	tcase_add_test(p, parse_size_limits);
	tcase_add_test(p, parse_line_size_limit);
	tcase_add_test(p, parse_stops_by_default);
	tcase_add_test(p, parse_config_errors);
	tcase_add_test(p, parse_large_input);
	tcase_add_test(p, parse_large_field_in_tiny_chunks);
	tcase_add_test(p, parse_invalid_and_oversized);
	tcase_add_test(p, parse_random_inputs_chunk_invariant);
	tcase_add_test(p, parse_small_pages);
	tcase_add_test(f, format_minimal);
	tcase_add_test(f, format_all_none_and_options);
	tcase_add_test(f, format_timestamps);
	tcase_add_test(f, format_config_errors);
	tcase_add_test(f, format_then_parse_round_trip);
	tcase_add_test(f, format_parse_random_round_trip);
	tcase_add_test(g, guess_header_and_types);
	tcase_add_test(g, guess_tabs_without_header_and_nulls);
	tcase_add_test(g, guess_dates_written_as_numbers);
	tcase_add_test(g, guess_random_samples);
	suite_add_tcase(s, p);
	suite_add_tcase(s, f);
	suite_add_tcase(s, g);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(csv_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
