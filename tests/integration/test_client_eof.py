#!/usr/bin/python3
"""The client's EOF always reaches the session's stdin: 45 sftp sessions that end at once (a failed get,
a get, an ls) each end within seconds. Regression test: libssh may deliver the channel EOF inside a
call that reads packets after the worker's pump has run (ssh_channel_write() waiting, the message
queue before poll()); the worker then slept in poll() with the EOF undelivered, and the sftp server,
which reads its stdin to the end, never exited. Before the fix one of the first ~20 sessions hung."""
import os
import subprocess

import harness
from harness import KEYS, PORT, Server, check

COMMON = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
          "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", f"{KEYS}/alice"]


def main():
    s = Server("Subsystem sftp internal-sftp" if not harness.is_openssh()
               else "Subsystem sftp /usr/lib/openssh/sftp-server").start()
    batches = [b"get /no/such/file /tmp/copy\n", b"get /etc/hostname /tmp/copy\n", b"ls /\n"]
    hung = []
    for i in range(45):
        p = subprocess.Popen(["/usr/bin/sftp", "-b", "-", "-P", str(PORT)] + COMMON + ["alice@127.0.0.1"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=harness.ssh_env())
        try:
            p.communicate(batches[i % 3], timeout=20)
        except subprocess.TimeoutExpired:
            hung.append((i, batches[i % 3]))
            for pr in harness.processes(comm="ssh"):
                os.kill(pr.pid, 9)
            p.kill()
            p.communicate()
    check(not hung, "45 short sftp sessions all end (the client's EOF reaches the server's stdin)", hung, s)
    s.stop()


harness.run(main)
