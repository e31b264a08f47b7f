/* null output: accepts every record and keeps none, counting them.  Useful
 * to measure an input, parser and filters without an output's cost, and to
 * check a config end to end. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <bulkhead/plugin.h>

static const bh_option null_options[] = {
	{NULL, 0, NULL, 0, NULL},
};

struct null_state {
	uint32_t task_count;
	uint64_t *records; /* per task: a task's void attempt can be taken back */
};

static int null_begin(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema,
		      uint32_t task_count, void **state)
{
	struct null_state *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->task_count = task_count;
	s->records = calloc(task_count ? task_count : 1, sizeof(*s->records));
	if (s->records == NULL) {
		free(s);
		return -ENOMEM;
	}
	*state = s;
	return 0;
}

static int null_open_task(void *state, bh_ctx *ctx, uint32_t task, void **task_state)
{
	struct null_state *s = state;
	if (task >= s->task_count) {
		bh_error(ctx, "task %u is out of range (%u tasks)", task, s->task_count);
		return BH_EPLUGIN;
	}
	*task_state = &s->records[task]; /* only this task's thread writes it */
	return 0;
}

static int null_add(void *task_state, bh_ctx *ctx, const bh_page *page)
{
	*(uint64_t *)task_state += page->nrows;
	return 0;
}

static int null_finish_task(void *task_state, bh_ctx *ctx)
{
	return 0;
}

static void null_close_task(void *task_state)
{
}

static int null_discard_task(void *state, bh_ctx *ctx, uint32_t task)
{
	struct null_state *s = state;
	if (task < s->task_count)
		s->records[task] = 0;
	return 0;
}

static int null_commit(void *state, bh_ctx *ctx)
{
	struct null_state *s = state;
	uint64_t total = 0;
	for (uint32_t i = 0; i < s->task_count; i++)
		total += s->records[i];
	bh_log(ctx, BH_LOG_INFO, "null: discarded %" PRIu64 " records", total);
	return 0;
}

static void null_abort(void *state, bh_ctx *ctx)
{
}

static void null_end(void *state)
{
	struct null_state *s = state;
	if (s)
		free(s->records);
	free(s);
}

static const bh_output_vtable null_vtable = {
	.struct_size = sizeof(bh_output_vtable),
	.begin = null_begin,
	.open_task = null_open_task,
	.add = null_add,
	.finish_task = null_finish_task,
	.close_task = null_close_task,
	.commit = null_commit,
	.abort = null_abort,
	.end = null_end,
	.discard_task = null_discard_task,
};

static const bh_component null_components[] = {
	{
		.struct_size = sizeof(bh_component),
		.kind = BH_KIND_OUTPUT,
		.type = "null",
		.description = "Discards every record (counts them)",
		.options = null_options,
		.vtable = &null_vtable,
	},
};

static const bh_plugin null_plugin = {
	.struct_size = sizeof(bh_plugin),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.name = "null",
	.version = "1.0.0",
	.description = "Discarding output",
	.components = null_components,
	.component_count = BH_COUNT(null_components),
};

BH_PLUGIN_DEFINE(null_plugin)
