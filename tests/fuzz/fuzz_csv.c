/* libFuzzer target: the csv parser (plugins/csv) on arbitrary bytes.
 * Byte 0 picks a fixed config, byte 1 a chunk size; the rest is the file.
 * Checks: no crash/UB/leak; the same result whole and chunked; lenient runs
 * never fail; stopping runs never reject; without quoting, every non-empty
 * line is exactly one record or one reject. */
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/fuzz_parse.h"

#define STR(n) "{\"name\":\"" n "\",\"type\":\"string\"}"
#define LONG(n) "{\"name\":\"" n "\",\"type\":\"long\"}"
#define DBL(n) "{\"name\":\"" n "\",\"type\":\"double\"}"
#define BOOL(n) "{\"name\":\"" n "\",\"type\":\"boolean\"}"
#define TS(n) "{\"name\":\"" n "\",\"type\":\"timestamp\"}"
#define JSON(n) "{\"name\":\"" n "\",\"type\":\"json\"}"

static const struct fuzz_config configs[] = {
	/* defaults: quote ", escape \, skip invalid records */
	{ "{\"columns\":[" STR("a") "," STR("b") "]}", 0, 0 },
	/* every type, RFC 4180 quoting, optional/extra columns */
	{ "{\"escape\":\"\",\"allow_extra_columns\":true,\"allow_optional_columns\":true,\"columns\":[" LONG("l") "," DBL(
	  "d") "," BOOL("b") "," TS("t") "," JSON("j") "," STR("s") "]}",
	  0, 0 },
	/* multi-byte delimiter, other quote, trim, null string, comments, header */
	{ "{\"delimiter\":\"::\",\"quote\":\"'\",\"escape\":\"'\",\"trim_if_not_quoted\":true,\"null_string\":\"NULL\","
	  "\"comment_line_marker\":\"#\",\"skip_header_lines\":1,\"default_timezone\":\"+09:00\","
	  "\"columns\":[" STR("s") ",{\"name\":\"t\",\"type\":\"timestamp\",\"format\":\"%Y-%m-%d %H:%M:%S.%N %z\"},"
	  "{\"name\":\"u\",\"type\":\"timestamp\",\"format\":\"%s\",\"timezone\":\"-05:30\"}]}",
	  0, 0 },
	/* stop at the first invalid record, small limits */
	{ "{\"stop_on_invalid_record\":true,\"max_quoted_size_limit\":8,\"max_line_size\":64,\"columns\":[" LONG(
	  "l") "," STR("s") "," TS("t") "]}",
	  1, 0 },
	/* no quoting: lines are records, counted */
	{ "{\"quote\":\"\",\"delimiter\":\"\\t\",\"columns\":[" LONG("l") "," DBL("d") "," STR("s") "]}", 0, 1 },
	/* no quoting, a tiny line limit: oversized lines are rejects, counted */
	{ "{\"quote\":\"\",\"delimiter\":\"|\",\"max_line_size\":16,\"allow_optional_columns\":true,\"columns\":[" BOOL(
	  "b") "," JSON("j") "]}",
	  0, 1 },
	/* quoting with a small quoted-field limit, backslash escapes */
	{ "{\"max_quoted_size_limit\":5,\"columns\":[" STR("a") "," LONG("n") "]}", 0, 0 },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_open_plugin((*argv)[0], "csv");
	return 0;
}

/* Lines of a file as the csv parser splits them without quoting: ends are
 * \n, \r\n or \r; empty lines do not count; a leading UTF-8 BOM is dropped. */
static size_t csv_lines(const char *s, size_t n)
{
	size_t lines = 0, i = 0, start;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n) {
		start = i;
		while (i < n && s[i] != '\n' && s[i] != '\r')
			i++;
		if (i > start)
			lines++;
		if (i < n && s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		i++;
	}
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_input("csv", configs, NCONFIGS, data, size, csv_lines);
	return 0;
}
