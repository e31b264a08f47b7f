/* Unit tests for host/config*.c: YAML positions and limits, variables,
 * sizes and durations, YAML output round trips, robustness.  The transfer
 * structure, exec and validation are in test-config-transfer.c. */
#include "tests/unit/config-test.h"

/* ---- YAML tree ------------------------------------------------------------ */

START_TEST(test_positions)
{
	struct cfg_doc *doc = load("in:\n  type: file\n  list: [a, 'b']\nout: {type: x}\n");
	const struct cfg_entry *in = cfg_map_entry(doc->root, "in");
	const struct cfg_entry *type = cfg_map_entry(in->value, "type");
	const struct cfg_node *list = cfg_map_get(in->value, "list");
	const struct cfg_entry *out = cfg_map_entry(doc->root, "out");

	ck_assert_int_eq(doc->root->kind, CFG_MAP);
	ck_assert_int_eq(doc->root->count, 2);
	ck_assert_str_eq(doc->root->entries[0].key, "in");
	ck_assert_str_eq(doc->root->entries[1].key, "out");
	ck_assert_int_eq(in->key_pos.line, 1);
	ck_assert_int_eq(in->key_pos.column, 1);
	ck_assert_int_eq(type->key_pos.line, 2);
	ck_assert_int_eq(type->key_pos.column, 3);
	ck_assert_int_eq(type->value->pos.line, 2);
	ck_assert_int_eq(type->value->pos.column, 9);
	ck_assert_str_eq(type->value->text, "file");
	ck_assert_str_eq(type->value->pos.file, "t.yml");
	ck_assert_int_eq(list->kind, CFG_LIST);
	ck_assert_int_eq(list->count, 2);
	ck_assert_int_eq(list->items[1]->pos.column, 13);
	ck_assert_int_eq(list->items[0]->quoted, 0);
	ck_assert_int_eq(list->items[1]->quoted, 1);
	ck_assert_int_eq(out->key_pos.line, 4);
	ck_assert_int_eq(out->value->kind, CFG_MAP);
	ck_assert_ptr_null(cfg_map_get(doc->root, "nope"));
	cfg_doc_free(doc);
}
END_TEST

START_TEST(test_scalar_types)
{
	static const struct {
		const char *yaml;
		enum cfg_scalar_type type;
	} cases[] = {
		{"v:", CFG_NULL},        {"v: ~", CFG_NULL},       {"v: null", CFG_NULL},
		{"v: NULL", CFG_NULL},   {"v: true", CFG_BOOL},    {"v: No", CFG_BOOL},
		{"v: 42", CFG_INT},      {"v: -7", CFG_INT},       {"v: 0x1F", CFG_INT},
		{"v: 0o17", CFG_INT},    {"v: 1.5", CFG_FLOAT},    {"v: -2e3", CFG_FLOAT},
		{"v: .inf", CFG_FLOAT},  {"v: .nan", CFG_FLOAT},   {"v: '42'", CFG_STRING},
		{"v: \"true\"", CFG_STRING}, {"v: !!str 42", CFG_STRING}, {"v: |\n  42\n", CFG_STRING},
		{"v: 1.2.3", CFG_STRING}, {"v: nulls", CFG_STRING}, {"v: 12abc", CFG_STRING},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cfg_doc *doc = load(cases[i].yaml);
		struct cfg_scalar s;
		ck_assert_int_eq(cfg_scalar_resolve(cfg_map_get(doc->root, "v"), &s), 0);
		ck_assert_msg(s.type == cases[i].type, "%s: got type %d", cases[i].yaml, s.type);
		cfg_doc_free(doc);
	}
	{
		struct cfg_scalar s;
		cfg_resolve_plain("0x1F", 4, &s);
		ck_assert_int_eq(s.i, 31);
		cfg_resolve_plain("-9223372036854775808", 20, &s);
		ck_assert_int_eq(s.overflow, 0);
		ck_assert(s.i == INT64_MIN);
		cfg_resolve_plain("9223372036854775808", 19, &s);
		ck_assert_int_eq(s.type, CFG_INT);
		ck_assert_int_eq(s.overflow, 1);
		cfg_resolve_plain("yes", 3, &s);
		ck_assert_int_eq(s.boolean, 1);
	}
}
END_TEST

