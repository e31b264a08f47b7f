#!/bin/sh
# Sandbox start-up cost: median wall time of spawning a trivial program and
# reaping it, for
#   off    isolation_off: plain fork + exec (the baseline)
#   full   all isolation: user/pid/mount/ipc/uts/cgroup/net namespaces,
#          pivot_root, seccomp, capabilities, cgroup create/destroy
#   caps   full + memory/pids/cpu caps (on cgroup v1 this adds a migration
#          into the v1 groups, which costs one RCU grace period)
#   bwrap  bwrap --unshare-all starting the same program (fork+exec of bwrap)
# Modes are interleaved in rounds so that background load hits all alike.
#
#   bench/sandbox-start.sh [-n RUNS] [-b BUILDDIR]
# Needs root (or user namespaces) and a build tree (make -C BUILDDIR
# tests/sandbox/spawn-bench tests/sandbox/probe is run for you).
set -eu
runs=200
builddir=${BULKHEAD_BUILDDIR:-$(pwd)}
while getopts n:b: opt; do
    case $opt in
        n) runs=$OPTARG ;;
        b) builddir=$OPTARG ;;
        *) echo "usage: $0 [-n RUNS] [-b BUILDDIR]" >&2; exit 2 ;;
    esac
done
make -s -C "$builddir" tests/sandbox/spawn-bench tests/sandbox/probe >/dev/null
bench="$builddir/tests/sandbox/spawn-bench"
probe="$builddir/tests/sandbox/probe"
bwrap=$(command -v bwrap || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

rounds=10
per=$(( (runs + rounds - 1) / rounds ))
modes="off full caps"
[ -n "$bwrap" ] && modes="$modes bwrap"
i=0
while [ $i -lt $rounds ]; do
    for m in $modes; do
        if [ "$m" = bwrap ]; then
            SPAWN_BENCH_SAMPLES=1 "$bench" off "$per" "$bwrap" --unshare-all --die-with-parent \
                --ro-bind / / --proc /proc --dev /dev "$probe" true
        else
            SPAWN_BENCH_SAMPLES=1 "$bench" "$m" "$per" "$probe" true
        fi | sed -n 's/^sample //p' >>"$tmp/$m"
    done
    i=$((i + 1))
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000 }'; }
off=$(median "$tmp/off")
printf '%-6s %10s %12s %8s   (%d runs each, %s)\n' mode median_ms over_off_ms ratio "$((per * rounds))" "$(uname -r)"
for m in $modes; do
    med=$(median "$tmp/$m")
    awk -v m="$m" -v med="$med" -v off="$off" \
        'BEGIN { printf "%-6s %10.3f %12.3f %8.2f\n", m, med, med - off, med / off }'
done
if [ -n "$bwrap" ]; then
    full=$(median "$tmp/full") b=$(median "$tmp/bwrap")
    awk -v f="$full" -v b="$b" 'BEGIN { printf "full/bwrap ratio: %.2f\n", f / b }'
fi
