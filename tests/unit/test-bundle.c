/* Bundles: every rejection case (archives built here from scratch), pack,
 * install/re-install/remove, signatures (made with the minisign tool), a
 * crash at each step of an install, and concurrent installs. */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "packaging/bundle.h"
#include "packaging/store.h"
#include "packaging/util.h"
#include "tests/unit/pkgtest.h"

static char *dir, *store, *keys;
static char *elf_data; /* an ELF shared object (PIE) for this machine: our own executable */
static size_t elf_len;

static void setup(void)
{
	dir = pkgtest_tmpdir();
	store = pkg_strdupf("%s/store", dir);
	keys = pkg_strdupf("%s/keys", dir);
	ck_assert_int_eq(pkg_mkdir_p(store), 0);
	ck_assert_int_eq(pkg_mkdir_p(keys), 0);
	if (elf_data == NULL)
		ck_assert_int_eq(pkg_read_file("/proc/self/exe", 64 << 20, &elf_data, &elf_len), 0);
}

static void teardown(void)
{
	pkg_remove_tree(dir);
	free(dir);
	free(store);
	free(keys);
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* One archive entry of a test bundle. */
struct entry {
	const char *path;
	mode_t type;          /* AE_IFREG (default when 0), AE_IFDIR, AE_IFLNK, ... */
	mode_t perm;          /* 0 -> 0644 */
	const char *data;     /* NULL with len 0 -> empty */
	size_t len;
	const char *link;     /* symlink target or hardlink source */
	int hardlink;
};

/* Writes a tar.gz (gzip = 0: plain tar) of entries. */
static void write_archive(const char *path, const struct entry *e, size_t n, int gzip)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_filetype(ae, e[i].type ? e[i].type : AE_IFREG);
		archive_entry_set_perm(ae, e[i].perm ? e[i].perm : 0644);
		if (e[i].hardlink) {
			archive_entry_set_hardlink(ae, e[i].link);
		} else if (e[i].link) {
			archive_entry_set_symlink(ae, e[i].link);
		}
		size_t len = (e[i].type == 0 || e[i].type == AE_IFREG) && !e[i].hardlink ? e[i].len : 0;
		archive_entry_set_size(ae, (la_int64_t)len);
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (len)
			ck_assert_int_eq(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* A valid manifest for name@version listing files (path, data) pairs. */
static char *manifest_text(const char *name, const char *version, const char *abi, const struct entry *files,
			   size_t n)
{
	char *files_yaml = strdup("");
	for (size_t i = 0; i < n; i++) {
		char hex[65];
		sha256_hex(files[i].data, files[i].len, hex);
		char *next = pkg_strdupf("%s  %s: sha256:%s\n", files_yaml, files[i].path, hex);
		free(files_yaml);
		files_yaml = next;
	}
	char *m = pkg_strdupf("name: %s\nversion: %s\nabi: \"%s\"\ndescription: test plugin\nlibrary: lib/%s.so\n"
			      "kinds: [filter]\nrequires: {network: false}\ncomponents: {filter/%s: does nothing}\n"
			      "options:\n  filter/%s:\n    - {name: level, type: long, default: \"3\", required: false, "
			      "description: how much}\nfiles:\n%s",
			      name, version, abi, name, name, name, files_yaml);
	free(files_yaml);
	return m;
}

/* Builds a good bundle for name@version into path; extra_data varies its content. */
static void good_bundle(const char *path, const char *name, const char *version, const char *extra_data)
{
	char lib[80];
	snprintf(lib, sizeof(lib), "lib/%s.so", name);
	struct entry files[] = {{.path = lib, .data = elf_data, .len = elf_len, .perm = 0755},
				{.path = "share/data.txt", .data = extra_data, .len = strlen(extra_data)}};
	char *m = manifest_text(name, version, "1.0", files, 2);
	struct entry all[] = {{.path = "manifest.yml", .data = m, .len = strlen(m)}, files[0], files[1]};
	write_archive(path, all, 3, 1);
	free(m);
}

static int install(const char *bundle, const struct bundle_options *o, char **err)
{
	struct bundle_report rep = {0};
	struct bundle_options def = {.keys_dir = keys};
	int r = bundle_install(bundle, store, o ? o : &def, &rep, err);
	bundle_report_clear(&rep);
	return r;
}

/* A listing of everything in the store (paths, modes, sizes, content hashes),
 * except the lock files that locking itself creates. */
static char *snapshot(void)
{
	char *cmd = pkg_strdupf("cd '%s' && find . \\( -path ./.lock -o -path ./.in-use \\) -prune -o "
				"-printf '%%p %%m %%s\\n' | sort && find . \\( -path ./.lock -o -path ./.in-use \\) "
				"-prune -o -type f -exec sha256sum {} + | sort",
				store);
	char *out = pkgtest_command_output(cmd);
	free(cmd);
	return out;
}

/* ---- rejected bundles --------------------------------------------------- */

struct bad {
	const char *what;   /* expected text in the error */
	int nfiles;         /* how many of the standard files the manifest lists (2) */
	struct entry extra; /* one more archive entry */
	int no_manifest;
	const char *manifest_override;
	const char *abi;
	int replace_lib;    /* 1: text library, 2: other machine, 3: not a shared object */
	int plain_tar;
	int bad_hash;
};

static const struct bad bad_cases[] = {
	{.what = "'..'", .nfiles = 2, .extra = {.path = "../evil", .data = "x", .len = 1}},
	{.what = "'..'", .nfiles = 2, .extra = {.path = "share/../../evil", .data = "x", .len = 1}},
	{.what = "absolute path", .nfiles = 2, .extra = {.path = "/tmp/evil-bhp", .data = "x", .len = 1}},
	{.what = "symbolic link", .nfiles = 2, .extra = {.path = "share/link", .type = AE_IFLNK, .link = "/etc/passwd"}},
	{.what = "hard link", .nfiles = 2, .extra = {.path = "share/hard", .link = "manifest.yml", .hardlink = 1}},
	{.what = "character device", .nfiles = 2, .extra = {.path = "share/dev", .type = AE_IFCHR}},
	{.what = "block device", .nfiles = 2, .extra = {.path = "share/blk", .type = AE_IFBLK}},
	{.what = "FIFO", .nfiles = 2, .extra = {.path = "share/fifo", .type = AE_IFIFO}},
	{.what = "setuid", .nfiles = 2, .extra = {.path = "share/suid", .perm = 04755, .data = "x", .len = 1}},
	{.what = "setuid or setgid", .nfiles = 2, .extra = {.path = "share/sgid", .perm = 02755, .data = "x", .len = 1}},
	{.what = "not listed in the manifest", .nfiles = 2, .extra = {.path = "share/unlisted.txt", .data = "x", .len = 1}},
	{.what = "listed in the manifest but missing", .nfiles = 3, .extra = {0}},
	{.what = "hash mismatch", .nfiles = 2, .extra = {0}, .bad_hash = 1},
	{.what = "no manifest.yml", .nfiles = 2, .extra = {0}, .no_manifest = 1},
	{.what = "invalid manifest: manifest.yml:2:", .nfiles = 2, .extra = {0}, .manifest_override = "name: [unclosed\n"},
	{.what = "invalid manifest: manifest.yml:1:1: missing field 'version'", .nfiles = 2, .extra = {0},
	 .manifest_override = "name: x\nabi: \"1\"\ndescription: d\nlibrary: a.so\nkinds: [input]\n"
			      "requires: {network: false}\ncomponents: {input/x: d}\noptions: {}\nfiles: {a.so: "
			      "\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n"},
	{.what = "ABI 2.0 is not supported", .nfiles = 2, .extra = {0}, .abi = "2.0"},
	{.what = "ABI 1.9 is not supported", .nfiles = 2, .extra = {0}, .abi = "1.9"},
	{.what = "not an ELF shared object", .nfiles = 2, .extra = {0}, .replace_lib = 1},
	{.what = "built for another machine", .nfiles = 2, .extra = {0}, .replace_lib = 2},
	{.what = "not a shared object", .nfiles = 2, .extra = {0}, .replace_lib = 3},
	{.what = "not a tar.gz bundle", .nfiles = 2, .extra = {0}, .plain_tar = 1},
	{.what = "duplicate entry", .nfiles = 2, .extra = {.path = "share/data.txt", .data = "again", .len = 5}},
	{.what = "longer than 1024 bytes", .nfiles = 2, .extra = {.path = NULL}}, /* filled in by the test */
};

START_TEST(test_rejected)
{
	const struct bad *bc = &bad_cases[_i];
	char *bundle = pkg_strdupf("%s/bad.bhp", dir), *good = pkg_strdupf("%s/good.bhp", dir), *err = NULL;
	char longpath[1200];

	/* A store with one plugin in it, to show it stays byte-for-byte the same. */
	good_bundle(good, "keep", "1.0.0", "kept");
	ck_assert_msg(install(good, NULL, &err) == 0, "%s", err);
	char *before = snapshot();

	char *lib = elf_data;
	size_t lib_len = elf_len;
	char *altered = NULL;
	if (bc->replace_lib == 1) {
		lib = "#!/bin/sh\necho not a library\n";
		lib_len = strlen(lib);
	} else if (bc->replace_lib >= 2) {
		altered = malloc(elf_len);
		memcpy(altered, elf_data, elf_len);
		Elf64_Ehdr *h = (Elf64_Ehdr *)altered;
		if (bc->replace_lib == 2)
			h->e_machine = h->e_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64;
		else
			h->e_type = ET_REL;
		lib = altered;
	}
	struct entry files[3] = {{.path = "lib/p.so", .data = lib, .len = lib_len, .perm = 0755},
				 {.path = "share/data.txt", .data = "data", .len = 4},
				 {.path = "share/never-shipped.txt", .data = "ghost", .len = 5}};
	char *m = manifest_text("p", "1.0.0", bc->abi ? bc->abi : "1.0", files, (size_t)bc->nfiles);
	if (bc->bad_hash)
		files[1].data = "DATA"; /* listed hash is of "data" */
	if (bc->manifest_override) {
		free(m);
		m = strdup(bc->manifest_override);
	}
	struct entry all[5];
	size_t n = 0;
	if (!bc->no_manifest)
		all[n++] = (struct entry){.path = "manifest.yml", .data = m, .len = strlen(m)};
	all[n++] = files[0];
	all[n++] = files[1];
	if (bc->extra.path || strstr(bc->what, "longer than")) {
		all[n] = bc->extra;
		if (all[n].path == NULL) {
			memset(longpath, 'a', sizeof(longpath) - 1);
			longpath[sizeof(longpath) - 1] = '\0';
			for (size_t k = 100; k < sizeof(longpath) - 1; k += 100)
				longpath[k] = '/';
			all[n].path = longpath;
			all[n].data = "x";
			all[n].len = 1;
		}
		n++;
	}
	write_archive(bundle, all, n, !bc->plain_tar);

	struct bundle_report rep = {0};
	struct bundle_options o = {.keys_dir = keys};
	int r = bundle_verify(bundle, &o, &rep, &err);
	ck_assert_msg(r < 0, "case %d (%s): verify accepted", _i, bc->what);
	ck_assert_msg(strstr(err, bc->what) != NULL, "case %d: got '%s', want '%s'", _i, err, bc->what);
	free(err);
	err = NULL;
	r = install(bundle, NULL, &err);
	ck_assert_msg(r < 0, "case %d (%s): install accepted", _i, bc->what);
	ck_assert_msg(strstr(err, bc->what) != NULL, "case %d: got '%s', want '%s'", _i, err, bc->what);
	char *after = snapshot();
	ck_assert_str_eq(before, after);
	ck_assert_int_ne(access("/tmp/evil-bhp", F_OK), 0);
	char *evil = pkg_strdupf("%s/evil", store);
	ck_assert_int_ne(access(evil, F_OK), 0);
	free(evil);
	free(before);
	free(after);
	free(err);
	free(m);
	free(altered);
	free(bundle);
	free(good);
}
END_TEST

START_TEST(test_limits)
{
	char *bundle = pkg_strdupf("%s/big.bhp", dir), *err = NULL;
	struct bundle_limits lim = {.max_entries = 8, .max_bytes = 4 << 20, .max_path = 100,
				    .max_archive_bytes = 64 << 20};
	struct bundle_options o = {.keys_dir = keys, .limits = &lim};
	struct bundle_report rep = {0};

	/* A decompression bomb: 16 MiB of zeros is a few KB compressed. */
	char *zeros = calloc(1, 16 << 20);
	struct entry bomb[] = {{.path = "manifest.yml", .data = "x", .len = 1},
			       {.path = "zeros", .data = zeros, .len = 16 << 20}};
	write_archive(bundle, bomb, 2, 1);
	struct stat st;
	stat(bundle, &st);
	ck_assert_int_lt(st.st_size, 100000);
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, "decompression bomb"));
	free(err);
	err = NULL;
	free(zeros);

	/* Too many entries. */
	struct entry many[12];
	char names[12][16];
	for (int i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d", i);
		many[i] = (struct entry){.path = names[i], .data = "x", .len = 1};
	}
	write_archive(bundle, many, 12, 1);
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "more than 8 entries"));
	free(err);
	err = NULL;

	/* A path over the limit. */
	char path[150];
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	struct entry lp[] = {{.path = path, .data = "x", .len = 1}};
	write_archive(bundle, lp, 1, 1);
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), -ENAMETOOLONG);
	free(err);
	err = NULL;

	/* The archive file itself over the limit. */
	lim.max_archive_bytes = 10;
	good_bundle(bundle, "p", "1.0.0", "x");
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), -EFBIG);
	free(err);
	free(bundle);
}
END_TEST

