/* bulkhead-worker: the transaction (begin every stage, run the tasks on a
 * thread pool, then commit or abort) and the per-task page pipeline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/worker_internal.h"
#include "sdk/src/values_json.h"

/* Preview stops the input with this code once it has enough records. */
#define WK_ENOUGH (-ECANCELED)

struct wk_task;

/* A page consumer in the chain: link i feeds filter i, the last link feeds the output. */
struct wk_link {
	struct wk_task *task;
	size_t index;
};

struct wk_task {
	struct wk_worker *w;
	uint32_t index;
	bh_ctx *in_ctx, *parser_ctx, *out_ctx, *fmt_ctx;
	bh_ctx **filter_ctx, **dec_ctx, **enc_ctx;
	void **filter_task;
	bh_page_builder *pbs; /* pbs[0] receives the input's records; pbs[i+1] filter i's */
	int *pb_ready;
	struct wk_link *links;
	void *out_task, *fmt_task;
	int out_open, fmt_open;
	/* A part of a split input file: where it starts, what the parser found. */
	int is_part;
	bh_part part;
	uint64_t records_in, records_out; /* this attempt's, undone when it is void */
};

static int deliver(void *user, const bh_page *page);

static int consume_final(struct wk_task *t, const bh_page *page)
{
	struct wk_worker *w = t->w;
	int r;
	if (w->preview_rows) {
		pthread_mutex_lock(&w->preview_lock);
		r = rt_page_to_json(page, w->preview_rows, w->preview_max);
		if (json_array_size(w->preview_rows) >= w->preview_max)
			w->preview_full = 1;
		pthread_mutex_unlock(&w->preview_lock);
		atomic_fetch_add(&w->records_out, page->nrows);
		t->records_out += page->nrows;
		return r < 0 ? r : (w->preview_full ? WK_ENOUGH : 0);
	}
	if (w->has_formatter)
		r = ((const bh_formatter_vtable *)w->formatter.component->vtable)->add(t->fmt_task, t->fmt_ctx, page);
	else
		r = ((const bh_output_vtable *)w->output.component->vtable)->add(t->out_task, t->out_ctx, page);
	if (r < 0) {
		wk_fail_stage(w, w->has_formatter ? &w->formatter : &w->output,
			      w->has_formatter ? t->fmt_ctx : t->out_ctx, r);
		return -ECANCELED;
	}
	atomic_fetch_add(&w->records_out, page->nrows);
	t->records_out += page->nrows;
	return 0;
}

static int deliver(void *user, const bh_page *page)
{
	struct wk_link *l = user;
	struct wk_task *t = l->task;
	struct wk_worker *w = t->w;
	const bh_filter_vtable *fv;
	int r;
	if (atomic_load(&w->stop) || (t->is_part && wk_split_is_refuted(w, t->index)))
		return -ECANCELED;
	if (l->index == 0) {
		atomic_fetch_add(&w->records_in, page->nrows);
		t->records_in += page->nrows;
	}
	if (l->index == w->filter_count)
		return consume_final(t, page);
	fv = w->filters[l->index].component->vtable;
	r = fv->add(w->filters[l->index].state, t->filter_task[l->index], t->filter_ctx[l->index], page,
		    &t->pbs[l->index + 1]);
	if (r < 0 && r != -ECANCELED) {
		wk_fail_stage(w, &w->filters[l->index], t->filter_ctx[l->index], r);
		return -ECANCELED;
	}
	return r;
}

static bh_ctx *task_ctx(struct wk_task *t, const struct wk_stage *s)
{
	return rt_ctx_new(&t->w->rt, s->label, t->index, s->next);
}

