#!/usr/bin/python3
"""A hostile worker after authentication: it logs alice in with her real password (real PAM), starts
a real session, then asks the monitor to signal a session that is not one of this connection's. The
monitor refuses before signalling anything, tears the connection down as for any violation (the
session's process group hung up, the PAM session closed), and says why. A control worker that
signals its own session gets it done and no violation. Malformed or out-of-order messages after
authentication (a truncated PTY_REQUEST, PTY_RELEASE without a pty, an over-long signal name, a
second SESSION_START on a busy channel) are refused the same way. This is what keeps a taken-over worker
from signalling other users' processes, or other connections' of the same user.

Needs a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER replaces the worker). Reference differs:
OpenSSH has no such hook."""
import os
import re
import socket

import harness
from harness import SANDBOX_DIRECTORY, Server, check

FAKE = harness.FAKE_WORKER_PRELUDE + r'''
t, p = password_login()
note("auth %d %d" % (t, p[0]))
BAD = {                                         # after authentication, each one a violation
    "release-unheld": [msg("PTY_RELEASE", u32(7))],                       # no pty on channel 7
    "pty-truncated": [msg("PTY_REQUEST", u32(1) + s("xterm"))],           # the sizes are missing
    "signal-oversized": [msg("SESSION_SIGNAL", u32(1) + s("X" * 100))],   # longer than any name
    "start-twice": [msg("SESSION_START", u32(1) + b"\x01" + s("sleep 1006") + u32(0))] * 2,
}
if SCENARIO in BAD:
    note("sending")                             # before: the monitor may kill us as it reads
    for m in BAD[SCENARIO]:
        ipc.send(m)
    while True:
        recv()
cmd = ("trap 'echo usr1 > /tmp/hostile-usr1' USR1; trap 'echo hup > /tmp/hostile-hup; exit 1' HUP; "
       "sleep 1005 & echo > /tmp/hostile-ready; while :; do wait; done")
ipc.send(msg("SESSION_START", struct.pack(">I", 1) + b"\x01" + s(cmd) + struct.pack(">I", 0)))
while True:
    t, p, fds = recv_fds()
    if t == T["SESSION_STARTED"]:
        ch, session = struct.unpack(">II", p[:8])
        note("started %d with %d fds" % (session, len(fds)))
        break
    note("other %d" % t)
for _ in range(200):                            # the traps are set
    if os.path.exists("/tmp/hostile-ready"):
        break
    time.sleep(0.05)
target = session if SCENARIO == "own" else session + 1000
note("sending")                                 # before: the monitor may kill us as it reads
ipc.send(msg("SESSION_SIGNAL", struct.pack(">I", target) + s("USR1")))
if SCENARIO == "own":
    for _ in range(100):
        if os.path.exists("/tmp/hostile-usr1"):
            break
        time.sleep(0.05)
    note("done")
    sys.exit(0)
while True:
    recv()
'''


def run(scenario, server):
    return harness.run_fake_worker(f"hostile-{scenario}", {"SCENARIO": scenario}, FAKE, server)


def main():
    harness.need_test_hooks()
    os.makedirs(SANDBOX_DIRECTORY, exist_ok=True)
    server = Server()             # its config file only; the daemon is run by hand with -i

    rc, err, res = run("own", server)
    check("auth 6 1" in res and re.search(r"started \d+ with 3 fds", res),
          "the fake worker logs alice in through PAM and starts a session", res, err)
    check(harness.wait_for(lambda: os.path.exists("/tmp/hostile-usr1"), 15),
          "control: a signal for its own session reaches it", res, err)
    check("protocol violation" not in err and rc == 0, f"control: no violation, clean end (exit {rc})", err)
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1005$"), 15),
          "control: the session is hung up when the worker goes", harness.processes(cmdline="sleep"))
    for f in ("/tmp/hostile-hup", "/tmp/hostile-usr1", "/tmp/hostile-ready"):
        if os.path.exists(f):
            os.unlink(f)
    harness.clear_pam_log()

    rc, err, res = run("foreign", server)
    check(re.search(r"started \d+ with 3 fds", res) and "sending" in res, "hostile: the session ran", res, err)
    check(rc == 255 and re.search(r"refused SESSION_SIGNAL from the worker", err),
          f"hostile: signalling a session not of this connection is a violation (exit {rc})", err)
    check(not os.path.exists("/tmp/hostile-usr1"), "hostile: nothing was signalled with USR1")
    check(harness.wait_for(lambda: os.path.exists("/tmp/hostile-hup")
                           and not harness.processes(cmdline=r"^sleep 1005$"), 15),
          "hostile: the connection's own session was hung up", harness.processes(cmdline="sleep"), err)
    check(harness.wait_for(lambda: [e[:2] for e in harness.pam_events()] == [("open_session", "alice"),
                                                                          ("close_session", "alice")], 15),
          "hostile: its PAM session was closed", harness.pam_log())
    check(not harness.processes(cmdline=r"hostile-foreign"), "hostile: the fake worker is gone",
          harness.processes(cmdline="hostile"))

    # Malformed or out of order after authentication: refused, torn down, nothing left behind.
    for scenario, what in (("release-unheld", "PTY_RELEASE for a channel that holds no pty"),
                           ("pty-truncated", "a truncated PTY_REQUEST"),
                           ("signal-oversized", "a SESSION_SIGNAL with an over-long name"),
                           ("start-twice", "a second SESSION_START on a channel with a live session")):
        harness.clear_pam_log()
        rc, err, res = run(scenario, server)
        # Undecodable: refused by the codec; decodable but wrong: refused by the handler.
        said = {"release-unheld": r"refused PTY_RELEASE from the worker",
                "pty-truncated": r"protocol violation by the worker .*\(message PTY_REQUEST\): Bad message",
                "signal-oversized": r"protocol violation by the worker .*\(message SESSION_SIGNAL\): Message too long",
                "start-twice": r"refused SESSION_START from the worker"}[scenario]
        check(rc == 255 and re.search(said, err) and "sending" in res,
              f"{scenario}: {what} is refused and the connection torn down (exit {rc})", res, err)
        check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1006$")
                               and not harness.processes(cmdline=rf"hostile-{scenario}"), 15),
              f"{scenario}: no session and no worker left", harness.processes(cmdline="sleep|hostile"))
        events = [e[0] for e in harness.pam_events()]
        check(events in ([], ["open_session", "close_session"]),
              f"{scenario}: any PAM session was closed ({events})", harness.pam_log())


harness.run(main)