START_TEST(test_truncated_and_corrupt)
{
	char *bundle = pkg_strdupf("%s/p.bhp", dir), *err = NULL, *data = NULL;
	size_t len = 0;
	good_bundle(bundle, "p", "1.0.0", "some data");
	ck_assert_int_eq(pkg_read_file(bundle, 64 << 20, &data, &len), 0);
	char *before = snapshot();
	/* Truncated at several points. */
	size_t cuts[] = {10, len / 4, len / 2, len - 20, len - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		FILE *f = fopen(bundle, "w");
		fwrite(data, 1, cuts[i], f);
		fclose(f);
		ck_assert_msg(install(bundle, NULL, &err) < 0, "truncated at %zu accepted", cuts[i]);
		ck_assert_msg(strstr(err, "truncated or corrupt") || strstr(err, "not a tar.gz"), "%s", err);
		free(err);
		err = NULL;
	}
	/* Corrupted in the middle of the compressed stream. */
	for (size_t k = 0; k < 64; k++)
		data[len / 2 + k] ^= 0x5a;
	pkgtest_write(bundle, "%s", ""); /* truncate, then write raw bytes */
	FILE *f = fopen(bundle, "w");
	fwrite(data, 1, len, f);
	fclose(f);
	ck_assert_int_lt(install(bundle, NULL, &err), 0);
	ck_assert_msg(strstr(err, "truncated or corrupt") || strstr(err, "hash mismatch"), "%s", err);
	char *after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	free(err);
	free(data);
	free(bundle);
}
END_TEST

