# sdk/: public headers, the conversion helpers plugins link (libbulkhead-sdk.a),
# the host side of the plugin ABI shared by the worker and the test kit
# (libbhruntime.a), and the plugin test kit (libbulkhead-testkit.a).
bulkheadincludedir = $(includedir)/bulkhead
bulkheadinclude_HEADERS = \
	sdk/include/bulkhead/bulkhead.h \
	sdk/include/bulkhead/types.h \
	sdk/include/bulkhead/plugin.h \
	sdk/include/bulkhead/text.h \
	sdk/include/bulkhead/testkit.h

lib_LIBRARIES += sdk/libbulkhead-sdk.a
sdk_libbulkhead_sdk_a_SOURCES = sdk/src/text.c sdk/src/timestamp.c sdk/src/names.c sdk/src/utf8.c
sdk_libbulkhead_sdk_a_CFLAGS = $(PLUGIN_CC_FLAGS)

noinst_LIBRARIES += sdk/libbhruntime.a
sdk_libbhruntime_a_SOURCES = sdk/src/runtime.c sdk/src/runtime.h sdk/src/options.c sdk/src/schema.c \
	sdk/src/pages.c sdk/src/values_json.c sdk/src/values_json.h
sdk_libbhruntime_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

lib_LIBRARIES += sdk/libbulkhead-testkit.a
sdk_libbulkhead_testkit_a_SOURCES = sdk/src/testkit.c sdk/src/text.c sdk/src/timestamp.c sdk/src/names.c sdk/src/utf8.c $(sdk_libbhruntime_a_SOURCES)
sdk_libbulkhead_testkit_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

pkgconfig_DATA += sdk/bulkhead-sdk.pc sdk/bulkhead-testkit.pc
EXTRA_DIST += sdk/bulkhead-sdk.pc.in sdk/bulkhead-testkit.pc.in

# UTF-8 validation: every implementation (scalar, SSSE3, AVX2 as the CPU allows)
# against a reference decoder; the test includes sdk/src/utf8.c to reach them.
check_PROGRAMS += tests/unit/test-utf8
TESTS += tests/unit/test-utf8
tests_unit_test_utf8_SOURCES = tests/unit/test-utf8.c
tests_unit_test_utf8_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_utf8_LDADD = $(CHECK_LIBS)
