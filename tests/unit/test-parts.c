/* Split inputs (ABI 1.1): the csv and jsonl parsers' run_part, through the
 * test kit's bh_testkit_parse_parts.  Cut a file anywhere — inside a quoted
 * field that spans lines, between \r and \n, inside a byte order mark, in a
 * header — and the parts together must give exactly the records, rejects
 * (with their line numbers) and errors of one parse of the whole file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/testkit.h>

static bh_testkit *load(const char *name)
{
	const char *dir = getenv("BULKHEAD_BUILDDIR");
	char path[4096];
	bh_testkit *tk;
	snprintf(path, sizeof path, "%s/plugins/%s/%s.so", dir ? dir : ".", name, name);
	tk = bh_testkit_open(path);
	ck_assert_msg(tk != NULL, "cannot load %s", path);
	return tk;
}

static const char csv_config[] =
	"{\"skip_header_lines\": 1, \"comment_line_marker\": \"#\", \"columns\": ["
	"{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"s\",\"type\":\"string\"},{\"name\":\"d\",\"type\":\"double\"}]}";

/* Quoted fields with LF, CRLF and doubled quotes inside, CRLF and lone CR
 * line ends, an empty line, a comment, invalid records, no final line end. */
static const char csv_input[] = "\xEF\xBB\xBFid,s,d\r\n"
				"1,\"one\nline two\",1.5\r\n"
				"2,plain,2.5\n"
				"\n"
				"# a comment, \"not a field\n"
				"3,\"say \"\"hi\"\"\r\nand go\",3.25\n"
				"4,bad,not-a-double\n"
				"5,\"caf\xC3\xA9\",5\r"
				"6,\"x\"y\",6\n"
				"7,\"\n\n\",7e3\n"
				"8,last,8";

/* Runs of plain records (the csv fast path takes them many at a time,
 * stopping at the next part's first record) between the others. */
static const char csv_runs[] = "id,s,d\n"
			       "1,a,1.5\n2,b,2.5\n3,\"c,c\",3.5\n4,bad,x\n5,\xC3\xA9t\xC3\xA9,5\n"
			       "6,f,6e1\r\n\n7,g,7\n# c\n8,h,8\n9,\"i\nj\",9\n10,k,10\n11,l,11\n"
			       "12,\"m\"\"m\",12\n13,n,13\n14,o,14\n15,\xE2\x82\xAC,15\n16,p,16\n17,last,17\n";

static const char jsonl_config[] =
	"{\"columns\": [{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"s\",\"type\":\"string\"},"
	"{\"name\":\"d\",\"type\":\"double\"}]}";

static const char jsonl_input[] = "\xEF\xBB\xBF{\"id\":1,\"s\":\"a\\nb\",\"d\":1.5}\r\n"
				  "\n"
				  "{\"id\":2,\"s\":\"caf\xC3\xA9\"}\n"
				  "{\"id\":\"three\"}\n"
				  "[4]\n"
				  "{\"id\":5,\"s\":\"q\\\"uote\",\"d\":5}\r\n"
				  "{\"id\":6";

/* Expects parts cut at cuts[0..n) to give what the whole parse gave. */
static void expect_same(bh_testkit *tk, const char *type, const char *config, const char *input, size_t len,
			const bh_testkit_result *whole, const size_t *cuts, size_t n)
{
	bh_testkit_result *r = NULL;
	bh_testkit_parse_parts(tk, type, config, input, len, cuts, n, &r);
	ck_assert_msg(r != NULL, "parse_parts: %s", bh_testkit_error(tk));
	ck_assert_msg(r->status == whole->status, "%s cut at %zu%s: status %d, whole %d (%s)", type, cuts[0],
		      n > 1 ? "+" : "", r->status, whole->status, r->error ? r->error : "");
	if (whole->status != 0) { /* stopped: nothing is published, only the reason counts */
		ck_assert_msg(r->error && whole->error && strcmp(r->error, whole->error) == 0,
			      "%s cut at %zu: error %s, whole %s", type, cuts[0], r->error ? r->error : "(none)",
			      whole->error ? whole->error : "(none)");
		bh_testkit_result_free(r);
		return;
	}
	ck_assert_msg(strcmp(r->records_json, whole->records_json) == 0, "%s cut at %zu (%zu cuts):\n got %s\nwant %s",
		      type, cuts[0], n, r->records_json, whole->records_json);
	ck_assert_msg(strcmp(r->rejects_json, whole->rejects_json) == 0,
		      "%s cut at %zu (%zu cuts): rejects\n got %s\nwant %s", type, cuts[0], n, r->rejects_json,
		      whole->rejects_json);
	bh_testkit_result_free(r);
}

