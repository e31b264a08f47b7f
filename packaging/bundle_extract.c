/* Extracting a bundle into a staging directory, refusing anything but plain
 * files and directories with safe relative names, within bounds. */
#include "packaging/bundle_internal.h"
#include "packaging/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

const struct bundle_limits bundle_default_limits = {
	.max_entries = BUNDLE_MAX_ENTRIES,
	.max_bytes = BUNDLE_MAX_BYTES,
	.max_path = PKG_MAX_PATH,
	.max_archive_bytes = BUNDLE_MAX_ARCHIVE_BYTES,
};

static const char *type_name(mode_t type)
{
	switch (type) {
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFCHR:
		return "a character device";
	case AE_IFBLK:
		return "a block device";
	case AE_IFIFO:
		return "a FIFO";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "an unsupported entry type";
	}
}

/* Strips leading "./" components (tar -C dir . writes them). */
static const char *strip_dot_slash(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

/* Checks one header; returns the cleaned relative path or NULL with *err. */
static const char *check_header(const char *bundle, struct archive_entry *e, const struct bundle_limits *lim,
				int *code, char **err)
{
	const char *raw = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);
	mode_t mode = archive_entry_mode(e);

	if (raw == NULL) {
		*code = pkg_error(err, -EINVAL, "%s: an entry has no (or an undecodable) path", bundle);
		return NULL;
	}
	if (strlen(raw) > lim->max_path) {
		*code = pkg_error(err, -ENAMETOOLONG, "%s: entry path longer than %zu bytes", bundle, lim->max_path);
		return NULL;
	}
	if (raw[0] == '/') {
		*code = pkg_error(err, -EINVAL, "%s: entry '%s' has an absolute path", bundle, raw);
		return NULL;
	}
	if (archive_entry_hardlink(e) != NULL) {
		*code = pkg_error(err, -EINVAL, "%s: entry '%s' is a hard link", bundle, raw);
		return NULL;
	}
	if (type != AE_IFREG && type != AE_IFDIR) {
		*code = pkg_error(err, -EINVAL, "%s: entry '%s' is %s", bundle, raw, type_name(type));
		return NULL;
	}
	if (mode & (S_ISUID | S_ISGID)) {
		*code = pkg_error(err, -EPERM, "%s: entry '%s' has the setuid or setgid bit", bundle, raw);
		return NULL;
	}
	const char *path = strip_dot_slash(raw);
	if (type == AE_IFDIR) {
		/* "dir/" and the archive root "./" */
		static char buf[PKG_MAX_PATH + 2];
		size_t n = strlen(path);
		if (n == 0 || strcmp(path, ".") == 0)
			return "";
		if (n > PKG_MAX_PATH) {
			*code = pkg_error(err, -ENAMETOOLONG, "%s: entry path too long", bundle);
			return NULL;
		}
		memcpy(buf, path, n + 1);
		while (n > 0 && buf[n - 1] == '/')
			buf[--n] = '\0';
		path = buf;
	}
	const char *why = pkg_check_relpath(path);
	if (why != NULL) {
		*code = pkg_error(err, -EINVAL, "%s: entry '%s': %s", bundle, raw, why);
		return NULL;
	}
	return path;
}

static int copy_data(struct archive *in, struct archive *out, const char *bundle, const char *path,
		     uint64_t *total, const struct bundle_limits *lim, char **err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;

	for (;;) {
		int r = archive_read_data_block(in, &buf, &size, &offset);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK)
			return pkg_error(err, -EBADMSG, "%s: '%s': truncated or corrupt archive: %s", bundle, path,
					 archive_error_string(in) ? archive_error_string(in) : "read error");
		*total += size;
		if (*total > lim->max_bytes)
			return pkg_error(err, -EFBIG, "%s: more than %llu bytes uncompressed (a decompression bomb?)",
					 bundle, (unsigned long long)lim->max_bytes);
		if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
			return pkg_error(err, -EIO, "%s: cannot write '%s': %s", bundle, path,
					 archive_error_string(out));
	}
}

