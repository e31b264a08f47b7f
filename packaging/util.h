/* Small helpers shared by the packaging library: error strings, files. */
#ifndef BH_PACKAGING_UTIL_H
#define BH_PACKAGING_UTIL_H

#include <stddef.h>

/* Sets *err (if err is non-NULL) to a newly allocated message; the caller
 * frees it.  A previous message in *err is freed first.  Returns code so a
 * caller can write `return pkg_error(err, -EINVAL, "...")`. */
int pkg_error(char **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Returns a newly allocated formatted string (caller frees) or NULL. */
char *pkg_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads at most max_bytes of path into a NUL-terminated buffer (caller frees).
 * Returns -EFBIG when the file is larger, or a negative errno. */
int pkg_read_file(const char *path, size_t max_bytes, char **out, size_t *len);
/* Writes data to path atomically: a temp file in the same directory, fsync,
 * rename, fsync of the directory.  On failure path is unchanged. */
int pkg_write_atomic(const char *path, const void *data, size_t len, char **err);
/* fsyncs the directory holding path (or path itself when it is a directory). */
int pkg_fsync_dir(const char *dir);
/* Creates dir and its parents (mode 0755); existing directories are fine. */
int pkg_mkdir_p(const char *dir);
/* Removes a directory tree without following symlinks.  Missing is fine. */
int pkg_remove_tree(const char *path);
/* A digest of a whole file, read through a 64 KiB buffer. */
enum pkg_digest {
	PKG_DIGEST_SHA256,     /* 32 bytes */
	PKG_DIGEST_BLAKE2B512, /* 64 bytes */
};
/* Opens path with O_RDONLY | O_CLOEXEC | open_flags (e.g. O_NOFOLLOW) and
 * writes its digest to out (32 or 64 bytes, as kind says). */
int pkg_digest_file(const char *path, int open_flags, enum pkg_digest kind, unsigned char *out);
/* Lowercase hex SHA-256 of a file into hex[65]. */
int pkg_sha256_file(const char *path, char hex[65]);
/* Nonzero when s is 64 lowercase hex digits. */
int pkg_is_sha256_hex(const char *s);



/* Longest path inside a bundle or store entry we accept. */
#define PKG_MAX_PATH 1024

/* Checks a relative path inside a bundle: not empty, not absolute, no "." or
 * ".." or empty components, no backslashes or control characters, at most
 * PKG_MAX_PATH bytes.  Returns NULL when fine, else why not (static text). */
const char *pkg_check_relpath(const char *path);
/* Nonzero when s matches [a-z0-9][a-z0-9_-]* and has at most max characters. */
int pkg_is_identifier(const char *s, size_t max);
#endif