START_TEST(test_duplicate_key)
{
	char *path = data_path("duplicate-key.yml");
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;
	char *expected;

	ck_assert_int_eq(cfg_load_file(path, &doc, &err), -EINVAL);
	ck_assert_int_ge(asprintf(&expected, "%s:4:3: duplicate key 'path_prefix' (first at line 3, column 3)", path), 0);
	ck_assert_str_eq(err->text, expected);
	ck_assert_int_eq(err->line, 4);
	ck_assert_int_eq(err->column, 3);
	ck_assert_str_eq(err->message, "duplicate key 'path_prefix' (first at line 3, column 3)");
	cfg_error_free(err);
	free(expected);
	free(path);
	/* Quoting does not make another key. */
	ck_assert_error("a: 1\n'a': 2\n", -EINVAL, "t.yml:2:1: duplicate key 'a' (first at line 1, column 1)");
}
END_TEST

START_TEST(test_document_shape)
{
	ck_assert_error("", -EINVAL, "t.yml:1:1: the config is empty: expected a mapping");
	ck_assert_error("# only a comment\n", -EINVAL, "t.yml:1:1: the config is empty: expected a mapping");
	ck_assert_error("- a\n- b\n", -EINVAL,
			"t.yml:1:1: the config must be a mapping of keys to values, not a list");
	ck_assert_error("hello\n", -EINVAL,
			"t.yml:1:1: the config must be a mapping of keys to values, not a scalar");
	ck_assert_error("a: 1\n---\nb: 2\n", -EINVAL,
			"t.yml:2:1: a config holds one YAML document; a second one starts here");
	ck_assert_error("a: !custom 1\n", -EINVAL, "t.yml:1:4: unsupported tag '!custom'");
	ck_assert_error("? [a, b]\n: 1\n", -EINVAL, "t.yml:1:3: a key must be a scalar");
	ck_assert_error("a: b: c\n", -EINVAL,
			"t.yml:1:5: invalid YAML: mapping values are not allowed in this context");
	ck_assert_error("a: \"open\n", -EINVAL,
			"t.yml:2:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)");
}
END_TEST

START_TEST(test_aliases)
{
	struct cfg_doc *doc = load("base: &b {x: 1, y: [2, 3]}\ncopy: *b\ns: &s hi\nt: *s\n");
	const struct cfg_node *copy = cfg_map_get(doc->root, "copy");
	json_t *j;

	ck_assert_int_eq(copy->kind, CFG_MAP);
	ck_assert_int_eq(cfg_node_to_json(copy, &j, NULL), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "x")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(j, "y")), 2);
	json_decref(j);
	ck_assert_str_eq(cfg_map_get(doc->root, "t")->text, "hi");
	cfg_doc_free(doc);

	ck_assert_error("a: *nope\n", -EINVAL, "t.yml:1:4: alias '*nope' refers to no anchor defined before it");
	/* An alias inside its own anchor is undefined, not a loop. */
	ck_assert_error("a: &x [1, *x]\n", -EINVAL, "t.yml:1:11: alias '*x' refers to no anchor defined before it");
	ck_assert_error("&k a: 1\n", -EINVAL, "t.yml:1:1: anchors on keys are not supported");
}
END_TEST

START_TEST(test_alias_limit)
{
	char *text = malloc(16 + 5 * (CFG_MAX_ALIASES + 1));
	char *p = text + sprintf(text, "a: &a 1\nb: [");
	int i;
	char expected[128];

	for (i = 0; i <= CFG_MAX_ALIASES; i++)
		p += sprintf(p, "*a,");
	strcpy(p, "]\n");
	snprintf(expected, sizeof(expected),
		 "t.yml:2:%d: too many aliases: a config holds at most %d (CFG_MAX_ALIASES)",
		 5 + 3 * CFG_MAX_ALIASES, CFG_MAX_ALIASES);
	ck_assert_error(text, -E2BIG, expected);
	free(text);
}
END_TEST

