/* Tests of plugins/file: the file input (listing, last_path, pipes, limits)
 * and the file output (staging, commit, abort), driven through the plugin's
 * own vtables with a mock host. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/files-mock-host.h"

static const bh_plugin *plugin;
static char dir[PATH_MAX];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/bh-test-file-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	plugin = mock_load("plugins/file/file.so");
}

static void remove_tree(const char *path)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static void teardown(void)
{
	remove_tree(dir);
}

static void write_file(const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "fopen %s", path);
	fputs(content, f);
	fclose(f);
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* Caller frees: the whole file, or NULL when it does not exist. */
static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* ---- input ---------------------------------------------------------- */

struct input_run {
	bh_ctx *ctx;
	const bh_input_vtable *vt;
	void *state;
	bh_input_plan plan;
	int status;
};

static void input_begin(struct input_run *run, const char *json)
{
	const bh_component *c = mock_component(plugin, BH_KIND_INPUT, "file");
	const bh_config *cfg;
	memset(run, 0, sizeof(*run));
	run->ctx = mock_ctx_new(c, -1);
	run->vt = c->vtable;
	cfg = mock_config(run->ctx, json);
	ck_assert_msg(cfg != NULL, "bad test JSON %s", json);
	run->status = run->vt->begin(run->ctx, cfg, &run->state, &run->plan);
}

static void input_end(struct input_run *run)
{
	if (run->status == 0 && run->state != NULL)
		run->vt->end(run->state);
	mock_ctx_free(run->ctx);
}

/* Caller frees: the bytes of task i, read to EOF; *name gets the stream name. */
static char *read_task(struct input_run *run, uint32_t i, size_t *chunks, char *name, size_t cap)
{
	bh_stream s;
	char *all = NULL;
	size_t len = 0, n = 0;
	ck_assert_int_eq(run->vt->open_task(run->state, run->ctx, i, &s), 0);
	if (name)
		snprintf(name, cap, "%s", s.name);
	for (;;) {
		const char *data;
		ssize_t r = s.read(s.self, &data);
		ck_assert_int_ge(r, 0);
		if (r == 0)
			break;
		all = realloc(all, len + (size_t)r + 1);
		memcpy(all + len, data, (size_t)r);
		len += (size_t)r;
		n++;
	}
	s.close(s.self);
	if (all == NULL)
		all = calloc(1, 1);
	all[len] = '\0';
	if (chunks)
		*chunks = n;
	return all;
}

static void assert_task(struct input_run *run, uint32_t i, const char *rel, const char *content)
{
	char name[PATH_MAX], want[PATH_MAX];
	char *got = read_task(run, i, NULL, name, sizeof(name));
	snprintf(want, sizeof(want), "%s/%s", dir, rel);
	ck_assert_str_eq(name, want);
	ck_assert_str_eq(got, content);
	free(got);
}

START_TEST(input_prefix_lists_sorted_files_and_subdirectories)
{
	struct input_run run;
	char json[PATH_MAX * 2];

	write_file("a_2.csv", "two\n");
	write_file("a_1.csv", "one\n");
	write_file("b.csv", "bee\n");
	make_dir("a_dir");
	write_file("a_dir/x.csv", "ex\n");
	make_dir("other");
	write_file("other/a_no.csv", "no\n");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/a_\"}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_ptr_null(run.plan.schema);
	ck_assert_uint_eq(run.plan.task_count, 3);
	assert_task(&run, 0, "a_1.csv", "one\n");
	assert_task(&run, 1, "a_2.csv", "two\n");
	assert_task(&run, 2, "a_dir/x.csv", "ex\n");
	ck_assert_uint_eq(mock_bytes(run.ctx), 11);
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	snprintf(json, sizeof(json), "\"%s/a_dir/x.csv\"", dir);
	ck_assert_str_eq(mock_next(run.ctx, "last_path"), json);
	input_end(&run);
}
END_TEST

START_TEST(input_prefix_naming_a_directory_reads_only_inside_it)
{
	struct input_run run;
	char json[PATH_MAX * 2];

	make_dir("data");
	write_file("data/2.csv", "2\n");
	write_file("data/1.csv", "1\n");
	write_file("data2.csv", "outside\n");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/data\"}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 2);
	assert_task(&run, 0, "data/1.csv", "1\n");
	assert_task(&run, 1, "data/2.csv", "2\n");
	input_end(&run);
}
END_TEST

START_TEST(input_last_path_skips_files_already_loaded)
{
	struct input_run run;
	char json[PATH_MAX * 3];

	write_file("log_1", "1");
	write_file("log_2", "2");
	write_file("log_3", "3");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/log_\", \"last_path\": \"%s/log_2\"}",
		 dir, dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 1);
	assert_task(&run, 0, "log_3", "3");
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	snprintf(json, sizeof(json), "\"%s/log_3\"", dir);
	ck_assert_str_eq(mock_next(run.ctx, "last_path"), json);
	input_end(&run);

	/* Nothing new: no tasks, and the next run keeps the same last_path. */
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/log_\", \"last_path\": \"%s/log_3\"}",
		 dir, dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, 0);
	ck_assert_uint_eq(run.plan.task_count, 0);
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	snprintf(json, sizeof(json), "\"%s/log_3\"", dir);
	ck_assert_str_eq(mock_next(run.ctx, "last_path"), json);
	input_end(&run);
}
END_TEST

START_TEST(input_no_match_is_zero_tasks_not_an_error)
{
	struct input_run run;
	char json[PATH_MAX * 2];

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/nothing_\"}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 0);
	ck_assert_ptr_nonnull(strstr(mock_log(run.ctx), "nothing to read"));
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	ck_assert_ptr_null(mock_next(run.ctx, "last_path"));
	input_end(&run);
}
END_TEST

START_TEST(input_missing_directory_is_an_error_naming_it)
{
	struct input_run run;
	char json[PATH_MAX * 2], want[PATH_MAX];

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/missing/x_\"}", dir);
	input_begin(&run, json);
	ck_assert_int_lt(run.status, 0);
	snprintf(want, sizeof(want), "%s/missing", dir);
	ck_assert_msg(strstr(mock_error(run.ctx), want) != NULL, "error: %s", mock_error(run.ctx));
	input_end(&run);
}
END_TEST

START_TEST(input_globs_are_merged_sorted_and_deduplicated)
{
	struct input_run run;
	char json[PATH_MAX * 4];

	write_file("x1.csv", "x1");
	write_file("x2.csv", "x2");
	write_file("y1.tsv", "y1");
	write_file("z.txt", "z");
	make_dir("x3.csv"); /* a directory matching the pattern is not read */
	snprintf(json, sizeof(json),
		 "{\"paths\": [\"%s/y*.tsv\", \"%s/x*.csv\", \"%s/x1.*\", \"%s/none*\"]}", dir, dir,
		 dir, dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 3);
	assert_task(&run, 0, "x1.csv", "x1");
	assert_task(&run, 1, "x2.csv", "x2");
	assert_task(&run, 2, "y1.tsv", "y1");
	input_end(&run);

	/* A file matched by two patterns counts once against max_files. */
	snprintf(json, sizeof(json),
		 "{\"paths\": [\"%s/x*.csv\", \"%s/x1.*\", \"%s/x2.*\"], \"max_files\": 2}", dir,
		 dir, dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 2);
	input_end(&run);

	/* A single string is a list of one. */
	snprintf(json, sizeof(json), "{\"paths\": \"%s/z.*\"}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 1);
	input_end(&run);
}
END_TEST

START_TEST(input_needs_exactly_one_of_path_prefix_and_paths)
{
	struct input_run run;
	char json[PATH_MAX * 3];

	input_begin(&run, "{}");
	ck_assert_int_eq(run.status, BH_ECONFIG);
	ck_assert_ptr_nonnull(strstr(mock_error(run.ctx), "path_prefix"));
	input_end(&run);

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/a\", \"paths\": [\"%s/*\"]}", dir, dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, BH_ECONFIG);
	ck_assert_ptr_nonnull(strstr(mock_error(run.ctx), "not both"));
	input_end(&run);
}
END_TEST

START_TEST(input_limits_are_enforced_with_named_errors)
{
	struct input_run run;
	char json[PATH_MAX * 2];
	int i;

	for (i = 0; i < 5; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%d", i);
		write_file(name, "x");
	}
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/f\", \"max_files\": 4}", dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, BH_ECONFIG);
	ck_assert_msg(strstr(mock_error(run.ctx), "max_files (4)") != NULL, "error: %s",
		      mock_error(run.ctx));
	input_end(&run);

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/f\", \"max_files\": 5}", dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, 0);
	ck_assert_uint_eq(run.plan.task_count, 5);
	input_end(&run);

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/f\", \"read_buffer_size\": 10}", dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, BH_ECONFIG);
	ck_assert_ptr_nonnull(strstr(mock_error(run.ctx), "read_buffer_size"));
	input_end(&run);
}
END_TEST

