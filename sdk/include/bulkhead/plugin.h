/* bulkhead SDK v1: what a connector plugin implements and what the host gives it.
 *
 * A plugin library exports one symbol, BH_PLUGIN_ENTRY_SYMBOL.  The host calls
 * it with its table of functions (bh_host_api); the plugin returns its own
 * table (bh_plugin) listing components: one per (kind, type) pair, each with a
 * typed option table and a kind-specific vtable.  Every table starts with its
 * own size and only ever grows at the end, so a host can read an older
 * plugin's table and a plugin can tell which host functions exist.  ABI major
 * must match; the plugin's minor must not exceed the host's.
 *
 * Conventions: callbacks return 0 on success or a negative errno (or BH_E*)
 * on failure, after describing the failure with bh_error().  Out-parameters
 * are set only on success.  Optional callbacks may be NULL. */
#ifndef BULKHEAD_PLUGIN_H
#define BULKHEAD_PLUGIN_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <bulkhead/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BH_ABI_MAJOR 1
#define BH_ABI_MINOR 1 /* 1.1: split inputs (bh_part, task_size, open_task_at, run_part, discard_task) */
#define BH_PLUGIN_ENTRY_SYMBOL "bh_plugin_entry_v1"

/* Negative codes of our own, beyond errno's range. */
#define BH_EDATA (-10001)   /* invalid input data (a record, a file) */
#define BH_ECONFIG (-10002) /* invalid plugin configuration */
#define BH_EPLUGIN (-10003) /* the plugin failed in a way that is its own bug */

typedef enum bh_kind {
	BH_KIND_INPUT = 1,
	BH_KIND_PARSER = 2,
	BH_KIND_DECODER = 3,
	BH_KIND_FILTER = 4,
	BH_KIND_FORMATTER = 5,
	BH_KIND_ENCODER = 6,
	BH_KIND_OUTPUT = 7,
} bh_kind;

/* ---- options ---------------------------------------------------------- */

typedef enum bh_option_type {
	BH_OPT_BOOLEAN = 1,
	BH_OPT_LONG = 2,
	BH_OPT_DOUBLE = 3,
	BH_OPT_STRING = 4,
	BH_OPT_STRING_LIST = 5, /* a list of strings, or one string */
	BH_OPT_COLUMNS = 6,     /* a list of {name, type, format} maps: a schema */
	BH_OPT_MAP = 7,         /* any mapping; the plugin reads its keys */
	BH_OPT_LIST = 8,        /* any list */
	BH_OPT_ANY = 9,
} bh_option_type;

typedef struct bh_option {
	const char *name;
	bh_option_type type;
	const char *default_value; /* YAML scalar text, or NULL for none */
	int required;
	const char *description;
} bh_option;

/* ---- opaque host objects ----------------------------------------------- */

typedef struct bh_ctx bh_ctx;       /* one per component instance (and per task) */
typedef struct bh_config bh_config; /* a mapping node of the validated config */

typedef enum bh_log_level {
	BH_LOG_DEBUG = 0,
	BH_LOG_INFO = 1,
	BH_LOG_WARN = 2,
	BH_LOG_ERROR = 3,
} bh_log_level;

/* Where an invalid record came from, for messages and reject files. */
typedef struct bh_location {
	const char *source; /* file path or other name, may be NULL */
	uint64_t line;      /* 1-based; 0 when unknown */
	uint64_t column;    /* 1-based; 0 when unknown */
} bh_location;

/* ---- byte streams (file-based composition) ---------------------------- */

/* A pull source of bytes: input -> decoders -> parser. */
typedef struct bh_stream {
	void *self;
	/* Sets *data to the next chunk and returns its length (> 0), 0 at the end,
	 * or a negative error.  The chunk stays valid until the next call. */
	ssize_t (*read)(void *self, const char **data);
	/* Releases everything; may be called before the end. */
	void (*close)(void *self);
	const char *name; /* e.g. the path, for messages */
} bh_stream;

/* A push sink of bytes: formatter -> encoders -> output. */
typedef struct bh_sink {
	void *self;
	int (*write)(void *self, const void *data, size_t len);
	/* Flushes; called once, only when everything was written. */
	int (*finish)(void *self);
	/* Releases everything; always called last, after finish or after a failure. */
	void (*close)(void *self);
} bh_sink;

/* ---- the host's table -------------------------------------------------- */

