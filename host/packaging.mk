# host commands for bundles, store, policy and rollout (libbhpkgcmd.a).
noinst_LIBRARIES += host/libbhpkgcmd.a
host_libbhpkgcmd_a_SOURCES = host/packaging_cmds.h host/pkgcmd.h host/pkgcmd.c \
	host/cmd_plugin_bundle.c host/cmd_plugin_list.c host/cmd_policy.c \
	host/cmd_resolve.c host/cmd_rollout.c
host_libbhpkgcmd_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS) $(ARCHIVE_CFLAGS)
# What the bulkhead program links for these commands (before $(PACKAGING_LIBS)).
BH_PKGCMD_LIBS = host/libbhpkgcmd.a
