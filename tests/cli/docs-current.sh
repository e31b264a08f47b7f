#!/bin/bash
# docs/plugins.md must be what the plugins' option tables say today.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "plugin docs" -- "$BH" plugin docs "$BULKHEAD_BUILDDIR/plugin-store"
if diff -u "$BULKHEAD_SRCDIR/docs/plugins.md" "$T/out" > "$T/diff"; then
	pass "docs/plugins.md is current"
else
	fail "docs/plugins.md is stale: run 'make docs' and commit it"; head -40 "$T/diff" >&2
fi
expect_grep "$T/out" '### parser `csv`' "csv parser documented"
expect_grep "$T/out" '\| `delimiter` \|' "options documented"
finish
