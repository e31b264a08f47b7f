/* Checking an extracted bundle against its manifest, the host ABI and the
 * machine's ELF format. */
#include "packaging/bundle_internal.h"
#include "packaging/util.h"

#include <bulkhead/plugin.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bundle_check_abi(const char *abi, char **err)
{
	char *end;
	unsigned long major = strtoul(abi, &end, 10), minor = 0;

	if (end == abi || (*end != '\0' && *end != '.'))
		return pkg_error(err, -EINVAL, "abi '%s': expected MAJOR[.MINOR]", abi);
	if (*end == '.') {
		const char *m = end + 1;
		minor = strtoul(m, &end, 10);
		if (end == m || *end != '\0')
			return pkg_error(err, -EINVAL, "abi '%s': expected MAJOR[.MINOR]", abi);
	}
	if (major != BH_ABI_MAJOR || minor > BH_ABI_MINOR)
		return pkg_error(err, -ENOTSUP, "plugin ABI %s is not supported by this host (ABI %d.%d: same major, "
					       "minor at most %d)", abi, BH_ABI_MAJOR, BH_ABI_MINOR, BH_ABI_MINOR);
	return 0;
}

/* The ELF identity of the running program: class, byte order, machine. */
static int self_elf(unsigned char *cls, unsigned char *data, uint16_t *machine)
{
	Elf64_Ehdr h; /* e_machine sits at the same offset in 32-bit headers */
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, &h, sizeof(h));
	close(fd);
	if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	*cls = h.e_ident[EI_CLASS];
	*data = h.e_ident[EI_DATA];
	*machine = h.e_machine;
	return 0;
}

int bundle_check_elf(const char *path, char **err)
{
	Elf64_Ehdr h;
	unsigned char cls = 0, data = 0;
	uint16_t machine = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return pkg_error(err, -errno, "%s: %s", path, strerror(errno));
	memset(&h, 0, sizeof(h));
	ssize_t n = read(fd, &h, sizeof(h));
	close(fd);
	if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
		return pkg_error(err, -ENOEXEC, "%s: not an ELF shared object", path);
	if (self_elf(&cls, &data, &machine) < 0)
		return pkg_error(err, -ENOEXEC, "cannot read this program's ELF header to compare");
	if (h.e_ident[EI_CLASS] != cls || h.e_ident[EI_DATA] != data || h.e_machine != machine)
		return pkg_error(err, -ENOEXEC, "%s: built for another machine (ELF class %u, data %u, machine %u; "
					       "this host is %u, %u, %u)", path, h.e_ident[EI_CLASS],
				 h.e_ident[EI_DATA], h.e_machine, cls, data, machine);
	if (h.e_type != ET_DYN)
		return pkg_error(err, -ENOEXEC, "%s: an ELF file, but not a shared object", path);
	return 0;
}

struct walk {
	char **paths;
	size_t n, cap;
};

static int walk_tree(const char *root, const char *rel, struct walk *w, size_t limit, char **err)
{
	char *dir = *rel ? pkg_strdupf("%s/%s", root, rel) : strdup(root);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int r = 0;

	if (d == NULL) {
		r = pkg_error(err, dir ? -errno : -ENOMEM, "%s: cannot read", dir ? dir : root);
		free(dir);
		return r;
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *child = *rel ? pkg_strdupf("%s/%s", rel, e->d_name) : strdup(e->d_name);
		if (child == NULL) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			break;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = pkg_error(err, -errno, "%s/%s: %s", root, child, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			r = walk_tree(root, child, w, limit, err);
		} else if (!S_ISREG(st.st_mode)) {
			r = pkg_error(err, -EINVAL, "%s: not a regular file", child);
		} else if (w->n >= limit) {
			r = pkg_error(err, -E2BIG, "more than %zu files", limit);
		} else {
			if (w->n == w->cap) {
				size_t cap = w->cap ? w->cap * 2 : 32;
				char **np = realloc(w->paths, cap * sizeof(char *));
				if (np == NULL) {
					r = pkg_error(err, -ENOMEM, "out of memory");
					break;
				}
				w->paths = np;
				w->cap = cap;
			}
			w->paths[w->n++] = child;
			child = NULL;
		}
		free(child);
	}
	closedir(d);
	free(dir);
	return r;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->paths[i]);
	free(w->paths);
}