typedef struct bh_host_api {
	uint32_t struct_size;
	uint16_t abi_major;
	uint16_t abi_minor;

	/* Logging and errors.  bh_error records the message reported when the
	 * callback that is running returns a failure. */
	void (*log)(bh_ctx *ctx, bh_log_level level, const char *fmt, va_list ap);
	void (*error)(bh_ctx *ctx, const char *fmt, va_list ap);

	/* Typed config access.  Each returns 0, -ENOENT when the key is absent
	 * (after defaults were applied), or BH_ECONFIG with a message naming the
	 * key when the value has the wrong type.  Strings stay valid as long as
	 * the config. */
	int (*config_string)(bh_ctx *ctx, const bh_config *cfg, const char *key, const char **out);
	int (*config_long)(bh_ctx *ctx, const bh_config *cfg, const char *key, int64_t *out);
	int (*config_double)(bh_ctx *ctx, const bh_config *cfg, const char *key, double *out);
	int (*config_boolean)(bh_ctx *ctx, const bh_config *cfg, const char *key, int *out);
	/* A nested mapping, or element i of a list of mappings. */
	int (*config_map)(bh_ctx *ctx, const bh_config *cfg, const char *key, const bh_config **out);
	/* Number of elements of a list (or 1 for a scalar under STRING_LIST). */
	int (*config_list_length)(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t *out);
	int (*config_list_string)(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i,
				  const char **out);
	int (*config_list_map)(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i,
			       const bh_config **out);
	/* A COLUMNS option as a schema owned by the host, valid as long as ctx. */
	int (*config_columns)(bh_ctx *ctx, const bh_config *cfg, const char *key, const bh_schema **out);
	/* The whole config node as JSON text (caller frees with free()). */
	int (*config_json)(bh_ctx *ctx, const bh_config *cfg, char **out);

	/* An invalid record: returns 0 when the host accepted it into the reject
	 * file (the caller skips it and goes on) or BH_EDATA when the transfer
	 * must stop (the caller returns that code). */
	int (*reject)(bh_ctx *ctx, const bh_location *where, const char *record, size_t len,
		      const char *reason);

	/* Progress: bytes read from the outside world. */
	void (*add_bytes)(bh_ctx *ctx, uint64_t n);

	/* The config for the next incremental run: sets key at the top level of
	 * this component's section of the next config (value is JSON text). */
	int (*next_config_set)(bh_ctx *ctx, const char *key, const char *json_value);

	/* A schema built by the plugin and owned by ctx. */
	int (*schema_new)(bh_ctx *ctx, uint32_t ncols, bh_schema **out);
	int (*schema_set)(bh_ctx *ctx, bh_schema *s, uint32_t i, const char *name, bh_type type,
			  const char *format);

	/* The component's scratch directory inside the sandbox. */
	const char *(*temp_dir)(bh_ctx *ctx);
	/* The logical time of the run (--time), for time-based naming. */
	bh_timestamp (*run_time)(bh_ctx *ctx);
	/* Number of the task this ctx belongs to, or -1 for the transaction. */
	int64_t (*task_index)(bh_ctx *ctx);

	/* ---- ABI 1.1 ---- */
	/* A parser running a part (run_part) that needs line numbers, to name an
	 * invalid record: waits until every earlier part of the file is done and
	 * this part's first record is known to be where it assumed, then sets
	 * *lines to the line ends before that record.  Returns -ECANCELED when
	 * the assumption was wrong or the transfer is stopping: the parser
	 * returns that code at once (the host runs the part again from the right
	 * place, and nothing it reported is kept). */
	int (*part_line_base)(bh_ctx *ctx, uint64_t *lines);
} bh_host_api;

/* The host table handed to this plugin; set by the entry point. */
extern const bh_host_api *bh_host;

#if defined(__GNUC__)
#define BH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BH_PRINTF(a, b)
#endif

static inline BH_PRINTF(2, 3) int bh_error(bh_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bh_host->error(ctx, fmt, ap);
	va_end(ap);
	return BH_EPLUGIN;
}
static inline BH_PRINTF(3, 4) void bh_log(bh_ctx *ctx, bh_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bh_host->log(ctx, level, fmt, ap);
	va_end(ap);
}

/* ---- kind vtables -------------------------------------------------------
 * begin() reads the config into a state shared (read-only) by all tasks;
 * end() frees it and is called whenever begin() succeeded.  Task callbacks of
 * different tasks run concurrently on different threads, each with its own ctx. */

