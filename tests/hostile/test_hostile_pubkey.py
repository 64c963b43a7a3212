#!/usr/bin/python3
"""A taken-over worker cannot log in with a publickey without the key: the monitor verifies every
signature itself, over signed data that must carry this connection's session identifier (the first
exchange hash, which the monitor recorded when it signed it), the user asked for, the authorized key
and, host-bound, our host key. The fake worker (fake_worker.py) claims logins as root with a
missing, forged, replayed (another session's), mismatched-user or other-key signature: each is
answered with a failure and logged "Failed publickey"; the control, a good signature made here
(ed25519_sign.py, RFC 8032) over the right data, logs in, plain and host-bound.
User certificates (built and signed here, ed25519, a CA in TrustedUserCAKeys): a good one signed by
the CA logs in; one whose CA signature was changed, one whose signed body was changed (its principal)
after signing, one signed by a CA not listed, one whose CA is itself a certificate, one with an unknown
critical option, one signed by the user with another key, and a certificate relayed under a plain key
type are refused: the monitor verifies the CA itself and believes nothing the worker says of it.
Security keys (sk-ssh-ed25519@openssh.com, keys made here): a good PROTOCOL.u2f signature logs in
(with and without user presence where the key line allows it, with user verification where it
requires it); a forged one, one whose flags byte was changed after signing, one made for another
application, one with a short counter or trailing bytes, one in the plain ed25519 format, and one
without the presence or verification its key line requires are refused.
Needs root (the monitor is root) and a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER)."""
import base64
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import ed25519_sign  # noqa: E402
import fake_worker_run  # noqa: E402

from fake_worker_run import check  # noqa: E402

fake_worker_run.skip_unless_runnable()


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path], check=True)
    blob = base64.b64decode(open(path + ".pub").read().split()[1])
    text = open(path).read()
    raw = base64.b64decode("".join(l for l in text.splitlines() if not l.startswith("-----")))
    seed = raw[raw.index(b"ssh-ed25519", raw.index(b"ssh-ed25519") + 11) + 11 + 4 + 32 + 4:][:32]
    check(ed25519_sign.public_key(seed) == blob[-32:], f"the test's signer derives the public key of {path}")
    return blob, seed


tmp = tempfile.mkdtemp(prefix="privsshd-hostile-pk-")
os.chmod(tmp, 0o755)
hostkey = os.path.join(tmp, "hostkey")
subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey], check=True)
host_blob = base64.b64decode(open(hostkey + ".pub").read().split()[1])
user_blob, user_seed = keygen(os.path.join(tmp, "user"))
other_blob, other_seed = keygen(os.path.join(tmp, "other"))
SK_ALG = "sk-ssh-ed25519@openssh.com"


def sk_key(seed, application="ssh:"):
    return s(SK_ALG) + s(ed25519_sign.public_key(seed)) + s(application)


sk_seed, sk_notouch_seed, sk_verify_seed = bytes([7] * 32), bytes([8] * 32), bytes([9] * 32)
sk_blob, sk_notouch_blob, sk_verify_blob = sk_key(sk_seed), sk_key(sk_notouch_seed), sk_key(sk_verify_seed)
with open(os.path.join(tmp, "authorized_keys"), "w") as f:
    f.write(open(os.path.join(tmp, "user.pub")).read())
    f.write(f"{SK_ALG} {base64.b64encode(sk_blob).decode()}\n")
    f.write(f"no-touch-required {SK_ALG} {base64.b64encode(sk_notouch_blob).decode()}\n")
    f.write(f"verify-required {SK_ALG} {base64.b64encode(sk_verify_blob).decode()}\n")
os.mkdir(os.path.join(tmp, "empty"), 0o755)
cfg = os.path.join(tmp, "config")
with open(cfg, "w") as f:
    f.write(f"HostKey {hostkey}\nPidFile none\nLogLevel DEBUG1\nSandboxUser nobody\n"
            f"SandboxDirectory {tmp}/empty\nLoginGraceTime 20\nPermitRootLogin prohibit-password\n"
            f"AuthorizedKeysFile {tmp}/authorized_keys\nStrictModes no\nPasswordAuthentication no\n"
            f"TrustedUserCAKeys {tmp}/ca.pub\n")
