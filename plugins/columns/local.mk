# plugins/columns/: the columns filter (columns.so).
BH_PLUGINS += columns
noinst_PROGRAMS += plugins/columns/columns.so
plugins_columns_columns_so_SOURCES = \
	plugins/columns/columns.c \
	plugins/columns/constant.c \
	plugins/columns/constant.h
plugins_columns_columns_so_CFLAGS = $(PLUGIN_CC_FLAGS) $(JANSSON_CFLAGS)
plugins_columns_columns_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_columns_columns_so_LDADD = sdk/libbulkhead-sdk.a $(JANSSON_LIBS) -lm
PLUGIN_SOS += plugins/columns/columns.so
EXTRA_DIST += plugins/columns/manifest.yml plugins/columns/README.md

# Tests of both column filters (columns and rename).
check_PROGRAMS += tests/unit/test-filters
TESTS += tests/unit/test-filters
tests_unit_test_filters_SOURCES = tests/unit/test-filters.c
tests_unit_test_filters_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_filters_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm
