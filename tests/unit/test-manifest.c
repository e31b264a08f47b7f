/* manifest.yml loading, validation with located errors, writing; store scans. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packaging/manifest.h"
#include "packaging/store.h"
#include "packaging/util.h"
#include "tests/unit/pkgtest.h"

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *const full_manifest =
	"name: csv\n"
	"version: 1.4.2\n"
	"abi: \"1.0\"\n"
	"description: CSV parser and formatter\n"
	"library: csv.so\n"
	"kinds: [parser, formatter]\n"
	"requires: {network: false}\n"
	"components:\n"
	"  parser/csv: Parses CSV\n"
	"  formatter/csv: Writes CSV\n"
	"options:\n"
	"  parser/csv:\n"
	"    - {name: delimiter, type: string, default: \",\", required: false, description: Field separator}\n"
	"    - {name: columns, type: columns, required: true, description: The schema}\n"
	"    - {name: quote, type: string, default: null}\n"
	"files:\n"
	"  csv.so: sha256:" HASH "\n"
	"  share/README: sha256:" HASH "\n";

static char *dir;

static void setup(void)
{
	dir = pkgtest_tmpdir();
}

static void teardown(void)
{
	pkg_remove_tree(dir);
	free(dir);
}

/* Loads text as a manifest; returns the error (caller frees) or NULL on success. */
static char *load_text(const char *text, int partial, struct manifest **out)
{
	char *path = pkg_strdupf("%s/manifest.yml", dir), *err = NULL;
	struct manifest *m = NULL;
	pkgtest_write(path, "%s", text);
	int r = manifest_load(path, partial, &m, &err);
	free(path);
	if (r == 0) {
		ck_assert_ptr_null(err);
		if (out)
			*out = m;
		else
			manifest_free(m);
		return NULL;
	}
	ck_assert_int_lt(r, 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(m);
	return err;
}

START_TEST(test_full)
{
	struct manifest *m = NULL;
	char *err = load_text(full_manifest, 0, &m);
	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_str_eq(m->name, "csv");
	ck_assert_str_eq(m->version, "1.4.2");
	ck_assert_str_eq(m->abi, "1.0");
	ck_assert_str_eq(m->library, "csv.so");
	ck_assert_uint_eq(m->kind_count, 2);
	ck_assert_str_eq(m->kinds[1], "formatter");
	ck_assert_int_eq(m->network, 0);
	ck_assert_uint_eq(m->component_count, 2);
	const struct manifest_component *c = manifest_find_component(m, "parser", "csv");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->description, "Parses CSV");
	ck_assert_uint_eq(c->option_count, 3);
	ck_assert_str_eq(c->options[0].default_value, ",");
	ck_assert_int_eq(c->options[1].required, 1);
	ck_assert_ptr_null(c->options[1].default_value);
	ck_assert_ptr_null(c->options[2].default_value);
	ck_assert_str_eq(c->options[2].description, "");
	ck_assert_ptr_null(manifest_find_component(m, "parser", "json"));
	ck_assert_uint_eq(manifest_find_component(m, "formatter", "csv")->option_count, 0);
	ck_assert_uint_eq(m->file_count, 2);
	ck_assert_str_eq(m->files[1].path, "share/README");
	ck_assert_str_eq(m->files[1].sha256, HASH);
	manifest_free(m);
}
END_TEST

START_TEST(test_roundtrip)
{
	struct manifest *m = NULL, *m2 = NULL;
	char *err = load_text(full_manifest, 0, &m), *path = pkg_strdupf("%s/out.yml", dir);
	ck_assert_ptr_null(err);
	/* Values a naive writer would mangle. */
	free(m->components[0].options[2].description);
	m->components[0].options[2].description = strdup("a: \"quoted\" # not a comment\nsecond line");
	free(m->components[0].options[1].default_value);
	m->components[0].options[1].default_value = strdup("true");
	ck_assert_int_eq(manifest_write(m, path, &err), 0);
	ck_assert_int_eq(manifest_load(path, 0, &m2, &err), 0);
	ck_assert_str_eq(m2->abi, "1.0");
	ck_assert_str_eq(m2->components[0].options[2].description, m->components[0].options[2].description);
	ck_assert_str_eq(m2->components[0].options[1].default_value, "true");
	ck_assert_str_eq(m2->components[0].options[0].default_value, ",");
	ck_assert_ptr_null(m2->components[0].options[2].default_value);
	ck_assert_uint_eq(m2->file_count, 2);
	ck_assert_str_eq(m2->files[0].sha256, HASH);
	manifest_free(m);
	manifest_free(m2);
	free(path);
}
END_TEST

START_TEST(test_partial)
{
	static const char *const src = "name: csv\nversion: 1.0.0\nabi: 1\ndescription: x\nlibrary: csv.so\n"
				       "kinds: [parser]\nrequires: {network: true}\n";
	struct manifest *m = NULL;
	char *err = load_text(src, 1, &m);
	ck_assert_msg(err == NULL, "%s", err);
	ck_assert_int_eq(m->network, 1);
	ck_assert_uint_eq(m->component_count, 0);
	manifest_free(m);
	err = load_text(src, 0, NULL);
	ck_assert_ptr_nonnull(strstr(err, "missing field 'components'"));
	free(err);
}
END_TEST