int bundle_list_files(const char *root, char ***paths, size_t *count, size_t limit, char **err)
{
	struct walk w = {0};
	int r = walk_tree(root, "", &w, limit, err);
	if (r < 0) {
		walk_free(&w);
		return r;
	}
	*paths = w.paths;
	*count = w.n;
	return 0;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int bundle_check_tree(const char *bundle, const char *dir, struct manifest **out, char **err)
{
	struct walk w = {0};
	struct manifest *m = NULL;
	char *mpath = pkg_strdupf("%s/manifest.yml", dir), *merr = NULL;
	int r;

	if (mpath == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if (access(mpath, F_OK) < 0) {
		r = pkg_error(err, -EINVAL, "%s: no manifest.yml at the bundle's root", bundle);
		goto out;
	}
	if ((r = manifest_load(mpath, 0, &m, &merr)) < 0) {
		/* Name the bundle rather than the staging directory. */
		const char *rest = merr && strncmp(merr, mpath, strlen(mpath)) == 0 ? merr + strlen(mpath) : NULL;
		r = pkg_error(err, -EINVAL, "%s: invalid manifest: manifest.yml%s", bundle,
			      rest ? rest : merr ? merr : "");
		goto out;
	}
	if ((r = bundle_check_abi(m->abi, err)) < 0)
		goto out;
	if ((r = walk_tree(dir, "", &w, BUNDLE_MAX_ENTRIES, err)) < 0)
		goto out;
	for (size_t i = 0; i < w.n; i++) {
		int listed = strcmp(w.paths[i], "manifest.yml") == 0;
		for (size_t j = 0; !listed && j < m->file_count; j++)
			listed = strcmp(m->files[j].path, w.paths[i]) == 0;
		if (!listed) {
			r = pkg_error(err, -EINVAL, "%s: file '%s' is not listed in the manifest", bundle, w.paths[i]);
			goto out;
		}
	}
	for (size_t j = 0; j < m->file_count; j++) {
		char hex[65], *p = pkg_strdupf("%s/%s", dir, m->files[j].path);
		struct stat st;
		if (p == NULL) {
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			r = pkg_error(err, -EINVAL, "%s: file '%s' is listed in the manifest but missing", bundle,
				      m->files[j].path);
			goto out;
		}
		r = pkg_sha256_file(p, hex);
		if (r == 0)
			r = fsync_path(p);
		free(p);
		if (r < 0) {
			r = pkg_error(err, r, "%s: cannot read '%s': %s", bundle, m->files[j].path, strerror(-r));
			goto out;
		}
		if (strcmp(hex, m->files[j].sha256) != 0) {
			r = pkg_error(err, -EINVAL, "%s: hash mismatch for '%s' (manifest sha256:%.12s..., content %.12s...)",
				      bundle, m->files[j].path, m->files[j].sha256, hex);
			goto out;
		}
	}
	if ((r = fsync_path(mpath)) < 0) {
		r = pkg_error(err, r, "%s: %s", mpath, strerror(-r));
		goto out;
	}
	char *lib = pkg_strdupf("%s/%s", dir, m->library);
	if (lib == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	char *eerr = NULL;
	r = bundle_check_elf(lib, &eerr);
	free(lib);
	if (r < 0) {
		const char *why = eerr ? strstr(eerr, ": ") : NULL;
		pkg_error(err, r, "%s: library '%s'%s", bundle, m->library, why ? why : ": not usable");
		free(eerr);
		goto out;
	}
	*out = m;
	m = NULL;
out:
	walk_free(&w);
	manifest_free(m);
	free(merr);
	free(mpath);
	return r;
}

static int seal_at(const char *path, int is_dir)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -errno;
	mode_t mode = is_dir || (st.st_mode & 0111) ? 0555 : 0444;
	return chmod(path, mode) < 0 ? -errno : 0;
}

int bundle_seal_tree(const char *dir)
{
	struct walk w = {0};
	char *err = NULL;
	int r = walk_tree(dir, "", &w, BUNDLE_MAX_ENTRIES, &err);
	free(err);
	for (size_t i = 0; r == 0 && i < w.n; i++) {
		char *p = pkg_strdupf("%s/%s", dir, w.paths[i]);
		r = p ? seal_at(p, 0) : -ENOMEM;
		free(p);
	}
	walk_free(&w);
	/* Subdirectories stay writable by root only in name: root ignores
	 * modes anyway; the point is to stop accidental edits by others. */
	return r;
}
