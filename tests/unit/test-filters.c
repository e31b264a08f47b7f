/* The columns and rename filter plugins through the plugin test kit. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/testkit.h>

static bh_testkit *columns_kit, *rename_kit;

static bh_testkit *open_plugin(const char *name)
{
	const char *dir = getenv("BULKHEAD_BUILDDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/plugins/%s/%s.so", dir ? dir : ".", name, name);
	bh_testkit *tk = bh_testkit_open(path);
	ck_assert_msg(tk != NULL, "cannot load %s", path);
	return tk;
}

static void setup(void)
{
	columns_kit = open_plugin("columns");
	rename_kit = open_plugin("rename");
}

static void teardown(void)
{
	bh_testkit_free(columns_kit);
	bh_testkit_free(rename_kit);
}

#define SCHEMA                                                                               \
	"[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"name\",\"type\":\"string\"},"       \
	"{\"name\":\"score\",\"type\":\"double\"},{\"name\":\"at\",\"type\":\"timestamp\"},"   \
	"{\"name\":\"doc\",\"type\":\"json\"}]"
#define RECORDS                                                                              \
	"[[1,\"a\",1.5,\"2024-01-02 03:04:05.000000000 UTC\",{\"k\":[1]}],"                   \
	"[2,null,null,null,null]]"

static bh_testkit_result *run(bh_testkit *tk, const char *type, const char *config,
			      const char *schema, const char *records)
{
	bh_testkit_result *r = NULL;
	bh_testkit_filter(tk, type, config, schema, records, &r);
	ck_assert_msg(r != NULL, "%s: %s", type, bh_testkit_error(tk));
	return r;
}

static void expect(bh_testkit *tk, const char *type, const char *config, const char *schema_out,
		   const char *records_out)
{
	bh_testkit_result *r = run(tk, type, config, SCHEMA, RECORDS);
	ck_assert_msg(r->status == 0, "status %d: %s", r->status, r->error ? r->error : "");
	ck_assert_str_eq(r->schema_json, schema_out);
	ck_assert_str_eq(r->records_json, records_out);
	bh_testkit_result_free(r);
}

/* The config fails with a message containing `needle`. */
static void expect_error(bh_testkit *tk, const char *type, const char *config, const char *needle)
{
	bh_testkit_result *r = NULL;
	int s = bh_testkit_filter(tk, type, config, SCHEMA, RECORDS, &r);
	ck_assert_msg(s < 0, "config accepted: %s", config);
	const char *msg = r && r->error ? r->error : bh_testkit_error(tk);
	ck_assert_msg(msg != NULL && strstr(msg, needle) != NULL, "'%s' not in: %s", needle,
		      msg ? msg : "(none)");
	bh_testkit_result_free(r);
}

/* ---- columns ------------------------------------------------------------ */

START_TEST(columns_select_reorder_rename)
{
	expect(columns_kit, "columns",
	       "{\"columns\":[\"doc\",{\"name\":\"key\",\"src\":\"id\"},{\"name\":\"name\"}]}",
	       "[{\"name\":\"doc\",\"type\":\"json\"},{\"name\":\"key\",\"type\":\"long\"},"
	       "{\"name\":\"name\",\"type\":\"string\"}]",
	       "[[{\"k\":[1]},1,\"a\"],[null,2,null]]");
}
END_TEST

START_TEST(columns_same_source_twice)
{
	expect(columns_kit, "columns",
	       "{\"columns\":[{\"name\":\"id\"},{\"name\":\"id2\",\"src\":\"id\"}]}",
	       "[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"id2\",\"type\":\"long\"}]",
	       "[[1,1],[2,2]]");
}
END_TEST

START_TEST(columns_defaults_and_constants)
{
	expect(columns_kit, "columns",
	       "{\"columns\":[{\"name\":\"name\",\"default\":\"none\"},{\"name\":\"score\",\"default\":\"0.5\"},"
	       "{\"name\":\"src\",\"type\":\"string\",\"default\":\"import\"},{\"name\":\"n\",\"type\":\"long\"}]}",
	       "[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"score\",\"type\":\"double\"},"
	       "{\"name\":\"src\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"long\"}]",
	       "[[\"a\",1.5,\"import\",null],[\"none\",0.5,\"import\",null]]");
}
END_TEST

