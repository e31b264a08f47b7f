/* Transfer config loading: YAML -> positioned node tree -> variables ->
 * transfer structure -> validation against plugin manifests -> JSON options.
 *
 *   struct cfg_var_context vars = {.vars = argv_vars, .var_count = n,
 *                                  .time_sec = t.tv_sec, .time_nsec = t.tv_nsec};
 *   struct transfer_config *tc; struct cfg_error *err;
 *   if (transfer_config_load("config.yml", &vars, &tc, &err) < 0) {
 *           fprintf(stderr, "%s\n", err->text); cfg_error_free(err); ...
 *   }
 *   json_t *opts;
 *   cfg_validate_section(&tc->input, manifest_component_for_input, &opts, &err);
 *
 * Every function returns 0 or a negative errno (-EINVAL for an invalid
 * config, -ENOMEM, -EFBIG for a file over its limit, or the errno of a failed
 * read).  On failure *err (when err is not NULL) is set to an error the caller
 * frees with cfg_error_free(); out-parameters are set only on success.
 * Nothing here prints. */
#ifndef BH_HOST_CONFIG_H
#define BH_HOST_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

struct manifest_component;

/* ---- limits: each bounds something a config author controls ------------- */

#define CFG_MAX_FILE_BYTES (1024 * 1024) /* size of one config file */
#define CFG_MAX_DEPTH 64                 /* nesting of maps and lists */
#define CFG_MAX_NODES 100000             /* nodes in a document, aliases expanded */
#define CFG_MAX_ALIASES 64               /* alias references (*name) in a document */
#define CFG_MAX_SCALAR_BYTES (64 * 1024) /* one scalar after variable expansion */
#define CFG_MAX_VARS 1024                /* --var definitions */
#define CFG_MAX_LIST_SECTIONS 64         /* decoders, filters or encoders of a transfer */
#define CFG_MAX_PAGE_RECORDS 1000000     /* exec.page_records */
#define CFG_MAX_THREADS 1024             /* exec.max_threads */
#define CFG_SPLIT_SIZE_DEFAULT (8ULL << 20) /* exec.split_size */
#define CFG_MAX_PIDS 1000000             /* exec.resources.pids */
#define CFG_MAX_CPUS 4096.0              /* exec.resources.cpus */

/* ---- errors ------------------------------------------------------------ */

struct cfg_error {
	char *file;           /* the config file, or NULL when not about a file */
	unsigned long line;   /* 1-based, 0 when unknown */
	unsigned long column; /* 1-based, 0 when unknown */
	char *message;        /* what is wrong, without the position */
	char *text;           /* "file:line:column: message" (or just message) */
};

void cfg_error_free(struct cfg_error *err);

/* ---- the node tree ------------------------------------------------------ */

enum cfg_kind { CFG_MAP = 1, CFG_LIST = 2, CFG_SCALAR = 3 };

/* What a scalar resolves to.  Plain scalars resolve by their text (YAML 1.2
 * core schema plus yes/no); quoted ones (and !!str) are always strings. */
enum cfg_scalar_type {
	CFG_NULL = 1,   /* null, Null, NULL, ~, or nothing */
	CFG_BOOL = 2,   /* true/false/yes/no in lower, Title or UPPER case */
	CFG_INT = 3,    /* decimal, 0x hex or 0o octal, optional sign */
	CFG_FLOAT = 4,  /* decimal with . or exponent, .inf, -.inf, .nan */
	CFG_STRING = 5, /* anything else */
};

struct cfg_pos {
	const char *file;     /* owned by the document */
	unsigned long line;   /* 1-based */
	unsigned long column; /* 1-based */
};

struct cfg_node;

struct cfg_entry {
	char *key;
	struct cfg_pos key_pos;
	struct cfg_node *value;
};

