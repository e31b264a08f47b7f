/* <home>/host.yml: operator defaults and maxima for transfers' resource caps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/config.h"
#include "host/host_config.h"
#include "sdk/src/runtime.h"

static int at(char **err, const struct cfg_pos *pos, const char *fmt, const char *what)
{
	return rt_fail(err, "%s:%lu:%lu: %s%s", pos->file, pos->line, pos->column, fmt, what ? what : "");
}

static int scalar_text(const struct cfg_node *n, char **err, const char **out)
{
	if (n->kind != CFG_SCALAR)
		return at(err, &n->pos, "expected a scalar", NULL);
	*out = n->text;
	return 0;
}

static int read_limits(const struct cfg_node *map, struct host_limits *l, char **err)
{
	if (!map)
		return 0;
	if (map->kind != CFG_MAP)
		return at(err, &map->pos, "expected a mapping of memory, cpus, pids, timeout", NULL);
	for (size_t i = 0; i < map->count; i++) {
		const struct cfg_entry *e = &map->entries[i];
		const char *text = NULL, *why = NULL;
		struct cfg_scalar s;
		if (scalar_text(e->value, err, &text) < 0)
			return -EINVAL;
		if (strcmp(e->key, "memory") == 0) {
			if (cfg_parse_size(text, &l->memory_bytes, &why) < 0)
				return at(err, &e->value->pos, "memory: ", why);
		} else if (strcmp(e->key, "timeout") == 0) {
			if (cfg_parse_duration(text, &l->timeout_ns, &why) < 0)
				return at(err, &e->value->pos, "timeout: ", why);
		} else if (strcmp(e->key, "cpus") == 0) {
			cfg_scalar_resolve(e->value, &s);
			if ((s.type != CFG_INT && s.type != CFG_FLOAT) || (s.type == CFG_FLOAT ? s.d : (double)s.i) <= 0)
				return at(err, &e->value->pos, "cpus: expected a positive number", NULL);
			l->cpus = s.type == CFG_FLOAT ? s.d : (double)s.i;
		} else if (strcmp(e->key, "pids") == 0) {
			cfg_scalar_resolve(e->value, &s);
			if (s.type != CFG_INT || s.i < 1)
				return at(err, &e->value->pos, "pids: expected a positive integer", NULL);
			l->pids = (long)s.i;
		} else {
			return at(err, &e->key_pos, "unknown resource (expected memory, cpus, pids or timeout): ", e->key);
		}
	}
	return 0;
}

static int read_bool(const struct cfg_entry *e, int *out, char **err)
{
	struct cfg_scalar s;
	if (e->value->kind != CFG_SCALAR || cfg_scalar_resolve(e->value, &s) < 0 || s.type != CFG_BOOL)
		return at(err, &e->value->pos, "expected true or false", NULL);
	*out = s.boolean;
	return 0;
}

static int read_section(const struct cfg_node *map, struct host_config *hc, int tenant_level, char **err)
{
	for (size_t i = 0; i < map->count; i++) {
		const struct cfg_entry *e = &map->entries[i];
		int r = 0;
		if (strcmp(e->key, "defaults") == 0)
			r = read_limits(e->value, &hc->defaults, err);
		else if (strcmp(e->key, "maxima") == 0)
			r = read_limits(e->value, &hc->maxima, err);
		else if (tenant_level && strcmp(e->key, "cgroup_parent") == 0) {
			const char *text = NULL;
			if ((r = scalar_text(e->value, err, &text)) == 0) {
				free(hc->cgroup_parent);
				hc->cgroup_parent = strdup(text);
			}
		} else
			r = at(err, &e->key_pos,
			       tenant_level ? "unknown tenant setting (expected defaults, maxima or cgroup_parent): "
					    : "unknown resources setting (expected defaults or maxima): ",
			       e->key);
		if (r < 0)
			return r;
	}
	return 0;
}

int host_config_load(const char *home, const char *tenant, struct host_config *out, char **err)
{
	struct cfg_doc *doc = NULL;
	struct cfg_error *cerr = NULL;
	char *path = NULL;
	int r = 0;
	memset(out, 0, sizeof(*out));
	if (asprintf(&path, "%s/host.yml", home) < 0)
		return -ENOMEM;
	if (access(path, F_OK) < 0) {
		free(path);
		return 0;
	}
	if (cfg_load_file(path, &doc, &cerr) < 0) {
		r = rt_fail(err, "%s", cerr && cerr->text ? cerr->text : path);
		cfg_error_free(cerr);
		free(path);
		return r;
	}
	free(path);
	for (size_t i = 0; r == 0 && i < doc->root->count; i++) {
		const struct cfg_entry *e = &doc->root->entries[i];
		if (strcmp(e->key, "require_signature") == 0)
			r = read_bool(e, &out->require_signature, err);
		else if (strcmp(e->key, "allow_unenforced_limits") == 0)
			r = read_bool(e, &out->allow_unenforced_limits, err);
		else if (strcmp(e->key, "resources") == 0)
			r = e->value->kind == CFG_MAP ? read_section(e->value, out, 0, err)
						      : at(err, &e->value->pos, "expected a mapping", NULL);
		else if (strcmp(e->key, "tenants") == 0) {
			const struct cfg_node *t = e->value->kind == CFG_MAP && tenant ? cfg_map_get(e->value, tenant) : NULL;
			if (e->value->kind != CFG_MAP)
				r = at(err, &e->value->pos, "expected a mapping of tenant ids", NULL);
			else if (t && t->kind != CFG_MAP)
				r = at(err, &t->pos, "expected a mapping", NULL);
			else if (t)
				r = read_section(t, out, 1, err);
		} else
			r = at(err, &e->key_pos,
			       "unknown setting (expected require_signature, allow_unenforced_limits, resources, tenants): ",
			       e->key);
	}
	cfg_doc_free(doc);
	if (r < 0)
		host_config_clear(out);
	return r;
}

void host_config_clear(struct host_config *hc)
{
	free(hc->cgroup_parent);
	memset(hc, 0, sizeof(*hc));
}

static int over(char **err, const char *what, const char *tenant, const char *asked, const char *max)
{
	return rt_fail(err, "exec.resources.%s %s exceeds the operator's maximum %s%s%s (host.yml)", what, asked, max,
		       tenant ? " for tenant " : "", tenant ? tenant : "");
}

int host_config_apply(const struct host_config *hc, struct cfg_exec *x, const char *tenant, char **err)
{
	const struct host_limits *d = &hc->defaults, *m = &hc->maxima;
	char a[64], b[64];
	if (!x->memory_bytes)
		x->memory_bytes = d->memory_bytes;
	if (x->cpus <= 0)
		x->cpus = d->cpus;
	if (x->pids <= 0)
		x->pids = d->pids;
	if (!x->timeout_ns)
		x->timeout_ns = d->timeout_ns;
	if (hc->allow_unenforced_limits)
		x->allow_unenforced_limits = 1;
	if (m->memory_bytes && (!x->memory_bytes || x->memory_bytes > m->memory_bytes)) {
		snprintf(a, sizeof(a), "%llu bytes", (unsigned long long)x->memory_bytes);
		snprintf(b, sizeof(b), "%llu bytes", (unsigned long long)m->memory_bytes);
		if (!x->memory_bytes)
			x->memory_bytes = m->memory_bytes; /* unset means "up to the maximum" */
		else
			return over(err, "memory", tenant, a, b);
	}
	if (m->cpus > 0 && (x->cpus <= 0 || x->cpus > m->cpus)) {
		snprintf(a, sizeof(a), "%g", x->cpus);
		snprintf(b, sizeof(b), "%g", m->cpus);
		if (x->cpus <= 0)
			x->cpus = m->cpus;
		else
			return over(err, "cpus", tenant, a, b);
	}
	if (m->pids > 0 && (x->pids <= 0 || x->pids > m->pids)) {
		snprintf(a, sizeof(a), "%ld", x->pids);
		snprintf(b, sizeof(b), "%ld", m->pids);
		if (x->pids <= 0)
			x->pids = m->pids;
		else
			return over(err, "pids", tenant, a, b);
	}
	if (m->timeout_ns && (!x->timeout_ns || x->timeout_ns > m->timeout_ns)) {
		snprintf(a, sizeof(a), "%.3fs", (double)x->timeout_ns / 1e9);
		snprintf(b, sizeof(b), "%.3fs", (double)m->timeout_ns / 1e9);
		if (!x->timeout_ns)
			x->timeout_ns = m->timeout_ns;
		else
			return over(err, "timeout", tenant, a, b);
	}
	return 0;
}
