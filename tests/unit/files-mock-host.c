/* Mock host for the file/compress/output plugin tests (see the header). */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/files-mock-host.h"

struct bh_ctx {
	const bh_option *options;
	int64_t task;
	json_t *configs; /* array keeping every parsed config alive */
	json_t *next;
	char error[2048];
	char *log;
	size_t log_len;
	uint64_t bytes;
	char *next_text;
};

static const bh_option *find_option(bh_ctx *ctx, const char *key)
{
	const bh_option *o;
	for (o = ctx->options; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, key) == 0)
			return o;
	return NULL;
}

static void mock_error_v(bh_ctx *ctx, const char *fmt, va_list ap)
{
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
}

static void set_error(bh_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mock_error_v(ctx, fmt, ap);
	va_end(ap);
}

static void mock_log_v(bh_ctx *ctx, bh_log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	size_t n;
	char *p;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	p = realloc(ctx->log, ctx->log_len + n + 2);
	if (p == NULL)
		return;
	ctx->log = p;
	memcpy(p + ctx->log_len, line, n);
	p[ctx->log_len + n] = '\n';
	ctx->log_len += n + 1;
	p[ctx->log_len] = '\0';
}

/* The value of key, or a value made from the option's default (kept alive in
 * ctx->configs), or NULL. */
static json_t *lookup(bh_ctx *ctx, const bh_config *cfg, const char *key)
{
	json_t *v = json_object_get((const json_t *)cfg, key);
	const bh_option *o;
	if (v != NULL && !json_is_null(v))
		return v;
	o = find_option(ctx, key);
	if (o == NULL || o->default_value == NULL)
		return NULL;
	switch (o->type) {
	case BH_OPT_BOOLEAN:
		v = json_boolean(strcmp(o->default_value, "true") == 0);
		break;
	case BH_OPT_LONG:
		v = json_integer(strtoll(o->default_value, NULL, 10));
		break;
	case BH_OPT_DOUBLE:
		v = json_real(strtod(o->default_value, NULL));
		break;
	default:
		v = json_string(o->default_value);
	}
	json_array_append_new(ctx->configs, v);
	return v;
}

static int wrong_type(bh_ctx *ctx, const char *key, const char *want)
{
	set_error(ctx, "option %s: expected a %s", key, want);
	return BH_ECONFIG;
}

static int c_string(bh_ctx *ctx, const bh_config *cfg, const char *key, const char **out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (!json_is_string(v))
		return wrong_type(ctx, key, "string");
	*out = json_string_value(v);
	return 0;
}

static int c_long(bh_ctx *ctx, const bh_config *cfg, const char *key, int64_t *out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (!json_is_integer(v))
		return wrong_type(ctx, key, "long");
	*out = json_integer_value(v);
	return 0;
}

static int c_double(bh_ctx *ctx, const bh_config *cfg, const char *key, double *out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (!json_is_number(v))
		return wrong_type(ctx, key, "double");
	*out = json_number_value(v);
	return 0;
}

static int c_boolean(bh_ctx *ctx, const bh_config *cfg, const char *key, int *out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (!json_is_boolean(v))
		return wrong_type(ctx, key, "boolean");
	*out = json_is_true(v);
	return 0;
}

static int c_map(bh_ctx *ctx, const bh_config *cfg, const char *key, const bh_config **out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (!json_is_object(v))
		return wrong_type(ctx, key, "mapping");
	*out = (const bh_config *)v;
	return 0;
}

static int c_list_length(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t *out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (json_is_string(v)) {
		*out = 1;
		return 0;
	}
	if (!json_is_array(v))
		return wrong_type(ctx, key, "list");
	*out = json_array_size(v);
	return 0;
}

static int c_list_string(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i,
			 const char **out)
{
	json_t *v = lookup(ctx, cfg, key);
	if (v == NULL)
		return -ENOENT;
	if (json_is_string(v) && i == 0) {
		*out = json_string_value(v);
		return 0;
	}
	v = json_array_get(v, i);
	if (!json_is_string(v))
		return wrong_type(ctx, key, "list of strings");
	*out = json_string_value(v);
	return 0;
}

static int c_list_map(bh_ctx *ctx, const bh_config *cfg, const char *key, size_t i,
		      const bh_config **out)
{
	json_t *v = json_array_get(lookup(ctx, cfg, key), i);
	if (!json_is_object(v))
		return wrong_type(ctx, key, "list of mappings");
	*out = (const bh_config *)v;
	return 0;
}

static int c_columns(bh_ctx *ctx, const bh_config *cfg, const char *key, const bh_schema **out)
{
	set_error(ctx, "mock host: columns are not supported");
	return -ENOTSUP;
}

static int c_json(bh_ctx *ctx, const bh_config *cfg, char **out)
{
	*out = json_dumps((const json_t *)cfg, JSON_COMPACT);
	return *out ? 0 : -ENOMEM;
}