int bundle_extract(const char *bundle, const char *dest, const struct bundle_limits *lim, char **err)
{
	struct archive *in = NULL, *out = NULL;
	struct archive_entry *e;
	struct stat st;
	size_t entries = 0;
	uint64_t total = 0;
	int r = 0;

	if (lim == NULL)
		lim = &bundle_default_limits;
	if (stat(bundle, &st) < 0)
		return pkg_error(err, -errno, "%s: %s", bundle, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pkg_error(err, -EINVAL, "%s: not a regular file", bundle);
	if ((uint64_t)st.st_size > lim->max_archive_bytes)
		return pkg_error(err, -EFBIG, "%s: larger than %llu bytes", bundle,
				 (unsigned long long)lim->max_archive_bytes);
	in = archive_read_new();
	out = archive_write_disk_new();
	if (in == NULL || out == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* A bundle is exactly a gzip-compressed tar: nothing else is tried. */
	archive_read_support_filter_gzip(in);
	archive_read_support_format_tar(in);
	/* The secure-extract flags; absolute entry paths are refused in
	 * check_header, since we extract below an absolute staging path. */
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						    ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_PERM);
	if (archive_read_open_filename(in, bundle, 65536) != ARCHIVE_OK) {
		r = pkg_error(err, -EBADMSG, "%s: not a tar.gz bundle: %s", bundle, archive_error_string(in));
		goto out;
	}
	for (;;) {
		int h = archive_read_next_header(in, &e);
		if (h == ARCHIVE_EOF)
			break;
		if (h != ARCHIVE_OK) {
			r = pkg_error(err, -EBADMSG, "%s: truncated or corrupt archive: %s", bundle,
				      archive_error_string(in) ? archive_error_string(in) : "bad header");
			goto out;
		}
		if (++entries > lim->max_entries) {
			r = pkg_error(err, -E2BIG, "%s: more than %zu entries", bundle, lim->max_entries);
			goto out;
		}
		if (entries == 1 && archive_filter_code(in, 0) != ARCHIVE_FILTER_GZIP) {
			r = pkg_error(err, -EBADMSG, "%s: not a tar.gz bundle (the tar is not gzip-compressed)", bundle);
			goto out;
		}
		int code = -EINVAL;
		const char *path = check_header(bundle, e, lim, &code, err);
		if (path == NULL) {
			r = code;
			goto out;
		}
		if (*path == '\0')
			continue; /* the root directory itself */
		if (archive_entry_size(e) > 0 && (uint64_t)archive_entry_size(e) > lim->max_bytes - total) {
			r = pkg_error(err, -EFBIG, "%s: more than %llu bytes uncompressed (a decompression bomb?)", bundle,
				      (unsigned long long)lim->max_bytes);
			goto out;
		}
		char *target = pkg_strdupf("%s/%s", dest, path);
		char *rel = strdup(path);
		if (target == NULL || rel == NULL) {
			free(target);
			free(rel);
			r = pkg_error(err, -ENOMEM, "out of memory");
			goto out;
		}
		int is_dir = archive_entry_filetype(e) == AE_IFDIR;
		struct stat seen;
		if (!is_dir && lstat(target, &seen) == 0) {
			r = pkg_error(err, -EEXIST, "%s: duplicate entry '%s'", bundle, rel);
			free(target);
			free(rel);
			goto out;
		}
		archive_entry_set_pathname(e, target);
		archive_entry_set_perm(e, is_dir ? 0755 : (archive_entry_perm(e) & 0111) ? 0755 : 0644);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_uname(e, NULL);
		archive_entry_set_gname(e, NULL);
		free(target);
		if (archive_write_header(out, e) != ARCHIVE_OK) {
			if (!is_dir || archive_errno(out) != EEXIST) {
				r = pkg_error(err, -EINVAL, "%s: cannot extract '%s': %s", bundle, rel,
					      archive_error_string(out));
				free(rel);
				goto out;
			}
		}
		if (!is_dir)
			r = copy_data(in, out, bundle, rel, &total, lim, err);
		free(rel);
		if (r < 0)
			goto out;
		if (archive_write_finish_entry(out) != ARCHIVE_OK) {
			r = pkg_error(err, -EIO, "%s: %s", bundle, archive_error_string(out));
			goto out;
		}
	}
out:
	if (in)
		archive_read_free(in);
	if (out)
		archive_write_free(out);
	return r;
}
