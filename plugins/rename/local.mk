# plugins/rename/: the rename filter (rename.so).  Its tests are in
# tests/unit/test-filters.c, built by plugins/columns/local.mk.
BH_PLUGINS += rename
noinst_PROGRAMS += plugins/rename/rename.so
plugins_rename_rename_so_SOURCES = \
	plugins/rename/rename.c \
	plugins/rename/rules.c \
	plugins/rename/rules.h
plugins_rename_rename_so_CFLAGS = $(PLUGIN_CC_FLAGS) $(JANSSON_CFLAGS)
plugins_rename_rename_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_rename_rename_so_LDADD = sdk/libbulkhead-sdk.a $(JANSSON_LIBS) -lm
PLUGIN_SOS += plugins/rename/rename.so
EXTRA_DIST += plugins/rename/manifest.yml plugins/rename/README.md
