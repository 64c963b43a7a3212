#!/usr/bin/python3
"""HostCertificate: a host run by an SSH certificate authority. The OpenSSH client knows the host only
through "@cert-authority * CA" in known_hosts, with StrictHostKeyChecking yes (no trust on first use):
it logs in when the server presents a host certificate signed by that CA (for ed25519, ECDSA and RSA
keys, RSA under both rsa-sha2-*-cert-v01 algorithms, and with HostKeyAlgorithms naming a certificate
algorithm alone), and the same client fails host key verification against the same server without
the certificate (the control). Certificates that cannot be used are skipped at load with OpenSSH's
words (no such file, a plain key, a key that is no HostKey, a bad CA signature; a user certificate in
our own words: OpenSSH would serve it and clients refuse it), and the server keeps serving its plain
keys. An expired host certificate is served and the client refuses it, as with OpenSSH. -T prints
"hostcertificate" lines.

Reference differs: OpenSSH serves a user certificate as a host certificate and does not log it."""
import base64
import re
import shutil
import subprocess

import harness
from harness import Server, check

D = "/run/test-host-certificates"
CA = f"{D}/ca"


def keygen(path, kind, bits=None):
    argv = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "hostkey", "-f", path]
    if bits:
        argv += ["-b", str(bits)]
    harness.run_cmd(argv)


def certify(pub, host=True, validity="-5m:+1h", ca=CA, ident="test-host"):
    """ssh-keygen -s CA [-h] -I ident -n 127.0.0.1 -V validity: the certificate's path."""
    argv = ["ssh-keygen", "-q", "-s", ca, "-I", ident, "-n", "127.0.0.1", "-V", validity]
    if host:
        argv.append("-h")
    harness.run_cmd(argv + [pub], capture_output=True)
    return pub[:-len(".pub")] + "-cert.pub"


def ca_ssh(command, known_hosts, opts=(), verbose=1):
    """The OpenSSH client that trusts the CA only: known_hosts "@cert-authority * CA", strict checking
    (harness.ssh() turns host key checking off; this client turns it on)."""
    logfile = harness._new_logfile()
    argv = harness.ssh_argv("alice", command, opts=opts, verbose=verbose, logfile=logfile)
    fixed = {"StrictHostKeyChecking=no": "StrictHostKeyChecking=yes",
             "UserKnownHostsFile=/dev/null": f"UserKnownHostsFile={known_hosts}"}
    argv = [fixed.get(a, a) for a in argv]
    r = subprocess.run(argv, capture_output=True, timeout=60, env=harness.ssh_env())
    res = harness.SshResult(argv, r.returncode, r.stdout, r.stderr, logfile)
    harness._last_ssh = res
    return res


def cert_line(log):
    """The client's "Server host certificate: TYPE FP, serial S ID "ID" CA TYPE FP valid ..." line."""
    m = re.search(r"^debug1: Server host certificate: (\S+) (SHA256:\S+), serial \d+ ID \"([^\"]*)\"", log, re.M)
    return m.groups() if m else (None, None, None)


