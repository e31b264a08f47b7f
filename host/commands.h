/* The bulkhead subcommands implemented in host/. */
#ifndef BH_HOST_COMMANDS_H
#define BH_HOST_COMMANDS_H

#include "host/cli.h"

int cmd_run(struct bh_cli *cli, int argc, char **argv);
int cmd_preview(struct bh_cli *cli, int argc, char **argv);
int cmd_check(struct bh_cli *cli, int argc, char **argv);
int cmd_guess(struct bh_cli *cli, int argc, char **argv);
/* bulkhead plugin stage SRC_DIR LIBRARY STORE: used by the build. */
/* bulkhead plugin docs: Markdown reference of every installed plugin's options. */
int cmd_plugin_docs(struct bh_cli *cli, int argc, char **argv);
int cmd_plugin_stage(struct bh_cli *cli, int argc, char **argv);

#endif
