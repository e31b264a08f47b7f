/* Verify, install and remove bundles: signature, staging, rename, locks. */
#include "packaging/bundle_internal.h"
#include "packaging/store.h"
#include "packaging/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void (*bundle_crash_hook)(const char *point);

static void crash_point(const char *point)
{
	if (bundle_crash_hook != NULL)
		bundle_crash_hook(point);
}

void bundle_report_clear(struct bundle_report *r)
{
	manifest_free(r->m);
	signature_info_clear(&r->sig);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

/* Checks the detached signature before the archive is even opened, so a
 * bundle that must be signed is refused without parsing untrusted data. */
static int check_signature(const char *bundle, const struct bundle_options *o, struct bundle_report *rep, char **err)
{
	char *sig_path = o->signature_path ? strdup(o->signature_path) : pkg_strdupf("%s.minisig", bundle);
	char *serr = NULL;
	int r;

	if (sig_path == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	r = signature_verify_file(bundle, sig_path, o->keys_dir ? o->keys_dir : "/nonexistent", &rep->sig, &serr);
	if (r == 0) {
		rep->signature = BUNDLE_SIGNED;
	} else if (r == SIGNATURE_ENOSIG && o->signature_path == NULL) {
		rep->signature = BUNDLE_UNSIGNED;
		if (o->require_signature)
			r = pkg_error(err, SIGNATURE_ENOSIG, "%s: unsigned, and a signature is required (expected %s)",
				      bundle, sig_path);
		else
			r = 0;
	} else if (r == SIGNATURE_EUNTRUSTED) {
		rep->signature = BUNDLE_UNTRUSTED;
		if (o->require_signature)
			r = pkg_error(err, r, "%s: %s; a trusted signature is required", bundle, serr);
		else
			r = 0;
	} else {
		/* A signature that is present but wrong means tampering: always fatal. */
		r = pkg_error(err, r == SIGNATURE_ENOSIG ? r : SIGNATURE_EBAD, "%s: bad signature: %s", bundle,
			      serr ? serr : "unreadable");
	}
	free(serr);
	free(sig_path);
	return r;
}

static int make_staging(const char *parent, char **out, char **err)
{
	char *t = pkg_strdupf("%s/.staging-XXXXXX", parent);
	if (t == NULL)
		return pkg_error(err, -ENOMEM, "out of memory");
	if (mkdtemp(t) == NULL) {
		int r = pkg_error(err, -errno, "%s: cannot create a staging directory: %s", parent, strerror(errno));
		free(t);
		return r;
	}
	*out = t;
	return 0;
}

int bundle_verify(const char *bundle, const struct bundle_options *o, struct bundle_report *rep, char **err)
{
	struct bundle_report rp = {0};
	char *staging = NULL;
	const char *tmp = getenv("TMPDIR");
	int r;

	if ((r = check_signature(bundle, o, &rp, err)) < 0)
		goto out;
	if ((r = make_staging(tmp && *tmp ? tmp : "/tmp", &staging, err)) < 0)
		goto out;
	if ((r = bundle_extract(bundle, staging, o->limits, err)) < 0)
		goto out;
	if ((r = bundle_check_tree(bundle, staging, &rp.m, err)) < 0)
		goto out;
	*rep = rp;
	memset(&rp, 0, sizeof(rp));
out:
	if (staging != NULL)
		pkg_remove_tree(staging);
	free(staging);
	bundle_report_clear(&rp);
	return r;
}

/* Removes staging directories left by installs that crashed; called with
 * the store lock held, so none of them belongs to a live install. */
static void clean_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".staging-", 9) != 0 && strncmp(e->d_name, ".removing", 9) != 0)
			continue;
		char *p = pkg_strdupf("%s/%s", dir, e->d_name);
		if (p)
			pkg_remove_tree(p);
		free(p);
	}
	closedir(d);
}

/* Same bytes for two files (both small manifests). */
static int same_file(const char *a, const char *b)
{
	char *ta = NULL, *tb = NULL;
	size_t la = 0, lb = 0;
	int same = pkg_read_file(a, 1 << 20, &ta, &la) == 0 && pkg_read_file(b, 1 << 20, &tb, &lb) == 0 && la == lb &&
		   memcmp(ta, tb, la) == 0;
	free(ta);
	free(tb);
	return same;
}

int bundle_install(const char *bundle, const char *store_root, const struct bundle_options *o,
		   struct bundle_report *rep, char **err)
{
	struct bundle_report rp = {0};
	char *staging = NULL, *name_dir = NULL, *target = NULL, *a = NULL, *b = NULL;
	int lock = -1, r;
	struct stat st;

