/* Helpers shared by the packaging commands (host/cmd_plugin_*.c,
 * cmd_policy.c, cmd_resolve.c, cmd_rollout.c). */
#ifndef BH_HOST_PKGCMD_H
#define BH_HOST_PKGCMD_H

#include <stddef.h>

#include "host/cli.h"
#include "packaging/policy.h"
#include "packaging/store.h"

/* Prints "bulkhead: <msg>" to stderr, frees *err, returns code. */
int pkgcmd_fail(char **err, int code, const char *fallback);
/* The home store root <home>/plugins (caller frees). */
char *pkgcmd_home_store(const struct bh_cli *cli);
/* <home>/trusted-keys (caller frees). */
char *pkgcmd_keys_dir(const struct bh_cli *cli);
/* Whether the host configuration requires signed bundles:
 * BULKHEAD_REQUIRE_SIGNATURE=1, or `require_signature: true` in
 * <home>/host.yml.  Returns 0/1, or a negative errno with *err. */
int pkgcmd_require_signature(const struct bh_cli *cli, char **err);
/* Scans every store root of cli (shared store lock on the home store while
 * scanning, so no half-removed version is seen). */
int pkgcmd_scan(const struct bh_cli *cli, struct store_entry **entries, size_t *count, char **err);
/* Loads <home>/policy.yml. */
int pkgcmd_load_policy(const struct bh_cli *cli, struct policy **out, char **err);
/* Splits "name@version" in place; version may be NULL when absent. */
int pkgcmd_split_ref(char *ref, char **name, char **version);
/* Nonzero when arg is "--help" or "-h". */
int pkgcmd_is_help(const char *arg);
/* The arguments of `... NAME[@VERSION] [FLAG]`: one reference and, when
 * flag is not NULL, that flag (sets *flag_set).  --help prints usage to
 * stdout and returns 1; anything else amiss prints it to stderr and returns
 * -1.  On 0, *name and *version (NULL when absent) point into *ref, which
 * the caller frees. */
int pkgcmd_ref_args(int argc, char **argv, const char *usage, const char *flag, int *flag_set, char **ref,
		    char **name, char **version);

#endif
