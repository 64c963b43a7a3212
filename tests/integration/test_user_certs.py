#!/usr/bin/python3
"""OpenSSH user certificates (ssh-keygen -s), with the real OpenSSH client: the monitor verifies the
CA's signature and every check itself, as OpenSSH's sshd 9.2 does, and logs in its words.

  - TrustedUserCAKeys: a certificate for alice signed by the listed CA logs in ("Accepted publickey
    ... ED25519-CERT SHA256:... ID ... (serial 7) CA ED25519 SHA256:..."); beside it, each refused:
    expired, not yet valid, another principal, no principals, another CA; source-address from
    elsewhere (with its control); an unknown critical option (an unknown extension is ignored);
    an RSA CA signing with SHA-1 (not in the default CASignatureAlgorithms); CASignatureAlgorithms
    without the CA's algorithm (its control logs in); force-command is run instead of the client's command; without permit-pty no terminal, without
    permit-port-forwarding no forwarding (each with its control); RSA and ECDSA certificates.
    ExposeAuthInfo writes the certificate as OpenSSH does; PubkeyAcceptedAlgorithms naming certificates
    only lets certificates in (ed25519 and RSA) and not plain keys; with AuthenticationMethods
    publickey,publickey a certificate and its own key are one key, with another key two.
  - AuthorizedPrincipalsFile: the principal must be in the user's file, not the user name.
  - authorized_keys cert-authority: the CA's line lets its certificates in (and principals="..."
    names who, also for a certificate held in an agent), a plain line for the same key does not, an
    expired certificate or another principal is refused.
The certified key is never in authorized_keys, so only the certificate can let it in."""
import os
import re
import subprocess

import harness
from harness import Server, check, ssh

D = "/tmp/certs"
AUTHKEYS = "/home/alice/.ssh/authorized_keys"


def keygen(*args):
    subprocess.run(["ssh-keygen", "-q", *args], check=True, capture_output=True)


def fp(pub):
    out = subprocess.run(["ssh-keygen", "-lf", pub], check=True, capture_output=True, text=True).stdout
    return out.split()[1]


def make_key(name, kind="ed25519", bits=None):
    keygen("-t", kind, *(["-b", str(bits)] if bits else []), "-N", "", "-f", f"{D}/{name}")


def sign(ca, key, ident, *opts, principals="alice", serial=7, validity=None, host=False):
    """Certificate of key.pub, signed by ca: D/<key>-cert.pub (a new one each call)."""
    args = ["-s", f"{D}/{ca}", "-I", ident, "-z", str(serial)]
    if principals is not None:
        args += ["-n", principals]
    if validity:
        args += ["-V", validity]
    if host:
        args.append("-h")
    for o in opts:
        args += ["-O", o]
    keygen(*args, f"{D}/{key}.pub")


def login(key, command="echo in", opts=()):
    return ssh(command, key=f"{D}/{key}", opts=["-o", f"CertificateFile={D}/{key}-cert.pub", *opts])


def logs_in(key, what, command="echo in", opts=(), out=b"in\n"):
    r = login(key, command, opts)
    check(r.returncode == 0 and (out is None or r.stdout == out), f"{what}: logs in", r)
    return r


def refused(s, key, what, line):
    before = s.count(line)
    r = login(key)
    check(r.returncode == 255 and r.stdout == b"" and "Permission denied" in r.log, f"{what}: refused", r)
    check(harness.wait_for(lambda: s.count(line) > before, 5), f"{what}: log says {line!r}", s)


