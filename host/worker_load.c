/* bulkhead-worker: loading plugin libraries and binding plan stages to components. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/worker_internal.h"

/* Loads one library and checks its ABI; on failure *err says why (caller frees). */
static int load_library(const char *path, void **dl_out, const bh_plugin **table_out, char **err)
{
	bh_plugin_entry_fn entry;
	const bh_plugin *table = NULL;
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	int r;
	if (!dl)
		return rt_fail(err, "cannot load %s: %s", path, dlerror());
	*(void **)&entry = dlsym(dl, BH_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		dlclose(dl);
		return rt_fail(err, "%s is not a bulkhead plugin (no %s symbol)", path, BH_PLUGIN_ENTRY_SYMBOL);
	}
	r = entry(rt_host_api(), &table);
	if (r < 0 || !table) {
		dlclose(dl);
		return rt_fail(err, "%s refused this host (ABI %d.%d)", path, BH_ABI_MAJOR, BH_ABI_MINOR);
	}
	if (table->struct_size < offsetof(bh_plugin, component_count) + sizeof(uint32_t) ||
	    table->abi_major != BH_ABI_MAJOR || table->abi_minor > BH_ABI_MINOR) {
		dlclose(dl);
		return rt_fail(err, "%s needs plugin ABI %u.%u; this host has %d.%d", path, table->abi_major,
			       table->abi_minor, BH_ABI_MAJOR, BH_ABI_MINOR);
	}
	*dl_out = dl;
	*table_out = table;
	return 0;
}

int wk_load_plugins(struct wk_worker *w)
{
	json_t *list = json_object_get(w->plan, "plugins"), *p;
	size_t i;
	if (!json_is_array(list)) {
		wk_fail(w, WK_CAT_INTERNAL, "plan has no plugin list");
		return -EINVAL;
	}
	w->plugins = calloc(json_array_size(list) + 1, sizeof(*w->plugins));
	if (!w->plugins)
		return -ENOMEM;
	json_array_foreach(list, i, p) {
		struct wk_plugin *wp = &w->plugins[i];
		char *err = NULL;
		wp->name = strdup(json_string_value(json_object_get(p, "name")) ?: "?");
		wp->version = strdup(json_string_value(json_object_get(p, "version")) ?: "?");
		wp->library = strdup(json_string_value(json_object_get(p, "library")) ?: "");
		w->plugin_count = i + 1;
		if (load_library(wp->library, &wp->dl, &wp->table, &err) < 0) {
			wk_fail(w, WK_CAT_DATA, "plugin %s %s: %s", wp->name, wp->version, err ? err : "");
			free(err);
			return -EINVAL;
		}
	}
	return 0;
}

int wk_stage_init(struct wk_worker *w, struct wk_stage *s, const json_t *spec, bh_kind kind)
{
	json_int_t index = json_integer_value(json_object_get(spec, "plugin"));
	const char *type = json_string_value(json_object_get(spec, "type"));
	const struct wk_plugin *p;
	memset(s, 0, sizeof(*s));
	if (!type || index < 0 || (size_t)index >= w->plugin_count) {
		wk_fail(w, WK_CAT_INTERNAL, "plan: malformed %s stage", rt_kind_name(kind));
		return -EINVAL;
	}
	p = &w->plugins[index];
	for (uint32_t i = 0; i < p->table->component_count; i++) {
		const bh_component *c = &p->table->components[i];
		if (c->kind == kind && strcmp(c->type, type) == 0) {
			s->component = c;
			break;
		}
	}
	if (!s->component) {
		wk_fail(w, WK_CAT_CONFIG, "plugin %s %s has no %s '%s' (its manifest is out of date?)", p->name,
			p->version, rt_kind_name(kind), type);
		return -ENOENT;
	}
	s->plugin = p;
	s->config = json_object_get(spec, "config");
	if (!json_is_object(s->config))
		s->config = json_object_get(w->plan, "empty_config");
	snprintf(s->label, sizeof(s->label), "%s %s", rt_kind_name(kind), type);
	s->next = json_object();
	s->ctx = rt_ctx_new(&w->rt, s->label, -1, s->next);
	return s->ctx && s->next ? 0 : -ENOMEM;
}

int wk_stages_init(struct wk_worker *w, const char *key, bh_kind kind, struct wk_stage **out, size_t *count)
{
	json_t *list = json_object_get(w->plan, key), *spec;
	size_t i, n = json_is_array(list) ? json_array_size(list) : 0;
	*out = calloc(n + 1, sizeof(**out));
	*count = 0;
	if (!*out)
		return -ENOMEM;
	json_array_foreach(list, i, spec) {
		int r = wk_stage_init(w, &(*out)[i], spec, kind);
		*count = i + 1;
		if (r < 0)
			return r;
	}
	return 0;
}

static void stage_free(struct wk_stage *s)
{
	rt_ctx_free(s->ctx);
	json_decref(s->next);
	s->ctx = NULL;
	s->next = NULL;
}

void wk_unload(struct wk_worker *w)
{
	struct wk_stage *single[] = { &w->input, &w->parser, &w->formatter, &w->output };
	for (size_t i = 0; i < 4; i++)
		stage_free(single[i]);
	for (size_t i = 0; i < w->decoder_count; i++)
		stage_free(&w->decoders[i]);
	for (size_t i = 0; i < w->filter_count; i++)
		stage_free(&w->filters[i]);
	for (size_t i = 0; i < w->encoder_count; i++)
		stage_free(&w->encoders[i]);
	free(w->decoders);
	free(w->filters);
	free(w->encoders);
	/* Libraries stay mapped until exit: a plugin's threads or atexit handlers may still refer to them. */
	for (size_t i = 0; i < w->plugin_count; i++) {
		free(w->plugins[i].name);
		free(w->plugins[i].version);
		free(w->plugins[i].library);
	}
	free(w->plugins);
}

static json_t *describe_options(const bh_option *o)
{
	json_t *a = json_array();
	for (; o && o->name; o++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:b, s:s}", "name", o->name, "type",
						   rt_option_type_name(o->type), "default", o->default_value,
						   "required", o->required, "description",
						   o->description ? o->description : ""));
	return a;
}

/* Returns the plugin table of library as JSON (new reference), or NULL with *err set. */
json_t *wk_describe(const char *library, char **err)
{
	const bh_plugin *t;
	json_t *out, *comps;
	void *dl;
	char abi[32];
	if (load_library(library, &dl, &t, err) < 0)
		return NULL;
	snprintf(abi, sizeof(abi), "%u.%u", t->abi_major, t->abi_minor);
	comps = json_array();
	for (uint32_t i = 0; i < t->component_count; i++) {
		const bh_component *c = &t->components[i];
		json_array_append_new(comps, json_pack("{s:s, s:s, s:s, s:o}", "kind", rt_kind_name(c->kind),
						       "type", c->type, "description",
						       c->description ? c->description : "", "options",
						       describe_options(c->options)));
	}
	out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", t->name ? t->name : "", "version",
			t->version ? t->version : "", "abi", abi, "description",
			t->description ? t->description : "", "components", comps);
	return out;
}
