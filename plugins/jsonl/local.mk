# plugins/jsonl/: JSON Lines parser and formatter (jsonl.so).
BH_PLUGINS += jsonl
noinst_PROGRAMS += plugins/jsonl/jsonl.so
plugins_jsonl_jsonl_so_SOURCES = \
	plugins/jsonl/plugin.c \
	plugins/jsonl/jsonl.h \
	plugins/jsonl/parser.c \
	plugins/jsonl/record.c \
	plugins/jsonl/formatter.c \
	plugins/jsonl/json_escape.h \
	plugins/jsonl/guess.c \
	plugins/jsonl/json_scan.c \
	plugins/jsonl/json_scan.h
plugins_jsonl_jsonl_so_CFLAGS = $(PLUGIN_CC_FLAGS) $(JANSSON_CFLAGS)
plugins_jsonl_jsonl_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_jsonl_jsonl_so_LDADD = sdk/libbulkhead-sdk.a $(JANSSON_LIBS) -lm
PLUGIN_SOS += plugins/jsonl/jsonl.so
EXTRA_DIST += plugins/jsonl/manifest.yml plugins/jsonl/README.md

check_PROGRAMS += tests/unit/test-jsonl
TESTS += tests/unit/test-jsonl
tests_unit_test_jsonl_SOURCES = tests/unit/test-jsonl.c
tests_unit_test_jsonl_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_jsonl_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm

# The plugins end to end through the CLI and the sandbox.
TESTS += tests/cli/run-jsonl.sh
EXTRA_DIST += tests/cli/run-jsonl.sh

# The jsonl and csv formatters against reference encoders on random pages.
check_PROGRAMS += tests/unit/test-formatters
TESTS += tests/unit/test-formatters
tests_unit_test_formatters_SOURCES = tests/unit/test-formatters.c
tests_unit_test_formatters_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_formatters_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm
