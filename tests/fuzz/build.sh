#!/bin/sh
# Builds the libFuzzer targets into OUT_DIR with clang and ASan+UBSan,
# straight from the sources (the normal gcc build is not touched).
#   tests/fuzz/build.sh OUT_DIR
# Then, e.g.:  OUT_DIR/fuzz-csv -max_len=4096 OUT_DIR/corpus-csv tests/fuzz/corpus/csv
# Env: CC (default clang), FUZZ_CFLAGS (extra flags), JOBS (default 2).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$1
CC=${CC:-clang}
mkdir -p "$OUT/obj"
OUT=$(cd "$OUT" && pwd)

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
BASE="-g -O1 -std=gnu11 -D_GNU_SOURCE -I$SRC/sdk/include -I$SRC -Wall -Wno-unused-parameter ${FUZZ_CFLAGS:-}"
PKGS="jansson yaml-0.1 libarchive libcrypto"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS)

# Objects for the fuzzer executables: instrumented for coverage.
CF="$BASE $SAN -fsanitize=fuzzer-no-link $PKG_CFLAGS"

objs() { # objs NAME SOURCES... : compiles each source, prints the object list
	name=$1
	shift
	list=
	for s in "$@"; do
		o="$OUT/obj/$name-$(echo "$s" | tr / _ | sed 's/\.c$/.o/')"
		$CC $CF -c "$SRC/$s" -o "$o"
		list="$list $o"
	done
	echo "$list"
}

# The plugins as the test kit loads them: shared objects with the SDK
# helpers inside; the sanitizer runtimes come from the fuzzer executable.
plugin() { # plugin NAME SOURCES...
	name=$1
	shift
	srcs=
	for s in "$@" sdk/src/text.c sdk/src/double_format.c sdk/src/timestamp.c sdk/src/names.c sdk/src/utf8.c; do
		srcs="$srcs $SRC/$s"
	done
	# shellcheck disable=SC2086
	$CC $BASE $SAN -fsanitize=fuzzer-no-link $PKG_CFLAGS -fPIC -fvisibility=hidden -shared \
		-o "$OUT/$name.so" $srcs $PKG_LIBS -lm
}

SDK="sdk/src/text.c sdk/src/double_format.c sdk/src/timestamp.c sdk/src/names.c sdk/src/utf8.c"
TESTKIT="sdk/src/testkit.c sdk/src/testkit_parse.c sdk/src/runtime.c sdk/src/options.c sdk/src/schema.c sdk/src/pages.c sdk/src/values_json.c $SDK"
CONFIG="host/config_error.c host/config_node.c host/config_yaml.c host/config_vars.c host/config_units.c \
	host/config_transfer.c host/config_validate.c host/config_emit.c"
PACKAGING=$(cd "$SRC" && ls packaging/*.c)

link() { # link TARGET OBJECTS...
	target=$1
	shift
	# shellcheck disable=SC2068
	$CC $SAN -fsanitize=fuzzer -o "$OUT/$target" $@ $PKG_LIBS -ldl -lm
}

plugin csv $(cd "$SRC" && ls plugins/csv/*.c) &
plugin jsonl $(cd "$SRC" && ls plugins/jsonl/*.c) &
# shellcheck disable=SC2086
TK=$(objs tk $TESTKIT)
link fuzz-csv $TK $(objs fz tests/fuzz/fuzz_csv.c)
link fuzz-jsonl $TK $(objs fz tests/fuzz/fuzz_jsonl.c)
# shellcheck disable=SC2086
link fuzz-config $(objs cfg $CONFIG $SDK) $(objs fz tests/fuzz/fuzz_config.c)
# shellcheck disable=SC2086
PK=$(objs pk $PACKAGING $SDK)
link fuzz-manifest $PK $(objs fz tests/fuzz/fuzz_manifest.c)
link fuzz-policy $PK $(objs fz tests/fuzz/fuzz_policy.c)
wait
echo "fuzz targets in $OUT: fuzz-csv fuzz-jsonl fuzz-config fuzz-manifest fuzz-policy"
