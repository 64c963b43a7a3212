#!/usr/bin/python3
"""PermitRootLogin: prohibit-password (the default here) lets root in with a key and refuses even
root's right password; "no" refuses root's key too, logged as "ROOT LOGIN REFUSED"; "yes" lets the
password in. Other users are not affected."""
import re

import harness
from harness import KEYS, Server, check, ssh


def main():
    fp = re.escape(harness.fingerprint(f"{KEYS}/root.pub"))

    s = Server("PermitRootLogin prohibit-password", name="prohibit").start()
    r = ssh("id -u; pwd", user="root")
    check(r.returncode == 0 and r.stdout == b"0\n/root\n",
          "prohibit-password: root logs in with a key, as uid 0 in /root", r)
    check(s.wait_log(rf"^Accepted publickey for root from 127\.0\.0\.1 port \d+ ssh2: ED25519 {fp}$"),
          "log: Accepted publickey for root ... ED25519 SHA256:...", s)
    r = ssh("echo no", user="root", password="rootpw")
    check(r.returncode == 255 and r.stdout == b"",
          "prohibit-password: root's right password is refused (exit 255)", r)
    check(s.wait_log(r"^Failed password for root from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Failed password for root from 127.0.0.1 port N ssh2", s)
    check(s.count(r"^Accepted password") == 0, "no password login was accepted", s)
    s.stop()

    s = Server("PermitRootLogin no", name="no").start()
    r = ssh("echo no", user="root")
    check(r.returncode == 255 and r.stdout == b"", "no: root's key is refused (exit 255)", r)
    check(s.wait_log(r"^ROOT LOGIN REFUSED FROM 127\.0\.0\.1 port \d+( \[preauth\])?$"),
          "log: ROOT LOGIN REFUSED FROM 127.0.0.1 port N", s)
    check(s.wait_log(rf"^Failed publickey for root from 127\.0\.0\.1 port \d+ ssh2: ED25519 {fp}$"),
          "log: Failed publickey for root from 127.0.0.1 port N ssh2: ED25519 SHA256:...", s)
    r = ssh("echo no", user="root", password="rootpw")
    check(r.returncode == 255, "no: root's right password is refused", r)
    check(s.wait_log(r"^Failed password for root from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Failed password for root", s)
    check(s.count(r"^Accepted \S+ for root ") == 0, "no login was accepted for root", s)
    r = ssh("id -un")
    check(r.stdout == b"alice\n", "no: alice still logs in with her key", r)
    s.stop()

    s = Server("PermitRootLogin yes", name="yes").start()
    r = ssh("id -u", user="root", password="rootpw")
    check(r.returncode == 0 and r.stdout == b"0\n", "yes: root logs in with the right password", r)
    check(s.wait_log(r"^Accepted password for root from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Accepted password for root", s)


harness.run(main)
