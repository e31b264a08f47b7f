/* Unit tests for host/config*.c: the transfer structure, exec settings and
 * option validation against manifest option tables. */
#include "tests/unit/config-test.h"


START_TEST(test_transfer_full)
{
	char *path = data_path("full.yml");
	struct transfer_config *tc = NULL;
	struct cfg_error *err = NULL;

	ck_assert_msg(transfer_config_load(path, &full_ctx, &tc, &err) == 0, "%s", err ? err->text : "");
	ck_assert_str_eq(tc->input.kind, "input");
	ck_assert_str_eq(tc->input.type, "file");
	ck_assert_str_eq(tc->input.version, "^1.2");
	ck_assert_int_eq(tc->input.pos.line, 3);
	ck_assert_str_eq(cfg_map_get(tc->input.node, "path_prefix")->text, "/data/2026-11-21/orders-");
	ck_assert_int_eq(tc->decoder_count, 1);
	ck_assert_str_eq(tc->decoders[0].type, "gzip");
	ck_assert_ptr_null(tc->decoders[0].version);
	ck_assert_str_eq(tc->parser.type, "csv");
	ck_assert_str_eq(tc->parser.version, "1.0.0");
	ck_assert_int_eq(tc->parser.pos.line, 9);
	ck_assert_int_eq(tc->filter_count, 2);
	ck_assert_str_eq(tc->filters[1].type, "select");
	ck_assert_str_eq(tc->filters[1].version, ">=2.0.0, <3.0.0");
	ck_assert_int_eq(tc->filters[0].pos.line, 18);
	ck_assert_int_eq(tc->filters[0].pos.column, 5);
	ck_assert_str_eq(tc->output.type, "file");
	ck_assert_str_eq(cfg_map_get(tc->output.node, "path_prefix")->text, "/out/orders-20231114");
	ck_assert_str_eq(tc->formatter.type, "jsonl");
	ck_assert_int_eq(tc->encoder_count, 1);
	ck_assert_str_eq(tc->encoders[0].type, "zstd");
	ck_assert_int_eq(tc->exec.max_threads, 4);
	ck_assert_int_eq(tc->exec.page_records, 4096);
	ck_assert_int_eq(tc->exec.invalid_action, CFG_INVALID_SKIP);
	ck_assert_int_eq(tc->exec.invalid_max, 100);
	ck_assert_str_eq(tc->exec.reject_file, "/out/rejects.jsonl");
	ck_assert(tc->exec.memory_bytes == 512ULL * 1024 * 1024);
	ck_assert(tc->exec.cpus == 1.5);
	ck_assert_int_eq(tc->exec.pids, 64);
	ck_assert(tc->exec.timeout_ns == 7200ULL * 1000000000ULL);
	ck_assert_int_eq(tc->exec.allow_unenforced_limits, 1);
	transfer_config_free(tc);
	free(path);
}
END_TEST

START_TEST(test_transfer_minimal)
{
	char *path = data_path("minimal.yml");
	struct transfer_config *tc = NULL;

	ck_assert_int_eq(transfer_config_load(path, NULL, &tc, NULL), 0);
	ck_assert_str_eq(tc->input.type, "sample");
	ck_assert_ptr_null(tc->parser.type);
	ck_assert_ptr_null(tc->formatter.type);
	ck_assert_int_eq(tc->decoder_count + tc->filter_count + tc->encoder_count, 0);
	ck_assert_int_eq(tc->exec.max_threads, 0);
	ck_assert_int_eq(tc->exec.invalid_action, CFG_INVALID_STOP);
	ck_assert_int_eq(tc->exec.invalid_max, -1);
	ck_assert(tc->exec.memory_bytes == 0 && tc->exec.timeout_ns == 0 && tc->exec.cpus == 0);
	transfer_config_free(tc);
	free(path);
}
END_TEST