static int m_reject(bh_ctx *ctx, const bh_location *where, const char *record, size_t len,
		    const char *reason)
{
	set_error(ctx, "rejected: %s", reason);
	return BH_EDATA;
}

static void m_add_bytes(bh_ctx *ctx, uint64_t n)
{
	__atomic_add_fetch(&ctx->bytes, n, __ATOMIC_RELAXED);
}

static int m_next_config_set(bh_ctx *ctx, const char *key, const char *json_value)
{
	json_error_t e;
	json_t *v = json_loads(json_value, JSON_DECODE_ANY, &e);
	if (v == NULL) {
		set_error(ctx, "next_config_set %s: invalid JSON %s", key, json_value);
		return -EINVAL;
	}
	json_object_set_new(ctx->next, key, v);
	return 0;
}

static int m_schema_new(bh_ctx *ctx, uint32_t ncols, bh_schema **out)
{
	return -ENOTSUP;
}

static int m_schema_set(bh_ctx *ctx, bh_schema *s, uint32_t i, const char *name, bh_type type,
			const char *format)
{
	return -ENOTSUP;
}

static const char *m_temp_dir(bh_ctx *ctx)
{
	return "/tmp";
}

static bh_timestamp m_run_time(bh_ctx *ctx)
{
	bh_timestamp t = {0, 0};
	return t;
}

static int64_t m_task_index(bh_ctx *ctx)
{
	return ctx->task;
}

static const bh_host_api mock_host = {
	.struct_size = sizeof(bh_host_api),
	.abi_major = BH_ABI_MAJOR,
	.abi_minor = BH_ABI_MINOR,
	.log = mock_log_v,
	.error = mock_error_v,
	.config_string = c_string,
	.config_long = c_long,
	.config_double = c_double,
	.config_boolean = c_boolean,
	.config_map = c_map,
	.config_list_length = c_list_length,
	.config_list_string = c_list_string,
	.config_list_map = c_list_map,
	.config_columns = c_columns,
	.config_json = c_json,
	.reject = m_reject,
	.add_bytes = m_add_bytes,
	.next_config_set = m_next_config_set,
	.schema_new = m_schema_new,
	.schema_set = m_schema_set,
	.temp_dir = m_temp_dir,
	.run_time = m_run_time,
	.task_index = m_task_index,
};

const bh_plugin *mock_load(const char *relative)
{
	const char *dir = getenv("BULKHEAD_BUILDDIR");
	char path[PATH_MAX];
	const bh_plugin *p = NULL;
	bh_plugin_entry_fn entry;
	void *h;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", relative);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(h != NULL, "dlopen %s: %s", path, dlerror());
	*(void **)&entry = dlsym(h, BH_PLUGIN_ENTRY_SYMBOL);
	ck_assert_msg(entry != NULL, "%s has no %s", path, BH_PLUGIN_ENTRY_SYMBOL);
	ck_assert_int_eq(entry(&mock_host, &p), 0);
	ck_assert_ptr_nonnull(p);
	return p;
}

const bh_component *mock_component(const bh_plugin *p, bh_kind kind, const char *type)
{
	uint32_t i;
	for (i = 0; i < p->component_count; i++)
		if (p->components[i].kind == kind && strcmp(p->components[i].type, type) == 0)
			return &p->components[i];
	ck_abort_msg("plugin %s has no component %s of kind %d", p->name, type, (int)kind);
	return NULL;
}

bh_ctx *mock_ctx_new(const bh_component *c, int64_t task)
{
	bh_ctx *ctx = calloc(1, sizeof(*ctx));
	ck_assert_ptr_nonnull(ctx);
	ctx->options = c ? c->options : NULL;
	ctx->task = task;
	ctx->configs = json_array();
	ctx->next = json_object();
	return ctx;
}

void mock_ctx_free(bh_ctx *ctx)
{
	if (ctx == NULL)
		return;
	json_decref(ctx->configs);
	json_decref(ctx->next);
	free(ctx->log);
	free(ctx->next_text);
	free(ctx);
}

const bh_config *mock_config(bh_ctx *ctx, const char *json)
{
	json_error_t e;
	json_t *v = json_loads(json, 0, &e);
	if (v == NULL || !json_is_object(v))
		return NULL;
	json_array_append_new(ctx->configs, v);
	return (const bh_config *)v;
}

const char *mock_error(bh_ctx *ctx)
{
	return ctx->error;
}

const char *mock_log(bh_ctx *ctx)
{
	return ctx->log ? ctx->log : "";
}

uint64_t mock_bytes(bh_ctx *ctx)
{
	return __atomic_load_n(&ctx->bytes, __ATOMIC_RELAXED);
}

const char *mock_next(bh_ctx *ctx, const char *key)
{
	json_t *v = json_object_get(ctx->next, key);
	if (v == NULL)
		return NULL;
	free(ctx->next_text);
	ctx->next_text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return ctx->next_text;
}