/* Every single cut and every pair of cuts, with and without small chunks. */
static void every_cut(const char *name, const char *config, const char *input, long max_rejects)
{
	static const size_t chunks[] = { 0, 3 };
	bh_testkit *tk = load(name);
	size_t len = strlen(input);
	bh_testkit_set_max_rejects(tk, max_rejects);
	for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
		bh_testkit_result *whole = NULL;
		bh_testkit_set_chunk_size(tk, chunks[ci]);
		bh_testkit_parse(tk, name, config, input, len, &whole);
		ck_assert_msg(whole != NULL, "parse: %s", bh_testkit_error(tk));
		if (max_rejects < 0)
			ck_assert_msg(whole->status != 0 && whole->error, "%s: the fixture must stop", name);
		else
			ck_assert_msg(whole->status == 0 && whole->record_count >= 3, "%s: the fixture parses to %s",
				      name, whole->records_json);
		for (size_t a = 1; a < len; a++) {
			size_t cuts[2] = { a, 0 };
			expect_same(tk, name, config, input, len, whole, cuts, 1);
			for (size_t b = a + 1; b < len; b += 3) {
				cuts[1] = b;
				expect_same(tk, name, config, input, len, whole, cuts, 2);
			}
		}
		bh_testkit_result_free(whole);
	}
	bh_testkit_free(tk);
}

START_TEST(csv_parts_equal_the_whole_with_rejects)
{
	every_cut("csv", csv_config, csv_input, 1000);
}
END_TEST

START_TEST(csv_parts_stop_at_the_same_line)
{
	every_cut("csv", csv_config, csv_input, -1);
}
END_TEST

START_TEST(csv_parts_of_record_runs)
{
	every_cut("csv", csv_config, csv_runs, 1000);
}
END_TEST

START_TEST(jsonl_parts_equal_the_whole_with_rejects)
{
	every_cut("jsonl", jsonl_config, jsonl_input, 1000);
}
END_TEST

START_TEST(jsonl_parts_stop_at_the_same_line)
{
	every_cut("jsonl", jsonl_config, jsonl_input, -1);
}
END_TEST

/* The kit itself: bad cuts are refused, a parser without run_part says so. */
START_TEST(parts_refuse_bad_cuts)
{
	bh_testkit *tk = load("csv");
	bh_testkit_result *r = NULL;
	size_t bad[] = { 5, 5 };
	ck_assert_int_eq(bh_testkit_parse_parts(tk, "csv", csv_config, csv_input, strlen(csv_input), bad, 2, &r),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(bh_testkit_error(tk), "cut 1"));
	bh_testkit_result_free(r);
	bh_testkit_free(tk);
}
END_TEST

static Suite *parts_suite(void)
{
	Suite *s = suite_create("parts");
	TCase *tc = tcase_create("parts");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, csv_parts_equal_the_whole_with_rejects);
	tcase_add_test(tc, csv_parts_stop_at_the_same_line);
	tcase_add_test(tc, csv_parts_of_record_runs);
	tcase_add_test(tc, jsonl_parts_equal_the_whole_with_rejects);
	tcase_add_test(tc, jsonl_parts_stop_at_the_same_line);
	tcase_add_test(tc, parts_refuse_bad_cuts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(parts_suite());
	int failed;
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