static int task_init(struct wk_task *t, struct wk_worker *w, uint32_t index)
{
	size_t nf = w->filter_count;
	memset(t, 0, sizeof(*t));
	t->w = w;
	t->index = index;
	t->filter_ctx = calloc(nf + 1, sizeof(*t->filter_ctx));
	t->dec_ctx = calloc(w->decoder_count + 1, sizeof(*t->dec_ctx));
	t->enc_ctx = calloc(w->encoder_count + 1, sizeof(*t->enc_ctx));
	t->filter_task = calloc(nf + 1, sizeof(*t->filter_task));
	t->pbs = calloc(nf + 1, sizeof(*t->pbs));
	t->pb_ready = calloc(nf + 1, sizeof(*t->pb_ready));
	t->links = calloc(nf + 1, sizeof(*t->links));
	t->in_ctx = task_ctx(t, &w->input);
	if (!t->filter_ctx || !t->dec_ctx || !t->enc_ctx || !t->filter_task || !t->pbs || !t->pb_ready ||
	    !t->links || !t->in_ctx)
		return -ENOMEM;
	if (w->has_parser && !(t->parser_ctx = task_ctx(t, &w->parser)))
		return -ENOMEM;
	if (w->output.component && !(t->out_ctx = task_ctx(t, &w->output)))
		return -ENOMEM;
	if (w->has_formatter && !(t->fmt_ctx = task_ctx(t, &w->formatter)))
		return -ENOMEM;
	for (size_t i = 0; i < nf; i++)
		if (!(t->filter_ctx[i] = task_ctx(t, &w->filters[i])))
			return -ENOMEM;
	for (size_t i = 0; i < w->decoder_count; i++)
		if (!(t->dec_ctx[i] = task_ctx(t, &w->decoders[i])))
			return -ENOMEM;
	for (size_t i = 0; i < w->encoder_count; i++)
		if (!(t->enc_ctx[i] = task_ctx(t, &w->encoders[i])))
			return -ENOMEM;
	for (size_t i = 0; i <= nf; i++) {
		t->links[i].task = t;
		t->links[i].index = i;
		if (rt_pb_init(&t->pbs[i], w->schemas[i], w->page_records, 0, deliver, &t->links[i]) < 0)
			return -ENOMEM;
		t->pb_ready[i] = 1;
	}
	return 0;
}

static void task_destroy(struct wk_task *t)
{
	struct wk_worker *w = t->w;
	for (size_t i = 0; i <= w->filter_count; i++) {
		if (t->pb_ready && t->pb_ready[i])
			rt_pb_destroy(&t->pbs[i]);
		if (t->filter_ctx)
			rt_ctx_free(t->filter_ctx[i]);
	}
	for (size_t i = 0; t->dec_ctx && i < w->decoder_count; i++)
		rt_ctx_free(t->dec_ctx[i]);
	for (size_t i = 0; t->enc_ctx && i < w->encoder_count; i++)
		rt_ctx_free(t->enc_ctx[i]);
	rt_ctx_free(t->in_ctx);
	rt_ctx_free(t->parser_ctx);
	rt_ctx_free(t->out_ctx);
	rt_ctx_free(t->fmt_ctx);
	free(t->filter_ctx);
	free(t->dec_ctx);
	free(t->enc_ctx);
	free(t->filter_task);
	free(t->pbs);
	free(t->pb_ready);
	free(t->links);
}

/* Opens the task's output end: output task, or sink <- encoders <- formatter. */
static int open_output_side(struct wk_task *t)
{
	struct wk_worker *w = t->w;
	const bh_output_vtable *ov = w->output.component->vtable;
	bh_sink sink;
	int r;
	if (!w->has_formatter) {
		r = ov->open_task(w->output.state, t->out_ctx, t->index, &t->out_task);
		if (r < 0) {
			wk_fail_stage(w, &w->output, t->out_ctx, r);
			return r;
		}
		t->out_open = 1;
		return 0;
	}
	r = ov->open_sink(w->output.state, t->out_ctx, t->index, &sink);
	if (r < 0) {
		wk_fail_stage(w, &w->output, t->out_ctx, r);
		return r;
	}
	for (size_t i = w->encoder_count; i-- > 0;) {
		const bh_encoder_vtable *ev = w->encoders[i].component->vtable;
		bh_sink wrapped;
		r = ev->open(w->encoders[i].state, t->enc_ctx[i], &sink, &wrapped);
		if (r < 0) {
			sink.close(sink.self);
			wk_fail_stage(w, &w->encoders[i], t->enc_ctx[i], r);
			return r;
		}
		sink = wrapped;
	}
	r = ((const bh_formatter_vtable *)w->formatter.component->vtable)
		    ->open_task(w->formatter.state, t->fmt_ctx, &sink, &t->fmt_task);
	if (r < 0) {
		sink.close(sink.self);
		wk_fail_stage(w, &w->formatter, t->fmt_ctx, r);
		return r;
	}
	t->fmt_open = 1;
	return 0;
}

