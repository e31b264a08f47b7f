# plugins/compress/: decoders and encoders gzip, bzip2, xz, zstd (compress.so).
BH_PLUGINS += compress
noinst_PROGRAMS += plugins/compress/compress.so
plugins_compress_compress_so_SOURCES = plugins/compress/plugin.c plugins/compress/codec.h \
	plugins/compress/decoder.c plugins/compress/empty.c plugins/compress/gzip.c \
	plugins/compress/encoder.c
plugins_compress_compress_so_CFLAGS = $(PLUGIN_CC_FLAGS) $(ARCHIVE_CFLAGS)
plugins_compress_compress_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
# zlib checks gzip trailers (libarchive does not); it is a dependency of libarchive.
plugins_compress_compress_so_LDADD = $(ARCHIVE_LIBS) $(ZLIB_LIBS)
PLUGIN_SOS += plugins/compress/compress.so
EXTRA_DIST += plugins/compress/manifest.yml plugins/compress/README.md

check_PROGRAMS += tests/unit/test-compress
TESTS += tests/unit/test-compress
tests_unit_test_compress_SOURCES = tests/unit/test-compress.c tests/unit/files-mock-host.c \
	tests/unit/files-mock-host.h
tests_unit_test_compress_CFLAGS = $(AM_CFLAGS) -Wno-format-truncation $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_compress_LDADD = sdk/libbulkhead-testkit.a $(JANSSON_LIBS) $(CHECK_LIBS)