START_TEST(test_billion_laughs)
{
	char *path = data_path("billion-laughs.yml");
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;

	ck_assert_int_eq(cfg_load_file(path, &doc, &err), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err->message, "(CFG_MAX_NODES)"));
	ck_assert_int_eq(err->line, 7); /* f:, the first level past the budget */
	cfg_error_free(err);
	free(path);
}
END_TEST

START_TEST(test_depth_limit)
{
	char text[4 * CFG_MAX_DEPTH + 16];
	char expected[128];
	int i, n = 0;

	/* The root map is level 1: CFG_MAX_DEPTH - 1 lists still fit. */
	n += sprintf(text + n, "a: ");
	for (i = 0; i < CFG_MAX_DEPTH - 1; i++)
		n += sprintf(text + n, "[");
	for (i = 0; i < CFG_MAX_DEPTH - 1; i++)
		n += sprintf(text + n, "]");
	sprintf(text + n, "\n");
	cfg_doc_free(load(text));

	n = sprintf(text, "a: ");
	for (i = 0; i < CFG_MAX_DEPTH; i++)
		n += sprintf(text + n, "[");
	for (i = 0; i < CFG_MAX_DEPTH; i++)
		n += sprintf(text + n, "]");
	snprintf(expected, sizeof(expected),
		 "t.yml:1:%d: nesting deeper than %d levels (CFG_MAX_DEPTH)", 4 + CFG_MAX_DEPTH - 1,
		 CFG_MAX_DEPTH);
	ck_assert_error(text, -E2BIG, expected);
}
END_TEST

START_TEST(test_node_and_size_limits)
{
	size_t cap = 16 + 2 * (size_t)CFG_MAX_NODES;
	char *text = malloc(cap), *p;
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;
	int i;

	p = text + sprintf(text, "a: [");
	for (i = 0; i < CFG_MAX_NODES; i++) /* + root + key... one too many */
		p += sprintf(p, "1,");
	strcpy(p, "]\n");
	ck_assert_int_eq(cfg_load_string("t.yml", text, strlen(text), &doc, &err), -E2BIG);
	ck_assert_str_eq(err->message, "too many nodes: a config holds at most 100000 (CFG_MAX_NODES)");
	cfg_error_free(err);
	free(text);

	text = calloc(1, CFG_MAX_FILE_BYTES + 2);
	memset(text, '#', CFG_MAX_FILE_BYTES + 1);
	ck_assert_error(text, -EFBIG, "t.yml: file is larger than 1048576 bytes (CFG_MAX_FILE_BYTES)");
	{
		char path[] = "/tmp/test-config-XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");
		fwrite(text, 1, CFG_MAX_FILE_BYTES + 1, f);
		fclose(f);
		ck_assert_int_eq(cfg_load_file(path, &doc, &err), -EFBIG);
		ck_assert_str_eq(err->message, "file is larger than 1048576 bytes (CFG_MAX_FILE_BYTES)");
		cfg_error_free(err);
		unlink(path);
	}
	free(text);
	ck_assert_int_eq(cfg_load_file("/nonexistent/x.yml", &doc, &err), -ENOENT);
	ck_assert_str_eq(err->text, "/nonexistent/x.yml: cannot open: No such file or directory");
	cfg_error_free(err);
}
END_TEST

START_TEST(test_to_json)
{
	struct cfg_doc *doc = load("a: [1, 2.5, true, null, x, '7', 99999999999999999999, .inf]\nb: {c: d}\n");
	json_t *j, *expected;

	ck_assert_int_eq(cfg_node_to_json(doc->root, &j, NULL), 0);
	expected = json_pack("{s:[i,f,b,n,s,s,s,s],s:{s:s}}", "a", 1, 2.5, 1, "x", "7",
			     "99999999999999999999", ".inf", "b", "c", "d");
	ck_assert(json_equal(j, expected));
	json_decref(j);
	json_decref(expected);
	cfg_doc_free(doc);
}
END_TEST

