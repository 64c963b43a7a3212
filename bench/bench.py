#!/usr/bin/python3
"""Side-by-side benchmark: privsshd against OpenSSH's sshd, on this machine, in the same run, taking
turns, with the same client, keys, PAM stack and configuration. Prints ratios (privsshd / sshd);
never asserts anything. Needs root (it uses the integration harness's private namespaces).

  sudo PRIVSSHD=build-test/monitor/privsshd PRIVSSHD_WORKER=build-test/worker/privsshd-worker \\
       bench/bench.py [--rounds 3] [--mib 256]
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
for v in ("PRIVSSHD", "PRIVSSHD_WORKER"):
    if os.environ.get(v):
        os.environ[v] = os.path.abspath(os.environ[v])
os.environ.setdefault("PRIVSSHD_SRCDIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import harness  # noqa: E402

ROUNDS = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
MIB = int(sys.argv[sys.argv.index("--mib") + 1]) if "--mib" in sys.argv else 256


def timed(argv, stdin=None):
    t0 = time.perf_counter()
    r = subprocess.run(argv, stdin=stdin or subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=harness.ssh_env())
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    return time.perf_counter() - t0


def measure(kind, cipher):
    s = harness.Server("LogLevel ERROR", name=f"bench-{kind}", kind=kind).start()
    opts = ["-o", f"Ciphers={cipher}"]
    try:
        login = statistics.median(timed(harness.ssh_argv("alice", "true", opts=opts)) for _ in range(10))
        down = timed(harness.ssh_argv("alice", f"head -c {MIB}M /dev/zero", opts=opts))
        with open(f"/tmp/bench-{MIB}", "rb") as f:
            up = timed(harness.ssh_argv("alice", "cat > /dev/null", opts=opts), stdin=f)
    finally:
        s.stop()
    return login, MIB / down, MIB / up


def main():
    with open(f"/tmp/bench-{MIB}", "wb") as f:
        f.truncate(MIB * 1024 * 1024)
    print(f"# {MIB} MiB transfers, {ROUNDS} rounds each, taking turns; medians")
    print(f"{'cipher':28} {'figure':14} {'privsshd':>10} {'sshd':>10} {'ratio':>7}")
    for cipher in ("aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"):
        res = {"privsshd": [], "openssh": []}
        for _ in range(ROUNDS):
            for kind in ("privsshd", "openssh"):
                res[kind].append(measure(kind, cipher))
        for i, (name, unit, better) in enumerate((("login ms", 1000, "lower"), ("download MiB/s", 1, "higher"),
                                                  ("upload MiB/s", 1, "higher"))):
            a = statistics.median(r[i] for r in res["privsshd"]) * unit
            b = statistics.median(r[i] for r in res["openssh"]) * unit
            print(f"{cipher:28} {name:14} {a:10.1f} {b:10.1f} {a / b:7.2f}  ({better} is better)")


harness.run(main)
