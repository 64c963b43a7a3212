#!/usr/bin/python3
"""Side-by-side benchmark: privsshd against OpenSSH's sshd, on this machine, in the same run, taking
turns, with the same client, keys, PAM stack and configuration. Prints ratios (privsshd / sshd);
never asserts anything. Needs root (it uses the integration harness's private namespaces).

  sudo PRIVSSHD=build-test/monitor/privsshd PRIVSSHD_WORKER=build-test/worker/privsshd-worker \\
       bench/bench.py [--rounds 3] [--mib 256] [--kex curve25519-sha256]
"""
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
for v in ("PRIVSSHD", "PRIVSSHD_WORKER"):
    if os.environ.get(v):
        os.environ[v] = os.path.abspath(os.environ[v])
os.environ.setdefault("PRIVSSHD_SRCDIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import harness  # noqa: E402

ROUNDS = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
MIB = int(sys.argv[sys.argv.index("--mib") + 1]) if "--mib" in sys.argv else 256
# --kex NAME: the client offers only that key exchange (default: the client's own list, so each
# server's choice; OpenSSH 9.2's client and both servers agree on sntrup761x25519-sha512).
KEX = sys.argv[sys.argv.index("--kex") + 1] if "--kex" in sys.argv else None


def timed(argv, stdin=None):
    t0 = time.perf_counter()
    r = subprocess.run(argv, stdin=stdin or subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=harness.ssh_env())
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    return time.perf_counter() - t0


SOURCE_PORT, SINK_PORT = 8000, 8001      # the services behind ssh -L
CHUNK = 1 << 16


def serve(port, job):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)

    def loop():
        while True:
            c, _ = s.accept()
            with c:
                job(c)
    threading.Thread(target=loop, daemon=True).start()


def source(c):
    """Sends MIB MiB, then closes: the download through -L."""
    block = bytes(CHUNK)
    for _ in range(MIB * 1024 * 1024 // CHUNK):
        c.sendall(block)


def sink(c):
    """Reads to end of file, then answers how much it read: the upload through -L ends when the service
    has every byte, not when the client has written its last one."""
    buf = bytearray(CHUNK)
    n = 0
    while (k := c.recv_into(buf)):
        n += k
    c.sendall(f"{n}\n".encode())


def through_forward(port, upload):
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as c:
        buf = bytearray(CHUNK)
        if upload:
            block = bytes(CHUNK)
            for _ in range(MIB * 1024 * 1024 // CHUNK):
                c.sendall(block)
            c.shutdown(socket.SHUT_WR)
            answer = c.recv(64)
            if int(answer) != MIB * 1024 * 1024:
                raise RuntimeError(f"the sink read {answer!r}")
        else:
            n = 0
            while (k := c.recv_into(buf)):
                n += k
            if n != MIB * 1024 * 1024:
                raise RuntimeError(f"-L download got {n} bytes")
    return time.perf_counter() - t0


def forwarded(opts):
    """ssh -N -L to the source and the sink; download and upload MIB MiB through them."""
    argv = harness.ssh_argv("alice", None, opts=opts + ["-N", "-o", "ExitOnForwardFailure=yes",
                                                        "-L", f"9000:127.0.0.1:{SOURCE_PORT}",
                                                        "-L", f"9001:127.0.0.1:{SINK_PORT}"])
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=harness.ssh_env())
    try:
        if not harness.wait_for(lambda: harness.listening(9000) and harness.listening(9001), 15):
            raise RuntimeError("ssh -L did not listen: " + (p.stderr.read().decode() if p.poll() is not None else ""))
        return through_forward(9000, False), through_forward(9001, True)
    finally:
        p.terminate()
        p.wait()


def measure(kind, cipher):
    s = harness.Server("LogLevel ERROR\nAllowTcpForwarding yes", name=f"bench-{kind}", kind=kind).start()
    opts = ["-o", f"Ciphers={cipher}"] + (["-o", f"KexAlgorithms={KEX}"] if KEX else [])
    try:
        login = statistics.median(timed(harness.ssh_argv("alice", "true", opts=opts)) for _ in range(10))
        down = timed(harness.ssh_argv("alice", f"head -c {MIB}M /dev/zero", opts=opts))
        with open(f"/tmp/bench-{MIB}", "rb") as f:
            up = timed(harness.ssh_argv("alice", "cat > /dev/null", opts=opts), stdin=f)
        fdown, fup = forwarded(opts)
    finally:
        s.stop()
    return login, MIB / down, MIB / up, MIB / fdown, MIB / fup


def main():
    serve(SOURCE_PORT, source)
    serve(SINK_PORT, sink)
    with open(f"/tmp/bench-{MIB}", "wb") as f:
        f.truncate(MIB * 1024 * 1024)
    print(f"# {MIB} MiB transfers, {ROUNDS} rounds each, taking turns; medians; key exchange: {KEX or 'default'}")
    print(f"{'cipher':28} {'figure':14} {'privsshd':>10} {'sshd':>10} {'ratio':>7}")
    for cipher in ("aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"):
        res = {"privsshd": [], "openssh": []}
        for _ in range(ROUNDS):
            for kind in ("privsshd", "openssh"):
                res[kind].append(measure(kind, cipher))
        for i, (name, unit, better) in enumerate((("login ms", 1000, "lower"), ("download MiB/s", 1, "higher"),
                                                  ("upload MiB/s", 1, "higher"),
                                                  ("-L down MiB/s", 1, "higher"), ("-L up MiB/s", 1, "higher"))):
            a = statistics.median(r[i] for r in res["privsshd"]) * unit
            b = statistics.median(r[i] for r in res["openssh"]) * unit
            print(f"{cipher:28} {name:14} {a:10.1f} {b:10.1f} {a / b:7.2f}  ({better} is better)")


harness.run(main)