	if ((r = check_signature(bundle, o, &rp, err)) < 0)
		goto out;
	if ((r = store_lock(store_root, 1, &lock, err)) < 0)
		goto out;
	clean_stale(store_root);
	if ((r = make_staging(store_root, &staging, err)) < 0)
		goto out;
	if ((r = bundle_extract(bundle, staging, o->limits, err)) < 0)
		goto out;
	crash_point("extracted");
	if ((r = bundle_check_tree(bundle, staging, &rp.m, err)) < 0)
		goto out;
	crash_point("verified");
	name_dir = pkg_strdupf("%s/%s", store_root, rp.m->name);
	target = pkg_strdupf("%s/%s/%s", store_root, rp.m->name, rp.m->version);
	a = pkg_strdupf("%s/manifest.yml", target ? target : "");
	b = pkg_strdupf("%s/manifest.yml", staging);
	if (!name_dir || !target || !a || !b) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (lstat(target, &st) == 0) {
		/* Every file's hash is in the manifest, so equal manifests mean equal content. */
		if (!same_file(a, b)) {
			r = pkg_error(err, -EEXIST,
				      "%s@%s is already installed with different content; installed versions are "
				      "immutable: publish a new version", rp.m->name, rp.m->version);
			goto out;
		}
		rp.already_installed = 1;
	} else {
		if (mkdir(name_dir, 0755) < 0 && errno != EEXIST) {
			r = pkg_error(err, -errno, "%s: %s", name_dir, strerror(errno));
			goto out;
		}
		if ((r = bundle_seal_tree(staging)) < 0) {
			r = pkg_error(err, r, "%s: cannot make the staged files read-only: %s", staging, strerror(-r));
			goto out;
		}
		/* mkdtemp made it 0700; an entry is readable by every user of the store. */
		if (chmod(staging, 0755) < 0) {
			r = pkg_error(err, -errno, "%s: %s", staging, strerror(errno));
			goto out;
		}
		(void)pkg_fsync_dir(staging);
		crash_point("before-rename");
		if (rename(staging, target) < 0) {
			r = pkg_error(err, -errno, "cannot move the staged bundle to %s: %s", target, strerror(errno));
			goto out;
		}
		free(staging);
		staging = NULL;
		(void)pkg_fsync_dir(name_dir);
		(void)pkg_fsync_dir(store_root);
		crash_point("renamed");
	}
	rp.dir = target;
	target = NULL;
	*rep = rp;
	memset(&rp, 0, sizeof(rp));
	r = 0;
out:
	if (staging != NULL)
		pkg_remove_tree(staging);
	free(staging);
	free(name_dir);
	free(target);
	free(a);
	free(b);
	store_unlock(lock);
	bundle_report_clear(&rp);
	return r;
}

int bundle_remove(const char *store_root, const char *name, const char *version, int force, char **err)
{
	char *target = NULL, *name_dir = NULL, *trash = NULL;
	int lock = -1, claim = -1, r;
	struct stat st;

	if (!pkg_is_identifier(name, 64) || pkg_check_relpath(version) != NULL || strchr(version, '/'))
		return pkg_error(err, -EINVAL, "bad plugin name or version '%s@%s'", name, version);
	if ((r = store_lock(store_root, 1, &lock, err)) < 0)
		return r;
	target = pkg_strdupf("%s/%s/%s", store_root, name, version);
	name_dir = pkg_strdupf("%s/%s", store_root, name);
	if (!target || !name_dir) {
		r = pkg_error(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (lstat(target, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = pkg_error(err, -ENOENT, "%s@%s is not installed in %s", name, version, store_root);
		goto out;
	}
	char *claim_err = NULL;
	r = store_claim_version(store_root, name, version, &claim, &claim_err);
	if (r < 0 && r != -EBUSY) {
		pkg_error(err, r, "%s", claim_err ? claim_err : "cannot lock");
		free(claim_err);
		goto out;
	}
	free(claim_err);
	if (r == -EBUSY && !force) {
		r = pkg_error(err, -EBUSY, "%s@%s is in use by a running transfer (use --force to remove anyway)", name,
			      version);
		goto out;
	}
	/* Rename first so the version disappears at once, then delete. */
	if ((r = make_staging(store_root, &trash, err)) < 0)
		goto out;
	rmdir(trash);
	memcpy(trash + strlen(store_root) + 1, ".removing", 9); /* ".staging-XXXXXX" becomes ".removingXXXXXX" */
	if (rename(target, trash) < 0) {
		r = pkg_error(err, -errno, "cannot remove %s: %s", target, strerror(errno));
		goto out;
	}
	(void)pkg_fsync_dir(name_dir);
	pkg_remove_tree(trash);
	/* Its in-use lock file goes too; no run can reach the version any more
	 * (they scan under the store lock, which we hold). */
	char *use = pkg_strdupf("%s/.in-use/%s@%s", store_root, name, version);
	if (use)
		unlink(use);
	free(use);
	rmdir(name_dir); /* only when it was the last version */
	r = 0;
out:
	store_unlock(claim);
	store_unlock(lock);
	free(target);
	free(name_dir);
	free(trash);
	return r;
}
