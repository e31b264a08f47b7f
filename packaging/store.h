/* The versioned plugin store: <root>/<name>/<version>/ holding manifest.yml
 * and the files it lists.  Several roots form a load path (the home store
 * first, then extra read-only stores: BULKHEAD_PLUGIN_PATH, the system store,
 * the build tree).  Entries are immutable once installed; names starting with
 * '.' (staging directories, lock files) are not entries. */
#ifndef BH_PACKAGING_STORE_H
#define BH_PACKAGING_STORE_H

#include <stddef.h>

#include "packaging/manifest.h"

/* Bounds on what a scan accepts, so a huge or hostile store cannot exhaust memory. */
#define STORE_MAX_ENTRIES 65536

struct store_entry {
	char *name;
	char *version;
	char *dir;  /* absolute path of <root>/<name>/<version> */
	char *root; /* the store root it was found in (absolute) */
	struct manifest *m;
};

/* Scans every root (a missing root is skipped) and returns all entries sorted
 * by name, then semver precedence (then build metadata), then root order, so
 * the same name@version found in two roots keeps the earlier root first.
 * An entry whose manifest does not load, or whose name/version differ from
 * its directory names, is an error naming the file (a store is immutable
 * and verified at install; a broken entry is worth stopping for).
 * The caller frees the array with store_entries_free. */
int store_scan(char *const *roots, size_t nroots, struct store_entry **out, size_t *count, char **err);
void store_entries_free(struct store_entry *entries, size_t count);

/* The first entry (in scan order) for name@version, or NULL. */
const struct store_entry *store_find(const struct store_entry *entries, size_t count, const char *name,
				     const char *version);

/* <home>/plugins: the writable store root of a home (caller frees). */
char *store_home_root(const char *home);



/* Locking.  <root>/.lock is held exclusively by install and remove, shared by
 * a run while it scans and resolves; a run then holds its resolved version's
 * <root>/.in-use/<name>@<version> lock shared until it ends, so remove (which
 * tries it exclusively) can tell the version is in use.  Locks are flock(2)
 * locks: a crashed process releases them. */
int store_lock(const char *root, int exclusive, int *fd, char **err);
/* Takes a shared "in use" lock on name@version in root (keep *fd open for
 * the run's lifetime; store_unlock releases it).  In a store this process
 * cannot write, succeeds with *fd = -1 (no one removes from it here).
 * A run: store_lock(home_root, 0) -> store_scan -> policy_resolve ->
 * store_use_version(entry->root, ...) -> store_unlock(store lock) -> run ->
 * store_unlock(use lock). */
int store_use_version(const char *root, const char *name, const char *version, int *fd, char **err);
/* Tries the "in use" lock exclusively: -EBUSY when a run holds it.  On
 * success keep *fd until the version is gone. */
int store_claim_version(const char *root, const char *name, const char *version, int *fd, char **err);
void store_unlock(int fd);

#endif
