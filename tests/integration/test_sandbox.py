#!/usr/bin/python3
"""The worker as it runs: unprivileged, no_new_privs, seccomp filter, chrooted into the empty
SandboxDirectory; process titles show the roles. In a test build, a worker that makes a forbidden
system call is killed and the monitor cleans up (sessions hung up, PAM closed)."""
import os
import re
import signal
import subprocess

import harness
from harness import Server, Skip, check, ssh


def status(pid):
    return open(f"/proc/{pid}/status").read()


def main():
    if harness.is_openssh():
        raise Skip("reference differs: privsshd's own worker")
    s = Server().start()
    argv = harness.ssh_argv("alice", "sleep 1000")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=harness.ssh_env())
    check(harness.wait_for(lambda: harness.processes(r"^sleep 1000")), "session started")
    workers = [pid for pid in harness.processes(r"privsshd-worker")
               if open(f"/proc/{pid}/comm").read().strip() == "privsshd-worker"]
    check(len(workers) == 1, f"one worker process ({workers})")
    w = workers[0]
    st = status(w)
    uid = re.search(r"^Uid:\s+(.*)$", st, re.M).group(1).split()
    gid = re.search(r"^Gid:\s+(.*)$", st, re.M).group(1).split()
    check(uid == [str(harness.SANDBOX_UID)] * 4, f"worker runs as the sandbox uid ({uid})")
    check(gid == [str(harness.SANDBOX_UID)] * 4, f"worker runs as the sandbox gid ({gid})")
    check(re.search(r"^Groups:\s*$", st, re.M), "worker has no supplementary groups")
    check(re.search(r"^NoNewPrivs:\s+1$", st, re.M), "worker has NoNewPrivs: 1")
    check(re.search(r"^Seccomp:\s+2$", st, re.M), "worker has Seccomp: 2 (filter)")
    check(re.search(r"^CapEff:\s+0+$", st, re.M), "worker has no effective capabilities")
    root = os.readlink(f"/proc/{w}/root")
    check(root == "/run/privsshd/empty", f"worker's root is the SandboxDirectory ({root})")
    d = os.stat("/run/privsshd/empty")
    check(d.st_uid == 0 and not os.listdir("/run/privsshd/empty") and not d.st_mode & 0o022,
          "the SandboxDirectory is empty, root-owned, not writable by others")
    cmd = open(f"/proc/{w}/cmdline", "rb").read().replace(b"\0", b" ").decode()
    check("privsshd-worker: alice [net]" in cmd, f"worker's title shows the role ({cmd.strip()!r})")
    monitors = harness.processes(r"^privsshd: alice \[monitor\]")
    check(len(monitors) == 1, "monitor's title is 'privsshd: alice [monitor]'")
    if monitors:
        check(re.search(r"^Uid:\s+0\s", status(monitors[0]), re.M), "the monitor is root")
    p.send_signal(signal.SIGKILL)
    p.wait()
    s.stop()

    if not harness.TEST_HOOKS:
        raise Skip("the forbidden-syscall check needs a build with -Dtest_hooks=true")
    open("/var/log/pam-session.log", "w").close()
    s = Server("TestWorkerForbiddenSyscall yes", name="hook").start()
    r = ssh("sleep 1000", timeout=30)
    check(r.returncode == 255, f"the client is disconnected when the worker is killed ({r.returncode})")
    check(s.wait_log(r"was killed by signal SIGSYS"), "the monitor logs the worker's death by SIGSYS", s.text())
    check(harness.wait_for(lambda: not harness.processes(r"^sleep 1000"), timeout=5),
          "the session was hung up: no 'sleep 1000' left")
    check(harness.wait_for(lambda: "close_session alice" in harness.pam_log(), timeout=5),
          "the PAM session was closed", harness.pam_log())
    s.stop()

    # A worker that breaks the protocol after authentication (names a session that is not its own):
    # the monitor refuses before acting, kills it, hangs up the sessions and closes PAM.
    open("/var/log/pam-session.log", "w").close()
    s = Server("TestWorkerBogusSessionClose yes", name="bogus").start()
    r = ssh("sleep 1000", timeout=30)
    check(r.returncode == 255, f"the client is disconnected after the violation ({r.returncode})")
    check(s.wait_log(r"refused SESSION_CLOSE from the worker for 127\.0\.0\.1 port \d+"),
          "the monitor logs the refused message", s.text())
    check(harness.wait_for(lambda: not harness.processes(r"^sleep 1000"), timeout=5),
          "the session was hung up: no 'sleep 1000' left")
    check(harness.wait_for(lambda: "close_session alice" in harness.pam_log(), timeout=5),
          "the PAM session was closed", harness.pam_log())
    check(harness.wait_for(lambda: not [p for p in harness.processes(r"privsshd-worker") if harness.alive(p)]),
          "the worker is gone")
    s.stop()


harness.run(main)
