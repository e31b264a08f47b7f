/* file input: which files a transfer reads.
 *
 * path_prefix follows Embulk's local file input: the prefix's directory is
 * walked, entries of that directory whose name starts with the prefix's last
 * component are taken (subdirectories are walked whole), and when the prefix
 * itself names a directory everything under it is taken.  `paths` takes
 * glob(3) patterns instead.  Either way the result is sorted by path (byte
 * order), so last_path can resume an incremental load. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugins/file/file.h"

struct walk {
	bh_ctx *ctx;
	const struct file_list_options *opt;
	struct file_list *list;
	/* Directories on the current path, to refuse symlink loops. */
	dev_t devs[FILE_MAX_DEPTH + 1];
	ino_t inos[FILE_MAX_DEPTH + 1];
	unsigned depth;
};

void file_list_free(struct file_list *l)
{
	size_t i;
	if (l == NULL)
		return;
	for (i = 0; i < l->count; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->count = l->cap = 0;
}

static int list_too_many(bh_ctx *ctx, const struct file_list_options *opt, const char *what)
{
	bh_error(ctx,
		 "%s matches more than max_files (%zu) files; narrow it or raise max_files",
		 what, opt->max_files);
	return BH_ECONFIG;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates (two glob patterns may match one file). */
static void list_sort_unique(struct file_list *l)
{
	size_t i, n = 0;
	if (l->count == 0)
		return;
	qsort(l->paths, l->count, sizeof(*l->paths), compare_paths);
	for (i = 0; i < l->count; i++) {
		if (n > 0 && strcmp(l->paths[n - 1], l->paths[i]) == 0) {
			free(l->paths[i]);
			continue;
		}
		l->paths[n++] = l->paths[i];
	}
	l->count = n;
}

/* Takes a copy of path when it passes last_path. */
static int list_add(struct walk *w, const char *path, const char *what)
{
	struct file_list *l = w->list;
	if (w->opt->last_path != NULL && strcmp(path, w->opt->last_path) <= 0)
		return 0;
	if (l->count >= w->opt->max_files) {
		/* Patterns may match a file twice: only new files count. */
		list_sort_unique(l);
		if (bsearch(&path, l->paths, l->count, sizeof(*l->paths), compare_paths) != NULL)
			return 0;
		if (l->count >= w->opt->max_files)
			return list_too_many(w->ctx, w->opt, what);
	}
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		l->paths = p;
		l->cap = cap;
	}
	l->paths[l->count] = strdup(path);
	if (l->paths[l->count] == NULL)
		return -ENOMEM;
	l->count++;
	return 0;
}

static int walk_dir(struct walk *w, const char *dir, const char *base, const char *name_prefix,
		    const char *what);

/* One directory entry: path is what we report, st what lstat said. */
static int walk_entry(struct walk *w, const char *path, const struct stat *lst, const char *what)
{
	struct stat st = *lst;
	unsigned i;

	if (S_ISLNK(lst->st_mode)) {
		if (stat(path, &st) < 0) {
			bh_log(w->ctx, BH_LOG_WARN, "skipping %s: cannot follow symbolic link: %s",
			       path, strerror(errno));
			return 0;
		}
		/* Like Embulk, links to files are read either way; links to
		 * directories are walked only with follow_symlinks. */
		if (S_ISDIR(st.st_mode) && !w->opt->follow_symlinks)
			return 0;
	}
	if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
		return list_add(w, path, what);
	if (!S_ISDIR(st.st_mode))
		return 0; /* sockets, devices: not data files */

	for (i = 0; i <= w->depth; i++) {
		if (w->devs[i] == st.st_dev && w->inos[i] == st.st_ino) {
			bh_log(w->ctx, BH_LOG_WARN, "skipping %s: symbolic link loop", path);
			return 0;
		}
	}
	if (w->depth + 1 > FILE_MAX_DEPTH) {
		bh_error(w->ctx, "%s is nested deeper than %d directories under %s", path,
			 FILE_MAX_DEPTH, what);
		return BH_ECONFIG;
	}
	w->depth++;
	w->devs[w->depth] = st.st_dev;
	w->inos[w->depth] = st.st_ino;
	{
		int r = walk_dir(w, path, path, "", what);
		w->depth--;
		return r;
	}
}

/* Walks dir; reported paths are base + "/" + name (or just name when base
 * is NULL, so a prefix without a directory yields paths without "./"). */
static int walk_dir(struct walk *w, const char *dir, const char *base, const char *name_prefix,
		    const char *what)
{
	DIR *d;
	struct dirent *de;
	size_t plen = strlen(name_prefix);
	size_t blen = base ? strlen(base) : 0;
	int sep = base != NULL && blen > 0 && base[blen - 1] != '/';
	int r = 0;

	d = opendir(dir);
	if (d == NULL) {
		r = -errno;
		bh_error(w->ctx, "cannot list directory %s (for %s): %s", dir, what,
			 strerror(errno));
		return r;
	}
	for (;;) {
		char path[PATH_MAX];
		struct stat st;
		int n;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				r = -errno;
				bh_error(w->ctx, "cannot list directory %s: %s", dir,
					 strerror(errno));
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, name_prefix, plen) != 0)
			continue;
		n = snprintf(path, sizeof(path), "%s%s%s", base ? base : "", sep ? "/" : "",
			     de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			bh_error(w->ctx, "path under %s is longer than %d bytes", dir, PATH_MAX);
			r = -ENAMETOOLONG;
			break;
		}
		if (lstat(path, &st) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we listed */
			r = -errno;
			bh_error(w->ctx, "cannot stat %s: %s", path, strerror(errno));
			break;
		}
		r = walk_entry(w, path, &st, what);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int file_list_prefix(bh_ctx *ctx, const char *prefix, const struct file_list_options *opt,
		     struct file_list *out)
{
	struct walk w = {.ctx = ctx, .opt = opt};
	struct file_list list = {0};
	struct stat st;
	char what[PATH_MAX + 32];
	char dir[PATH_MAX];
	const char *slash;
	int r;

	if (prefix[0] == '\0') {
		bh_error(ctx, "path_prefix is empty; give a directory or a file name prefix");
		return BH_ECONFIG;
	}
	if (strlen(prefix) >= sizeof(dir)) {
		bh_error(ctx, "path_prefix is longer than %d bytes", PATH_MAX - 1);
		return BH_ECONFIG;
	}
	snprintf(what, sizeof(what), "path_prefix '%s'", prefix);
	w.list = &list;

	if (stat(prefix, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* The prefix is a directory: everything under it. */
		w.devs[0] = st.st_dev;
		w.inos[0] = st.st_ino;
		r = walk_dir(&w, prefix, prefix, "", what);
	} else {
		slash = strrchr(prefix, '/');
		if (slash == NULL) {
			r = walk_dir(&w, ".", NULL, prefix, what);
		} else {
			size_t dlen = (size_t)(slash - prefix);
			if (dlen == 0)
				dlen = 1; /* "/name": the root directory */
			memcpy(dir, prefix, dlen);
			dir[dlen] = '\0';
			if (stat(dir, &st) == 0) {
				w.devs[0] = st.st_dev;
				w.inos[0] = st.st_ino;
			}
			r = walk_dir(&w, dir, dir, slash + 1, what);
		}
	}
	if (r < 0) {
		file_list_free(&list);
		return r;
	}
	list_sort_unique(&list);
	*out = list;
	return 0;
}

static int glob_failed(const char *epath, int eerrno)
{
	(void)epath;
	(void)eerrno;
	return 0; /* unreadable directories are skipped, like a shell glob */
}

int file_list_globs(bh_ctx *ctx, const char *const *patterns, size_t npatterns,
		    const struct file_list_options *opt, struct file_list *out)
{
	struct walk w = {.ctx = ctx, .opt = opt};
	struct file_list list = {0};
	size_t i, j;
	int r = 0;

	w.list = &list;
	for (i = 0; i < npatterns && r == 0; i++) {
		glob_t g;
		char what[PATH_MAX + 32];
		int gr;

		memset(&g, 0, sizeof(g));
		snprintf(what, sizeof(what), "paths pattern '%s'", patterns[i]);
		gr = glob(patterns[i], GLOB_NOSORT, glob_failed, &g);
		if (gr == GLOB_NOSPACE) {
			r = -ENOMEM;
		} else if (gr == GLOB_ABORTED) {
			bh_error(ctx, "cannot expand %s: read error", what);
			r = -EIO;
		} else if (gr == 0) {
			for (j = 0; j < g.gl_pathc && r == 0; j++) {
				struct stat st;
				if (stat(g.gl_pathv[j], &st) < 0)
					continue; /* dangling link or removed meanwhile */
				if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
					r = list_add(&w, g.gl_pathv[j], what);
			}
		}
		globfree(&g);
	}
	if (r < 0) {
		file_list_free(&list);
		return r;
	}
	list_sort_unique(&list);
	*out = list;
	return 0;
}
