/* SDK units: the ABI gate, two versions of one plugin in one process, page
 * builders, option defaults and typed config access. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"

static char *lib(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof(path), "%s/tests/plugins/%s", getenv("BULKHEAD_BUILDDIR"), name);
	return path;
}

START_TEST(two_versions_in_one_process)
{
	bh_testkit *a = bh_testkit_open(lib("versioned-1.so"));
	bh_testkit *b = bh_testkit_open(lib("versioned-2.so"));
	bh_testkit_result *ra = NULL, *rb = NULL;
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(bh_testkit_plugin(a)->version, "1.0.0");
	ck_assert_str_eq(bh_testkit_plugin(b)->version, "2.0.0");
	ck_assert_int_eq(bh_testkit_input(a, "versioned", "{\"tasks\":3}", NULL, NULL, NULL, &ra), 0);
	ck_assert_int_eq(bh_testkit_input(b, "versioned", "{\"tasks\":2}", NULL, NULL, NULL, &rb), 0);
	/* Each library keeps its own state: counters run independently. */
	ck_assert_str_eq(ra->records_json, "[[\"1.0.0\",1],[\"1.0.0\",2],[\"1.0.0\",3]]");
	ck_assert_str_eq(rb->records_json, "[[\"2.0.0\",1],[\"2.0.0\",2]]");
	bh_testkit_result_free(ra);
	bh_testkit_result_free(rb);
	bh_testkit_free(a);
	bh_testkit_free(b);
}
END_TEST

START_TEST(abi_gate_refuses_newer_minor)
{
	/* versioned-future.so claims ABI 1.<host minor + 1>. */
	ck_assert_ptr_null(bh_testkit_open(lib("versioned-future.so")));
	ck_assert_ptr_null(bh_testkit_open(lib("no-such-plugin.so")));
}
END_TEST

START_TEST(unknown_option_and_bad_type)
{
	bh_testkit *a = bh_testkit_open(lib("versioned-1.so"));
	bh_testkit_result *r = NULL;
	ck_assert_int_lt(bh_testkit_input(a, "versioned", "{\"taskz\":3}", NULL, NULL, NULL, &r), 0);
	ck_assert_ptr_nonnull(strstr(bh_testkit_error(a), "unknown option 'taskz'"));
	ck_assert_int_lt(bh_testkit_input(a, "versioned", "{\"tasks\":\"x\"}", NULL, NULL, NULL, &r), 0);
	ck_assert_ptr_nonnull(strstr(bh_testkit_error(a), "'tasks'"));
	bh_testkit_free(a);
}
END_TEST

static int pages_seen, rows_seen;
static int count_page(void *user, const bh_page *p)
{
	pages_seen++;
	rows_seen += (int)p->nrows;
	/* Strings read back exactly, wherever the arena moved. */
	for (uint32_t r = 0; r < p->nrows; r++) {
		size_t len;
		const char *s = bh_page_string(p, r, 1, &len);
		ck_assert_uint_eq(len, (size_t)bh_page_long(p, r, 0) % 5000);
		for (size_t i = 0; i < len; i++)
			ck_assert_int_eq(s[i], 'a' + (int)(i % 26));
	}
	return 0;
}

START_TEST(page_builder_flushes_and_grows)
{
	static const bh_column cols[] = { { "n", BH_TYPE_LONG, NULL }, { "s", BH_TYPE_STRING, NULL } };
	static const bh_schema schema = { 2, cols };
	char text[5000];
	bh_page_builder pb;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	pages_seen = rows_seen = 0;
	ck_assert_int_eq(rt_pb_init(&pb, &schema, 100, 64 * 1024, count_page, NULL), 0);
	for (int i = 0; i < 1000; i++) {
		bh_pb_long(&pb, 0, i * 7);
		ck_assert_int_eq(bh_pb_string(&pb, 1, text, (size_t)(i * 7) % 5000), 0);
		ck_assert_int_eq(bh_pb_end_record(&pb), 0);
	}
	ck_assert_int_eq(rt_pb_finish(&pb), 0);
	rt_pb_destroy(&pb);
	ck_assert_int_eq(rows_seen, 1000);
	/* 1000 records of ~2.5 KB average: the arena bound flushes before 100 records. */
	ck_assert_int_gt(pages_seen, 10);
}
END_TEST

START_TEST(option_defaults)
{
	static const bh_option opts[] = {
		{ "b", BH_OPT_BOOLEAN, "yes", 0, "" }, { "l", BH_OPT_LONG, "42", 0, "" },
		{ "d", BH_OPT_DOUBLE, "0.5", 0, "" },  { "s", BH_OPT_STRING, "x", 0, "" },
		{ "r", BH_OPT_STRING, NULL, 1, "" },   { NULL, 0, NULL, 0, NULL },
	};
	json_t *cfg = json_pack("{s:s}", "r", "given");
	char *err = NULL;
	ck_assert_int_eq(rt_config_prepare(opts, cfg, "test", &err), 0);
	ck_assert(json_is_true(json_object_get(cfg, "b")));
	ck_assert_int_eq(json_integer_value(json_object_get(cfg, "l")), 42);
	ck_assert(json_real_value(json_object_get(cfg, "d")) == 0.5);
	json_object_del(cfg, "r");
	ck_assert_int_lt(rt_config_prepare(opts, cfg, "test", &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "required option 'r'"));
	free(err);
	json_decref(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sdk");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;
	tcase_add_test(tc, two_versions_in_one_process);
	tcase_add_test(tc, abi_gate_refuses_newer_minor);
	tcase_add_test(tc, unknown_option_and_bad_type);
	tcase_add_test(tc, page_builder_flushes_and_grows);
	tcase_add_test(tc, option_defaults);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
