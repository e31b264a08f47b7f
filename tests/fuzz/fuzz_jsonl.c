/* libFuzzer target: the jsonl parser (plugins/jsonl) on arbitrary bytes.
 * Byte 0 picks a fixed config, byte 1 a chunk size; the rest is the file.
 * Checks: no crash/UB/leak; the same result whole and chunked; lenient runs
 * never fail; stopping runs never reject; every line that is not blank is
 * exactly one record or one reject. */
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/fuzz_parse.h"

#define COL(n, t) "{\"name\":\"" n "\",\"type\":\"" t "\"}"

static const struct fuzz_config configs[] = {
	{ "{\"columns\":[" COL("a", "string") "," COL("b", "long") "]}", 0, 1 },
	{ "{\"columns\":[" COL("l", "long") "," COL("d", "double") "," COL("b", "boolean") "," COL(
	  "t", "timestamp") "," COL("j", "json") "," COL("s", "string") "]}",
	  0, 1 },
	{ "{\"default_timezone\":\"-03:00\",\"default_timestamp_format\":\"%Y-%m-%d %H:%M:%S.%N\","
	  "\"columns\":[" COL("t", "timestamp") ",{\"name\":\"u\",\"type\":\"timestamp\",\"format\":\"%s\","
	  "\"timezone\":\"+05:45\"}," COL("a\\u00e9", "string") "]}",
	  0, 1 },
	{ "{\"stop_on_invalid_record\":true,\"columns\":[" COL("j", "json") "," COL("l", "long") "]}", 1, 1 },
	{ "{\"max_line_size\":24,\"columns\":[" COL("a", "string") "," COL("d", "double") "]}", 0, 0 },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_open_plugin((*argv)[0], "jsonl");
	return 0;
}

/* Lines that are not blank (JSON whitespace only), split at \n; a UTF-8 BOM
 * opening the first line is dropped. */
static size_t jsonl_lines(const char *s, size_t n)
{
	size_t lines = 0, i = 0;
	int blank = 1, any = 0;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < n; i++) {
		if (s[i] == '\n') {
			lines += !blank;
			blank = 1;
			any = 0;
			continue;
		}
		any = 1;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			blank = 0;
	}
	if (any)
		lines += !blank;
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_input("jsonl", configs, NCONFIGS, data, size, jsonl_lines);
	return 0;
}
