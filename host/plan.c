/* Plan building: resolve each section to a plugin version, validate its
 * options against that version's manifest, and lay out the worker's plan. */
#include <errno.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/binds.h"
#include "host/plan.h"
#include "packaging/policy.h"
#include "sdk/src/runtime.h"

struct builder {
	struct bh_cli *cli;
	struct plan_result *out;
	json_t *libraries; /* plan "plugins" */
};

static int located(char **err, const struct cfg_pos *pos, const char *msg)
{
	if (pos && pos->file && pos->line)
		return rt_fail(err, "%s:%lu:%lu: %s", pos->file, pos->line, pos->column, msg);
	return rt_fail(err, "%s", msg);
}

/* Makes a relative path option absolute against the current directory: the
 * worker runs in the sandbox, where the host's working directory is not. */
static char *absolute(const char *v)
{
	char cwd[4096], *abs = NULL;
	if (v[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(v);
	if (strncmp(v, "./", 2) == 0)
		v += 2;
	return asprintf(&abs, "%s/%s", cwd, v) >= 0 ? abs : NULL;
}

static void absolutize(json_t *options, const char *key)
{
	const char *v = json_string_value(json_object_get(options, key));
	char *abs;
	if (!v || v[0] == '/' || !(abs = absolute(v)))
		return;
	json_object_set_new(options, key, json_string(abs));
	free(abs);
}

static void absolutize_all(json_t *options)
{
	json_t *paths = json_object_get(options, "paths"), *p;
	size_t i;
	absolutize(options, "path_prefix");
	absolutize(options, "last_path");
	if (json_is_string(paths)) {
		absolutize(options, "paths");
		return;
	}
	json_array_foreach(paths, i, p) {
		json_t *tmp = json_pack("{s:O}", "p", p);
		absolutize(tmp, "p");
		json_array_set(paths, i, json_object_get(tmp, "p"));
		json_decref(tmp);
	}
}

/* Notes which host paths the section's plugin reads or writes. */
static int note_paths(struct builder *b, const char *kind, json_t *options, char **err)
{
	struct host_run_options *o = &b->out->opts;
	const char *prefix;
	json_t *paths, *p;
	size_t i;
	int r = 0;
	absolutize_all(options);
	prefix = json_string_value(json_object_get(options, "path_prefix"));
	paths = json_object_get(options, "paths");
	if (prefix)
		return strcmp(kind, "output") == 0 ? binds_add_output(o, prefix, err)
						   : binds_add_input_prefix(o, prefix, err);
	if (json_is_string(paths))
		return binds_add_input_glob(o, json_string_value(paths), err);
	json_array_foreach(paths, i, p) if (r == 0 && json_is_string(p))
		r = binds_add_input_glob(o, json_string_value(p), err);
	return r;
}

static json_int_t library_index(struct builder *b, const struct store_entry *e)
{
	size_t i;
	json_t *lib;
	char *path;
	json_array_foreach(b->libraries, i, lib) if (strcmp(json_string_value(json_object_get(lib, "dir")), e->dir) == 0)
		return (json_int_t)i;
	if (asprintf(&path, "%s/%s", e->dir, e->m->library) < 0)
		return -1;
	if (b->out->use_count < PLAN_MAX_PLUGINS) {
		int fd = -1;
		char *err = NULL;
		/* A read-only or missing lock directory only means nobody can remove from that store here. */
		if (store_use_version(e->root, e->name, e->version, &fd, &err) == 0)
			b->out->use_fds[b->out->use_count++] = fd;
		free(err);
	}
	json_array_append_new(b->libraries, json_pack("{s:s, s:s, s:s, s:s}", "name", e->name, "version",
						      e->version, "library", path, "dir", e->dir));
	free(path);
	binds_add_plugin_dir(&b->out->opts, e->dir);
	if (e->m->network)
		b->out->opts.network = 1;
	return (json_int_t)json_array_size(b->libraries) - 1;
}

/* Resolves and validates one section into a plan stage (new reference). */
static int stage(struct builder *b, const struct cfg_section *sec, int validate, json_t **out, char **err)
{
	struct host_resolution res;
	struct cfg_error *cerr = NULL;
	json_t *options = NULL;
	char *why = NULL;
	json_int_t index;
	int r = host_resolve(b->cli, b->out->policy, b->out->entries, b->out->entry_count, sec->kind, sec->type, sec->version,
			     &res, &why);
	if (r < 0) {
		located(err, &sec->pos, why ? why : "cannot resolve plugin");
		free(why);
		return r;
	}
	if (validate) {
		r = cfg_validate_section(sec, res.component, &options, &cerr);
		if (r < 0) {
			rt_fail(err, "%s", cerr && cerr->text ? cerr->text : "invalid section");
			cfg_error_free(cerr);
			free(res.reason);
			return r;
		}
	} else {
		options = json_object();
	}
	index = library_index(b, res.entry);
	json_array_append_new(b->out->plugins,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", sec->kind, "type", sec->type,
					"name", res.entry->name, "version", res.entry->version, "path", res.entry->dir,
					"reason", res.reason ? res.reason : "", "source", res.source ? res.source : ""));
	free(res.reason);
	if (index < 0) {
		json_decref(options);
		return -ENOMEM;
	}
	if ((r = note_paths(b, sec->kind, options, &why)) < 0) {
		located(err, &sec->pos, why ? why : "out of memory");
		free(why);
		json_decref(options);
		return r;
	}
	*out = json_pack("{s:I, s:s, s:s, s:o}", "plugin", index, "kind", sec->kind, "type", sec->type, "config",
			 options);
	return *out ? 0 : -ENOMEM;
}

static int stage_list(struct builder *b, const struct cfg_section *secs, size_t n, const char *key, char **err)
{
	json_t *list = json_array();
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		json_t *s = NULL;
		r = stage(b, &secs[i], 1, &s, err);
		if (r == 0)
			json_array_append_new(list, s);
	}
	json_object_set_new(b->out->plan, key, list);
	return r;
}

