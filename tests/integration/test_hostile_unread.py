#!/usr/bin/python3
"""A hostile worker that stops reading the monitor's replies cannot wedge its monitor (issue 7,
finding 4). The monitor's side of the socketpair is non-blocking: replies the socket does not take
wait in a bounded queue, so LoginGraceTime and SIGTERM still end the connection, and a worker that
lets the queue fill is torn down as for any violation (its session hung up, its PAM session closed).
Before authentication the flood is publickey probes for alice's authorized key (answered PK_OK,
which costs nothing against MaxAuthTries: they have a budget of their own); after a real password
login it is PTY_REQUEST. Control workers that read every reply get every answer, however many.

Needs a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER replaces the worker). Reference differs:
OpenSSH has no such hook."""
import base64
import os
import re
import signal
import socket
import subprocess
import time

import harness
from harness import KEYS, PRIVSSHD, SANDBOX_DIRECTORY, Server, check

PROBE_BUDGET = 64               # AUTH_MAX_PUBKEY_PROBES in common/limits.h
QUEUEING = r"monitor: the socket to the worker is full"

FAKE = harness.FAKE_WORKER_PRELUDE + r'''
def send(m):
    try:
        ipc.send(m)
    except OSError as e:
        note("send failed: %s" % e); sys.exit(0)
def stall():
    note("stalled")
    while True:
        time.sleep(1)                           # never reads again
note("pid %d" % os.getpid())
recv()                                          # SETUP
send(msg("READY", b"\x01"))
probe = msg("AUTH_PUBKEY", s("alice") + s("ssh-ed25519") + s(KEY) + b"\x00" + s("") + s(""))
pty = lambda ch: msg("PTY_REQUEST", u32(ch) + s("xterm") + u32(80) + u32(24) + u32(0) + u32(0) + s(b""))

if SCENARIO == "probe-control":                 # reads every answer
    answers = []
    while True:
        send(probe)
        t, p = recv()
        answers.append(p[0])
        if p[0] == 3:                           # DISCONNECT: MaxAuthTries used up
            break
    note("answers %d pk_ok %d first_failure %d" % (len(answers), answers.count(2), answers.index(0)))
    sys.exit(0)
if SCENARIO == "probe-stall":                   # reads nothing; stays below MaxAuthTries 1000
    for _ in range(1000):
        if os.path.exists(STOP):
            break
        send(probe)
    stall()

send(msg("AUTH_PASSWORD", s("alice") + s("alicepw")))
t, p = recv()
note("auth %d" % p[0])
send(msg("SESSION_START", u32(999999) + b"\x01" + s("sleep 1007") + u32(0)))
t, p = recv()
note("session reply %d" % t)
if SCENARIO == "pty-control":
    answers = 0
    for ch in range(3000):
        send(pty(ch))
        t, p = recv()
        answers += t == T["PTY_RESULT"] and struct.unpack(">I", p[:4])[0] == ch
    note("pty answers %d" % answers)
    sys.exit(0)
ch = 0
while SCENARIO == "pty-flood" or (ch < 1500 and not os.path.exists(STOP)):    # pty-stall: fewer
    send(pty(ch))                               # than the socket and the queue hold together
    ch += 1
stall()
'''


def alice_key_blob():
    return base64.b64decode(harness.read_text(f"{KEYS}/alice.pub").split()[1])


