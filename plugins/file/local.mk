# plugins/file/: input `file` and output `file` (file.so).
BH_PLUGINS += file
noinst_PROGRAMS += plugins/file/file.so
plugins_file_file_so_SOURCES = plugins/file/plugin.c plugins/file/file.h \
	plugins/file/input.c plugins/file/list.c plugins/file/output.c plugins/file/strings.c
plugins_file_file_so_CFLAGS = $(PLUGIN_CC_FLAGS)
plugins_file_file_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
plugins_file_file_so_LDADD =
PLUGIN_SOS += plugins/file/file.so
EXTRA_DIST += plugins/file/manifest.yml plugins/file/README.md

check_PROGRAMS += tests/unit/test-file
TESTS += tests/unit/test-file
tests_unit_test_file_SOURCES = tests/unit/test-file.c tests/unit/files-mock-host.c \
	tests/unit/files-mock-host.h
tests_unit_test_file_CFLAGS = $(AM_CFLAGS) -Wno-format-truncation $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_file_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm
