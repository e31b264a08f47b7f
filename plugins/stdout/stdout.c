/* stdout output: prints every record as a line on standard output, the way
 * Embulk's stdout output does — values joined by ",", null as nothing,
 * strings and json as they are, timestamps as "2015-01-27 19:23:49 UTC".
 *
 * Tasks run on several threads.  Each task fills its own buffer with whole
 * lines and writes it to fd 1 under one lock, so lines of different tasks
 * never interleave and there is one write(2) per buffer, not per record.
 * Printing cannot be staged: commit and abort have nothing to do. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bulkhead/plugin.h>
#include <bulkhead/text.h>

#define STDOUT_FLUSH_AT (256 * 1024) /* bytes a task buffers before writing */

static const bh_option stdout_options[] = {
	{NULL, 0, NULL, 0, NULL},
};

struct stdout_state {
	pthread_mutex_t lock; /* one writer on fd 1 at a time */
	const bh_schema *schema;
	uint64_t records;
};

struct stdout_task {
	struct stdout_state *state;
	char *buf;
	size_t len, cap;
	uint64_t records;
};

static int task_reserve(struct stdout_task *t, size_t n)
{
	size_t cap;
	char *p;
	if (t->cap - t->len >= n)
		return 0;
	cap = t->cap ? t->cap : STDOUT_FLUSH_AT + 4096;
	while (cap - t->len < n) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(t->buf, cap);
	if (p == NULL)
		return -ENOMEM;
	t->buf = p;
	t->cap = cap;
	return 0;
}

static int task_append(struct stdout_task *t, const char *s, size_t n)
{
	int r = task_reserve(t, n);
	if (r < 0)
		return r;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return 0;
}

/* Embulk's Timestamp#toString: seconds, then .mmm, .uuuuuu or .nnnnnnnnn
 * only when there is a fraction, then " UTC". */
static size_t format_timestamp(bh_timestamp ts, char *buf)
{
	int64_t days = ts.sec / 86400, rem = ts.sec % 86400, year;
	unsigned month, day;
	int n;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	bh_civil_from_days(days, &year, &month, &day);
	n = sprintf(buf, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d", year, month, day,
		    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (ts.nsec != 0) {
		if (ts.nsec % 1000000 == 0)
			n += sprintf(buf + n, ".%03d", (int)(ts.nsec / 1000000));
		else if (ts.nsec % 1000 == 0)
			n += sprintf(buf + n, ".%06d", (int)(ts.nsec / 1000));
		else
			n += sprintf(buf + n, ".%09d", (int)ts.nsec);
	}
	memcpy(buf + n, " UTC", 4);
	return (size_t)n + 4;
}

static int append_value(struct stdout_task *t, const bh_page *page, uint32_t row, uint32_t col,
			bh_type type)
{
	char text[BH_TIMESTAMP_MAX_CHARS];
	const char *s;
	size_t n;

	if (bh_page_is_null(page, row, col))
		return 0;
	switch (type) {
	case BH_TYPE_BOOLEAN:
		return bh_page_boolean(page, row, col) ? task_append(t, "true", 4)
						      : task_append(t, "false", 5);
	case BH_TYPE_LONG:
		n = bh_format_long(bh_page_long(page, row, col), text);
		return task_append(t, text, n);
	case BH_TYPE_DOUBLE:
		n = bh_format_double(bh_page_double(page, row, col), text);
		return task_append(t, text, n);
	case BH_TYPE_TIMESTAMP:
		n = format_timestamp(bh_page_timestamp(page, row, col), text);
		return task_append(t, text, n);
	case BH_TYPE_STRING:
	case BH_TYPE_JSON: /* json cells hold their text already */
		s = bh_page_string(page, row, col, &n);
		return task_append(t, s, n);
	}
	return 0;
}

/* Writes the task's whole lines in one go, under the lock. */
static int task_flush(struct stdout_task *t, bh_ctx *ctx)
{
	size_t off = 0;
	int r = 0;

	if (t->len == 0)
		return 0;
	pthread_mutex_lock(&t->state->lock);
	while (off < t->len) {
		ssize_t n = write(STDOUT_FILENO, t->buf + off, t->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			bh_error(ctx, "stdout: cannot write to standard output: %s", strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	pthread_mutex_unlock(&t->state->lock);
	t->len = 0;
	return r;
}

static int stdout_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema,
			uint32_t task_count, void **state)
{
	struct stdout_state *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->schema = schema;
	*state = s;
	return 0;
}

static int stdout_open_task(void *state, bh_ctx *ctx, uint32_t task, void **task_state)
{
	struct stdout_task *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->state = state;
	*task_state = t;
	return 0;
}

static int stdout_add(void *task_state, bh_ctx *ctx, const bh_page *page)
{
	struct stdout_task *t = task_state;
	const bh_schema *schema = page->schema ? page->schema : t->state->schema;
	uint32_t row, col;
	int r;

	for (row = 0; row < page->nrows; row++) {
		for (col = 0; col < page->ncols; col++) {
			if (col > 0 && (r = task_append(t, ",", 1)) < 0)
				return r;
			if ((r = append_value(t, page, row, col, schema->columns[col].type)) < 0)
				return r;
		}
		if ((r = task_append(t, "\n", 1)) < 0)
			return r;
		t->records++;
		if (t->len >= STDOUT_FLUSH_AT && (r = task_flush(t, ctx)) < 0)
			return r;
	}
	return 0;
}

static int stdout_finish_task(void *task_state, bh_ctx *ctx)
{
	struct stdout_task *t = task_state;
	int r = task_flush(t, ctx);
	if (r == 0)
		__atomic_add_fetch(&t->state->records, t->records, __ATOMIC_RELAXED);
	return r;
}

static void stdout_close_task(void *task_state)
{
	struct stdout_task *t = task_state;
	if (t == NULL)
		return;
	free(t->buf);
	free(t);
}

static int stdout_commit(void *state, bh_ctx *ctx)
{
	struct stdout_state *s = state;
	bh_log(ctx, BH_LOG_DEBUG, "stdout: printed %" PRIu64 " records",
	       __atomic_load_n(&s->records, __ATOMIC_RELAXED));
	return 0;
}

static void stdout_abort(void *state, bh_ctx *ctx)
{
	/* What was printed stays printed; nothing to undo. */
}

static void stdout_end(void *state)
{
	struct stdout_state *s = state;
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const bh_output_vtable stdout_vtable = {
	.struct_size = sizeof(bh_output_vtable),
	.begin = stdout_begin,
	.open_task = stdout_open_task,
	.add = stdout_add,
	.finish_task = stdout_finish_task,
	.close_task = stdout_close_task,
	.commit = stdout_commit,
	.abort = stdout_abort,
	.end = stdout_end,
};

static const bh_component stdout_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_OUTPUT,
		.type = "stdout",
		.description = "Prints records to standard output, one comma-separated line each",
		.options = stdout_options,
		.vtable = &stdout_vtable,
	},
};

static const bh_plugin stdout_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "stdout",
	.version = "1.0.0",
	.description = "Standard output",
	.components = stdout_components,
	.component_count = BH_COUNT(stdout_components),
};

BH_PLUGIN_DEFINE(stdout_plugin)
