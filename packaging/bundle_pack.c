/* Packing a plugin directory into a .bhp: fill in components, options and
 * file hashes, then write a reproducible tar.gz. */
#include "packaging/bundle_internal.h"
#include "packaging/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

/* Bundles carry a fixed timestamp so packing twice gives the same bytes. */
#define BUNDLE_MTIME 0

static char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strdup(s) : NULL;
}

static int abi_equal(const char *a, const char *b)
{
	unsigned long amaj = strtoul(a, NULL, 10), bmaj = strtoul(b, NULL, 10);
	const char *ad = strchr(a, '.'), *bd = strchr(b, '.');
	return amaj == bmaj && (ad ? strtoul(ad + 1, NULL, 10) : 0) == (bd ? strtoul(bd + 1, NULL, 10) : 0);
}

int bundle_fill_from_describe(struct manifest *m, const json_t *d, char **err)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *version = json_string_value(json_object_get(d, "version"));
	const char *abi = json_string_value(json_object_get(d, "abi"));
	json_t *comps = json_object_get(d, "components"), *c;
	size_t i;

	if (!json_is_object(d) || !json_is_array(comps))
		return pkg_error(err, -EINVAL, "the library's description has no components list");
	if (name && strcmp(name, m->name) != 0)
		return pkg_error(err, -EINVAL, "the library calls itself '%s' but manifest.yml says name: %s", name,
				 m->name);
	if (version && strcmp(version, m->version) != 0)
		return pkg_error(err, -EINVAL, "the library is version %s but manifest.yml says version: %s (rebuild?)",
				 version, m->version);
	if (abi && !abi_equal(abi, m->abi))
		return pkg_error(err, -EINVAL, "the library was built for ABI %s but manifest.yml says abi: %s", abi,
				 m->abi);
	if (json_array_size(comps) == 0)
		return pkg_error(err, -EINVAL, "the library declares no components");
	struct manifest_component *list = calloc(json_array_size(comps), sizeof(*list));
	if (list == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	/* Replace whatever the manifest had: pack always refreshes from the library. */
	for (size_t k = 0; k < m->component_count; k++) {
		struct manifest_component *old = &m->components[k];
		free(old->kind);
		free(old->type);
		free(old->description);
		for (size_t j = 0; j < old->option_count; j++) {
			free(old->options[j].name);
			free(old->options[j].type);
			free(old->options[j].default_value);
			free(old->options[j].description);
		}
		free(old->options);
	}
	free(m->components);
	m->components = list;
	m->component_count = 0;
	json_array_foreach(comps, i, c) {
		struct manifest_component *mc = &list[m->component_count++];
		json_t *opts = json_object_get(c, "options"), *o;
		size_t j;
		mc->kind = jstr(c, "kind");
		mc->type = jstr(c, "type");
		mc->description = jstr(c, "description");
		if (!mc->kind || !mc->type)
			return pkg_error(err, -EINVAL, "component %zu of the description has no kind or type", i);
		if (!mc->description && !(mc->description = strdup("")))
			return pkg_error(err, -ENOMEM, "out of memory");
		mc->options = calloc(json_array_size(opts) + 1, sizeof(*mc->options));
		if (mc->options == NULL)
			return pkg_error(err, -ENOMEM, "out of memory");
		json_array_foreach(opts, j, o) {
			struct manifest_option *op = &mc->options[mc->option_count++];
			op->name = jstr(o, "name");
			op->type = jstr(o, "type");
			op->default_value = jstr(o, "default");
			op->required = json_is_true(json_object_get(o, "required"));
			op->description = jstr(o, "description");
			if (!op->name || !op->type)
				return pkg_error(err, -EINVAL, "%s/%s: option %zu has no name or type", mc->kind,
						 mc->type, j);
			if (!op->description && !(op->description = strdup("")))
				return pkg_error(err, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int skip_name(const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t n;
	base = base ? base + 1 : rel;
	n = strlen(base);
	if (strcmp(rel, "manifest.yml") == 0 || base[0] == '.')
		return 1;
	if (n > 4 && strcmp(base + n - 4, ".bhp") == 0)
		return 1;
	return n > 8 && strcmp(base + n - 8, ".minisig") == 0;
}

/* One file to put in the bundle: its path inside, and where it is on disk. */
struct pack_file {
	char *inside;
	char *disk;
};

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct pack_file *)a)->inside, ((const struct pack_file *)b)->inside);
}

