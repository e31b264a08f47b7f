/* Shared by the parser fuzz targets: loads a plugin next to the fuzzer (or
 * from $BH_FUZZ_PLUGIN_DIR) through the test kit, runs one input at two chunk
 * sizes and checks what must hold for any input. */
#ifndef BH_FUZZ_PARSE_H
#define BH_FUZZ_PARSE_H

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <bulkhead/testkit.h>

/* Rejects kept per run: far more than the -max_len of any sane fuzz run. */
#define FUZZ_MAX_REJECTS 1000000

/* A fixed parser config and whether the fuzzer can count its records. */
struct fuzz_config {
	const char *json;
	int stop;  /* stop_on_invalid_record: true */
	int count; /* lines map one to one to records or rejects */
};

static bh_testkit *fuzz_tk;

/* Opens <dir of argv[0]>/<name>.so, aborting when it can not. */
static void fuzz_open_plugin(const char *argv0, const char *name)
{
	char path[4096], self[4096];
	const char *dir = getenv("BH_FUZZ_PLUGIN_DIR");
	snprintf(self, sizeof self, "%s", argv0);
	if (!dir)
		dir = dirname(self);
	snprintf(path, sizeof path, "%s/%s.so", dir, name);
	fuzz_tk = bh_testkit_open(path);
	if (!fuzz_tk) {
		fprintf(stderr, "fuzz: can not open %s\n", path);
		abort();
	}
}

static int fuzz_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Number of elements of the JSON array text s. */
static size_t fuzz_json_array_len(const char *s)
{
	json_t *j = s ? json_loads(s, JSON_ALLOW_NUL, NULL) : NULL;
	size_t n;
	if (!j || !json_is_array(j)) {
		fprintf(stderr, "fuzz: not a JSON array: %s\n", s ? s : "(null)");
		abort();
	}
	n = json_array_size(j);
	json_decref(j);
	return n;
}

static void fuzz_fail(const char *what, const struct fuzz_config *c, const bh_testkit_result *a,
		      const bh_testkit_result *b)
{
	fprintf(stderr, "fuzz: %s\nconfig: %s\n", what, c->json);
	if (a)
		fprintf(stderr, "A: status %d error %s\nrecords %s\nrejects %s\n", a->status,
			a->error ? a->error : "-", a->records_json, a->rejects_json);
	if (b)
		fprintf(stderr, "B: status %d error %s\nrecords %s\nrejects %s\n", b->status,
			b->error ? b->error : "-", b->records_json, b->rejects_json);
	abort();
}

/* Parses input whole and in chunks of `chunk` bytes with config c; `lines`
 * is the expected records + rejects when c->count (else ignored). */
static void fuzz_parse_check(const char *type, const struct fuzz_config *c, const char *input, size_t len,
			     size_t chunk, size_t lines)
{
	bh_testkit_result *whole = NULL, *part = NULL;
	size_t nrec, nrej;
	bh_testkit_set_max_rejects(fuzz_tk, FUZZ_MAX_REJECTS);
	bh_testkit_set_chunk_size(fuzz_tk, 0);
	bh_testkit_parse(fuzz_tk, type, c->json, input, len, &whole); /* < 0: see status */
	if (!whole)
		fuzz_fail(bh_testkit_error(fuzz_tk), c, NULL, NULL);
	bh_testkit_set_chunk_size(fuzz_tk, chunk);
	bh_testkit_parse(fuzz_tk, type, c->json, input, len, &part);
	if (!part)
		fuzz_fail(bh_testkit_error(fuzz_tk), c, NULL, NULL);
	if (whole->status != part->status || !fuzz_streq(whole->records_json, part->records_json) ||
	    !fuzz_streq(whole->rejects_json, part->rejects_json) || !fuzz_streq(whole->error, part->error))
		fuzz_fail("whole and chunked runs differ", c, whole, part);
	nrec = fuzz_json_array_len(whole->records_json);
	nrej = fuzz_json_array_len(whole->rejects_json);
	if (nrec != whole->record_count)
		fuzz_fail("record_count differs from the records", c, whole, NULL);
	if (c->stop) {
		/* stopping: no rejects, and a failure names a reason */
		if (nrej != 0)
			fuzz_fail("rejects although stop_on_invalid_record is true", c, whole, NULL);
		if (whole->status != 0 && (!whole->error || !*whole->error))
			fuzz_fail("failed without a message", c, whole, NULL);
	} else if (whole->status != 0) {
		fuzz_fail("a lenient parse failed", c, whole, NULL);
	}
	if (c->count && whole->status == 0 && nrec + nrej != lines) {
		char msg[128];
		snprintf(msg, sizeof msg, "%zu records + %zu rejects for %zu lines", nrec, nrej, lines);
		fuzz_fail(msg, c, whole, NULL);
	}
	bh_testkit_result_free(whole);
	bh_testkit_result_free(part);
}

/* One fuzz input for a parser target: byte 0 picks the config, byte 1 the
 * chunk size (1..64), the rest is the file; count_lines gives the expected
 * records + rejects for configs that count them. */
static void fuzz_parse_input(const char *type, const struct fuzz_config *configs, size_t nconfigs,
			     const uint8_t *data, size_t size, size_t (*count_lines)(const char *, size_t))
{
	const struct fuzz_config *c;
	const char *input;
	size_t len;
	if (size < 2)
		return;
	c = &configs[data[0] % nconfigs];
	input = (const char *)data + 2;
	len = size - 2;
	fuzz_parse_check(type, c, input, len, 1 + data[1] % 64, c->count ? count_lines(input, len) : 0);
}

#endif