START_TEST(input_reads_big_files_in_buffer_sized_chunks)
{
	struct input_run run;
	char json[PATH_MAX * 2], path[PATH_MAX];
	size_t size = 3 * 1024 * 1024 + 17, i, chunks;
	char *data = malloc(size + 1), *got;
	FILE *f;

	for (i = 0; i < size; i++)
		data[i] = (char)('a' + (i * 7 + i / 977) % 26);
	data[size] = '\0';
	snprintf(path, sizeof(path), "%s/big.dat", dir);
	f = fopen(path, "w");
	ck_assert_int_eq(fwrite(data, 1, size, f), size);
	fclose(f);
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/big\", \"read_buffer_size\": 65536}",
		 dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, 0);
	got = read_task(&run, 0, &chunks, NULL, 0);
	ck_assert_int_eq(memcmp(got, data, size), 0);
	ck_assert_uint_eq(strlen(got), size);
	ck_assert_uint_ge(chunks, size / 65536);
	ck_assert_uint_eq(mock_bytes(run.ctx), size);
	free(got);
	free(data);
	input_end(&run);
}
END_TEST

START_TEST(input_regular_files_have_a_size_and_open_at_an_offset)
{
	struct input_run run;
	char json[PATH_MAX * 2], path[PATH_MAX];
	const char *data;
	uint64_t size = 0;
	bh_stream st;
	ssize_t n;

	write_file("part.txt", "0123456789abcdef");
	snprintf(path, sizeof(path), "%s/pipe.fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	snprintf(json, sizeof(json), "{\"paths\": [\"%s/part.txt\", \"%s/pipe.fifo\"]}", dir, dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_int_eq(run.vt->task_size(run.state, 0, &size), 0);
	ck_assert_uint_eq(size, 16);
	ck_assert_int_eq(run.vt->task_size(run.state, 1, &size), -ENOTSUP); /* a pipe does not split */
	ck_assert_int_eq(run.vt->open_task_at(run.state, run.ctx, 0, 10, &st), 0);
	n = st.read(st.self, &data);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(memcmp(data, "abcdef", 6), 0);
	ck_assert_int_eq(st.read(st.self, &data), 0);
	st.close(st.self);
	ck_assert_int_eq(run.vt->open_task_at(run.state, run.ctx, 0, 16, &st), 0);
	ck_assert_int_eq(st.read(st.self, &data), 0); /* at the end: nothing */
	st.close(st.self);
	input_end(&run);
}
END_TEST

START_TEST(input_reads_named_pipes_until_eof)
{
	struct input_run run;
	char json[PATH_MAX * 2], path[PATH_MAX], *got;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/pipe_in", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/pipe_\"}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 1);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY);
		int k;
		for (k = 0; k < 3; k++) {
			if (write(fd, "chunk\n", 6) != 6)
				_exit(1);
			usleep(20000);
		}
		_exit(0);
	}
	got = read_task(&run, 0, NULL, NULL, 0);
	ck_assert_str_eq(got, "chunk\nchunk\nchunk\n");
	free(got);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	input_end(&run);
}
END_TEST

START_TEST(input_symlinks_to_directories_need_follow_symlinks)
{
	struct input_run run;
	char json[PATH_MAX * 2], target[PATH_MAX], link[PATH_MAX];

	make_dir("real");
	write_file("real/r.csv", "r");
	make_dir("in");
	write_file("in/file.csv", "f");
	snprintf(target, sizeof(target), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/in/linked", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	snprintf(target, sizeof(target), "%s/real/r.csv", dir);
	snprintf(link, sizeof(link), "%s/in/link.csv", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	snprintf(target, sizeof(target), "%s/in", dir);
	snprintf(link, sizeof(link), "%s/in/loop", dir);
	ck_assert_int_eq(symlink(target, link), 0);

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/in/\"}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 2);
	assert_task(&run, 0, "in/file.csv", "f");
	assert_task(&run, 1, "in/link.csv", "r");
	input_end(&run);

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/in/\", \"follow_symlinks\": true}", dir);
	input_begin(&run, json);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	ck_assert_uint_eq(run.plan.task_count, 3);
	assert_task(&run, 2, "in/linked/r.csv", "r");
	ck_assert_ptr_nonnull(strstr(mock_log(run.ctx), "loop"));
	input_end(&run);
}
END_TEST

START_TEST(input_file_removed_after_listing_names_the_path)
{
	struct input_run run;
	char json[PATH_MAX * 2], path[PATH_MAX];
	bh_stream s;

	write_file("gone.csv", "x");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/gone\"}", dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, 0);
	snprintf(path, sizeof(path), "%s/gone.csv", dir);
	unlink(path);
	ck_assert_int_eq(run.vt->open_task(run.state, run.ctx, 0, &s), -ENOENT);
	ck_assert_ptr_nonnull(strstr(mock_error(run.ctx), path));
	input_end(&run);
}
END_TEST

START_TEST(input_last_path_is_escaped_as_json)
{
	struct input_run run;
	char json[PATH_MAX * 2];
	const char *next;

	write_file("q\"uote\\d", "x");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/q\"}", dir);
	input_begin(&run, json);
	ck_assert_int_eq(run.status, 0);
	ck_assert_uint_eq(run.plan.task_count, 1);
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	next = mock_next(run.ctx, "last_path");
	ck_assert_ptr_nonnull(next);
	ck_assert_ptr_nonnull(strstr(next, "/q\\\"uote\\\\d\""));
	input_end(&run);
}
END_TEST

