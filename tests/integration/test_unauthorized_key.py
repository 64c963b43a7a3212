#!/usr/bin/python3
"""A key that is not in the user's authorized_keys is refused. At LogLevel VERBOSE the refusal is
logged as OpenSSH's sshd 9.2 logs it: "Failed publickey for alice from 127.0.0.1 port N ssh2:
ED25519 SHA256:..." with the offered key's fingerprint; at the default LogLevel INFO it is not
logged (a client offers every key it has, so these are not failed logins). A second, authorized
key offered in the same connection then logs in."""
import re

import harness
from harness import KEYS, Server, check, ssh


def main():
    stranger = re.escape(harness.fingerprint(f"{KEYS}/stranger.pub"))
    alice = re.escape(harness.fingerprint(f"{KEYS}/alice.pub"))

    s = Server().start()            # LogLevel VERBOSE
    r = ssh("echo no", key=f"{KEYS}/stranger")
    check(r.returncode == 255 and r.stdout == b"", f"the stranger key is refused (exit {r.returncode})", r)
    check("Permission denied (publickey" in r.log, "the client says: Permission denied (publickey...)", r)
    check(s.wait_log(rf"^Failed publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 {stranger}$"),
          "log (VERBOSE): Failed publickey for alice from 127.0.0.1 port N ssh2: ED25519 <the stranger's "
          "fingerprint>", s)
    check(s.count(r"^Accepted (publickey|password)") == 0, "nothing was accepted", s)

    # The stranger key first, then alice's own key, in one connection.
    r = ssh('echo "$SSH_CLIENT"', key=f"{KEYS}/stranger", opts=["-i", f"{KEYS}/alice"])
    m = re.match(rb"127\.0\.0\.1 (\d+) 2222\n$", r.stdout)
    check(r.returncode == 0 and m, "offered after the stranger key, alice's own key logs in", r)
    port = m.group(1).decode() if m else r"\d+"
    check(s.wait_log(rf"^Failed publickey for alice from 127\.0\.0\.1 port {port} ssh2: ED25519 {stranger}$")
          and s.wait_log(rf"^Accepted publickey for alice from 127\.0\.0\.1 port {port} ssh2: ED25519 {alice}$"),
          f"log: for port {port}, Failed publickey (stranger) and Accepted publickey (alice's key)", s)
    s.stop()

    s = Server("LogLevel INFO", name="info").start()
    r = ssh("echo no", key=f"{KEYS}/stranger")
    check(r.returncode == 255, "at LogLevel INFO the stranger key is refused too", r)
    check(s.wait_log(r"^Connection closed by authenticating user alice 127\.0\.0\.1 port \d+ \[preauth\]$"),
          "log: Connection closed by authenticating user alice 127.0.0.1 port N [preauth]", s)
    check(s.count(r"Failed publickey") == 0, "and no 'Failed publickey' line at INFO", s)


harness.run(main)