typedef struct bh_input_plan {
	uint32_t task_count;
	/* Page inputs set the schema; byte inputs leave it NULL and feed a parser. */
	const bh_schema *schema;
} bh_input_plan;

typedef struct bh_input_vtable {
	uint32_t struct_size;
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, void **state, bh_input_plan *plan);
	/* Byte inputs: opens task's byte stream. */
	int (*open_task)(void *state, bh_ctx *ctx, uint32_t task, bh_stream *out);
	/* Page inputs: produces task's records. */
	int (*run_task)(void *state, bh_ctx *ctx, uint32_t task, bh_page_builder *out);
	/* All tasks succeeded: record what the next run starts from. */
	int (*commit)(void *state, bh_ctx *ctx);
	void (*end)(void *state);

	/* ---- ABI 1.1, optional: byte inputs whose tasks can be read from any
	 * offset (regular files), so the host may split a large one into parts. */
	/* Sets *bytes to the size of task's stream, or returns -ENOTSUP when it
	 * has no fixed size or can not seek (a pipe). */
	int (*task_size)(void *state, uint32_t task, uint64_t *bytes);
	/* Opens task's byte stream starting at byte offset, to its end. */
	int (*open_task_at)(void *state, bh_ctx *ctx, uint32_t task, uint64_t offset, bh_stream *out);
} bh_input_vtable;

/* One part of a large input file, parsed as a task of its own (ABI 1.1).
 *
 * The host cuts a file at byte offsets; part k's stream starts at `start`
 * and runs to the end of the file.  Every part other than the file's first
 * assumes that the first line end at or after its `start` ends a record, and
 * parses the records that begin after it (or at `start` itself when
 * start_is_record).  A part parses every record that begins before the next
 * part's first record (found the same way from `end`) and stops at the
 * first record boundary at or after it, reporting whether that boundary is
 * the one the next part assumed.  Line ends count "\n", "\r\n" and a lone
 * "\r" once each. */
typedef struct bh_part {
	uint32_t struct_size;
	uint64_t start;      /* byte of the file where the stream starts */
	uint64_t end;        /* the next part's start; UINT64_MAX for the file's last part */
	int start_is_record; /* start is a record boundary (the file's start, or a part run again) */
	int first;           /* the file's first part: a header and byte order mark come here */
	/* Set by the parser when it returns 0: */
	uint64_t stop;   /* byte of the file where it stopped (the next part's first record) */
	uint64_t lines;  /* line ends from its first record up to stop */
	int stop_exact;  /* stop is the next part's assumed first record, in the parser's
			  * plain record state (not inside a header or a skipped line) */
} bh_part;

typedef struct bh_parser_vtable {
	uint32_t struct_size;
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, void **state, const bh_schema **schema);
	int (*run)(void *state, bh_ctx *ctx, bh_stream *in, bh_page_builder *out);
	void (*end)(void *state);
	/* Guess parser settings from a sample; *out is a JSON object text with the
	 * suggested options (type included), freed by the caller with free(). */
	int (*guess)(bh_ctx *ctx, const char *sample, size_t len, char **out);

	/* ---- ABI 1.1, optional: parses one part of a split file (see bh_part).
	 * Parsers that can find a record boundary from a line end implement it;
	 * the host splits only inputs whose parser does. */
	int (*run_part)(void *state, bh_ctx *ctx, bh_stream *in, bh_part *part, bh_page_builder *out);
} bh_parser_vtable;

typedef struct bh_decoder_vtable {
	uint32_t struct_size;
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, void **state);
	/* Wraps upstream; out takes ownership of upstream (closing out closes it). */
	int (*open)(void *state, bh_ctx *ctx, bh_stream *upstream, bh_stream *out);
	void (*end)(void *state);
} bh_decoder_vtable;

typedef struct bh_filter_vtable {
	uint32_t struct_size;
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, const bh_schema *in, void **state,
		     const bh_schema **out);
	int (*open_task)(void *state, bh_ctx *ctx, void **task_state);
	/* Reads one page and appends the resulting records to out. */
	int (*add)(void *state, void *task_state, bh_ctx *ctx, const bh_page *in, bh_page_builder *out);
	/* End of the task's input: emit anything buffered. */
	int (*finish_task)(void *state, void *task_state, bh_ctx *ctx, bh_page_builder *out);
	void (*close_task)(void *state, void *task_state);
	void (*end)(void *state);
} bh_filter_vtable;

