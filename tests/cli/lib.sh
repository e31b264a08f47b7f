# Shared helpers for CLI tests: sourced by each tests/cli/*.sh.
set -u
: "${BULKHEAD_BUILDDIR:?run through make check}"
: "${BULKHEAD_SRCDIR:?run through make check}"
BH="$BULKHEAD_BUILDDIR/bulkhead"
EXAMPLES="$BULKHEAD_SRCDIR/examples"
T=$(mktemp -d "${TMPDIR:-/tmp}/bh-cli.XXXXXX")
export BULKHEAD_HOME="$T/home"
trap 'rm -rf "$T"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, keeping stdout in
# $T/out and stderr in $T/err, and checks its exit code.
expect_exit() {
	local want=$1 what=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		fail "$what: exit $got, expected $want"; sed 's/^/  stderr: /' "$T/err" >&2; sed 's/^/  stdout: /' "$T/out" >&2
		return 1
	fi
	pass "$what"
}

# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
	if grep -qE -- "$2" "$1"; then pass "$3"; else fail "$3: /$2/ not in $1"; sed 's/^/  | /' "$1" >&2; fi
}

# expect_same FILE EXPECTED_TEXT DESCRIPTION
expect_same() {
	if [ "$(cat "$1")" = "$2" ]; then pass "$3"; else
		fail "$3"; echo "--- expected" >&2; echo "$2" >&2; echo "--- got" >&2; cat "$1" >&2; fi
}

finish() {
	if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
	exit 0
}
