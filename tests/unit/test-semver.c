/* Semantic version parsing and precedence (semver 2.0.0). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packaging/semver.h"

static const char *const valid[] = {
	"0.0.0", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid",
	"1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1",
	"1.0.0-alpha0.valid", "1.0.0-alpha.0valid", "1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123",
	"1.2.3-beta", "10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123", "2.0.0+build.1848", "2.0.1-alpha.1227",
	"1.0.0-alpha+beta", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "1.2.3----R-S.12.9.1--.12+meta",
	"1.0.0+0.build.1-rc.10000aaa-kk-0.1", "18446744073709551615.0.0", "1.0.0-0A.is.legal",
	"1.0.0+001",
};

static const char *const invalid[] = {
	"", "1", "1.2", "1.2.3-0123", "1.2.3-0123.0123", "1.1.2+.123", "+invalid", "-invalid",
	"-invalid+invalid", "-invalid.01", "alpha", "alpha.beta", "alpha.beta.1", "alpha.1", "alpha+beta",
	"alpha_beta", "alpha.", "alpha..", "beta", "1.0.0-alpha_beta", "-alpha.", "1.0.0-alpha..",
	"1.0.0-alpha..1", "1.0.0-alpha...1", "01.1.1", "1.01.1", "1.1.01", "1.2.3.DEV", "1.2-SNAPSHOT",
	"1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", "1.2-RC-SNAPSHOT", "-1.0.3-gamma+b7718",
	"+justmeta", "9.8.7+meta+meta", "9.8.7-whatever+meta+meta", "v1.2.3", " 1.2.3", "1.2.3 ",
	"1.2.3-", "1.2.3+", "1.2.3-a+", "18446744073709551616.0.0",
};

START_TEST(test_valid)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		ck_assert_msg(semver_valid(valid[i]), "should be valid: '%s'", valid[i]);
}
END_TEST

START_TEST(test_invalid)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ck_assert_msg(!semver_valid(invalid[i]), "should be invalid: '%s'", invalid[i]);
}
END_TEST

START_TEST(test_parts)
{
	struct semver v;
	ck_assert_int_eq(semver_parse("1.22.333-rc.1+build.5", &v), 0);
	ck_assert_uint_eq(v.major, 1);
	ck_assert_uint_eq(v.minor, 22);
	ck_assert_uint_eq(v.patch, 333);
	ck_assert_str_eq(v.prerelease, "rc.1");
	ck_assert_str_eq(v.build, "build.5");
	ck_assert(semver_is_prerelease(&v));
	ck_assert_int_eq(semver_parse("18446744073709551616.0.0", &v), -ERANGE);
	char longv[SEMVER_MAX_LEN + 10];
	memset(longv, 'a', sizeof(longv));
	memcpy(longv, "1.0.0-", 6);
	longv[sizeof(longv) - 1] = '\0';
	ck_assert_int_eq(semver_parse(longv, &v), -ERANGE);
}
END_TEST

static int cmp(const char *a, const char *b)
{
	struct semver va, vb;
	ck_assert_int_eq(semver_parse(a, &va), 0);
	ck_assert_int_eq(semver_parse(b, &vb), 0);
	return semver_compare(&va, &vb);
}

START_TEST(test_precedence_chain)
{
	/* The example chains from semver.org section 11, plus numeric edge cases. */
	static const char *const chain[] = {
		"0.0.1", "0.1.0", "0.9.9", "0.10.0", "1.0.0-0", "1.0.0-2", "1.0.0-10", "1.0.0-alpha",
		"1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
		"1.0.0-rc.1", "1.0.0", "1.0.1", "1.9.0", "1.10.0", "1.11.0", "2.0.0-rc.1", "2.0.0",
		"2.1.0", "2.1.1", "10.0.0", "18446744073709551615.0.0",
	};
	size_t n = sizeof(chain) / sizeof(chain[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j;
			ck_assert_msg(cmp(chain[i], chain[j]) == want, "%s vs %s: want %d", chain[i], chain[j], want);
		}
}
END_TEST

START_TEST(test_build_metadata)
{
	ck_assert_int_eq(cmp("1.0.0+a", "1.0.0+b"), 0);
	ck_assert_int_eq(cmp("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
	ck_assert_int_lt(cmp("1.0.0-rc.1+zzz", "1.0.0"), 0);
	/* The listing order is total: build metadata breaks the tie. */
	ck_assert_int_lt(semver_order_text("1.0.0+a", "1.0.0+b"), 0);
	ck_assert_int_lt(semver_order_text("1.0.0", "1.0.0+a"), 0);
	ck_assert_int_eq(semver_order_text("1.0.0+a", "1.0.0+a"), 0);
	/* Invalid text sorts first. */
	ck_assert_int_lt(semver_order_text("garbage", "0.0.0"), 0);
}
END_TEST

START_TEST(test_huge_numeric_prerelease)
{
	/* Longer than any integer type: compared as digit strings. */
	ck_assert_int_lt(cmp("1.0.0-99999999999999999999998", "1.0.0-99999999999999999999999"), 0);
	ck_assert_int_lt(cmp("1.0.0-9999999999999999999999", "1.0.0-99999999999999999999999"), 0);
	ck_assert_int_lt(cmp("1.0.0-99999999999999999999999", "1.0.0-a"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("semver");
	TCase *tc = tcase_create("semver");
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_parts);
	tcase_add_test(tc, test_precedence_chain);
	tcase_add_test(tc, test_build_metadata);
	tcase_add_test(tc, test_huge_numeric_prerelease);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