START_TEST(columns_add_every_type)
{
	expect(columns_kit, "columns",
	       "{\"columns\":[\"id\"],\"add_columns\":["
	       "{\"name\":\"b\",\"type\":\"boolean\",\"default\":\"yes\"},"
	       "{\"name\":\"l\",\"type\":\"long\",\"default\":-7},"
	       "{\"name\":\"d\",\"type\":\"double\",\"default\":2},"
	       "{\"name\":\"s\",\"type\":\"string\",\"default\":12},"
	       "{\"name\":\"t\",\"type\":\"timestamp\",\"default\":\"02/01/2024\",\"format\":\"%d/%m/%Y\"},"
	       "{\"name\":\"j\",\"type\":\"json\",\"default\":\"[1, {\\\"a\\\": null}]\"},"
	       "{\"name\":\"z\",\"type\":\"string\"}]}",
	       "[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"b\",\"type\":\"boolean\"},"
	       "{\"name\":\"l\",\"type\":\"long\"},{\"name\":\"d\",\"type\":\"double\"},"
	       "{\"name\":\"s\",\"type\":\"string\"},"
	       "{\"name\":\"t\",\"type\":\"timestamp\",\"format\":\"%d/%m/%Y\"},"
	       "{\"name\":\"j\",\"type\":\"json\"},{\"name\":\"z\",\"type\":\"string\"}]",
	       "[[1,true,-7,2.0,\"12\",\"2024-01-02 00:00:00.000000000 UTC\",[1,{\"a\":null}],null],"
	       "[2,true,-7,2.0,\"12\",\"2024-01-02 00:00:00.000000000 UTC\",[1,{\"a\":null}],null]]");
}
END_TEST

START_TEST(columns_drop)
{
	expect(columns_kit, "columns", "{\"drop_columns\":[{\"name\":\"name\"},\"doc\",\"at\"]}",
	       "[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"score\",\"type\":\"double\"}]",
	       "[[1,1.5],[2,null]]");
	expect(columns_kit, "columns",
	       "{\"drop_columns\":[\"id\",\"name\",\"score\",\"at\"],"
	       "\"add_columns\":[{\"name\":\"x\",\"type\":\"boolean\",\"default\":false}]}",
	       "[{\"name\":\"doc\",\"type\":\"json\"},{\"name\":\"x\",\"type\":\"boolean\"}]",
	       "[[{\"k\":[1]},false],[null,false]]");
}
END_TEST

START_TEST(columns_errors)
{
	expect_error(columns_kit, "columns", "{\"columns\":[\"nmae\"]}", "did you mean 'name'");
	expect_error(columns_kit, "columns", "{\"columns\":[{\"name\":\"k\",\"src\":\"idd\"}]}",
		     "columns[0].src: no input column 'idd' (did you mean 'id'?)");
	expect_error(columns_kit, "columns", "{\"drop_columns\":[\"scores\"]}", "did you mean 'score'");
	expect_error(columns_kit, "columns", "{\"columns\":[\"id\",{\"name\":\"id\",\"src\":\"name\"}]}",
		     "'id' would appear twice");
	expect_error(columns_kit, "columns",
		     "{\"columns\":[\"id\"],\"add_columns\":[{\"name\":\"id\",\"type\":\"long\"}]}",
		     "twice");
	expect_error(columns_kit, "columns", "{\"columns\":[\"id\"],\"drop_columns\":[\"name\"]}",
		     "cannot be combined");
	expect_error(columns_kit, "columns", "{}", "at least one");
	expect_error(columns_kit, "columns", "{\"columns\":[{\"name\":\"id\",\"type\":\"string\"}]}",
		     "does not convert");
	expect_error(columns_kit, "columns", "{\"columns\":[{\"name\":\"id\",\"sorce\":\"x\"}]}",
		     "unknown key 'sorce'");
	expect_error(columns_kit, "columns",
		     "{\"add_columns\":[{\"name\":\"x\",\"type\":\"long\",\"default\":\"ten\"}]}",
		     "add_columns[0].default");
	expect_error(columns_kit, "columns", "{\"add_columns\":[{\"name\":\"x\"}]}", "'type' is required");
	expect_error(columns_kit, "columns",
		     "{\"add_columns\":[{\"name\":\"x\",\"type\":\"integer\"}]}", "is not boolean");
	expect_error(columns_kit, "columns",
		     "{\"add_columns\":[{\"name\":\"x\",\"type\":\"json\",\"default\":\"{oops\"}]}",
		     "not JSON");
}
END_TEST

