/* flock(2)-based locks on a store root and on the versions runs are using. */
#include "packaging/store.h"
#include "packaging/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int lock_path(const char *path, int op, int *fd, char **err)
{
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (f < 0)
		return pkg_error(err, -errno, "%s: %s", path, strerror(errno));
	while (flock(f, op) < 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		close(f);
		if (e == EWOULDBLOCK)
			return pkg_error(err, -EBUSY, "%s is locked by another process", path);
		return pkg_error(err, -e, "%s: cannot lock: %s", path, strerror(e));
	}
	*fd = f;
	return 0;
}

int store_lock(const char *root, int exclusive, int *fd, char **err)
{
	int r = pkg_mkdir_p(root);
	if (r < 0)
		return pkg_error(err, r, "%s: %s", root, strerror(-r));
	char *path = pkg_strdupf("%s/.lock", root);
	if (path == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	r = lock_path(path, exclusive ? LOCK_EX : LOCK_SH, fd, err);
	free(path);
	return r;
}

static int version_lock(const char *root, const char *name, const char *version, int op, int *fd, char **err)
{
	char *dir = pkg_strdupf("%s/.in-use", root);
	char *path = pkg_strdupf("%s/.in-use/%s@%s", root, name, version);
	int r;

	if (dir == NULL || path == NULL) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (!pkg_is_identifier(name, 64) || strchr(version, '/') != NULL) {
		r = pkg_error(err, -EINVAL, "bad plugin name or version");
		goto out;
	}
	if ((r = pkg_mkdir_p(dir)) < 0) {
		r = pkg_error(err, r, "%s: %s", dir, strerror(-r));
		goto out;
	}
	r = lock_path(path, op, fd, err);
out:
	free(dir);
	free(path);
	return r;
}

int store_use_version(const char *root, const char *name, const char *version, int *fd, char **err)
{
	char *lerr = NULL;
	int r = version_lock(root, name, version, LOCK_SH, fd, &lerr);
	/* A store we cannot write (the system store, for an unprivileged user)
	 * cannot have versions removed by us either: nothing to guard. */
	if (r == -EACCES || r == -EROFS || r == -EPERM) {
		free(lerr);
		*fd = -1;
		return 0;
	}
	if (r < 0) {
		pkg_error(err, r, "%s", lerr ? lerr : "cannot lock");
		free(lerr);
	}
	return r;
}

int store_claim_version(const char *root, const char *name, const char *version, int *fd, char **err)
{
	return version_lock(root, name, version, LOCK_EX | LOCK_NB, fd, err);
}

void store_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