START_TEST(test_did_you_mean)
{
	const char *const names[] = {"delimiter", "quote", "escape", "columns", "header_line"};

	ck_assert_str_eq(cfg_did_you_mean("delimeter", names, 5), "delimiter");
	ck_assert_str_eq(cfg_did_you_mean("qoute", names, 5), "quote");   /* transposition */
	ck_assert_str_eq(cfg_did_you_mean("Columns", names, 5), "columns"); /* case */
	ck_assert_str_eq(cfg_did_you_mean("COLUMSN", names, 5), "columns"); /* both */
	ck_assert_str_eq(cfg_did_you_mean("headerline", names, 5), "header_line");
	ck_assert_ptr_null(cfg_did_you_mean("zzz", names, 5));
	ck_assert_ptr_null(cfg_did_you_mean("x", names, 5));
	ck_assert_ptr_null(cfg_did_you_mean("delimiter", names, 0));
}
END_TEST

/* ---- variables ------------------------------------------------------------ */

START_TEST(test_vars_expand)
{
	struct cfg_doc *doc;
	struct cfg_scalar s;

	setenv("BH_TEST_SECRET", "hunter2", 1);
	doc = expand("a: /data/${day}/x\n"
		     "b: ${n}\n"
		     "c: '${n}'\n"
		     "d: ${time:%Y-%m-%d %H:%M}\n"
		     "e: cost $$5 and $ alone\n"
		     "f: ${env.BH_TEST_SECRET}\n"
		     "g: ${date}\n"
		     "h: ${raw}\n"
		     "${n}: key\n"
		     "l:\n  - ${day}\n  - x${n}y\n");
	ck_assert_str_eq(cfg_map_get(doc->root, "a")->text, "/data/2026-11-21/x");
	/* Plain scalars type-resolve after expansion; quoted ones stay strings. */
	ck_assert_int_eq(cfg_scalar_resolve(cfg_map_get(doc->root, "b"), &s), 0);
	ck_assert_int_eq(s.type, CFG_INT);
	ck_assert_int_eq(s.i, 42);
	ck_assert_int_eq(cfg_scalar_resolve(cfg_map_get(doc->root, "c"), &s), 0);
	ck_assert_int_eq(s.type, CFG_STRING);
	ck_assert_str_eq(cfg_map_get(doc->root, "d")->text, "2023-11-14 22:13");
	ck_assert_str_eq(cfg_map_get(doc->root, "e")->text, "cost $5 and $ alone");
	ck_assert_str_eq(cfg_map_get(doc->root, "f")->text, "hunter2");
	ck_assert_int_eq(cfg_map_get(doc->root, "f")->from_env, 1);
	ck_assert_str_eq(cfg_map_get(doc->root, "g")->text, "second"); /* later --var wins */
	ck_assert_str_eq(cfg_map_get(doc->root, "h")->text, "${n}$$"); /* never re-expanded */
	ck_assert_ptr_nonnull(cfg_map_get(doc->root, "${n}"));          /* keys are not expanded */
	ck_assert_str_eq(cfg_map_get(doc->root, "l")->items[1]->text, "x42y");
	cfg_doc_free(doc);
}
END_TEST

START_TEST(test_vars_source_kept)
{
	struct cfg_doc *doc;
	json_t *expanded = NULL, *source = NULL;

	setenv("BH_TEST_SECRET", "hunter2", 1);
	doc = expand("path: /out/${time:%Y}/x\npw: ${env.BH_TEST_SECRET}\nn: ${n}\nplain: 7\n");
	ck_assert_int_eq(cfg_node_to_json(doc->root, &expanded, NULL), 0);
	ck_assert_int_eq(cfg_node_to_json_source(doc->root, &source, NULL), 0);
	ck_assert_str_eq(json_string_value(json_object_get(expanded, "path")), "/out/2023/x");
	ck_assert_int_eq(json_integer_value(json_object_get(expanded, "n")), 42);
	/* Written-back configs keep the variables, not their values. */
	ck_assert_str_eq(json_string_value(json_object_get(source, "path")), "/out/${time:%Y}/x");
	ck_assert_str_eq(json_string_value(json_object_get(source, "pw")), "${env.BH_TEST_SECRET}");
	ck_assert_str_eq(json_string_value(json_object_get(source, "n")), "${n}");
	ck_assert_int_eq(json_integer_value(json_object_get(source, "plain")), 7);
	json_decref(expanded);
	json_decref(source);
	cfg_doc_free(doc);
}
END_TEST

