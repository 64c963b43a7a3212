#!/usr/bin/python3
"""RevokedKeys for user certificates, as OpenSSH 9.2: KRLs made by `ssh-keygen -k` refuse a certificate
(TrustedUserCAKeys lists its CA) when they name it by serial (`-s ca.pub`, "serial: 5"), by a serial
range ("serial: 3-7"), by key ID ("id: victim"), when they revoke the certified key as a plain key, and
when they revoke the CA's key itself. In each case another certificate of the same CA (serial 100,
another key ID, another key) still logs in; for the revoked CA a certificate of a second CA does. The
log line is OpenSSH's: "Authentication key ED25519-CERT SHA256:<the certified key> revoked by file PATH",
for the revoked CA too (OpenSSH's KRL check of a certificate covers its CA's key).
The file is read anew for each connection (one server, the KRL rewritten between connections)."""
import os
import re
import subprocess

import harness
from harness import Server, check, ssh

D = "/tmp/revoked-certs"
KRL = f"{D}/krl"


def keygen(*args):
    subprocess.run(["ssh-keygen", "-q", *args], check=True, capture_output=True)


def krl(*args, spec=None):
    if os.path.exists(KRL):
        os.unlink(KRL)
    if spec is not None:
        with open(f"{D}/spec", "w") as f:
            f.write(spec)
        args = (*args, f"{D}/spec")
    r = harness.run_cmd(["ssh-keygen", "-q", "-k", "-f", KRL, *args])
    check(r.returncode == 0, f"ssh-keygen -k {' '.join(args)}", r.stdout, r.stderr)


def login(key):
    r = ssh("echo in", key=f"{D}/{key}", opts=["-o", f"CertificateFile={D}/{key}-cert.pub"])
    return r.returncode == 0 and r.stdout == b"in\n", r


def main():
    os.makedirs(D, exist_ok=True)
    for name in ("ca", "ca2", "victim", "other", "third"):
        if not os.path.exists(f"{D}/{name}"):
            keygen("-t", "ed25519", "-N", "", "-f", f"{D}/{name}")
    keygen("-s", f"{D}/ca", "-I", "victim", "-z", "5", "-n", "alice", f"{D}/victim.pub")
    keygen("-s", f"{D}/ca", "-I", "other-id", "-z", "100", "-n", "alice", f"{D}/other.pub")
    keygen("-s", f"{D}/ca2", "-I", "third", "-z", "5", "-n", "alice", f"{D}/third.pub")
    with open(f"{D}/cas", "w") as f:
        f.write(open(f"{D}/ca.pub").read() + open(f"{D}/ca2.pub").read())
    victim_fp = harness.fingerprint(f"{D}/victim.pub")

    exempt = "" if harness.is_openssh() else "PerSourcePenaltyExemptList 127.0.0.0/8\n"
    s = Server(f"{exempt}TrustedUserCAKeys {D}/cas\nRevokedKeys {KRL}\n").start()

    # The control: a KRL that revokes another serial of the CA; the victim's certificate logs in.
    krl("-s", f"{D}/ca.pub", spec="serial: 6\n")
    ok, r = login("victim")
    check(ok, "a KRL revoking serial 6 of the CA: the certificate with serial 5 logs in", r)

    cert_line = rf"^Authentication key ED25519-CERT {re.escape(victim_fp)} revoked by file {re.escape(KRL)}$"
    cases = [
        ("a KRL revoking serial 5 (-s ca.pub, serial: 5)", lambda: krl("-s", f"{D}/ca.pub", spec="serial: 5\n"),
         cert_line, "other"),
        ("a KRL revoking serials 3-7", lambda: krl("-s", f"{D}/ca.pub", spec="serial: 3-7\n"), cert_line, "other"),
        ("a KRL revoking key ID victim (id: victim)", lambda: krl("-s", f"{D}/ca.pub", spec="id: victim\n"),
         cert_line, "other"),
        ("a KRL revoking the certified key as a plain key", lambda: krl(f"{D}/victim.pub"), cert_line, "other"),
        ("a KRL revoking the CA's key", lambda: krl(f"{D}/ca.pub"), cert_line, "third"),
    ]
    for what, make, line, control in cases:
        make()
        n = s.count(line)
        ok, r = login("victim")
        check(not ok and r.returncode == 255, f"{what}: the certificate is refused", r)
        check(harness.wait_for(lambda: s.count(line) > n, 5), f"{what}: log: {line}", s)
        ok, r = login(control)
        check(ok, f"{what}: the certificate {control} still logs in", r)
    # Revoking the CA refuses every certificate it signed, the other one too.
    ok, r = login("other")
    check(not ok, "a KRL revoking the CA's key: the CA's other certificate is refused as well", r)
    s.stop()


harness.run(main)
