#!/usr/bin/python3
"""A taken-over worker cannot log in with a publickey without the key: the monitor verifies every
signature itself, over signed data that must carry this connection's session identifier (the first
exchange hash, which the monitor recorded when it signed it), the user asked for, the authorized key
and, host-bound, our host key. The fake worker (fake_worker.py) claims logins as root with a
missing, forged, replayed (another session's), mismatched-user or other-key signature: each is
answered with a failure and logged "Failed publickey"; the control, a good signature made here
(ed25519_sign.py, RFC 8032) over the right data, logs in, plain and host-bound.
Needs root (the monitor is root) and a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER)."""
import base64
import os
import socket
import struct
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import ed25519_sign  # noqa: E402

privsshd = os.environ.get("PRIVSSHD")
must = os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1"


def skip(why):
    print("skip: " + why)
    sys.exit(1 if must else 77)


if os.geteuid() != 0:
    skip("needs root")
if os.environ.get("PRIVSSHD_TEST_HOOKS") != "1":
    skip("needs a build with -Dtest_hooks=true")
if not privsshd:
    skip("PRIVSSHD not set")

failures = 0


def check(cond, what, *details):
    global failures
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures += 1
        for d in details:
            print("    " + str(d).replace("\n", "\n    "))


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
with open(os.path.join(tmp, "authorized_keys"), "w") as f:
    f.write(open(os.path.join(tmp, "user.pub")).read())
os.mkdir(os.path.join(tmp, "empty"), 0o755)
cfg = os.path.join(tmp, "config")
with open(cfg, "w") as f:
    f.write(f"HostKey {hostkey}\nPidFile none\nLogLevel DEBUG1\nSandboxUser nobody\n"
            f"SandboxDirectory {tmp}/empty\nLoginGraceTime 20\nPermitRootLogin prohibit-password\n"
            f"AuthorizedKeysFile {tmp}/authorized_keys\nStrictModes no\nPasswordAuthentication no\n")


def message_numbers():
    import re
    text = open(os.path.join(here, "..", "..", "common", "ipc-messages.h")).read()
    table = text[text.index("#define IPC_MESSAGES(X)"):]
    table = table[:table.index("\n\n")]
    return {name: i for i, name in enumerate(re.findall(r"X\((\w+),", table))}


T = message_numbers()
H1 = bytes(range(32))                   # this connection's first exchange hash (the session id)
H0 = bytes(range(100, 132))             # another connection's


def msg(name, payload):
    return struct.pack(">I", T[name]) + payload


def hostkey_sign(h):
    return msg("HOSTKEY_SIGN", struct.pack(">I", 0) + s("curve25519-sha256") + s("ssh-ed25519") + s(h))


def signed_data(session_id=H1, user="root", key=user_blob, method="publickey", hostkey=None):
    d = (s(session_id) + bytes([50]) + s(user) + s("ssh-connection") + s(method) + b"\x01"
         + s("ssh-ed25519") + s(key))
    return d + (s(hostkey) if hostkey is not None else b"")


def signature(data, seed=user_seed):
    return s("ssh-ed25519") + s(ed25519_sign.sign(seed, data))


def auth_pubkey(data, sig, user="root", key=user_blob, state=1):
    return msg("AUTH_PUBKEY", s(user) + s("ssh-ed25519") + s(key) + bytes([state]) + s(data) + s(sig))


def run(scenario, steps):
    results = os.path.join(tmp, scenario + ".results")
    launcher = os.path.join(tmp, scenario + ".py")
    with open(launcher, "w") as f:
        f.write(f"#!/usr/bin/python3\nSCENARIO = {scenario!r}\nRESULTS = {results!r}\nT = {T!r}\n"
                f"STEPS = {[m.hex() for m in steps]!r}\n"
                f"exec(open({os.path.join(here, 'fake_worker.py')!r}).read())\n")
    os.chmod(launcher, 0o755)
    client, server = socket.socketpair()
    env = dict(os.environ, PRIVSSHD_TEST_WORKER=launcher)
    p = subprocess.Popen([privsshd, "-i", "-e", "-f", cfg], stdin=server, stdout=server,
                         stderr=subprocess.PIPE, env=env)
    server.close()
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    client.close()
    return p.returncode, err.decode(errors="replace"), open(results).read() if os.path.exists(results) else ""


RESULT = T["AUTH_RESULT"]
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

print(f"{failures} failed")
sys.exit(1 if failures else 0)
