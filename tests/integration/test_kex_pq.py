#!/usr/bin/python3
"""Post-quantum key exchange is negotiated by default: Debian 12's OpenSSH 9.2 client (which has
sntrup761x25519 but no ML-KEM) agrees on sntrup761x25519-sha512 under either of its names, with no
KexAlgorithms in the server's config. Control: a client that offers only curve25519-sha256 gets
curve25519-sha256, so the check reads the real negotiation from the client's log."""
import re

import harness
from harness import Server, check, ssh

KEX_LINE = r"^debug1: kex: algorithm: (\S+)"


def negotiated(r):
    m = re.search(KEX_LINE, r.log, re.M)
    return m.group(1) if m else None


def main():
    Server().start()
    r = ssh("true")
    check(r.returncode == 0, "a default client logs in", r)
    kex = negotiated(r)
    check(kex in ("sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"),
          f"by default the key exchange is post-quantum sntrup761x25519-sha512 (got {kex})", r)

    r = ssh("true", opts=["-o", "KexAlgorithms=sntrup761x25519-sha512@openssh.com"])
    check(r.returncode == 0 and negotiated(r) == "sntrup761x25519-sha512@openssh.com",
          "a client offering only sntrup761x25519-sha512@openssh.com (OpenSSH 9.2's own name) gets it", r)

    r = ssh("true", opts=["-o", "KexAlgorithms=curve25519-sha256"])
    check(r.returncode == 0 and negotiated(r) == "curve25519-sha256",
          "control: a client offering only curve25519-sha256 gets curve25519-sha256", r)


harness.run(main)
