#!/bin/sh
# Runs the sandbox tests again inside a VM whose kernel has a pure cgroup v2
# hierarchy (../shared/tools/cgroup2-vm), so the v2 code path is tested for
# real on hosts whose controllers are on cgroup v1. The VM is emulated and
# slow: it runs the focused set (BULKHEAD_SANDBOX_FOCUS=cgroup: the cap and
# accounting cases plus a core of isolation cases).
# Skips (77) when the tool is missing or we are not root, unless
# BULKHEAD_REQUIRE_SANDBOX_TESTS=1, which turns every skip into a failure.
set -u
: "${BULKHEAD_SRCDIR:?}" "${BULKHEAD_BUILDDIR:?}"
require=${BULKHEAD_REQUIRE_SANDBOX_TESTS:-0}
vm="$BULKHEAD_SRCDIR/../shared/tools/cgroup2-vm"
[ -n "${BULKHEAD_CGROUP2_VM:-}" ] && vm=$BULKHEAD_CGROUP2_VM

skip() {
    echo "run-v2: $*" >&2
    if [ "$require" = 1 ]; then
        echo "run-v2: BULKHEAD_REQUIRE_SANDBOX_TESTS=1: failing instead of skipping" >&2
        exit 1
    fi
    exit 77
}

[ -x "$vm" ] || skip "cgroup2-vm not found at $vm"
[ "$(id -u)" = 0 ] || skip "cgroup2-vm needs root"
test_bin="$BULKHEAD_BUILDDIR/tests/unit/test-sandbox"
probe="$BULKHEAD_BUILDDIR/tests/sandbox/probe"
for f in "$test_bin" "$probe"; do
    [ -x "$f" ] || { echo "run-v2: $f not built" >&2; exit 1; }
done

# The VM sees this machine's filesystem except /tmp (private there), and the
# build tree may well be under /tmp: run copies from /var/tmp.
stage=$(mktemp -d /var/tmp/bulkhead-v2.XXXXXX) || exit 1
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/tests/unit" "$stage/tests/sandbox"
cp "$test_bin" "$stage/tests/unit/" && cp "$probe" "$stage/tests/sandbox/" || exit 1
chmod 755 "$stage"

cd "$stage" || exit 1 # the VM starts in the current directory
# The VM's exit status is the command's. The command checks itself that it
# really runs on cgroup v2 before running the tests.
"$vm" --timeout 600 -- sh -c '
    if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
        echo "run-v2: /sys/fs/cgroup in the VM is not cgroup2" >&2; exit 1
    fi
    cd "$1" || exit 1
    BULKHEAD_BUILDDIR="$1" BULKHEAD_REQUIRE_SANDBOX_TESTS=1 BULKHEAD_SANDBOX_FOCUS=cgroup \
    CK_DEFAULT_TIMEOUT=300 "$1/tests/unit/test-sandbox"
' run-v2 "$stage"
