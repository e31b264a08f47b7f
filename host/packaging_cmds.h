/* Commands for bundles, the store, the rollout policy and rollout status
 * (host/libbhpkgcmd.a).  Each gets its own argv (argv[0] is the command
 * name, e.g. "install" for `bulkhead plugin install`) and returns an exit
 * code from host/cli.h. */
#ifndef BH_HOST_PACKAGING_CMDS_H
#define BH_HOST_PACKAGING_CMDS_H

#include "host/cli.h"

/* bulkhead plugin pack DIR [-o FILE.bhp] [--library PATH] */
int cmd_plugin_pack(struct bh_cli *cli, int argc, char **argv);
/* bulkhead plugin install FILE.bhp [--signature FILE] [--require-signature] */
int cmd_plugin_install(struct bh_cli *cli, int argc, char **argv);
/* bulkhead plugin verify FILE.bhp [--signature FILE] [--require-signature] */
int cmd_plugin_verify(struct bh_cli *cli, int argc, char **argv);
/* bulkhead plugin list [--json] */
int cmd_plugin_list(struct bh_cli *cli, int argc, char **argv);
/* bulkhead plugin info NAME[@VERSION] [--json] */
int cmd_plugin_info(struct bh_cli *cli, int argc, char **argv);
/* bulkhead plugin remove NAME@VERSION [--force] */
int cmd_plugin_remove(struct bh_cli *cli, int argc, char **argv);
/* bulkhead policy show|set-default|pin|unpin|canary|deny|allow|auto-rollback ... */
int cmd_policy(struct bh_cli *cli, int argc, char **argv);
/* bulkhead resolve [--tenant ID] [CONFIG|NAME[@CONSTRAINT]...] [--json] */
int cmd_resolve(struct bh_cli *cli, int argc, char **argv);
/* bulkhead rollout status NAME [--json] */
int cmd_rollout(struct bh_cli *cli, int argc, char **argv);

#endif