/* Finishes (ok) and closes the output end. */
static int close_output_side(struct wk_task *t, int ok)
{
	struct wk_worker *w = t->w;
	int r = 0;
	if (t->fmt_open) {
		const bh_formatter_vtable *fv = w->formatter.component->vtable;
		if (ok && (r = fv->finish_task(t->fmt_task, t->fmt_ctx)) < 0)
			wk_fail_stage(w, &w->formatter, t->fmt_ctx, r);
		if (fv->close_task)
			fv->close_task(t->fmt_task);
		t->fmt_open = 0;
	}
	if (t->out_open) {
		const bh_output_vtable *ov = w->output.component->vtable;
		if (ok && ov->finish_task && (r = ov->finish_task(t->out_task, t->out_ctx)) < 0)
			wk_fail_stage(w, &w->output, t->out_ctx, r);
		if (ov->close_task)
			ov->close_task(t->out_task);
		t->out_open = 0;
	}
	return r;
}

/* The parser failed: report the innermost stage with a message (a read
 * error surfaces in the parser, but the decoder or input that failed said why). */
static void fail_input_side(struct wk_task *t, int r)
{
	struct wk_worker *w = t->w;
	for (size_t i = 0; i < w->decoder_count; i++)
		if (rt_ctx_error(t->dec_ctx[i])) {
			wk_fail_stage(w, &w->decoders[i], t->dec_ctx[i], r);
			return;
		}
	if (rt_ctx_error(t->in_ctx) && !rt_ctx_error(t->parser_ctx))
		wk_fail_stage(w, &w->input, t->in_ctx, r);
	else
		wk_fail_stage(w, &w->parser, t->parser_ctx, r);
}

/* A part of a split file: the input's stream from the part's start, and the
 * parser's run_part (there are no decoders). */
static int run_part_input(struct wk_task *t)
{
	struct wk_worker *w = t->w;
	const bh_input_vtable *iv = w->input.component->vtable;
	const struct wk_part *p = &w->parts[t->index];
	bh_stream stream;
	int r;
	wk_split_describe(w, t->index, &t->part);
	if (t->part.start_is_record && !t->part.first && t->part.start >= t->part.end) {
		/* Its predecessor's last record reached past this part's end: no
		 * record of its own.  The next part is run again from here. */
		t->part.stop = t->part.start;
		t->part.lines = 0;
		t->part.stop_exact = 0;
		return 0;
	}
	r = iv->open_task_at(w->input.state, t->in_ctx, p->input_task, t->part.start, &stream);
	if (r < 0) {
		wk_fail_stage(w, &w->input, t->in_ctx, r);
		return r;
	}
	r = ((const bh_parser_vtable *)w->parser.component->vtable)
		    ->run_part(w->parser.state, t->parser_ctx, &stream, &t->part, &t->pbs[0]);
	stream.close(stream.self);
	if (r < 0 && r != -ECANCELED)
		fail_input_side(t, r);
	return r;
}

/* Reads the task's input into pbs[0]: a page input directly, a byte input
 * through its decoders and the parser. */
static int run_input_side(struct wk_task *t)
{
	struct wk_worker *w = t->w;
	const bh_input_vtable *iv = w->input.component->vtable;
	bh_stream stream;
	int r;
	if (!w->has_parser) {
		r = iv->run_task(w->input.state, t->in_ctx, t->index, &t->pbs[0]);
		if (r < 0 && r != -ECANCELED)
			wk_fail_stage(w, &w->input, t->in_ctx, r);
		return r;
	}
	if (t->is_part)
		return run_part_input(t);
	r = iv->open_task(w->input.state, t->in_ctx, t->index, &stream);
	if (r < 0) {
		wk_fail_stage(w, &w->input, t->in_ctx, r);
		return r;
	}
	for (size_t i = 0; i < w->decoder_count; i++) {
		const bh_decoder_vtable *dv = w->decoders[i].component->vtable;
		bh_stream decoded;
		r = dv->open(w->decoders[i].state, t->dec_ctx[i], &stream, &decoded);
		if (r < 0) {
			stream.close(stream.self);
			wk_fail_stage(w, &w->decoders[i], t->dec_ctx[i], r);
			return r;
		}
		stream = decoded;
	}
	r = ((const bh_parser_vtable *)w->parser.component->vtable)
		    ->run(w->parser.state, t->parser_ctx, &stream, &t->pbs[0]);
	stream.close(stream.self);
	if (r < 0 && r != -ECANCELED)
		fail_input_side(t, r);
	return r;
}