/* ---- install, re-install, remove --------------------------------------- */

START_TEST(test_install_and_reinstall)
{
	char *a = pkg_strdupf("%s/a.bhp", dir), *b = pkg_strdupf("%s/b.bhp", dir), *err = NULL;
	struct bundle_report rep = {0};
	struct bundle_options o = {.keys_dir = keys};

	good_bundle(a, "csv", "1.4.2", "first");
	ck_assert_msg(bundle_install(a, store, &o, &rep, &err) == 0, "%s", err);
	ck_assert_int_eq(rep.already_installed, 0);
	ck_assert_int_eq(rep.signature, BUNDLE_UNSIGNED);
	ck_assert_str_eq(rep.m->name, "csv");
	char *want = pkg_strdupf("%s/csv/1.4.2", store);
	ck_assert_str_eq(rep.dir, want);
	bundle_report_clear(&rep);
	/* Installed files are read-only and match. */
	char *data = pkg_strdupf("%s/share/data.txt", want), *text = NULL;
	struct stat st;
	ck_assert_int_eq(stat(data, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0444);
	ck_assert_int_eq(pkg_read_file(data, 100, &text, NULL), 0);
	ck_assert_str_eq(text, "first");
	free(text);
	/* Same bundle again: fine, nothing changes. */
	ck_assert_int_eq(bundle_install(a, store, &o, &rep, &err), 0);
	ck_assert_int_eq(rep.already_installed, 1);
	bundle_report_clear(&rep);
	/* Same name@version, different content: refused, store unchanged. */
	char *before = snapshot();
	good_bundle(b, "csv", "1.4.2", "second");
	ck_assert_int_eq(bundle_install(b, store, &o, &rep, &err), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "already installed with different content"));
	free(err);
	err = NULL;
	char *after = snapshot();
	ck_assert_str_eq(before, after);
	/* A second version installs side by side. */
	good_bundle(b, "csv", "1.5.0", "second");
	ck_assert_int_eq(bundle_install(b, store, &o, &rep, &err), 0);
	bundle_report_clear(&rep);
	char *roots[] = {store};
	struct store_entry *e = NULL;
	size_t n = 0;
	ck_assert_int_eq(store_scan(roots, 1, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(e[0].version, "1.4.2");
	ck_assert_str_eq(e[1].version, "1.5.0");
	store_entries_free(e, n);

	/* Remove refuses while a run holds the version, unless forced. */
	int use = -1;
	ck_assert_int_eq(store_use_version(store, "csv", "1.4.2", &use, &err), 0);
	ck_assert_int_eq(bundle_remove(store, "csv", "1.4.2", 0, &err), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "in use by a running transfer"));
	free(err);
	err = NULL;
	ck_assert_int_eq(access(want, F_OK), 0);
	store_unlock(use);
	ck_assert_int_eq(bundle_remove(store, "csv", "1.4.2", 0, &err), 0);
	ck_assert_int_ne(access(want, F_OK), 0);
	ck_assert_int_eq(bundle_remove(store, "csv", "1.4.2", 0, &err), -ENOENT);
	free(err);
	err = NULL;
	ck_assert_int_eq(store_use_version(store, "csv", "1.5.0", &use, &err), 0);
	ck_assert_int_eq(bundle_remove(store, "csv", "1.5.0", 1, &err), 0);
	store_unlock(use);
	char *name_dir = pkg_strdupf("%s/csv", store);
	ck_assert_int_ne(access(name_dir, F_OK), 0); /* last version gone: no empty name dir */
	free(name_dir);
	free(before);
	free(after);
	free(data);
	free(want);
	free(a);
	free(b);
}
END_TEST

/* ---- crash during install ------------------------------------------------ */

static void crash_at(const char *point)
{
	const char *want = getenv("BH_TEST_CRASH_POINT");
	if (want && strcmp(want, point) == 0)
		_exit(42);
}

START_TEST(test_crash)
{
	static const char *const points[] = {"extracted", "verified", "before-rename", "renamed"};
	const char *point = points[_i];
	char *bundle = pkg_strdupf("%s/c.bhp", dir), *keep = pkg_strdupf("%s/k.bhp", dir), *err = NULL;
	good_bundle(keep, "keep", "1.0.0", "kept");
	ck_assert_int_eq(install(keep, NULL, &err), 0);
	good_bundle(bundle, "crashy", "2.0.0", "payload");
	char *before = snapshot();

	pid_t pid = fork();
	if (pid == 0) {
		setenv("BH_TEST_CRASH_POINT", point, 1);
		bundle_crash_hook = crash_at;
		char *e = NULL;
		install(bundle, NULL, &e);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 42);

	/* The scan sees either nothing new or the complete version, never a part. */
	char *roots[] = {store};
	struct store_entry *e = NULL;
	size_t n = 0;
	ck_assert_msg(store_scan(roots, 1, &e, &n, &err) == 0, "%s", err);
	int renamed = strcmp(point, "renamed") == 0;
	ck_assert_uint_eq(n, renamed ? 2 : 1);
	store_entries_free(e, n);
	if (!renamed) {
		/* Apart from a hidden staging dir, the store is as it was; the next
		 * install cleans the leftover and succeeds. */
		ck_assert_int_eq(install(bundle, NULL, &err), 0);
		char *cmd = pkg_strdupf("ls -a '%s' | grep -c staging", store);
		char *count = pkgtest_command_output(cmd);
		ck_assert_str_eq(count, "0\n");
		free(count);
		free(cmd);
		ck_assert_int_eq(bundle_remove(store, "crashy", "2.0.0", 0, &err), 0);
		char *after = snapshot();
		ck_assert_str_eq(before, after);
		free(after);
	} else {
		struct bundle_report rep = {0};
		struct bundle_options o = {.keys_dir = keys};
		ck_assert_int_eq(bundle_install(bundle, store, &o, &rep, &err), 0);
		ck_assert_int_eq(rep.already_installed, 1);
		bundle_report_clear(&rep);
	}
	free(before);
	free(bundle);
	free(keep);
}
END_TEST

START_TEST(test_concurrent_installs)
{
	enum { N = 6 };
	char *bundles[N];
	for (int i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i % 3); /* pairs install the very same bundle */
		bundles[i] = pkg_strdupf("%s/%d.bhp", dir, i % 3);
		if (i < 3)
			good_bundle(bundles[i], name, "1.0.0", name);
	}
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char *e = NULL;
			_exit(install(bundles[i], NULL, &e) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int status;
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "install %d failed", i);
		free(bundles[i]);
	}
	char *roots[] = {store}, *err = NULL;
	struct store_entry *e = NULL;
	size_t n = 0;
	ck_assert_int_eq(store_scan(roots, 1, &e, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	store_entries_free(e, n);
}
END_TEST

/* ---- pack ---------------------------------------------------------------- */

static json_t *describe_json(const char *name, const char *version)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:s}, {s:s, s:s, s:n, "
			 "s:b, s:s}]}]}",
			 "name", name, "version", version, "abi", "1.0", "description", "d", "components", "kind",
			 "filter", "type", name, "description", "Adds things", "options", "name", "sep", "type",
			 "string", "default", ",", "required", 0, "description", "Separator", "name", "columns",
			 "type", "columns", "default", "required", 1, "description", "The schema");
}

