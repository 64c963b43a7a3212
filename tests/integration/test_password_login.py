#!/usr/bin/python3
"""A password login (the OpenSSH client asking askpass) is checked by PAM (pam_unix against the
fixture /etc/shadow), runs the command as the user, and is logged in OpenSSH's words."""
import os
import re

import harness
from harness import Server, check, ssh


def main():
    s = Server().start()
    r = ssh('echo pw; id -un; echo "$SSH_CLIENT"', password="alicepw")
    lines = r.stdout.decode(errors="replace").splitlines()
    check(r.returncode == 0 and lines[:2] == ["pw", "alice"], "alice logs in with her password", r)
    check("read_passphrase: requested to askpass" in r.log, "the client asked askpass for the password", r)
    m = re.fullmatch(r"127\.0\.0\.1 (\d+) 2222", lines[2] if len(lines) > 2 else "")
    port = m.group(1) if m else r"\d+"
    check(s.wait_log(rf"^Accepted password for alice from 127\.0\.0\.1 port {port} ssh2$"),
          f"log: Accepted password for alice from 127.0.0.1 port {port} ssh2", s)

    r = ssh("id -un; readlink /proc/$$/exe", user="carol", password="carolpw")
    check(r.returncode == 0 and r.stdout == b"carol\n" + os.path.realpath("/bin/sh").encode() + b"\n",
          "carol logs in with hers; her command runs in her shell, /bin/sh", r)
    check(s.wait_log(r"^Accepted password for carol from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Accepted password for carol", s)

    r = ssh("echo no", user="carol", password="alicepw")
    check(r.returncode == 255 and r.stdout == b"", "alice's password does not let carol in", r)
    check(s.count(r"^Accepted password") == 2, "exactly the two good logins were accepted", s)


harness.run(main)
