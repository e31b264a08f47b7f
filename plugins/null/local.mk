# plugins/null/: output `null` (null.so); tested in tests/unit/test-outputs (plugins/stdout/local.mk).
BH_PLUGINS += null
noinst_PROGRAMS += plugins/null/null.so
plugins_null_null_so_SOURCES = plugins/null/null.c
plugins_null_null_so_CFLAGS = $(PLUGIN_CC_FLAGS)
plugins_null_null_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_null_null_so_LDADD =
PLUGIN_SOS += plugins/null/null.so
EXTRA_DIST += plugins/null/manifest.yml plugins/null/README.md