/* Flushes the builders and lets every filter emit what it buffered. */
static int finish_pipeline(struct wk_task *t)
{
	struct wk_worker *w = t->w;
	int r = rt_pb_finish(&t->pbs[0]);
	for (size_t i = 0; r == 0 && i < w->filter_count; i++) {
		const bh_filter_vtable *fv = w->filters[i].component->vtable;
		if (fv->finish_task) {
			r = fv->finish_task(w->filters[i].state, t->filter_task[i], t->filter_ctx[i],
					    &t->pbs[i + 1]);
			if (r < 0 && r != -ECANCELED) {
				wk_fail_stage(w, &w->filters[i], t->filter_ctx[i], r);
				return r;
			}
		}
		if (r == 0)
			r = rt_pb_finish(&t->pbs[i + 1]);
	}
	return r;
}

/* One attempt at a task; for a part, *attempt receives what the parser
 * found and the records the attempt counted. */
static int run_attempt(struct wk_worker *w, uint32_t index, struct wk_task *attempt)
{
	struct wk_task t;
	size_t filters_open = 0;
	int r = task_init(&t, w, index);
	t.is_part = w->parts != NULL;
	if (r < 0) {
		wk_fail(w, WK_CAT_INTERNAL, "task %u: out of memory", index);
		goto out;
	}
	if (w->output.component && !w->preview_rows && (r = open_output_side(&t)) < 0)
		goto out;
	for (; filters_open < w->filter_count; filters_open++) {
		const bh_filter_vtable *fv = w->filters[filters_open].component->vtable;
		if (fv->open_task &&
		    (r = fv->open_task(w->filters[filters_open].state, t.filter_ctx[filters_open],
				       &t.filter_task[filters_open])) < 0) {
			wk_fail_stage(w, &w->filters[filters_open], t.filter_ctx[filters_open], r);
			goto out;
		}
	}
	r = run_input_side(&t);
	if (r == 0)
		r = finish_pipeline(&t);
	if (r == WK_ENOUGH && w->preview_full)
		r = 0;
out:
	close_output_side(&t, r == 0 && !atomic_load(&w->stop));
	while (filters_open-- > 0) {
		const bh_filter_vtable *fv = w->filters[filters_open].component->vtable;
		if (fv->close_task)
			fv->close_task(w->filters[filters_open].state, t.filter_task[filters_open]);
	}
	task_destroy(&t);
	attempt->part = t.part;
	attempt->records_in = t.records_in;
	attempt->records_out = t.records_out;
	return r;
}

/* A part whose attempt started at the wrong place: drop what it staged and
 * counted, so that it can run again. */
static int discard_attempt(struct wk_worker *w, uint32_t index, const struct wk_task *attempt)
{
	const bh_output_vtable *ov = w->output.component->vtable;
	bh_ctx *ctx = rt_ctx_new(&w->rt, w->output.label, index, NULL);
	int r;
	if (!ctx) {
		wk_fail(w, WK_CAT_INTERNAL, "task %u: out of memory", index);
		return -ENOMEM;
	}
	bh_log(w->input.ctx, BH_LOG_DEBUG, "part %u started inside a record that spans lines: it runs again from byte %llu",
	       index, (unsigned long long)w->parts[index].rerun_start);
	r = ov->discard_task(w->output.state, ctx, index);
	if (r < 0)
		wk_fail_stage(w, &w->output, ctx, r);
	rt_ctx_free(ctx);
	atomic_fetch_sub(&w->records_in, attempt->records_in);
	atomic_fetch_sub(&w->records_out, attempt->records_out);
	return r;
}