START_TEST(test_pack)
{
	char *src = pkg_strdupf("%s/src", dir), *p1 = pkg_strdupf("%s/one.bhp", dir),
	     *p2 = pkg_strdupf("%s/two.bhp", dir), *err = NULL, *path;
	path = pkg_strdupf("%s/manifest.yml", src);
	pkgtest_write(path, "name: adder\nversion: 0.3.0\nabi: \"1.0\"\ndescription: adds\nlibrary: adder.so\n"
			    "kinds: [filter]\nrequires: {network: false}\n");
	free(path);
	path = pkg_strdupf("%s/adder.so", src);
	FILE *f = fopen(path, "w");
	fwrite(elf_data, 1, elf_len, f);
	fclose(f);
	chmod(path, 0755);
	free(path);
	path = pkg_strdupf("%s/data/words.txt", src);
	pkgtest_write(path, "alpha\nbeta\n");
	free(path);
	path = pkg_strdupf("%s/.gitignore", src);
	pkgtest_write(path, "*.o\n");
	free(path);
	path = pkg_strdupf("%s/old.bhp", src);
	pkgtest_write(path, "not me");
	free(path);

	json_t *d = describe_json("adder", "0.3.0");
	struct manifest *m = NULL;
	ck_assert_msg(bundle_pack(src, NULL, d, p1, &m, &err) == 0, "%s", err);
	ck_assert_uint_eq(m->file_count, 2);
	ck_assert_str_eq(m->files[0].path, "adder.so");
	ck_assert_str_eq(m->files[1].path, "data/words.txt");
	ck_assert_uint_eq(m->component_count, 1);
	ck_assert_uint_eq(m->components[0].option_count, 2);
	ck_assert_str_eq(m->components[0].options[0].default_value, ",");
	ck_assert_int_eq(m->components[0].options[1].required, 1);
	manifest_free(m);
	/* Reproducible: packing again gives the same bytes. */
	ck_assert_int_eq(bundle_pack(src, NULL, d, p2, NULL, &err), 0);
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	ck_assert_int_eq(pkg_read_file(p1, 64 << 20, &a, &la), 0);
	ck_assert_int_eq(pkg_read_file(p2, 64 << 20, &b, &lb), 0);
	ck_assert(la == lb && memcmp(a, b, la) == 0);
	free(a);
	free(b);
	/* And it verifies and installs. */
	ck_assert_msg(install(p1, NULL, &err) == 0, "%s", err);
	json_decref(d);

	/* The library must agree with the manifest. */
	d = describe_json("adder", "0.4.0");
	ck_assert_int_lt(bundle_pack(src, NULL, d, p2, NULL, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "0.4.0"));
	free(err);
	err = NULL;
	json_decref(d);
	d = describe_json("other", "0.3.0");
	ck_assert_int_lt(bundle_pack(src, NULL, d, p2, NULL, &err), 0);
	free(err);
	err = NULL;
	json_decref(d);
	/* --library mode: only the manifest and that library. */
	d = describe_json("adder", "0.3.0");
	char *lib = pkg_strdupf("%s/adder.so", src);
	ck_assert_int_eq(bundle_pack(src, lib, d, p2, &m, &err), 0);
	ck_assert_uint_eq(m->file_count, 1);
	manifest_free(m);
	json_decref(d);
	free(lib);
	free(src);
	free(p1);
	free(p2);
}
END_TEST

