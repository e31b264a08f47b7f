#!/bin/sh
# The hostile plugins again, inside a VM whose kernel has a pure cgroup v2
# hierarchy (../shared/tools/cgroup2-vm): containment and cap enforcement
# must hold on v2 hosts too.  Skips (77) without the tool or root, unless
# BULKHEAD_REQUIRE_SANDBOX_TESTS=1, which turns a skip into a failure.
set -u
: "${BULKHEAD_SRCDIR:?}" "${BULKHEAD_BUILDDIR:?}"
vm="${BULKHEAD_CGROUP2_VM:-$BULKHEAD_SRCDIR/../shared/tools/cgroup2-vm}"
skip() {
	echo "hostile-v2: $*" >&2
	[ "${BULKHEAD_REQUIRE_SANDBOX_TESTS:-0}" = 1 ] && { echo "hostile-v2: required: failing" >&2; exit 1; }
	exit 77
}
[ -x "$vm" ] || skip "cgroup2-vm not found at $vm"
[ "$(id -u)" = 0 ] || skip "cgroup2-vm needs root"

# The VM shares this filesystem except /tmp: stage what the test needs in /var/tmp.
stage=$(mktemp -d /var/tmp/bulkhead-hostile-v2.XXXXXX) || exit 1
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/tests/hostile" "$stage/tests/cli"
cp "$BULKHEAD_BUILDDIR/bulkhead" "$BULKHEAD_BUILDDIR/bulkhead-worker" "$stage/" &&
	cp -r "$BULKHEAD_BUILDDIR/plugin-store" "$stage/store" &&
	cp "$BULKHEAD_BUILDDIR/tests/hostile/hostile.so" "$BULKHEAD_SRCDIR/tests/hostile/manifest.yml" \
		"$BULKHEAD_SRCDIR/tests/hostile/run.sh" "$stage/tests/hostile/" &&
	cp "$BULKHEAD_SRCDIR/tests/cli/lib.sh" "$stage/tests/cli/" || exit 1
chmod -R a+rX "$stage"
cd "$stage" || exit 1
"$vm" --timeout 900 -- sh -c '
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
		echo "hostile-v2: /sys/fs/cgroup in the VM is not cgroup2" >&2; exit 1
	fi
	export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
	BULKHEAD_BUILDDIR="$1" BULKHEAD_SRCDIR="$1" BULKHEAD_PLUGIN_PATH="$1/store" \
		BULKHEAD_REQUIRE_SANDBOX_TESTS=1 HOME=/root bash "$1/tests/hostile/run.sh"
' hostile-v2 "$stage"
