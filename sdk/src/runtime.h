/* The host side of the plugin ABI, shared by bulkhead-worker and the test kit:
 * the bh_host_api table, contexts, typed config access over jansson, schemas
 * and page builders.  Internal (not installed). */
#ifndef BH_SDK_RUNTIME_H
#define BH_SDK_RUNTIME_H

#include <pthread.h>
#include <jansson.h>
#include <bulkhead/plugin.h>

/* Default page shape: records per page, and arena bytes after which a page is
 * handed on early even if it has room for more records. */
#define RT_PAGE_RECORDS_DEFAULT 1024
#define RT_PAGE_ARENA_FLUSH_DEFAULT (256 * 1024)
/* A string cell can not exceed the arena offset range. */
#define RT_PAGE_ARENA_MAX ((size_t)UINT32_MAX)

struct rt_runtime {
	void *user;
	void (*on_log)(void *user, bh_ctx *ctx, bh_log_level level, const char *msg);
	/* Returns 0 to skip the record, BH_EDATA to stop. */
	int (*on_reject)(void *user, bh_ctx *ctx, const bh_location *where, const char *record,
			 size_t len, const char *reason);
	void (*on_bytes)(void *user, uint64_t n);
	/* part_line_base (ABI 1.1); -ENOTSUP when unset. */
	int (*on_part_line_base)(void *user, bh_ctx *ctx, uint64_t *lines);
	const char *temp_dir;
	bh_timestamp run_time;
	pthread_mutex_t lock; /* guards next-config sections */
};

struct rt_alloc;

struct bh_ctx {
	struct rt_runtime *rt;
	char *label;       /* "parser csv", for messages */
	int64_t task;      /* -1 for the transaction */
	json_t *next;      /* object receiving next_config_set, or NULL */
	char *error;       /* message from bh_error, owned */
	struct rt_alloc *allocs;
};

/* Sets *err (caller frees; err may be NULL) to the formatted message and returns -EINVAL. */
int rt_fail(char **err, const char *fmt, ...) BH_PRINTF(2, 3);

void rt_runtime_init(struct rt_runtime *rt);
void rt_runtime_destroy(struct rt_runtime *rt);
const bh_host_api *rt_host_api(void);

/* Returns a new context (free with rt_ctx_free); next may be NULL (borrowed). */
bh_ctx *rt_ctx_new(struct rt_runtime *rt, const char *label, int64_t task, json_t *next);
void rt_ctx_free(bh_ctx *ctx);
/* The message recorded with bh_error, or NULL. */
const char *rt_ctx_error(const bh_ctx *ctx);
/* Records a message as if the plugin had called bh_error. */
void rt_ctx_set_error(bh_ctx *ctx, const char *fmt, ...) BH_PRINTF(2, 3);
/* Memory that lives as long as ctx. */
void *rt_ctx_alloc(bh_ctx *ctx, size_t size);
char *rt_ctx_strdup(bh_ctx *ctx, const char *s);

/* Checks cfg (an object) against opts: unknown keys and wrong types are
 * errors; absent options get their defaults.  On failure *err (caller frees)
 * names the key. */
int rt_config_prepare(const bh_option *opts, json_t *cfg, const char *what, char **err);
/* Converts a YAML scalar default to JSON of the option's type; returns a new reference. */
json_t *rt_option_default(const bh_option *opt);
const char *rt_option_type_name(bh_option_type t);
int rt_option_type_from_name(const char *name, bh_option_type *out);
const char *rt_kind_name(bh_kind k);
int rt_kind_from_name(const char *name, bh_kind *out);
int rt_type_from_name(const char *name, bh_type *out);

/* Schemas as JSON [{"name","type","format"?}]; the returned schema is owned by ctx. */
json_t *rt_schema_to_json(const bh_schema *s);
int rt_schema_from_json(bh_ctx *ctx, const json_t *j, const bh_schema **out, char **err);
/* A deep copy owned by ctx. */
const bh_schema *rt_schema_copy(bh_ctx *ctx, const bh_schema *s);

/* Page builders.  deliver() receives each full page; the builder resets it afterwards. */
typedef int (*rt_deliver_fn)(void *user, const bh_page *page);
int rt_pb_init(bh_page_builder *pb, const bh_schema *schema, uint32_t capacity, size_t arena_flush_at,
	       rt_deliver_fn deliver, void *user);
/* Delivers the last partial page, if any. */
int rt_pb_finish(bh_page_builder *pb);
void rt_pb_destroy(bh_page_builder *pb);

#endif
