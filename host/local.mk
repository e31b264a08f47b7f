# host/: the bulkhead CLI and the bulkhead-worker executable.
# Config loading lives in host/config.mk; the packaging commands in host/packaging.mk.
include host/config.mk
include host/packaging.mk

# bulkhead-worker: the only program that loads plugin code.
libexec_PROGRAMS += bulkhead-worker
bulkhead_worker_SOURCES = host/worker_main.c host/worker_load.c host/worker_run.c \
	host/worker_events.c host/worker_guess.c host/worker_split.c host/worker.h host/worker_internal.h
bulkhead_worker_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -pthread
bulkhead_worker_LDADD = sdk/libbhruntime.a sdk/libbulkhead-sdk.a $(SANDBOX_LIBS) $(JANSSON_LIBS) -ldl -lpthread -lm

# bulkhead: the host.  It never loads plugin code.
bin_PROGRAMS += bulkhead
bulkhead_SOURCES = host/main.c host/cli.h host/commands.h host/host.h \
	host/stores.c host/resolve.c host/describe.c host/stage.c host/plugin_docs.c host/host_config.c host/host_config.h \
	host/plan.c host/plan.h host/binds.c host/binds.h host/cmd_run.c host/report.c host/report.h \
	host/table.c host/table.h host/progress.c host/progress.h \
	host/supervise.c host/spawn.c host/spawn.h
bulkhead_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS)
bulkhead_LDADD = $(BH_PKGCMD_LIBS) host/libbhconfig.a $(PACKAGING_LIBS) $(SANDBOX_LIBS) \
	sdk/libbhruntime.a sdk/libbulkhead-sdk.a $(YAML_LIBS) $(JANSSON_LIBS) -lm
