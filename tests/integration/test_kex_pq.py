#!/usr/bin/python3
"""Post-quantum key exchange is negotiated by default: Debian 12's OpenSSH 9.2 client (which has
sntrup761x25519 but no ML-KEM) agrees on sntrup761x25519-sha512 under either of its names, with no
KexAlgorithms in the server's config. Control: a client that offers only curve25519-sha256 gets
curve25519-sha256, so the check reads the real negotiation from the client's log.
ML-KEM (mlkem768x25519-sha256, what OpenSSH 10's client prefers): offered by a client made with
libssh's client side (tests/helpers/kex-probe), which gets it; and not when the server's KexAlgorithms
leaves it out (control: the same probe gets curve25519-sha256)."""
import os
import re
import subprocess

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

    probe = os.environ.get("PRIVSSHD_KEX_PROBE")
    if not probe:
        check(not harness.MUST_RUN, "PRIVSSHD_KEX_PROBE names the kex-probe helper (meson sets it)")
        return

    def kex_with(offer):
        return subprocess.run([probe, "127.0.0.1", str(harness.PORT), offer], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    got = kex_with("mlkem768x25519-sha256")
    check(got == "mlkem768x25519-sha256", f"a client offering mlkem768x25519-sha256 gets it (got {got!r})")
    got = kex_with("curve25519-sha256")
    check(got == "curve25519-sha256", f"control: the same probe offering curve25519-sha256 gets it ({got!r})")
    harness.Server.stop_all()
    Server("KexAlgorithms -mlkem768x25519-sha256", name="no-mlkem").start()
    got = kex_with("mlkem768x25519-sha256")
    check(got.startswith("failed:"), f"a server whose KexAlgorithms removes it does not agree on it ({got!r})")
    got = kex_with("mlkem768x25519-sha256,curve25519-sha256")
    check(got == "curve25519-sha256", f"and agrees on the next one offered ({got!r})")


harness.run(main)