static int add_entry(struct archive *a, const char *inside, const char *disk, const void *mem, size_t memlen,
		     char **err)
{
	struct archive_entry *e = archive_entry_new();
	struct stat st;
	int r = 0, fd = -1;

	if (e == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if (disk) {
		fd = open(disk, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = pkg_error(err, -errno, "%s: %s", disk, strerror(errno));
			goto out;
		}
		memlen = (size_t)st.st_size;
	}
	archive_entry_set_pathname(e, inside);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, disk && (st.st_mode & 0111) ? 0755 : 0644);
	archive_entry_set_size(e, (la_int64_t)memlen);
	archive_entry_set_mtime(e, BUNDLE_MTIME, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		r = pkg_error(err, -EIO, "cannot add %s: %s", inside, archive_error_string(a));
		goto out;
	}
	if (mem) {
		if (archive_write_data(a, mem, memlen) != (la_ssize_t)memlen)
			r = pkg_error(err, -EIO, "cannot add %s: %s", inside, archive_error_string(a));
		goto out;
	}
	char buf[65536];
	size_t done = 0;
	while (done < memlen) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			r = pkg_error(err, -EIO, "%s: changed while packing", disk);
			goto out;
		}
		if (archive_write_data(a, buf, (size_t)n) != n) {
			r = pkg_error(err, -EIO, "cannot add %s: %s", inside, archive_error_string(a));
			goto out;
		}
		done += (size_t)n;
	}
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return r;
}

int bundle_pack(const char *src_dir, const char *library_path, const json_t *describe, const char *out_file,
		struct manifest **packed, char **err)
{
	struct manifest *m = NULL, *check = NULL;
	struct pack_file *files = NULL;
	size_t nfiles = 0;
	char **paths = NULL, *text = NULL, *tmpdir = NULL, *tmpman = NULL, *tmpout = NULL, *merr = NULL;
	char *src_manifest = pkg_strdupf("%s/manifest.yml", src_dir);
	size_t npaths = 0, textlen = 0;
	struct archive *a = NULL;
	int r;

