#!/usr/bin/python3
"""A worker that makes a forbidden system call is killed by its seccomp filter (SIGSYS), and the
monitor then does what it always does when a connection ends: logs why, hangs up the sessions (no
'sleep 100' is left), closes the PAM session, and the client sees the connection drop at once.
The listener keeps serving.

Needs a build with -Dtest_hooks=true: "TestWorkerForbiddenSyscall yes" makes the worker call a
forbidden syscall right after the first session starts. Skipped otherwise (a failure in CI).
Reference differs: OpenSSH has no such hook."""
import time

import harness
from harness import Server, check, ssh


def main():
    harness.need_test_hooks()
    s = Server("TestWorkerForbiddenSyscall yes").start()
    t0 = time.monotonic()
    r = ssh("sleep 100", timeout=60)
    took = time.monotonic() - t0
    check(r.returncode == 255, f"ssh ends with 255 ({r.returncode})", r)
    check(took < 10, f"within 10 s, not after the command's 100 s ({took:.1f} s)", r)
    check(s.wait_log(r"^Starting session: command for alice from 127\.0\.0\.1 port \d+"),
          "the session had started (log: Starting session: command for alice ...)", s)
    check(s.wait_log(r"^worker \(pid \d+\) for 127\.0\.0\.1 port \d+ was killed by signal SIGSYS"),
          "log: the worker ... was killed by signal SIGSYS", s)
    check(harness.wait_for(lambda: ("close_session", "alice", "127.0.0.1") in harness.pam_events(), 5),
          "pam-session.log: close_session alice", harness.pam_log())
    check(harness.pam_events() == [("open_session", "alice", "127.0.0.1"), ("close_session", "alice", "127.0.0.1")],
          "the PAM session was opened and closed once each", harness.pam_log())
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 100$"), 5),
          "no 'sleep 100' is left (the session was hung up)", harness.processes(cmdline="sleep"))
    check(harness.wait_for(lambda: not harness.processes(comm="privsshd-worker")
                           and not harness.processes(cmdline=r"\[monitor\]"), 5),
          "neither the worker nor the connection's monitor is left", harness.processes(cmdline="privsshd"))
    check(s.proc.poll() is None, "the listener still runs", s)


harness.run(main)
