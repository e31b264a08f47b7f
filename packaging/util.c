/* Error strings, atomic writes and tree helpers for the packaging library. */
#include "packaging/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

int pkg_error(char **err, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(*err);
	*err = msg;
	return code;
}

char *pkg_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int pkg_read_file(const char *path, size_t max_bytes, char **out, size_t *len)
{
	int fd, r = 0;
	char *buf = NULL;
	size_t used = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(max_bytes + 2);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, max_bytes + 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max_bytes) {
			r = -EFBIG;
			goto out;
		}
	}
	buf[used] = '\0';
	*out = buf;
	if (len)
		*len = used;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int pkg_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int pkg_write_atomic(const char *path, const void *data, size_t len, char **err)
{
	char *tmp = NULL, *dir = NULL;
	int fd = -1, r = 0;
	size_t done = 0;

	tmp = pkg_strdupf("%s.tmp.XXXXXX", path);
	dir = dir_of(path);
	if (tmp == NULL || dir == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = pkg_error(err, -errno, "%s: cannot create a temporary file: %s", path, strerror(errno));
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = pkg_error(err, -errno, "%s: write failed: %s", tmp, strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		r = pkg_error(err, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = pkg_error(err, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = pkg_error(err, -errno, "%s: cannot replace: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	(void)pkg_fsync_dir(dir);
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	return r;
}

int pkg_mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int remove_at(int parent, const char *name)
{
	struct stat st;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 ? -errno : 0;
	/* A staged tree may have been made read-only; let us delete inside it. */
	if (fchmodat(parent, name, 0700, 0) < 0 && errno != EPERM)
		return -errno;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -errno;
	}
	int r = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int q = remove_at(dirfd(d), e->d_name);
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && r == 0)
		r = -errno;
	return r;
}

int pkg_remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path);
}

int pkg_digest_file(const char *path, int open_flags, enum pkg_digest kind, unsigned char *out)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type = kind == PKG_DIGEST_BLAKE2B512 ? EVP_blake2b512() : EVP_sha256();
	size_t want = kind == PKG_DIGEST_BLAKE2B512 ? 64 : 32;
	int fd, r = 0;
	EVP_MD_CTX *ctx = NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC | open_flags);
	if (fd < 0)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, type, NULL) != 1) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			r = -EIO;
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != want) {
		r = -EIO;
		goto out;
	}
	memcpy(out, md, want);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return r;
}

int pkg_sha256_file(const char *path, char hex[65])
{
	unsigned char md[32];
	/* A symlink is never hashed in place of the file it points to. */
	int r = pkg_digest_file(path, O_NOFOLLOW, PKG_DIGEST_SHA256, md);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int pkg_is_sha256_hex(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

const char *pkg_check_relpath(const char *path)
{
	size_t n = strlen(path);

	if (n == 0)
		return "empty path";
	if (n > PKG_MAX_PATH)
		return "path too long";
	if (path[0] == '/')
		return "absolute path";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			return "control character or backslash in path";
	}
	const char *p = path;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 0)
			return "empty path component";
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return "'.' or '..' in path";
		p += len;
		if (*p == '/')
			p++;
		if (*p == '\0' && p[-1] == '/')
			return "trailing slash";
	}
	return NULL;
}

int pkg_is_identifier(const char *s, size_t max)
{
	size_t i;
	for (i = 0; s[i]; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
		if (!ok)
			return 0;
	}
	return i > 0 && i <= max;
}
