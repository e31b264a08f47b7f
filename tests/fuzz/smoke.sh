#!/bin/sh
# make check: builds the fuzz targets with clang (ASan+UBSan+libFuzzer) into
# a temp dir and runs each over its seed corpus plus a bounded number of
# mutations.  Skips (77) when clang or libFuzzer is missing; installs nothing.
# FUZZ_SMOKE_RUNS (default 2000) and FUZZ_SMOKE_SECONDS (default 6) bound
# each target.
set -u
SRC=${BULKHEAD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CC=${FUZZ_CC:-clang}
RUNS=${FUZZ_SMOKE_RUNS:-2000}
SECS=${FUZZ_SMOKE_SECONDS:-6}

command -v "$CC" >/dev/null 2>&1 || { echo "SKIP: no $CC"; exit 77; }
for p in jansson yaml-0.1 libarchive libcrypto; do
	pkg-config --exists "$p" || { echo "SKIP: pkg-config has no $p"; exit 77; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bh-fuzz-smoke.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT INT TERM
# libFuzzer present?  A one-line target must link.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$TMP/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$TMP/probe.c" -o "$TMP/probe" >/dev/null 2>&1; then
	echo "SKIP: $CC can not link -fsanitize=fuzzer,address,undefined"
	exit 77
fi
if ! CC=$CC "$SRC/tests/fuzz/build.sh" "$TMP/out" >"$TMP/build.log" 2>&1; then
	cat "$TMP/build.log"
	echo "FAIL: building the fuzz targets"
	exit 1
fi
status=0
for t in csv jsonl config manifest policy; do
	mkdir -p "$TMP/corpus-$t" "$TMP/art-$t"
	if (cd "$TMP/art-$t" && "$TMP/out/fuzz-$t" -seed=1 -runs="$RUNS" -max_total_time="$SECS" -max_len=1024 \
		-timeout=10 -rss_limit_mb=1024 "$TMP/corpus-$t" "$SRC/tests/fuzz/corpus/$t") >"$TMP/log-$t" 2>&1; then
		echo "PASS: fuzz-$t ($(grep -c '' "$TMP/log-$t") log lines)"
	else
		tail -n 60 "$TMP/log-$t"
		for f in "$TMP/art-$t"/*; do
			[ -f "$f" ] && echo "input ($f): $(od -An -c "$f" | head -n 8)"
		done
		echo "FAIL: fuzz-$t"
		status=1
	fi
done
exit $status
