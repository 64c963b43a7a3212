#!/usr/bin/python3
"""The worker, the process that talks to the network, runs sandboxed: as the SandboxUser (2100)
in every uid and gid slot with no groups and no capabilities, with no_new_privs and a seccomp
filter, chrooted into the SandboxDirectory, which is empty and root's, and with no right to fork or
to write files. Process titles name the roles: "privsshd: alice [monitor]" (root) and
"privsshd-worker: alice [net]".

Reference differs: OpenSSH's sshd has no such worker (its unprivileged child is sshd itself, and
in OpenSSH 9.2 it runs as the user after authentication); the whole file is privsshd's."""
import os
import re
import subprocess

import harness
from harness import SANDBOX_DIRECTORY, SANDBOX_UID, Server, SshProcess, check


def limit(pid, name):
    """(soft, hard) of one line of /proc/PID/limits."""
    for line in harness.read_text(f"/proc/{pid}/limits").splitlines():
        if line.startswith(name + " "):
            f = line[len(name):].split()
            return f[0], f[1]
    return None


def args_of(pid):
    r = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=10)
    return r.stdout.strip()


def main():
    harness.ours_only("checks privsshd's own sandboxed worker")
    s = Server().start()
    listener = s.proc.pid
    p = SshProcess("sleep 5")
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 5$"), timeout=10),
          "a session ('sleep 5') runs", p)
    workers = harness.processes(comm="privsshd-worker")
    check(len(workers) == 1, f"one process with comm 'privsshd-worker' ({workers})", s)
    if not workers:
        return
    w = workers[0]
    uid = w.field("Uid").split()
    gid = w.field("Gid").split()
    check(uid == [str(SANDBOX_UID)] * 4, f"Uid: all four are {SANDBOX_UID}, not root ({uid})", w.status)
    check(gid == [str(SANDBOX_UID)] * 4, f"Gid: all four are {SANDBOX_UID} ({gid})", w.status)
    check(w.field("Groups") == "", f"no supplementary groups ({w.field('Groups')!r})", w.status)
    check(re.search(r"^NoNewPrivs:\t1$", w.status, re.M), "NoNewPrivs:\t1", w.status)
    check(re.search(r"^Seccomp:\t2$", w.status, re.M), "Seccomp:\t2 (a filter)", w.status)
    for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        check(re.fullmatch(r"0+", w.field(cap) or "x"), f"{cap} is empty ({w.field(cap)})", w.status)
    root = os.readlink(f"/proc/{w.pid}/root")
    check(root == SANDBOX_DIRECTORY, f"its root directory is the SandboxDirectory ({root})")
    cwd = os.readlink(f"/proc/{w.pid}/cwd")
    check(cwd == SANDBOX_DIRECTORY, f"its working directory is in there too ({cwd})")
    st = os.stat(SANDBOX_DIRECTORY)
    check(os.listdir(SANDBOX_DIRECTORY) == [], "the SandboxDirectory is empty", os.listdir(SANDBOX_DIRECTORY))
    check(st.st_uid == 0 and st.st_gid == 0, f"and owned by root ({st.st_uid}:{st.st_gid})")
    check(not st.st_mode & 0o022, f"and writable by root only ({oct(st.st_mode & 0o777)})")
    for name in ("Max processes", "Max file size", "Max core file size"):
        check(limit(w.pid, name) == ("0", "0"), f"RLIMIT {name}: 0, soft and hard ({limit(w.pid, name)})",
              harness.read_text(f"/proc/{w.pid}/limits"))

    wargs = args_of(w.pid)
    check("[net]" in wargs and wargs.startswith("privsshd-worker: alice"),
          f"ps shows the worker as 'privsshd-worker: alice [net]' ({wargs!r})")
    monitor = int(w.field("PPid"))
    margs = args_of(monitor)
    check("[monitor]" in margs and margs.startswith("privsshd: alice"),
          f"its parent, the monitor, as 'privsshd: alice [monitor]' ({margs!r})")
    check(harness.Proc(monitor).uids == ["0"] * 4, "the monitor runs as root")
    check(monitor != listener, "the monitor is not the listener (one monitor per connection)")
    session = harness.processes(cmdline=r"^sleep 5$")
    check(session and session[0].uids == ["2001"] * 4, "the session's command runs as alice", session)
    rc = p.wait(30)
    check(rc == 0, f"the session ends normally ({rc})", p)
    check(harness.wait_for(lambda: not harness.processes(comm="privsshd-worker"), timeout=5),
          "the worker is gone after the connection", harness.processes(comm="privsshd-worker"))
    check(harness.alive(listener), "the listener is still there")


harness.run(main)
