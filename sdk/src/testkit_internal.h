/* Internals of the plugin test kit shared by its files (not installed). */
#ifndef BH_SDK_TESTKIT_INTERNAL_H
#define BH_SDK_TESTKIT_INTERNAL_H

#include <jansson.h>
#include <bulkhead/testkit.h>
#include "sdk/src/runtime.h"

/* Rows collected from one run, so a runaway plugin can not eat the test's memory. */
#define TK_MAX_RECORDS 10000000

struct bh_testkit {
	void *dl;
	const bh_plugin *plugin;
	long max_rejects;
	size_t chunk;
	char *error;
};

/* One run's state: the runtime callbacks write into it. */
struct tk_run {
	bh_testkit *tk;
	struct rt_runtime rt;
	json_t *records;
	json_t *rejects;
	json_t *next;
	char *bytes;
	size_t bytes_len, bytes_cap;
	bh_ctx *ctx;
	/* For chained stages: the page consumer. */
	int (*consume)(struct tk_run *run, const bh_page *page);
	/* The flags every delivered page had, and how many pages there were. */
	uint32_t page_flags;
	size_t pages;
	const bh_filter_vtable *filter;
	void *filter_state, *filter_task;
	bh_page_builder *filter_out;
	const bh_formatter_vtable *formatter;
	const bh_output_vtable *output;
	void *task_state;
	/* bh_testkit_parse_parts: the current part's line base, and whether its
	 * assumed start was refuted (its attempt is void). */
	uint64_t part_base;
	int part_refuted;
};

/* A stream over bytes in memory, read in chunks of at most `chunk` (0: all). */
struct mem_stream {
	const char *data;
	size_t len, pos, chunk;
};

void tk_fail(bh_testkit *tk, const char *fmt, ...) BH_PRINTF(2, 3);
const bh_component *tk_find(bh_testkit *tk, bh_kind kind, const char *type);
/* The component's config: config_json checked against its options, defaults applied. */
json_t *tk_config(bh_testkit *tk, const bh_component *c, const char *config_json);
int tk_run_init(struct tk_run *run, bh_testkit *tk, const bh_component *c);
/* Builds the result, frees the run, and returns status. */
int tk_run_finish(struct tk_run *run, int status, const bh_schema *schema, bh_testkit_result **out);
/* Finds the component, prepares its config and the run: 0, or the status to return. */
int tk_start(bh_testkit *tk, bh_kind kind, const char *type, const char *config_json,
	     const bh_component **c, json_t **cfg, struct tk_run *run, bh_testkit_result **out);
void tk_mem_stream_init(bh_stream *s, struct mem_stream *m, const char *data, size_t len, size_t chunk);
/* Appends bytes to run's output (a bh_sink's write, self = run). */
int tk_sink_write(void *self, const void *data, size_t len);
/* A page builder's deliver: to run->consume, else into run->records. */
int tk_collect_page(void *user, const bh_page *page);
/* Runs parser c over stream in, collecting pages into run (testkit_parse.c). */
int tk_run_parser(struct tk_run *run, const bh_component *c, json_t *cfg, bh_stream *in,
		  const bh_schema **schema_out);

#endif
