/* bulkhead-worker: the executable the host runs (inside the sandbox) to
 * execute a plan.  It is the only program that loads plugin code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/worker_internal.h"
#include "sandbox/sandbox.h"

static int read_plan(int fd, json_t **out, char **err)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	json_error_t jerr;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		if (len == cap) {
			char *b;
			if (cap >= WORKER_PLAN_MAX) {
				free(buf);
				return rt_fail(err, "plan larger than %d bytes", WORKER_PLAN_MAX);
			}
			cap *= 2;
			b = realloc(buf, cap);
			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return rt_fail(err, "reading the plan: %s", strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!*out)
		return rt_fail(err, "plan is not valid JSON: %s", jerr.text);
	return 0;
}

static int setup_pipeline(struct wk_worker *w)
{
	json_t *plan = w->plan, *spec;
	int r;
	json_object_set_new(plan, "empty_config", json_object());
	r = wk_load_plugins(w);
	if (r < 0)
		return r;
	r = wk_stage_init(w, &w->input, json_object_get(plan, "input"), BH_KIND_INPUT);
	if (r < 0)
		return r;
	if (strcmp(w->mode, "guess") == 0)
		return 0;
	if ((spec = json_object_get(plan, "parser")) && json_is_object(spec)) {
		if ((r = wk_stage_init(w, &w->parser, spec, BH_KIND_PARSER)) < 0)
			return r;
		w->has_parser = 1;
	}
	if ((r = wk_stages_init(w, "decoders", BH_KIND_DECODER, &w->decoders, &w->decoder_count)) < 0 ||
	    (r = wk_stages_init(w, "filters", BH_KIND_FILTER, &w->filters, &w->filter_count)) < 0 ||
	    (r = wk_stages_init(w, "encoders", BH_KIND_ENCODER, &w->encoders, &w->encoder_count)) < 0)
		return r;
	if ((spec = json_object_get(plan, "formatter")) && json_is_object(spec)) {
		if ((r = wk_stage_init(w, &w->formatter, spec, BH_KIND_FORMATTER)) < 0)
			return r;
		w->has_formatter = 1;
	}
	if ((spec = json_object_get(plan, "output")) && json_is_object(spec)) {
		const bh_output_vtable *ov;
		if ((r = wk_stage_init(w, &w->output, spec, BH_KIND_OUTPUT)) < 0)
			return r;
		ov = w->output.component->vtable;
		if (ov->open_sink && !w->has_formatter) {
			wk_fail(w, WK_CAT_CONFIG, "output %s writes files: it needs a formatter (out: {formatter: {type: ...}})",
				w->output.component->type);
			return -EINVAL;
		}
		if (!ov->open_sink && w->has_formatter) {
			wk_fail(w, WK_CAT_CONFIG, "output %s takes records, not bytes: remove its formatter",
				w->output.component->type);
			return -EINVAL;
		}
	}
	return 0;
}

/* The next run's config: each stage's next_config_set() keys, by section. */
static json_t *next_config(struct wk_worker *w)
{
	json_t *in = json_deep_copy(w->input.next);
	if (w->has_parser && json_object_size(w->parser.next))
		json_object_set_new(in, "parser", json_deep_copy(w->parser.next));
	return json_pack("{s:o}", "in", in);
}

static void settings(struct wk_worker *w)
{
	json_t *p = w->plan, *t = json_object_get(p, "run_time");
	json_int_t threads = json_integer_value(json_object_get(p, "max_threads"));
	json_int_t page = json_integer_value(json_object_get(p, "page_records"));
	w->max_threads = threads > 0 ? (uint32_t)threads : 1;
	w->page_records = page > 0 ? (uint32_t)page : RT_PAGE_RECORDS_DEFAULT;
	w->split_size = (uint64_t)json_integer_value(json_object_get(p, "split_size"));
	w->rt.run_time.sec = json_integer_value(json_object_get(t, "sec"));
	w->rt.run_time.nsec = (int32_t)json_integer_value(json_object_get(t, "nsec"));
	w->rt.temp_dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
}

