#!/usr/bin/python3
"""RevokedKeys, as OpenSSH 9.2: a KRL made by `ssh-keygen -k` (the key itself, `hash:` its SHA256
fingerprint, `sha1:` and `sha256:` its hash) or a plain list of public keys refuses the keys it names
and no other: in each case carol's key still logs in. The file is read anew for each connection (one
server throughout, the file rewritten between connections). A
missing file refuses every key (OpenSSH fails closed), logged in OpenSSH's words; a password still
logs in then. `RevokedKeys none` revokes nothing."""
import os
import re

import harness
from harness import KEYS, Server, check, ssh

DIR = "/tmp/revoked"
PATH = f"{DIR}/revoked"


def keygen_krl(*args):
    if os.path.exists(PATH):
        os.unlink(PATH)
    r = harness.run_cmd(["ssh-keygen", "-q", "-k", "-f", PATH] + list(args))
    check(r.returncode == 0, f"ssh-keygen -k {' '.join(args)}", r.stdout, r.stderr)


def spec(text):
    p = f"{DIR}/spec"
    with open(p, "w") as f:
        f.write(text)
    return p


def logs_in(user):
    r = ssh("echo in", user=user, key=f"{KEYS}/{user}")
    return r.returncode == 0 and r.stdout == b"in\n", r


def main():
    os.makedirs(DIR, exist_ok=True)
    alice_fp = harness.fingerprint(f"{KEYS}/alice.pub")
    with open(f"{KEYS}/alice.pub") as f:
        alice_pub = f.read().strip()

    s = Server(f"RevokedKeys {PATH}").start()

    # An empty list revokes nothing: both log in (the file exists and is read).
    with open(PATH, "w") as f:
        f.write("# nothing revoked yet\n")
    ok, r = logs_in("alice")
    check(ok, "an empty RevokedKeys list: alice's key logs in", r)

    cases = [
        ("a KRL of alice's key (ssh-keygen -k alice.pub)", lambda: keygen_krl(f"{KEYS}/alice.pub")),
        ("a KRL by SHA256 fingerprint (hash: SHA256:...)", lambda: keygen_krl(spec(f"hash: {alice_fp}\n"))),
        ("a KRL by SHA-1 hash (sha1: key)", lambda: keygen_krl(spec(f"sha1: {alice_pub}\n"))),
        ("a KRL by SHA-256 hash (sha256: key)", lambda: keygen_krl(spec(f"sha256: {alice_pub}\n"))),
        ("a plain list with alice's key", lambda: open(PATH, "w").write(f"# revoked\n\n{alice_pub}\n")),
    ]
    for what, make in cases:
        make()
        n = s.count(r"revoked by file")
        ok, r = logs_in("alice")
        check(not ok and r.returncode == 255, f"{what}: alice's key is refused", r)
        check(s.wait_log(rf"^Authentication key ED25519 {re.escape(alice_fp)} revoked by file {PATH}$")
              and s.count(r"revoked by file") > n,
              f"{what}: log: Authentication key ED25519 SHA256:... revoked by file {PATH}", s)
        ok, r = logs_in("carol")
        check(ok, f"{what}: carol's key still logs in", r)

    # Fail closed: a missing file refuses every key, in OpenSSH's words; a password still works.
    os.unlink(PATH)
    ok, r = logs_in("alice")
    check(not ok, "RevokedKeys missing: alice's key is refused", r)
    ok, r = logs_in("carol")
    check(not ok, "RevokedKeys missing: carol's key is refused too", r)
    check(s.wait_log(rf"^Error checking authentication key ED25519 {re.escape(alice_fp)} in revoked keys file "
                     rf"{PATH}: No such file or directory$"),
          "log: Error checking authentication key ED25519 SHA256:... in revoked keys file PATH: "
          "No such file or directory", s)
    r = ssh("echo pw", user="alice", password="alicepw")
    check(r.returncode == 0 and r.stdout == b"pw\n", "RevokedKeys missing: a password still logs in", r)

    # A malformed KRL (the magic, then garbage) refuses every key as well.
    with open(PATH, "wb") as f:
        f.write(b"SSHKRL\n\0garbage")
    ok, r = logs_in("carol")
    check(not ok, "a malformed KRL: carol's key is refused", r)
    check(s.wait_log(r"^Error checking authentication key ED25519 \S+ in revoked keys file \S+: invalid format$"),
          "log: ... in revoked keys file PATH: invalid format", s)
    s.stop()

    s = Server("RevokedKeys none", name="none").start()
    ok, r = logs_in("alice")
    check(ok, "RevokedKeys none: alice's key logs in", r)


harness.run(main)
