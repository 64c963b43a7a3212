#!/usr/bin/python3
"""ClientAliveInterval/ClientAliveCountMax: a client that answers keeps its idle session however long;
a client that stops answering (SIGSTOPped here) is disconnected after interval x count, logged in
OpenSSH's words, and its sessions are hung up, pty or not.

Reference differs: OpenSSH's sshd does not hang up a command without a pty when it drops the client."""
import os
import signal

import harness
from harness import Server, SshProcess, check, ssh

TRAP = "trap 'echo hup > /tmp/hup-{0}; exit 1' HUP; echo started; sleep {1} & wait"


def main():
    s = Server("ClientAliveInterval 1\nClientAliveCountMax 2").start()

    r = ssh("sleep 5; echo still-here", opts=["-o", "ServerAliveInterval=0"])
    check(r.stdout == b"still-here\n" and r.returncode == 0,
          "a client that answers keeps an idle session for longer than interval x count", r, s)
    check(s.count(r"Timeout, client not responding") == 0, "and is not reported as unresponsive", s)

    plain = SshProcess(TRAP.format("plain", 1001))
    term = SshProcess(TRAP.format("pty", 1002), opts=["-tt"])
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 1001$")
                           and harness.processes(cmdline=r"^sleep 1002$"), 10),
          "two sessions run, one with a pty", plain, term, s)
    plain.proc.send_signal(signal.SIGSTOP)
    term.proc.send_signal(signal.SIGSTOP)
    check(s.wait_log(r"^Timeout, client not responding from user alice 127\.0\.0\.1 port \d+", 10),
          "the stopped clients are dropped: 'Timeout, client not responding from user alice 127.0.0.1 port N'", s)
    check(harness.wait_for(lambda: s.count(r"^Timeout, client not responding from user alice") == 2, 10),
          "both connections", s)
    check(harness.wait_for(lambda: os.path.exists("/tmp/hup-pty")
                           and not harness.processes(cmdline=r"^sleep 1002$"), 5),
          "the pty session was hung up", harness.processes(cmdline="sleep"))
    check(harness.wait_for(lambda: os.path.exists("/tmp/hup-plain")
                           and not harness.processes(cmdline=r"^sleep 1001$"), 5),
          "the session without a pty was hung up too", harness.processes(cmdline="sleep"),
          reference_differs="OpenSSH does not hang up a command without a pty")
    for p in (plain, term):
        p.proc.send_signal(signal.SIGCONT)
        check(p.wait(10) == 255, "the client, resumed, finds its connection gone (exit 255)", p)
        p.close()


harness.run(main)
