/* Scanning store roots into a sorted list of installed plugin versions. */
#include "packaging/store.h"
#include "packaging/semver.h"
#include "packaging/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct scan {
	struct store_entry *v;
	size_t n, cap;
	size_t *root_index; /* parallel to v: which root, for a stable order */
};

void store_entries_free(struct store_entry *entries, size_t count)
{
	if (entries == NULL)
		return;
	for (size_t i = 0; i < count; i++) {
		free(entries[i].name);
		free(entries[i].version);
		free(entries[i].dir);
		free(entries[i].root);
		manifest_free(entries[i].m);
	}
	free(entries);
}

char *store_home_root(const char *home)
{
	return pkg_strdupf("%s/plugins", home);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int push(struct scan *s, struct store_entry *e, size_t root, char **err)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct store_entry *nv = realloc(s->v, cap * sizeof(*nv));
		if (nv == NULL)
			return pkg_error(err, -ENOMEM, "out of memory");
		s->v = nv;
		size_t *ni = realloc(s->root_index, cap * sizeof(*ni));
		if (ni == NULL)
			return pkg_error(err, -ENOMEM, "out of memory");
		s->root_index = ni;
		s->cap = cap;
	}
	s->v[s->n] = *e;
	s->root_index[s->n] = root;
	s->n++;
	return 0;
}

static int scan_version(struct scan *s, const char *root, size_t root_idx, const char *name, const char *version,
			char **err)
{
	struct store_entry e = {0};
	char *mpath = NULL, *merr = NULL;
	int r;

	if (s->n >= STORE_MAX_ENTRIES)
		return pkg_error(err, -E2BIG, "%s: more than %d plugin versions installed", root, STORE_MAX_ENTRIES);
	e.dir = pkg_strdupf("%s/%s/%s", root, name, version);
	mpath = pkg_strdupf("%s/manifest.yml", e.dir ? e.dir : "");
	e.name = strdup(name);
	e.version = strdup(version);
	e.root = strdup(root);
	if (!e.dir || !mpath || !e.name || !e.version || !e.root) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (!is_dir(e.dir)) { /* a stray file in the store is not an entry */
		r = 0;
		goto skip;
	}
	if ((r = manifest_load(mpath, 0, &e.m, &merr)) < 0) {
		pkg_error(err, r, "broken store entry: %s", merr ? merr : mpath);
		goto fail;
	}
	if (strcmp(e.m->name, name) != 0 || strcmp(e.m->version, version) != 0) {
		r = pkg_error(err, -EINVAL, "%s: declares %s@%s but is stored as %s@%s", mpath, e.m->name,
			      e.m->version, name, version);
		goto fail;
	}
	if ((r = push(s, &e, root_idx, err)) < 0)
		goto fail;
	free(mpath);
	return 0;
skip:
fail:
	free(merr);
	free(mpath);
	free(e.name);
	free(e.version);
	free(e.dir);
	free(e.root);
	manifest_free(e.m);
	return r;
}

static int scan_name(struct scan *s, const char *root, size_t root_idx, const char *name, char **err)
{
	char *dir = pkg_strdupf("%s/%s", root, name);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (dir == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if (!is_dir(dir)) {
		free(dir);
		return 0;
	}
	d = opendir(dir);
	if (d == NULL) {
		r = pkg_error(err, -errno, "%s: %s", dir, strerror(errno));
		free(dir);
		return r;
	}
	while ((de = readdir(d)) != NULL && r == 0) {
		if (de->d_name[0] == '.')
			continue;
		if (!semver_valid(de->d_name)) {
			r = pkg_error(err, -EINVAL, "%s/%s: store directory is not a semantic version", dir,
				      de->d_name);
			break;
		}
		r = scan_version(s, root, root_idx, name, de->d_name, err);
	}
	closedir(d);
	free(dir);
	return r;
}

static int scan_root(struct scan *s, const char *root, size_t root_idx, char **err)
{
	DIR *d = opendir(root);
	struct dirent *de;
	int r = 0;

	if (d == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return pkg_error(err, -errno, "%s: %s", root, strerror(errno));
	}
	while ((de = readdir(d)) != NULL && r == 0) {
		if (de->d_name[0] == '.')
			continue;
		if (!pkg_is_identifier(de->d_name, 64))
			continue; /* not a plugin name; e.g. an operator's README */
		r = scan_name(s, root, root_idx, de->d_name, err);
	}
	closedir(d);
	return r;
}

/* qsort is not stable, so the root index breaks ties explicitly. */
struct sort_item {
	struct store_entry e;
	size_t root;
	struct semver v;
};

static int compare_items(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int c = strcmp(a->e.name, b->e.name);
	if (c != 0)
		return c;
	if ((c = semver_order(&a->v, &b->v)) != 0)
		return c;
	return a->root < b->root ? -1 : a->root > b->root;
}

int store_scan(char *const *roots, size_t nroots, struct store_entry **out, size_t *count, char **err)
{
	struct scan s = {0};
	struct sort_item *items = NULL;
	int r = 0;

	for (size_t i = 0; i < nroots && r == 0; i++) {
		char abs[PATH_MAX];
		if (roots[i] == NULL || roots[i][0] == '\0')
			continue;
		if (realpath(roots[i], abs) == NULL) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			r = pkg_error(err, -errno, "%s: %s", roots[i], strerror(errno));
			break;
		}
		r = scan_root(&s, abs, i, err);
	}
	if (r < 0)
		goto out;
	if (s.n > 0) {
		items = calloc(s.n, sizeof(*items));
		if (items == NULL) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < s.n; i++) {
			items[i].e = s.v[i];
			items[i].root = s.root_index[i];
			(void)semver_parse(s.v[i].version, &items[i].v);
		}
		qsort(items, s.n, sizeof(*items), compare_items);
		for (size_t i = 0; i < s.n; i++)
			s.v[i] = items[i].e;
		free(items);
	}
	*out = s.v;
	*count = s.n;
	s.v = NULL;
	s.n = 0;
out:
	store_entries_free(s.v, s.n);
	free(s.root_index);
	return r;
}

const struct store_entry *store_find(const struct store_entry *entries, size_t count, const char *name,
				     const char *version)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(entries[i].name, name) == 0 && strcmp(entries[i].version, version) == 0)
			return &entries[i];
	return NULL;
}
