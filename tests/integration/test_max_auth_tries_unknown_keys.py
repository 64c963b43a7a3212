#!/usr/bin/python3
"""Publickey requests for a key type the server does not support (DSA: not in our libssh) count against
MaxAuthTries, as in OpenSSH's sshd: the worker's libssh cannot read such a key (patches/libssh/0011),
and the worker hands the request to the monitor, which counts and logs it (0015) instead of the worker
answering it alone, uncounted. With MaxAuthTries 2, a client offering three DSA keys before its good
one is cut off; the control: one DSA key before the good one logs in on the same server."""
import os

import harness
from harness import Server, check, ssh


def dsa_key(name):
    path = os.path.join(harness.KEYS, name)
    harness.run_cmd(["ssh-keygen", "-q", "-t", "dsa", "-N", "", "-C", name, "-f", path])
    return path


def offering(dsa_keys):
    """ssh with the DSA keys first, then alice's own key."""
    opts = ["-o", "PubkeyAcceptedAlgorithms=+ssh-dss"]
    for k in dsa_keys[1:] + [os.path.join(harness.KEYS, "alice")]:
        opts += ["-i", k]
    return ssh("echo in", key=dsa_keys[0], opts=opts)


def main():
    keys = [dsa_key(f"dsa{i}") for i in range(3)]
    s = Server("MaxAuthTries 2\nLogLevel VERBOSE").start()
    # OpenSSH's sshd (built with DSA) refuses ssh-dss by its default PubkeyAcceptedAlgorithms.
    refused = (r"^userauth_pubkey: (unsupported public key algorithm: ssh-dss|"
               r"signature algorithm ssh-dss not in PubkeyAcceptedAlgorithms) \[preauth\]$")

    r = offering(keys)
    check(r.returncode == 255 and r.stdout == b"" and "Too many authentication failures" in r.log,
          "MaxAuthTries 2: three DSA keys before the good one: cut off (Too many authentication failures)",
          r, s)
    check(s.wait_log(r"^maximum authentication attempts exceeded for alice from 127\.0\.0\.1 port \d+ ssh2"
                     r"( \[preauth\])?$"),
          "log: maximum authentication attempts exceeded for alice from 127.0.0.1 port N ssh2", s)
    check(s.count(refused) == 2, f"log: two refused ssh-dss requests ({s.count(refused)})", s)

    r = offering(keys[:1])
    check(r.returncode == 0 and r.stdout == b"in\n",
          "control: one DSA key before the good one logs in on the same server", r, s)


harness.run(main)
