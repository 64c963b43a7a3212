#!/usr/bin/python3
"""The end of a connection: the PAM session is opened and closed, also when the client is killed,
and a killed client's session gets SIGHUP (its process group), so nothing is left behind."""
import os
import signal
import subprocess
import time

import harness
from harness import Server, check, ssh


def main():
    s = Server().start()
    r = ssh("true")
    check(r.returncode == 0, "a command runs")
    check(harness.wait_for(lambda: "close_session alice 127.0.0.1" in harness.pam_log()),
          "PAM session opened and closed for a command", harness.pam_log())
    lines = harness.pam_log().splitlines()
    check(lines[:2] == ["open_session alice 127.0.0.1", "close_session alice 127.0.0.1"],
          "open_session comes before close_session", lines)

    if harness.is_openssh():
        # Reference differs: OpenSSH does not hang up a session without a pty when its client goes
        # away, which leaves 'ssh host tail -f' running after Ctrl-C. privsshd does (DEVELOPERS.md).
        print("# reference differs: OpenSSH leaves non-pty sessions running when the client is killed")
        s.stop()
        return

    # A client killed while its command runs.
    open("/var/log/pam-session.log", "w").close()
    argv = harness.ssh_argv("alice", "trap 'echo hup > /tmp/hup-marker' HUP; sleep 1000 & wait")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=harness.ssh_env())
    ok = harness.wait_for(lambda: harness.processes(r"^sleep 1000"), timeout=10)
    check(ok, "the remote command started")
    p.send_signal(signal.SIGKILL)
    p.wait()
    gone = harness.wait_for(lambda: not harness.processes(r"^sleep 1000"), timeout=5)
    check(gone, "killing the client leaves no 'sleep 1000' behind (SIGHUP to the process group)")
    check(harness.wait_for(lambda: os.path.exists("/tmp/hup-marker"), timeout=5),
          "the remote shell saw SIGHUP (its trap ran)")
    check(harness.wait_for(lambda: "close_session alice" in harness.pam_log(), timeout=5),
          "the PAM session is closed when the client is killed", harness.pam_log())

    # nohup keeps working: a process that ignores SIGHUP survives the hang-up.
    argv = harness.ssh_argv("alice", "nohup sleep 999 >/dev/null 2>&1 & sleep 1000")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=harness.ssh_env())
    check(harness.wait_for(lambda: harness.processes(r"^sleep 1000")), "second command started")
    p.send_signal(signal.SIGKILL)
    p.wait()
    check(harness.wait_for(lambda: not harness.processes(r"^sleep 1000"), timeout=5), "its shell was hung up")
    time.sleep(0.5)
    check(harness.processes(r"^sleep 999"), "but 'nohup sleep 999' survives, as users expect")
    s.stop()


harness.run(main)