/* ---- signatures ---------------------------------------------------------- */

static int have_minisign(void)
{
	return system("minisign -v >/dev/null 2>&1") == 0;
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char *cmd = pkg_strdupf(fmt, a, b);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
	free(cmd);
}

START_TEST(test_signatures)
{
	if (!have_minisign()) {
		fprintf(stderr, "test_signatures: minisign not installed, skipped\n");
		return;
	}
	char *bundle = pkg_strdupf("%s/s.bhp", dir), *err = NULL;
	struct bundle_report rep = {0};
	struct bundle_options o = {.keys_dir = keys, .require_signature = 1};
	good_bundle(bundle, "signed", "1.0.0", "payload");
	/* Two key pairs: one trusted, one not. */
	sh("cd '%s' && minisign -G -W -p trusted.pub -s trusted.key >/dev/null && "
	   "minisign -G -W -p stranger.pub -s stranger.key >/dev/null%s", dir, "");
	sh("cp '%s/trusted.pub' '%s/'", dir, keys);

	/* Unsigned: refused when required, fine otherwise. */
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), SIGNATURE_ENOSIG);
	free(err);
	err = NULL;
	o.require_signature = 0;
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), 0);
	ck_assert_int_eq(rep.signature, BUNDLE_UNSIGNED);
	bundle_report_clear(&rep);
	o.require_signature = 1;

	/* Signed by the trusted key (prehashed, minisign's default). */
	sh("minisign -S -W -s '%s/trusted.key' -m '%s' -t 'release 1.0.0' >/dev/null", dir, bundle);
	ck_assert_msg(bundle_verify(bundle, &o, &rep, &err) == 0, "%s", err);
	ck_assert_int_eq(rep.signature, BUNDLE_SIGNED);
	ck_assert_int_eq(rep.sig.prehashed, 1);
	ck_assert_str_eq(rep.sig.trusted_comment, "release 1.0.0");
	bundle_report_clear(&rep);
	/* Legacy (non-prehashed) signatures too. */
	sh("minisign -S -l -W -s '%s/trusted.key' -m '%s' >/dev/null", dir, bundle);
	ck_assert_msg(bundle_verify(bundle, &o, &rep, &err) == 0, "%s", err);
	ck_assert_int_eq(rep.sig.prehashed, 0);
	bundle_report_clear(&rep);

	/* The trusted comment cannot be edited. */
	char *sig = pkg_strdupf("%s.minisig", bundle);
	sh("minisign -S -W -s '%s/trusted.key' -m '%s' -t 'release 1.0.0' >/dev/null", dir, bundle);
	sh("sed -i 's/^trusted comment: release 1.0.0/trusted comment: release 9.9.9/' '%s'%s", sig, "");
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), SIGNATURE_EBAD);
	ck_assert_ptr_nonnull(strstr(err, "trusted comment"));
	free(err);
	err = NULL;

	/* A signature of other content (the bundle was changed after signing). */
	sh("minisign -S -W -s '%s/trusted.key' -m '%s' >/dev/null", dir, bundle);
	good_bundle(bundle, "signed", "1.0.0", "tampered payload");
	char *before = snapshot();
	ck_assert_int_eq(install(bundle, &o, &err), SIGNATURE_EBAD);
	ck_assert_ptr_nonnull(strstr(err, "does not match"));
	free(err);
	err = NULL;
	/* Even when signatures are optional, a bad one is fatal. */
	o.require_signature = 0;
	ck_assert_int_eq(install(bundle, &o, &err), SIGNATURE_EBAD);
	free(err);
	err = NULL;
	char *after = snapshot();
	ck_assert_str_eq(before, after);

	/* Signed by a key that is not trusted. */
	sh("minisign -S -W -s '%s/stranger.key' -m '%s' >/dev/null", dir, bundle);
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), 0);
	ck_assert_int_eq(rep.signature, BUNDLE_UNTRUSTED);
	ck_assert_int_eq(strlen(rep.sig.key_id), 16);
	bundle_report_clear(&rep);
	o.require_signature = 1;
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), SIGNATURE_EUNTRUSTED);
	ck_assert_ptr_nonnull(strstr(err, "not in"));
	free(err);
	err = NULL;
	/* Garbage in the signature file. */
	pkgtest_write(sig, "untrusted comment: x\nnot base64!\ntrusted comment: y\nzzz\n");
	ck_assert_int_eq(bundle_verify(bundle, &o, &rep, &err), SIGNATURE_EBAD);
	free(err);
	err = NULL;
	/* An explicit --signature path that does not exist is an error, not "unsigned". */
	o.require_signature = 0;
	o.signature_path = "/nonexistent.minisig";
	ck_assert_int_lt(bundle_verify(bundle, &o, &rep, &err), 0);
	free(err);
	free(before);
	free(after);
	free(sig);
	free(bundle);
}
END_TEST

START_TEST(test_elf_and_abi)
{
	char *err = NULL;
	ck_assert_int_eq(bundle_check_abi("1", &err), 0);
	ck_assert_int_eq(bundle_check_abi("1.0", &err), 0);
	ck_assert_int_eq(bundle_check_abi("1.1", &err), 0); /* this host's ABI */
	ck_assert_int_eq(bundle_check_abi("1.2", &err), -ENOTSUP);
	free(err);
	err = NULL;
	ck_assert_int_eq(bundle_check_abi("0.9", &err), -ENOTSUP);
	free(err);
	err = NULL;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert_msg(bundle_check_elf(self, &err) == 0, "%s", err);
	ck_assert_int_lt(bundle_check_elf("/etc/passwd", &err), 0);
	free(err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("bundle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_rejected, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_truncated_and_corrupt);
	tcase_add_test(tc, test_install_and_reinstall);
	tcase_add_loop_test(tc, test_crash, 0, 4);
	tcase_add_test(tc, test_concurrent_installs);
	tcase_add_test(tc, test_pack);
	tcase_add_test(tc, test_signatures);
	tcase_add_test(tc, test_elf_and_abi);
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
