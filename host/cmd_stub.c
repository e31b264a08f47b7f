/* Temporary: commands not written yet report so (replaced as they land). */
#include <stdio.h>

#include "host/packaging_cmds.h"

#define STUB(fn)                                                                                         \
	int fn(struct bh_cli *cli, int argc, char **argv)                                                \
	{                                                                                                \
		(void)cli;                                                                               \
		(void)argc;                                                                              \
		fprintf(stderr, "bulkhead: '%s' is not implemented yet\n", argv[0]);                     \
		return BH_EXIT_INTERNAL;                                                                 \
	}
STUB(cmd_plugin_pack)
STUB(cmd_plugin_install)
STUB(cmd_plugin_verify)
STUB(cmd_plugin_list)
STUB(cmd_plugin_info)
STUB(cmd_plugin_remove)
STUB(cmd_policy)
STUB(cmd_resolve)
STUB(cmd_rollout)
