#!/usr/bin/python3
"""SIGHUP reloads the configuration, as systemd's reload protocol wants (read from our own
NOTIFY_SOCKET): RELOADING=1 with MONOTONIC_USEC, the new file checked first; a bad one is refused
with its error logged and the old configuration keeps serving; a good one is in force for the next
connections, with the same listener pid (re-executed, keeping its sockets: a connection attempt during
the reload is served), a port the file adds is listened on and one it drops is closed; READY=1 after
each; a session open across both reloads is not disturbed.
Reference differs: OpenSSH's sshd re-executes on SIGHUP too, but without the check or sd_notify."""
import os
import signal
import socket
import threading
import time

import harness
from harness import PORT, Server, check, ssh


def main():
    harness.ours_only("sd_notify reload protocol and the check before re-executing are privsshd's")
    note = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    note.bind("/run/notify-reload")
    note.settimeout(15)
    os.environ["NOTIFY_SOCKET"] = "/run/notify-reload"
    os.environ["WATCHDOG_USEC"] = "600000"      # WatchdogSec=0.6 (no WATCHDOG_PID: any process)
    s = Server("", name="reload")
    s.start()
    del os.environ["NOTIFY_SOCKET"], os.environ["WATCHDOG_USEC"]
    messages = []

    def wait_message(pred):
        try:
            while True:
                datagram = note.recv(4096).decode().split("\n")
                messages.extend(datagram)
                found = [m for m in datagram if pred(m)]
                if found:
                    return found[0]
        except socket.timeout:
            return None

    check(wait_message(lambda m: m == "READY=1"), "READY=1 at start", messages)
    t0 = time.monotonic()
    pings = 0
    while time.monotonic() - t0 < 2 and wait_message(lambda m: m == "WATCHDOG=1"):
        pings += 1
    check(pings >= 4, f"WatchdogSec=0.6: WATCHDOG=1 about every 0.3 s ({pings} in 2 s)", messages[-10:])
    # Nobody reads NOTIFY_SOCKET for a while (a busy service manager): its queue fills with STATUS=
    # updates, and the listener must go on serving rather than wait in sendmsg().
    served = []
    for _ in range(40):
        with socket.create_connection(("127.0.0.1", PORT), timeout=5) as c:
            try:
                served.append(c.recv(8) == b"SSH-2.0-")
            except socket.timeout:
                served.append(False)
    check(all(served), f"with NOTIFY_SOCKET's queue full, connections are still served ({served.count(True)} "
          f"of {len(served)})")
    check(wait_message(lambda m: m == "STATUS=0 connections: 0 authenticated, 0 authenticating; 0 sessions"),
          "and the STATUS= updates that did not fit are sent again later, up to the current figures", messages[-5:])
    banner = "/run/reload-banner"
    with open(banner, "w") as f:
        f.write("hello after reload\n")
    r = ssh("true")
    check(r.returncode == 0 and b"hello after reload" not in r.stderr, "before: a login, no banner", r)

    held = harness.SshProcess("sleep 6; echo held-done")
    time.sleep(1.5)
    original = open(s.config_path).read()

    # A good new configuration: a banner and a second port.
    with open(s.config_path, "w") as f:
        f.write(f"Banner {banner}\nPort {PORT}\nPort 2223\n" + original)
    attempts = []

    def connect_during_reload():
        for _ in range(30):
            try:
                with socket.create_connection(("127.0.0.1", PORT), timeout=5) as c:
                    attempts.append(c.recv(64).startswith(b"SSH-2.0-"))
            except OSError as e:
                attempts.append(repr(e))
            time.sleep(0.02)
    t = threading.Thread(target=connect_during_reload)
    t.start()
    time.sleep(0.1)
    pid = s.proc.pid
    s.proc.send_signal(signal.SIGHUP)
    reloading = wait_message(lambda m: m == "RELOADING=1")
    check(reloading and any(m.startswith("MONOTONIC_USEC=") for m in messages),
          "SIGHUP: RELOADING=1 with MONOTONIC_USEC", messages)
    check(wait_message(lambda m: m == "READY=1"), "then READY=1", messages)
    t.join()
    check(attempts and all(a is True for a in attempts),
          f"every connection attempt during the reload is served ({len(attempts)})", attempts)
    check(s.wait_log(r"Received SIGHUP; restarting\."), "the log says it restarts", s.text())
    check(s.proc.poll() is None and s.proc.pid == pid, "the listener keeps its pid (re-executed, not restarted)")
    note.setblocking(False)
    try:
        while note.recv(4096):         # what was queued before: only new pings count
            pass
    except BlockingIOError:
        pass
    note.settimeout(15)
    pings = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2 and wait_message(lambda m: m == "WATCHDOG=1"):
        pings += 1
    check(pings >= 4, f"the re-executed listener keeps the watchdog going ({pings} in 2 s)")
    r = ssh("true")
    check(r.returncode == 0 and b"hello after reload" in r.stderr,
          "after the reload, a new connection gets the new configuration (the banner)", r)
    check(harness.wait_for(lambda: harness.listening(2223), 5), "the port the file added is listened on")

    # A bad one: refused, the running configuration stays.
    with open(s.config_path, "w") as f:
        f.write("NoSuchKeyword yes\n" + original)
    messages.clear()
    s.proc.send_signal(signal.SIGHUP)
    check(wait_message(lambda m: m == "READY=1") and "RELOADING=1" in messages,
          "a bad configuration: RELOADING=1, then READY=1 again", messages)
    check(s.wait_log(r"Received SIGHUP; the new configuration is not valid \(above\): keeping the running one\."),
          "the log says it is refused", s.text())
    check(s.wait_log(r"NoSuchKeyword"), "with the checker's error naming the bad line", s.text())
    r = ssh("true")
    check(r.returncode == 0 and b"hello after reload" in r.stderr and harness.listening(2223),
          "and the previous configuration still serves (banner, port 2223)", r)

    # Back to the original: the extra port is closed, the banner gone.
    with open(s.config_path, "w") as f:
        f.write(original)
    messages.clear()
    s.proc.send_signal(signal.SIGHUP)
    check(wait_message(lambda m: m == "READY=1"), "a third reload, READY=1", messages)
    check(harness.wait_for(lambda: not harness.listening(2223), 5), "the port the file dropped is closed")
    r = ssh("true")
    check(r.returncode == 0 and b"hello after reload" not in r.stderr, "the original configuration again", r)

    out, _ = held.proc.communicate(timeout=30)
    check(held.proc.returncode == 0 and out == b"held-done\n",
          "the session open across the reloads ran to its end, output and exit status intact",
          (held.proc.returncode, out))
    s.stop()


harness.run(main)