def main():
    os.makedirs(D, exist_ok=True)
    for name in ("ca", "ca2", "user", "user2"):
        make_key(name)
    make_key("ca_rsa", "rsa", 3072)
    make_key("user_rsa", "rsa", 3072)
    make_key("user_ecdsa", "ecdsa", 384)
    exempt = "" if harness.is_openssh() else "PerSourcePenaltyExemptList 127.0.0.0/8\n"
    with open(f"{D}/cas", "w") as f:
        f.write(f"# the CAs\n{open(f'{D}/ca.pub').read()}{open(f'{D}/ca_rsa.pub').read()}")
    s = Server(f"LogLevel DEBUG1\n{exempt}TrustedUserCAKeys {D}/cas\nExposeAuthInfo yes\n").start()

    # The control, with the line operators and fail2ban read.
    sign("ca", "user", "alice-key-1")
    logs_in("user", "certificate signed by a TrustedUserCAKeys CA")
    accepted = (rf"^Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519-CERT "
                rf"{re.escape(fp(D + '/user.pub'))} ID alice-key-1 \(serial 7\) CA ED25519 "
                rf"{re.escape(fp(D + '/ca.pub'))}$")
    check(s.count(accepted) == 1, "log: Accepted publickey ... ED25519-CERT ... ID ... (serial 7) CA ED25519 ...", s)
    check(s.count(rf'Accepted certificate ID "alice-key-1" \(serial 7\) signed by ED25519 CA '
                  rf'{re.escape(fp(D + "/ca.pub"))} via {D}/cas') >= 1, "log: Accepted certificate ID ... via", s)

    # ExposeAuthInfo: the certificate as OpenSSH writes it (its type and the whole certificate).
    cert_text = " ".join(open(f"{D}/user-cert.pub").read().split()[:2])
    r = ssh('cat "$SSH_USER_AUTH"', key=f"{D}/user", opts=["-o", f"CertificateFile={D}/user-cert.pub"])
    check(r.returncode == 0 and r.stdout.decode() == f"publickey {cert_text}\n",
          "ExposeAuthInfo: publickey ssh-ed25519-cert-v01@openssh.com <the certificate>", r)

    sign("ca", "user", "expired", validity="20000101:20010101")
    refused(s, "user", "expired certificate", "Certificate invalid: expired")
    sign("ca", "user", "future", validity="+520w:+521w")
    refused(s, "user", "certificate not yet valid", "Certificate invalid: not yet valid")
    sign("ca", "user", "bob", principals="bob,carol")
    refused(s, "user", "certificate for other principals", "Certificate invalid: name is not a listed principal")
    sign("ca", "user", "noprincipals", principals=None)
    refused(s, "user", "certificate without principals", "Certificate lacks principal list")
    sign("ca2", "user", "other-ca")
    refused(s, "user", "certificate of a CA not in TrustedUserCAKeys",
            r"Failed publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519-CERT .* ID other-ca ")
    # (A host certificate is not offered by the OpenSSH client at all: the unit test holds the monitor's
    # "Certificate invalid: not a user certificate" to it.)

    sign("ca", "user", "critical", "critical:frobnicate@example.com=x")
    refused(s, "user", "unknown critical option", 'Certificate critical option "frobnicate@example.com" is not supported')
    sign("ca", "user", "extension", "extension:frobnicate@example.com=x")
    logs_in("user", "unknown extension (ignored, as OpenSSH)")
    check(s.count('Certificate extension "frobnicate@example.com" is not supported') >= 1,
          "log: the unknown extension is named", s)

    # source-address, each refusal with its control.
    sign("ca", "user", "src-ok", "source-address=127.0.0.1/32,10.0.0.0/8")
    logs_in("user", "source-address=127.0.0.1/32,10.0.0.0/8 from 127.0.0.1")
    sign("ca", "user", "src-bad", "source-address=10.0.0.0/8")
    refused(s, "user", "source-address=10.0.0.0/8 from 127.0.0.1",
            r"cert: Authentication tried for alice with valid certificate but not from a permitted source "
            r"address \(127\.0\.0\.1\)\.")

    # force-command
    sign("ca", "user", "forced", "force-command=echo forced")
    logs_in("user", "force-command=echo forced", command="echo mine", out=b"forced\n")

    # permit-pty and permit-port-forwarding: granted by default (ssh-keygen), absent when cleared.
    sign("ca", "user", "all")
    r = logs_in("user", "default certificate, ssh -tt", command="tty", opts=["-tt"], out=None)
    check(r.returncode == 0 and b"/dev/pts/" in r.stdout, "default certificate: a terminal", r)
    r = login("user", "true", opts=["-W", "127.0.0.1:2222"])
    check(b"SSH-2.0" in r.stdout, "default certificate: ssh -W forwards", r)
    sign("ca", "user", "nopty", "no-pty")
    r = login("user", "tty", opts=["-tt"])
    check(b"/dev/pts/" not in r.stdout and "PTY allocation request failed" in r.log + r.stderr.decode(),
          "no-pty certificate: no terminal", r)
    sign("ca", "user", "nofwd", "no-port-forwarding")
    r = login("user", "true", opts=["-W", "127.0.0.1:2222"])
    check(b"SSH-2.0" not in r.stdout and "administratively prohibited" in r.log + r.stderr.decode(),
          "no-port-forwarding certificate: ssh -W refused", r)

    # Other key types, RSA with an RSA CA (rsa-sha2-512).
    sign("ca_rsa", "user_rsa", "rsa-cert")
    logs_in("user_rsa", "RSA certificate by an RSA CA")
    check(s.count(r"ssh2: RSA-CERT SHA256:\S+ ID rsa-cert \(serial 7\) CA RSA SHA256:") == 1,
          "log: RSA-CERT ... CA RSA", s)
    # An RSA CA signing with SHA-1 (ssh-rsa): not in the default CASignatureAlgorithms.
    keygen("-s", f"{D}/ca_rsa", "-t", "ssh-rsa", "-I", "sha1-cert", "-n", "alice", f"{D}/user_rsa.pub")
    refused(s, "user_rsa", "RSA CA signing with ssh-rsa (SHA-1), default CASignatureAlgorithms",
            "certificate signature algorithm ssh-rsa: signature algorithm not supported")
    sign("ca", "user_ecdsa", "ecdsa-cert")
    logs_in("user_ecdsa", "ECDSA certificate")
    s.stop()

    # CASignatureAlgorithms without the RSA CA's algorithm: refused; the ed25519 CA still logs in.
    s = Server(f"LogLevel DEBUG1\n{exempt}TrustedUserCAKeys {D}/cas\nCASignatureAlgorithms ssh-ed25519\n").start()
    sign("ca_rsa", "user_rsa", "rsa-cert")
    refused(s, "user_rsa", "CASignatureAlgorithms ssh-ed25519, RSA CA",
            "certificate signature algorithm rsa-sha2-512: signature algorithm not supported")
    sign("ca", "user", "ed-ca")
    logs_in("user", "CASignatureAlgorithms ssh-ed25519, ed25519 CA")
    s.stop()

    # PubkeyAcceptedAlgorithms naming certificates only: the certificate logs in, alice's plain key does not.
    s = Server(f"LogLevel DEBUG1\n{exempt}TrustedUserCAKeys {D}/cas\n"
               "PubkeyAcceptedAlgorithms *-cert-v01@openssh.com\n").start()
    sign("ca", "user", "certs-only")
    logs_in("user", "PubkeyAcceptedAlgorithms *-cert-v01@openssh.com, a certificate")
    sign("ca_rsa", "user_rsa", "certs-only-rsa")
    logs_in("user_rsa", "PubkeyAcceptedAlgorithms *-cert-v01@openssh.com, an RSA certificate")
    r = ssh("echo in")
    check(r.returncode == 255 and r.stdout == b"", "PubkeyAcceptedAlgorithms *-cert-v01@openssh.com: a plain key "
          "is refused", r)
    s.stop()

    # AuthenticationMethods publickey,publickey: a certificate and its own plain key are one key (as
    # OpenSSH compares public keys); the certificate and another key are two.
    s = Server(f"LogLevel DEBUG1\n{exempt}TrustedUserCAKeys {D}/cas\nAuthenticationMethods publickey,publickey\n").start()
    with open(AUTHKEYS, "w") as f:
        f.write(open(f"{D}/user.pub").read() + open(f"{harness.KEYS}/alice.pub").read())
    sign("ca", "user", "two-keys")
    cert_opt = ["-o", f"CertificateFile={D}/user-cert.pub"]
    r = ssh("echo in", key=f"{D}/user", opts=cert_opt)
    check(r.returncode == 255 and r.stdout == b"", "publickey,publickey: a certificate and its own key are one", r)
    r = ssh("echo in", key=f"{D}/user", opts=cert_opt + ["-i", f"{harness.KEYS}/alice"])
    check(r.returncode == 0 and r.stdout == b"in\n", "publickey,publickey: a certificate and another key are two", r)
    s.stop()
    with open(AUTHKEYS, "w") as f:
        f.write(open(f"{harness.KEYS}/alice.pub").read())

    # AuthorizedPrincipalsFile: the names in the user's file, not the user's name.
    os.makedirs("/etc/privsshd-principals", exist_ok=True)
    with open("/etc/privsshd-principals/alice", "w") as f:
        f.write("# alice's principals\nops\n")
    s = Server(f"LogLevel DEBUG1\n{exempt}TrustedUserCAKeys {D}/cas\n"
               "AuthorizedPrincipalsFile /etc/privsshd-principals/%u\n").start()
    sign("ca", "user", "ops", principals="ops")
    logs_in("user", "AuthorizedPrincipalsFile naming a principal of the certificate")
    sign("ca", "user", "alice-only", principals="alice")
    refused(s, "user", "AuthorizedPrincipalsFile naming none of its principals",
            "Certificate does not contain an authorized principal")
    s.stop()

    # authorized_keys cert-authority (no TrustedUserCAKeys).
    s = Server(f"LogLevel DEBUG1\n{exempt}").start()
    ca2 = open(f"{D}/ca2.pub").read()
    with open(AUTHKEYS, "w") as f:
        f.write(f"cert-authority {ca2}")
    sign("ca2", "user2", "ak-1", serial=9)
    logs_in("user2", "cert-authority line for the certificate's CA")
    check(s.count(rf'Accepted certificate ID "ak-1" \(serial 9\) signed by CA ED25519 '
                  rf'{re.escape(fp(D + "/ca2.pub"))} found at {AUTHKEYS}:1') >= 1,
          "log: Accepted certificate ... found at authorized_keys:1", s)
    sign("ca2", "user2", "ak-expired", validity="20000101:20010101")
    refused(s, "user2", "cert-authority, expired certificate", "Certificate invalid: expired")
    sign("ca2", "user2", "ak-bob", principals="bob")
    refused(s, "user2", "cert-authority, another principal", "Certificate invalid: name is not a listed principal")
    with open(AUTHKEYS, "w") as f:
        f.write(ca2)
    sign("ca2", "user2", "ak-plain")
    refused(s, "user2", "the CA's key on a plain line (no cert-authority)",
            r"Failed publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519-CERT .* ID ak-plain ")
    with open(AUTHKEYS, "w") as f:
        f.write(f'cert-authority,principals="ops,dev" {ca2}')
    sign("ca2", "user2", "ak-ops", principals="dev")
    logs_in("user2", 'cert-authority,principals="ops,dev", certificate for dev')
    # The same through an agent holding the key and its certificate (as OpenSSH's agent.sh).
    agent = subprocess.run(["ssh-agent", "-s", "-a", f"{D}/agent.sock"], check=True, capture_output=True, text=True)
    agent_pid = re.search(r"SSH_AGENT_PID=(\d+)", agent.stdout).group(1)
    try:
        env = dict(os.environ, SSH_AUTH_SOCK=f"{D}/agent.sock")
        subprocess.run(["ssh-add", "-q", f"{D}/user2"], check=True, capture_output=True, env=env)
        listed = subprocess.run(["ssh-add", "-l"], capture_output=True, text=True, env=env).stdout
        check("ED25519-CERT" in listed, "the agent holds the key and its certificate", listed)
        r = ssh("echo in", key=f"{D}/user2.pub", opts=["-o", f"CertificateFile={D}/user2-cert.pub"],
                env={"SSH_AUTH_SOCK": f"{D}/agent.sock"})
        check(r.returncode == 0 and r.stdout == b"in\n",
              'cert-authority,principals="ops,dev": the certificate in an agent logs in', r)
    finally:
        subprocess.run(["kill", agent_pid])
    sign("ca2", "user2", "ak-alice", principals="alice")
    refused(s, "user2", 'cert-authority,principals="ops,dev", certificate for alice',
            "Certificate does not contain an authorized principal")
    s.stop()


harness.run(main)