class Monitor:
    """privsshd -i with the fake worker; its log goes to a file, so it can be watched as it runs."""

    def __init__(self, scenario, server):
        self.stop_file = f"/tmp/unread-{scenario}.stop"
        self.logpath = f"/tmp/unread-{scenario}.log"
        launcher, self.results = harness.write_fake_worker(
                f"unread-{scenario}", {"SCENARIO": scenario, "STOP": self.stop_file, "KEY": alice_key_blob()}, FAKE)
        self.client, conn = socket.socketpair()
        env = dict(os.environ, PRIVSSHD_TEST_WORKER=launcher)
        with open(self.logpath, "wb") as log:
            self.proc = subprocess.Popen([PRIVSSHD, "-i", "-e", "-f", server.config_path], stdin=conn,
                                         stdout=conn, stderr=log, env=env)
        conn.close()
        self.started = time.monotonic()

    def log(self):
        return harness.read_text(self.logpath)

    def res(self):
        return harness.read_text(self.results)

    def worker_pid(self):
        m = re.search(r"^pid (\d+)$", self.res(), re.M)
        return int(m.group(1)) if m else None

    def wait(self, timeout):
        """The exit code, or None when it is still running after `timeout` s (then it is killed)."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
        self.elapsed = time.monotonic() - self.started
        if rc is None:
            self.proc.kill()
            self.proc.wait()
        self.client.close()
        return rc

    def cleanup(self):
        """After the checks: whatever a failed run left behind."""
        pid = self.worker_pid()
        if pid and harness.alive(pid):
            os.kill(pid, signal.SIGKILL)


def worker_gone(mon):
    pid = mon.worker_pid()
    gone = pid is not None and harness.wait_for(lambda: not harness.alive(pid), 5)
    mon.cleanup()
    return gone


def main():
    harness.need_test_hooks()
    os.makedirs(SANDBOX_DIRECTORY, exist_ok=True)
    # MaxAuthTries 1000: failed probes do not end the flood before the socket is full.
    server = Server("LoginGraceTime 3\nMaxAuthTries 1000\nLogLevel DEBUG1")

    # Control: a worker that reads gets every answer; PK_OK stops at the probe budget, after which
    # probes count against MaxAuthTries, so the client is disconnected in OpenSSH's words.
    mon = Monitor("probe-control", server)
    rc = mon.wait(20)
    res = mon.res()
    check(f"answers {PROBE_BUDGET + 1000} pk_ok {PROBE_BUDGET} first_failure {PROBE_BUDGET}" in res,
          f"control: {PROBE_BUDGET + 1000} probes read one by one get {PROBE_BUDGET} PK_OK, then "
          "failures up to MaxAuthTries' disconnect", res, mon.log())
    check(re.search(rf"more than {PROBE_BUDGET} publickey probes", mon.log()),
          "control: the end of the probe budget is logged", mon.log()[-3000:])
    # Exit 255, as every connection that never authenticated (OpenSSH's sshd -i too): the log says
    # whether it was torn down.
    check(rc == 255 and "protocol violation" not in mon.log() and not re.search(QUEUEING, mon.log()),
          f"control: a reading worker is never queued for nor torn down (exit {rc})", mon.log()[-3000:])

    # A worker that probes and never reads: the monitor queues, LoginGraceTime (3 s) still ends it.
    # (1000 replies are more than the socket holds: 683 with this kernel's accounting.)
    mon = Monitor("probe-stall", server)
    queued = harness.wait_for(lambda: re.search(QUEUEING, mon.log()), 10)
    open(mon.stop_file, "w").close()
    rc = mon.wait(8)
    log = mon.log()
    check(queued, "probe-stall: the monitor queues the replies the worker does not read", res, log[-3000:])
    check(rc is not None and mon.elapsed < 3 + 2.5,
          f"probe-stall: the monitor ends at LoginGraceTime 3 s (exit {rc} after {mon.elapsed:.1f} s)",
          mon.res(), log[-3000:])
    check(re.search(r"Timeout before authentication for UNKNOWN port 65535", log),
          "probe-stall: 'Timeout before authentication' is logged", log[-3000:])
    check(worker_gone(mon), "probe-stall: the worker is killed and reaped")

    # After authentication: a session runs, then PTY_REQUESTs pile up unread; SIGTERM still works.
    harness.clear_pam_log()
    mon = Monitor("pty-stall", server)
    queued = harness.wait_for(lambda: re.search(QUEUEING, mon.log()), 10)
    open(mon.stop_file, "w").close()
    check(queued and "session reply" in mon.res(),
          "pty-stall: alice logged in, a session runs, PTY_REQUEST replies are queued", mon.res(),
          mon.log()[-3000:])
    time.sleep(0.5)
    mon.proc.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    rc = mon.wait(5)
    log = mon.log()
    check(rc is not None and time.monotonic() - t0 < 3,
          f"pty-stall: SIGTERM ends the monitor promptly (exit {rc})", log[-3000:])
    check("Received signal 15; terminating." in log, "pty-stall: the SIGTERM is logged", log[-3000:])
    check(harness.wait_for(lambda: [e[:2] for e in harness.pam_events()] == [("open_session", "alice"),
                                                                          ("close_session", "alice")], 5),
          "pty-stall: the PAM session is closed", harness.pam_log())
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1007$"), 5),
          "pty-stall: the session is hung up", harness.processes(cmdline="sleep"))
    check(worker_gone(mon), "pty-stall: the worker is killed and reaped")

    # A worker that never stops sending and never reads fills the queue: torn down as a violation.
    harness.clear_pam_log()
    mon = Monitor("pty-flood", server)
    rc = mon.wait(15)
    log = mon.log()
    check(rc == 255 and re.search(r"the worker for UNKNOWN port 65535 does not read its replies", log),
          f"pty-flood: a worker that lets the queue fill is torn down (exit {rc})", mon.res(), log[-3000:])
    check(harness.wait_for(lambda: [e[:2] for e in harness.pam_events()] == [("open_session", "alice"),
                                                                          ("close_session", "alice")], 5),
          "pty-flood: the PAM session is closed", harness.pam_log())
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1007$"), 5),
          "pty-flood: the session is hung up", harness.processes(cmdline="sleep"))
    check(worker_gone(mon), "pty-flood: the worker is killed and reaped")

    # Control after authentication: 3000 PTY_REQUESTs, each reply read, each answered.
    harness.clear_pam_log()
    mon = Monitor("pty-control", server)
    rc = mon.wait(30)
    check("pty answers 3000" in mon.res() and rc == 0 and "protocol violation" not in mon.log(),
          f"pty-control: a reading worker gets all 3000 PTY_RESULTs and a clean end (exit {rc})",
          mon.res(), mon.log()[-3000:])


harness.run(main)