CA_SEED, OTHER_CA_SEED = bytes([21] * 32), bytes([22] * 32)
CERT_ALG = "ssh-ed25519-cert-v01@openssh.com"


def ed_blob(seed):
    return s("ssh-ed25519") + s(ed25519_sign.public_key(seed))


with open(os.path.join(tmp, "ca.pub"), "w") as f:
    f.write(f"ssh-ed25519 {base64.b64encode(ed_blob(CA_SEED)).decode()} the CA\n")


T = fake_worker_run.message_numbers()
H1 = bytes(range(32))                   # this connection's first exchange hash (the session id)
H0 = bytes(range(100, 132))             # another connection's


def msg(name, payload):
    return struct.pack(">I", T[name]) + payload


def hostkey_sign(h):
    return msg("HOSTKEY_SIGN", struct.pack(">IB", 0, 0) + s("curve25519-sha256") + s("ssh-ed25519") + s(h))


def signed_data(session_id=H1, user="root", key=user_blob, method="publickey", hostkey=None,
                alg="ssh-ed25519"):
    d = (s(session_id) + bytes([50]) + s(user) + s("ssh-connection") + s(method) + b"\x01"
         + s(alg) + s(key))
    return d + (s(hostkey) if hostkey is not None else b"")


def signature(data, seed=user_seed):
    return s("ssh-ed25519") + s(ed25519_sign.sign(seed, data))


def auth_pubkey(data, sig, user="root", key=user_blob, state=1, alg="ssh-ed25519"):
    return msg("AUTH_PUBKEY", s(user) + s(alg) + s(key) + bytes([state]) + s(data) + s(sig))


def sk_signature(data, seed, flags=0x01, counter=7, application="ssh:", wire_flags=None, counter_bytes=4,
                 tail=b"", alg=SK_ALG):
    """PROTOCOL.u2f: the authenticator signs SHA256(application) || flags || counter || SHA256(data)."""
    signed = (hashlib.sha256(application.encode()).digest() + bytes([flags]) + struct.pack(">I", counter)
              + hashlib.sha256(data).digest())
    counter_wire = struct.pack(">I", counter)[4 - counter_bytes:]
    wire = bytes([flags if wire_flags is None else wire_flags]) + counter_wire
    return s(alg) + s(ed25519_sign.sign(seed, signed)) + wire + tail


def sk_steps(seed, blob, **kw):
    data = signed_data(key=blob, alg=SK_ALG)
    return [hostkey_sign(H1), auth_pubkey(data, sk_signature(data, seed, **kw), key=blob, alg=SK_ALG)]


def run(scenario, steps):
    return fake_worker_run.run(cfg, tmp, scenario, timeout=30, steps=steps)


RESULT = T["AUTH_RESULT"]


def cert(principals=("root",), ca_seed=CA_SEED, ca_blob=None, critical=b"", key_seed=None, ctype=1):
    """PROTOCOL.certkeys: an ed25519 user certificate of the user's key, signed by ca_seed."""
    pub = ed25519_sign.public_key(key_seed) if key_seed else user_blob[-32:]
    exts = s("permit-pty") + s("")
    body = (s(CERT_ALG) + s(bytes(32)) + s(pub) + struct.pack(">QI", 5, ctype) + s("hostile-id")
            + s(b"".join(s(p) for p in principals)) + struct.pack(">QQ", 0, 2**64 - 1) + s(critical) + s(exts)
            + s(b"") + s(ca_blob if ca_blob is not None else ed_blob(ca_seed)))
    return body + s(s("ssh-ed25519") + s(ed25519_sign.sign(ca_seed, body)))


def cert_steps(c, seed=user_seed, alg=CERT_ALG):
    data = signed_data(key=c, alg=alg)
    return [hostkey_sign(H1), auth_pubkey(data, signature(data, seed), key=c, alg=alg)]


