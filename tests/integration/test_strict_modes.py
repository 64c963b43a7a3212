#!/usr/bin/python3
"""StrictModes (on by default): authorized_keys is not used when it, ~/.ssh or the home directory
can be written by anyone but the user and root, and the log says which one:
"Authentication refused: bad ownership or modes for directory /home/alice/.ssh". With
"StrictModes no" the same keys work.

Reference differs on one check: Debian patches OpenSSH to accept a group-writable path when the
group is the user's private group with no other members; privsshd refuses any group-writable path."""
import os
import re

import harness
from harness import Server, check, ssh

ALICE, ALICE_GID, PROJECT_GID, CAROL = 2001, 2001, 2200, 2002
SSHDIR = "/home/alice/.ssh"
AUTHKEYS = SSHDIR + "/authorized_keys"


def refused(s, what, path_kind, path):
    """A key login fails, and a new refusal naming `path` is logged for it."""
    line = rf"^Authentication refused: bad ownership or modes for {path_kind} {re.escape(path)}$"
    before = s.count(line)
    r = ssh("echo no")
    check(r.returncode == 255 and r.stdout == b"", f"{what}: the key is refused (exit {r.returncode})", r)
    check(harness.wait_for(lambda: s.count(line) > before, 5),
          f"{what}: log: Authentication refused: bad ownership or modes for {path_kind} {path}", s)


def works(what):
    r = ssh("echo yes")
    check(r.stdout == b"yes\n", what, r)


def main():
    s = Server().start()
    works("with ~/.ssh 0700 and authorized_keys 0600 the key logs in")

    os.chown(SSHDIR, ALICE, PROJECT_GID)
    os.chmod(SSHDIR, 0o770)
    refused(s, "~/.ssh group-writable, group 'project' (alice and carol)", "directory", SSHDIR)
    os.chown(SSHDIR, ALICE, ALICE_GID)
    os.chmod(SSHDIR, 0o700)
    works("back to 0700: the key logs in again")

    os.chown(AUTHKEYS, ALICE, PROJECT_GID)
    os.chmod(AUTHKEYS, 0o620)
    refused(s, "authorized_keys group-writable", "file", AUTHKEYS)
    os.chown(AUTHKEYS, ALICE, ALICE_GID)
    os.chmod(AUTHKEYS, 0o600)

    os.chown("/home/alice", ALICE, PROJECT_GID)
    os.chmod("/home/alice", 0o775)
    refused(s, "the home directory group-writable", "directory", "/home/alice")
    os.chown("/home/alice", ALICE, ALICE_GID)
    os.chmod("/home/alice", 0o755)

    # (0755, so that alice can still read it: OpenSSH opens authorized_keys as the user.)
    os.chown(SSHDIR, CAROL, ALICE_GID)
    os.chmod(SSHDIR, 0o755)
    refused(s, "~/.ssh owned by carol (mode 0755)", "directory", SSHDIR)
    os.chown(SSHDIR, ALICE, ALICE_GID)
    os.chmod(SSHDIR, 0o700)
    works("owned by alice again: the key logs in")

    # Group-writable, but the group is alice's own private group.
    os.chmod(SSHDIR, 0o770)
    r = ssh("echo no")
    check(r.returncode == 255 and r.stdout == b"", "~/.ssh writable by alice's private group: refused too", r,
          reference_differs="Debian's OpenSSH accepts a group-writable path whose group is the user's private "
                            "group")
    os.chmod(SSHDIR, 0o700)
    s.stop()

    s = Server("StrictModes no", name="lax").start()
    os.chown(SSHDIR, ALICE, PROJECT_GID)
    os.chmod(SSHDIR, 0o770)
    works("StrictModes no: a group-writable ~/.ssh is accepted")
    check(s.count(r"Authentication refused") == 0, "and nothing is refused in the log", s)


harness.run(main)
