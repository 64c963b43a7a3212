#!/usr/bin/python3
"""Security-key user keys (sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com) with the
real OpenSSH client. The keys are made by ssh-keygen with OpenSSH's regress-suite authenticator
sk-dummy.so (from Debian's openssh-tests, unpacked by tools/install-deps test), which signs with the
flags the key was made with: user presence (0x01) by default, none with `-O no-touch-required`, and
user verification (0x04) as well with `-O verify-required` (the client then asks for a PIN, which
sk-dummy ignores: our askpass answers it). So both sides of every flag rule are real signatures:

  - each type logs in ("Accepted publickey ... ED25519-SK" / "ECDSA-SK"), which only a monitor that
    verifies PROTOCOL.u2f's signed data (SHA256(application) || flags || counter || SHA256(message))
    can allow;
  - a signature without user presence is refused with OpenSSH's ERROR line "... rejected: user
    presence (authenticator touch) requirement not met", and let in when the key's line says
    no-touch-required; PubkeyAuthOptions touch-required refuses it again;
  - the verify-required key option and PubkeyAuthOptions verify-required refuse a signature without
    user verification ("... user verification requirement not met"), and let in one with it.
"""
import os
import re

import harness
from harness import CLIENT_HOME, Server, check, ssh

AUTHKEYS = "/home/alice/.ssh/authorized_keys"
SK_DUMMY = os.path.join(harness.SRCDIR, ".cache", "openssh-tests", "usr", "lib", "openssh", "regress",
                        "misc", "sk-dummy", "sk-dummy.so")
SKDIR = "/tmp/sk-keys"


def keygen(name, ktype, *options):
    path = f"{SKDIR}/{name}"
    argv = ["ssh-keygen", "-q", "-t", ktype, "-w", SK_DUMMY, "-N", "", "-C", name, "-f", path]
    for o in options:
        argv += ["-O", o]
    harness.run_cmd(argv)
    with open(path + ".pub") as f:
        return path, f.read().strip()


def authorize(*lines):
    with open(AUTHKEYS, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def login(key):
    # The PIN that a verify-required key asks for comes from the harness's askpass.
    env = {"SSH_ASKPASS": f"{CLIENT_HOME}/askpass", "SSH_ASKPASS_REQUIRE": "force",
           "PRIVSSHD_TEST_PASSWORD": "1234"}
    return ssh("echo in", key=key, opts=["-o", f"SecurityKeyProvider={SK_DUMMY}"], env=env)


def logs_in(s, key, label, what):
    before = s.count(rf"Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: {label} SHA256:")
    r = login(key)
    check(r.returncode == 0 and r.stdout == b"in\n", f"{what}: logs in (exit {r.returncode})", r, s)
    check(s.count(rf"Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: {label} SHA256:") > before,
          f"{what}: log: Accepted publickey ... {label}", s)


def refused(s, key, label, requirement, what):
    line = (rf"public key {label} SHA256:\S+ signature for alice from 127\.0\.0\.1 port \d+ rejected: "
            rf"{re.escape(requirement)} requirement not met")
    before = s.count(line)
    r = login(key)
    check(r.returncode == 255 and r.stdout == b"" and "Permission denied" in r.log,
          f"{what}: refused (exit {r.returncode})", r, s)
    check(harness.wait_for(lambda: s.count(line) > before, 5), f"{what}: log: ... rejected: {requirement} "
          "requirement not met", s)
    check(harness.wait_for(lambda: s.count(rf"Failed publickey for alice from 127\.0\.0\.1 port \d+ ssh2: "
                                           rf"{label} SHA256:") > 0, 5), f"{what}: log: Failed publickey", s)


def main():
    if not os.path.exists(SK_DUMMY):
        harness.skip(f"{SK_DUMMY} is missing: run tools/install-deps test (it unpacks openssh-tests)")
    os.makedirs(SKDIR, exist_ok=True)
    ed, ed_pub = keygen("ed25519-sk", "ed25519-sk")
    ec, ec_pub = keygen("ecdsa-sk", "ecdsa-sk")
    notouch, notouch_pub = keygen("ed25519-sk-notouch", "ed25519-sk", "no-touch-required")
    verified, verified_pub = keygen("ecdsa-sk-verify", "ecdsa-sk", "verify-required")

    s = Server("LogLevel DEBUG1").start()

    authorize(ed_pub, ec_pub)
    logs_in(s, ed, "ED25519-SK", "sk-ssh-ed25519 (touched)")
    logs_in(s, ec, "ECDSA-SK", "sk-ecdsa-sha2-nistp256 (touched)")

    # User presence: required unless the line says no-touch-required.
    authorize(notouch_pub)
    refused(s, notouch, "ED25519-SK", "user presence (authenticator touch)", "an untouched signature")
    authorize("no-touch-required " + notouch_pub)
    logs_in(s, notouch, "ED25519-SK", "an untouched signature, key line no-touch-required")

    # User verification: required by the key option.
    authorize("verify-required " + ec_pub)
    refused(s, ec, "ECDSA-SK", "user verification", "verify-required, a signature without verification")
    authorize("verify-required " + verified_pub)
    logs_in(s, verified, "ECDSA-SK", "verify-required, a verified signature")
    s.stop()

    # PubkeyAuthOptions: touch-required overrides no-touch-required; verify-required for every key.
    s2 = Server("LogLevel DEBUG1\nPubkeyAuthOptions touch-required", name="touch").start()
    authorize("no-touch-required " + notouch_pub, ed_pub)
    refused(s2, notouch, "ED25519-SK", "user presence (authenticator touch)",
            "PubkeyAuthOptions touch-required, key line no-touch-required")
    logs_in(s2, ed, "ED25519-SK", "PubkeyAuthOptions touch-required, a touched signature")
    s2.stop()

    s3 = Server("LogLevel DEBUG1\nPubkeyAuthOptions verify-required", name="verify").start()
    authorize(ed_pub, verified_pub)
    refused(s3, ed, "ED25519-SK", "user verification", "PubkeyAuthOptions verify-required, no verification")
    logs_in(s3, verified, "ECDSA-SK", "PubkeyAuthOptions verify-required, a verified signature")


harness.run(main)