	if (src_manifest == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if ((r = manifest_load(src_manifest, 1, &m, err)) < 0)
		goto out;
	if ((r = bundle_fill_from_describe(m, describe, err)) < 0)
		goto out;
	/* Collect the files. */
	if (library_path != NULL) {
		files = calloc(1, sizeof(*files));
		if (files == NULL || !(files[0].inside = strdup(m->library)) || !(files[0].disk = strdup(library_path))) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
		nfiles = 1;
	} else {
		if ((r = bundle_list_files(src_dir, &paths, &npaths, BUNDLE_MAX_ENTRIES - 1, err)) < 0)
			goto out;
		files = calloc(npaths + 1, sizeof(*files));
		if (files == NULL) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < npaths; i++) {
			if (skip_name(paths[i]))
				continue;
			files[nfiles].inside = strdup(paths[i]);
			files[nfiles].disk = pkg_strdupf("%s/%s", src_dir, paths[i]);
			if (!files[nfiles].inside || !files[nfiles++].disk) {
				r = pkg_error(err, -ENOMEM, "out of memory");
				goto out;
			}
		}
	}
	qsort(files, nfiles, sizeof(*files), cmp_files);
	/* Hash them into the manifest. */
	for (size_t i = 0; i < m->file_count; i++) {
		free(m->files[i].path);
		free(m->files[i].sha256);
	}
	free(m->files);
	m->file_count = 0;
	m->files = calloc(nfiles + 1, sizeof(*m->files));
	if (m->files == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		char hex[65];
		if ((r = pkg_sha256_file(files[i].disk, hex)) < 0) {
			r = pkg_error(err, r, "%s: %s", files[i].disk, strerror(-r));
			goto out;
		}
		m->files[i].path = strdup(files[i].inside);
		m->files[i].sha256 = strdup(hex);
		m->file_count++;
		if (!m->files[i].path || !m->files[i].sha256) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
	/* The library must be there and loadable on this machine. */
	const char *lib_disk = NULL;
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].inside, m->library) == 0)
			lib_disk = files[i].disk;
	if (lib_disk == NULL) {
		r = pkg_error(err, -ENOENT, "%s: library '%s' not found", src_dir, m->library);
		goto out;
	}
	if ((r = bundle_check_elf(lib_disk, err)) < 0 || (r = bundle_check_abi(m->abi, err)) < 0)
		goto out;
	/* Write the manifest, and read it back: the packed manifest must pass
	 * the same validation an install applies. */
	const char *tmp = getenv("TMPDIR");
	tmpdir = pkg_strdupf("%s/bhpack-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (tmpdir == NULL || mkdtemp(tmpdir) == NULL) {
		r = pkg_error(err, -errno, "cannot create a temporary directory: %s", strerror(errno));
		free(tmpdir);
		tmpdir = NULL;
		goto out;
	}
	tmpman = pkg_strdupf("%s/manifest.yml", tmpdir);
	if (tmpman == NULL || (r = manifest_write(m, tmpman, err)) < 0) {
		r = r ? r : pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = manifest_load(tmpman, 0, &check, &merr)) < 0) {
		const char *rest = merr && strncmp(merr, tmpman, strlen(tmpman)) == 0 ? merr + strlen(tmpman) : merr;
		r = pkg_error(err, r, "the packed manifest would be invalid: manifest.yml%s", rest ? rest : "");
		goto out;
	}
	if ((r = pkg_read_file(tmpman, 1 << 20, &text, &textlen)) < 0) {
		r = pkg_error(err, r, "%s: %s", tmpman, strerror(-r));
		goto out;
	}
	/* The archive, to a temp file renamed into place. */
	tmpout = pkg_strdupf("%s.tmp-%ld", out_file, (long)getpid());
	a = archive_write_new();
	if (tmpout == NULL || a == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_filter_option(a, "gzip", "timestamp", NULL); /* no time in the gzip header */
	if (archive_write_open_filename(a, tmpout) != ARCHIVE_OK) {
		r = pkg_error(err, -EIO, "%s: %s", out_file, archive_error_string(a));
		goto out;
	}
	if ((r = add_entry(a, "manifest.yml", NULL, text, textlen, err)) < 0)
		goto out;
	for (size_t i = 0; i < nfiles; i++)
		if ((r = add_entry(a, files[i].inside, files[i].disk, NULL, 0, err)) < 0)
			goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		r = pkg_error(err, -EIO, "%s: %s", out_file, archive_error_string(a));
		goto out;
	}
	if (rename(tmpout, out_file) < 0) {
		r = pkg_error(err, -errno, "%s: %s", out_file, strerror(errno));
		goto out;
	}
	free(tmpout);
	tmpout = NULL;
	if (packed) {
		*packed = check;
		check = NULL;
	}
	r = 0;
out:
	if (a)
		archive_write_free(a);
	if (tmpout)
		unlink(tmpout);
	if (tmpdir)
		pkg_remove_tree(tmpdir);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	for (size_t i = 0; files && i < nfiles; i++) {
		free(files[i].inside);
		free(files[i].disk);
	}
	free(files);
	manifest_free(m);
	manifest_free(check);
	free(merr);
	free(text);
	free(tmpdir);
	free(tmpman);
	free(tmpout);
	free(src_manifest);
	return r;
}