/* ---- output --------------------------------------------------------- */

struct output_run {
	bh_ctx *ctx;
	const bh_output_vtable *vt;
	void *state;
	int status;
};

static void output_begin(struct output_run *run, const char *json, uint32_t tasks)
{
	const bh_component *c = mock_component(plugin, BH_KIND_OUTPUT, "file");
	const bh_config *cfg;
	memset(run, 0, sizeof(*run));
	run->ctx = mock_ctx_new(c, -1);
	run->vt = c->vtable;
	cfg = mock_config(run->ctx, json);
	ck_assert_ptr_nonnull(cfg);
	run->status = run->vt->begin(run->ctx, cfg, NULL, tasks, &run->state);
}

static void output_end(struct output_run *run)
{
	if (run->status == 0)
		run->vt->end(run->state);
	mock_ctx_free(run->ctx);
}

/* Writes content as task i; finish when asked; returns the still-open sink. */
static bh_sink write_task(struct output_run *run, uint32_t i, const char *content, int finish)
{
	bh_sink k;
	ck_assert_int_eq(run->vt->open_sink(run->state, run->ctx, i, &k), 0);
	ck_assert_int_eq(k.write(k.self, content, strlen(content)), 0);
	if (finish)
		ck_assert_int_eq(k.finish(k.self), 0);
	return k;
}

/* Number of entries of the test directory whose name contains part. */
static int count_entries(const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, part) != NULL)
			n++;
	closedir(d);
	return n;
}

static char *out_path(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

START_TEST(output_stages_until_commit_then_publishes)
{
	struct output_run run;
	char json[PATH_MAX * 2], *got;
	bh_sink a, b;

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/out_\", \"file_ext\": \"csv\"}", dir);
	output_begin(&run, json, 2);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	a = write_task(&run, 0, "a,1\n", 1);
	b = write_task(&run, 1, "b,2\n", 1);
	a.close(a.self);
	b.close(b.self);
	/* Finished but not committed: only hidden temp files exist. */
	ck_assert_ptr_null(read_whole(out_path("out_000.00.csv")));
	ck_assert_ptr_null(read_whole(out_path("out_001.00.csv")));
	ck_assert_int_eq(count_entries(".bh-tmp-"), 2);
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	got = read_whole(out_path("out_000.00.csv"));
	ck_assert_str_eq(got, "a,1\n");
	free(got);
	got = read_whole(out_path("out_001.00.csv"));
	ck_assert_str_eq(got, "b,2\n");
	free(got);
	ck_assert_int_eq(count_entries(".bh-tmp-"), 0);
	output_end(&run);
}
END_TEST

