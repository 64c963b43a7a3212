#!/usr/bin/python3
"""Forwarding under load and at the end: 100 concurrent connections through -L and through -R, each
answered with its own digest; an opener stuck in connect() (a target whose SYNs are dropped) does not
hold up the monitor, runs as the user, and is gone when the connection ends; a client killed with
forwarded connections and listeners open leaves no listener, no forwarded socket and no helper."""
import os
import re
import socket
import subprocess
import threading
import time

import harness
from forward_data import expect, serve_digest
from harness import Server, SshProcess, check

N = 100


def ask(port, data, results, i):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=60)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        results[i] = harness.read_until_closed(c, 60)
        c.close()
    except OSError as e:
        results[i] = repr(e).encode()


def concurrent(port):
    data = [os.urandom(20000 + i * 100) for i in range(N)]
    results = [None] * N
    threads = [threading.Thread(target=ask, args=(port, data[i], results, i)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return sum(results[i] == expect(data[i]) for i in range(N))


def openers():
    """Processes of the daemon (its proctitle) running as alice: the forward openers."""
    return [p for p in harness.processes(cmdline=r"privsshd") if p.uids[:1] == ["2001"]]


def sockets_of(port):
    return subprocess.run(["ss", "-tanH", f"( sport = :{port} or dport = :{port} )"], capture_output=True,
                          text=True).stdout.strip()


def main():
    serve_digest(8001)
    harness.wait_for(lambda: harness.listening(8001), 5)
    s = Server("MaxStartups 200\nLogLevel VERBOSE").start()

    p = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes", "-L", "9500:127.0.0.1:8001",
                               "-R", "9501:127.0.0.1:8001"])
    up = harness.wait_for(lambda: harness.listening(9500) and harness.listening(9501), 15)
    check(up, "-L and -R are up", p)
    n = concurrent(9500)
    check(n == N, f"{N} concurrent connections through -L each get their own answer ({n})", s.text()[-2000:])
    n = concurrent(9501)
    check(n == N, f"{N} concurrent connections through -R each get their own answer ({n})", s.text()[-2000:])

    # The connections accepted on a -R listener: what the kernel says about their owner.
    c = socket.create_connection(("127.0.0.1", 9501), timeout=10)
    time.sleep(0.3)
    ss = subprocess.run(["ss", "-tnpeH", "state", "established", "sport = :9501"], capture_output=True,
                        text=True).stdout
    uids = set(re.findall(r"\buid:(\d+)", ss))
    check(uids == {"2001"}, f"the connection accepted on the -R listener belongs to alice ({sorted(uids)})", ss)
    check("privsshd-worker" in ss, "and is held by the worker", ss)

    # A target that drops SYNs (a listener whose backlog is full): the opener waits in connect(),
    # the monitor does not.
    slow = socket.socket()
    slow.bind(("127.0.0.1", 8009))
    slow.listen(0)
    fillers = []
    for _ in range(3):
        f = socket.socket()
        f.setblocking(False)
        f.connect_ex(("127.0.0.1", 8009))
        fillers.append(f)
    w = subprocess.Popen(harness.ssh_argv(opts=["-W", "127.0.0.1:8009"]), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harness.ssh_env())
    check(harness.wait_for(lambda: len(openers()) == 1, 10),
          f"a connection to a target that drops SYNs waits in an opener running as alice ({openers()})")
    r = harness.ssh("echo meanwhile")
    check(r.returncode == 0 and r.stdout == b"meanwhile\n", "meanwhile other logins are served", r)
    c2 = socket.create_connection(("127.0.0.1", 9500), timeout=10)
    c2.sendall(b"x")
    c2.shutdown(socket.SHUT_WR)
    check(harness.read_until_closed(c2) == expect(b"x"),
          "and the other connection's forwards still work")
    c2.close()
    w.kill()
    w.wait()
    check(harness.wait_for(lambda: not openers(), 10), "the client gone, the opener is killed and reaped",
          openers())

    # Kill the client with a forwarded connection open: nothing is left behind.
    before = sockets_of(8001)
    c3 = socket.create_connection(("127.0.0.1", 9500), timeout=10)
    c3.sendall(b"y")
    time.sleep(0.3)
    check(sockets_of(8001) != before, "a forwarded connection is open")
    workers = harness.processes(comm="privsshd-worker")
    ticks = lambda: sum(int(harness.read_text(f"/proc/{w.pid}/stat").rsplit(")", 1)[1].split()[11]) +  # noqa: E731
                        int(harness.read_text(f"/proc/{w.pid}/stat").rsplit(")", 1)[1].split()[12]) for w in workers)
    t0 = ticks()
    time.sleep(2)
    used = ticks() - t0
    check(workers and used < 20, f"while it is idle the worker does not spin ({used} ticks in 2 s)", workers)
    monitors = [x.pid for x in harness.processes(cmdline=r"\[monitor\]|\[priv\]|privsshd: .*alice")]
    p.kill()
    check(harness.wait_for(lambda: not harness.listening(9501), 10), "the -R listener is closed")
    check(harness.wait_for(lambda: "ESTAB" not in sockets_of(9501) and "ESTAB" not in sockets_of(8001), 10),
          "every forwarded socket is closed", sockets_of(8001), sockets_of(9501))
    check(harness.wait_for(lambda: not any(harness.alive(m) for m in monitors), 10) and not openers(),
          f"no monitor, worker or opener of the connection is left ({monitors})")
    c.close()
    c3.close()
    for f in fillers:
        f.close()
    slow.close()


harness.run(main)
