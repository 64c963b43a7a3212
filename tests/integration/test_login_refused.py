#!/usr/bin/python3
"""A wrong password and an unknown user are refused, and logged in OpenSSH's words, which
fail2ban's stock sshd filter expects: "Failed password for alice ...", "Invalid user bob ...",
"Failed password for invalid user bob ..."."""
import harness
from harness import Server, check, ssh


def main():
    s = Server().start()
    r = ssh("echo no", password="wrong")
    check(r.returncode == 255, f"a wrong password: ssh exits 255 ({r.returncode})", r)
    check(r.stdout == b"", "the command did not run", r)
    check("Permission denied" in r.log, "the client says: Permission denied", r)
    m = s.wait_log(r"^Failed password for alice from 127\.0\.0\.1 port (\d+) ssh2$")
    check(m, "log: Failed password for alice from 127.0.0.1 port N ssh2", s)
    check(s.count(r"^Accepted ") == 0, "nothing was accepted", s)
    check(s.wait_log(r"^Connection closed by authenticating user alice 127\.0\.0\.1 port \d+ \[preauth\]$"),
          "log: Connection closed by authenticating user alice 127.0.0.1 port N [preauth]", s)

    r = ssh("echo no", user="bob", password="whatever")
    check(r.returncode == 255 and r.stdout == b"", "the unknown user bob is refused (exit 255)", r)
    invalid = s.wait_log(r"^Invalid user bob from 127\.0\.0\.1 port (\d+)$")
    check(invalid, "log: Invalid user bob from 127.0.0.1 port N", s)
    failed = s.wait_log(r"^Failed password for invalid user bob from 127\.0\.0\.1 port (\d+) ssh2$")
    check(failed, "log: Failed password for invalid user bob from 127.0.0.1 port N ssh2", s)
    check(invalid and failed and invalid.group(1) == failed.group(1),
          "both lines name the same connection (port)", s)
    check(s.wait_log(r"^Connection closed by invalid user bob 127\.0\.0\.1 port \d+ \[preauth\]$"),
          "log: Connection closed by invalid user bob 127.0.0.1 port N [preauth]", s)

    # An unknown user offering a key: refused, no password ever asked.
    r = ssh("echo no", user="bob", key=f"{harness.KEYS}/alice")
    check(r.returncode == 255 and r.stdout == b"", "the unknown user bob with a key is refused", r)
    check(s.count(r"^Invalid user bob from 127\.0\.0\.1 port \d+$") == 2, "log: Invalid user bob, again", s)
    check(s.count(r"Failed publickey for invalid user bob") == 0,
          "the key probe of an unknown user is not logged as Failed publickey (as OpenSSH)", s)

    # The right password still works afterwards: nothing is locked.
    r = ssh("echo yes", password="alicepw")
    check(r.stdout == b"yes\n", "the right password still logs alice in", r)


harness.run(main)
