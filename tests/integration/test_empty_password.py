#!/usr/bin/python3
"""PermitEmptyPasswords, with OpenSSH's meaning, against the PAM stack Debian ships.

Debian's common-auth has "pam_unix.so nullok": without PAM_DISALLOW_NULL_AUTHTOK, pam_unix says yes
to an account whose shadow password field is empty, whatever was typed. So with carol's field
emptied and such a stack:
  - PermitEmptyPasswords no (the default): carol cannot log in, neither with an arbitrary password
    (the review's finding: it used to be "Accepted password for carol") nor with an empty one; alice,
    whose password is real, still logs in on the same server (control);
  - PermitEmptyPasswords yes: carol logs in with an empty password, which proves that the stack
    really is nullok and that the refusals above come from the flag, not from the fixture.
"""
import re

import harness
from harness import Server, check, ssh

SERVICE = "privsshd-nullok"


def empty_carols_password():
    with open("/etc/shadow") as f:
        lines = f.read().splitlines()
    out = []
    for line in lines:
        fields = line.split(":")
        if fields[0] == "carol":
            fields[1] = ""
        out.append(":".join(fields))
    with open("/etc/shadow", "w") as f:
        f.write("\n".join(out) + "\n")


def install_nullok_stack():
    """Debian's common-auth, as far as it matters here: pam_unix with nullok."""
    with open(f"/etc/pam.d/{SERVICE}", "w") as f:
        f.write("auth     required pam_unix.so nullok\n"
                "account  required pam_unix.so\n"
                "session  required pam_unix.so\n")


def main():
    empty_carols_password()
    install_nullok_stack()

    s = Server(f"PAMServiceName {SERVICE}").start()
    r = ssh("id -un", user="carol", password="definitely-not-the-password")
    check(r.returncode == 255 and r.stdout == b"",
          "PermitEmptyPasswords no: an arbitrary password does not open an account with an empty one", r)
    check(s.wait_log(r"^Failed password for carol from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Failed password for carol", s)
    r = ssh("id -un", user="carol", password="")
    check(r.returncode == 255 and r.stdout == b"", "PermitEmptyPasswords no: nor does an empty password", r)
    r = ssh("id -un", user="alice", password="alicepw")
    check(r.returncode == 0 and r.stdout == b"alice\n",
          "control: alice's real password still works through the same nullok stack", r)
    check(s.count(r"^Accepted password for carol") == 0, "no login accepted for carol", s)
    s.stop()

    s = Server(f"PAMServiceName {SERVICE}\nPermitEmptyPasswords yes", name="permit-empty").start()
    r = ssh("id -un", user="carol", password="")
    check(r.returncode == 0 and r.stdout == b"carol\n",
          "PermitEmptyPasswords yes: carol logs in with an empty password (the stack is nullok)", r)
    check(s.wait_log(r"^Accepted password for carol from 127\.0\.0\.1 port \d+ ssh2$"),
          "log: Accepted password for carol", s)
    r = ssh("id -un", user="alice", password="")
    check(r.returncode == 255 and r.stdout == b"",
          "PermitEmptyPasswords yes: an empty password does not open an account that has a password", r)

    if not harness.is_openssh():
        out = harness.run_cmd([harness.PRIVSSHD, "-T", "-f", s.config_path], capture_output=True,
                              text=True).stdout
        check(re.search(r"^permitemptypasswords yes$", out, re.M) is not None,
              "-T prints permitemptypasswords yes", out)


harness.run(main)