START_TEST(columns_many_rows)
{
	/* Enough rows for several pages, strings included. */
	char *rows = malloc(64 * 20000), *p = rows;
	bh_testkit_result *r;
	p += sprintf(p, "[");
	for (int i = 0; i < 20000; i++)
		p += sprintf(p, "%s[%d,\"name %d\",%d.5,null,[%d]]", i ? "," : "", i, i, i, i);
	sprintf(p, "]");
	r = run(columns_kit, "columns", "{\"columns\":[\"name\",\"id\"]}", SCHEMA, rows);
	ck_assert_int_eq(r->status, 0);
	ck_assert_int_eq(r->record_count, 20000);
	ck_assert_msg(strstr(r->records_json, "[\"name 19999\",19999]]") != NULL, "last row");
	ck_assert_msg(strncmp(r->records_json, "[[\"name 0\",0],[\"name 1\",1],", 27) == 0, "first rows");
	bh_testkit_result_free(r);
	free(rows);
}
END_TEST

/* ---- rename ------------------------------------------------------------- */

#define RENAMED(a, b, c, d, e)                                                                \
	"[{\"name\":\"" a "\",\"type\":\"long\"},{\"name\":\"" b "\",\"type\":\"string\"},"   \
	"{\"name\":\"" c "\",\"type\":\"double\"},{\"name\":\"" d "\",\"type\":\"timestamp\"}," \
	"{\"name\":\"" e "\",\"type\":\"json\"}]"
#define SAME_RECORDS                                                                         \
	"[[1,\"a\",1.5,\"2024-01-02 03:04:05.000000000 UTC\",{\"k\":[1]}],[2,null,null,null,null]]"

START_TEST(rename_columns_map)
{
	expect(rename_kit, "rename", "{\"columns\":{\"id\":\"user_id\",\"doc\":\"payload\"}}",
	       RENAMED("user_id", "name", "score", "at", "payload"), SAME_RECORDS);
	/* Swapping two names is fine: the map applies to the old names at once. */
	expect(rename_kit, "rename", "{\"columns\":{\"id\":\"name\",\"name\":\"id\"}}",
	       RENAMED("name", "id", "score", "at", "doc"), SAME_RECORDS);
}
END_TEST

START_TEST(rename_case_rules)
{
	expect(rename_kit, "rename",
	       "{\"columns\":{\"at\":\"Created-At\"},\"rules\":[{\"rule\":\"lower_to_upper\"}]}",
	       RENAMED("ID", "NAME", "SCORE", "CREATED-AT", "DOC"), SAME_RECORDS);
	expect(rename_kit, "rename",
	       "{\"columns\":{\"at\":\"Created-At\"},\"rules\":[{\"rule\":\"upper_to_lower\"}]}",
	       RENAMED("id", "name", "score", "created-at", "doc"), SAME_RECORDS);
}
END_TEST

START_TEST(rename_character_types)
{
	expect(rename_kit, "rename",
	       "{\"columns\":{\"id\":\"User ID#1\",\"name\":\"na\xc3\xafve.name\",\"doc\":\"9lives\"},"
	       "\"rules\":[{\"rule\":\"upper_to_lower\"},"
	       "{\"rule\":\"character_types\",\"pass_types\":[\"a-z\",\"0-9\"],\"pass_characters\":\"_\",\"replace\":\"_\"},"
	       "{\"rule\":\"first_character_types\",\"pass_types\":[\"a-z\"],\"prefix\":\"_\"}]}",
	       RENAMED("user_id_1", "na_ve_name", "score", "at", "_9lives"), SAME_RECORDS);
	expect(rename_kit, "rename",
	       "{\"columns\":{\"doc\":\"9lives\"},"
	       "\"rules\":[{\"rule\":\"first_character_types\",\"pass_types\":\"a-z\",\"replace\":\"x\"}]}",
	       RENAMED("id", "name", "score", "at", "xlives"), SAME_RECORDS);
}
END_TEST

