#!/usr/bin/python3
"""When a session ends, as with OpenSSH: a background job that still holds the command's stdout keeps
the session open until it is done ('sleep 3 & echo hello' prints hello and returns after the sleep);
one whose output goes elsewhere does not hold it ('sleep 30 >/dev/null 2>&1 &' returns at once, and
the job lives on); a killed `ssh -tt` client hangs its terminal up (the shell's HUP trap runs and
nothing of the session is left)."""
import os
import time

import harness
from harness import Server, SshProcess, check, ssh


def main():
    s = Server().start()

    t0 = time.monotonic()
    r = ssh("sleep 3 & echo hello")
    took = time.monotonic() - t0
    check(r.stdout == b"hello\n" and r.returncode == 0, "'sleep 3 & echo hello' prints hello", r, s)
    check(took >= 2.5, f"and returns after the sleep, which holds its stdout ({took:.1f} s)", r)

    t0 = time.monotonic()
    r = ssh("sleep 30 >/dev/null 2>&1 & echo hello")
    took = time.monotonic() - t0
    check(r.stdout == b"hello\n" and r.returncode == 0 and took < 2.5,
          f"'sleep 30 >/dev/null 2>&1 & echo hello' returns at once ({took:.1f} s)", r, s)
    # The job may still be the shell's fork, not yet sleep, when the client returns: wait for it.
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 30$"), 5),
          "and its background job lives on", harness.processes(cmdline="sleep"))

    p = SshProcess("trap 'echo hup > /tmp/hup-pty; exit 1' HUP; echo started; sleep 1002 & wait",
                   opts=["-tt"])
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 1002$"), 10), "a pty session runs", p, s)
    p.kill()
    check(harness.wait_for(lambda: os.path.exists("/tmp/hup-pty"), 5),
          "killing its ssh -tt client hangs the terminal up (the trap ran)", s)
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1002$"), 5),
          "and nothing of the session is left", harness.processes(cmdline="sleep"))
    p.close()


harness.run(main)
