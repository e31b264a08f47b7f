# host commands for bundles, store, policy and rollout (libbhpkgcmd.a).
noinst_LIBRARIES += host/libbhpkgcmd.a
host_libbhpkgcmd_a_SOURCES = host/packaging_cmds.h host/cmd_stub.c
host_libbhpkgcmd_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) $(CRYPTO_CFLAGS) $(ARCHIVE_CFLAGS)
# What the bulkhead program links for these commands (before $(PACKAGING_LIBS)).
BH_PKGCMD_LIBS = host/libbhpkgcmd.a