good_cert = cert()
rc, err, res = run("cert-control", cert_steps(good_cert))
check(f"reply {RESULT} 1" in res and
      "Accepted publickey for root from UNKNOWN port 65535 ssh2: ED25519-CERT SHA256:" in err and
      " ID hostile-id (serial 5) CA ED25519 SHA256:" in err,
      "cert-control: a certificate signed by the TrustedUserCAKeys CA logs in", res, err[-3000:])
forged_sig = bytearray(good_cert)
forged_sig[-1] ^= 1
# Signed for "toor", then made to say "root": the body that would log in, with a stale CA signature.
forged_body = bytearray(cert(principals=("toor",)))
at = bytes(forged_body).index(b"toor")
forged_body[at:at + 4] = b"root"
forged_body = bytes(forged_body)
ca_cert = cert(ca_seed=CA_SEED)                 # a certificate as the CA key
cert_refusals = {
    "cert-forged-ca-signature": (cert_steps(bytes(forged_sig)), "parse key: incorrect signature"),
    "cert-forged-body": (cert_steps(forged_body), "parse key: incorrect signature"),
    "cert-other-ca": (cert_steps(cert(ca_seed=OTHER_CA_SEED)), "Failed publickey for root"),
    "cert-ca-is-a-cert": (cert_steps(cert(ca_blob=ca_cert)), "parse key: invalid certificate signing key"),
    "cert-unknown-critical": (cert_steps(cert(critical=s("frobnicate") + s(""))),
                              'Certificate critical option "frobnicate" is not supported'),
    "cert-host": (cert_steps(cert(ctype=2)), "Certificate invalid: not a user certificate"),
    "cert-other-principal": (cert_steps(cert(principals=("daemon",))),
                             "Certificate invalid: name is not a listed principal"),
    "cert-user-signs-with-other-key": (cert_steps(good_cert, seed=other_seed), "signature does not verify"),
}
for name, (steps, why) in cert_refusals.items():
    rc, err, res = run(name, steps)
    ok = f"reply {RESULT} 0" in res and "Accepted publickey" not in err and why in err
    check(ok, f"{name}: answered with a failure ({why})", res, err[-3000:])
# A certificate relayed under a plain key type: a lie about the blob, so a protocol violation.
rc, err, res = run("cert-as-plain-type", cert_steps(good_cert, alg="ssh-ed25519"))
check(f"reply {RESULT} 1" not in res and "Accepted publickey" not in err,
      "cert-as-plain-type: a certificate claimed to be a plain key never logs in", res, err[-3000:])
good = signed_data()
controls = {
    "pk-control": [hostkey_sign(H1), auth_pubkey(good, signature(good))],
    "pk-hostbound-control": [hostkey_sign(H1), auth_pubkey(
        signed_data(method="publickey-hostbound-v00@openssh.com", hostkey=host_blob),
        signature(signed_data(method="publickey-hostbound-v00@openssh.com", hostkey=host_blob)))],
}
for name, steps in controls.items():
    rc, err, res = run(name, steps)
    check(f"reply {RESULT} 1" in res and "Accepted publickey for root from UNKNOWN port 65535 ssh2: ED25519" in err,
          f"{name}: a good signature over this connection's request logs in", res, err[-3000:])

