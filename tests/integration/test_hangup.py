#!/usr/bin/python3
"""When the client goes away (killed, so it says nothing), the command's process group gets SIGHUP,
as a terminal's would: a shell's HUP trap runs and its children end, but a process started with
nohup survives, as users expect.

Reference differs: OpenSSH's sshd sends nothing to a command without a pty when its client goes
away, so 'ssh host tail -f log' outlives the client there; privsshd hangs it up by design."""
import os

import harness
from harness import Server, SshProcess, check


def main():
    harness.ours_only("OpenSSH does not hang up a command without a pty when its client goes away")
    Server().start()

    p = SshProcess("trap 'echo hup > /tmp/hup-marker; exit 1' HUP; sleep 1000 & wait")
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 1000$"), 10), "the command started", p)
    p.kill()
    check(harness.wait_for(lambda: os.path.exists("/tmp/hup-marker"), 5),
          "the remote shell got SIGHUP (its trap ran)")
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1000$"), 5),
          "its child 'sleep 1000' (same process group) is gone", harness.processes(cmdline="sleep"))
    p.close()

    # A stopped job: SIGHUP alone would wait until it is continued; SIGCONT follows it.
    p = SshProcess("sleep 1003 & sleep 0.3; kill -STOP $!; echo stopped; sleep 1004")
    check(harness.wait_for(lambda: [q for q in harness.processes(cmdline=r"^sleep 1003$")
                                    if (q.field("State") or "").startswith("T")], 10),
          "a command with a stopped background job runs", p, harness.processes(cmdline="sleep"))
    p.kill()
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 100[34]$"), 5),
          "the stopped job is hung up too (SIGHUP, then SIGCONT)", harness.processes(cmdline="sleep"))
    p.close()

    p = SshProcess("nohup sleep 999 >/dev/null 2>&1 & sleep 1000")
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 1000$")
                           and harness.processes(cmdline=r"^sleep 999$"), 10), "a second command started", p)
    p.kill()
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1000$"), 5),
          "the second command was hung up", harness.processes(cmdline="sleep"))
    check(harness.processes(cmdline=r"^sleep 999$"), "but 'nohup sleep 999' survives",
          harness.processes(cmdline="sleep"))
    p.close()


harness.run(main)
