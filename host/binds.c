/* Which host paths a transfer's worker may see: exactly the inputs the config
 * names (each matching file bound on its own when there are few), the output
 * directories, and never a directory the sandbox provides itself. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/binds.h"
#include "sdk/src/runtime.h"

/* Directories the sandbox supplies itself (system files, its private /tmp). */
static const char *const reserved[] = { "/proc", "/dev", "/etc", "/usr", "/lib", "/lib32", "/lib64",
					"/libx32", "/bin", "/sbin" };

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Why path can not be shared with the worker, or NULL. */
static const char *refused(const char *path)
{
	if (strcmp(path, "/") == 0)
		return "the whole file system";
	if (strcmp(path, "/tmp") == 0)
		return "/tmp, which the sandbox replaces with a private one";
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (under(path, reserved[i]))
			return "a system directory the sandbox provides itself";
	return NULL;
}

static int add_checked(char ***list, size_t *count, const char *path, const char *what, char **err)
{
	const char *why = refused(path);
	if (why)
		return rt_fail(err, "%s %s is in %s: give it a directory of its own (e.g. /srv/data/ or /tmp/mydata/)",
			       what, path, why);
	return host_list_add(list, count, path);
}

/* The directory part of a prefix or pattern (caller frees). */
static char *dir_part(const char *pattern)
{
	char *copy = strdup(pattern), *glob_char;
	if (!copy)
		return NULL;
	glob_char = strpbrk(copy, "*?[");
	if (glob_char)
		*glob_char = '\0';
	if (*copy && copy[strlen(copy) - 1] == '/' && strlen(copy) > 1)
		copy[strlen(copy) - 1] = '\0';
	else if (*copy) {
		const char *dir = dirname(copy); /* may point into copy, or at a static "." or "/" */
		memmove(copy, dir, strlen(dir) + 1);
	}
	return copy;
}

/* Binds names (n of them) one by one when few, else their directory dir. */
static int add_matches(struct host_run_options *o, char **names, size_t n, const char *dir, char **err)
{
	if (n > 0 && n <= BINDS_MAX_PRECISE) {
		for (size_t i = 0; i < n; i++) {
			int r = add_checked(&o->read_paths, &o->read_count, names[i], "input", err);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (n == 0 && refused(dir))
		return 0; /* nothing to read there: the input finds no files */
	return add_checked(&o->read_paths, &o->read_count, dir, "input directory", err);
}

int binds_add_input_prefix(struct host_run_options *o, const char *prefix, char **err)
{
	char *dir = dir_part(prefix), **names = NULL;
	const char *base;
	size_t n = 0, cap = 0;
	DIR *d;
	struct dirent *e;
	int r = 0;
	if (!dir)
		return -ENOMEM;
	if (prefix[strlen(prefix) - 1] == '/') {
		r = add_checked(&o->read_paths, &o->read_count, dir, "input directory", err);
		free(dir);
		return r;
	}
	base = strrchr(prefix, '/') ? strrchr(prefix, '/') + 1 : prefix;
	d = opendir(dir);
	while (d && (e = readdir(d)) && n <= BINDS_MAX_PRECISE) {
		char *full;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strncmp(e->d_name, base, strlen(base)) != 0)
			continue;
		if (n == cap) {
			char **g = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof(*g));
			if (!g) {
				r = -ENOMEM;
				break;
			}
			names = g;
		}
		if (asprintf(&full, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		names[n++] = full;
	}
	if (d)
		closedir(d);
	if (r == 0)
		r = add_matches(o, names, n, dir, err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return r;
}

int binds_add_input_glob(struct host_run_options *o, const char *pattern, char **err)
{
	glob_t g;
	char *dir = dir_part(pattern);
	int r;
	if (!dir)
		return -ENOMEM;
	memset(&g, 0, sizeof(g));
	r = glob(pattern, 0, NULL, &g);
	r = add_matches(o, r == 0 ? g.gl_pathv : NULL, r == 0 ? g.gl_pathc : 0, dir, err);
	globfree(&g);
	free(dir);
	return r;
}

int binds_add_output(struct host_run_options *o, const char *path_prefix, char **err)
{
	char *dir = dir_part(path_prefix);
	int r;
	if (!dir)
		return -ENOMEM;
	r = add_checked(&o->write_paths, &o->write_count, dir, "output directory", err);
	free(dir);
	return r;
}

int binds_add_plugin_dir(struct host_run_options *o, const char *dir)
{
	return host_list_add(&o->plugin_dirs, &o->plugin_dir_count, dir);
}