START_TEST(test_vars_errors)
{
	struct cfg_error *err = NULL;
	char *bad1[] = {"novalue"}, *bad2[] = {"9x=1"};

	unsetenv("BH_TEST_UNSET_VAR");
	expand_error("a: x ${dte} y\n", "t.yml:1:6: undefined variable 'dte'; did you mean 'date'?");
	expand_error("a: 'q ${zzz}'\n", "t.yml:1:7: undefined variable 'zzz' (define it with --var zzz=VALUE)");
	expand_error("a:\n  - \"${day\"\n", "t.yml:2:6: unterminated '${': missing '}' (write $$ for a literal $)");
	/* A multi-line scalar cannot map columns: the scalar's own position. */
	expand_error("a: >\n  one\n  ${nope}\n", "t.yml:1:4: undefined variable 'nope' (define it with --var nope=VALUE)");
	expand_error("a: ${env.BH_TEST_UNSET_VAR}\n",
		     "t.yml:1:4: undefined environment variable 'BH_TEST_UNSET_VAR' (it is not set in the environment)");
	expand_error("a: ${a b}\n",
		     "t.yml:1:4: invalid variable name 'a b' (use ${name}, ${env.NAME} or ${time:FORMAT})");
	expand_error("a: ${time:}\n", "t.yml:1:4: empty time format in '${time:}'");

	ck_assert_int_eq(cfg_vars_check(bad1, 1, &err), -EINVAL);
	ck_assert_str_eq(err->text, "--var 'novalue': expected name=value");
	cfg_error_free(err);
	ck_assert_int_eq(cfg_vars_check(bad2, 1, &err), -EINVAL);
	ck_assert_str_eq(err->text, "--var '9x': a name is letters, digits and '_', not starting with a digit");
	cfg_error_free(err);
	ck_assert_int_eq(cfg_vars_check(test_vars, 5, NULL), 0);
}
END_TEST

/* ---- sizes and durations -------------------------------------------------------- */