/* Guess: every installed decoder and parser is a candidate. */
static int guess_candidates(struct builder *b, const char *kind, const char *key, char **err)
{
	json_t *list = json_array();
	const struct store_entry *e = b->out->entries;
	for (size_t i = 0; i < b->out->entry_count; i++)
		for (size_t c = 0; c < e[i].m->component_count; c++) {
			struct cfg_section sec = { 0 };
			json_t *s = NULL;
			size_t j;
			json_t *have;
			int dup = 0;
			if (strcmp(e[i].m->components[c].kind, kind) != 0)
				continue;
			json_array_foreach(list, j, have) if (strcmp(json_string_value(json_object_get(have, "type")),
								     e[i].m->components[c].type) == 0) dup = 1;
			if (dup)
				continue;
			sec.kind = kind;
			sec.type = e[i].m->components[c].type;
			if (stage(b, &sec, 0, &s, err) == 0)
				json_array_append_new(list, s);
			else {
				free(*err);
				*err = NULL;
			}
		}
	json_object_set_new(b->out->plan, key, list);
	return 0;
}

static long usable_cores(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return 1;
}

static json_t *exec_settings(const struct transfer_config *tc)
{
	const struct cfg_exec *x = &tc->exec;
	json_t *inv = json_pack("{s:s, s:I}", "action", x->invalid_action == CFG_INVALID_SKIP ? "skip" : "stop",
				"max", (json_int_t)x->invalid_max);
	char *abs = x->reject_file ? absolute(x->reject_file) : NULL;
	if (abs)
		json_object_set_new(inv, "reject_file", json_string(abs));
	free(abs);
	return inv;
}

