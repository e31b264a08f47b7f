/* Drives plugin vtables directly for the file, compress and output tests,
 * on the SDK's real host side (sdk/src/runtime.c): each ctx has its own
 * runtime whose callbacks capture logs and byte counts. */
#include <check.h>
#include <dlfcn.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/src/runtime.h"
#include "tests/unit/files-mock-host.h"

struct mock {
	struct rt_runtime rt;
	const bh_option *options;
	json_t *configs; /* keeps every parsed config alive */
	json_t *next;
	char *log;
	size_t log_len;
	uint64_t bytes;
	char *next_text;
};

static struct mock *mock_of(bh_ctx *ctx)
{
	return ctx->rt->user;
}

static void on_log(void *user, bh_ctx *ctx, bh_log_level level, const char *msg)
{
	struct mock *m = user;
	size_t n = strlen(msg);
	char *p = realloc(m->log, m->log_len + n + 2);
	if (!p)
		return;
	m->log = p;
	memcpy(p + m->log_len, msg, n);
	p[m->log_len + n] = '\n';
	m->log_len += n + 1;
	p[m->log_len] = '\0';
}

static void on_bytes(void *user, uint64_t n)
{
	struct mock *m = user;
	__atomic_add_fetch(&m->bytes, n, __ATOMIC_RELAXED);
}

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
	ck_assert_int_eq(entry(rt_host_api(), &p), 0);
	ck_assert_ptr_nonnull(p);
	return p;
}

const bh_component *mock_component(const bh_plugin *p, bh_kind kind, const char *type)
{
	for (uint32_t i = 0; i < p->component_count; i++)
		if (p->components[i].kind == kind && strcmp(p->components[i].type, type) == 0)
			return &p->components[i];
	ck_abort_msg("plugin %s has no component %s of kind %d", p->name, type, (int)kind);
	return NULL;
}

bh_ctx *mock_ctx_new(const bh_component *c, int64_t task)
{
	struct mock *m = calloc(1, sizeof(*m));
	bh_ctx *ctx;
	ck_assert_ptr_nonnull(m);
	rt_runtime_init(&m->rt);
	m->rt.user = m;
	m->rt.on_log = on_log;
	m->rt.on_bytes = on_bytes;
	m->options = c ? c->options : NULL;
	m->configs = json_array();
	m->next = json_object();
	ctx = rt_ctx_new(&m->rt, c ? c->type : "mock", task, m->next);
	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

void mock_ctx_free(bh_ctx *ctx)
{
	struct mock *m;
	if (!ctx)
		return;
	m = mock_of(ctx);
	rt_ctx_free(ctx);
	json_decref(m->configs);
	json_decref(m->next);
	rt_runtime_destroy(&m->rt);
	free(m->log);
	free(m->next_text);
	free(m);
}

/* Absent options get their defaults; wrong types are left for the plugin to
 * report, since several tests check exactly that message. */
const bh_config *mock_config(bh_ctx *ctx, const char *json)
{
	struct mock *m = mock_of(ctx);
	json_t *v = json_loads(json, 0, NULL);
	if (!v || !json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	for (const bh_option *o = m->options; o && o->name; o++) {
		json_t *d;
		if (json_object_get(v, o->name) || !(d = rt_option_default(o)))
			continue;
		json_object_set_new(v, o->name, d);
	}
	json_array_append_new(m->configs, v);
	return (const bh_config *)v;
}

const char *mock_error(bh_ctx *ctx)
{
	const char *e = rt_ctx_error(ctx);
	return e ? e : "";
}

const char *mock_log(bh_ctx *ctx)
{
	struct mock *m = mock_of(ctx);
	return m->log ? m->log : "";
}

uint64_t mock_bytes(bh_ctx *ctx)
{
	return __atomic_load_n(&mock_of(ctx)->bytes, __ATOMIC_RELAXED);
}

const char *mock_next(bh_ctx *ctx, const char *key)
{
	struct mock *m = mock_of(ctx);
	json_t *v = json_object_get(m->next, key);
	if (!v)
		return NULL;
	free(m->next_text);
	m->next_text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return m->next_text;
}