static int run_plan(struct wk_worker *w, json_t **extra)
{
	int r = setup_pipeline(w);
	pthread_t progress;
	int progress_on;
	if (r < 0)
		return r;
	if (strcmp(w->mode, "guess") == 0) {
		json_t *g = NULL;
		r = wk_guess(w, &g);
		if (r == 0)
			json_object_set_new(*extra, "guess", g);
		return r;
	}
	if (strcmp(w->mode, "preview") == 0) {
		json_int_t n = json_integer_value(json_object_get(w->plan, "preview_records"));
		w->preview_max = n > 0 ? (size_t)n : 20;
		w->preview_rows = json_array();
	}
	if ((r = wk_rejects_open(w, json_object_get(w->plan, "invalid_records"))) < 0)
		return r;
	progress_on = wk_progress_start(w, &progress) == 0;
	r = wk_transaction(w);
	if (progress_on)
		wk_progress_stop(w, progress);
	wk_rejects_close(w, 1);
	json_object_set_new(*extra, "tasks", json_integer(w->task_count));
	if (w->schemas && w->schemas[w->filter_count])
		json_object_set_new(*extra, "schema", rt_schema_to_json(w->schemas[w->filter_count]));
	if (w->preview_rows)
		json_object_set(*extra, "records", w->preview_rows);
	if (r == 0 && strcmp(w->mode, "run") == 0)
		json_object_set_new(*extra, "next", next_config(w));
	return r;
}

/* From here on this process can not exec anything: plugin code never can. */
static int forbid_exec(void)
{
	char *err = NULL;
	if (sandbox_forbid_exec(&err) == 0)
		return 0;
	fprintf(stderr, "bulkhead-worker: cannot install the exec ban: %s\n", err ? err : "seccomp failed");
	free(err);
	return -EPERM;
}

static int describe_main(const char *library)
{
	char *err = NULL;
	json_t *d;
	int r;
	if (forbid_exec() < 0)
		return 6;
	d = wk_describe(library, &err);
	if (!d) {
		fprintf(stderr, "bulkhead-worker: %s\n", err ? err : "describe failed");
		free(err);
		return 4;
	}
	/* Started by the host, the answer goes on fd 3; by hand, to stdout. */
	if (fcntl(WORKER_CONTROL_FD, F_GETFD) >= 0)
		r = json_dumpfd(d, WORKER_CONTROL_FD, JSON_INDENT(2));
	else
		r = json_dumpf(d, stdout, JSON_INDENT(2));
	json_decref(d);
	return r == 0 ? 0 : 1;
}

static void usage(void)
{
	fputs("usage: bulkhead-worker            (run the plan read from fd 3; started by bulkhead)\n"
	      "       bulkhead-worker describe LIBRARY   (print a plugin's components and options as JSON)\n"
	      "The worker is an internal program: use the bulkhead command.\n",
	      stderr);
}

int main(int argc, char **argv)
{
	struct wk_worker w;
	json_t *extra, *done;
	char *err = NULL;
	struct timespec t0, t1;
	int r;

	if (argc == 3 && strcmp(argv[1], "describe") == 0)
		return describe_main(argv[2]);
	if (argc != 1) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&w, 0, sizeof(w));
	w.control_fd = WORKER_CONTROL_FD;
	pthread_mutex_init(&w.control_lock, NULL);
	pthread_mutex_init(&w.error_lock, NULL);
	pthread_mutex_init(&w.reject_lock, NULL);
	pthread_mutex_init(&w.preview_lock, NULL);
	pthread_mutex_init(&w.parts_lock, NULL);
	pthread_cond_init(&w.parts_cond, NULL);
	rt_runtime_init(&w.rt);
	wk_install_callbacks(&w);
	if (read_plan(w.control_fd, &w.plan, &err) < 0) {
		fprintf(stderr, "bulkhead-worker: %s\n", err ? err : "no plan");
		return 1;
	}
	shutdown(w.control_fd, SHUT_RD);
	if (forbid_exec() < 0)
		return 6;
	w.mode = json_string_value(json_object_get(w.plan, "mode")) ?: "run";
	w.own = rt_ctx_new(&w.rt, "worker", -1, NULL);
	settings(&w);
	extra = json_object();
	r = run_plan(&w, &extra);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	done = json_pack("{s:s, s:s, s:o, s:I}", "event", "done", "status", r == 0 && !w.error ? "ok" : "error",
			 "counts", wk_counts(&w), "elapsed_ns",
			 (json_int_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	json_object_update(done, extra);
	json_decref(extra);
	if (r < 0 || w.error) {
		json_object_set_new(done, "category", json_string(w.category ? w.category : WK_CAT_INTERNAL));
		json_object_set_new(done, "message",
				    json_string(w.error ? w.error : strerror(r < -4095 ? EPROTO : -r)));
	}
	wk_send(&w, done);
	wk_unload(&w);
	rt_ctx_free(w.own);
	json_decref(w.plan);
	return r == 0 && !w.error ? 0 : 3;
}
