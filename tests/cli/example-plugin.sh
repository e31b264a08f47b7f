#!/bin/bash
# examples/plugins/upper builds against the *installed* SDK (pkg-config), passes
# its own test-kit test, stages like any plugin and runs in a real transfer.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "make install into a staging root" -- make -C "$BULKHEAD_BUILDDIR" install DESTDIR="$T/root"
pc=$(dirname "$(find "$T/root" -name bulkhead-sdk.pc | head -1)")
export PKG_CONFIG_PATH="$pc" PKG_CONFIG_SYSROOT_DIR="$T/root"
cp -r "$BULKHEAD_SRCDIR/examples/plugins/upper" "$T/upper"
expect_exit 0 "example builds with pkg-config only" -- make -C "$T/upper"
expect_exit 0 "example's own test-kit test passes" -- make -C "$T/upper" check
expect_grep "$T/out" "100%: Checks: 2" "both example tests ran"

expect_exit 0 "stage the example" -- "$BH" plugin stage "$T/upper/manifest.yml" "$T/upper/upper.so" "$T/store"
export BULKHEAD_PLUGIN_PATH="$T/store"
mkdir -p "$T/in"
printf '{"id":1,"name":"ada"}\n{"id":2,"name":"linus"}\n' > "$T/in/people.jsonl"
cat > "$T/c.yml" <<YML
in:
  type: file
  path_prefix: $T/in/people
  parser: {type: jsonl, columns: [{name: id, type: long}, {name: name, type: string}]}
filters:
  - {type: upper, columns: [name]}
out: {type: stdout}
YML
expect_exit 0 "transfer through the example filter" -- "$BH" --quiet run "$T/c.yml"
expect_same "$T/out" '1,ADA
2,LINUS' "filter applied"
finish