struct cfg_node {
	enum cfg_kind kind;
	struct cfg_pos pos;
	/* CFG_SCALAR */
	char *text;   /* NUL-terminated; may contain NUL bytes before len */
	size_t len;
	int quoted;   /* single/double quoted, block literal/folded, or !!str */
	int from_env; /* a ${env.*} value was substituted: do not echo it in errors */
	/* The scalar's source spans one line and maps byte for byte onto text, so
	 * a column inside it can be computed (used for variable errors). */
	int exact_columns;
	/* The text as written, before variable expansion changed it; else NULL. */
	char *source;
	size_t source_len;
	/* CFG_MAP: entries in file order; CFG_LIST: items */
	struct cfg_entry *entries;
	struct cfg_node **items;
	size_t count;
};

struct cfg_doc {
	char *file; /* the name given at load time; node positions point here */
	struct cfg_node *root; /* always a CFG_MAP */
};

/* Parses one YAML file into a document whose root is a mapping.
 * Caller frees *out with cfg_doc_free(). */
int cfg_load_file(const char *path, struct cfg_doc **out, struct cfg_error **err);
/* Same, from memory; name is used in positions. Caller frees *out. */
int cfg_load_string(const char *name, const char *text, size_t len, struct cfg_doc **out,
		    struct cfg_error **err);
void cfg_doc_free(struct cfg_doc *doc);

/* The value of key in a mapping, or NULL. */
const struct cfg_node *cfg_map_get(const struct cfg_node *map, const char *key);
/* The entry of key in a mapping (for the key's position), or NULL. */
const struct cfg_entry *cfg_map_entry(const struct cfg_node *map, const char *key);

/* A resolved scalar.  For CFG_INT out of the int64 range, `overflow` is set
 * and i is unset. */
struct cfg_scalar {
	enum cfg_scalar_type type;
	int boolean;
	int64_t i;
	double d;
	int overflow;
};
/* Resolves a scalar node (type CFG_STRING for quoted ones); returns -EINVAL
 * for a map or list. */
int cfg_scalar_resolve(const struct cfg_node *node, struct cfg_scalar *out);
/* Resolves text as a plain scalar would be. */
void cfg_resolve_plain(const char *text, size_t len, struct cfg_scalar *out);

/* Generic conversion: maps -> objects, lists -> arrays, plain scalars -> their
 * resolved JSON type (non-finite floats and out-of-range integers stay
 * strings), quoted scalars -> strings.  Caller owns *out (json_decref). */
int cfg_node_to_json(const struct cfg_node *node, json_t **out, struct cfg_error **err);
/* The same from the text as written, before variables were expanded: use it
 * for configs written back (guess -o, --next), so ${time:...} stays live and
 * ${env.*} secrets are not written to disk.  Caller owns *out. */
int cfg_node_to_json_source(const struct cfg_node *node, json_t **out, struct cfg_error **err);

/* ---- variables ---------------------------------------------------------- */

/* ${name} from vars ("name=value" strings, later ones win), ${env.NAME} from
 * the environment, ${time:FORMAT} as strftime of the run's logical time in
 * UTC, $$ for a literal $.  A lone $ not followed by { or $ stays as it is. */
struct cfg_var_context {
	char *const *vars;
	size_t var_count;
	int64_t time_sec;
	long time_nsec;
};

/* Checks "name=value" definitions (name: [A-Za-z_][A-Za-z0-9_]*, at most
 * CFG_MAX_VARS). */
int cfg_vars_check(char *const *vars, size_t count, struct cfg_error **err);
/* Expands variables in every scalar value (not keys) of doc, once: values
 * are never expanded again. */
int cfg_expand(struct cfg_doc *doc, const struct cfg_var_context *ctx, struct cfg_error **err);

/* ---- the transfer structure --------------------------------------------- */

/* One plugin's section: its kind, its `type:`, its optional `version:`
 * constraint, and the mapping holding its options. */
struct cfg_section {
	const char *kind;    /* "input", "decoder", "parser", "filter", "formatter", "encoder", "output" */
	const char *type;
	const char *version; /* constraint text for the resolver, or NULL */
	const struct cfg_node *node; /* the section's mapping */
	struct cfg_pos pos;  /* where the section is named (its key or list item) */
	/* Keys of node that are not this plugin's options (type, version and
	 * nested sections), NULL-terminated. */
	const char *const *reserved;
};

