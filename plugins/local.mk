# plugins/: in-tree connectors.  Each plugins/<name>/local.mk builds
# plugins/<name>/<name>.so and adds <name> to BH_PLUGINS; the rule in
# plugins/store.mk stages every plugin into the build-tree store.
#
# A plugin fragment looks like:
#   BH_PLUGINS += csv
#   noinst_PROGRAMS += plugins/csv/csv.so
#   plugins_csv_csv_so_SOURCES = plugins/csv/parser.c ...
#   plugins_csv_csv_so_CFLAGS = $(PLUGIN_CC_FLAGS)
#   plugins_csv_csv_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
#   plugins_csv_csv_so_LDADD = sdk/libbulkhead-sdk.a -lm
#   PLUGIN_SOS += plugins/csv/csv.so
#   EXTRA_DIST += plugins/csv/manifest.yml
# plugins/<name>/manifest.yml holds name, version, abi, description, library,
# kinds and requires; options and file hashes are filled in when staged/packed.
include plugins/file/local.mk
include plugins/compress/local.mk
include plugins/jsonl/local.mk
include plugins/columns/local.mk
include plugins/rename/local.mk
include plugins/csv/local.mk
include plugins/stdout/local.mk
include plugins/null/local.mk
