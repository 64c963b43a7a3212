#!/usr/bin/python3
"""AuthenticationMethods, with the real OpenSSH client and real PAM modules:
- `publickey,keyboard-interactive` with a TOTP second factor (Debian's pam_oath, the code computed by
  oathtool when the client asks): the key gives partial success ("Partial publickey" logged), the
  code the login ("Accepted keyboard-interactive/pam"); a wrong code, or the key alone, is refused;
  password is not offered at all;
- alternatives (`publickey password`): either one alone;
- order (`password,publickey`): the password first, then the key;
- `publickey,publickey`: two different keys; the same key twice is not enough;
- the configuration: `any` only alone, unknown methods and lists the enabled methods cannot satisfy
  refused, -T prints the lists."""
import subprocess

import auth_steps
import harness
from auth_steps import write
from harness import KEYS, Server, check

SECRET = "3132333435363738393031323334353637383930"
ASKPASS = "/tmp/am-askpass"


def client(user, keys=(), answer=None, kbd=True, password=False, command="echo in"):
    write("/tmp/am-answer", answer or "")
    return auth_steps.client(user, command, ASKPASS, keys, kbd=kbd, password=password)


def main():
    harness.ours_only("the same configuration runs against OpenSSH in the reference; the logs are ours")
    # The askpass answers: "TOTP" -> the current code from oathtool, anything else as it is.
    write(ASKPASS, "#!/bin/sh\na=$(cat /tmp/am-answer)\n"
          f"if [ \"$a\" = TOTP ]; then exec oathtool --totp {SECRET}; fi\necho \"$a\"\n", 0o755)
    write("/etc/users.oath", f"HOTP/T30 alice - {SECRET}\n", 0o600)
    write("/etc/pam.d/totp", "auth requisite pam_oath.so usersfile=/etc/users.oath window=4 digits=6\n"
          "account required pam_unix.so\nsession required pam_unix.so\n")
    key = f"{KEYS}/alice"

    s = Server("PAMServiceName totp\nAuthenticationMethods publickey,keyboard-interactive", name="totp").start()
    rc, out, err = client("alice", [key], "TOTP")
    check(rc == 0 and out == b"in\n", "a key and then the TOTP code log in", err)
    check("partial success" in err, "the client was told: partial success after the key", err)
    check(s.wait_log(r"Partial publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 SHA256:") and
          s.wait_log(r"Accepted keyboard-interactive/pam for alice from 127\.0\.0\.1 port \d+ ssh2$"),
          "logged: Partial publickey, then Accepted keyboard-interactive/pam", s.text())
    rc, out, err = client("alice", [key], "000000")
    check(rc == 255 and out == b"", "a wrong code is refused", err)
    check(s.wait_log(r"Failed keyboard-interactive/pam for alice"), "and logged", s.text())
    rc, out, err = client("alice", [key], kbd=False)
    check(rc == 255 and "partial success" in err, "the key alone is not enough", err)
    rc, out, err = client("alice", [], "alicepw", kbd=False, password=True)
    check(rc == 255 and "Permission denied (publickey)" in err,
          "password is not offered (only the first step, publickey, is)", err)
    s.stop()

    s = Server("AuthenticationMethods publickey password", name="alternatives").start()
    rc, out, err = client("alice", [key])
    check(rc == 0, "publickey password: the key alone logs in", err)
    rc, out, err = client("alice", [], "alicepw", kbd=False, password=True)
    check(rc == 0, "publickey password: the password alone logs in", err)
    s.stop()

    s = Server("AuthenticationMethods password,publickey", name="order").start()
    rc, out, err = client("alice", [key], "alicepw", kbd=False, password=True)
    check(rc == 0, "password,publickey: the password, then the key", err)
    check(s.wait_log(r"Partial password for alice from") and s.wait_log(r"Accepted publickey for alice from"),
          "in that order", s.text())
    rc, out, err = client("alice", [key], kbd=False)
    check(rc == 255, "the key alone, first, is not enough", err)
    s.stop()

    # Two keys: a second one for alice.
    second = "/tmp/alice-second"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", second], check=True)
    with open("/home/alice/.ssh/authorized_keys", "a") as f:
        f.write(open(second + ".pub").read())
    s = Server("AuthenticationMethods publickey,publickey", name="two-keys").start()
    rc, out, err = client("alice", [key, second])
    check(rc == 0, "publickey,publickey: two keys log in", err)
    check(s.count(r"Partial publickey for alice") == 1 and s.count(r"Accepted publickey for alice") == 1,
          "one partial, one accepted", s.text())
    rc, out, err = client("alice", [key])
    check(rc == 255, "one key twice is not two keys", err)
    s.stop()

    # The configuration.
    for conf, said in (("AuthenticationMethods any publickey", '"any" must appear alone'),
                       ("AuthenticationMethods hostbased", 'unknown or unsupported method "hostbased"'),
                       ("AuthenticationMethods publickey,gssapi-with-mic", 'unsupported method "gssapi-with-mic"'),
                       ("AuthenticationMethods password\nPasswordAuthentication no",
                        "AuthenticationMethods cannot be satisfied by enabled authentication methods")):
        bad = Server(conf, name="bad")
        r = subprocess.run([harness.PRIVSSHD, "-t", "-f", bad.config_path], capture_output=True, text=True)
        check(r.returncode != 0 and said in r.stderr, f"refused: {conf!r}", r.stderr)
    good = Server("AuthenticationMethods publickey,keyboard-interactive:pam password", name="good")
    r = subprocess.run([harness.PRIVSSHD, "-T", "-f", good.config_path], capture_output=True, text=True)
    check(r.returncode == 0 and "authenticationmethods publickey,keyboard-interactive:pam password\n" in r.stdout,
          "-T prints the lists", r.stdout + r.stderr)


harness.run(main)
