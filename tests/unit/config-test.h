/* Helpers shared by the config unit tests (test-config*.c). */
#ifndef BH_TESTS_CONFIG_TEST_H
#define BH_TESTS_CONFIG_TEST_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/config.h"
#include "packaging/manifest.h"

/* ---- helpers ------------------------------------------------------------ */

static inline struct cfg_doc *load(const char *text)
{
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;
	int r = cfg_load_string("t.yml", text, strlen(text), &doc, &err);

	ck_assert_msg(r == 0, "load failed: %s", err ? err->text : "?");
	return doc;
}

/* Loads text expecting failure; returns the error text (caller frees). */
static inline char *load_error(const char *text, int expect_code)
{
	struct cfg_doc *doc = NULL;
	struct cfg_error *err = NULL;
	char *msg;
	int r = cfg_load_string("t.yml", text, strlen(text), &doc, &err);

	ck_assert_int_eq(r, expect_code);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(err);
	msg = strdup(err->text);
	cfg_error_free(err);
	return msg;
}

#define ck_assert_error(text, code, expected)                 \
	do {                                                   \
		char *m_ = load_error((text), (code));         \
		ck_assert_str_eq(m_, (expected));              \
		free(m_);                                      \
	} while (0)

static inline char *data_path(const char *name)
{
	const char *src = getenv("BULKHEAD_SRCDIR");
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/tests/data/config/%s", src ? src : ".", name), 0);
	return p;
}

/* ---- variables: --var definitions and a fixed run time -------------------- */

static char *const test_vars[] __attribute__((unused)) = {"day=2026-11-21", "n=42", "date=first", "date=second", "raw=${n}$$"};
static const struct cfg_var_context test_ctx __attribute__((unused)) = {
	.vars = test_vars, .var_count = 5, .time_sec = 1700000000, .time_nsec = 5,
};

static inline struct cfg_doc *expand(const char *text)
{
	struct cfg_doc *doc = load(text);
	struct cfg_error *err = NULL;
	int r = cfg_expand(doc, &test_ctx, &err);

	ck_assert_msg(r == 0, "expand failed: %s", err ? err->text : "?");
	return doc;
}

static inline void expand_error(const char *text, const char *expected)
{
	struct cfg_doc *doc = load(text);
	struct cfg_error *err = NULL;

	ck_assert_int_eq(cfg_expand(doc, &test_ctx, &err), -EINVAL);
	ck_assert_str_eq(err->text, expected);
	cfg_error_free(err);
	cfg_doc_free(doc);
}

/* full.yml needs ${day}. */
static const struct cfg_var_context full_ctx __attribute__((unused)) = {
	.vars = (char *const[]){"day=2026-11-21"}, .var_count = 1, .time_sec = 1700000000,
};

#endif
