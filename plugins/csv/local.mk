# plugins/csv/: CSV parser (with guess) and formatter (csv.so).
BH_PLUGINS += csv
noinst_PROGRAMS += plugins/csv/csv.so
plugins_csv_csv_so_SOURCES = \
	plugins/csv/plugin.c \
	plugins/csv/csv.h \
	plugins/csv/options.c \
	plugins/csv/parser.h \
	plugins/csv/parser.c \
	plugins/csv/record.c \
	plugins/csv/fast.c \
	plugins/csv/formatter.c \
	plugins/csv/guess.c \
	plugins/csv/json_check.c
plugins_csv_csv_so_CFLAGS = $(PLUGIN_CC_FLAGS)
plugins_csv_csv_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_csv_csv_so_LDADD = sdk/libbulkhead-sdk.a -lm
PLUGIN_SOS += plugins/csv/csv.so
EXTRA_DIST += plugins/csv/manifest.yml plugins/csv/README.md

check_PROGRAMS += tests/unit/test-text tests/unit/test-csv
TESTS += tests/unit/test-text tests/unit/test-csv
tests_unit_test_text_SOURCES = tests/unit/test-text.c
tests_unit_test_text_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_text_LDADD = sdk/libbulkhead-sdk.a $(CHECK_LIBS) -lm
tests_unit_test_csv_SOURCES = tests/unit/test-csv.c
tests_unit_test_csv_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_csv_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm

# The record tokenizer on its own: the fast path against the general one.
check_PROGRAMS += tests/unit/test-csv-record
TESTS += tests/unit/test-csv-record
tests_unit_test_csv_record_SOURCES = tests/unit/test-csv-record.c plugins/csv/record.c plugins/csv/fast.c \
	plugins/csv/json_check.c
tests_unit_test_csv_record_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_csv_record_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm

# The SDK's inline number parsers (bulkhead/text.h) against the plain ones.
check_PROGRAMS += tests/unit/test-parse-padded
TESTS += tests/unit/test-parse-padded
tests_unit_test_parse_padded_SOURCES = tests/unit/test-parse-padded.c
tests_unit_test_parse_padded_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_parse_padded_LDADD = sdk/libbulkhead-sdk.a $(CHECK_LIBS) -lm
