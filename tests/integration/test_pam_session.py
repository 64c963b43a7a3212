#!/usr/bin/python3
"""The PAM session is opened before the command runs and closed when the connection ends, with the
client's address as PAM_RHOST: after a command that ends, and when the client is killed mid-command
(then the command is hung up too, so nothing of the user's is left running).

Reference differs: OpenSSH's sshd closes the PAM session of a killed client but leaves a command
without a pty running (its stdin, stdout and stderr are pipes; nobody sends it SIGHUP). privsshd
hangs up the command's process group, so 'ssh host tail -f log' does not outlive its client."""
import harness
from harness import Server, SshProcess, check, ssh

OPEN = ("open_session", "alice", "127.0.0.1")
CLOSE = ("close_session", "alice", "127.0.0.1")


def main():
    s = Server().start()
    r = ssh("true")
    check(r.returncode == 0, "a command runs", r)
    check(harness.wait_for(lambda: CLOSE in harness.pam_events(), timeout=5),
          "the PAM session is closed when the command's connection ends", harness.pam_log())
    check(harness.pam_events() == [OPEN, CLOSE],
          "pam-session.log: 'open_session alice 127.0.0.1' then 'close_session alice 127.0.0.1', once each",
          harness.pam_log())

    # Password logins go through the same session.
    harness.clear_pam_log()
    r = ssh("true", password="alicepw")
    check(r.returncode == 0 and harness.wait_for(lambda: harness.pam_events() == [OPEN, CLOSE], timeout=5),
          "a password login opens and closes its PAM session too", r, harness.pam_log())

    # A client killed while its command runs.
    harness.clear_pam_log()
    p = SshProcess("sleep 100")
    started = harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 100$"), timeout=10)
    check(started, "the command 'sleep 100' runs", p)
    check(started and started[0].uids[:1] == ["2001"], "as alice (uid 2001)", started)
    check(harness.pam_events() == [OPEN], "while it runs, the session is open and not closed",
          harness.pam_log())
    p.kill()
    check(harness.wait_for(lambda: CLOSE in harness.pam_events(), timeout=5),
          "after the client is killed (SIGKILL), close_session alice appears within 5 s", harness.pam_log())
    check(harness.pam_events() == [OPEN, CLOSE], "the session was opened and closed once each", harness.pam_log())
    gone = harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 100$"), timeout=5)
    check(gone, "and no 'sleep 100' of alice is left within 5 s", harness.processes(cmdline="sleep"),
          reference_differs="OpenSSH leaves a command without a pty running when its client goes away")
    p.close()


harness.run(main)
