#!/bin/bash
# Every hostile plugin runs in a real transfer under the sandbox: it must be
# contained (no SUCCEEDED outcome), reported with the right exit category, and
# leave no process or cgroup behind.
. "$(dirname "$0")/../cli/lib.sh"
if [ "$(id -u)" != 0 ] && [ "${BULKHEAD_REQUIRE_SANDBOX_TESTS:-0}" != 1 ]; then
	echo "SKIP: hostile tests run as root (CI does)"; exit 77
fi
"$BH" plugin stage "$BULKHEAD_SRCDIR/tests/hostile/manifest.yml" "$BULKHEAD_BUILDDIR/tests/hostile/hostile.so" \
	"$T/store" >/dev/null || { echo "FAIL: staging the hostile plugin"; exit 1; }
export BULKHEAD_PLUGIN_PATH="$T/store${BULKHEAD_PLUGIN_PATH:+:$BULKHEAD_PLUGIN_PATH}"
mkdir -p "$T/secret" && echo "host secret" > "$T/secret/file"

# A listener on the host's loopback that a plugin without network must not reach.
python3 -c '
import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(5); print(s.getsockname()[1]); sys.stdout.flush()
s.settimeout(120)
try:
    while True: c,_=s.accept(); c.sendall(b"hello"); c.close()
except Exception: pass' > "$T/port" &
listener=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")

# attack | target | resources (YAML flow map) | accepted exit codes | stderr pattern when not 0
cases="read_path|/etc/shadow|{}|0|
read_path|$T/secret/file|{}|0|
read_path|/root/.bashrc|{}|0|
write_outside|/etc/bulkhead-hostile|{}|0|
write_outside|$T/secret/new|{}|0|
connect_loopback|$port|{}|0|
raw_socket||{}|0 6|socket
netlink_socket||{}|0 6|socket
packet_socket||{}|0 6|socket
ptrace||{}|0 6|ptrace
mount||{}|0 6|mount
unshare||{}|0 6|unshare
load_module||{}|0 6|module
io_uring||{}|0 6|io_uring
tiocsti||{}|0 6|ioctl
exec_shell||{}|6|execve
fork_bomb||{pids: 64}|0 5|pids
alloc_memory||{memory: 128MiB}|5|memory
spin||{timeout: 2s}|5|timeout
fill_tmp||{}|0|
leak_fds||{}|0|"

while IFS='|' read -r attack target resources codes pattern; do
	name="$attack${target:+ $target}"
	cat > "$T/c.yml" <<YML
in: {type: hostile, attack: $attack${target:+, target: "$target"}}
out: {type: stdout}
exec: {resources: $resources}
YML
	timeout 120 "$BH" --quiet run "$T/c.yml" --report "$T/report.json" >"$T/out" 2>"$T/err"
	code=$?
	if ! [[ " $codes " == *" $code "* ]]; then
		fail "$name: exit $code, expected one of: $codes"; sed 's/^/  | /' "$T/err" "$T/out" >&2
	elif grep -q SUCCEEDED "$T/out"; then
		fail "$name: the attack succeeded: $(cat "$T/out")"
	elif [ "$code" = 0 ] && ! grep -q "blocked" "$T/out"; then
		fail "$name: no outcome recorded"
	elif [ "$code" != 0 ] && [ -n "$pattern" ] && ! grep -qi -- "$pattern" "$T/err"; then
		fail "$name: message does not mention '$pattern'"; sed 's/^/  | /' "$T/err" >&2
	else
		pass "$name contained (exit $code): $(head -c 150 "$T/out" "$T/err" 2>/dev/null | tr '\n' ' ')"
	fi
	if pgrep -f "^$BULKHEAD_BUILDDIR/bulkhead-worker" >/dev/null; then fail "$name: a worker process was left behind"; fi
done <<< "$cases"

[ -e /etc/bulkhead-hostile ] && fail "a file was written to /etc" && rm -f /etc/bulkhead-hostile
[ -e "$T/secret/new" ] && fail "a file was written outside the output directory"
kill "$listener" 2>/dev/null
# No cgroup of ours may outlive its transfer.
# Groups are named bulkhead-<host pid>-<n>: one whose host is gone was left behind
# (a live host's group belongs to a transfer still running on this machine).
left=""
for d in $(find /sys/fs/cgroup -maxdepth 6 -type d -name 'bulkhead-[0-9]*' 2>/dev/null); do
	pid=${d##*/bulkhead-}; pid=${pid%%-*}
	[ -d "/proc/$pid" ] || left="$left $d"
done
[ -n "$left" ] && fail "cgroups left behind:$left"
finish