typedef struct bh_formatter_vtable {
	uint32_t struct_size;
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema, void **state);
	/* Opens a task writing to sink; the task owns sink (close_task closes it). */
	int (*open_task)(void *state, bh_ctx *ctx, bh_sink *sink, void **task_state);
	int (*add)(void *task_state, bh_ctx *ctx, const bh_page *page);
	/* Writes any trailer and finishes the sink. */
	int (*finish_task)(void *task_state, bh_ctx *ctx);
	void (*close_task)(void *task_state);
	void (*end)(void *state);
} bh_formatter_vtable;

typedef struct bh_encoder_vtable {
	uint32_t struct_size;
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, void **state);
	/* Wraps downstream; out owns downstream (out's close closes it). */
	int (*open)(void *state, bh_ctx *ctx, bh_sink *downstream, bh_sink *out);
	void (*end)(void *state);
} bh_encoder_vtable;

typedef struct bh_output_vtable {
	uint32_t struct_size;
	/* Transaction begin: the schema and the number of tasks are known. */
	int (*begin)(bh_ctx *ctx, const bh_config *cfg, const bh_schema *schema, uint32_t task_count,
		     void **state);
	/* Byte outputs (used with a formatter): the sink of task `task`, staged
	 * until commit.  Set for byte outputs, NULL for page outputs. */
	int (*open_sink)(void *state, bh_ctx *ctx, uint32_t task, bh_sink *out);
	/* Page outputs: */
	int (*open_task)(void *state, bh_ctx *ctx, uint32_t task, void **task_state);
	int (*add)(void *task_state, bh_ctx *ctx, const bh_page *page);
	int (*finish_task)(void *task_state, bh_ctx *ctx);
	void (*close_task)(void *task_state);
	/* Every task succeeded: publish atomically. */
	int (*commit)(void *state, bh_ctx *ctx);
	/* Something failed: remove everything staged; must leave prior output intact. */
	void (*abort)(void *state, bh_ctx *ctx);
	void (*end)(void *state);

	/* ---- ABI 1.1, optional: drops everything task `task` staged (its sink
	 * or task was closed, finished or not); the task is then opened again
	 * and runs from its start.  The host splits inputs into parts only for
	 * outputs that implement it (a part's first attempt may be void). */
	int (*discard_task)(void *state, bh_ctx *ctx, uint32_t task);
} bh_output_vtable;

/* ---- the plugin's table -------------------------------------------------- */

typedef struct bh_component {
	uint32_t struct_size;
	bh_kind kind;
	const char *type;        /* the config's `type:` value, e.g. "csv" */
	const char *description; /* one line */
	const bh_option *options; /* terminated by an entry with name == NULL */
	const void *vtable;       /* bh_<kind>_vtable */
} bh_component;

typedef struct bh_plugin {
	uint32_t struct_size;
	uint16_t abi_major;
	uint16_t abi_minor;
	const char *name;    /* the bundle name, e.g. "csv" */
	const char *version; /* semver of the plugin build */
	const char *description;
	const bh_component *components;
	uint32_t component_count;
} bh_plugin;

typedef int (*bh_plugin_entry_fn)(const bh_host_api *host, const bh_plugin **out);

#if defined(__GNUC__)
#define BH_EXPORT __attribute__((visibility("default")))
#define BH_HIDDEN __attribute__((visibility("hidden")))
#else
#define BH_EXPORT
#define BH_HIDDEN
#endif

/* Defines the entry point of a plugin whose table is `plugin_var`:
 *   BH_PLUGIN_DEFINE(my_plugin)
 * It refuses a host of another ABI major or an older minor. */
#define BH_PLUGIN_DEFINE(plugin_var)                                                      \
	BH_HIDDEN const bh_host_api *bh_host;                                             \
	BH_EXPORT int bh_plugin_entry_v1(const bh_host_api *host, const bh_plugin **out); \
	BH_EXPORT int bh_plugin_entry_v1(const bh_host_api *host, const bh_plugin **out)  \
	{                                                                                  \
		if (host == NULL || host->abi_major != BH_ABI_MAJOR ||                   \
		    host->abi_minor < (plugin_var).abi_minor)                              \
			return -EPROTO;                                                    \
		bh_host = host;                                                            \
		*out = &(plugin_var);                                                      \
		return 0;                                                                  \
	}

#define BH_COUNT(array) ((uint32_t)(sizeof(array) / sizeof((array)[0])))

#ifdef __cplusplus
}
#endif
#endif