forged = bytearray(signature(good))
forged[-1] ^= 1
replayed = signed_data(session_id=H0)
wrong_user = signed_data(user="daemon")
other_key = signed_data(key=other_blob)
wrong_host = signed_data(method="publickey-hostbound-v00@openssh.com", hostkey=other_blob)
refusals = {
    "pk-missing": ([hostkey_sign(H1), auth_pubkey(b"", b"")], "no signature"),
    "pk-claim-only": ([hostkey_sign(H1), auth_pubkey(good, b"")], "no signature"),
    "pk-forged": ([hostkey_sign(H1), auth_pubkey(good, bytes(forged))], "signature does not verify"),
    "pk-other-signer": ([hostkey_sign(H1), auth_pubkey(good, signature(good, other_seed))],
                        "signature does not verify"),
    "pk-replayed": ([hostkey_sign(H1), auth_pubkey(replayed, signature(replayed))], "session identifier"),
    "pk-wrong-user": ([hostkey_sign(H1), auth_pubkey(wrong_user, signature(wrong_user))], "user"),
    "pk-other-key": ([hostkey_sign(H1), auth_pubkey(other_key, signature(other_key, other_seed))],
                     "public key"),
    "pk-wrong-hostkey": ([hostkey_sign(H1), auth_pubkey(wrong_host, signature(wrong_host))], "host key"),
    "pk-garbage": ([hostkey_sign(H1), auth_pubkey(good[:-3], signature(good[:-3]))], "malformed signed data"),
    "pk-before-kex": ([auth_pubkey(good, signature(good))], "before any key exchange"),
}
for name, (steps, why) in refusals.items():
    rc, err, res = run(name, steps)
    ok = (f"reply {RESULT} 0" in res and "Accepted" not in err
          and "Failed publickey for root from UNKNOWN port 65535 ssh2: ED25519" in err
          and (f"refused: {why}" in err or why in err))
    check(ok, f"{name}: answered with a failure and logged as a failed publickey ({why})", res, err[-3000:])

# Security keys.
sk_controls = {
    "pk-sk-control": sk_steps(sk_seed, sk_blob),
    "pk-sk-no-touch-required-control": sk_steps(sk_notouch_seed, sk_notouch_blob, flags=0x00),
    "pk-sk-verified-control": sk_steps(sk_verify_seed, sk_verify_blob, flags=0x05),
}
for name, steps in sk_controls.items():
    rc, err, res = run(name, steps)
    accepted = "Accepted publickey for root from UNKNOWN port 65535 ssh2: ED25519-SK" in err
    check(f"reply {RESULT} 1" in res and accepted, f"{name}: a good security-key signature logs in", res, err[-3000:])

sk_data = signed_data(key=sk_blob, alg=SK_ALG)
sk_forged = bytearray(sk_signature(sk_data, sk_seed))
sk_forged[-6] ^= 1                      # the last byte of the Ed25519 signature
plain_format = s(SK_ALG) + s(ed25519_sign.sign(sk_seed, sk_data))
sk_refusals = {
    "pk-sk-forged": ([hostkey_sign(H1), auth_pubkey(sk_data, bytes(sk_forged), key=sk_blob, alg=SK_ALG)],
                  "signature does not verify"),
    "pk-sk-flags-altered": (sk_steps(sk_seed, sk_blob, flags=0x00, wire_flags=0x05),
                            "signature does not verify"),
    "pk-sk-other-application": (sk_steps(sk_seed, sk_blob, application="ssh:other"),
                                "signature does not verify"),
    "pk-sk-other-signer": (sk_steps(sk_notouch_seed, sk_blob), "signature does not verify"),
    "pk-sk-short-counter": (sk_steps(sk_seed, sk_blob, counter_bytes=2), "malformed signature"),
    "pk-sk-trailing-bytes": (sk_steps(sk_seed, sk_blob, tail=b"\x00"), "malformed signature"),
    "pk-sk-plain-format": ([hostkey_sign(H1), auth_pubkey(sk_data, plain_format, key=sk_blob, alg=SK_ALG)],
                        "malformed signature"),
    "pk-sk-plain-algorithm": (sk_steps(sk_seed, sk_blob, alg="ssh-ed25519"), "malformed signature"),
    "pk-sk-untouched": (sk_steps(sk_seed, sk_blob, flags=0x00),
                     "rejected: user presence (authenticator touch) requirement not met"),
    "pk-sk-unverified": (sk_steps(sk_verify_seed, sk_verify_blob, flags=0x01),
                      "rejected: user verification requirement not met"),
}
for name, (steps, why) in sk_refusals.items():
    rc, err, res = run(name, steps)
    ok = (f"reply {RESULT} 0" in res and "Accepted" not in err
          and "Failed publickey for root from UNKNOWN port 65535 ssh2: ED25519-SK" in err and why in err)
    check(ok, f"{name}: answered with a failure and logged as a failed publickey ({why})", res, err[-3000:])

print(f"{fake_worker_run.failures} failed")
sys.exit(1 if fake_worker_run.failures else 0)
