/* The plugin test kit: drives a plugin's components in-process with the real
 * host-side ABI (runtime.c), feeding and collecting data as JSON. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"
#include "sdk/src/testkit_internal.h"
#include "sdk/src/values_json.h"

void tk_fail(bh_testkit *tk, const char *fmt, ...)
{
	va_list ap;
	free(tk->error);
	tk->error = NULL;
	va_start(ap, fmt);
	if (vasprintf(&tk->error, fmt, ap) < 0)
		tk->error = NULL;
	va_end(ap);
}

bh_testkit *bh_testkit_open(const char *library_path)
{
	bh_testkit *tk = calloc(1, sizeof(*tk));
	bh_plugin_entry_fn entry;
	int r;
	if (!tk)
		return NULL;
	tk->max_rejects = -1;
	tk->dl = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
	if (!tk->dl) {
		fprintf(stderr, "testkit: %s\n", dlerror());
		free(tk);
		return NULL;
	}
	*(void **)&entry = dlsym(tk->dl, BH_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		fprintf(stderr, "testkit: %s has no %s\n", library_path, BH_PLUGIN_ENTRY_SYMBOL);
		goto fail;
	}
	r = entry(rt_host_api(), &tk->plugin);
	if (r < 0 || !tk->plugin) {
		fprintf(stderr, "testkit: %s refused the host (ABI %d.%d): %s\n", library_path, BH_ABI_MAJOR,
			BH_ABI_MINOR, strerror(-r));
		goto fail;
	}
	if (tk->plugin->abi_major != BH_ABI_MAJOR || tk->plugin->abi_minor > BH_ABI_MINOR) {
		fprintf(stderr, "testkit: %s needs ABI %u.%u, host has %d.%d\n", library_path,
			tk->plugin->abi_major, tk->plugin->abi_minor, BH_ABI_MAJOR, BH_ABI_MINOR);
		goto fail;
	}
	return tk;
fail:
	dlclose(tk->dl);
	free(tk);
	return NULL;
}

void bh_testkit_free(bh_testkit *tk)
{
	if (!tk)
		return;
	if (tk->dl)
		dlclose(tk->dl);
	free(tk->error);
	free(tk);
}

const bh_plugin *bh_testkit_plugin(const bh_testkit *tk)
{
	return tk->plugin;
}

void bh_testkit_set_max_rejects(bh_testkit *tk, long max_rejects)
{
	tk->max_rejects = max_rejects;
}

void bh_testkit_set_chunk_size(bh_testkit *tk, size_t chunk_size)
{
	tk->chunk = chunk_size;
}

const char *bh_testkit_error(const bh_testkit *tk)
{
	return tk->error ? tk->error : "";
}

void bh_testkit_result_free(bh_testkit_result *r)
{
	if (!r)
		return;
	free(r->schema_json);
	free(r->records_json);
	free(r->rejects_json);
	free(r->bytes);
	free(r->next_json);
	free(r->error);
	free(r);
}

const bh_component *tk_find(bh_testkit *tk, bh_kind kind, const char *type)
{
	for (uint32_t i = 0; i < tk->plugin->component_count; i++) {
		const bh_component *c = &tk->plugin->components[i];
		if (c->kind == kind && strcmp(c->type, type) == 0)
			return c;
	}
	tk_fail(tk, "plugin %s has no %s '%s'", tk->plugin->name, rt_kind_name(kind), type);
	return NULL;
}

/* Returns a new reference to the prepared config, or NULL (tk->error set). */
json_t *tk_config(bh_testkit *tk, const bh_component *c, const char *config_json)
{
	json_error_t jerr;
	json_t *cfg = config_json ? json_loads(config_json, 0, &jerr) : json_object();
	char *err = NULL, what[160];
	if (!cfg) {
		tk_fail(tk, "config is not valid JSON: %s (line %d)", jerr.text, jerr.line);
		return NULL;
	}
	snprintf(what, sizeof(what), "%s %s", rt_kind_name(c->kind), c->type);
	if (rt_config_prepare(c->options, cfg, what, &err) < 0) {
		tk_fail(tk, "%s", err ? err : "invalid config");
		free(err);
		json_decref(cfg);
		return NULL;
	}
	return cfg;
}

