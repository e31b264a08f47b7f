# tests/: CLI integration tests (real transfers through bin/bulkhead) and SDK units.
CLI_TESTS = tests/cli/docs-current.sh tests/cli/run-embulk-example.sh tests/cli/run-transfer.sh tests/cli/config-errors.sh tests/cli/example-plugin.sh tests/cli/tenants.sh tests/cli/split-input.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += tests/cli/lib.sh $(CLI_TESTS) examples tests/plugins/versioned-1.yml tests/plugins/versioned-2.yml tests/unit/xorshift.h

# Test plugins: one source built as two versions (and one claiming a newer ABI minor).
check_PROGRAMS += tests/plugins/versioned-1.so tests/plugins/versioned-2.so tests/plugins/versioned-future.so
tests_plugins_versioned_1_so_SOURCES = tests/plugins/versioned.c
tests_plugins_versioned_1_so_CFLAGS = $(PLUGIN_CC_FLAGS) -DPLUGIN_VERSION='"1.0.0"'
tests_plugins_versioned_1_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
tests_plugins_versioned_2_so_SOURCES = tests/plugins/versioned.c
tests_plugins_versioned_2_so_CFLAGS = $(PLUGIN_CC_FLAGS) -DPLUGIN_VERSION='"2.0.0"'
tests_plugins_versioned_2_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
tests_plugins_versioned_future_so_SOURCES = tests/plugins/versioned.c
tests_plugins_versioned_future_so_CFLAGS = $(PLUGIN_CC_FLAGS) -DPLUGIN_VERSION='"9.0.0"' -DBH_TEST_FUTURE_MINOR
tests_plugins_versioned_future_so_LDFLAGS = $(PLUGIN_LD_FLAGS)

check_PROGRAMS += tests/unit/test-sdk
TESTS += tests/unit/test-sdk
tests_unit_test_sdk_SOURCES = tests/unit/test-sdk.c
tests_unit_test_sdk_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_sdk_LDADD = sdk/libbulkhead-testkit.a $(JANSSON_LIBS) $(CHECK_LIBS) -ldl -lm

# Hostile plugins: each tries to break out of the sandbox; tests/hostile/run.sh checks containment.
check_PROGRAMS += tests/hostile/hostile.so
tests_hostile_hostile_so_SOURCES = tests/hostile/hostile.c
tests_hostile_hostile_so_CFLAGS = $(PLUGIN_CC_FLAGS)
tests_hostile_hostile_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
EXTRA_DIST += tests/hostile/manifest.yml tests/hostile/run.sh tests/hostile/run-v2.sh
TESTS += tests/hostile/run.sh tests/hostile/run-v2.sh

# Split inputs: the csv and jsonl parsers' run_part cut at every offset equal one whole parse.
check_PROGRAMS += tests/unit/test-parts
TESTS += tests/unit/test-parts
tests_unit_test_parts_SOURCES = tests/unit/test-parts.c
tests_unit_test_parts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_parts_LDADD = sdk/libbulkhead-testkit.a $(CHECK_LIBS) $(JANSSON_LIBS) -ldl -lm