def main():
    harness.run_cmd(["mkdir", "-p", D])
    keygen(CA, "ed25519")
    known_hosts = f"{D}/known_hosts"
    with open(known_hosts, "w") as f:
        f.write("@cert-authority * " + open(CA + ".pub").read())

    keys = {"ed25519": f"{D}/host_ed25519", "ecdsa": f"{D}/host_ecdsa", "rsa": f"{D}/host_rsa"}
    keygen(keys["ed25519"], "ed25519")
    keygen(keys["ecdsa"], "ecdsa", 384)
    keygen(keys["rsa"], "rsa", 3072)
    certs = {k: certify(p + ".pub") for k, p in keys.items()}

    # The control first: the same client, the same host keys, no HostCertificate.
    plain = Server(config="\n".join(f"HostKey {p}" for p in keys.values()), name="hostcert-none").start()
    r = ca_ssh("echo in", known_hosts)
    check(r.returncode == 255 and "Host key verification failed." in r.log and r.stdout == b"",
          "without HostCertificate, the client that trusts the CA only fails host key verification", r, plain)
    plain.stop()

    config = "\n".join([f"HostKey {p}" for p in keys.values()] + [f"HostCertificate {c}" for c in certs.values()])
    s = Server(config=config, name="hostcert").start()
    r = ca_ssh("echo in", known_hosts, verbose=3)
    cert_type, fp, ident = cert_line(r.log)
    check(r.returncode == 0 and r.stdout == b"in\n" and cert_type == "ssh-ed25519-cert-v01@openssh.com"
          and ident == "test-host" and fp == harness.fingerprint(keys["ed25519"] + ".pub")
          and re.search(r"is known and matches the ED25519-CERT host certificate", r.log),
          f"with HostCertificate, the client logs in verifying the ed25519 host certificate ({cert_type} {fp})",
          r, s)
    # OpenSSH's client binds its publickey signature to the host key it saw, here the certificate: the
    # monitor checks the binding against the certificate (the login above would fail otherwise).
    check(re.search(r"using publickey-hostbound-v00@openssh.com with ED25519", r.log),
          "... with a host-bound publickey signature (bound to the certificate)", r)

    for alg, key in (("ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa"),
                     ("rsa-sha2-512-cert-v01@openssh.com", "rsa"),
                     ("rsa-sha2-256-cert-v01@openssh.com", "rsa")):
        r = ca_ssh("echo in", known_hosts, opts=("-o", f"HostKeyAlgorithms={alg}"))
        cert_type, fp, _ = cert_line(r.log)
        want = "ssh-rsa-cert-v01@openssh.com" if key == "rsa" else alg
        check(r.returncode == 0 and r.stdout == b"in\n" and cert_type == want
              and fp == harness.fingerprint(keys[key] + ".pub")
              and re.search(rf"^debug1: kex: host key algorithm: {re.escape(alg)}$", r.log, re.M),
              f"HostKeyAlgorithms={alg}: the client logs in verifying the {key} host certificate", r, s)

    # Plain host keys are still served next to the certificates.
    r = harness.ssh("echo plain", opts=("-o", "HostKeyAlgorithms=ssh-ed25519"))
    check(r.returncode == 0 and r.stdout == b"plain\n", "the plain ed25519 host key is still served", r, s)
    s.stop()

    # -T prints one hostcertificate line per file, in order, as OpenSSH's sshd -T.
    if not harness.is_openssh():
        t = subprocess.run([harness.PRIVSSHD, "-T", "-f", s.config_path], capture_output=True, text=True,
                           timeout=30)
        lines = [l for l in t.stdout.splitlines() if l.startswith("hostcertificate ")]
        check(t.returncode == 0 and lines == [f"hostcertificate {c}" for c in certs.values()],
              f"-T prints the hostcertificate lines ({lines})", t.stderr)

    # HostKeyAlgorithms naming a certificate algorithm alone: the certificate is served, the plain key not.
    s = Server(config=f"HostKey {keys['ed25519']}\nHostCertificate {certs['ed25519']}\n"
                      "HostKeyAlgorithms ssh-ed25519-cert-v01@openssh.com", name="hostcert-only").start()
    r = ca_ssh("echo in", known_hosts)
    check(r.returncode == 0 and r.stdout == b"in\n", "HostKeyAlgorithms ssh-ed25519-cert-v01@openssh.com alone: "
          "the client logs in with the certificate", r, s)
    r = harness.ssh("echo in", opts=("-o", "HostKeyAlgorithms=ssh-ed25519"))
    check(r.returncode == 255 and "no matching host key type found" in r.log,
          "... and a client that wants the plain ssh-ed25519 finds no matching host key type", r, s)
    s.stop()

    # Two ed25519 keys, the certificate for the second (as OpenSSH's cert-hostkey.sh has it): the first
    # key serves ssh-ed25519, the second its certificate, as OpenSSH's sshd does.
    first = f"{D}/first_ed25519"
    keygen(first, "ed25519")
    s = Server(config=f"HostKey {first}\nHostKey {keys['ed25519']}\nHostCertificate {certs['ed25519']}",
               name="hostcert-second").start()
    r = ca_ssh("echo in", known_hosts)
    cert_type, fp, _ = cert_line(r.log)
    check(r.returncode == 0 and r.stdout == b"in\n" and fp == harness.fingerprint(keys["ed25519"] + ".pub"),
          "the certificate of the second ed25519 HostKey is served (and signed for by that key)", r, s)
    r = harness.ssh("echo plain", opts=("-o", "HostKeyAlgorithms=ssh-ed25519"))
    m = re.search(r"^debug1: Server host key: ssh-ed25519 (SHA256:\S+)$", r.log, re.M)
    check(r.returncode == 0 and m and m.group(1) == harness.fingerprint(first + ".pub"),
          "... while the first ed25519 HostKey serves ssh-ed25519", r, s)
    s.stop()

    # Certificates that cannot be used: each skipped with its error, the plain keys still served.
    other = f"{D}/not_a_hostkey"
    keygen(other, "ed25519")
    foreign = certify(other + ".pub")
    # A user certificate for the ed25519 HostKey itself: only its type is wrong.
    shutil.copy(keys["ed25519"] + ".pub", f"{D}/user_of_hostkey.pub")
    user_cert = certify(f"{D}/user_of_hostkey.pub", host=False, ident="user")
    bad_sig = f"{D}/bad-signature-cert.pub"
    kind, b64, *rest = open(certs["ed25519"]).read().split()
    blob = bytearray(base64.b64decode(b64))
    blob[-10] ^= 0x01                               # inside the CA's signature
    with open(bad_sig, "w") as f:
        f.write(f"{kind} {base64.b64encode(bytes(blob)).decode()}\n")
    missing = f"{D}/missing-cert.pub"
    bad = [missing, keys["ecdsa"] + ".pub", foreign, user_cert, bad_sig]
    s = Server(config=f"HostKey {keys['ed25519']}\n" + "\n".join(f"HostCertificate {c}" for c in bad),
               name="hostcert-bad").start()
    r = harness.ssh("echo plain")
    check(r.returncode == 0 and r.stdout == b"plain\n",
          "with only unusable HostCertificate files, the plain host key is served", r, s)
    r = ca_ssh("echo in", known_hosts)
    check(r.returncode == 255 and "Host key verification failed." in r.log,
          "... and no certificate: the client that trusts the CA only fails host key verification", r, s)
    check(s.wait_log(rf"Could not load host certificate \"{re.escape(missing)}\": No such file or directory"),
          "a missing file: Could not load host certificate \"FILE\": No such file or directory", s)
    check(s.wait_log(rf"Certificate file is not a certificate: {re.escape(keys['ecdsa'])}\.pub$"),
          "a plain public key: Certificate file is not a certificate: FILE", s)
    check(s.wait_log(rf"No matching private key for certificate: {re.escape(foreign)}$"),
          "a certificate for a key that is no HostKey is refused at load: No matching private key for "
          "certificate: FILE", s)
    # OpenSSH 9.2 says "No such file or directory" for any file it cannot load (it tries FILE.pub last).
    check(s.wait_log(rf"Could not load host certificate \"{re.escape(bad_sig)}\": No such file or directory"),
          "a certificate whose CA signature does not verify is not loaded, in OpenSSH's words", s)
    check(s.wait_log(rf"host certificate \"{re.escape(bad_sig)}\": incorrect signature$"),
          "... and the next line says why: incorrect signature", s,
          reference_differs="OpenSSH does not say why")
    check(s.wait_log(rf"Certificate file is not a host certificate: {re.escape(user_cert)}$"),
          "a user certificate: Certificate file is not a host certificate: FILE", s,
          reference_differs="OpenSSH loads a user certificate as a host certificate (clients refuse it)")
    s.stop()

    # An expired host certificate is offered; the client refuses it (OpenSSH's client, as with sshd).
    expired_key = f"{D}/host_expired"
    keygen(expired_key, "ed25519")
    expired = certify(expired_key + ".pub", validity="20200101:20200102")
    s = Server(config=f"HostKey {expired_key}\nHostCertificate {expired}", name="hostcert-expired").start()
    r = ca_ssh("echo in", known_hosts)
    cert_type, fp, _ = cert_line(r.log)
    check(r.returncode == 255 and r.stdout == b"" and cert_type == "ssh-ed25519-cert-v01@openssh.com"
          and "Certificate invalid: expired" in r.log
          and "Host key verification failed." in r.log,
          "an expired host certificate is presented and the client refuses it", r, s)


harness.run(main)
