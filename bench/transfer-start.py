#!/usr/bin/env python3
"""Sandbox cost on a whole transfer: `bulkhead run` of a one-record transfer
with full isolation vs. the same with isolation off (the development flag
BULKHEAD_UNSAFE_NO_ISOLATION=1), against `bwrap --unshare-all true`, all in
the same run, interleaved so background load hits every mode alike.
Prints medians and the isolation overhead; the target (issue 3) is at most
3 ms median added by full isolation (namespaces, pivot_root, seccomp, caps,
cgroup create/destroy).

    bench/transfer-start.py [--runs N] [--build DIR]
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--runs", type=int, default=100)
ap.add_argument("--build", default=os.environ.get("BULKHEAD_BUILDDIR", "_build"))
args = ap.parse_args()
bh = os.path.join(os.path.abspath(args.build), "bulkhead")
if not os.access(bh, os.X_OK):
    sys.exit(f"transfer-start: {bh} not built (make -C {args.build})")

tmp = tempfile.mkdtemp(prefix="bh-start.")
try:
    with open(os.path.join(tmp, "one.jsonl"), "w") as f:
        f.write('{"id": 1, "name": "one"}\n')
    def config(name, extra):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write("in:\n  type: file\n  path_prefix: %s/one\n"
                    "  parser: {type: jsonl, columns: [{name: id, type: long}, {name: name, type: string}]}\n"
                    "out: {type: \"null\"}\n%s" % (tmp, extra))
        return path
    plain = config("plain.yml", "")
    capped = config("capped.yml", "exec: {resources: {memory: 256MiB, pids: 64, cpus: 1}}\n")
    env = dict(os.environ, BULKHEAD_HOME=os.path.join(tmp, "home"))
    off = dict(env, BULKHEAD_UNSAFE_NO_ISOLATION="1")
    modes = {
        "sandboxed": ([bh, "--quiet", "run", plain], env),
        "isolation-off": ([bh, "--quiet", "run", plain], off),
        "sandboxed+caps": ([bh, "--quiet", "run", capped], env),
        "off+caps": ([bh, "--quiet", "run", capped], off),
    }
    bwrap = shutil.which("bwrap")
    if bwrap:
        modes["bwrap true"] = ([bwrap, "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev",
                                "--proc", "/proc", "true"], env)
    samples = {m: [] for m in modes}
    for m, (cmd, e) in modes.items():  # warm up, and fail loudly on a broken mode
        r = subprocess.run(cmd, env=e, capture_output=True)
        if r.returncode != 0:
            sys.exit(f"transfer-start: {m} failed: {r.stderr.decode()}")
    for _ in range(args.runs):
        for m, (cmd, e) in modes.items():
            t0 = time.perf_counter_ns()
            subprocess.run(cmd, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            samples[m].append((time.perf_counter_ns() - t0) / 1e6)
    med = {m: statistics.median(v) for m, v in samples.items()}
    print(f"one-record transfer, {args.runs} interleaved runs each (median, p90 in ms)")
    for m, v in samples.items():
        q = statistics.quantiles(v, n=10)
        print(f"  {m:14s} {med[m]:8.2f}  {q[8]:8.2f}")
    over = med["sandboxed"] - med["isolation-off"]
    over_caps = med["sandboxed+caps"] - med["off+caps"]
    print(f"isolation overhead: {over:+.2f} ms median "
          f"(sandboxed/off = {med['sandboxed'] / med['isolation-off']:.2f}x)")
    print(f"isolation overhead with memory/pids/cpu caps: {over_caps:+.2f} ms median "
          f"(the caps' cgroup costs both modes; on cgroup v1 moving into the controllers "
          f"waits for an RCU grace period)")
    if "bwrap true" in med:
        print(f"sandboxed transfer / bwrap --unshare-all true = {med['sandboxed'] / med['bwrap true']:.2f}x")
    verdict = "PASS" if over <= 3.0 else "FAIL"
    print(f"{verdict}: full isolation (namespaces, pivot_root, seccomp, capabilities, cgroup "
          f"create/destroy) adds {over:.2f} ms (target <= 3 ms, "
          f"{over / 10:.2f}% of a one-second transfer)")
    sys.exit(0 if verdict == "PASS" else 1)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