/* Each case replaces one line of the full manifest and expects an error at
 * the given line:column mentioning the given text. */
struct bad_case {
	const char *find, *replace, *where, *what;
};

static const struct bad_case bad_cases[] = {
	{"name: csv\n", "name: CSV\n", ":1:7:", "must match"},
	{"name: csv\n", "name: a_very_long_name_that_goes_on_and_on_beyond_sixty_four_characters_total\n", ":1:7:", "at most 64"},
	{"name: csv\n", "name: -csv\n", ":1:7:", "must match"},
	{"name: csv\n", "", ":1:1:", "missing field 'name'"},
	{"version: 1.4.2\n", "version: 1.4\n", ":2:10:", "not a semantic version"},
	{"abi: \"1.0\"\n", "abi: one\n", ":3:6:", "MAJOR.MINOR"},
	{"abi: \"1.0\"\n", "abi: [1]\n", ":3:6:", "expected a string"},
	{"description: CSV parser and formatter\n", "descriptoin: x\n", ":4:1:", "unknown field 'descriptoin'"},
	{"library: csv.so\n", "library: ../csv.so\n", ":5:10:", "'..'"},
	{"library: csv.so\n", "library: /lib/csv.so\n", ":5:10:", "absolute"},
	{"library: csv.so\n", "library: other.so\n", ":5:10:", "not listed under files"},
	{"kinds: [parser, formatter]\n", "kinds: [parser, formatter, sink]\n", ":6:28:", "unknown kind 'sink'"},
	{"kinds: [parser, formatter]\n", "kinds: [parser, parser]\n", ":6:17:", "listed twice"},
	{"kinds: [parser, formatter]\n", "kinds: []\n", ":6:8:", "at least one"},
	{"kinds: [parser, formatter]\n", "kinds: [parser, formatter, input]\n", ":6:8:", "'input' has no component"},
	{"requires: {network: false}\n", "requires: {network: maybe}\n", ":7:21:", "true or false"},
	{"requires: {network: false}\n", "requires: {network: false, gpu: true}\n", ":7:28:", "unknown field 'gpu'"},
	{"requires: {network: false}\n", "requires: {}\n", ":7:11:", "missing field 'network'"},
	{"  parser/csv: Parses CSV\n", "  parser/csv: Parses CSV\n  input/file: x\n", ":10:3:", "not listed in kinds"},
	{"  parser/csv: Parses CSV\n", "  parser: Parses CSV\n", ":9:3:", "'kind/type'"},
	{"  parser/csv: Parses CSV\n", "  parser/csv: Parses CSV\n  parser/csv: again\n", ":10:3:", "duplicate key"},
	{"  parser/csv:\n", "  parser/json:\n", ":12:3:", "not listed under components"},
	{"    - {name: quote, type: string, default: null}\n", "    - {name: quote, type: str}\n", ":15:27:", "unknown option type"},
	{"    - {name: quote, type: string, default: null}\n", "    - {name: quote, type: string, dflt: 1}\n", ":15:35:", "unknown option field 'dflt'"},
	{"    - {name: quote, type: string, default: null}\n", "    - {type: string}\n", ":15:7:", "missing field 'name'"},
	{"    - {name: quote, type: string, default: null}\n", "    - {name: delimiter, type: string}\n", ":15:7:", "declared twice"},
	{"    - {name: quote, type: string, default: null}\n", "    - {name: quote, type: string, default: [1]}\n", ":15:44:", "scalar or null"},
	{"  csv.so: sha256:" HASH "\n", "  csv.so: md5:abc\n", ":17:11:", "sha256:"},
	{"  csv.so: sha256:" HASH "\n", "  csv.so: sha256:" HASH "0\n", ":17:11:", "sha256:"},
	{"  share/README:", "  ../README:", ":18:3:", "'..'"},
	{"  share/README:", "  manifest.yml:", ":18:3:", "must not be listed"},
	{"name: csv\n", "name: &a csv\nx: *a\n", ":1:1:", "aliases"},
	{"name: csv\n", "name: csv\n  bad indent: [\n", "manifest.yml:2:", "not allowed"},
	{"name: csv\n", "name: csv\n---\nname: again\n", "manifest.yml:", "more than one"},
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	const char *at = strstr(full_manifest, bc->find);
	ck_assert_ptr_nonnull(at);
	char *text = pkg_strdupf("%.*s%s%s", (int)(at - full_manifest), full_manifest, bc->replace,
				 at + strlen(bc->find));
	char *err = load_text(text, 0, NULL);
	ck_assert_msg(err != NULL, "case %d accepted:\n%s", _i, text);
	ck_assert_msg(strstr(err, bc->where) && strstr(err, bc->what), "case %d: got '%s', want '%s' and '%s'", _i,
		      err, bc->where, bc->what);
	ck_assert_msg(strstr(err, "manifest.yml") != NULL, "error names the file: %s", err);
	free(err);
	free(text);
}
END_TEST

