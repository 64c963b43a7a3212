#!/usr/bin/python3
"""The listener: daemon mode with PidFile and -E, SIGTERM, IPv4 and IPv6 ListenAddress, -i (inetd)
mode, LoginGraceTime for a client that never authenticates, and RSA/ECDSA user keys."""
import os
import signal
import socket
import subprocess
import time

import harness
from harness import PORT, Server, Skip, check, ssh


def main():
    if harness.is_openssh():
        raise Skip("reference differs: privsshd's own listener options")
    pidfile = "/run/daemon/privsshd.pid"
    logfile = "/run/daemon/file.log"
    s = Server(f"ListenAddress ::1\nLoginGraceTime 2\nPidFile {pidfile}", name="daemon")
    # Without -D: daemonize, write the PidFile; -E: log to a file.
    r = subprocess.run([harness.PRIVSSHD, "-f", s.config, "-E", logfile], capture_output=True, timeout=30)
    check(r.returncode == 0, "privsshd without -D returns once daemonized", r.stderr)
    ok = harness.wait_for(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), timeout=10)
    check(ok, "the PidFile is written")
    pid = int(open(pidfile).read())
    check(os.path.exists(f"/proc/{pid}"), f"the daemon runs as pid {pid}")
    r = ssh("echo v4")
    check(r.stdout == b"v4\n", "IPv4 ListenAddress answers", r.stderr)
    argv = harness.ssh_argv("alice", "echo v6")
    argv[argv.index("alice@127.0.0.1")] = "alice@::1"
    r = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL, env=harness.ssh_env())
    check(r.stdout == b"v6\n", "IPv6 ListenAddress ::1 answers", r.stderr)
    log = open(logfile).read()
    check("Accepted publickey for alice" in log and "Server listening on ::1 port 2222." in log,
          "-E appends the log to the file", log)

    # A client that connects and never says anything is cut off after LoginGraceTime.
    c = socket.create_connection(("127.0.0.1", PORT))
    c.settimeout(10)
    t0 = time.time()
    try:
        data = c.recv(4096)          # the server's banner
        while data:
            data = c.recv(4096)
        closed = True
    except (socket.timeout, ConnectionResetError):
        closed = False
    took = time.time() - t0
    check(closed and 1.5 < took < 6, f"LoginGraceTime 2: a silent client is disconnected ({took:.1f} s)")
    check(harness.wait_for(lambda: "Timeout before authentication for 127.0.0.1 port" in open(logfile).read()),
          "log: Timeout before authentication", open(logfile).read())

    os.kill(pid, signal.SIGTERM)
    check(harness.wait_for(lambda: not harness.alive(pid), timeout=10), "SIGTERM stops the listener")
    check(not os.path.exists(pidfile), "the PidFile is removed on exit")

    # RSA and ECDSA user keys, and -i (inetd mode) with the connection on stdin/stdout.
    for t in ("rsa", "ecdsa"):
        subprocess.run(["ssh-keygen", "-q", "-t", t, "-N", "", "-f", f"/tmp/keys/alice-{t}"], check=True)
        with open("/home/alice/.ssh/authorized_keys", "a") as f:
            f.write(open(f"/tmp/keys/alice-{t}.pub").read())
    # A minimal inetd: accept one connection on another port and run privsshd -i on it.
    inetd = Server(name="inetd")
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", PORT + 1))
    lst.listen(4)
    for t, label in (("rsa", "RSA"), ("ecdsa", "ECDSA")):
        argv = harness.ssh_argv("alice", f"echo {t}", key=f"/tmp/keys/alice-{t}")
        argv[argv.index(str(PORT))] = str(PORT + 1)
        client = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=harness.ssh_env())
        conn, _ = lst.accept()
        log = open(f"/run/inetd/{t}.log", "wb")
        daemon = subprocess.Popen([harness.PRIVSSHD, "-i", "-e", "-f", inetd.config], stdin=conn, stdout=conn,
                                  stderr=log)
        conn.close()
        out, err = client.communicate(timeout=60)
        daemon.wait(timeout=30)
        text = open(f"/run/inetd/{t}.log").read()
        check(out == f"{t}\n".encode(), f"-i serves one connection on stdin/stdout ({label} key)", err + text.encode())
        check(f"Accepted publickey for alice from 127.0.0.1 port" in text and f"ssh2: {label} SHA256:" in text,
              f"log: Accepted publickey ... {label}", text)
        check(daemon.returncode == 0, f"privsshd -i exits 0 when the connection ends ({daemon.returncode})")
    lst.close()


harness.run(main)