static void tk_on_log(void *user, bh_ctx *ctx, bh_log_level level, const char *msg)
{
	if (getenv("BH_TESTKIT_VERBOSE"))
		fprintf(stderr, "[%s] %s\n", ctx->label, msg);
}

static int tk_on_reject(void *user, bh_ctx *ctx, const bh_location *where, const char *record, size_t len,
			const char *reason)
{
	struct tk_run *run = user;
	long max = run->tk->max_rejects;
	if (run->part_refuted) { /* a void attempt of a part: nothing it does counts */
		rt_ctx_set_error(ctx, "void attempt");
		return BH_EDATA;
	}
	if (max < 0 || (long)json_array_size(run->rejects) >= max) {
		if (where && where->line)
			rt_ctx_set_error(ctx, "%s:%llu: %s", where->source ? where->source : "input",
					 (unsigned long long)where->line, reason);
		else
			rt_ctx_set_error(ctx, "%s", reason);
		return BH_EDATA;
	}
	{
		json_t *j = json_pack("{s:I, s:I, s:s}", "line", (json_int_t)(where ? where->line : 0), "column",
				      (json_int_t)(where ? where->column : 0), "reason", reason);
		if (!j || rt_set_record_bytes(j, record, len) < 0 || json_array_append_new(run->rejects, j) < 0)
			return -ENOMEM;
	}
	return 0;
}

int tk_run_init(struct tk_run *run, bh_testkit *tk, const bh_component *c)
{
	char label[160];
	memset(run, 0, sizeof(*run));
	run->tk = tk;
	rt_runtime_init(&run->rt);
	run->rt.user = run;
	run->rt.on_log = tk_on_log;
	run->rt.on_reject = tk_on_reject;
	run->records = json_array();
	run->rejects = json_array();
	run->next = json_object();
	snprintf(label, sizeof(label), "%s %s", rt_kind_name(c->kind), c->type);
	run->ctx = rt_ctx_new(&run->rt, label, 0, run->next);
	return run->ctx && run->records && run->rejects && run->next ? 0 : -ENOMEM;
}

