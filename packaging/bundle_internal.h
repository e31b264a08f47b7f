/* Shared between the bundle_*.c files; not part of the packaging API. */
#ifndef BH_PACKAGING_BUNDLE_INTERNAL_H
#define BH_PACKAGING_BUNDLE_INTERNAL_H

#include "packaging/bundle.h"

extern const struct bundle_limits bundle_default_limits;

/* Extracts bundle into the existing empty directory dest with every header
 * check; dest may hold a partial tree on failure (the caller removes it). */
int bundle_extract(const char *bundle, const char *dest, const struct bundle_limits *lim, char **err);
/* Checks an extracted tree against its manifest.yml: manifest valid, ABI
 * supported, files listed == files present, hashes, library ELF.  fsyncs
 * every file so a later rename publishes durable data. */
int bundle_check_tree(const char *bundle, const char *dir, struct manifest **out, char **err);
/* Makes a verified tree read-only (files 0444/0555, directories 0555). */
int bundle_seal_tree(const char *dir);

/* Lists every regular file under root as relative paths (caller frees each
 * and the array); refuses symlinks and special files and more than limit. */
int bundle_list_files(const char *root, char ***paths, size_t *count, size_t limit, char **err);

#endif
