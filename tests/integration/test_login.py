#!/usr/bin/python3
"""Logins: publickey and password through PAM, refusals with OpenSSH's log lines (fail2ban),
unknown users, root policy, MaxAuthTries, StrictModes."""
import os
import subprocess

import harness
from harness import Server, check, ssh


def main():
    s = Server().start()

    r = ssh("echo hi; exit 3")
    check(r.stdout == b"hi\n" and r.returncode == 3, "key login runs 'echo hi; exit 3': prints hi, exits 3",
          r.stderr.decode() + s.text())
    fp = harness.fingerprint("/tmp/keys/alice.pub")
    check(s.wait_log(r"Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 " + fp.replace("+", r"\+")),
          "log: Accepted publickey for alice ... ED25519 " + fp, s.text())

    r = ssh("echo pw", password="alicepw")
    check(r.stdout == b"pw\n" and r.returncode == 0, "password login through PAM works", r.stderr.decode())
    check(s.wait_log(r"Accepted password for alice from 127\.0\.0\.1 port \d+ ssh2$"), "log: Accepted password for alice")

    r = ssh("echo no", password="wrong", opts=["-o", "NumberOfPasswordPrompts=1"])
    check(r.returncode == 255 and r.stdout == b"", "wrong password is refused (exit 255)")
    check(s.wait_log(r"Failed password for alice from 127\.0\.0\.1 port \d+ ssh2$"), "log: Failed password for alice")

    r = ssh("echo no", user="bob", password="whatever", opts=["-o", "NumberOfPasswordPrompts=1"])
    check(r.returncode == 255, "unknown user is refused")
    check(s.wait_log(r"Invalid user bob from 127\.0\.0\.1 port \d+$"), "log: Invalid user bob from ... port N")
    check(s.wait_log(r"Failed password for invalid user bob from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Failed password for invalid user bob")

    r = ssh("echo no", user="bob", key="/tmp/keys/alice")
    check(r.returncode == 255, "unknown user with a key is refused")
    check(s.wait_log(r"Connection closed by invalid user bob 127\.0\.0\.1 port \d+ \[preauth\]"),
          "log: Connection closed by invalid user bob ... [preauth]", s.text())
    check(not s.wait_log(r"Failed publickey for invalid user bob", timeout=0.5),
          "a key probe is not logged as a failed login (as OpenSSH: clients offer every key they have)")

    r = ssh("echo no", key="/tmp/keys/stranger")
    check(r.returncode == 255 and r.stdout == b"", "a key that is not in authorized_keys is refused")

    # root: prohibit-password lets a key in and keeps a correct password out
    r = ssh("id -u", user="root")
    check(r.stdout == b"0\n", "root logs in with a key under PermitRootLogin prohibit-password", r.stderr.decode())
    r = ssh("echo no", user="root", password="rootpw", opts=["-o", "NumberOfPasswordPrompts=1"])
    check(r.returncode == 255, "root's correct password is refused under prohibit-password")
    check(s.wait_log(r"Failed password for root from 127\.0\.0\.1 port \d+ ssh2$"), "log: Failed password for root")
    s.stop()

    s = Server("PermitRootLogin no\nMaxAuthTries 3", name="strict").start()
    r = ssh("echo no", user="root")
    check(r.returncode == 255, "root's key is refused under PermitRootLogin no")
    if not harness.is_openssh():
        check(s.wait_log(r"ROOT LOGIN REFUSED FROM 127\.0\.0\.1 port \d+"), "log: ROOT LOGIN REFUSED", s.text())

    r = ssh("echo no", password="wrong", opts=["-o", "NumberOfPasswordPrompts=10"])
    check(r.returncode == 255 and b"Too many authentication failures" in r.stderr,
          "MaxAuthTries 3: the client is disconnected with 'Too many authentication failures'", r.stderr.decode())
    check(s.wait_log(r"maximum authentication attempts exceeded for alice from 127\.0\.0\.1 port \d+ ssh2"),
          "log: maximum authentication attempts exceeded for alice", s.text())
    failed = len([l for l in s.text().splitlines() if "Failed password for alice" in l])
    check(failed == 3, f"exactly MaxAuthTries (3) password attempts were tried ({failed})")

    # StrictModes: a group-writable ~/.ssh makes the key unusable. (Reference differs: Debian patches
    # OpenSSH to accept group-writable paths when the group is the user's private group.)
    if harness.is_openssh():
        s.stop()
        return
    os.chmod("/home/alice/.ssh", 0o770)
    r = ssh("echo no")
    check(r.returncode == 255, "StrictModes: key refused when ~/.ssh is group-writable")
    check(s.wait_log(r"Authentication refused: bad ownership or modes for directory /home/alice/\.ssh"),
          "log: Authentication refused: bad ownership or modes for directory /home/alice/.ssh", s.text())
    os.chmod("/home/alice/.ssh", 0o700)
    r = ssh("echo yes")
    check(r.stdout == b"yes\n", "key works again with ~/.ssh at 0700")
    s.stop()

    s = Server("StrictModes no", name="lax").start()
    os.chmod("/home/alice/.ssh", 0o770)
    r = ssh("echo lax")
    check(r.stdout == b"lax\n", "StrictModes no: a group-writable ~/.ssh is accepted")
    os.chmod("/home/alice/.ssh", 0o700)
    s.stop()


harness.run(main)