static void transfer_error(const char *text, const char *expected)
{
	struct cfg_doc *doc = load(text);
	struct transfer_config *tc = NULL;
	struct cfg_error *err = NULL;

	ck_assert_int_eq(transfer_config_from_doc(doc, &tc, &err), -EINVAL);
	ck_assert_ptr_null(tc);
	ck_assert_str_eq(err->text, expected);
	cfg_error_free(err);
	cfg_doc_free(doc);
}

#define IO "in: {type: a}\nout: {type: b}\n"

START_TEST(test_transfer_errors)
{
	transfer_error("out: {type: b}\n", "t.yml:1:1: missing 'in': the input section");
	transfer_error("in: {type: a}\n", "t.yml:1:1: missing 'out': the output section");
	transfer_error(IO "filter: []\n", "t.yml:3:1: unknown key 'filter' in the transfer; did you mean 'filters'?");
	transfer_error("in:\n  path: x\nout: {type: b}\n", "t.yml:1:1: missing 'type' for in");
	transfer_error("in: file\nout: {type: b}\n", "t.yml:1:5: expected a map with a 'type' key for in, got \"file\"");
	transfer_error("in: {type: CSV}\nout: {type: b}\n",
		       "t.yml:1:12: invalid plugin type \"CSV\" for in: lowercase letters, digits, '_' and '-', at most 64 characters");
	transfer_error("in: {type: a, version: [1]}\nout: {type: b}\n",
		       "t.yml:1:24: expected a version constraint such as \"^1.2\" for in, got a list");
	transfer_error(IO "filters:\n  - type: x\n  - {name: y}\n", "t.yml:5:5: missing 'type' for filter #2");
	transfer_error(IO "filters: {type: x}\n", "t.yml:3:10: expected a list for 'filters', got a map");
	transfer_error("in: {type: a, parser: csv}\nout: {type: b}\n",
		       "t.yml:1:23: expected a map with a 'type' key for parser, got \"csv\"");
}
END_TEST

START_TEST(test_exec_errors)
{
	transfer_error(IO "exec: {max_threads: 0}\n", "t.yml:3:21: 'max_threads' must be between 1 and 1024, got 0");
	transfer_error(IO "exec: {max_threads: many}\n", "t.yml:3:21: expected a long for 'max_threads', got \"many\"");
	transfer_error(IO "exec: {page_records: 2000000}\n",
		       "t.yml:3:22: 'page_records' must be between 1 and 1000000, got 2000000");
	transfer_error(IO "exec: {max_thread: 2}\n", "t.yml:3:8: unknown key 'max_thread' in exec; did you mean 'max_threads'?");
	transfer_error(IO "exec: {resources: {memroy: 1G}}\n",
		       "t.yml:3:20: unknown key 'memroy' in exec.resources; did you mean 'memory'?");
	transfer_error(IO "exec: {resources: {memory: 12XB}}\n",
		       "t.yml:3:28: invalid memory size \"12XB\": expected a whole number of bytes or a number with a unit: B, K/KiB, M/MiB, G/GiB, T/TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000), e.g. \"512MiB\"");
	transfer_error(IO "exec: {resources: {timeout: 30}}\n",
		       "t.yml:3:29: invalid timeout 30: missing unit (ns, us, ms, s, m, h, d), e.g. \"30s\"");
	transfer_error(IO "exec: {resources: {cpus: 0}}\n", "t.yml:3:26: 'cpus' must be more than 0 and at most 4096, got 0");
	transfer_error(IO "exec: {resources: {pids: [1]}}\n", "t.yml:3:26: expected a long for 'pids', got a list");
	transfer_error(IO "exec: {invalid_records: {action: skp}}\n",
		       "t.yml:3:34: invalid action \"skp\" for invalid records; did you mean 'skip'?");
	transfer_error(IO "exec: {invalid_records: {action: skip}}\n",
		       "t.yml:3:8: action: skip needs a 'reject_file' for the skipped records");
	transfer_error(IO "exec: {invalid_records: {max: 3}}\n", "t.yml:3:26: 'max' applies only with action: skip");
	transfer_error(IO "exec: {allow_unenforced_limits: maybe}\n",
		       "t.yml:3:33: expected a boolean for 'allow_unenforced_limits', got \"maybe\"");
}
END_TEST

