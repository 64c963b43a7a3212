#!/usr/bin/python3
"""The listener's own modes: without -D it daemonizes and writes its PidFile (removed on SIGTERM),
-E appends the log to a file, ListenAddress ::1 answers on IPv6, -i serves one connection on
stdin/stdout (inetd), and LoginGraceTime cuts off a client that never authenticates.

Reference differs: these are privsshd's listener options; OpenSSH's are checked by OpenSSH."""
import os
import signal
import socket
import subprocess
import time

import harness
from harness import PORT, Server, check, ssh


def main():
    harness.ours_only("privsshd's own listener options")
    pidfile = "/run/test-daemon/privsshd.pid"
    logfile = "/run/test-daemon/file.log"
    s = Server(f"ListenAddress ::1\nLoginGraceTime 2\nPidFile {pidfile}", name="daemon")

    r = subprocess.run([harness.PRIVSSHD, "-f", s.config_path, "-E", logfile], capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    check(r.returncode == 0, f"without -D, privsshd returns 0 once it has daemonized ({r.returncode})", r.stderr)
    check(harness.wait_for(lambda: harness.read_text(pidfile).strip().isdigit(), 10), "it writes its PidFile")
    pid = int(harness.read_text(pidfile).strip() or 0)
    check(pid and harness.alive(pid), f"the PidFile names a running process ({pid})")
    check(harness.wait_for(lambda: harness.listening(PORT), 10), "it listens")

    r = ssh("echo v4")
    check(r.stdout == b"v4\n", "ListenAddress 127.0.0.1 answers", r)
    argv = harness.ssh_argv(command="echo v6", host="::1")
    p = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL, env=harness.ssh_env())
    check(p.stdout == b"v6\n", "ListenAddress ::1 answers on IPv6", p.stderr)
    log = harness.read_text(logfile)
    check("Server listening on ::1 port 2222." in log and "Accepted publickey for alice from ::1 port" in log,
          "-E appends the log to the file, IPv6 addresses included", log)

    # A client that connects and never says anything is cut off after LoginGraceTime.
    c = socket.create_connection(("127.0.0.1", PORT))
    c.settimeout(10)
    t0 = time.monotonic()
    try:
        while c.recv(4096):
            pass
        closed = True
    except (socket.timeout, ConnectionResetError):
        closed = False
    took = time.monotonic() - t0
    c.close()
    check(closed and 1.5 < took < 6, f"LoginGraceTime 2: a silent client is disconnected ({took:.1f} s)")
    check(harness.wait_for(lambda: "Timeout before authentication for 127.0.0.1 port" in harness.read_text(logfile), 5),
          "log: Timeout before authentication for 127.0.0.1 port N", harness.read_text(logfile))

    os.kill(pid, signal.SIGTERM)
    check(harness.wait_for(lambda: not harness.alive(pid), 10), "SIGTERM stops it")
    check(not os.path.exists(pidfile), "and the PidFile is removed")

    # -i: a minimal inetd accepts one connection on another port and hands it to privsshd -i.
    inetd = Server(name="inetd")
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", PORT + 1))
    lst.listen(1)
    argv = harness.ssh_argv(command="echo inetd", port=PORT + 1)
    client = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=harness.ssh_env())
    lst.settimeout(30)
    conn, _ = lst.accept()
    with open("/run/test-inetd/i.log", "wb") as log:
        daemon = subprocess.Popen([harness.PRIVSSHD, "-i", "-e", "-f", inetd.config_path], stdin=conn, stdout=conn,
                                  stderr=log)
    conn.close()
    lst.close()
    out, err = client.communicate(timeout=60)
    try:
        daemon.wait(30)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()
    text = harness.read_text("/run/test-inetd/i.log")
    check(out == b"inetd\n", "-i serves the connection on stdin/stdout", err.decode() + text)
    check("Accepted publickey for alice from 127.0.0.1 port" in text, "log: Accepted publickey ...", text)
    check(daemon.returncode == 0, f"privsshd -i exits 0 when the connection ends ({daemon.returncode})", text)


harness.run(main)