START_TEST(rename_truncate_regex_unique)
{
	expect(rename_kit, "rename",
	       "{\"rules\":[{\"rule\":\"truncate\",\"max_length\":3}]}",
	       RENAMED("id", "nam", "sco", "at", "doc"), SAME_RECORDS);
	expect(rename_kit, "rename",
	       "{\"rules\":[{\"rule\":\"regex_replace\",\"match\":\"^([a-z])([a-z]*)$\",\"replace\":\"$2_$1\"}]}",
	       RENAMED("d_i", "ame_n", "core_s", "t_a", "oc_d"), SAME_RECORDS);
	expect(rename_kit, "rename",
	       "{\"rules\":[{\"rule\":\"regex_replace\",\"match\":\"[aeiou]\",\"replace\":\"\"}]}",
	       RENAMED("d", "nm", "scr", "t", "dc"), SAME_RECORDS);
	/* Everything truncated to one letter: later duplicates get numbers. */
	expect(rename_kit, "rename",
	       "{\"columns\":{\"name\":\"a\",\"score\":\"a_1\",\"doc\":\"a\"},"
	       "\"rules\":[{\"rule\":\"unique_number_suffix\"}]}",
	       RENAMED("id", "a", "a_1", "at", "a_2"), SAME_RECORDS);
	expect(rename_kit, "rename",
	       "{\"columns\":{\"id\":\"xx\",\"name\":\"xx\",\"score\":\"xx\"},"
	       "\"rules\":[{\"rule\":\"unique_number_suffix\",\"delimiter\":\"-\",\"digits\":2}]}",
	       RENAMED("xx", "xx-01", "xx-02", "at", "doc"), SAME_RECORDS);
}
END_TEST

START_TEST(rename_errors)
{
	expect_error(rename_kit, "rename", "{\"columns\":{\"scor\":\"s\"}}", "did you mean 'score'");
	expect_error(rename_kit, "rename", "{\"columns\":{\"id\":\"name\"}}",
		     "columns 'id' and 'name' would both be named 'name'");
	expect_error(rename_kit, "rename", "{\"rules\":[{\"rule\":\"regex_replace\",\"match\":\"[a-z]+\",\"replace\":\"x\"}]}",
		     "would both be named 'x'");
	expect_error(rename_kit, "rename", "{\"rules\":[{\"rule\":\"shout\"}]}", "unknown rule 'shout'");
	expect_error(rename_kit, "rename", "{\"rules\":[{\"rule\":\"lower_to_upper\",\"x\":1}]}",
		     "takes no key 'x'");
	expect_error(rename_kit, "rename",
		     "{\"rules\":[{\"rule\":\"first_character_types\",\"pass_types\":[\"a-z\"],\"replace\":\"ab\"}]}",
		     "must be one character");
	expect_error(rename_kit, "rename",
		     "{\"rules\":[{\"rule\":\"first_character_types\",\"pass_types\":[\"a-z\"]}]}",
		     "exactly one of replace and prefix");
	expect_error(rename_kit, "rename",
		     "{\"rules\":[{\"rule\":\"character_types\",\"pass_types\":[\"letters\"]}]}",
		     "not a range");
	expect_error(rename_kit, "rename",
		     "{\"rules\":[{\"rule\":\"regex_replace\",\"match\":\"(\",\"replace\":\"x\"}]}",
		     "rules[0]: match");
	expect_error(rename_kit, "rename", "{\"rules\":[{\"rule\":\"regex_replace\",\"match\":\".*\",\"replace\":\"\"}]}",
		     "empty name");
	expect_error(rename_kit, "rename", "{\"columns\":{\"id\":\"\"}}", "non-empty");
	expect_error(rename_kit, "rename", "{}", "set columns, rules");
}
END_TEST

static Suite *filters_suite(void)
{
	Suite *s = suite_create("filters");
	TCase *c = tcase_create("columns"), *r = tcase_create("rename");
	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(c, columns_select_reorder_rename);
	tcase_add_test(c, columns_same_source_twice);
	tcase_add_test(c, columns_defaults_and_constants);
	tcase_add_test(c, columns_add_every_type);
	tcase_add_test(c, columns_drop);
	tcase_add_test(c, columns_errors);
	tcase_add_test(c, columns_many_rows);
	tcase_add_test(r, rename_columns_map);
	tcase_add_test(r, rename_case_rules);
	tcase_add_test(r, rename_character_types);
	tcase_add_test(r, rename_truncate_regex_unique);
	tcase_add_test(r, rename_errors);
	suite_add_tcase(s, c);
	suite_add_tcase(s, r);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(filters_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
