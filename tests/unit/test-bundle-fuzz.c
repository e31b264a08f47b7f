/* Mutated bundles: flip, zero, truncate and duplicate bytes of a valid
 * bundle's tar stream (then gzip it again, so the mutation reaches the tar
 * and manifest parsers rather than stopping at the gzip CRC).  Every result
 * must either install completely or be rejected with a message and leave the
 * store exactly as it was; nothing may crash or hang. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "packaging/bundle.h"
#include "packaging/store.h"
#include "packaging/util.h"
#include "tests/unit/pkgtest.h"

#define ROUNDS 1500

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

/* A small valid bundle, packed by bundle_pack. */
static void make_bundle(const char *out)
{
	char *src = pkg_strdupf("%s/src", dir), *path, *self = NULL, *err = NULL;
	size_t self_len = 0;
	path = pkg_strdupf("%s/manifest.yml", src);
	pkgtest_write(path, "name: fuzzed\nversion: 1.0.0\nabi: \"1.0\"\ndescription: d\nlibrary: f.so\n"
			    "kinds: [filter]\nrequires: {network: false}\n");
	free(path);
	/* A tiny "library": the first 4 KiB of our own executable keep its ELF header. */
	ck_assert_int_eq(pkg_read_file("/proc/self/exe", 64 << 20, &self, &self_len), 0);
	path = pkg_strdupf("%s/f.so", src);
	FILE *f = fopen(path, "w");
	fwrite(self, 1, self_len < 4096 ? self_len : 4096, f);
	fclose(f);
	free(path);
	free(self);
	path = pkg_strdupf("%s/data/a.txt", src);
	pkgtest_write(path, "alpha");
	free(path);
	json_t *d = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:s}]}]}", "name", "fuzzed",
			      "version", "1.0.0", "components", "kind", "filter", "type", "fuzzed", "description",
			      "x", "options", "name", "n", "type", "long", "default", "1", "required", 0,
			      "description", "n");
	ck_assert_msg(bundle_pack(src, NULL, d, out, NULL, &err) == 0, "%s", err);
	json_decref(d);
	free(src);
}

/* The bundle's uncompressed tar stream. */
static unsigned char *gunzip(const char *path, size_t *len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	ck_assert_int_eq(archive_read_open_filename(a, path, 65536), ARCHIVE_OK);
	ck_assert_int_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
	size_t cap = 1 << 20, n = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (n == cap)
			buf = realloc(buf, cap *= 2);
		la_ssize_t k = archive_read_data(a, buf + n, cap - n);
		ck_assert_int_ge(k, 0);
		if (k == 0)
			break;
		n += (size_t)k;
	}
	archive_read_free(a);
	*len = n;
	return buf;
}

static void gzip_to(const char *path, const unsigned char *data, size_t len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_raw(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "raw");
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	if (len)
		ck_assert_int_eq(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(e);
}

static char *listing(const char *store)
{
	char *cmd = pkg_strdupf("cd '%s' && find . \\( -path ./.lock -o -path ./.in-use \\) -prune -o -print | sort",
				store);
	char *out = pkgtest_command_output(cmd);
	free(cmd);
	return out;
}

START_TEST(test_mutations)
{
	char *good = pkg_strdupf("%s/good.bhp", dir), *bad = pkg_strdupf("%s/bad.bhp", dir);
	char *store = pkg_strdupf("%s/store", dir), *keys = pkg_strdupf("%s/keys", dir);
	size_t len = 0;
	make_bundle(good);
	unsigned char *tar = gunzip(good, &len);
	unsigned char *m = malloc(len * 2 + 1024);
	struct bundle_options o = {.keys_dir = keys};
	unsigned accepted = 0, rejected = 0;
	ck_assert_int_eq(pkg_mkdir_p(store), 0);
	char *before = listing(store);

	srand(12345);
	for (int round = 0; round < ROUNDS; round++) {
		size_t n = len;
		memcpy(m, tar, len);
		int kind = rand() % 5, count = 1 + rand() % 4;
		for (int k = 0; k < count; k++) {
			/* Headers live in the first bytes of each 512-byte block: aim there often. */
			size_t at = (size_t)rand() % n;
			if (rand() % 2)
				at -= at % 512, at += (size_t)(rand() % 160);
			if (at >= n)
				at = n - 1;
			switch (kind) {
			case 0:
				m[at] ^= (unsigned char)(1 + rand() % 255);
				break;
			case 1:
				m[at] = 0;
				break;
			case 2:
				m[at] = (unsigned char)"0123456789/.\0 xL5"[rand() % 17];
				break;
			case 3:
				n = at + 1; /* truncate */
				break;
			case 4: /* duplicate a block */
				if (n + 512 <= len * 2 + 1024) {
					size_t blk = at - at % 512;
					memmove(m + blk + 512, m + blk, n - blk);
					n += 512;
				}
				break;
			}
		}
		gzip_to(bad, m, n);
		struct bundle_report rep = {0};
		char *err = NULL;
		int r = bundle_install(bad, store, &o, &rep, &err);
		if (r == 0) {
			/* Accepted: it must be complete and valid, then we take it out again. */
			accepted++;
			ck_assert_ptr_nonnull(rep.m);
			ck_assert_int_eq(bundle_remove(store, rep.m->name, rep.m->version, 1, &err), 0);
			bundle_report_clear(&rep);
		} else {
			rejected++;
			ck_assert_msg(err != NULL && *err, "round %d: rejected without a message", round);
		}
		free(err);
		char *after = listing(store);
		ck_assert_msg(strcmp(before, after) == 0, "round %d: store changed:\n%s", round, after);
		free(after);
	}
	fprintf(stderr, "mutations: %u accepted (harmless), %u rejected\n", accepted, rejected);
	ck_assert_uint_gt(rejected, ROUNDS / 2);
	free(before);
	free(m);
	free(tar);
	free(good);
	free(bad);
	free(store);
	free(keys);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bundle-fuzz");
	TCase *tc = tcase_create("mutations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_mutations);
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
