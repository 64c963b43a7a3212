#!/usr/bin/python3
"""A client whose publickey signature is bad gets its USERAUTH_FAILURE at once (and tries its next
method), and the server logs "Failed publickey"; libssh without our patch 0002 sent nothing and the
client waited. The OpenSSH client signs through an agent of this test's own (the SSH agent protocol,
signing with ed25519_sign.py): the agent offers alice's authorized key and signs with another key.
Control: the same agent signing with alice's own key logs in."""
import base64
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import harness
from harness import KEYS, Server, check

sys.path.insert(0, os.path.join(harness.SRCDIR, "tests", "hostile"))
import ed25519_sign  # noqa: E402


def s(b):
    return struct.pack(">I", len(b)) + b


def seed_of(path):
    """The ed25519 seed of an unencrypted OpenSSH private key file (PROTOCOL.key)."""
    raw = base64.b64decode("".join(l for l in open(path).read().splitlines() if not l.startswith("-----")))
    first = raw.index(b"ssh-ed25519")
    at = raw.index(b"ssh-ed25519", first + 11) + 11     # in the private section: string pk, string sk
    return raw[at + 4 + 32 + 4:][:32]


class Agent:
    """An SSH agent (draft-miller-ssh-agent) holding one identity, which signs with `seed`."""

    def __init__(self, path, blob, seed):
        self.blob, self.seed, self.signed = blob, seed, 0
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(4)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.client, args=(c,), daemon=True).start()

    def client(self, c):
        with c:
            while True:
                head = c.recv(4, socket.MSG_WAITALL)
                if len(head) < 4:
                    return
                body = c.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL)
                if body[:1] == b"\x0b":         # REQUEST_IDENTITIES
                    reply = b"\x0c" + struct.pack(">I", 1) + s(self.blob) + s(b"test agent")
                elif body[:1] == b"\x0d":       # SIGN_REQUEST: string key, string data, uint32 flags
                    (n,) = struct.unpack(">I", body[1:5])
                    (m,) = struct.unpack(">I", body[5 + n:9 + n])
                    data = body[9 + n:9 + n + m]
                    self.signed += 1
                    reply = b"\x0e" + s(s(b"ssh-ed25519") + s(ed25519_sign.sign(self.seed, data)))
                else:                           # extensions (session-bind@openssh.com), the rest
                    reply = b"\x05"
                c.sendall(s(reply))


def login(agent_path, timeout=30):
    argv = harness.ssh_argv("alice", "echo in", key=f"{KEYS}/alice.pub", verbose=1,
                            logfile=f"/tmp/agent-{os.path.basename(agent_path)}.log",
                            opts=("-o", f"IdentityAgent={agent_path}"))
    t0 = time.monotonic()
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        rc, out = r.returncode, r.stdout
    except subprocess.TimeoutExpired:
        rc, out = None, b""
    return rc, out, time.monotonic() - t0, harness.read_text(argv[argv.index("-E") + 1])


def main():
    s_ = Server("LoginGraceTime 60").start()
    blob = base64.b64decode(open(f"{KEYS}/alice.pub").read().split()[1])
    alice = seed_of(f"{KEYS}/alice")
    check(ed25519_sign.public_key(alice) == blob[-32:], "the test's signer derives alice's public key")

    good = Agent("/tmp/agent-good", blob, alice)
    rc, out, took, log = login("/tmp/agent-good")
    check(rc == 0 and out == b"in\n" and good.signed >= 1,
          f"control: the agent signing with alice's key logs in (exit {rc}, {good.signed} signatures)", log)

    bad = Agent("/tmp/agent-bad", blob, bytes(32))
    rc, out, took, log = login("/tmp/agent-bad")
    check(bad.signed >= 1, f"the bad agent was asked to sign ({bad.signed})", log)
    check(rc == 255 and took < 20 and "Permission denied" in log,
          f"a bad signature is answered with a failure at once: the client gives up in {took:.1f} s "
          f"(exit {rc})", log)
    check(s_.wait_log(r"^Failed publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 SHA256:"),
          "log: Failed publickey for alice ... ED25519", s_)
    check(s_.wait_log(r"publickey: signature for alice from 127\.0\.0\.1 port \d+ refused: signature does not "
                      r"verify"), "log: the monitor says why (the signature does not verify)", s_,
          reference_differs="OpenSSH's sshd words it otherwise")
    check(s_.count(r"Accepted publickey for alice") == 1, "only the control logged in", s_)


harness.run(main)
