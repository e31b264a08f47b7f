/* The plugin test kit: parsers, whole and in parts (ABI 1.1 split inputs). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"
#include "sdk/src/testkit_internal.h"

/* Runs parser c of its plugin over stream in, collecting pages into run. */
int tk_run_parser(struct tk_run *run, const bh_component *c, json_t *cfg, bh_stream *in,
		      const bh_schema **schema_out)
{
	const bh_parser_vtable *vt = c->vtable;
	const bh_schema *schema = NULL;
	void *state = NULL;
	bh_page_builder pb;
	int r = vt->begin(run->ctx, (const bh_config *)cfg, &state, &schema);
	if (r < 0)
		return r;
	*schema_out = rt_schema_copy(run->ctx, schema);
	r = rt_pb_init(&pb, schema, 0, 0, tk_collect_page, run);
	if (r == 0) {
		r = vt->run(state, run->ctx, in, &pb);
		if (r == 0)
			r = rt_pb_finish(&pb);
		rt_pb_destroy(&pb);
	}
	if (vt->end)
		vt->end(state);
	return r;
}

int bh_testkit_parse(bh_testkit *tk, const char *type, const char *config_json, const char *input, size_t len,
		     bh_testkit_result **out)
{
	const bh_component *c;
	const bh_schema *schema = NULL;
	struct tk_run run;
	struct mem_stream m;
	bh_stream s;
	json_t *cfg;
	int r;
	if ((r = tk_start(tk, BH_KIND_PARSER, type, config_json, &c, &cfg, &run, out)) < 0)
		return r;
	tk_mem_stream_init(&s, &m, input, len, tk->chunk);
	r = tk_run_parser(&run, c, cfg, &s, &schema);
	json_decref(cfg);
	return tk_run_finish(&run, r, schema, out);
}

int bh_testkit_guess(bh_testkit *tk, const char *type, const char *sample, size_t len, bh_testkit_result **out)
{
	const bh_component *c = tk_find(tk, BH_KIND_PARSER, type);
	const bh_parser_vtable *vt;
	struct tk_run run;
	char *text = NULL;
	int r;
	if (!c)
		return -EINVAL;
	vt = c->vtable;
	if (!vt->guess) {
		tk_fail(tk, "parser %s can not guess", type);
		return -ENOTSUP;
	}
	if (tk_run_init(&run, tk, c) < 0)
		return tk_run_finish(&run, -ENOMEM, NULL, out);
	r = vt->guess(run.ctx, sample, len, &text);
	if (r == 0 && text) {
		tk_sink_write(&run, text, strlen(text));
		free(text);
	}
	return tk_run_finish(&run, r, NULL, out);
}

/* ---- split inputs -------------------------------------------------------- */

static int tk_on_part_line_base(void *user, bh_ctx *ctx, uint64_t *lines)
{
	struct tk_run *run = user;
	(void)ctx;
	if (run->part_refuted)
		return -ECANCELED;
	*lines = run->part_base;
	return 0;
}

/* Drops what a void attempt appended to arr since it held `keep` elements. */
static void truncate_array(json_t *arr, size_t keep)
{
	while (json_array_size(arr) > keep)
		json_array_remove(arr, json_array_size(arr) - 1);
}

/* One attempt at a part: run_part over input[part->start..len), its pages
 * collected into run. */
static int run_one_part(struct tk_run *run, const bh_parser_vtable *vt, void *state, const bh_schema *schema,
			const char *input, size_t len, bh_part *part)
{
	struct mem_stream m;
	bh_page_builder pb;
	bh_stream s;
	int r = rt_pb_init(&pb, schema, 0, 0, tk_collect_page, run);
	if (r < 0)
		return r;
	tk_mem_stream_init(&s, &m, input + part->start, len - (size_t)part->start, run->tk->chunk);
	r = vt->run_part(state, run->ctx, &s, part, &pb);
	if (r == 0)
		r = rt_pb_finish(&pb);
	rt_pb_destroy(&pb);
	return r;
}

int bh_testkit_parse_parts(bh_testkit *tk, const char *type, const char *config_json, const char *input,
			   size_t len, const size_t *cuts, size_t ncuts, bh_testkit_result **out)
{
	const bh_component *c;
	const bh_parser_vtable *vt;
	const bh_schema *schema = NULL, *own = NULL;
	bh_part prev;
	struct tk_run run;
	void *state = NULL;
	json_t *cfg;
	int r;
	if ((r = tk_start(tk, BH_KIND_PARSER, type, config_json, &c, &cfg, &run, out)) < 0)
		return r;
	vt = c->vtable;
	if (vt->struct_size < offsetof(bh_parser_vtable, run_part) + sizeof(vt->run_part) || !vt->run_part) {
		json_decref(cfg);
		tk_fail(tk, "parser %s does not parse parts (no run_part)", type);
		return tk_run_finish(&run, -ENOTSUP, NULL, out);
	}
	for (size_t k = 0; k < ncuts; k++)
		if (cuts[k] == 0 || cuts[k] >= len || (k && cuts[k] <= cuts[k - 1])) {
			json_decref(cfg);
			tk_fail(tk, "cut %zu (%zu) must be inside the input and after the one before", k, cuts[k]);
			return tk_run_finish(&run, -EINVAL, NULL, out);
		}
	run.rt.on_part_line_base = tk_on_part_line_base;
	r = vt->begin(run.ctx, (const bh_config *)cfg, &state, &schema);
	if (r < 0) {
		json_decref(cfg);
		return tk_run_finish(&run, r, NULL, out);
	}
	own = rt_schema_copy(run.ctx, schema);
	memset(&prev, 0, sizeof(prev));
	for (size_t k = 0; r == 0 && k <= ncuts; k++) {
		bh_part part = { .struct_size = sizeof(bh_part) };
		size_t records = json_array_size(run.records), rejects = json_array_size(run.rejects);
		part.start = k ? cuts[k - 1] : 0;
		part.end = k < ncuts ? cuts[k] : UINT64_MAX;
		part.first = k == 0;
		part.start_is_record = k == 0;
		/* As in bulkhead-worker: a part first runs from the start it assumes;
		 * when the part before says that start was wrong, the attempt is
		 * void (its failure too) and the part runs again from there. */
		run.part_refuted = k > 0 && !prev.stop_exact;
		r = run_one_part(&run, vt, state, schema, input, len, &part);
		if (run.part_refuted) {
			truncate_array(run.records, records);
			truncate_array(run.rejects, rejects);
			run.part_refuted = 0;
			memset(&part, 0, sizeof(part));
			part.struct_size = sizeof(bh_part);
			part.start = prev.stop;
			part.end = k < ncuts ? cuts[k] : UINT64_MAX;
			part.start_is_record = 1;
			r = part.start < part.end || part.end == UINT64_MAX
				    ? run_one_part(&run, vt, state, schema, input, len, &part)
				    : 0;
			if (part.start >= part.end && part.end != UINT64_MAX) /* past its end: no record of its own */
				part.stop = part.start;
		}
		run.part_base += part.lines;
		prev = part;
	}
	if (vt->end)
		vt->end(state);
	json_decref(cfg); /* the parser's state may point into it until end() */
	return tk_run_finish(&run, r, own, out);
}