static int run_task(struct wk_worker *w, uint32_t index)
{
	struct wk_task attempt;
	int r;
	for (;;) {
		memset(&attempt, 0, sizeof(attempt));
		r = run_attempt(w, index, &attempt);
		if (!w->parts)
			return r;
		/* Kept with the part: a later verdict may void this attempt. */
		w->parts[index].records_in = attempt.records_in;
		w->parts[index].records_out = attempt.records_out;
		r = wk_split_attempt_done(w, index, r, &attempt.part);
		if (r != 0)
			return r < 0 ? r : 0;
		if ((r = discard_attempt(w, index, &attempt)) < 0)
			return r;
	}
}

/* Runs a part that was found void after its attempt had ended. */
static int rerun_part(struct wk_worker *w, uint32_t index)
{
	struct wk_task attempt;
	memset(&attempt, 0, sizeof(attempt));
	attempt.records_in = w->parts[index].records_in;
	attempt.records_out = w->parts[index].records_out;
	if (discard_attempt(w, index, &attempt) < 0)
		return -ECANCELED;
	return run_task(w, index);
}

struct wk_pool {
	struct wk_worker *w;
	atomic_uint next;
};

static void *pool_main(void *arg)
{
	struct wk_pool *p = arg;
	struct wk_worker *w = p->w;
	for (;;) {
		int again = wk_split_take_refuted(w);
		unsigned i = again >= 0 ? (unsigned)again : atomic_fetch_add(&p->next, 1);
		int r;
		if (i >= w->task_count || atomic_load(&w->stop) || w->preview_full)
			break;
		r = again >= 0 ? rerun_part(w, i) : run_task(w, i);
		if (r < 0 && !atomic_load(&w->stop) && !w->preview_full)
			wk_fail(w, WK_CAT_INTERNAL, "task %u failed", i);
	}
	return NULL;
}

