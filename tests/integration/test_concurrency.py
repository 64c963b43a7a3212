#!/usr/bin/python3
"""Many connections at once never disturb one another: 24 clients each send 2 MiB through their own
command and read 2 MiB back, while 4 others send garbage instead of SSH and 4 connect and say
nothing. Every client gets its own data back intact and its own exit status; the garbage is refused
and logged; the stalled connections do not hold anyone up. (MaxStartups is raised, or its default
10:30:100 would drop some of the 32 unauthenticated connections at random, and so is our
PerSourceMaxStartups, whose default 5 would refuse most of them: they all come from 127.0.0.1.)"""
import hashlib
import os
import socket
import subprocess
import threading

import harness
from harness import Server, check, ssh_argv, ssh_env

CLIENTS = 24
SIZE = 2 * 1024 * 1024


def main():
    config = "MaxStartups 100:30:200" + ("" if harness.is_openssh() else "\nPerSourceMaxStartups none")
    s = Server(config).start()

    stalled = []
    for _ in range(4):
        c = socket.create_connection(("127.0.0.1", harness.PORT), timeout=10)
        stalled.append(c)
    garbage = []
    for i in range(4):
        c = socket.create_connection(("127.0.0.1", harness.PORT), timeout=10)
        c.sendall(b"GET / HTTP/1.0\r\n\r\n" if i % 2 else os.urandom(4096))
        garbage.append(c)

    results = [None] * CLIENTS
    inputs = [os.urandom(SIZE) for _ in range(CLIENTS)]

    def client(i):
        # stdin's sha256 first (64 hex + "  -\n"), then 2 MiB of the client's own bytes echoed back.
        cmd = f"tee /tmp/echo-{i} | sha256sum; cat /tmp/echo-{i}; exit {i % 50}"
        try:
            r = subprocess.run(ssh_argv(command=cmd), input=inputs[i], capture_output=True, timeout=120,
                               env=ssh_env())
            results[i] = (r.returncode, r.stdout, r.stderr)
        except subprocess.TimeoutExpired:
            results[i] = ("timeout", b"", b"")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)

    bad = []
    for i, (status, out, err) in enumerate(results):
        want = hashlib.sha256(inputs[i]).hexdigest().encode() + b"  -\n" + inputs[i]
        if status != i % 50 or out != want:
            bad.append((i, status, len(out), err[-300:]))
    check(not bad, f"all {CLIENTS} clients got their 2 MiB back intact and their own exit status", bad, s)

    for c in garbage:
        harness.read_until_closed(c)    # the server closes each (a timeout fails the test)
    check(s.wait_log(r"(?:[Bb]ad protocol version identification|banner exchange: Connection from "
                     r"127\.0\.0\.1 port \d+: invalid format)", 10),
          "the garbage is refused, and logged", s)
    for c in stalled:
        check(c.fileno() >= 0 and c.recv(256, socket.MSG_PEEK).startswith(b"SSH-2.0-"),
              "a stalled connection got the server's banner and is still open", s)
        c.close()
    for c in garbage:
        c.close()


harness.run(main)
