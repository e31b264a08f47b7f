/* Internals of bulkhead-worker shared by its files. */
#ifndef BH_HOST_WORKER_INTERNAL_H
#define BH_HOST_WORKER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <jansson.h>
#include <bulkhead/plugin.h>

#include "host/worker.h"
#include "sdk/src/runtime.h"

/* Failure categories, mapped to exit codes by the host. */
#define WK_CAT_CONFIG "config"
#define WK_CAT_DATA "data"
#define WK_CAT_INTERNAL "internal"

struct wk_plugin {
	char *name;
	char *version;
	char *library;
	void *dl;
	const bh_plugin *table;
};

/* One configured component of the pipeline. */
struct wk_stage {
	const bh_component *component;
	const struct wk_plugin *plugin;
	json_t *config; /* borrowed from the plan */
	char label[128];  /* "parser csv" */
	json_t *next;     /* this stage's section of the next config */
	void *state;      /* from begin() */
	int begun;
	bh_ctx *ctx;      /* the transaction context */
};

struct wk_worker {
	json_t *plan;
	const char *mode;
	struct rt_runtime rt;
	struct wk_plugin *plugins;
	size_t plugin_count;

	struct wk_stage input, parser, formatter, output;
	struct wk_stage *decoders, *filters, *encoders;
	size_t decoder_count, filter_count, encoder_count;
	int has_parser, has_formatter;

	bh_ctx *own; /* owns the worker's copies of schemas */
	/* Schema entering filter i; schemas[filter_count] is what the output gets. */
	const bh_schema **schemas;
	int preview_full; /* preview: enough records were collected */
	uint32_t task_count;
	uint32_t max_threads;
	uint32_t page_records;
	uint64_t split_size; /* smallest part of a split input file; 0: never split */

	/* Split inputs (worker_split.c): task i of the transaction is parts[i]
	 * when parts is set, else input task i. */
	struct wk_part *parts;
	pthread_mutex_t parts_lock;
	pthread_cond_t parts_cond;

	/* Counters (updated from task threads). */
	atomic_uint_fast64_t records_in, records_out, bytes, invalid;
	atomic_int stop; /* set on the first failure: other tasks wind down */

	/* Invalid-record handling. */
	int skip_invalid;
	long long max_invalid; /* < 0: unlimited */
	FILE *reject_file;
	char *reject_path, *reject_tmp;
	pthread_mutex_t reject_lock;

	/* The first failure. */
	pthread_mutex_t error_lock;
	char *error;
	const char *category;

	/* Preview. */
	json_t *preview_rows;
	size_t preview_max;
	pthread_mutex_t preview_lock;

	int control_fd;
	pthread_mutex_t control_lock;
};

/* worker_events.c */
int wk_send(struct wk_worker *w, json_t *event); /* steals event */
void wk_fail(struct wk_worker *w, const char *category, const char *fmt, ...) BH_PRINTF(3, 4);
/* Records a stage failure: the plugin's message, or a description of code. */
void wk_fail_stage(struct wk_worker *w, const struct wk_stage *s, bh_ctx *ctx, int code);
void wk_install_callbacks(struct wk_worker *w);
int wk_progress_start(struct wk_worker *w, pthread_t *thread);
void wk_progress_stop(struct wk_worker *w, pthread_t thread);
json_t *wk_counts(struct wk_worker *w);
int wk_rejects_open(struct wk_worker *w, const json_t *settings);
void wk_rejects_close(struct wk_worker *w, int publish);

/* worker_load.c */
int wk_load_plugins(struct wk_worker *w);
int wk_stage_init(struct wk_worker *w, struct wk_stage *s, const json_t *spec, bh_kind kind);
int wk_stages_init(struct wk_worker *w, const char *key, bh_kind kind, struct wk_stage **out, size_t *count);
void wk_unload(struct wk_worker *w);
json_t *wk_describe(const char *library, char **err);

/* worker_split.c: one part of a split input file (a task of its own). */
struct wk_part {
	uint32_t input_task;
	uint64_t start, end; /* end: UINT64_MAX for the file's last part */
	int first;           /* the file's first part */
	/* Guarded by parts_lock: */
	int done;       /* the current attempt finished (its result is set) */
	int final;      /* done, and its first record is confirmed: result counts */
	int refuted;    /* the current attempt started at the wrong place */
	int rerun;      /* the current attempt starts at rerun_start, a known record boundary */
	uint64_t rerun_start;
	uint64_t line_base; /* line ends before its first record (known once confirmed) */
	int base_known;
	bh_part result;
	uint64_t records_in, records_out; /* counted by the last attempt */
};

/* Cuts large input files into parts when the input, parser and output
 * support it and it pays (more than one thread); sets w->parts and
 * w->task_count.  0, or a negative errno after wk_fail. */
int wk_split_plan(struct wk_worker *w);
void wk_split_free(struct wk_worker *w);
/* The part descriptor for the task's next attempt. */
void wk_split_describe(struct wk_worker *w, uint32_t task, bh_part *out);
/* Task `task`'s attempt ended (r: its result, desc: what the parser set).
 * Returns 1 when the attempt counts (the part is final, or will be confirmed
 * by its predecessor later), 0 when it must run again (discard its output
 * first; wk_split_describe gives the new start), or r when it failed. */
int wk_split_attempt_done(struct wk_worker *w, uint32_t task, int r, const bh_part *desc);
/* Hands back parts whose attempts finished before their predecessor was
 * confirmed and turned out to start at the wrong place: the caller reruns
 * them.  Returns a part index, or -1 for none. */
int wk_split_take_refuted(struct wk_worker *w);
/* Has the task's current attempt been refuted (stop early)? */
int wk_split_is_refuted(struct wk_worker *w, uint32_t task);
/* Bytes of the input files, once every part is final: the parts read a
 * little past their ends, and void attempts read twice. */
uint64_t wk_split_bytes(struct wk_worker *w);
/* Waits until the part ctx runs in (if any) is confirmed to start at a
 * record: 0, or -ECANCELED when this attempt is void or the transfer stops.
 * Failures and rejects of a part go through it, so a void attempt leaves none. */
int wk_split_confirm(struct wk_worker *w, bh_ctx *ctx);
/* The host API's part_line_base for a task's parser. */
int wk_split_line_base(struct wk_worker *w, uint32_t task, uint64_t *lines);

/* worker_run.c */
int wk_transaction(struct wk_worker *w);
/* worker_guess.c */
int wk_guess(struct wk_worker *w, json_t **out);

#endif
