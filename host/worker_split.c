/* Split inputs: a large input file is cut into parts that run as tasks of
 * their own, so that the threads share one file as they share many.
 *
 * A part other than a file's first assumes that the first line end at or
 * after its start ends a record (see bh_part).  That is true unless the line
 * end sits inside a multi-line record (a quoted field with a newline), and
 * only the part before it can tell: it parses up to the first record
 * boundary at or after the assumed start and says whether the two agree.
 * Until its predecessor is final a part's attempt is pending; if the
 * assumption was wrong the attempt is void: its output is discarded (the
 * output's discard_task) and the part runs again from the boundary its
 * predecessor found.  A part reports nothing that needs a line number before
 * it is confirmed (part_line_base waits), so a void attempt leaves no trace
 * but the bytes it read. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/worker_internal.h"

/* A vtable has a callback when its declared size covers the field and it is set. */
#define HAS_CALLBACK(vt, type, field) \
	((vt)->struct_size >= offsetof(type, field) + sizeof((vt)->field) && (vt)->field != NULL)

/* Would splitting be correct here, and can it help? */
static int can_split(const struct wk_worker *w)
{
	const bh_input_vtable *iv = w->input.component->vtable;
	const bh_parser_vtable *pv;
	const bh_output_vtable *ov;
	if (w->split_size == 0 || w->max_threads < 2 || w->preview_rows || !w->has_parser ||
	    w->decoder_count > 0 || !w->output.component || strcmp(w->mode, "run") != 0)
		return 0;
	pv = w->parser.component->vtable;
	ov = w->output.component->vtable;
	return HAS_CALLBACK(iv, bh_input_vtable, task_size) && HAS_CALLBACK(iv, bh_input_vtable, open_task_at) &&
	       HAS_CALLBACK(pv, bh_parser_vtable, run_part) && HAS_CALLBACK(ov, bh_output_vtable, discard_task);
}

/* Parts per thread's share of the input.  One part per thread would do if
 * every thread ran at the same speed, but threads share cores with the rest
 * of the machine: with several parts each, a thread that falls behind leaves
 * its later parts to the others, and the run waits at its end for one
 * small part instead of a thread's whole share (measured on a busy 2-core
 * host, 200 MB CSV -> JSONL: median wall time -5% to -16%).  The cost is
 * that many more output files. */
#define WK_PARTS_PER_THREAD 4

/* How many parts a file of `size` bytes gets: WK_PARTS_PER_THREAD times its
 * size over a thread's fair share of all the input, rounded, in parts of at
 * least split_size. */
static uint64_t part_count(const struct wk_worker *w, uint64_t size, uint64_t fair)
{
	uint64_t n = fair ? (size * WK_PARTS_PER_THREAD + fair / 2) / fair : 1;
	if (n > size / w->split_size)
		n = size / w->split_size;
	if (n > (uint64_t)w->max_threads * WK_PARTS_PER_THREAD)
		n = (uint64_t)w->max_threads * WK_PARTS_PER_THREAD;
	return n < 1 ? 1 : n;
}

int wk_split_plan(struct wk_worker *w)
{
	const bh_input_vtable *iv = w->input.component->vtable;
	uint64_t *sizes = NULL, total = 0, fair;
	uint32_t count = 0, k = 0;
	int r = 0;

	if (!can_split(w) || w->task_count == 0)
		return 0;
	sizes = calloc(w->task_count, sizeof(*sizes));
	if (!sizes)
		return -ENOMEM;
	for (uint32_t i = 0; i < w->task_count; i++) {
		if (iv->task_size(w->input.state, i, &sizes[i]) < 0)
			sizes[i] = 0; /* not seekable (a named pipe): one part */
		total += sizes[i];
	}
	fair = (total + w->max_threads - 1) / w->max_threads;
	for (uint32_t i = 0; i < w->task_count; i++)
		count += (uint32_t)part_count(w, sizes[i], fair);
	if (count == w->task_count)
		goto out; /* nothing to split */
	w->parts = calloc(count, sizeof(*w->parts));
	if (!w->parts) {
		r = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < w->task_count; i++) {
		uint64_t n = part_count(w, sizes[i], fair);
		for (uint64_t j = 0; j < n; j++, k++) {
			struct wk_part *p = &w->parts[k];
			p->input_task = i;
			p->start = sizes[i] / n * j;
			p->end = j + 1 < n ? sizes[i] / n * (j + 1) : UINT64_MAX;
			p->first = j == 0;
			p->base_known = p->first; /* line_base 0 */
		}
	}
	w->task_count = count;
out:
	free(sizes);
	return r;
}

void wk_split_free(struct wk_worker *w)
{
	free(w->parts);
	w->parts = NULL;
}

void wk_split_describe(struct wk_worker *w, uint32_t task, bh_part *out)
{
	struct wk_part *p = &w->parts[task];
	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	pthread_mutex_lock(&w->parts_lock);
	out->start = p->rerun ? p->rerun_start : p->start;
	out->end = p->end;
	out->first = p->first;
	out->start_is_record = p->first || p->rerun;
	pthread_mutex_unlock(&w->parts_lock);
}

