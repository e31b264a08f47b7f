/* Bundles (.bhp): a tar.gz with manifest.yml at its root and every file the
 * manifest lists under `files`, optionally with a detached minisign
 * signature next to it (FILE.bhp.minisig).
 *
 * Verify and install extract into a staging directory with libarchive's
 * secure-extract flags after checking every entry header: only regular files
 * and directories, relative paths without "..", no setuid/setgid bits, and
 * bounded entry count, bytes and path length.  Then the staged tree must match
 * the manifest exactly (no unlisted file, every hash right), the ABI must be
 * one this host runs, and the library an ELF shared object for this machine.
 * Install renames the staged tree into <store>/<name>/<version>/ under the
 * store lock; any failure leaves the store as it was. */
#ifndef BH_PACKAGING_BUNDLE_H
#define BH_PACKAGING_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "packaging/manifest.h"
#include "packaging/signature.h"

/* Default bounds against decompression bombs and hostile archives. */
#define BUNDLE_MAX_ENTRIES 4096
#define BUNDLE_MAX_BYTES (512ULL * 1024 * 1024)         /* uncompressed, all entries */
#define BUNDLE_MAX_ARCHIVE_BYTES (256ULL * 1024 * 1024) /* the .bhp file itself */

struct bundle_limits {
	size_t max_entries;
	uint64_t max_bytes;
	size_t max_path;
	uint64_t max_archive_bytes;
};

/* Outcome of a signature check on a bundle. */
enum bundle_signature_state {
	BUNDLE_UNSIGNED = 0,   /* no signature file */
	BUNDLE_UNTRUSTED = 1,  /* signed by a key not in trusted-keys/ */
	BUNDLE_SIGNED = 2,     /* verified against a trusted key */
};

struct bundle_options {
	const char *signature_path;  /* NULL: "<bundle>.minisig" */
	const char *keys_dir;        /* trusted *.pub keys; NULL: none trusted */
	int require_signature;       /* unsigned or untrusted bundles fail */
	const struct bundle_limits *limits; /* NULL: the defaults above */
};

struct bundle_report {
	struct manifest *m;          /* the verified manifest */
	enum bundle_signature_state signature;
	struct signature_info sig;   /* key id (and, when signed, key file, comment) */
	char *dir;                   /* install: the store entry */
	int already_installed;       /* install: identical name@version was already there */
};

void bundle_report_clear(struct bundle_report *r);

/* Checks a bundle without installing it (extracts into a temporary directory
 * under TMPDIR and removes it).  Returns 0, or a negative code with *err. */
int bundle_verify(const char *bundle, const struct bundle_options *o, struct bundle_report *rep, char **err);
/* Verifies and installs into store_root/<name>/<version>/.  Re-installing an
 * identical bundle succeeds with rep->already_installed; different content
 * under an installed name@version is refused (-EEXIST). */
int bundle_install(const char *bundle, const char *store_root, const struct bundle_options *o,
		   struct bundle_report *rep, char **err);
/* Removes store_root/<name>/<version> under the store lock, refusing with
 * -EBUSY while a run holds its in-use lock (unless force).  Policy checks are
 * the caller's. */
int bundle_remove(const char *store_root, const char *name, const char *version, int force, char **err);

/* The host's plugin ABI check: manifest abi "MAJOR[.MINOR]" runs here when
 * MAJOR equals BH_ABI_MAJOR and MINOR <= BH_ABI_MINOR. */
int bundle_check_abi(const char *abi, char **err);
/* Checks that path is an ELF shared object for the machine this runs on. */
int bundle_check_elf(const char *path, char **err);

/* Packing.  src_dir holds a source manifest.yml (no components, options or
 * files); describe is bulkhead-worker's describe output for the library
 * ({"name","version","abi","description","components":[{"kind","type",
 * "description","options":[{"name","type","default","required",
 * "description"}]}]}).  When library_path is NULL the bundle holds every file
 * under src_dir except hidden ones, *.bhp and *.minisig; otherwise it holds
 * only that library (for builds whose library lives outside src_dir).
 * Writes out_file atomically with normalized metadata (owner 0, fixed mtime,
 * modes 0644/0755), so the same input gives the same bytes. */
int bundle_pack(const char *src_dir, const char *library_path, const json_t *describe, const char *out_file,
		struct manifest **packed, char **err);
/* Fills m's components and options from describe output, checking it against
 * the manifest (same name, version and ABI). */
int bundle_fill_from_describe(struct manifest *m, const json_t *describe, char **err);

/* Test hook: when set, called at named points of an install ("extracted",
 * "verified", "before-rename", "renamed") so a test can simulate a crash. */
extern void (*bundle_crash_hook)(const char *point);

#endif