START_TEST(test_exec_values)
{
	struct cfg_doc *doc = load(IO "exec:\n  max_threads: '8'\n  resources: {memory: 1000, timeout: 1h30m, cpus: 2}\n");
	struct transfer_config *tc = NULL;

	ck_assert_int_eq(transfer_config_from_doc(doc, &tc, NULL), 0);
	ck_assert_int_eq(tc->exec.max_threads, 8);
	ck_assert(tc->exec.memory_bytes == 1000);
	ck_assert(tc->exec.timeout_ns == 5400ULL * 1000000000ULL);
	ck_assert(tc->exec.cpus == 2.0);
	transfer_config_free(tc);
}
END_TEST

/* ---- validation ------------------------------------------------------------- */

static struct manifest_option csv_options[] = {
	{"delimiter", "string", ",", 0, "field separator"},
	{"header_line", "boolean", "true", 0, NULL},
	{"skip_header_lines", "long", "0", 0, NULL},
	{"ratio", "double", "0.5", 0, NULL},
	{"columns", "columns", NULL, 1, NULL},
	{"tags", "string_list", NULL, 0, NULL},
	{"extra", "map", "{}", 0, NULL},
	{"items", "list", "[a, 1]", 0, NULL},
	{"misc", "any", NULL, 0, NULL},
	{"null_string", "string", "true", 0, NULL},
	{"fields", "string_list", "a", 0, NULL},
};
static const struct manifest_component csv_parser = {
	"parser", "csv", "CSV", csv_options, sizeof(csv_options) / sizeof(csv_options[0]),
};

/* Validates the parser section of `in: {type: file, parser: ...}`. */
static int validate_parser(const char *parser_yaml, json_t **out, struct cfg_error **err)
{
	char *text;
	struct cfg_doc *doc;
	struct transfer_config *tc = NULL;
	int r;

	ck_assert_int_ge(asprintf(&text, "in:\n  type: file\n  parser:\n%sout: {type: b}\n", parser_yaml), 0);
	doc = load(text);
	free(text);
	ck_assert_int_eq(transfer_config_from_doc(doc, &tc, NULL), 0);
	r = cfg_validate_section(&tc->parser, &csv_parser, out, err);
	transfer_config_free(tc);
	return r;
}