START_TEST(test_sizes)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} ok[] = {
		{"0", 0}, {"4096", 4096}, {"512MiB", 512ULL << 20}, {"1G", 1ULL << 30}, {"1Gi", 1ULL << 30},
		{"1.5 GiB", 3ULL << 29}, {"10kB", 10000}, {"10KB", 10000}, {"2k", 2048}, {"3B", 3},
		{"1TB", 1000000000000ULL}, {"1.5", 1},
	};
	static const char *const bad[] = {"", "MiB", "12XB", "-1G", "1 G B", "1e3", "0x10", " 1G"};
	const char *why;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(cfg_parse_size(ok[i].text, &v, &why) == 0, "%s", ok[i].text);
		ck_assert_msg(v == ok[i].bytes, "%s -> %llu", ok[i].text, (unsigned long long)v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(cfg_parse_size(bad[i], &v, &why) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	ck_assert_int_eq(cfg_parse_size("20000000PiB", &v, &why), -ERANGE);
	ck_assert_str_eq(why, "size too large");
	ck_assert_int_eq(cfg_parse_size("99999999999999999999999", &v, &why), -ERANGE);
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} ok[] = {
		{"0", 0}, {"2h", 7200000000000ULL}, {"30m", 1800000000000ULL}, {"45s", 45000000000ULL},
		{"1500ms", 1500000000ULL}, {"1h30m", 5400000000000ULL}, {"1.5h", 5400000000000ULL},
		{"250us", 250000}, {"10ns", 10}, {"1d", 86400000000000ULL}, {"1m 30s", 90000000000ULL},
		{"0.001s", 1000000},
	};
	static const char *const bad[] = {"", "30", "h", "5 parsecs", "1x", "-5s", "1h30", "s5"};
	const char *why;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(cfg_parse_duration(ok[i].text, &v, &why) == 0, "%s", ok[i].text);
		ck_assert_msg(v == ok[i].ns, "%s -> %llu", ok[i].text, (unsigned long long)v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(cfg_parse_duration(bad[i], &v, &why) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	ck_assert_int_eq(cfg_parse_duration("30", &v, &why), -EINVAL);
	ck_assert_str_eq(why, "missing unit (ns, us, ms, s, m, h, d), e.g. \"30s\"");
	ck_assert_int_eq(cfg_parse_duration("300000d", &v, &why), -ERANGE);
	ck_assert_str_eq(why, "duration too long");
}
END_TEST

/* ---- YAML output ------------------------------------------------------------------- */

static char *emit(const json_t *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(cfg_emit_yaml(j, f), 0);
	fclose(f);
	return buf;
}

static void round_trip(const json_t *j)
{
	char *text = emit(j);
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;
	json_t *back = NULL;

	ck_assert_msg(cfg_load_string("emit.yml", text, strlen(text), &doc, &err) == 0, "%s\n%s",
		      err ? err->text : "", text);
	ck_assert_int_eq(cfg_node_to_json(doc->root, &back, NULL), 0);
	ck_assert_msg(json_equal(j, back), "round trip changed:\n%s\nback: %s", text,
		      json_dumps(back, JSON_ENCODE_ANY));
	json_decref(back);
	cfg_doc_free(doc);
	free(text);
}

START_TEST(test_emit_readable)
{
	json_t *j = json_pack("{s:s,s:s,s:{s:s,s:s,s:i},s:[{s:s,s:s},{s:s}],s:[],s:b}", "type", "csv",
			      "delimiter", ",", "options", "quote", "\"", "null_string", "null", "skip", 1,
			      "columns", "name", "id", "type", "long", "name", "t", "tags", "ok", 1);
	char *text = emit(j);

	ck_assert_str_eq(text,
			 "type: csv\n"
			 "delimiter: \",\"\n"
			 "options:\n"
			 "  quote: \"\\\"\"\n"
			 "  null_string: \"null\"\n"
			 "  skip: 1\n"
			 "columns:\n"
			 "  - name: id\n"
			 "    type: long\n"
			 "  - name: t\n"
			 "tags: []\n"
			 "ok: true\n");
	free(text);
	round_trip(j);
	json_decref(j);
}
END_TEST

START_TEST(test_emit_round_trip)
{
	static const char *const strings[] = {
		"", " lead", "trail ", "true", "no", "Yes", "~", "null", "42", "-7", "0x1F", "1e3", "1.5",
		".inf", ".nan", "a: b", "a:b", "x #c", "x#c", "#c", "- x", "-x", "---", "...", "key:",
		"[a]", "{a}", "a, b", "*a", "&a", "!t", "|", ">", "'q'", "\"q\"", "%p", "@a", "`b",
		"multi\nline\n", "tab\tin", "cr\r", "caf\xc3\xa9", "ls\xe2\x80\xa8ps\xe2\x80\xa9",
		"nel\xc2\x85", "bom\xef\xbb\xbf", "bell\x07", "back\\slash", "del\x7f", "?x", ":x",
		"plain words here", "/path/to/file-${x}.csv", "%Y-%m-%d",
		"a\nb", "a\n\nb\n", "x\n\n\n", "SELECT *\n  FROM t # c\n WHERE a: 1\n", "  lead\nx",
		"\nstart", "trail  \nspaces  \n", "- a\n- b", "a\n   \nb", "tab\tline\nx", "---\n...\n",
	};
	json_t *obj = json_object(), *arr = json_array(), *deep = json_array(), *v;
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%zu", i);
		json_object_set_new(obj, key, json_string(strings[i]));
		json_object_set_new(obj, strings[i][0] ? strings[i] : "empty?", json_integer((json_int_t)i));
		json_array_append_new(arr, json_string(strings[i]));
	}
	json_object_set_new(obj, "nul", json_stringn("a\0b", 3));
	json_object_set_new(obj, "reals", json_pack("[f,f,f,f,f,f]", 0.1, 1.0, -2.5e-300, 1e300, 3.0e20, -0.0));
	json_object_set_new(obj, "ints", json_pack("[I,I,i]", (json_int_t)INT64_MIN, (json_int_t)INT64_MAX, 0));
	json_object_set_new(obj, "misc", json_pack("[n,b,b,{},[]]", 1, 0));
	json_array_append_new(deep, json_pack("[[s,[i]],{s:{s:[]}}]", "a", 1, "b", "c"));
	json_object_set_new(obj, "deep", deep);
	json_object_set_new(obj, "arr", arr);
	round_trip(obj);
	json_decref(obj);

	v = json_object();
	round_trip(v); /* {} */
	json_decref(v);
	v = json_string("x");
	ck_assert_int_eq(cfg_emit_yaml(v, stdout), -EINVAL);
	json_decref(v);
}
END_TEST

START_TEST(test_emit_literal_blocks)
{
	json_t *j = json_pack("{s:s,s:[{s:s}],s:s,s:s}", "query", "SELECT id\n  FROM t\n", "list", "sql",
			      "a\nb", "keep", "x\n\n", "quoted", " x\ny");
	char *text = emit(j);

	ck_assert_str_eq(text,
			 "query: |\n"
			 "  SELECT id\n"
			 "    FROM t\n"
			 "list:\n"
			 "  - sql: |-\n"
			 "      a\n"
			 "      b\n"
			 "keep: |+\n"
			 "  x\n"
			 "\n"
			 "quoted: \" x\\ny\"\n");
	free(text);
	round_trip(j);
	json_decref(j);
}
END_TEST

/* ---- robustness ---------------------------------------------------------------------- */

/* Mutated copies of a valid transfer must load or fail cleanly (run under
 * ASan/valgrind to catch memory errors); the seed keeps failures repeatable. */
START_TEST(test_mutations)
{
	static const char pieces[] = "{}[],:&*!|>'\"#-?$%@` \n\t~0x.e";
	char *path = data_path("full.yml");
	FILE *f = fopen(path, "r");
	char base[4096], buf[4200];
	size_t n, len, k;
	unsigned seed = 12345;
	int i;

	ck_assert_ptr_nonnull(f);
	n = fread(base, 1, sizeof(base) - 1, f);
	fclose(f);
	for (i = 0; i < 3000; i++) {
		struct cfg_doc *doc = NULL;
		struct cfg_error *err = NULL;
		struct transfer_config *tc = NULL;
		memcpy(buf, base, n);
		len = n;
		for (k = 0; k < 1 + (size_t)(rand_r(&seed) % 4); k++) {
			size_t at = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0: buf[at] = pieces[rand_r(&seed) % (sizeof(pieces) - 1)]; break;
			case 1: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
			default:
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = pieces[rand_r(&seed) % (sizeof(pieces) - 1)];
				len++;
			}
		}
		if (cfg_load_string("m.yml", buf, len, &doc, &err) < 0) {
			ck_assert_ptr_nonnull(err);
			ck_assert_ptr_nonnull(err->text);
			cfg_error_free(err);
			continue;
		}
		if (cfg_expand(doc, &full_ctx, &err) == 0 && transfer_config_from_doc(doc, &tc, &err) == 0) {
			json_t *j = NULL;
			ck_assert_int_eq(cfg_node_to_json_source(doc->root, &j, NULL), 0);
			json_decref(j);
			transfer_config_free(tc);
			continue;
		}
		ck_assert_ptr_nonnull(err);
		cfg_error_free(err);
		cfg_doc_free(doc);
	}
	free(path);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("yaml");

	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_scalar_types);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_document_shape);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_alias_limit);
	tcase_add_test(tc, test_billion_laughs);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_node_and_size_limits);
	tcase_add_test(tc, test_to_json);
	tcase_add_test(tc, test_did_you_mean);
	suite_add_tcase(s, tc);
	tc = tcase_create("vars");
	tcase_add_test(tc, test_vars_expand);
	tcase_add_test(tc, test_vars_errors);
	tcase_add_test(tc, test_vars_source_kept);
	suite_add_tcase(s, tc);
	tc = tcase_create("units");
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_durations);
	suite_add_tcase(s, tc);
	tc = tcase_create("emit");
	tcase_add_test(tc, test_emit_readable);
	tcase_add_test(tc, test_emit_round_trip);
	tcase_add_test(tc, test_emit_literal_blocks);
	suite_add_tcase(s, tc);
	tc = tcase_create("robustness");
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
