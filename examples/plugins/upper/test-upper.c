/* The example plugin's own unit test, with the SDK's test kit (a mock host). */
#include <check.h>
#include <stdlib.h>

#include <bulkhead/testkit.h>

static const char *schema = "[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"s\",\"type\":\"string\"}]";

START_TEST(upper_cases_selected_columns)
{
	bh_testkit *tk = bh_testkit_open("./upper.so");
	bh_testkit_result *r = NULL;
	ck_assert_ptr_nonnull(tk);
	ck_assert_int_eq(bh_testkit_filter(tk, "upper", "{\"columns\":[\"s\"]}", schema,
					   "[[1,\"abc\"],[2,null],[3,\"MiXed 1\"]]", &r), 0);
	ck_assert_str_eq(r->records_json, "[[1,\"ABC\"],[2,null],[3,\"MIXED 1\"]]");
	bh_testkit_result_free(r);
	bh_testkit_free(tk);
}
END_TEST

START_TEST(unknown_column_is_a_config_error)
{
	bh_testkit *tk = bh_testkit_open("./upper.so");
	bh_testkit_result *r = NULL;
	ck_assert_int_lt(bh_testkit_filter(tk, "upper", "{\"columns\":[\"nope\"]}", schema, "[]", &r), 0);
	ck_assert_ptr_nonnull(r->error);
	bh_testkit_result_free(r);
	bh_testkit_free(tk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("upper");
	TCase *tc = tcase_create("filter");
	SRunner *sr;
	int failed;
	tcase_add_test(tc, upper_cases_selected_columns);
	tcase_add_test(tc, unknown_column_is_a_config_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
