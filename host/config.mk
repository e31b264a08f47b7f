# host config loading (libbhconfig.a); owned by the config component.
# Transfer configs: YAML with positions, variables, the transfer structure,
# validation against manifest option tables, sizes/durations, YAML output.
noinst_LIBRARIES += host/libbhconfig.a
host_libbhconfig_a_SOURCES = \
	host/config.h host/config_internal.h \
	host/config_error.c host/config_node.c host/config_yaml.c host/config_vars.c \
	host/config_units.c host/config_transfer.c host/config_validate.c host/config_emit.c
host_libbhconfig_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(JANSSON_CFLAGS)
# Link with: host/libbhconfig.a sdk/libbulkhead-sdk.a $(YAML_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/test-config tests/unit/test-config-transfer
TESTS += tests/unit/test-config tests/unit/test-config-transfer
tests_unit_test_config_SOURCES = tests/unit/test-config.c tests/unit/config-test.h
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_config_LDADD = host/libbhconfig.a sdk/libbulkhead-sdk.a $(YAML_LIBS) $(JANSSON_LIBS) $(CHECK_LIBS)
EXTRA_DIST += docs/config.md tests/data/config/full.yml tests/data/config/minimal.yml \
	tests/data/config/duplicate-key.yml tests/data/config/billion-laughs.yml
tests_unit_test_config_transfer_SOURCES = tests/unit/test-config-transfer.c tests/unit/config-test.h
tests_unit_test_config_transfer_CFLAGS = $(tests_unit_test_config_CFLAGS)
tests_unit_test_config_transfer_LDADD = $(tests_unit_test_config_LDADD)