static void run_tasks(struct wk_worker *w)
{
	struct wk_pool pool = { .w = w };
	uint32_t n = w->max_threads;
	pthread_t *threads;
	if (w->preview_rows || n < 1)
		n = 1;
	if (n > w->task_count)
		n = w->task_count;
	if (n <= 1) {
		pool_main(&pool);
		return;
	}
	threads = calloc(n, sizeof(*threads));
	if (!threads) {
		wk_fail(w, WK_CAT_INTERNAL, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, pool_main, &pool) != 0) {
			wk_fail(w, WK_CAT_INTERNAL, "cannot start task thread");
			n = i;
			break;
		}
	for (uint32_t i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

/* ---- begin and end of every stage ------------------------------------ */

static int begin_stage(struct wk_worker *w, struct wk_stage *s, int r)
{
	if (r < 0) {
		wk_fail_stage(w, s, s->ctx, r);
		return r;
	}
	s->begun = 1;
	return 0;
}

static int begin_all(struct wk_worker *w)
{
	const bh_config *cfg;
	const bh_schema *schema;
	bh_input_plan plan = { 0 };
	int r;

	cfg = (const bh_config *)w->input.config;
	r = ((const bh_input_vtable *)w->input.component->vtable)
		    ->begin(w->input.ctx, cfg, &w->input.state, &plan);
	if (begin_stage(w, &w->input, r) < 0)
		return r;
	w->task_count = plan.task_count;
	if ((r = wk_split_plan(w)) < 0) {
		wk_fail(w, WK_CAT_INTERNAL, "cannot plan the input's parts: %s", strerror(-r));
		return r;
	}
	schema = plan.schema;
	if (w->has_parser) {
		for (size_t i = 0; i < w->decoder_count; i++) {
			struct wk_stage *d = &w->decoders[i];
			r = ((const bh_decoder_vtable *)d->component->vtable)
				    ->begin(d->ctx, (const bh_config *)d->config, &d->state);
			if (begin_stage(w, d, r) < 0)
				return r;
		}
		r = ((const bh_parser_vtable *)w->parser.component->vtable)
			    ->begin(w->parser.ctx, (const bh_config *)w->parser.config, &w->parser.state, &schema);
		if (begin_stage(w, &w->parser, r) < 0)
			return r;
	}
	if (!schema) {
		wk_fail(w, WK_CAT_CONFIG, "%s produces bytes: it needs a parser (in: {parser: {type: ...}})",
			w->input.label);
		return -EINVAL;
	}
	w->schemas[0] = rt_schema_copy(w->own, schema);
	for (size_t i = 0; i < w->filter_count; i++) {
		struct wk_stage *f = &w->filters[i];
		const bh_schema *out = NULL;
		r = ((const bh_filter_vtable *)f->component->vtable)
			    ->begin(f->ctx, (const bh_config *)f->config, w->schemas[i], &f->state, &out);
		if (begin_stage(w, f, r) < 0)
			return r;
		w->schemas[i + 1] = rt_schema_copy(w->own, out);
	}
	if (w->preview_rows || !w->output.component)
		return 0;
	schema = w->schemas[w->filter_count];
	if (w->has_formatter) {
		r = ((const bh_formatter_vtable *)w->formatter.component->vtable)
			    ->begin(w->formatter.ctx, (const bh_config *)w->formatter.config, schema,
				    &w->formatter.state);
		if (begin_stage(w, &w->formatter, r) < 0)
			return r;
		for (size_t i = 0; i < w->encoder_count; i++) {
			struct wk_stage *e = &w->encoders[i];
			r = ((const bh_encoder_vtable *)e->component->vtable)
				    ->begin(e->ctx, (const bh_config *)e->config, &e->state);
			if (begin_stage(w, e, r) < 0)
				return r;
		}
	}
	r = ((const bh_output_vtable *)w->output.component->vtable)
		    ->begin(w->output.ctx, (const bh_config *)w->output.config, schema, w->task_count,
			    &w->output.state);
	return begin_stage(w, &w->output, r);
}

#define END_STAGE(w, s, vtype)                                              \
	do {                                                                \
		if ((s)->begun && ((const vtype *)(s)->component->vtable)->end) \
			((const vtype *)(s)->component->vtable)->end((s)->state); \
		(s)->begun = 0;                                             \
	} while (0)

static void end_all(struct wk_worker *w)
{
	END_STAGE(w, &w->output, bh_output_vtable);
	for (size_t i = w->encoder_count; i-- > 0;)
		END_STAGE(w, &w->encoders[i], bh_encoder_vtable);
	END_STAGE(w, &w->formatter, bh_formatter_vtable);
	for (size_t i = w->filter_count; i-- > 0;)
		END_STAGE(w, &w->filters[i], bh_filter_vtable);
	END_STAGE(w, &w->parser, bh_parser_vtable);
	for (size_t i = w->decoder_count; i-- > 0;)
		END_STAGE(w, &w->decoders[i], bh_decoder_vtable);
	END_STAGE(w, &w->input, bh_input_vtable);
}

static void output_abort(struct wk_worker *w)
{
	const bh_output_vtable *ov;
	if (!w->output.begun)
		return;
	ov = w->output.component->vtable;
	if (ov->abort)
		ov->abort(w->output.state, w->output.ctx);
}

static int commit_all(struct wk_worker *w)
{
	const bh_output_vtable *ov = w->output.component->vtable;
	const bh_input_vtable *iv = w->input.component->vtable;
	int r = ov->commit ? ov->commit(w->output.state, w->output.ctx) : 0;
	if (r < 0) {
		wk_fail_stage(w, &w->output, w->output.ctx, r);
		output_abort(w);
		return r;
	}
	/* The output is published: the input records where the next run starts. */
	r = iv->commit ? iv->commit(w->input.state, w->input.ctx) : 0;
	if (r < 0)
		wk_fail_stage(w, &w->input, w->input.ctx, r);
	return r;
}

int wk_transaction(struct wk_worker *w)
{
	int r;
	w->schemas = rt_ctx_alloc(w->own, sizeof(*w->schemas) * (w->filter_count + 1));
	if (!w->schemas)
		return -ENOMEM;
	r = begin_all(w);
	if (r == 0 && strcmp(w->mode, "check") == 0) {
		output_abort(w);
	} else if (r == 0) {
		run_tasks(w);
		if (w->parts && !atomic_load(&w->stop))
			atomic_store(&w->bytes, wk_split_bytes(w));
		if (w->preview_rows)
			r = atomic_load(&w->stop) ? -ECANCELED : 0;
		else if (atomic_load(&w->stop))
			output_abort(w);
		else
			r = commit_all(w);
	} else {
		output_abort(w);
	}
	end_all(w);
	wk_split_free(w);
	return w->error ? -ECANCELED : r;
}
