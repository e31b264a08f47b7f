# packaging/: bundle format, pack/verify/install/remove, the versioned store,
# semver and constraints, the rollout policy and its resolution.
noinst_LIBRARIES += packaging/libbhpackaging.a
packaging_libbhpackaging_a_SOURCES = \
	packaging/util.c packaging/util.h \
	packaging/yamldoc.c packaging/yamldoc.h \
	packaging/semver.c packaging/semver.h \
	packaging/manifest.c packaging/manifest.h \
	packaging/store.c packaging/store.h packaging/store_lock.c \
	packaging/constraint.c packaging/constraint.h \
	packaging/policy.c packaging/policy.h \
	packaging/resolve.c packaging/resolve.h \
	packaging/signature.c packaging/signature.h \
	packaging/bundle.h packaging/bundle_internal.h packaging/bundle_extract.c \
	packaging/bundle_check.c packaging/bundle_install.c packaging/bundle_pack.c \
	packaging/rollout.c packaging/rollout.h
packaging_libbhpackaging_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(ARCHIVE_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
# What a program linking libbhpackaging.a also needs.
PACKAGING_LIBS = packaging/libbhpackaging.a $(YAML_LIBS) $(ARCHIVE_LIBS) $(CRYPTO_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/test-semver tests/unit/test-manifest
TESTS += tests/unit/test-semver tests/unit/test-manifest
tests_unit_test_semver_SOURCES = tests/unit/test-semver.c
tests_unit_test_semver_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_semver_LDADD = $(PACKAGING_LIBS) $(CHECK_LIBS)
tests_unit_test_manifest_SOURCES = tests/unit/test-manifest.c tests/unit/pkgtest.h
tests_unit_test_manifest_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS)
tests_unit_test_manifest_LDADD = $(PACKAGING_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test-policy
TESTS += tests/unit/test-policy
tests_unit_test_policy_SOURCES = tests/unit/test-policy.c tests/unit/pkgtest.h
tests_unit_test_policy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_policy_LDADD = $(PACKAGING_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test-bundle
TESTS += tests/unit/test-bundle
tests_unit_test_bundle_SOURCES = tests/unit/test-bundle.c tests/unit/pkgtest.h
tests_unit_test_bundle_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ARCHIVE_CFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_bundle_LDADD = $(PACKAGING_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test-bundle-fuzz
TESTS += tests/unit/test-bundle-fuzz
tests_unit_test_bundle_fuzz_SOURCES = tests/unit/test-bundle-fuzz.c tests/unit/pkgtest.h
tests_unit_test_bundle_fuzz_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ARCHIVE_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_bundle_fuzz_LDADD = $(PACKAGING_LIBS) $(CHECK_LIBS)

# CLI tests (they use tests/plugins/versioned-*.so from tests/local.mk).
TESTS += tests/cli/packaging-cli.sh
EXTRA_DIST += tests/cli/packaging-cli.sh