START_TEST(output_abort_leaves_previous_files_intact)
{
	struct output_run run;
	char json[PATH_MAX * 2], *got;
	bh_sink a, b;

	write_file("out_000.00.csv", "old 0\n");
	write_file("out_001.00.csv", "old 1\n");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/out_\", \"file_ext\": \"csv\"}", dir);
	output_begin(&run, json, 2);
	ck_assert_int_eq(run.status, 0);
	a = write_task(&run, 0, "new 0\n", 1);
	a.close(a.self);
	b = write_task(&run, 1, "half of new 1", 0);
	b.close(b.self); /* task 1 failed before finishing */
	ck_assert_int_eq(count_entries(".bh-tmp-"), 1);
	run.vt->abort(run.state, run.ctx);
	ck_assert_int_eq(count_entries(".bh-tmp-"), 0);
	got = read_whole(out_path("out_000.00.csv"));
	ck_assert_str_eq(got, "old 0\n");
	free(got);
	got = read_whole(out_path("out_001.00.csv"));
	ck_assert_str_eq(got, "old 1\n");
	free(got);
	output_end(&run);
}
END_TEST

START_TEST(output_commit_refuses_an_unfinished_task)
{
	struct output_run run;
	char json[PATH_MAX * 2], *got;
	bh_sink a, b;

	write_file("r_000.00.txt", "old\n");
	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/r_\", \"file_ext\": \"txt\"}", dir);
	output_begin(&run, json, 2);
	ck_assert_int_eq(run.status, 0);
	a = write_task(&run, 0, "new\n", 1);
	b = write_task(&run, 1, "partial", 0); /* still open, never finished */
	ck_assert_int_lt(run.vt->commit(run.state, run.ctx), 0);
	ck_assert_ptr_nonnull(strstr(mock_error(run.ctx), "did not finish"));
	a.close(a.self);
	b.close(b.self);
	got = read_whole(out_path("r_000.00.txt"));
	ck_assert_str_eq(got, "old\n");
	free(got);
	ck_assert_int_eq(count_entries(".bh-tmp-"), 0);
	output_end(&run);
}
END_TEST

START_TEST(output_end_without_commit_publishes_nothing)
{
	struct output_run run;
	char json[PATH_MAX * 2];
	bh_sink a;

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/e_\", \"file_ext\": \"csv\"}", dir);
	output_begin(&run, json, 1);
	ck_assert_int_eq(run.status, 0);
	a = write_task(&run, 0, "x\n", 1);
	a.close(a.self);
	output_end(&run);
	ck_assert_int_eq(count_entries("e_"), 0);
}
END_TEST

START_TEST(output_discarded_task_runs_again_and_only_its_second_attempt_is_published)
{
	struct output_run run;
	char json[PATH_MAX * 2], *got;
	bh_sink a, b;

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/d_\", \"file_ext\": \"csv\"}", dir);
	output_begin(&run, json, 2);
	ck_assert_int_eq(run.status, 0);
	a = write_task(&run, 0, "first attempt\n", 1);
	a.close(a.self);
	ck_assert_int_eq(run.vt->discard_task(run.state, run.ctx, 0), 0);
	ck_assert_int_eq(count_entries(".bh-tmp-"), 0);
	a = write_task(&run, 0, "second attempt\n", 1);
	a.close(a.self);
	b = write_task(&run, 1, "other\n", 1);
	b.close(b.self);
	ck_assert_int_lt(run.vt->discard_task(run.state, run.ctx, 5), 0); /* no such task */
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	got = read_whole(out_path("d_000.00.csv"));
	ck_assert_str_eq(got, "second attempt\n");
	free(got);
	ck_assert_int_eq(count_entries(".bh-tmp-"), 0);
	output_end(&run);
}
END_TEST

START_TEST(output_without_fsync_publishes_the_same)
{
	struct output_run run;
	char json[PATH_MAX * 2], *got;
	bh_sink a;

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/n_\", \"file_ext\": \"csv\", \"fsync\": false}",
		 dir);
	output_begin(&run, json, 1);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	a = write_task(&run, 0, "x,1\n", 1);
	a.close(a.self);
	ck_assert_ptr_null(read_whole(out_path("n_000.00.csv")));
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	got = read_whole(out_path("n_000.00.csv"));
	ck_assert_str_eq(got, "x,1\n");
	free(got);
	output_end(&run);
}
END_TEST

