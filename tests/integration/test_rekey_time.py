#!/usr/bin/python3
"""RekeyLimit's time part holds on an idle connection: the server starts the key re-exchange when the
time is up, as OpenSSH's sshd does, not at the next packet (libssh checks the limit only when packets
move; patches/libssh/0010 and the worker's poll loop). The control: the same idle session on a server
without the time limit keeps its keys."""
import re
import time

import harness
from harness import Server, SshProcess, check


def newkeys(p):
    return len(re.findall(r"^debug1: SSH2_MSG_NEWKEYS received$", p.log, re.M))


def idle_session(seconds):
    """An idle session (the command sleeps, nothing moves); the number of key exchanges the client has
    seen after `seconds`, and the client."""
    p = SshProcess("sleep 30")
    harness.wait_for(lambda: "Entering interactive session" in p.log or p.proc.poll() is not None, 15)
    time.sleep(seconds)
    return newkeys(p), p


def main():
    s = Server("RekeyLimit default 2").start()
    n, p = idle_session(5)
    check(p.proc.poll() is None and n >= 2,
          f"RekeyLimit default 2: an idle session has new keys within 5 s ({n - 1} re-exchange(s))", p, s)
    p.close()
    s.stop()

    s = Server().start()
    n, p = idle_session(5)
    check(p.proc.poll() is None and n == 1, "without a time limit the same idle session keeps its keys", p, s)
    p.close()


harness.run(main)
