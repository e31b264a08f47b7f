/* A minimal page input compiled twice with different PLUGIN_VERSION values, to show
 * that two versions of one plugin load side by side (RTLD_LOCAL) in one process. */
#include <bulkhead/bulkhead.h>

static const bh_column columns[] = { { "version", BH_TYPE_STRING, NULL }, { "n", BH_TYPE_LONG, NULL } };
static const bh_schema schema = { 2, columns };
/* Each copy has its own counter: shared state would show up as a wrong count. */
static long calls;

static int vin_begin(bh_ctx *ctx, const bh_config *cfg, void **state, bh_input_plan *plan)
{
	int64_t tasks = 1;
	bh_host->config_long(ctx, cfg, "tasks", &tasks);
	plan->task_count = (uint32_t)tasks;
	plan->schema = &schema;
	*state = NULL;
	return 0;
}

static int vin_run(void *state, bh_ctx *ctx, uint32_t task, bh_page_builder *out)
{
	int r = bh_pb_string(out, 0, PLUGIN_VERSION, sizeof(PLUGIN_VERSION) - 1);
	if (r < 0)
		return r;
	bh_pb_long(out, 1, ++calls);
	return bh_pb_end_record(out);
}

static const bh_option options[] = {
	{ "tasks", BH_OPT_LONG, "1", 0, "number of tasks" },
	{ NULL, 0, NULL, 0, NULL },
};
static const bh_input_vtable vtable = {
	.struct_size = sizeof(bh_input_vtable), .begin = vin_begin, .run_task = vin_run,
};
static const bh_component components[] = {
	{ sizeof(bh_component), BH_KIND_INPUT, "versioned", "test input", options, &vtable },
};
#ifdef BH_TEST_FUTURE_MINOR
#define PLUGIN_MINOR (BH_ABI_MINOR + 1)
#else
#define PLUGIN_MINOR BH_ABI_MINOR
#endif
static const bh_plugin versioned_plugin = {
	sizeof(bh_plugin), BH_ABI_MAJOR, PLUGIN_MINOR, "versioned", PLUGIN_VERSION, "test plugin", components,
	BH_COUNT(components),
};
BH_PLUGIN_DEFINE(versioned_plugin)