START_TEST(output_sequence_format_names_files)
{
	struct output_run run;
	char json[PATH_MAX * 2], *got;
	bh_sink a;

	snprintf(json, sizeof(json),
		 "{\"path_prefix\": \"%s/s-\", \"file_ext\": \".tsv\", \"sequence_format\": "
		 "\"%%05d_%%d%%%%\"}",
		 dir);
	output_begin(&run, json, 13);
	ck_assert_msg(run.status == 0, "begin: %s", mock_error(run.ctx));
	a = write_task(&run, 12, "twelve", 1);
	a.close(a.self);
	ck_assert_int_eq(run.vt->commit(run.state, run.ctx), 0);
	got = read_whole(out_path("s-00012_0%.tsv"));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "twelve");
	free(got);
	ck_assert_int_eq(count_entries("s-"), 1); /* tasks without a sink write nothing */
	output_end(&run);
}
END_TEST

START_TEST(output_rejects_bad_configs_with_clear_errors)
{
	static const char *bad_formats[] = {"%s", "%d%d%d", "%x", "%-05d", "%d/", "%", "%999d"};
	struct output_run run;
	char json[PATH_MAX * 2], want[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad_formats) / sizeof(*bad_formats); i++) {
		snprintf(json, sizeof(json),
			 "{\"path_prefix\": \"%s/o_\", \"file_ext\": \"csv\", \"sequence_format\": "
			 "\"%s\"}",
			 dir, bad_formats[i]);
		output_begin(&run, json, 1);
		ck_assert_msg(run.status == BH_ECONFIG, "format %s accepted", bad_formats[i]);
		ck_assert_ptr_nonnull(strstr(mock_error(run.ctx), "sequence_format"));
		output_end(&run);
	}

	snprintf(json, sizeof(json), "{\"path_prefix\": \"%s/no/such/o_\", \"file_ext\": \"csv\"}",
		 dir);
	output_begin(&run, json, 1);
	ck_assert_int_lt(run.status, 0);
	snprintf(want, sizeof(want), "directory %s/no/such does not exist", dir);
	ck_assert_msg(strstr(mock_error(run.ctx), want) != NULL, "error: %s", mock_error(run.ctx));
	output_end(&run);
}
END_TEST

static Suite *file_suite(void)
{
	Suite *s = suite_create("file");
	TCase *in = tcase_create("input"), *out = tcase_create("output");

	tcase_add_checked_fixture(in, setup, teardown);
	tcase_add_test(in, input_prefix_lists_sorted_files_and_subdirectories);
	tcase_add_test(in, input_prefix_naming_a_directory_reads_only_inside_it);
	tcase_add_test(in, input_last_path_skips_files_already_loaded);
	tcase_add_test(in, input_no_match_is_zero_tasks_not_an_error);
	tcase_add_test(in, input_missing_directory_is_an_error_naming_it);
	tcase_add_test(in, input_globs_are_merged_sorted_and_deduplicated);
	tcase_add_test(in, input_needs_exactly_one_of_path_prefix_and_paths);
	tcase_add_test(in, input_limits_are_enforced_with_named_errors);
	tcase_add_test(in, input_reads_big_files_in_buffer_sized_chunks);
	tcase_add_test(in, input_reads_named_pipes_until_eof);
	tcase_add_test(in, input_regular_files_have_a_size_and_open_at_an_offset);
	tcase_add_test(in, input_symlinks_to_directories_need_follow_symlinks);
	tcase_add_test(in, input_file_removed_after_listing_names_the_path);
	tcase_add_test(in, input_last_path_is_escaped_as_json);
	suite_add_tcase(s, in);

	tcase_add_checked_fixture(out, setup, teardown);
	tcase_add_test(out, output_stages_until_commit_then_publishes);
	tcase_add_test(out, output_abort_leaves_previous_files_intact);
	tcase_add_test(out, output_commit_refuses_an_unfinished_task);
	tcase_add_test(out, output_end_without_commit_publishes_nothing);
	tcase_add_test(out, output_sequence_format_names_files);
	tcase_add_test(out, output_discarded_task_runs_again_and_only_its_second_attempt_is_published);
	tcase_add_test(out, output_without_fsync_publishes_the_same);
	tcase_add_test(out, output_rejects_bad_configs_with_clear_errors);
	suite_add_tcase(s, out);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(file_suite());
	int failed;
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
