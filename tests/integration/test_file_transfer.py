#!/usr/bin/python3
"""sftp and scp (which speaks sftp in current OpenSSH) through `Subsystem sftp`, and scp -O (a remote command): 16 MiB up and down
with matching sha256, the files the user's; a missing remote file is an error, not a hang; without a
Subsystem line the sftp request is refused."""
import os

import harness
from harness import Server, check, scp, sftp
from harness import sha256_file as sha

SFTP_SERVER = "/usr/lib/openssh/sftp-server"


def main():
    if not os.access(SFTP_SERVER, os.X_OK):
        harness.skip(f"{SFTP_SERVER} is not installed (openssh-sftp-server)")
    with open("/tmp/big", "wb") as f:
        f.write(os.urandom(16 * 1024 * 1024))
    want = sha("/tmp/big")

    s = Server(f"Subsystem sftp {SFTP_SERVER}").start()
    r = sftp("put /tmp/big big-sftp\nget big-sftp /tmp/big-sftp-back\n")
    check(r.returncode == 0, "sftp put and get of 16 MiB exit 0", r.stderr.decode(errors="replace")[-2000:], s)
    check(os.path.exists("/home/alice/big-sftp") and sha("/home/alice/big-sftp") == want,
          "the uploaded file has the same sha256")
    check(os.stat("/home/alice/big-sftp").st_uid == 2001, "and belongs to alice")
    check(os.path.exists("/tmp/big-sftp-back") and sha("/tmp/big-sftp-back") == want,
          "the downloaded file has the same sha256")

    r = scp("/tmp/big", "alice@127.0.0.1:big-scp")
    check(r.returncode == 0 and sha("/home/alice/big-scp") == want, "scp up: same sha256",
          r.stderr.decode(errors="replace")[-2000:], s)
    r = scp("alice@127.0.0.1:big-scp", "/tmp/big-scp-back")
    check(r.returncode == 0 and sha("/tmp/big-scp-back") == want, "scp down: same sha256",
          r.stderr.decode(errors="replace")[-2000:], s)

    r = scp("-O", "/tmp/big", "alice@127.0.0.1:big-scp-legacy")
    check(r.returncode == 0 and sha("/home/alice/big-scp-legacy") == want,
          "scp -O (the legacy protocol, a remote 'scp -t' command) up: same sha256",
          r.stderr.decode(errors="replace")[-2000:], s)
    r = scp("-O", "alice@127.0.0.1:big-scp-legacy", "/tmp/big-scp-legacy-back")
    check(r.returncode == 0 and sha("/tmp/big-scp-legacy-back") == want, "scp -O down: same sha256",
          r.stderr.decode(errors="replace")[-2000:], s)

    r = scp("alice@127.0.0.1:no-such-file", "/tmp/nothing")
    check(r.returncode != 0 and b"No such file" in r.stderr and not os.path.exists("/tmp/nothing"),
          "scp of a missing file fails with 'No such file'", r.stderr.decode(errors="replace")[-2000:])
    r = sftp("get /etc/shadow /tmp/shadow-copy\n")
    check(r.returncode != 0 and not os.path.exists("/tmp/shadow-copy"),
          "sftp runs as alice: /etc/shadow cannot be read", r.stderr.decode(errors="replace")[-2000:])
    s.stop()

    s = Server().start()
    r = sftp("ls\n")
    check(r.returncode != 0, "without a Subsystem line, sftp is refused",
          r.stderr.decode(errors="replace")[-2000:], s)
    check(s.wait_log(r"subsystem request for sftp by user alice failed, subsystem not found", 5),
          "and the server logs 'subsystem request for sftp by user alice failed, subsystem not found'", s)
    s.stop()


harness.run(main)
