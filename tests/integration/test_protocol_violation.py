#!/usr/bin/python3
"""A worker that breaks the IPC protocol after authentication (here: it asks to close a session
that is not its own) is refused before anything is done, and the monitor tears the connection
down the one way it always does: worker killed, sessions hung up, PAM session closed.

Needs a build with -Dtest_hooks=true ("TestWorkerBogusSessionClose yes"); skipped otherwise (a
failure in CI). Reference differs: OpenSSH has no such hook."""
import harness
from harness import Server, check, ssh


def main():
    harness.need_test_hooks()
    s = Server("TestWorkerBogusSessionClose yes").start()
    r = ssh("sleep 100", timeout=60)
    check(r.returncode == 255, f"the client is disconnected ({r.returncode})", r)
    check(s.wait_log(r"refused SESSION_CLOSE from the worker for 127\.0\.0\.1 port \d+"),
          "log: the monitor refused SESSION_CLOSE from the worker", s)
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 100$"), 5),
          "no 'sleep 100' is left (the session was hung up)", harness.processes(cmdline="sleep"))
    check(harness.wait_for(lambda: ("close_session", "alice", "127.0.0.1") in harness.pam_events(), 5),
          "the PAM session was closed", harness.pam_log())
    check(harness.wait_for(lambda: not harness.processes(comm="privsshd-worker"), 5),
          "the worker is gone", harness.processes(cmdline="privsshd"))
    check(s.proc.poll() is None, "the listener still runs", s)


harness.run(main)
