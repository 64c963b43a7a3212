#!/usr/bin/python3
"""A key login runs a command: its output and exit status reach the client, and the server logs
the login in OpenSSH's words with the key's type and fingerprint (ed25519, and RSA and ECDSA)."""
import re

import harness
from harness import KEYS, Server, check, ssh


def client_port(r):
    """The client's source port, as the session saw it in SSH_CLIENT ("127.0.0.1 PORT 2222")."""
    m = re.search(rb"^127\.0\.0\.1 (\d+) 2222$", r.stdout, re.M)
    return m.group(1).decode() if m else None


def main():
    s = Server().start()
    r = ssh("echo hi; exit 3")
    check(r.stdout == b"hi\n", "the command's output 'hi' reaches the client", r)
    check(r.returncode == 3, f"the command's exit status 3 is ssh's ({r.returncode})", r)
    fp = harness.fingerprint(f"{KEYS}/alice.pub")
    accepted = (r"^Accepted publickey for alice from 127\.0\.0\.1 port (\d+) ssh2: ED25519 "
                + re.escape(fp) + "$")
    check(s.wait_log(accepted), f"log: Accepted publickey for alice from 127.0.0.1 port N ssh2: ED25519 {fp}")

    r = ssh('echo "$SSH_CLIENT"; id -un')
    port = client_port(r)
    check(port and r.stdout.endswith(b"\nalice\n"), "a second login runs as alice", r)
    check(s.wait_log(accepted.replace(r"(\d+)", str(port))),
          f"the logged port is the client's source port ({port})", s)
    check(s.count(r"Accepted publickey for alice") == 2, "two logins, each logged once", s)
    check(s.count(r"Failed publickey|Failed password") == 0, "no failure logged for a good key", s)

    # The other key types OpenSSH's client makes by default.
    for kind, label in (("rsa", "RSA"), ("ecdsa", "ECDSA")):
        key = f"{KEYS}/alice-{kind}"
        harness.run_cmd(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"alice-{kind}", "-f", key])
        with open("/home/alice/.ssh/authorized_keys", "a") as f:
            f.write(open(key + ".pub").read())
        r = ssh(f"echo {kind}", key=key)
        check(r.stdout == f"{kind}\n".encode() and r.returncode == 0, f"a {label} key logs in", r)
        fp = harness.fingerprint(key + ".pub")
        check(s.wait_log(rf"^Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: {label} "
                         + re.escape(fp) + "$"),
              f"log: Accepted publickey ... ssh2: {label} {fp}", s)


harness.run(main)
