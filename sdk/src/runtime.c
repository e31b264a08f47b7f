/* The host side of the plugin ABI: contexts, the bh_host_api table and typed
 * config access.  Page builders and schemas are in this file too because they
 * share the context's allocation list. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/src/runtime.h"

struct rt_alloc {
	struct rt_alloc *next;
	max_align_t data[];
};

void rt_runtime_init(struct rt_runtime *rt)
{
	memset(rt, 0, sizeof(*rt));
	pthread_mutex_init(&rt->lock, NULL);
}

void rt_runtime_destroy(struct rt_runtime *rt)
{
	pthread_mutex_destroy(&rt->lock);
}

int rt_fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -EINVAL;
}

/* ---- contexts ---------------------------------------------------------- */

bh_ctx *rt_ctx_new(struct rt_runtime *rt, const char *label, int64_t task, json_t *next)
{
	bh_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->rt = rt;
	ctx->label = strdup(label ? label : "plugin");
	ctx->task = task;
	ctx->next = next;
	if (!ctx->label) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

void rt_ctx_free(bh_ctx *ctx)
{
	struct rt_alloc *a, *n;
	if (!ctx)
		return;
	for (a = ctx->allocs; a; a = n) {
		n = a->next;
		free(a);
	}
	free(ctx->label);
	free(ctx->error);
	free(ctx);
}

const char *rt_ctx_error(const bh_ctx *ctx)
{
	return ctx ? ctx->error : NULL;
}

static void ctx_verror(bh_ctx *ctx, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(ctx->error);
	ctx->error = msg;
}

void rt_ctx_set_error(bh_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctx_verror(ctx, fmt, ap);
	va_end(ap);
}

void *rt_ctx_alloc(bh_ctx *ctx, size_t size)
{
	struct rt_alloc *a = calloc(1, sizeof(*a) + size);
	if (!a)
		return NULL;
	a->next = ctx->allocs;
	ctx->allocs = a;
	return a->data;
}

char *rt_ctx_strdup(bh_ctx *ctx, const char *s)
{
	size_t n;
	char *d;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = rt_ctx_alloc(ctx, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* ---- names ------------------------------------------------------------- */

static const char *const kind_names[] = {
	[BH_KIND_INPUT] = "input",	   [BH_KIND_PARSER] = "parser", [BH_KIND_DECODER] = "decoder",
	[BH_KIND_FILTER] = "filter",	   [BH_KIND_FORMATTER] = "formatter",
	[BH_KIND_ENCODER] = "encoder", [BH_KIND_OUTPUT] = "output",
};

const char *rt_kind_name(bh_kind k)
{
	if ((unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[k])
		return kind_names[k];
	return "unknown";
}

int rt_kind_from_name(const char *name, bh_kind *out)
{
	for (unsigned i = 1; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(kind_names[i], name) == 0) {
			*out = (bh_kind)i;
			return 0;
		}
	return -EINVAL;
}

static const char *const option_type_names[] = {
	[BH_OPT_BOOLEAN] = "boolean", [BH_OPT_LONG] = "long",	     [BH_OPT_DOUBLE] = "double",
	[BH_OPT_STRING] = "string",   [BH_OPT_STRING_LIST] = "string_list",
	[BH_OPT_COLUMNS] = "columns", [BH_OPT_MAP] = "map",	     [BH_OPT_LIST] = "list",
	[BH_OPT_ANY] = "any",
};

const char *rt_option_type_name(bh_option_type t)
{
	if ((unsigned)t < sizeof(option_type_names) / sizeof(option_type_names[0]) && option_type_names[t])
		return option_type_names[t];
	return "unknown";
}

int rt_option_type_from_name(const char *name, bh_option_type *out)
{
	for (unsigned i = 1; i < sizeof(option_type_names) / sizeof(option_type_names[0]); i++)
		if (strcmp(option_type_names[i], name) == 0) {
			*out = (bh_option_type)i;
			return 0;
		}
	return -EINVAL;
}

int rt_type_from_name(const char *name, bh_type *out)
{
	for (int t = BH_TYPE_BOOLEAN; t <= BH_TYPE_JSON; t++)
		if (strcmp(bh_type_name((bh_type)t), name) == 0) {
			*out = (bh_type)t;
			return 0;
		}
	return -EINVAL;
}

/* ---- host callbacks ---------------------------------------------------- */

static void host_log(bh_ctx *ctx, bh_log_level level, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (ctx->rt->on_log)
		ctx->rt->on_log(ctx->rt->user, ctx, level, msg);
	free(msg);
}

static void host_error(bh_ctx *ctx, const char *fmt, va_list ap)
{
	ctx_verror(ctx, fmt, ap);
}

static int config_lookup(bh_ctx *ctx, const bh_config *cfg, const char *key, json_t **out)
{
	json_t *v = json_object_get((const json_t *)cfg, key);
	if (!v || json_is_null(v))
		return -ENOENT;
	*out = v;
	return 0;
}

static int config_type_error(bh_ctx *ctx, const char *key, const char *expected)
{
	rt_ctx_set_error(ctx, "%s: option '%s' must be %s", ctx->label, key, expected);
	return BH_ECONFIG;
}

static int host_config_string(bh_ctx *ctx, const bh_config *cfg, const char *key, const char **out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (!json_is_string(v))
		return config_type_error(ctx, key, "a string");
	*out = json_string_value(v);
	return 0;
}

static int host_config_long(bh_ctx *ctx, const bh_config *cfg, const char *key, int64_t *out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (!json_is_integer(v))
		return config_type_error(ctx, key, "an integer");
	*out = json_integer_value(v);
	return 0;
}

static int host_config_double(bh_ctx *ctx, const bh_config *cfg, const char *key, double *out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (!json_is_number(v))
		return config_type_error(ctx, key, "a number");
	*out = json_number_value(v);
	return 0;
}

static int host_config_boolean(bh_ctx *ctx, const bh_config *cfg, const char *key, int *out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (!json_is_boolean(v))
		return config_type_error(ctx, key, "true or false");
	*out = json_is_true(v);
	return 0;
}

static int host_config_map(bh_ctx *ctx, const bh_config *cfg, const char *key, const bh_config **out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (!json_is_object(v))
		return config_type_error(ctx, key, "a mapping");
	*out = (const bh_config *)v;
	return 0;
}

static int host_config_list_length(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t *out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (json_is_string(v)) {
		*out = 1;
		return 0;
	}
	if (!json_is_array(v))
		return config_type_error(ctx, key, "a list");
	*out = json_array_size(v);
	return 0;
}

static int list_element(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i, json_t **out)
{
	json_t *v;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	if (json_is_string(v) && i == 0) {
		*out = v;
		return 0;
	}
	if (!json_is_array(v))
		return config_type_error(ctx, key, "a list");
	if (i >= json_array_size(v))
		return -ENOENT;
	*out = json_array_get(v, i);
	return 0;
}

static int host_config_list_string(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i,
				   const char **out)
{
	json_t *v;
	int r = list_element(ctx, cfg, key, i, &v);
	if (r < 0)
		return r;
	if (!json_is_string(v))
		return config_type_error(ctx, key, "a list of strings");
	*out = json_string_value(v);
	return 0;
}

static int host_config_list_map(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i,
				const bh_config **out)
{
	json_t *v;
	int r = list_element(ctx, cfg, key, i, &v);
	if (r < 0)
		return r;
	if (!json_is_object(v))
		return config_type_error(ctx, key, "a list of mappings");
	*out = (const bh_config *)v;
	return 0;
}

static int host_config_columns(bh_ctx *ctx, const bh_config *cfg, const char *key, const bh_schema **out)
{
	json_t *v;
	char *err = NULL;
	int r = config_lookup(ctx, cfg, key, &v);
	if (r < 0)
		return r;
	r = rt_schema_from_json(ctx, v, out, &err);
	if (r < 0) {
		rt_ctx_set_error(ctx, "%s: option '%s': %s", ctx->label, key, err ? err : "invalid columns");
		free(err);
		return BH_ECONFIG;
	}
	return 0;
}

static int host_config_json(bh_ctx *ctx, const bh_config *cfg, char **out)
{
	char *s = json_dumps((const json_t *)cfg, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

static int host_reject(bh_ctx *ctx, const bh_location *where, const char *record, size_t len,
		       const char *reason)
{
	if (!ctx->rt->on_reject) {
		if (where && where->source && where->line)
			rt_ctx_set_error(ctx, "%s:%llu: %s", where->source, (unsigned long long)where->line,
					 reason);
		else
			rt_ctx_set_error(ctx, "%s", reason);
		return BH_EDATA;
	}
	return ctx->rt->on_reject(ctx->rt->user, ctx, where, record, len, reason);
}

static void host_add_bytes(bh_ctx *ctx, uint64_t n)
{
	if (ctx->rt->on_bytes)
		ctx->rt->on_bytes(ctx->rt->user, n);
}

static int host_next_config_set(bh_ctx *ctx, const char *key, const char *json_value)
{
	json_error_t jerr;
	json_t *v;
	int r = 0;
	if (!ctx->next)
		return 0;
	v = json_loads(json_value, JSON_DECODE_ANY, &jerr);
	if (!v) {
		rt_ctx_set_error(ctx, "next_config_set(%s): invalid JSON: %s", key, jerr.text);
		return -EINVAL;
	}
	pthread_mutex_lock(&ctx->rt->lock);
	if (json_object_set_new(ctx->next, key, v) < 0)
		r = -ENOMEM;
	pthread_mutex_unlock(&ctx->rt->lock);
	return r;
}

static int host_schema_new(bh_ctx *ctx, uint32_t ncols, bh_schema **out)
{
	bh_schema *s = rt_ctx_alloc(ctx, sizeof(*s));
	bh_column *cols = rt_ctx_alloc(ctx, sizeof(*cols) * (ncols ? ncols : 1));
	if (!s || !cols)
		return -ENOMEM;
	for (uint32_t i = 0; i < ncols; i++) {
		cols[i].name = "";
		cols[i].type = BH_TYPE_STRING;
	}
	s->count = ncols;
	s->columns = cols;
	*out = s;
	return 0;
}

static int host_schema_set(bh_ctx *ctx, bh_schema *s, uint32_t i, const char *name, bh_type type,
			   const char *format)
{
	bh_column *c;
	if (i >= s->count || !name || type < BH_TYPE_BOOLEAN || type > BH_TYPE_JSON)
		return -EINVAL;
	c = (bh_column *)&s->columns[i];
	c->name = rt_ctx_strdup(ctx, name);
	c->format = format ? rt_ctx_strdup(ctx, format) : NULL;
	c->type = type;
	if (!c->name || (format && !c->format))
		return -ENOMEM;
	return 0;
}

static const char *host_temp_dir(bh_ctx *ctx)
{
	return ctx->rt->temp_dir ? ctx->rt->temp_dir : "/tmp";
}

static bh_timestamp host_run_time(bh_ctx *ctx)
{
	return ctx->rt->run_time;
}

static int64_t host_task_index(bh_ctx *ctx)
{
	return ctx->task;
}

static int host_part_line_base(bh_ctx *ctx, uint64_t *lines)
{
	if (!ctx->rt->on_part_line_base)
		return -ENOTSUP;
	return ctx->rt->on_part_line_base(ctx->rt->user, ctx, lines);
}

static const bh_host_api host_api = {
	.struct_size = sizeof(bh_host_api),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.log = host_log,
	.error = host_error,
	.config_string = host_config_string,
	.config_long = host_config_long,
	.config_double = host_config_double,
	.config_boolean = host_config_boolean,
	.config_map = host_config_map,
	.config_list_length = host_config_list_length,
	.config_list_string = host_config_list_string,
	.config_list_map = host_config_list_map,
	.config_columns = host_config_columns,
	.config_json = host_config_json,
	.reject = host_reject,
	.add_bytes = host_add_bytes,
	.next_config_set = host_next_config_set,
	.schema_new = host_schema_new,
	.schema_set = host_schema_set,
	.temp_dir = host_temp_dir,
	.run_time = host_run_time,
	.task_index = host_task_index,
	.part_line_base = host_part_line_base,
};

const bh_host_api *rt_host_api(void)
{
	return &host_api;
}

/* The plugins' own reference to the table lives in each plugin; this one is
 * for host-side code that includes plugin.h. */
const bh_host_api *bh_host = &host_api;
