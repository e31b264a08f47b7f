/* Tests of plugins/stdout and plugins/null: Embulk-style lines for every
 * type, no interleaving between concurrent tasks, write errors, and the
 * null output's count. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bulkhead/testkit.h>
#include "tests/unit/files-mock-host.h"

static bh_testkit *open_kit(const char *rel)
{
	char path[4096];
	bh_testkit *tk;
	snprintf(path, sizeof(path), "%s/%s",
		 getenv("BULKHEAD_BUILDDIR") ? getenv("BULKHEAD_BUILDDIR") : ".", rel);
	tk = bh_testkit_open(path);
	ck_assert_msg(tk != NULL, "cannot open %s", path);
	return tk;
}

/* fd 1 goes to a temp file between capture_start and capture_end. */
static int saved_stdout = -1;
static char capture_path[64];

static void capture_start(void)
{
	int fd;
	snprintf(capture_path, sizeof(capture_path), "/tmp/bh-test-outputs-XXXXXX");
	fd = mkstemp(capture_path);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved_stdout = dup(1);
	ck_assert_int_eq(dup2(fd, 1), 1);
	close(fd);
}

/* Caller frees: everything written to fd 1 since capture_start. */
static char *capture_end(size_t *len)
{
	FILE *f;
	char *buf;
	long n;
	fflush(stdout);
	dup2(saved_stdout, 1);
	close(saved_stdout);
	f = fopen(capture_path, "rb");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	unlink(capture_path);
	if (len)
		*len = (size_t)n;
	return buf;
}

static const char *all_types_schema =
	"[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"name\",\"type\":\"string\"},"
	"{\"name\":\"score\",\"type\":\"double\"},{\"name\":\"ok\",\"type\":\"boolean\"},"
	"{\"name\":\"at\",\"type\":\"timestamp\"},{\"name\":\"doc\",\"type\":\"json\"}]";

START_TEST(stdout_prints_embulk_style_lines)
{
	bh_testkit *tk = open_kit("plugins/stdout/stdout.so");
	bh_testkit_result *r = NULL;
	char *out;
	int st;

	capture_start();
	st = bh_testkit_output(tk, "stdout", "{}", all_types_schema,
			       "[[1, \"a b\", 1.5, true, \"2015-01-27 19:23:49 UTC\", {\"k\":[1,2]}],"
			       " [null, null, null, null, null, null],"
			       " [-7, \"x,y\", 100.0, false, \"2015-01-27 19:23:49.123 UTC\", \"s\"],"
			       " [9223372036854775807, \"\", -0.25, true,"
			       "  \"1969-12-31 23:59:59.000001 UTC\", null],"
			       " [0, \"z\", 1e300, false, \"2000-02-29 00:00:00.000000005 UTC\", 3]]",
			       2, NULL, NULL, NULL, &r);
	out = capture_end(NULL);
	ck_assert_msg(st == 0, "output failed: %s", r && r->error ? r->error : "?");
	ck_assert_str_eq(out, "1,a b,1.5,true,2015-01-27 19:23:49 UTC,{\"k\":[1,2]}\n"
			      ",,,,,\n"
			      "-7,x,y,100.0,false,2015-01-27 19:23:49.123 UTC,\"s\"\n"
			      "9223372036854775807,,-0.25,true,1969-12-31 23:59:59.000001 UTC,\n"
			      "0,z,1e+300,false,2000-02-29 00:00:00.000000005 UTC,3\n");
	bh_testkit_result_free(r);
	free(out);
	bh_testkit_free(tk);
}
END_TEST

/* ---- concurrent tasks, driven through the vtable ----------------------- */

#define THREADS 4
#define PAGES 60
#define ROWS 50

static const bh_column columns[] = {{"task", BH_TYPE_LONG, NULL}, {"payload", BH_TYPE_STRING, NULL}};
static const bh_schema schema = {2, columns};

struct worker {
	const bh_output_vtable *vt;
	void *state;
	int task;
	int status;
};

static void *run_task(void *arg)
{
	struct worker *w = arg;
	bh_ctx *ctx = mock_ctx_new(NULL, w->task);
	bh_value values[ROWS * 2];
	static __thread char arena[ROWS * 2000];
	bh_page page = {2, ROWS, ROWS, 0, values, arena, 0, sizeof(arena), &schema};
	void *ts;
	int p, i;

	w->status = w->vt->open_task(w->state, ctx, (uint32_t)w->task, &ts);
	for (p = 0; w->status == 0 && p < PAGES; p++) {
		page.arena_len = 0;
		for (i = 0; i < ROWS; i++) {
			/* Lines of varying length, all of this task's letter. */
			uint32_t len = 100 + (uint32_t)((p * ROWS + i) * 37 % 1800);
			memset(arena + page.arena_len, 'a' + w->task, len);
			values[i * 2].u.l = w->task;
			values[i * 2].is_null = 0;
			values[i * 2 + 1].u.s.off = (uint32_t)page.arena_len;
			values[i * 2 + 1].u.s.len = len;
			values[i * 2 + 1].is_null = 0;
			page.arena_len += len;
		}
		w->status = w->vt->add(ts, ctx, &page);
	}
	if (w->status == 0)
		w->status = w->vt->finish_task(ts, ctx);
	w->vt->close_task(ts);
	mock_ctx_free(ctx);
	return NULL;
}

