#!/usr/bin/python3
"""Side-by-side benchmark: privsshd against OpenSSH's sshd, on this machine, in the same run, taking
turns, with the same client, keys, PAM stack and configuration. Prints ratios (privsshd / sshd);
never asserts anything. Needs root (it uses the integration harness's private namespaces).

Download and upload through `ssh host command` are net of one login (that server's median `ssh host
true`). Beside wall-clock rates it prints the CPU time each server used (all its processes, from a
cgroup of its own below the bench's): per login, and per 100 MiB moved; those move less with the
machine's load than wall-clock rates do.

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


class ServerCpu:
    """CPU time used by one server and everything it starts (listener, per-connection monitors or
    privileged processes, workers, the user's commands), from a cgroup of its own made below the
    bench's own cgroup (so the server stays inside whatever contains the bench): cgroup v2's cpu.stat
    or cgroup v1's cpuacct. A cgroup, because neither server waits for every process it starts (an
    exiting monitor leaves its worker to init), so reaped children's times miss some. Unlike wall time
    it does not move with the client's work; it moves less than wall time with the machine's load.
    No figures (nan) when no cgroup can be made here."""

    _made = 0

    def __init__(self, kind):
        self.path = self.kind = None
        ServerCpu._made += 1
        name = f"privsshd-bench-{os.getpid()}-{kind}-{ServerCpu._made}"
        for kind_, root in self._hierarchies():
            path = os.path.join(root, name)
            try:
                os.mkdir(path)      # not exist_ok: only a group this run made is used and removed
            except OSError:
                continue
            if os.path.exists(os.path.join(path, "cpu.stat" if kind_ == "v2" else "cpuacct.usage")):
                self.path, self.kind = path, kind_
                return
            os.rmdir(path)

    @staticmethod
    def _hierarchies():
        """(kind, the directory of this process's own cgroup) for cgroup v2 and v1's cpuacct."""
        own = {}
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                own["v2" if controllers == "" else controllers] = path
        found = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                fields = line.split()
                sep = fields.index("-")
                fstype, mountpoint, root, options = fields[sep + 1], fields[4], fields[3], fields[sep + 3]
                if fstype == "cgroup2" and "v2" in own:
                    found.append(("v2", os.path.normpath(mountpoint + "/" + os.path.relpath(own["v2"], root))))
                elif fstype == "cgroup" and "cpuacct" in options.split(","):
                    for controllers, path in own.items():
                        if "cpuacct" in controllers.split(","):
                            found.append(("v1", os.path.normpath(mountpoint + "/" + os.path.relpath(path, root))))
        return sorted(found)[::-1]     # v2 first

    def adopt(self, pid):
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
                f.write(str(pid))

    def _procs(self):
        with open(os.path.join(self.path, "cgroup.procs")) as f:
            return f.read().split()

    def idle(self, timeout=5):
        """Waits until only the listener is left (the connection's processes are gone)."""
        if self.path:
            harness.wait_for(lambda: len(self._procs()) <= 1, timeout)

    def seconds(self):
        if not self.path:
            return float("nan")
        if self.kind == "v1":
            with open(os.path.join(self.path, "cpuacct.usage")) as f:
                return int(f.read()) / 1e9
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for line in f:
                if line.startswith("usage_usec "):
                    return int(line.split()[1]) / 1e6
        return float("nan")

    def remove(self):
        """After the server stopped: its group, once empty. Says so when it cannot."""
        if not self.path:
            return
        harness.wait_for(lambda: not self._procs(), 5)
        try:
            os.rmdir(self.path)
        except OSError as e:
            print(f"# bench: cannot remove the cgroup {self.path}: {e}", file=sys.stderr)


def cpu_of(cpu, fn):
    """fn()'s result and the server CPU seconds it took (counted once the connection's processes are gone)."""
    cpu.idle()
    c0 = cpu.seconds()
    r = fn()
    cpu.idle()
    return r, cpu.seconds() - c0


def forwarded(opts, cpu):
    """ssh -N -L to the source and the sink; download and upload MIB MiB through them, with the server CPU
    each took."""
    argv = harness.ssh_argv("alice", None, opts=opts + ["-N", "-o", "ExitOnForwardFailure=yes",
                                                        "-L", f"9000:127.0.0.1:{SOURCE_PORT}",
                                                        "-L", f"9001:127.0.0.1:{SINK_PORT}"])
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=harness.ssh_env())
    try:
        if not harness.wait_for(lambda: harness.listening(9000) and harness.listening(9001), 15):
            raise RuntimeError("ssh -L did not listen: " + (p.stderr.read().decode() if p.poll() is not None else ""))
        c0 = cpu.seconds()
        down = through_forward(9000, False)
        c1 = cpu.seconds()
        up = through_forward(9001, True)
        return down, up, c1 - c0, cpu.seconds() - c1
    finally:
        p.terminate()
        # OpenSSH 9.2's client can miss a SIGTERM that lands just before its poll() (it then sleeps
        # until its next timeout, minutes): kill it rather than wait.
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(kind, cipher):
    s = harness.Server("LogLevel ERROR\nAllowTcpForwarding yes", name=f"bench-{kind}", kind=kind).start()
    cpu = ServerCpu(kind)
    cpu.adopt(s.proc.pid)
    opts = ["-o", f"Ciphers={cipher}"] + (["-o", f"KexAlgorithms={KEX}"] if KEX else [])
    try:
        logins, login_cpu = cpu_of(cpu, lambda: [timed(harness.ssh_argv("alice", "true", opts=opts))
                                                 for _ in range(10)])
        down, down_cpu = cpu_of(cpu, lambda: timed(harness.ssh_argv("alice", f"head -c {MIB}M /dev/zero", opts=opts)))
        with open(f"/tmp/bench-{MIB}", "rb") as f:
            up, up_cpu = cpu_of(cpu, lambda: timed(harness.ssh_argv("alice", "cat > /dev/null", opts=opts), stdin=f))
        fdown, fup, fdown_cpu, fup_cpu = forwarded(opts, cpu)
    finally:
        s.stop()
        cpu.remove()
    # Transfers through `ssh host command` are net of one login (that server's median time and mean CPU
    # of `ssh host true`): the figure is the transfer's, not the key exchange's, at any --mib.
    # CPU per login in ms; per transfer in ms per 100 MiB.
    login = statistics.median(logins)
    login_cpu /= len(logins)
    per100 = 100 / MIB * 1000
    return (login, MIB / max(down - login, 1e-6), MIB / max(up - login, 1e-6), MIB / fdown, MIB / fup,
            login_cpu * 1000, (down_cpu - login_cpu) * per100, (up_cpu - login_cpu) * per100,
            fdown_cpu * per100, fup_cpu * per100)


def main():
    serve(SOURCE_PORT, source)
    serve(SINK_PORT, sink)
    with open(f"/tmp/bench-{MIB}", "wb") as f:
        f.truncate(MIB * 1024 * 1024)
    print(f"# {MIB} MiB transfers, {ROUNDS} rounds each, taking turns; medians; key exchange: {KEX or 'default'}")
    print(f"{'cipher':28} {'figure':26} {'privsshd':>10} {'sshd':>10} {'ratio':>7}")
    for cipher in ("aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"):
        res = {"privsshd": [], "openssh": []}
        for _ in range(ROUNDS):
            for kind in ("privsshd", "openssh"):
                res[kind].append(measure(kind, cipher))
        for i, (name, unit, better) in enumerate((("login ms", 1000, "lower"), ("download MiB/s", 1, "higher"),
                                                  ("upload MiB/s", 1, "higher"),
                                                  ("-L down MiB/s", 1, "higher"), ("-L up MiB/s", 1, "higher"),
                                                  ("login srv CPU ms", 1, "lower"),
                                                  ("down srv CPU ms/100MiB", 1, "lower"),
                                                  ("up srv CPU ms/100MiB", 1, "lower"),
                                                  ("-L down srv CPU ms/100MiB", 1, "lower"),
                                                  ("-L up srv CPU ms/100MiB", 1, "lower"))):
            a = statistics.median(r[i] for r in res["privsshd"]) * unit
            b = statistics.median(r[i] for r in res["openssh"]) * unit
            print(f"{cipher:28} {name:26} {a:10.1f} {b:10.1f} {a / b:7.2f}  ({better} is better)")


harness.run(main)