START_TEST(test_empty_and_missing)
{
	char *err = load_text("", 0, NULL);
	ck_assert_ptr_nonnull(strstr(err, "empty manifest"));
	free(err);
	err = load_text("- a\n- b\n", 0, NULL);
	ck_assert_ptr_nonnull(strstr(err, ":1:1:"));
	free(err);
	struct manifest *m = NULL;
	char *path = pkg_strdupf("%s/nope.yml", dir);
	err = NULL;
	ck_assert_int_eq(manifest_load(path, 0, &m, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "nope.yml"));
	free(err);
	free(path);
}
END_TEST

START_TEST(test_too_big)
{
	char *path = pkg_strdupf("%s/manifest.yml", dir), *err = NULL;
	FILE *f = fopen(path, "w");
	fputs("description: \"", f);
	for (int i = 0; i < 1100 * 1024; i++)
		fputc('x', f);
	fputs("\"\n", f);
	fclose(f);
	struct manifest *m = NULL;
	ck_assert_int_eq(manifest_load(path, 0, &m, &err), -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "larger than"));
	free(err);
	free(path);
}
END_TEST

static void install_fake(const char *root, const char *name, const char *version)
{
	char *path = pkg_strdupf("%s/%s/%s/manifest.yml", root, name, version);
	pkgtest_write(path,
		      "name: %s\nversion: %s\nabi: \"1.0\"\ndescription: d\nlibrary: p.so\nkinds: [input]\n"
		      "requires: {network: false}\ncomponents: {input/%s: x}\noptions: {}\n"
		      "files: {p.so: \"sha256:" HASH "\"}\n",
		      name, version, name);
	free(path);
}

START_TEST(test_store_scan)
{
	char *a = pkg_strdupf("%s/a", dir), *b = pkg_strdupf("%s/b", dir), *missing = pkg_strdupf("%s/none", dir);
	install_fake(a, "zeta", "1.0.0");
	install_fake(a, "csv", "1.10.0");
	install_fake(a, "csv", "1.2.0");
	install_fake(b, "csv", "1.2.0");
	install_fake(b, "csv", "1.2.0-rc.1");
	install_fake(b, "csv", "2.0.0+build.7");
	/* Not entries: staging dirs, lock files, stray files. */
	char *p = pkg_strdupf("%s/csv/.staging-xyz/manifest.yml", a);
	pkgtest_write(p, "garbage: [");
	free(p);
	p = pkg_strdupf("%s/.lock", a);
	pkgtest_write(p, "%s", "");
	free(p);
	p = pkg_strdupf("%s/README.md", b);
	pkgtest_write(p, "%s", "hello");
	free(p);

	char *roots[] = {a, missing, b};
	struct store_entry *e = NULL;
	size_t n = 0;
	char *err = NULL;
	ck_assert_msg(store_scan(roots, 3, &e, &n, &err) == 0, "%s", err);
	ck_assert_uint_eq(n, 6);
	static const char *const want[][2] = {{"csv", "1.2.0-rc.1"}, {"csv", "1.2.0"}, {"csv", "1.2.0"},
					      {"csv", "1.10.0"}, {"csv", "2.0.0+build.7"}, {"zeta", "1.0.0"}};
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(e[i].name, want[i][0]);
		ck_assert_str_eq(e[i].version, want[i][1]);
		ck_assert_str_eq(e[i].m->version, want[i][1]);
		ck_assert(e[i].dir[0] == '/');
	}
	/* Same version in two roots: the earlier root first. */
	ck_assert_ptr_nonnull(strstr(e[1].root, "/a"));
	ck_assert_ptr_nonnull(strstr(e[2].root, "/b"));
	char *want_dir = pkg_strdupf("%s/csv/1.2.0", e[1].root);
	ck_assert_str_eq(e[1].dir, want_dir);
	free(want_dir);
	ck_assert_ptr_eq(store_find(e, n, "csv", "1.2.0"), &e[1]);
	ck_assert_ptr_null(store_find(e, n, "csv", "9.9.9"));
	store_entries_free(e, n);

	/* A manifest that disagrees with its directory is an error naming it. */
	install_fake(b, "json", "1.0.0");
	p = pkg_strdupf("%s/json/1.0.1", b);
	char *q = pkg_strdupf("%s/json/1.0.0", b);
	ck_assert_int_eq(rename(q, p), 0);
	e = NULL;
	ck_assert_int_lt(store_scan(roots, 3, &e, &n, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "json@1.0.1"));
	ck_assert_ptr_null(e);
	free(err);
	free(p);
	free(q);
	free(a);
	free(b);
	free(missing);
}
END_TEST

START_TEST(test_store_empty)
{
	char *roots[] = {dir};
	struct store_entry *e = (void *)1;
	size_t n = 99;
	char *err = NULL;
	ck_assert_int_eq(store_scan(roots, 1, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	store_entries_free(e, n);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_partial);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_empty_and_missing);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_store_scan);
	tcase_add_test(tc, test_store_empty);
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
