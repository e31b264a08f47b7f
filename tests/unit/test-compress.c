/* Tests of plugins/compress: round trips through every codec, interop with
 * the gzip/bzip2/xz/zstd command-line tools, corrupt and truncated input,
 * the max_decompressed_size limit and level checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bulkhead/testkit.h>
#include "tests/unit/files-mock-host.h"

static const char *const codecs[] = {"gzip", "bzip2", "xz", "zstd"};
#define NCODECS 4

static bh_testkit *open_kit(void)
{
	char path[4096];
	bh_testkit *tk;
	snprintf(path, sizeof(path), "%s/plugins/compress/compress.so",
		 getenv("BULKHEAD_BUILDDIR") ? getenv("BULKHEAD_BUILDDIR") : ".");
	tk = bh_testkit_open(path);
	ck_assert_msg(tk != NULL, "cannot open %s", path);
	return tk;
}

/* Caller frees: n bytes of text with some structure and some noise. */
static char *sample(size_t n)
{
	char *s = malloc(n);
	unsigned x = 12345;
	size_t i;
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		s[i] = (i % 97 == 0) ? '\n' : (char)((i % 3) ? 'a' + (x >> 16) % 26 : 'a' + i % 7);
	}
	return s;
}

/* Runs cmd with input on stdin; caller frees *out (its stdout). */
static int run_tool(const char *cmd, const char *input, size_t len, char **out, size_t *out_len)
{
	char in_path[] = "/tmp/bh-compress-in-XXXXXX", out_path[] = "/tmp/bh-compress-out-XXXXXX";
	char line[8192];
	int fd = mkstemp(in_path), ofd = mkstemp(out_path), status;
	FILE *f;
	long n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(ofd, 0);
	ck_assert_int_eq(write(fd, input, len), (ssize_t)len);
	close(fd);
	close(ofd);
	snprintf(line, sizeof(line), "%s < %s > %s", cmd, in_path, out_path);
	status = system(line);
	f = fopen(out_path, "rb");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*out = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(*out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*out_len = (size_t)n;
	unlink(in_path);
	unlink(out_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(round_trip_every_codec)
{
	const char *codec = codecs[_i];
	bh_testkit *tk = open_kit();
	bh_testkit_result *enc = NULL, *dec = NULL;
	size_t n = 300000;
	char *data = sample(n);

	bh_testkit_set_chunk_size(tk, 777); /* many small writes and reads */
	ck_assert_msg(bh_testkit_encode(tk, codec, "{}", data, n, &enc) == 0, "%s encode: %s", codec,
		      bh_testkit_error(tk));
	ck_assert_uint_lt(enc->bytes_len, n); /* it did compress */
	ck_assert_int_eq(bh_testkit_decode(tk, codec, "{}", enc->bytes, enc->bytes_len, &dec), 0);
	ck_assert_uint_eq(dec->bytes_len, n);
	ck_assert_int_eq(memcmp(dec->bytes, data, n), 0);
	bh_testkit_result_free(enc);
	bh_testkit_result_free(dec);

	/* An empty input is a valid (tiny) compressed stream that decodes to nothing. */
	ck_assert_int_eq(bh_testkit_encode(tk, codec, "{}", "", 0, &enc), 0);
	ck_assert_uint_gt(enc->bytes_len, 0);
	ck_assert_int_eq(bh_testkit_decode(tk, codec, "{}", enc->bytes, enc->bytes_len, &dec), 0);
	ck_assert_uint_eq(dec->bytes_len, 0);
	bh_testkit_result_free(enc);
	bh_testkit_result_free(dec);
	free(data);
	bh_testkit_free(tk);
}
END_TEST

START_TEST(levels_change_the_output_and_are_range_checked)
{
	static const char *const low[] = {"{\"level\": 1}", "{\"level\": 1}", "{\"level\": 0}",
					  "{\"level\": 1}"};
	static const char *const high[] = {"{\"level\": 9}", "{\"level\": 9}", "{\"level\": 9}",
					   "{\"level\": 19}"};
	static const char *const bad[] = {"{\"level\": 10}", "{\"level\": 0}", "{\"level\": 10}",
					  "{\"level\": 23}"};
	const char *codec = codecs[_i];
	bh_testkit *tk = open_kit();
	bh_testkit_result *a = NULL, *b = NULL, *d = NULL;
	size_t n = 200000;
	char *data = sample(n);

	ck_assert_int_eq(bh_testkit_encode(tk, codec, low[_i], data, n, &a), 0);
	ck_assert_int_eq(bh_testkit_encode(tk, codec, high[_i], data, n, &b), 0);
	ck_assert_msg(a->bytes_len != b->bytes_len || memcmp(a->bytes, b->bytes, a->bytes_len) != 0,
		      "%s: levels made no difference", codec);
	ck_assert_int_eq(bh_testkit_decode(tk, codec, "{}", b->bytes, b->bytes_len, &d), 0);
	ck_assert_uint_eq(d->bytes_len, n);
	bh_testkit_result_free(a);
	bh_testkit_result_free(b);
	bh_testkit_result_free(d);

	ck_assert_int_eq(bh_testkit_encode(tk, codec, bad[_i], data, n, &a), BH_ECONFIG);
	ck_assert_ptr_nonnull(a->error);
	ck_assert_msg(strstr(a->error, "level") != NULL, "error: %s", a->error);
	bh_testkit_result_free(a);
	free(data);
	bh_testkit_free(tk);
}
END_TEST

/* Files made by the real tools decode, and our output is read by the tools. */
START_TEST(interoperates_with_command_line_tools)
{
	static const char *const tool[] = {"gzip", "bzip2", "xz", "zstd -q"};
	const char *codec = codecs[_i];
	bh_testkit *tk = open_kit();
	bh_testkit_result *r = NULL;
	size_t n = 100000, len;
	char *data = sample(n), *made, cmd[64];

	snprintf(cmd, sizeof(cmd), "%s -c", tool[_i]);
	ck_assert_int_eq(run_tool(cmd, data, n, &made, &len), 0);
	ck_assert_msg(bh_testkit_decode(tk, codec, "{}", made, len, &r) == 0, "%s decode: %s", codec,
		      bh_testkit_error(tk));
	ck_assert_uint_eq(r->bytes_len, n);
	ck_assert_int_eq(memcmp(r->bytes, data, n), 0);
	bh_testkit_result_free(r);
	free(made);

	/* The tools' empty streams are valid and decode to nothing. */
	ck_assert_int_eq(run_tool(cmd, "", 0, &made, &len), 0);
	ck_assert_msg(bh_testkit_decode(tk, codec, "{}", made, len, &r) == 0, "%s empty: %s", codec,
		      bh_testkit_error(tk));
	ck_assert_uint_eq(r->bytes_len, 0);
	bh_testkit_result_free(r);
	free(made);

	ck_assert_int_eq(bh_testkit_encode(tk, codec, "{}", data, n, &r), 0);
	snprintf(cmd, sizeof(cmd), "%s -dc", tool[_i]);
	ck_assert_int_eq(run_tool(cmd, r->bytes, r->bytes_len, &made, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_int_eq(memcmp(made, data, n), 0);
	bh_testkit_result_free(r);
	free(made);
	free(data);
	bh_testkit_free(tk);
}
END_TEST

START_TEST(gzip_reads_concatenated_members_and_is_reproducible)
{
	bh_testkit *tk = open_kit();
	bh_testkit_result *r = NULL, *again = NULL;
	char *one, *two, *both;
	size_t l1, l2;

	ck_assert_int_eq(run_tool("gzip -c", "first\n", 6, &one, &l1), 0);
	ck_assert_int_eq(run_tool("gzip -c", "second\n", 7, &two, &l2), 0);
	both = malloc(l1 + l2);
	memcpy(both, one, l1);
	memcpy(both + l1, two, l2);
	ck_assert_int_eq(bh_testkit_decode(tk, "gzip", "{}", both, l1 + l2, &r), 0);
	ck_assert_uint_eq(r->bytes_len, 13);
	ck_assert_int_eq(memcmp(r->bytes, "first\nsecond\n", 13), 0);
	bh_testkit_result_free(r);

	/* No timestamp in the header: the same input gives the same bytes. */
	ck_assert_int_eq(bh_testkit_encode(tk, "gzip", "{}", "abc", 3, &r), 0);
	sleep(1);
	ck_assert_int_eq(bh_testkit_encode(tk, "gzip", "{}", "abc", 3, &again), 0);
	ck_assert_uint_eq(r->bytes_len, again->bytes_len);
	ck_assert_int_eq(memcmp(r->bytes, again->bytes, r->bytes_len), 0);
	bh_testkit_result_free(r);
	bh_testkit_result_free(again);
	free(one);
	free(two);
	free(both);
	bh_testkit_free(tk);
}
END_TEST

START_TEST(max_decompressed_size_stops_bombs)
{
	const char *codec = codecs[_i];
	bh_testkit *tk = open_kit();
	bh_testkit_result *enc = NULL, *dec = NULL;
	size_t n = 1 << 20;
	char *zeros = calloc(1, n);
	char cfg[64];

	ck_assert_int_eq(bh_testkit_encode(tk, codec, "{\"level\": 9}", zeros, n, &enc), 0);
	snprintf(cfg, sizeof(cfg), "{\"max_decompressed_size\": %zu}", n - 1);
	ck_assert_int_eq(bh_testkit_decode(tk, codec, cfg, enc->bytes, enc->bytes_len, &dec),
			 BH_EDATA);
	ck_assert_msg(strstr(dec->error, "max_decompressed_size") != NULL, "error: %s", dec->error);
	bh_testkit_result_free(dec);
	snprintf(cfg, sizeof(cfg), "{\"max_decompressed_size\": %zu}", n);
	ck_assert_int_eq(bh_testkit_decode(tk, codec, cfg, enc->bytes, enc->bytes_len, &dec), 0);
	ck_assert_uint_eq(dec->bytes_len, n);
	bh_testkit_result_free(dec);
	ck_assert_int_eq(bh_testkit_decode(tk, codec, "{\"max_decompressed_size\": -1}",
					   enc->bytes, enc->bytes_len, &dec),
			 BH_ECONFIG);
	bh_testkit_result_free(dec);
	bh_testkit_result_free(enc);
	free(zeros);
	bh_testkit_free(tk);
}
END_TEST

/* ---- data that is not compressed at all: the decoder refuses in open() ---- */

struct mem {
	const char *data;
	size_t len;
	int closed;
};

static ssize_t mem_read(void *self, const char **data)
{
	struct mem *m = self;
	size_t n = m->len;
	*data = m->data;
	m->data += n;
	m->len = 0;
	return (ssize_t)n;
}

static void mem_close(void *self)
{
	((struct mem *)self)->closed = 1;
}

static void open_plain(const char *codec, const char *text, char *error, size_t cap)
{
	const bh_plugin *p = mock_load("plugins/compress/compress.so");
	const bh_component *c = mock_component(p, BH_KIND_DECODER, codec);
	const bh_decoder_vtable *vt = c->vtable;
	bh_ctx *ctx = mock_ctx_new(c, 0);
	struct mem m = {text, strlen(text), 0};
	bh_stream up = {&m, mem_read, mem_close, "/data/plain.csv"}, out;
	void *state;

	ck_assert_int_eq(vt->begin(ctx, mock_config(ctx, "{}"), &state), 0);
	ck_assert_int_eq(vt->open(state, ctx, &up, &out), BH_EDATA);
	ck_assert_int_eq(m.closed, 0); /* a failed open leaves upstream to the caller */
	snprintf(error, cap, "%s", mock_error(ctx));
	vt->end(state);
	mock_ctx_free(ctx);
}

/* Decodes through the vtable with the mock host (the test kit's decode
 * cannot yet take a decoder whose open() fails); returns the status and
 * copies the error message. */
static int mock_decode(const char *codec, const char *input, size_t len, size_t *out_len,
		       char *error, size_t cap)
{
	const bh_plugin *p = mock_load("plugins/compress/compress.so");
	const bh_component *c = mock_component(p, BH_KIND_DECODER, codec);
	const bh_decoder_vtable *vt = c->vtable;
	bh_ctx *ctx = mock_ctx_new(c, 0);
	struct mem m = {input, len, 0};
	bh_stream up = {&m, mem_read, mem_close, "/data/in.bin"}, dec;
	void *state;
	int r, opened;

	*out_len = 0;
	ck_assert_int_eq(vt->begin(ctx, mock_config(ctx, "{}"), &state), 0);
	r = vt->open(state, ctx, &up, &dec);
	opened = r == 0;
	while (r == 0) {
		const char *data;
		ssize_t n = dec.read(dec.self, &data);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		*out_len += (size_t)n;
	}
	if (opened)
		dec.close(dec.self);
	snprintf(error, cap, "%s", mock_error(ctx));
	vt->end(state);
	mock_ctx_free(ctx);
	return r;
}

/* Files made by the tools carry checksums (gzip CRC-32, bzip2 CRC, xz CRC-64,
 * zstd's content checksum): damage anywhere is an error naming the file. */
START_TEST(corruption_and_truncation_are_errors_naming_the_stream)
{
	static const char *const tool[] = {"gzip -c", "bzip2 -c", "xz -c", "zstd -q -c"};
	const char *codec = codecs[_i];
	size_t n = 200000, len, i, out;
	char *data = sample(n), *made, error[2048];
	int st;

	ck_assert_int_eq(run_tool(tool[_i], data, n, &made, &len), 0);
	ck_assert_int_eq(mock_decode(codec, made, len, &out, error, sizeof(error)), 0);
	ck_assert_uint_eq(out, n);
	for (i = len / 2; i < len / 2 + 16; i++)
		made[i] ^= 0x5a;
	st = mock_decode(codec, made, len, &out, error, sizeof(error));
	ck_assert_msg(st == BH_EDATA, "%s: corrupt data decoded (%d)", codec, st);
	ck_assert_msg(strstr(error, codec) && strstr(error, "/data/in.bin") && strstr(error, "corrupt"),
		      "error: %s", error);
	for (i = len / 2; i < len / 2 + 16; i++)
		made[i] ^= 0x5a;

	/* Cut inside the first block (nothing decompresses yet) and later. */
	st = mock_decode(codec, made, 40, &out, error, sizeof(error));
	ck_assert_msg(st == BH_EDATA, "%s: 40-byte prefix decoded (%d)", codec, st);
	ck_assert_msg(strstr(error, "/data/in.bin") && strstr(error, "truncated"), "error: %s", error);
	st = mock_decode(codec, made, len - 5, &out, error, sizeof(error));
	ck_assert_msg(st == BH_EDATA, "%s: data without its end decoded (%d)", codec, st);
	free(made);
	free(data);
}
END_TEST

START_TEST(plain_or_empty_input_is_refused)
{
	const char *codec = codecs[_i];
	char error[2048], want[64];

	open_plain(codec, "id,name\n1,plain text that is not compressed\n", error, sizeof(error));
	snprintf(want, sizeof(want), "is not %s data", codec);
	ck_assert_msg(strstr(error, "/data/plain.csv") && strstr(error, want), "error: %s", error);
	open_plain(codec, "", error, sizeof(error));
	ck_assert_msg(strstr(error, "/data/plain.csv is empty"), "error: %s", error);
}
END_TEST

static Suite *compress_suite(void)
{
	Suite *s = suite_create("compress");
	TCase *t = tcase_create("codecs");
	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, round_trip_every_codec, 0, NCODECS);
	tcase_add_loop_test(t, levels_change_the_output_and_are_range_checked, 0, NCODECS);
	tcase_add_loop_test(t, interoperates_with_command_line_tools, 0, NCODECS);
	tcase_add_test(t, gzip_reads_concatenated_members_and_is_reproducible);
	tcase_add_loop_test(t, corruption_and_truncation_are_errors_naming_the_stream, 0, NCODECS);
	tcase_add_loop_test(t, max_decompressed_size_stops_bombs, 0, NCODECS);
	tcase_add_loop_test(t, plain_or_empty_input_is_refused, 0, NCODECS);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(compress_suite());
	int failed;
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
