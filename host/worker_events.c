/* bulkhead-worker: the control channel, failures, progress and invalid records. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/worker_internal.h"
#include "sdk/src/values_json.h"

/* How often progress is reported to the host. */
#define WK_PROGRESS_INTERVAL_MS 200

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int wk_send(struct wk_worker *w, json_t *event)
{
	char *text = json_dumps(event, JSON_COMPACT);
	int r = -ENOMEM;
	json_decref(event);
	if (!text)
		return r;
	pthread_mutex_lock(&w->control_lock);
	r = write_all(w->control_fd, text, strlen(text));
	if (r == 0)
		r = write_all(w->control_fd, "\n", 1);
	pthread_mutex_unlock(&w->control_lock);
	free(text);
	return r;
}

void wk_fail(struct wk_worker *w, const char *category, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	pthread_mutex_lock(&w->error_lock);
	if (!w->error) {
		w->error = msg;
		w->category = category;
		msg = NULL;
	}
	pthread_mutex_unlock(&w->error_lock);
	atomic_store(&w->stop, 1);
	free(msg);
}

void wk_fail_stage(struct wk_worker *w, const struct wk_stage *s, bh_ctx *ctx, int code)
{
	const char *msg = rt_ctx_error(ctx);
	const char *cat = code == BH_ECONFIG ? WK_CAT_CONFIG : WK_CAT_DATA;
	if (wk_split_confirm(w, ctx) < 0 && !atomic_load(&w->stop))
		return; /* a void attempt of a part: what it did does not count, it runs again */
	if (code == -ECANCELED && atomic_load(&w->stop))
		return; /* another task's failure stopped this one */
	if (msg)
		wk_fail(w, cat, "%s: %s", s->label, msg);
	else if (code <= -10000)
		wk_fail(w, cat, "%s failed (code %d)", s->label, code);
	else
		wk_fail(w, cat, "%s: %s", s->label, strerror(-code));
}

static void on_log(void *user, bh_ctx *ctx, bh_log_level level, const char *msg)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	struct wk_worker *w = user;
	if (level < BH_LOG_INFO && !getenv("BULKHEAD_DEBUG"))
		return;
	wk_send(w, json_pack("{s:s, s:s, s:s, s:s}", "event", "log", "level",
			     names[level <= BH_LOG_ERROR ? level : BH_LOG_ERROR], "component", ctx->label,
			     "message", msg));
}

static int on_reject(void *user, bh_ctx *ctx, const bh_location *where, const char *record, size_t len,
		     const char *reason)
{
	struct wk_worker *w = user;
	const char *source = where && where->source ? where->source : "input";
	unsigned long long line = where ? where->line : 0, column = where ? where->column : 0;
	int r = 0;
	/* Only a part whose start is confirmed rejects: a void attempt's
	 * records are not the file's (the plugin stops, the part runs again). */
	if (wk_split_confirm(w, ctx) < 0) {
		rt_ctx_set_error(ctx, "void attempt");
		return BH_EDATA;
	}
	if (!w->skip_invalid) {
		if (line && column)
			rt_ctx_set_error(ctx, "%s:%llu:%llu: invalid record: %s", source, line, column, reason);
		else if (line)
			rt_ctx_set_error(ctx, "%s:%llu: invalid record: %s", source, line, reason);
		else
			rt_ctx_set_error(ctx, "%s: invalid record: %s", source, reason);
		return BH_EDATA;
	}
	pthread_mutex_lock(&w->reject_lock);
	if (w->max_invalid >= 0 && (long long)atomic_load(&w->invalid) >= w->max_invalid) {
		rt_ctx_set_error(ctx,
				 "%s:%llu: invalid record: %s (more than exec.invalid_records.max = %lld invalid records)",
				 source, line, reason, w->max_invalid);
		r = BH_EDATA;
	} else {
		atomic_fetch_add(&w->invalid, 1);
		if (w->reject_file) {
			json_t *j = json_pack("{s:s, s:I, s:I, s:s}", "source", source, "line", (json_int_t)line,
					      "column", (json_int_t)column, "reason", reason);
			char *text = NULL;
			if (j && rt_set_record_bytes(j, record, len) == 0)
				text = json_dumps(j, JSON_COMPACT);
			if (text)
				fprintf(w->reject_file, "%s\n", text);
			free(text);
			json_decref(j);
		}
	}
	pthread_mutex_unlock(&w->reject_lock);
	return r;
}