int plan_build(struct bh_cli *cli, const struct transfer_config *tc, const char *mode, struct plan_result *out,
	       char **err)
{
	struct builder b = { .cli = cli, .out = out };
	json_t *s = NULL;
	int store_fd = -1;
	int guess = strcmp(mode, "guess") == 0;
	int r;
	/* Scan and resolve under the home store's shared lock, so no install or
	 * remove changes it meanwhile; each chosen version then stays locked "in
	 * use" for the whole run (see plan_result_free). */
	r = store_lock(cli->store_path[0], 0, &store_fd, err);
	if (r == -EACCES || r == -EROFS || r == -EPERM) {
		/* A home this user can not write: nobody installs there either. */
		free(*err);
		*err = NULL;
		store_fd = -1;
	} else if (r < 0) {
		return r;
	}
	r = store_scan(cli->store_path, cli->store_count, &out->entries, &out->entry_count, err);
	if (r < 0) {
		store_unlock(store_fd);
		return r;
	}
	{
		char *ppath = policy_path(cli->home);
		r = ppath ? policy_load(ppath, &out->policy, err) : -ENOMEM;
		free(ppath);
		if (r < 0)
			return r;
	}
	out->plan = json_object();
	out->plugins = json_array();
	b.libraries = json_array();
	json_object_set_new(out->plan, "mode", json_string(mode));
	json_object_set(out->plan, "plugins", b.libraries);
	json_object_set_new(out->plan, "max_threads",
			    json_integer(tc->exec.max_threads > 0 ? tc->exec.max_threads : usable_cores()));
	if (tc->exec.page_records > 0)
		json_object_set_new(out->plan, "page_records", json_integer(tc->exec.page_records));
	json_object_set_new(out->plan, "split_size",
			    json_integer((json_int_t)(tc->exec.split_size_set ? tc->exec.split_size
									     : CFG_SPLIT_SIZE_DEFAULT)));
	json_object_set_new(out->plan, "invalid_records", exec_settings(tc));
	if (tc->exec.reject_file && strcmp(mode, "run") == 0) {
		char *abs = absolute(tc->exec.reject_file);
		if (abs)
			r = binds_add_output(&out->opts, abs, err);
		free(abs);
		if (r < 0)
			goto out;
	}

	r = stage(&b, &tc->input, 1, &s, err);
	if (r < 0)
		goto out;
	json_object_set_new(out->plan, "input", s);
	if (guess) {
		guess_candidates(&b, "decoder", "guess_decoders", err);
		guess_candidates(&b, "parser", "guess_parsers", err);
		goto out;
	}
	if ((r = stage_list(&b, tc->decoders, tc->decoder_count, "decoders", err)) < 0)
		goto out;
	if (tc->parser.type) {
		if ((r = stage(&b, &tc->parser, 1, &s, err)) < 0)
			goto out;
		json_object_set_new(out->plan, "parser", s);
	}
	if ((r = stage_list(&b, tc->filters, tc->filter_count, "filters", err)) < 0)
		goto out;
	if (strcmp(mode, "preview") == 0)
		goto out;
	if (tc->formatter.type) {
		if ((r = stage(&b, &tc->formatter, 1, &s, err)) < 0)
			goto out;
		json_object_set_new(out->plan, "formatter", s);
	}
	if ((r = stage_list(&b, tc->encoders, tc->encoder_count, "encoders", err)) < 0)
		goto out;
	if ((r = stage(&b, &tc->output, 1, &s, err)) < 0)
		goto out;
	json_object_set_new(out->plan, "output", s);
out:
	store_unlock(store_fd);
	json_decref(b.libraries);
	return r;
}

void plan_result_free(struct plan_result *p)
{
	json_decref(p->plan);
	json_decref(p->plugins);
	for (size_t i = 0; i < p->opts.read_count; i++)
		free(p->opts.read_paths[i]);
	for (size_t i = 0; i < p->opts.write_count; i++)
		free(p->opts.write_paths[i]);
	for (size_t i = 0; i < p->opts.plugin_dir_count; i++)
		free(p->opts.plugin_dirs[i]);
	free(p->opts.plugin_dirs);
	free(p->opts.read_paths);
	free(p->opts.write_paths);
	store_entries_free(p->entries, p->entry_count);
	policy_free(p->policy);
	for (size_t i = 0; i < p->use_count; i++)
		store_unlock(p->use_fds[i]);
	host_config_clear(&p->host);
	memset(p, 0, sizeof(*p));
}
