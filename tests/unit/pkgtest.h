/* Helpers for the packaging unit tests: temporary directories and files,
 * command output. */
#ifndef BH_TESTS_PKGTEST_H
#define BH_TESTS_PKGTEST_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "packaging/util.h"

/* A fresh directory under TMPDIR; the caller removes it with pkg_remove_tree. */
static inline char *pkgtest_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t = pkg_strdupf("%s/bhpkg-test-XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

/* Writes a file (creating parent directories) from a printf format. */
static inline void __attribute__((format(printf, 2, 3))) pkgtest_write(const char *path, const char *fmt, ...)
{
	va_list ap;
	char *dir = strdup(path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		ck_assert_int_eq(pkg_mkdir_p(dir), 0);
	}
	free(dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(fclose(f), 0);
}

/* The standard output of a shell command; the caller frees it. */
static inline char *pkgtest_command_output(const char *cmd)
{
	FILE *p = popen(cmd, "r"), *mem;
	char *out = NULL, buf[4096];
	size_t len = 0, n;
	ck_assert_ptr_nonnull(p);
	mem = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(mem);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, mem);
	pclose(p);
	ck_assert_int_eq(fclose(mem), 0);
	return out;
}

#endif