static void on_bytes(void *user, uint64_t n)
{
	struct wk_worker *w = user;
	atomic_fetch_add(&w->bytes, n);
}

static int on_part_line_base(void *user, bh_ctx *ctx, uint64_t *lines)
{
	struct wk_worker *w = user;
	if (!w->parts || ctx->task < 0 || (uint64_t)ctx->task >= w->task_count)
		return -ENOTSUP;
	return wk_split_line_base(w, (uint32_t)ctx->task, lines);
}

void wk_install_callbacks(struct wk_worker *w)
{
	w->rt.user = w;
	w->rt.on_log = on_log;
	w->rt.on_reject = on_reject;
	w->rt.on_bytes = on_bytes;
	w->rt.on_part_line_base = on_part_line_base;
}

json_t *wk_counts(struct wk_worker *w)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "records_in", (json_int_t)atomic_load(&w->records_in),
			 "records_out", (json_int_t)atomic_load(&w->records_out), "invalid",
			 (json_int_t)atomic_load(&w->invalid), "bytes", (json_int_t)atomic_load(&w->bytes));
}

static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t progress_cond;
static int progress_done;

static void *progress_main(void *arg)
{
	struct wk_worker *w = arg;
	struct timespec deadline;
	pthread_mutex_lock(&progress_lock);
	while (!progress_done) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += WK_PROGRESS_INTERVAL_MS * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		/* Wakes early when the transfer ends, so a short run is not held up. */
		if (pthread_cond_timedwait(&progress_cond, &progress_lock, &deadline) == 0 || progress_done)
			continue;
		pthread_mutex_unlock(&progress_lock);
		json_t *e = wk_counts(w);
		json_object_set_new(e, "event", json_string("progress"));
		wk_send(w, e);
		pthread_mutex_lock(&progress_lock);
	}
	pthread_mutex_unlock(&progress_lock);
	return NULL;
}

int wk_progress_start(struct wk_worker *w, pthread_t *thread)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&progress_cond, &attr);
	pthread_condattr_destroy(&attr);
	progress_done = 0;
	return -pthread_create(thread, NULL, progress_main, w);
}

void wk_progress_stop(struct wk_worker *w, pthread_t thread)
{
	pthread_mutex_lock(&progress_lock);
	progress_done = 1;
	pthread_cond_signal(&progress_cond);
	pthread_mutex_unlock(&progress_lock);
	pthread_join(thread, NULL);
}

int wk_rejects_open(struct wk_worker *w, const json_t *settings)
{
	const char *action = json_string_value(json_object_get(settings, "action"));
	const char *path = json_string_value(json_object_get(settings, "reject_file"));
	json_t *max = json_object_get(settings, "max");
	int fd;
	w->skip_invalid = action && strcmp(action, "skip") == 0;
	w->max_invalid = json_is_integer(max) ? json_integer_value(max) : -1;
	if (!w->skip_invalid || !path)
		return 0;
	/* Written beside its final name and renamed at the end, so a reader never sees half a file. */
	if (asprintf(&w->reject_tmp, "%s.bh-tmp-%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	w->reject_path = strdup(path);
	fd = open(w->reject_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(w->reject_file = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		wk_fail(w, WK_CAT_CONFIG, "cannot create reject file %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

void wk_rejects_close(struct wk_worker *w, int publish)
{
	if (!w->reject_file)
		return;
	if (fclose(w->reject_file) == 0 && publish) {
		if (rename(w->reject_tmp, w->reject_path) < 0)
			wk_fail(w, WK_CAT_INTERNAL, "cannot publish reject file %s: %s", w->reject_path,
				strerror(errno));
	} else {
		unlink(w->reject_tmp);
	}
	w->reject_file = NULL;
	free(w->reject_tmp);
	free(w->reject_path);
}