START_TEST(stdout_lines_of_concurrent_tasks_never_interleave)
{
	const bh_plugin *p = mock_load("plugins/stdout/stdout.so");
	const bh_component *c = mock_component(p, BH_KIND_OUTPUT, "stdout");
	const bh_output_vtable *vt = c->vtable;
	bh_ctx *ctx = mock_ctx_new(c, -1);
	struct worker w[THREADS];
	pthread_t th[THREADS];
	int counts[THREADS] = {0};
	void *state;
	char *out, *line, *save;
	size_t len;
	int i;

	ck_assert_int_eq(vt->begin(ctx, mock_config(ctx, "{}"), &schema, THREADS, &state), 0);
	capture_start();
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){vt, state, i, 0};
		pthread_create(&th[i], NULL, run_task, &w[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	out = capture_end(&len);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(w[i].status, 0);
	ck_assert_int_eq(vt->commit(state, ctx), 0);
	vt->end(state);
	mock_ctx_free(ctx);

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int task = line[0] - '0';
		size_t k, n = strlen(line);
		if (task < 0 || task >= THREADS || line[1] != ',')
			ck_abort_msg("bad line start %.20s", line);
		/* Plain loop: a check assertion per byte would be slow. */
		for (k = 2; k < n && line[k] == 'a' + task; k++)
			;
		if (k < n || n < 102)
			ck_abort_msg("task %d line mixed with another at %zu of %zu", task, k, n);
		counts[task]++;
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(counts[i], PAGES * ROWS);
	free(out);
}
END_TEST

START_TEST(stdout_write_errors_are_reported)
{
	bh_testkit *tk = open_kit("plugins/stdout/stdout.so");
	bh_testkit_result *r = NULL;
	int fds[2], saved, st;

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]); /* nobody reads: writes fail with EPIPE */
	saved = dup(1);
	dup2(fds[1], 1);
	close(fds[1]);
	st = bh_testkit_output(tk, "stdout", "{}", all_types_schema,
			       "[[1, \"a\", 1.0, true, null, null]]", 1, NULL, NULL, NULL, &r);
	dup2(saved, 1);
	close(saved);
	ck_assert_int_lt(st, 0);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_msg(strstr(r->error, "cannot write to standard output"), "error: %s", r->error);
	bh_testkit_result_free(r);
	bh_testkit_free(tk);
}
END_TEST

/* ---- null --------------------------------------------------------------- */

START_TEST(null_discards_and_counts)
{
	bh_testkit *tk = open_kit("plugins/null/null.so");
	bh_testkit_result *r = NULL;
	const bh_plugin *p;
	const bh_component *c;
	const bh_output_vtable *vt;
	bh_ctx *ctx;
	bh_value values[3 * 2];
	char arena[1] = "";
	bh_page page = {2, 3, 3, 0, values, arena, 0, 1, &schema};
	void *state, *t0, *t1;
	char *out;

	/* Through the test kit: succeeds and prints nothing. */
	capture_start();
	ck_assert_int_eq(bh_testkit_output(tk, "null", "{}", all_types_schema,
					   "[[1, \"a\", 1.0, true, null, null], [2, null, null, null, "
					   "null, null]]",
					   2, NULL, NULL, NULL, &r),
			 0);
	out = capture_end(NULL);
	ck_assert_str_eq(out, "");
	free(out);
	bh_testkit_result_free(r);
	bh_testkit_free(tk);

	/* Through the vtable: the count reaches the log at commit. */
	p = mock_load("plugins/null/null.so");
	c = mock_component(p, BH_KIND_OUTPUT, "null");
	vt = c->vtable;
	ctx = mock_ctx_new(c, -1);
	memset(values, 0, sizeof(values));
	ck_assert_int_eq(vt->begin(ctx, mock_config(ctx, "{}"), &schema, 2, &state), 0);
	ck_assert_int_eq(vt->open_task(state, ctx, 0, &t0), 0);
	ck_assert_int_eq(vt->open_task(state, ctx, 1, &t1), 0);
	ck_assert_int_eq(vt->add(t0, ctx, &page), 0);
	ck_assert_int_eq(vt->add(t1, ctx, &page), 0);
	ck_assert_int_eq(vt->add(t1, ctx, &page), 0);
	ck_assert_int_eq(vt->finish_task(t0, ctx), 0);
	ck_assert_int_eq(vt->finish_task(t1, ctx), 0);
	vt->close_task(t0);
	vt->close_task(t1);
	ck_assert_int_eq(vt->commit(state, ctx), 0);
	ck_assert_msg(strstr(mock_log(ctx), "discarded 9 records"), "log: %s", mock_log(ctx));
	vt->end(state);
	mock_ctx_free(ctx);
}
END_TEST

static Suite *outputs_suite(void)
{
	Suite *s = suite_create("outputs");
	TCase *t = tcase_create("stdout"), *n = tcase_create("null");
	tcase_add_test(t, stdout_prints_embulk_style_lines);
	tcase_add_test(t, stdout_lines_of_concurrent_tasks_never_interleave);
	tcase_add_test(t, stdout_write_errors_are_reported);
	suite_add_tcase(s, t);
	tcase_add_test(n, null_discards_and_counts);
	suite_add_tcase(s, n);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(outputs_suite());
	int failed;
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
