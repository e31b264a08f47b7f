# plugins/stdout/: output `stdout` (stdout.so).
BH_PLUGINS += stdout
noinst_PROGRAMS += plugins/stdout/stdout.so
plugins_stdout_stdout_so_SOURCES = plugins/stdout/stdout.c
plugins_stdout_stdout_so_CFLAGS = $(PLUGIN_CC_FLAGS)
plugins_stdout_stdout_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_stdout_stdout_so_LDADD = sdk/libbulkhead-sdk.a
PLUGIN_SOS += plugins/stdout/stdout.so
EXTRA_DIST += plugins/stdout/manifest.yml plugins/stdout/README.md

# tests/unit/test-outputs covers both stdout and null.
check_PROGRAMS += tests/unit/test-outputs
TESTS += tests/unit/test-outputs
tests_unit_test_outputs_SOURCES = tests/unit/test-outputs.c tests/unit/files-mock-host.c \
	tests/unit/files-mock-host.h
tests_unit_test_outputs_CFLAGS = $(AM_CFLAGS) -Wno-format-truncation $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_outputs_LDADD = sdk/libbulkhead-testkit.a $(JANSSON_LIBS) $(CHECK_LIBS)