static char *dump(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* Builds the result, frees the run, and returns status. */
int tk_run_finish(struct tk_run *run, int status, const bh_schema *schema, bh_testkit_result **out)
{
	bh_testkit_result *res = calloc(1, sizeof(*res));
	if (res) {
		json_t *sj = schema ? rt_schema_to_json(schema) : NULL;
		res->status = status;
		res->schema_json = sj ? dump(sj) : NULL;
		json_decref(sj);
		res->records_json = dump(run->records);
		res->rejects_json = dump(run->rejects);
		res->next_json = dump(run->next);
		res->record_count = json_array_size(run->records);
		res->page_flags = run->pages ? run->page_flags : 0;
		res->bytes = run->bytes ? run->bytes : strdup("");
		res->bytes_len = run->bytes_len;
		run->bytes = NULL;
		if (status < 0 && rt_ctx_error(run->ctx))
			res->error = strdup(rt_ctx_error(run->ctx));
		else if (status < 0)
			res->error = strdup(strerror(status < -4095 ? EPROTO : -status));
		*out = res;
	}
	if (status < 0 && run->ctx && rt_ctx_error(run->ctx))
		tk_fail(run->tk, "%s", rt_ctx_error(run->ctx));
	free(run->bytes);
	json_decref(run->records);
	json_decref(run->rejects);
	json_decref(run->next);
	rt_ctx_free(run->ctx);
	rt_runtime_destroy(&run->rt);
	return res ? status : -ENOMEM;
}

/* The start of every single-component run: finds the component, prepares
 * its config and the run.  Returns 0, or the status the entry point returns
 * (-EINVAL with tk's error set, or the finished run's -ENOMEM). */
int tk_start(bh_testkit *tk, bh_kind kind, const char *type, const char *config_json,
		    const bh_component **c, json_t **cfg, struct tk_run *run, bh_testkit_result **out)
{
	if (!(*c = tk_find(tk, kind, type)) || !(*cfg = tk_config(tk, *c, config_json)))
		return -EINVAL;
	if (tk_run_init(run, tk, *c) < 0) {
		json_decref(*cfg);
		return tk_run_finish(run, -ENOMEM, NULL, out);
	}
	return 0;
}

/* ---- memory streams and sinks ------------------------------------------ */

static ssize_t mem_read(void *self, const char **data)
{
	struct mem_stream *m = self;
	size_t n = m->len - m->pos;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	*data = m->data + m->pos;
	m->pos += n;
	return (ssize_t)n;
}

static void mem_close(void *self)
{
	(void)self;
}

void tk_mem_stream_init(bh_stream *s, struct mem_stream *m, const char *data, size_t len, size_t chunk)
{
	m->data = data;
	m->len = len;
	m->pos = 0;
	m->chunk = chunk;
	s->self = m;
	s->read = mem_read;
	s->close = mem_close;
	s->name = "input";
}

int tk_sink_write(void *self, const void *data, size_t len)
{
	struct tk_run *run = self;
	if (run->bytes_cap - run->bytes_len < len + 1) {
		size_t cap = run->bytes_cap ? run->bytes_cap : 4096;
		char *b;
		while (cap - run->bytes_len < len + 1)
			cap *= 2;
		b = realloc(run->bytes, cap);
		if (!b)
			return -ENOMEM;
		run->bytes = b;
		run->bytes_cap = cap;
	}
	memcpy(run->bytes + run->bytes_len, data, len);
	run->bytes_len += len;
	run->bytes[run->bytes_len] = '\0';
	return 0;
}

static int sink_finish(void *self)
{
	(void)self;
	return 0;
}

static void sink_close(void *self)
{
	(void)self;
}

static void mem_sink_init(bh_sink *s, struct tk_run *run)
{
	s->self = run;
	s->write = tk_sink_write;
	s->finish = sink_finish;
	s->close = sink_close;
}

/* ---- page consumers ---------------------------------------------------- */

int tk_collect_page(void *user, const bh_page *page)
{
	struct tk_run *run = user;
	run->page_flags = run->pages++ ? run->page_flags & page->flags : page->flags;
	if (run->consume)
		return run->consume(run, page);
	return rt_page_to_json(page, run->records, TK_MAX_RECORDS);
}

static int consume_filter(struct tk_run *run, const bh_page *page)
{
	return run->filter->add(run->filter_state, run->filter_task, run->ctx, page, run->filter_out);
}

static int consume_formatter(struct tk_run *run, const bh_page *page)
{
	return run->formatter->add(run->task_state, run->ctx, page);
}

static int consume_output(struct tk_run *run, const bh_page *page)
{
	return run->output->add(run->task_state, run->ctx, page);
}

static int to_json_page(void *user, const bh_page *page)
{
	struct tk_run *run = user;
	return rt_page_to_json(page, run->records, TK_MAX_RECORDS);
}

/* Feeds records_json as pages of schema into collect_page (and run->consume). */
static int feed_records(struct tk_run *run, const bh_schema *schema, const json_t *rows)
{
	bh_page_builder pb;
	char *err = NULL;
	int r = rt_pb_init(&pb, schema, 64, 0, tk_collect_page, run);
	if (r < 0)
		return r;
	r = rt_json_to_records(rows, &pb, &err);
	if (r == 0)
		r = rt_pb_finish(&pb);
	else if (err)
		rt_ctx_set_error(run->ctx, "records: %s", err);
	free(err);
	rt_pb_destroy(&pb);
	return r;
}

static int load_schema_and_rows(struct tk_run *run, const char *schema_json, const char *records_json,
				const bh_schema **schema, json_t **rows)
{
	json_t *sj = json_loads(schema_json ? schema_json : "[]", 0, NULL);
	char *err = NULL;
	int r;
	*rows = json_loads(records_json ? records_json : "[]", 0, NULL);
	if (!sj || !*rows) {
		json_decref(sj);
		rt_ctx_set_error(run->ctx, "schema or records are not valid JSON");
		return -EINVAL;
	}
	r = rt_schema_from_json(run->ctx, sj, schema, &err);
	json_decref(sj);
	if (r < 0) {
		rt_ctx_set_error(run->ctx, "schema: %s", err ? err : "invalid");
		free(err);
	}
	return r;
}

/* ---- formatters and filters -------------------------------------------- */

/* Opens a formatter task of c writing to sink; run->consume then feeds it. */
static int formatter_open(struct tk_run *run, const bh_component *c, json_t *cfg, const bh_schema *schema,
			  bh_sink *sink, void **state)
{
	const bh_formatter_vtable *vt = c->vtable;
	int r = vt->begin(run->ctx, (const bh_config *)cfg, schema, state);
	if (r < 0)
		return r;
	r = vt->open_task(*state, run->ctx, sink, &run->task_state);
	if (r < 0) {
		if (vt->end)
			vt->end(*state);
		return r;
	}
	run->formatter = vt;
	run->consume = consume_formatter;
	return 0;
}

static int formatter_close(struct tk_run *run, void *state, int r)
{
	if (r == 0)
		r = run->formatter->finish_task(run->task_state, run->ctx);
	if (run->formatter->close_task)
		run->formatter->close_task(run->task_state);
	if (run->formatter->end)
		run->formatter->end(state);
	run->consume = NULL;
	return r;
}

int bh_testkit_format(bh_testkit *tk, const char *type, const char *config_json, const char *schema_json,
		      const char *records_json, bh_testkit_result **out)
{
	const bh_component *c;
	const bh_schema *schema = NULL;
	struct tk_run run;
	json_t *cfg, *rows = NULL;
	void *state = NULL;
	bh_sink sink;
	int r;
	if ((r = tk_start(tk, BH_KIND_FORMATTER, type, config_json, &c, &cfg, &run, out)) < 0)
		return r;
	r = load_schema_and_rows(&run, schema_json, records_json, &schema, &rows);
	if (r == 0) {
		mem_sink_init(&sink, &run);
		r = formatter_open(&run, c, cfg, schema, &sink, &state);
		if (r == 0)
			r = formatter_close(&run, state, feed_records(&run, schema, rows));
	}
	json_decref(rows);
	json_decref(cfg);
	return tk_run_finish(&run, r, schema, out);
}

int bh_testkit_filter(bh_testkit *tk, const char *type, const char *config_json, const char *schema_json,
		      const char *records_json, bh_testkit_result **out)
{
	const bh_component *c;
	const bh_filter_vtable *vt;
	const bh_schema *in = NULL, *outs = NULL, *copy = NULL;
	struct tk_run run;
	bh_page_builder pb;
	json_t *cfg, *rows = NULL;
	int r;
	if ((r = tk_start(tk, BH_KIND_FILTER, type, config_json, &c, &cfg, &run, out)) < 0)
		return r;
	vt = c->vtable;
	r = load_schema_and_rows(&run, schema_json, records_json, &in, &rows);
	if (r == 0)
		r = vt->begin(run.ctx, (const bh_config *)cfg, in, &run.filter_state, &outs);
	if (r == 0) {
		copy = rt_schema_copy(run.ctx, outs);
		r = rt_pb_init(&pb, outs, 0, 0, to_json_page, &run);
		if (r == 0) {
			run.filter = vt;
			run.filter_out = &pb;
			r = vt->open_task ? vt->open_task(run.filter_state, run.ctx, &run.filter_task) : 0;
			if (r == 0) {
				run.consume = consume_filter;
				r = feed_records(&run, in, rows);
				run.consume = NULL;
				if (r == 0 && vt->finish_task)
					r = vt->finish_task(run.filter_state, run.filter_task, run.ctx, &pb);
				if (r == 0)
					r = rt_pb_finish(&pb);
				if (vt->close_task)
					vt->close_task(run.filter_state, run.filter_task);
			}
			rt_pb_destroy(&pb);
		}
		if (vt->end)
			vt->end(run.filter_state);
	}
	json_decref(rows);
	json_decref(cfg);
	return tk_run_finish(&run, r, copy, out);
}

/* ---- decoders and encoders --------------------------------------------- */

int bh_testkit_decode(bh_testkit *tk, const char *type, const char *config_json, const char *input, size_t len,
		      bh_testkit_result **out)
{
	const bh_component *c;
	const bh_decoder_vtable *vt;
	struct tk_run run;
	struct mem_stream m;
	bh_stream up, dec;
	void *state = NULL;
	json_t *cfg;
	int r, opened = 0;
	if ((r = tk_start(tk, BH_KIND_DECODER, type, config_json, &c, &cfg, &run, out)) < 0)
		return r;
	vt = c->vtable;
	tk_mem_stream_init(&up, &m, input, len, tk->chunk);
	r = vt->begin(run.ctx, (const bh_config *)cfg, &state);
	if (r == 0) {
		r = vt->open(state, run.ctx, &up, &dec);
		opened = r == 0;
		while (r == 0) {
			const char *data;
			ssize_t n = dec.read(dec.self, &data);
			if (n <= 0) {
				r = (int)n;
				break;
			}
			r = tk_sink_write(&run, data, (size_t)n);
		}
		if (opened && dec.close)
			dec.close(dec.self);
		if (vt->end)
			vt->end(state);
	}
	json_decref(cfg);
	return tk_run_finish(&run, r, NULL, out);
}

int bh_testkit_encode(bh_testkit *tk, const char *type, const char *config_json, const char *input, size_t len,
		      bh_testkit_result **out)
{
	const bh_component *c;
	const bh_encoder_vtable *vt;
	struct tk_run run;
	bh_sink down, enc;
	void *state = NULL;
	json_t *cfg;
	int r;
	if ((r = tk_start(tk, BH_KIND_ENCODER, type, config_json, &c, &cfg, &run, out)) < 0)
		return r;
	vt = c->vtable;
	mem_sink_init(&down, &run);
	r = vt->begin(run.ctx, (const bh_config *)cfg, &state);
	if (r == 0) {
		r = vt->open(state, run.ctx, &down, &enc);
		if (r == 0) {
			size_t off = 0, step = tk->chunk ? tk->chunk : len;
			while (r == 0 && off < len) {
				size_t n = len - off < step ? len - off : step;
				r = enc.write(enc.self, input + off, n);
				off += n;
			}
			if (r == 0)
				r = enc.finish(enc.self);
			enc.close(enc.self);
		}
		if (vt->end)
			vt->end(state);
	}
	json_decref(cfg);
	return tk_run_finish(&run, r, NULL, out);
}

/* ---- inputs and outputs ------------------------------------------------ */

int bh_testkit_input(bh_testkit *tk, const char *type, const char *config_json, bh_testkit *parser_kit,
		     const char *parser_type, const char *parser_config_json, bh_testkit_result **out)
{
	const bh_component *c = tk_find(tk, BH_KIND_INPUT, type), *pc = NULL;
	const bh_input_vtable *vt;
	const bh_schema *schema = NULL;
	bh_input_plan plan = { 0 };
	struct tk_run run;
	json_t *cfg, *pcfg = NULL;
	void *state = NULL;
	int r;
	if (!c || !(cfg = tk_config(tk, c, config_json)))
		return -EINVAL;
	if (parser_kit) {
		pc = tk_find(parser_kit, BH_KIND_PARSER, parser_type);
		if (!pc || !(pcfg = tk_config(parser_kit, pc, parser_config_json))) {
			tk_fail(tk, "%s", bh_testkit_error(parser_kit));
			json_decref(cfg);
			return -EINVAL;
		}
	}
	vt = c->vtable;
	if (tk_run_init(&run, tk, c) < 0) {
		json_decref(cfg);
		json_decref(pcfg);
		return tk_run_finish(&run, -ENOMEM, NULL, out);
	}
	r = vt->begin(run.ctx, (const bh_config *)cfg, &state, &plan);
	if (r == 0) {
		if (plan.schema)
			schema = rt_schema_copy(run.ctx, plan.schema);
		for (uint32_t t = 0; r == 0 && t < plan.task_count; t++) {
			run.ctx->task = t;
			if (vt->open_task && pc) {
				bh_stream s;
				r = vt->open_task(state, run.ctx, t, &s);
				if (r == 0) {
					r = tk_run_parser(&run, pc, pcfg, &s, &schema);
					s.close(s.self);
				}
			} else if (vt->run_task && plan.schema) {
				bh_page_builder pb;
				r = rt_pb_init(&pb, plan.schema, 0, 0, tk_collect_page, &run);
				if (r == 0) {
					r = vt->run_task(state, run.ctx, t, &pb);
					if (r == 0)
						r = rt_pb_finish(&pb);
					rt_pb_destroy(&pb);
				}
			} else {
				rt_ctx_set_error(run.ctx, "input %s: byte input needs a parser", type);
				r = -EINVAL;
			}
		}
		run.ctx->task = -1;
		if (r == 0 && vt->commit)
			r = vt->commit(state, run.ctx);
		if (vt->end)
			vt->end(state);
	}
	json_decref(cfg);
	json_decref(pcfg);
	return tk_run_finish(&run, r, schema, out);
}

/* Writes rows [from, to) as one output task. */
static int output_task(struct tk_run *run, const bh_output_vtable *vt, void *state, uint32_t task,
		       const bh_schema *schema, json_t *rows, size_t from, size_t to,
		       const bh_component *fc, json_t *fcfg)
{
	json_t *slice = json_array();
	int r;
	for (size_t i = from; i < to; i++)
		json_array_append(slice, json_array_get(rows, i));
	run->ctx->task = task;
	if (vt->open_sink) {
		bh_sink sink;
		void *fstate = NULL;
		r = vt->open_sink(state, run->ctx, task, &sink);
		if (r == 0) {
			r = formatter_open(run, fc, fcfg, schema, &sink, &fstate);
			if (r == 0)
				r = formatter_close(run, fstate, feed_records(run, schema, slice));
			else
				sink.close(sink.self);
		}
	} else {
		r = vt->open_task(state, run->ctx, task, &run->task_state);
		if (r == 0) {
			run->output = vt;
			run->consume = consume_output;
			r = feed_records(run, schema, slice);
			run->consume = NULL;
			if (r == 0 && vt->finish_task)
				r = vt->finish_task(run->task_state, run->ctx);
			if (vt->close_task)
				vt->close_task(run->task_state);
		}
	}
	run->ctx->task = -1;
	json_decref(slice);
	return r;
}

int bh_testkit_output(bh_testkit *tk, const char *type, const char *config_json, const char *schema_json,
		      const char *records_json, unsigned task_count, bh_testkit *formatter_kit,
		      const char *formatter_type, const char *formatter_config_json, bh_testkit_result **out)
{
	const bh_component *c = tk_find(tk, BH_KIND_OUTPUT, type), *fc = NULL;
	const bh_output_vtable *vt;
	const bh_schema *schema = NULL;
	struct tk_run run;
	json_t *cfg, *fcfg = NULL, *rows = NULL;
	void *state = NULL;
	int r;
	if (!c || !(cfg = tk_config(tk, c, config_json)))
		return -EINVAL;
	vt = c->vtable;
	if (vt->open_sink) {
		if (!formatter_kit) {
			tk_fail(tk, "output %s writes bytes: pass a formatter", type);
			json_decref(cfg);
			return -EINVAL;
		}
		fc = tk_find(formatter_kit, BH_KIND_FORMATTER, formatter_type);
		if (!fc || !(fcfg = tk_config(formatter_kit, fc, formatter_config_json))) {
			tk_fail(tk, "%s", bh_testkit_error(formatter_kit));
			json_decref(cfg);
			return -EINVAL;
		}
	}
	if (task_count == 0)
		task_count = 1;
	if (tk_run_init(&run, tk, c) < 0) {
		json_decref(cfg);
		json_decref(fcfg);
		return tk_run_finish(&run, -ENOMEM, NULL, out);
	}
	r = load_schema_and_rows(&run, schema_json, records_json, &schema, &rows);
	if (r == 0)
		r = vt->begin(run.ctx, (const bh_config *)cfg, schema, task_count, &state);
	if (r == 0) {
		size_t n = json_array_size(rows);
		for (unsigned t = 0; r == 0 && t < task_count; t++)
			r = output_task(&run, vt, state, t, schema, rows, n * t / task_count,
					n * (t + 1) / task_count, fc, fcfg);
		if (r == 0 && vt->commit)
			r = vt->commit(state, run.ctx);
		if (r < 0 && vt->abort)
			vt->abort(state, run.ctx);
		if (vt->end)
			vt->end(state);
	}
	json_decref(rows);
	json_decref(cfg);
	json_decref(fcfg);
	return tk_run_finish(&run, r, schema, out);
}
