#!/usr/bin/python3
"""Terminal modes from a hostile worker: a fake worker logs alice in with her real password (real PAM)
and asks for a pty with encoded terminal modes in PTY_REQUEST. The monitor parses them itself and
applies them to the pty it allocates: with well-formed modes (control) the pty is allocated and the
session's `stty -a`, read by the fake worker from the pty master, shows them (intr ^G, -echoctl,
speed 9600). Malformed modes, which the real worker never forwards (bytes after TTY_OP_END, a
truncated argument), are a protocol violation: refused, the connection torn down, nothing left
behind; modes longer than SESSION_MAX_TTY_MODES are refused by the codec before any handler runs.

Needs a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER replaces the worker). Reference differs:
OpenSSH has no such hook."""
import os
import re
import socket
import struct

import harness
from harness import SANDBOX_DIRECTORY, Server, check

FAKE = harness.FAKE_WORKER_PRELUDE + r'''
import select
t, p = password_login()
note("auth %d %d" % (t, p[0]))
note("sending")                                 # before: the monitor may kill us as it reads
ipc.send(msg("PTY_REQUEST", u32(1) + s("xterm") + u32(80) + u32(24) + u32(0) + u32(0) + s(MODES)))
t, p = recv()
if t != T["PTY_RESULT"]:
    note("other %d" % t); sys.exit(1)
note("pty %d" % p[4])
ipc.send(msg("SESSION_START", u32(1) + b"\x01" + s("stty -a") + u32(0)))
while True:
    t, p, fds = recv_fds()
    if t == T["SESSION_STARTED_PTY"]:
        break
    note("other %d" % t)
master = fds[0]
text = b""
deadline = time.time() + 10
while time.time() < deadline:
    r, _, _ = select.select([master], [], [], 0.5)
    if r:
        try:
            chunk = os.read(master, 4096)
        except OSError:                         # EIO: the session closed the terminal
            break
        if not chunk:
            break
        text += chunk
note("stty " + text.decode(errors="replace").replace("\r\n", " ").replace("\n", " "))
'''


def op(code, value):
    return struct.pack(">BI", code, value)


def run(scenario, modes, server):
    return harness.run_fake_worker(f"hostile-modes-{scenario}", {"MODES": modes}, FAKE, server)


def main():
    harness.need_test_hooks()
    os.makedirs(SANDBOX_DIRECTORY, exist_ok=True)
    server = Server()             # its config file only; the daemon is run by hand with -i

    good = op(1, 7) + op(60, 0) + op(128, 9600) + op(129, 9600) + op(200, 0) + b"\0"   # 200: stops there
    rc, err, res = run("good", good, server)
    check("auth 6 1" in res and "pty 1" in res, "control: the fake worker logs alice in and gets a pty",
          res, err)
    check(re.search(r"intr = \^G;", res) and re.search(r"-echoctl\b", res) and "speed 9600 baud" in res,
          "control: the session's stty -a shows the modes the monitor applied (intr ^G, -echoctl, 9600)",
          res, err)
    check("protocol violation" not in err and "refused" not in err, "control: no violation", err)

    for scenario, what, modes, said in (
            ("after-end", "bytes after TTY_OP_END", op(1, 7) + b"\0" + op(3, 8),
             r"refused PTY_REQUEST from the worker"),
            ("truncated", "a truncated argument", op(1, 7) + b"\x35\x00\x00",
             r"refused PTY_REQUEST from the worker"),
            ("over-long", "more than SESSION_MAX_TTY_MODES bytes", op(1, 7) * 205,
             r"protocol violation by the worker .*\(message PTY_REQUEST\): Message too long")):
        harness.clear_pam_log()
        rc, err, res = run(scenario, modes, server)
        check(rc == 255 and re.search(said, err) and "sending" in res and "pty " not in res,
              f"{scenario}: {what} is refused and the connection torn down (exit {rc})", res, err)
        check(harness.wait_for(lambda: not harness.processes(cmdline=rf"hostile-modes-{scenario}"), 15),
              f"{scenario}: no worker left", harness.processes(cmdline="hostile"))
        events = [e[0] for e in harness.pam_events()]
        check(events in ([], ["open_session", "close_session"]),
              f"{scenario}: any PAM session was closed ({events})", harness.pam_log())


harness.run(main)