enum cfg_invalid_action { CFG_INVALID_STOP = 0, CFG_INVALID_SKIP = 1 };

/* exec: settings.  Zero means "not set" where noted: the host picks. */
struct cfg_exec {
	long max_threads;  /* >= 1, 0 = not set */
	long page_records; /* 1..CFG_MAX_PAGE_RECORDS, 0 = not set */
	enum cfg_invalid_action invalid_action; /* default stop */
	long invalid_max;  /* skip: stop after this many invalid records; -1 = unlimited */
	const char *reject_file; /* skip: where invalid records go (required with skip) */
	uint64_t memory_bytes;   /* 0 = not set */
	double cpus;             /* 0 = not set */
	long pids;               /* 0 = not set */
	uint64_t timeout_ns;     /* 0 = not set */
	int allow_unenforced_limits;
	uint64_t split_size;     /* smallest part of a split input file; 0 = never split */
	int split_size_set;
};

struct transfer_config {
	struct cfg_doc *doc; /* owned; sections point into it */
	struct cfg_section input;
	struct cfg_section *decoders;
	size_t decoder_count;
	struct cfg_section parser; /* parser.type == NULL when absent */
	struct cfg_section *filters;
	size_t filter_count;
	struct cfg_section formatter; /* formatter.type == NULL when absent */
	struct cfg_section *encoders;
	size_t encoder_count;
	struct cfg_section output;
	struct cfg_exec exec;
};

/* Loads path, expands variables with vars (NULL: no --var, time 0) and reads
 * the transfer structure.  Caller frees *out with transfer_config_free(). */
int transfer_config_load(const char *path, const struct cfg_var_context *vars,
			 struct transfer_config **out, struct cfg_error **err);
/* Reads the structure of an already expanded document; takes ownership of
 * doc on success only.  Caller frees *out. */
int transfer_config_from_doc(struct cfg_doc *doc, struct transfer_config **out,
			     struct cfg_error **err);
void transfer_config_free(struct transfer_config *tc);

/* ---- validation against a plugin's option table ------------------------- */

/* Checks sec's keys against comp's options (unknown keys, types, required
 * options), applies defaults and returns the options as a JSON object
 * without type/version/reserved keys.  Caller owns *out (json_decref).
 * A bad default in the manifest fails with -EPROTO. */
int cfg_validate_section(const struct cfg_section *sec, const struct manifest_component *comp,
			 json_t **out, struct cfg_error **err);

/* ---- sizes, durations, suggestions ---------------------------------------- */

/* "512MiB", "1G", "1.5 GiB", "4096", "10kB": K/M/G/T/P, Ki/Mi/..., KiB/MiB/...
 * are powers of 1024; kB/KB/MB/GB/TB/PB powers of 1000; B or nothing is
 * bytes.  On failure returns -EINVAL or -ERANGE and sets *why (static text). */
int cfg_parse_size(const char *text, uint64_t *bytes, const char **why);
/* "2h", "30m", "45s", "1500ms", "1h30m", "1.5h", "250us", "10ns", "1d".  A
 * number needs a unit (except "0").  Sets *why (static text) on failure. */
int cfg_parse_duration(const char *text, uint64_t *ns, const char **why);

/* The candidate closest to word by Damerau-Levenshtein distance when close
 * enough to be a likely typo, else NULL: bh_did_you_mean (bulkhead/text.h),
 * so link sdk/libbulkhead-sdk.a after host/libbhconfig.a. */
const char *cfg_did_you_mean(const char *word, const char *const *candidates, size_t count);

/* ---- writing YAML --------------------------------------------------------- */

/* Writes value as block-style YAML that cfg_load_string + cfg_node_to_json
 * read back as an equal JSON value (strings are quoted whenever plain text
 * would read back differently).  The root must be an object.  Returns 0,
 * -EINVAL or -EIO. */
int cfg_emit_yaml(const json_t *value, FILE *f);

#endif
