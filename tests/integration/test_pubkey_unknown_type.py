#!/usr/bin/python3
"""A publickey request for a key type privsshd's libssh does not know (ssh-dss, DSA) is answered at
once with a failure, as OpenSSH's sshd answers a key algorithm it does not support, so the client goes
on: alone, the DSA key is refused within seconds (not cut off at LoginGraceTime); offered before
alice's own key in the same connection, it is refused and alice's key logs in (the control)."""
import subprocess
import time

import harness
from harness import KEYS, Server, check, ssh

DSA = "/tmp/dsa"
# OpenSSH 9.2's client no longer offers DSA keys unless told to.
OFFER_DSA = ["-o", "PubkeyAcceptedAlgorithms=+ssh-dss"]


def main():
    subprocess.run(["ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", DSA], check=True)
    s = Server("LoginGraceTime 60").start()

    t = time.monotonic()
    r = ssh("echo no", key=DSA, opts=OFFER_DSA, timeout=90)
    took = time.monotonic() - t
    check("Offering public key: /tmp/dsa DSA" in r.log, "the client offers its DSA key", r)
    check(r.returncode == 255 and "Permission denied (publickey" in r.log,
          f"the DSA key alone is refused: Permission denied (exit {r.returncode})", r, s)
    check(took < 20, f"at once, not at LoginGraceTime 60 ({took:.1f} s)", r, s)

    t = time.monotonic()
    r = ssh("echo yes", key=DSA, opts=OFFER_DSA + ["-i", f"{KEYS}/alice"], timeout=90)
    took = time.monotonic() - t
    check(r.returncode == 0 and r.stdout == b"yes\n" and took < 20,
          f"offered after the DSA key, alice's own key logs in at once ({took:.1f} s)", r, s)
    check(s.wait_log(r"^Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 "),
          "log: Accepted publickey for alice ... ED25519", s)


harness.run(main)