/* The part before task, when task is not a file's first. */
static struct wk_part *previous(struct wk_worker *w, uint32_t task)
{
	return w->parts[task].first ? NULL : &w->parts[task - 1];
}

/* Part task starts where its predecessor (final) stopped: run it again from there. */
static void schedule_rerun(struct wk_worker *w, uint32_t task)
{
	struct wk_part *p = &w->parts[task], *prev = previous(w, task);
	p->done = 0;
	p->refuted = 0;
	p->rerun = 1;
	p->rerun_start = prev->result.stop;
	p->line_base = prev->line_base + prev->result.lines;
	p->base_known = 1;
}

/* Under parts_lock: task is done and its predecessor final; decide.  Returns
 * 1 when task became final, 0 when it must run again. */
static int resolve(struct wk_worker *w, uint32_t task)
{
	struct wk_part *p = &w->parts[task], *prev = previous(w, task);
	if (prev && !p->rerun) {
		if (!prev->result.stop_exact) {
			schedule_rerun(w, task);
			return 0;
		}
		p->line_base = prev->line_base + prev->result.lines;
		p->base_known = 1;
	}
	p->final = 1;
	return 1;
}

/* Under parts_lock: task just became final; settle the parts after it that
 * were waiting for it.  Parts that must run again are marked `refuted` with
 * done = 0 and picked up by wk_split_take_refuted. */
static void cascade(struct wk_worker *w, uint32_t task)
{
	for (uint32_t k = task + 1; k < w->task_count && !w->parts[k].first; k++) {
		struct wk_part *p = &w->parts[k];
		if (!p->done) {
			if (!w->parts[k - 1].result.stop_exact && !p->rerun)
				p->refuted = 1; /* still running from the wrong place: stop it early */
			break;
		}
		if (!resolve(w, k)) {
			p->refuted = 1; /* queued: done == 0 && rerun && refuted */
			break;
		}
	}
	pthread_cond_broadcast(&w->parts_cond);
}

int wk_split_attempt_done(struct wk_worker *w, uint32_t task, int r, const bh_part *desc)
{
	struct wk_part *p = &w->parts[task], *prev = previous(w, task);
	int out = 1;
	pthread_mutex_lock(&w->parts_lock);
	if (r < 0) {
		/* Failed or stopped after its start was refuted (see wk_split_confirm):
		 * run again, unless the transfer is stopping anyway. */
		if (p->refuted && !p->rerun && prev && prev->final && !atomic_load(&w->stop)) {
			schedule_rerun(w, task);
			out = 0;
		} else {
			out = r;
		}
		goto unlock;
	}
	p->result = *desc;
	p->done = 1;
	if (!prev || p->rerun || prev->final) {
		if (resolve(w, task))
			cascade(w, task);
		else
			out = 0;
	}
unlock:
	pthread_mutex_unlock(&w->parts_lock);
	return out;
}

int wk_split_take_refuted(struct wk_worker *w)
{
	int found = -1;
	if (!w->parts)
		return -1;
	pthread_mutex_lock(&w->parts_lock);
	for (uint32_t k = 0; k < w->task_count; k++) {
		struct wk_part *p = &w->parts[k];
		if (p->rerun && p->refuted && !p->done) {
			p->refuted = 0;
			found = (int)k;
			break;
		}
	}
	pthread_mutex_unlock(&w->parts_lock);
	return found;
}

int wk_split_is_refuted(struct wk_worker *w, uint32_t task)
{
	int r;
	pthread_mutex_lock(&w->parts_lock);
	r = w->parts[task].refuted;
	pthread_mutex_unlock(&w->parts_lock);
	return r;
}

int wk_split_confirm(struct wk_worker *w, bh_ctx *ctx)
{
	uint64_t lines;
	if (!w->parts || !ctx || ctx->task < 0 || (uint64_t)ctx->task >= w->task_count)
		return 0;
	return wk_split_line_base(w, (uint32_t)ctx->task, &lines);
}

uint64_t wk_split_bytes(struct wk_worker *w)
{
	uint64_t total = 0;
	pthread_mutex_lock(&w->parts_lock);
	for (uint32_t k = 0; k < w->task_count; k++)
		if (w->parts[k].end == UINT64_MAX)
			total += w->parts[k].result.stop;
	pthread_mutex_unlock(&w->parts_lock);
	return total;
}

int wk_split_line_base(struct wk_worker *w, uint32_t task, uint64_t *lines)
{
	struct wk_part *p = &w->parts[task], *prev = previous(w, task);
	int r = -ECANCELED;
	pthread_mutex_lock(&w->parts_lock);
	while (!atomic_load(&w->stop)) {
		if (p->base_known) {
			*lines = p->line_base;
			r = 0;
			break;
		}
		if (prev->final) {
			if (!prev->result.stop_exact) {
				p->refuted = 1;
				break;
			}
			p->line_base = prev->line_base + prev->result.lines;
			p->base_known = 1;
			continue;
		}
		/* A failing transfer sets stop without a broadcast: look again soon. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 50 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->parts_cond, &w->parts_lock, &until);
	}
	pthread_mutex_unlock(&w->parts_lock);
	return r;
}
