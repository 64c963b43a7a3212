#!/usr/bin/python3
"""systemd socket activation with systemd's own tool, systemd-socket-activate (as systemd does it):
- Accept=no (privsshd.socket): the listener takes its listening socket from systemd (LISTEN_FDS),
  started by the first connection, serves it and the ones after; ListenAddress/Port are reported
  and not used; sd_notify READY=1 comes once it listens (read from our own NOTIFY_SOCKET);
  a socket that is not a listening TCP socket is refused with a clear error;
- Accept=yes (privsshd@.service): `privsshd -i` on each connection systemd accepted, no listener.
Reference differs: OpenSSH 9.2's sshd takes no sockets from systemd."""
import os
import socket
import subprocess

import harness
from harness import PORT, Server, check, ssh

ACTIVATE = "/usr/bin/systemd-socket-activate"
# systemd-socket-activate passes on only the -E variables: the sanitizers' options too, or an ASan
# build's daemon runs without tests/lsan.supp.
SANITIZER_ENV = [a for v in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS") if v in os.environ for a in ("-E", v)]


def notify_socket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    return s


def main():
    harness.ours_only("OpenSSH 9.2's sshd takes no listening sockets from systemd")
    if not os.path.exists(ACTIVATE):
        harness.skip("systemd-socket-activate is not installed")

    # Accept=no. The configuration names another port: systemd's socket wins, and the log says so.
    note = notify_socket("/run/notify-accept-no")
    s = Server("Port 2299\nListenAddress 127.0.0.1:2299", name="accept-no")
    s.argv = [ACTIVATE, "-l", f"127.0.0.1:{PORT}", "-E", "NOTIFY_SOCKET=/run/notify-accept-no"] + SANITIZER_ENV + s.argv
    s.start()
    r = ssh("echo first")
    check(r.returncode == 0 and r.stdout == b"first\n",
          "Accept=no: the first connection starts the listener, which serves it on systemd's socket", r)
    r = ssh("echo second")
    check(r.returncode == 0 and r.stdout == b"second\n", "and it keeps serving the next connections", r)
    check(s.wait_log(rf"Server listening on 127\.0\.0\.1 port {PORT} \(socket from systemd\)\."),
          "the log names the socket from systemd", s.text())
    check(s.wait_log(r"Listening on the 1 socket systemd passed: ListenAddress and Port are not used\."),
          "and says that ListenAddress and Port are not used", s.text())
    check(not harness.listening(2299), "nothing listens on the configured port 2299")
    try:
        msg = note.recv(4096).decode()
    except socket.timeout:
        msg = ""
    check("READY=1" in msg.split("\n"), "sd_notify READY=1 reaches NOTIFY_SOCKET", msg)
    # STATUS= follows the figures: a connection that stays, then none.
    statuses = []

    def status_seen(want):
        try:
            while True:
                for line in note.recv(4096).decode().split("\n"):
                    if line.startswith("STATUS="):
                        statuses.append(line)
                        if line == want:
                            return True
        except socket.timeout:
            return False
    held = harness.SshProcess("sleep 5")
    check(status_seen("STATUS=1 connection: 1 authenticated, 0 authenticating; 1 session"),
          "sd_notify STATUS= shows an open authenticated connection and its session", statuses)
    held.proc.wait(30)
    check(status_seen("STATUS=0 connections: 0 authenticated, 0 authenticating; 0 sessions"),
          "and none once it has ended", statuses)
    pids = subprocess.run(["pgrep", "-f", r"privsshd: \[listener\]"], capture_output=True, text=True).stdout.split()
    check(len(pids) == 1, f"one listener process ({pids})")
    s.stop()

    # A socket that is not TCP is refused with a clear error (a unix socket here); control: above.
    s = Server(name="not-tcp")
    s.argv = [ACTIVATE, "-l", "/run/privsshd-unix.sock"] + SANITIZER_ENV + s.argv
    s.start = None
    log = open("/run/not-tcp.log", "w+")
    p = subprocess.Popen(s.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    harness.wait_for(lambda: os.path.exists("/run/privsshd-unix.sock"), 10)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect("/run/privsshd-unix.sock")
    harness.wait_for(lambda: p.poll() is not None, 10)
    log.seek(0)
    text = log.read()
    check(p.poll() not in (None, 0) and "is not a listening TCP socket" in text,
          "a unix socket from systemd is refused, the listener exits with an error", text)
    c.close()
    if p.poll() is None:
        p.kill()
        p.wait()

    # Accept=yes: one privsshd -i per connection, on the socket systemd accepted, as stdin/stdout.
    s = Server(name="accept-yes")
    s.argv = [ACTIVATE, "--accept", "--inetd", "-l", f"127.0.0.1:{PORT}"] + SANITIZER_ENV + \
        [a if a != "-D" else "-i" for a in s.argv]
    s.start()
    for word in ("one", "two"):
        r = ssh(f"echo {word}")
        check(r.returncode == 0 and r.stdout == f"{word}\n".encode(),
              f"Accept=yes: privsshd -i serves connection '{word}'", r)
    check(s.count(r"Accepted publickey for alice from 127\.0\.0\.1") == 2,
          "both logins logged with the peer's address", s.text())
    check(not subprocess.run(["pgrep", "-f", r"privsshd: \[listener\]"], capture_output=True).stdout,
          "no listener process in this mode (the same check found the one above)")
    s.stop()


harness.run(main)
