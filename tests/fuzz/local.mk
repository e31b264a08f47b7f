# tests/fuzz/: libFuzzer targets (csv and jsonl parsers, transfer config,
# manifest and policy loaders).  They are built with clang by build.sh, apart
# from the normal gcc build:  tests/fuzz/build.sh DIR  or  make fuzz.
# make check runs smoke.sh: a bounded run of each target (skipped, 77, when
# clang with libFuzzer is not installed).
TESTS += tests/fuzz/smoke.sh
EXTRA_DIST += tests/fuzz/smoke.sh tests/fuzz/build.sh tests/fuzz/README.md \
	tests/fuzz/fuzz_parse.h tests/fuzz/fuzz_tmpfile.h tests/fuzz/fuzz_csv.c tests/fuzz/fuzz_jsonl.c \
	tests/fuzz/fuzz_config.c tests/fuzz/fuzz_manifest.c tests/fuzz/fuzz_policy.c tests/fuzz/corpus \
	tests/fuzz/yaml.dict

.PHONY: fuzz
fuzz:
	$(top_srcdir)/tests/fuzz/build.sh $(abs_top_builddir)/tests/fuzz