static void validate_error(const char *parser_yaml, const char *expected)
{
	struct cfg_error *err = NULL;
	json_t *out = NULL;

	ck_assert_int_eq(validate_parser(parser_yaml, &out, &err), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(err->text, expected);
	cfg_error_free(err);
}

#define COLS "    columns: [{name: id, type: long}]\n"

START_TEST(test_validate_ok)
{
	json_t *out = NULL, *expected;
	struct cfg_error *err = NULL;

	ck_assert_msg(validate_parser("    type: csv\n    version: ^1\n" COLS
				      "    skip_header_lines: \"2\"\n    tags: one\n    header_line: null\n"
				      "    misc: {a: [1, x]}\n",
				      &out, &err) == 0,
		      "%s", err ? err->text : "");
	expected = json_pack("{s:[{s:s,s:s}],s:i,s:[s],s:{s:[i,s]},s:s,s:b,s:f,s:{},s:[s,i],s:s,s:[s]}",
			     "columns", "name", "id", "type", "long", "skip_header_lines", 2, "tags",
			     "one", "misc", "a", 1, "x", "delimiter", ",", "header_line", 1, "ratio", 0.5,
			     "extra", "items", "a", 1, "null_string", "true", "fields", "a");
	ck_assert_msg(json_equal(out, expected), "got %s", json_dumps(out, JSON_SORT_KEYS));
	ck_assert_ptr_null(json_object_get(out, "type"));
	ck_assert_ptr_null(json_object_get(out, "version"));
	json_decref(out);
	json_decref(expected);
}
END_TEST

START_TEST(test_validate_columns)
{
	json_t *out = NULL, *col;

	ck_assert_int_eq(validate_parser("    type: csv\n    columns:\n"
					 "      - {name: t, type: timestamp, format: '%Y', timezone: UTC, note: [1]}\n",
					 &out, NULL),
			 0);
	col = json_array_get(json_object_get(out, "columns"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(col, "format")), "%Y");
	ck_assert_str_eq(json_string_value(json_object_get(col, "timezone")), "UTC");
	ck_assert_int_eq(json_array_size(json_object_get(col, "note")), 1);
	json_decref(out);

	validate_error("    type: csv\n    columns: [{type: long}]\n",
		       "t.yml:5:15: option 'columns' of parser 'csv', column #1: missing 'name'");
	validate_error("    type: csv\n    columns: [{name: a, type: lnog}]\n",
		       "t.yml:5:31: option 'columns' of parser 'csv', column 'a': unknown column type 'lnog'; did you mean 'long'?");
	validate_error("    type: csv\n    columns:\n      - {name: a, type: long}\n      - {name: a, type: json}\n",
		       "t.yml:7:16: option 'columns' of parser 'csv', column 'a': duplicate column name (first at line 6)");
	validate_error("    type: csv\n    columns: {name: a}\n",
		       "t.yml:5:14: option 'columns' of parser 'csv': expected a list of columns, got a map (e.g. [{name: id, type: long}])");
	validate_error("    type: csv\n    columns: [a]\n",
		       "t.yml:5:15: option 'columns' of parser 'csv', column #1: expected a map with name and type, got \"a\"");
}
END_TEST

START_TEST(test_validate_errors)
{
	validate_error("    type: csv\n" COLS "    delimeter: ';'\n",
		       "t.yml:6:5: unknown option 'delimeter' for parser 'csv'; did you mean 'delimiter'?");
	validate_error("    type: csv\n" COLS "    zzz: 1\n",
		       "t.yml:6:5: unknown option 'zzz' for parser 'csv' (expected one of: delimiter, header_line, "
		       "skip_header_lines, ratio, columns, tags, extra, items, misc, null_string, fields)");
	validate_error("    type: csv\n", "t.yml:3:3: missing required option 'columns' for parser 'csv'");
	validate_error("    type: csv\n    columns:\n",
		       "t.yml:5:13: option 'columns' of parser 'csv' is required, not null");
	validate_error("    type: csv\n" COLS "    skip_header_lines: abc\n",
		       "t.yml:6:24: option 'skip_header_lines' of parser 'csv': expected a long, got \"abc\"");
	validate_error("    type: csv\n" COLS "    skip_header_lines: 1.5\n",
		       "t.yml:6:24: option 'skip_header_lines' of parser 'csv': expected a long, got 1.5");
	validate_error("    type: csv\n" COLS "    skip_header_lines: 99999999999999999999\n",
		       "t.yml:6:24: option 'skip_header_lines' of parser 'csv': expected a long, got 99999999999999999999 (out of range)");
	validate_error("    type: csv\n" COLS "    header_line: 1\n",
		       "t.yml:6:18: option 'header_line' of parser 'csv': expected a boolean, got 1 (true or false)");
	validate_error("    type: csv\n" COLS "    ratio: [1]\n",
		       "t.yml:6:12: option 'ratio' of parser 'csv': expected a double, got a list");
	validate_error("    type: csv\n" COLS "    ratio: .inf\n",
		       "t.yml:6:12: option 'ratio' of parser 'csv': expected a finite double, got .inf");
	validate_error("    type: csv\n" COLS "    delimiter: {a: 1}\n",
		       "t.yml:6:16: option 'delimiter' of parser 'csv': expected a string, got a map");
	validate_error("    type: csv\n" COLS "    tags: [a, [b]]\n",
		       "t.yml:6:15: option 'tags' of parser 'csv': expected a string in the list, got a list");
	validate_error("    type: csv\n" COLS "    tags: {a: b}\n",
		       "t.yml:6:11: option 'tags' of parser 'csv': expected a list of strings or a string, got a map");
	validate_error("    type: csv\n" COLS "    extra: [1]\n",
		       "t.yml:6:12: option 'extra' of parser 'csv': expected a map, got a list");
	validate_error("    type: csv\n" COLS "    items: x\n",
		       "t.yml:6:12: option 'items' of parser 'csv': expected a list, got \"x\"");
}
END_TEST

START_TEST(test_validate_env_value_hidden)
{
	struct cfg_doc *doc;
	struct transfer_config *tc = NULL;
	struct cfg_error *err = NULL;
	json_t *out = NULL;

	setenv("BH_TEST_SECRET", "hunter2", 1);
	doc = load("in:\n  type: file\n  parser:\n    type: csv\n" COLS "    header_line: ${env.BH_TEST_SECRET}\nout: {type: b}\n");
	ck_assert_int_eq(cfg_expand(doc, &test_ctx, NULL), 0);
	ck_assert_int_eq(transfer_config_from_doc(doc, &tc, NULL), 0);
	ck_assert_int_eq(cfg_validate_section(&tc->parser, &csv_parser, &out, &err), -EINVAL);
	ck_assert_str_eq(err->text,
			 "t.yml:6:18: option 'header_line' of parser 'csv': expected a boolean, got a value from the environment (true or false)");
	ck_assert_ptr_null(strstr(err->text, "hunter2"));
	cfg_error_free(err);
	transfer_config_free(tc);
}
END_TEST

START_TEST(test_validate_input_reserved_and_bad_default)
{
	struct manifest_option file_opts[] = {{"path_prefix", "string", NULL, 1, NULL},
					      {"limit", "long", "ten", 0, NULL}};
	struct manifest_component file_input = {"input", "file", NULL, file_opts, 1};
	struct cfg_doc *doc = load("in:\n  type: file\n  version: '1'\n  path_prefix: /x\n  decoders: [{type: gzip}]\n"
				   "  parser: {type: csv}\nout: {type: b}\n");
	struct transfer_config *tc = NULL;
	struct cfg_error *err = NULL;
	json_t *out = NULL;

	ck_assert_int_eq(transfer_config_from_doc(doc, &tc, NULL), 0);
	ck_assert_int_eq(cfg_validate_section(&tc->input, &file_input, &out, &err), 0);
	ck_assert_int_eq(json_object_size(out), 1);
	ck_assert_str_eq(json_string_value(json_object_get(out, "path_prefix")), "/x");
	json_decref(out);
	/* A default that does not read as its type is the plugin's bug. */
	file_input.option_count = 2;
	ck_assert_int_eq(cfg_validate_section(&tc->input, &file_input, &out, &err), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err->text, "invalid default 'ten' in the plugin manifest"));
	cfg_error_free(err);
	/* A component without options rejects every key. */
	file_input.option_count = 0;
	ck_assert_int_eq(cfg_validate_section(&tc->input, &file_input, &out, &err), -EINVAL);
	ck_assert_str_eq(err->text, "t.yml:4:3: unknown option 'path_prefix' for input 'file' (it has no options)");
	cfg_error_free(err);
	transfer_config_free(tc);
}
END_TEST

static Suite *transfer_suite(void)
{
	Suite *s = suite_create("config-transfer");
	TCase *tc;

	tc = tcase_create("transfer");
	tcase_add_test(tc, test_transfer_full);
	tcase_add_test(tc, test_transfer_minimal);
	tcase_add_test(tc, test_transfer_errors);
	tcase_add_test(tc, test_exec_errors);
	tcase_add_test(tc, test_exec_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("validate");
	tcase_add_test(tc, test_validate_ok);
	tcase_add_test(tc, test_validate_columns);
	tcase_add_test(tc, test_validate_errors);
	tcase_add_test(tc, test_validate_env_value_hidden);
	tcase_add_test(tc, test_validate_input_reserved_and_bad_default);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(transfer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
