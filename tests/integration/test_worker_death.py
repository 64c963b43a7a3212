#!/usr/bin/python3
"""A worker killed from outside (SIGKILL, as a crash or the OOM killer would) while its connection
runs a pty session and a plain one, both over one ControlMaster: the monitor hangs up both
sessions' process groups, closes the pty's login record and the PAM session, reaps everything,
and leaves; the client sees the connection drop; the listener goes on serving.

Reference differs: OpenSSH has no separate worker to kill in this way."""
import os
import signal
import subprocess

import harness
from harness import Server, SshProcess, check, ssh

CTL = "/tmp/ctl-socket"
MUX = ["-S", CTL, "-o", "ControlMaster=no"]
TRAP = "trap 'echo hup > /tmp/hup-{0}; exit 1' HUP; echo started; sleep {1} & wait"


def who():
    return subprocess.run(["who"], capture_output=True, text=True, timeout=10).stdout


def main():
    harness.ours_only("OpenSSH has no separate worker process to kill")
    s = Server().start()
    master = SshProcess(None, opts=["-M", "-S", CTL, "-N", "-o", "ControlPersist=no"])
    check(harness.wait_for(lambda: os.path.exists(CTL), 10), "the ControlMaster connects", master, s)
    plain = SshProcess(TRAP.format("plain", 1001), opts=MUX)
    term = SshProcess(TRAP.format("pty", 1002), opts=MUX + ["-tt"])
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 1001$")
                           and harness.processes(cmdline=r"^sleep 1002$"), 10),
          "a plain and a pty session run over one connection", plain, term, s)
    check(harness.wait_for(lambda: "alice" in who(), 5), "who shows alice on the pty", who())
    workers = harness.processes(comm="privsshd-worker")
    check(len(workers) == 1, f"one worker serves them ({workers})", s)

    os.kill(workers[0].pid, signal.SIGKILL)
    check(s.wait_log(r"^worker \(pid \d+\) for 127\.0\.0\.1 port \d+ was killed by signal SIGKILL", 5),
          "the monitor logs the worker's death", s)
    check(harness.wait_for(lambda: os.path.exists("/tmp/hup-plain") and os.path.exists("/tmp/hup-pty"), 5),
          "both sessions got SIGHUP (their traps ran)", os.listdir("/tmp"), s)
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 100[12]$"), 5),
          "nothing of either session is left", harness.processes(cmdline="sleep"))
    check(harness.wait_for(lambda: harness.pam_events() == [("open_session", "alice", "127.0.0.1"),
                                                            ("close_session", "alice", "127.0.0.1")], 5),
          "the PAM session was closed (opened and closed once)", harness.pam_log())
    check(harness.wait_for(lambda: "alice" not in who(), 5), "who no longer shows alice", who())
    check(harness.wait_for(lambda: not harness.processes(comm="privsshd-worker")
                           and not harness.processes(cmdline=r"\[monitor\]"), 5),
          "neither worker nor monitor is left", harness.processes(cmdline="privsshd"))
    zombies = [p for p in map(harness.Proc, [int(n) for n in os.listdir("/proc") if n.isdigit()])
               if p.zombie and p.comm not in ("ssh",)]
    check(not zombies, "and no zombie of the daemon's", zombies)
    check(master.wait(10) == 255, "the client sees its connection drop (exit 255)", master)
    for p in (plain, term, master):
        p.close()

    r = ssh("echo still-serving")
    check(r.stdout == b"still-serving\n", "the listener serves the next client", r, s)


harness.run(main)
