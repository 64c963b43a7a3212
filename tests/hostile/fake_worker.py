# A hostile "worker" for the monitor: speaks the IPC of common/ipc-messages.h by hand and does what
# its scenario says. Exec'd by the monitor (test builds only, PRIVSSHD_TEST_WORKER) with fd 3 = the
# connection and fd 4 = the monitor's socket, argv ["privsshd-worker"], an empty environment.
# The generated launcher sets SCENARIO and RESULTS before exec()ing this file.
import os
import socket
import struct

# Message numbers (T): the order of rows in common/ipc-messages.h, read from it by the launcher.


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def msg(name, payload=b""):
    return struct.pack(">I", T[name]) + payload


ipc = socket.socket(fileno=4)
results = open(RESULTS, "a")  # noqa: F821 (set by the launcher, as are SCENARIO and T)


def note(line):
    results.write(line + "\n")
    results.flush()


def recv():
    while True:
        data = ipc.recv(70000)
        if not data:
            note("monitor closed")
            raise SystemExit(0)
        (t,) = struct.unpack(">I", data[:4])
        if t != T["USER_CONFIG"]:       # the user's configuration (Match), before the first answer
            return t, data[4:]


note("pid %d" % os.getpid())
t, setup = recv()
note("got %d" % t)          # SETUP
with open(RESULTS + ".setup", "wb") as f:  # noqa: F821
    f.write(setup)          # the test looks for the host key's bytes in it
ready = msg("READY", b"\x01")
none_ = lambda user: msg("AUTH_NONE", s(user))  # noqa: E731


def sign(data=b"\x11" * 32, kex="curve25519-sha256", alg="ssh-ed25519", index=0, certificate=False):
    """HOSTKEY_SIGN: key_index, certificate, kex_algorithm, algorithm, data."""
    return msg("HOSTKEY_SIGN", struct.pack(">IB", index, int(certificate)) + s(kex) + s(alg) + s(data))


steps = {
    "control": [ready, none_("nosuchuser")],
    "session-preauth": [ready, msg("SESSION_START", struct.pack(">I", 1) + b"\x01" + s("id"))],
    "wrong-direction": [ready, msg("AUTH_RESULT", b"\x01" + s("root"))],
    "unknown-type": [ready, struct.pack(">I", 999)],
    "before-ready": [none_("nosuchuser")],
    # HOSTKEY_SIGN: a well-formed request is signed; every other shape, or a fifth before
    # authentication, tears the connection down.
    "sign-control": [ready, sign(), sign(b"\x22" * 64, "sntrup761x25519-sha512@openssh.com")],
    "sign-before-ready": [sign()],
    "sign-short": [ready, sign(b"\x11" * 16)],
    "sign-long": [ready, sign(b"\x11" * 64)],
    "sign-empty": [ready, sign(b"")],
    "sign-unknown-kex": [ready, sign(kex="none-sha256")],
    "sign-wrong-alg": [ready, sign(alg="rsa-sha2-256")],
    "sign-bad-index": [ready, sign(index=1)],
    "sign-too-often": [ready] + [sign()] * 5,
    # With the certificate flag (K_S is the key's HostCertificate): signed only for a key that has one.
    "sign-cert-control": [ready, sign(certificate=True)],
    "sign-cert-without-cert": [ready, sign(certificate=True)],
    "budget": [ready] + [none_("nosuchuser")] * 5,
    "truncated": [ready, msg("AUTH_PASSWORD", struct.pack(">I", 100) + b"ab")],
    "trailing": [ready, none_("nosuchuser") + b"X"],
    "oversized": [ready, msg("LOG", b"\x03" + s("x" * 69000))],
    # LOG: lines the monitor writes at INFO are bounded per connection; DEBUG lines (the config says
    # DEBUG1: written) are not, so a long debug session is not cut off.
    "log-flood": [ready] + [msg("LOG", b"\x03" + s("x"))] * 100001,
    "log-debug-flood": [ready] + [msg("LOG", b"\x05" + s("d"))] * 100001 + [none_("nosuchuser")],
    "user-change": [ready, none_("nosuchuser"), none_("otheruser"), none_("otheruser")],
    "ready-twice": [ready, ready],
    "fd-attached": [ready, none_("nosuchuser")],
    "pty-preauth": [ready, msg("PTY_REQUEST", struct.pack(">I", 1) + s("xterm") + struct.pack(">IIII", 80, 24, 0, 0)
                               + s(b""))],
    "signal-preauth": [ready, msg("SESSION_SIGNAL", struct.pack(">I", 1) + s("KILL"))],
    # EVENT (kind, method, text): the monitor writes the line, with the address it knows itself.
    "event-control": [ready, msg("EVENT", b"\x03\x00" + s('GET / \x1b[2J" \\ Failed password for root from '
                                                         '198.51.100.250 port 22 ssh2'))],
    "event-before-ready": [msg("EVENT", b"\x02\x00" + s(""))],
    "event-timeout-preauth": [ready, msg("EVENT", b"\x06\x00" + s(""))],
    "event-unused-preauth": [ready, msg("EVENT", b"\x07\x00" + s(""))],
    "event-budget": [ready] + [msg("EVENT", b"\x02\x00" + s(""))] * 3,
    "event-bad-kind": [ready, msg("EVENT", b"\x63\x00" + s(""))],
    # PROTOCOL_MISMATCH (kind 8) names a client line of another major version; a forged one is refused.
    "event-mismatch-v2": [ready, msg("EVENT", b"\x08\x00" + s("SSH-2.0-forged"))],
    "event-mismatch-garbage": [ready, msg("EVENT", b"\x08\x00" + s("Failed password for root"))],
    # Forwarding before authentication (issue 10): refused by the gate, whatever the request.
    "forward-connect-preauth": [ready, msg("FORWARD_CONNECT", struct.pack(">I", 1) + s("127.0.0.1") +
                                           struct.pack(">I", 22) + s("127.0.0.1") + struct.pack(">I", 1))],
    "forward-listen-preauth": [ready, msg("FORWARD_LISTEN", struct.pack(">I", 1) + s("") + struct.pack(">I", 0))],
    "forward-ready-w2m": [ready, msg("FORWARD_READY", struct.pack(">II", 1, 0))],
    # Agent forwarding before authentication: refused by the gate.
    "agent-request-preauth": [ready, msg("AGENT_REQUEST", struct.pack(">I", 0))],
    "agent-refused-w2m": [ready, msg("AGENT_REFUSED", struct.pack(">I", 0) + s(""))],
    "event-bad-method": [ready, msg("EVENT", b"\x04\x05" + s("aes128-ctr"))],
}.get(SCENARIO) or [ready] + [bytes.fromhex(m) for m in STEPS]  # noqa: F821 (test_hostile_pubkey.py)

for i, m in enumerate(steps):
    try:
        if SCENARIO == "fd-attached" and i == 1:  # noqa: F821
            socket.send_fds(ipc, [m], [0])  # AUTH_NONE carries no descriptors
        else:
            ipc.send(m)
    except OSError as e:
        note("send failed: %s" % e)
        raise SystemExit(0)
    # Requests that get an answer: read it (the monitor answers each AUTH_* with one AUTH_RESULT).
    if m[:4] in (struct.pack(">I", T["AUTH_NONE"]), struct.pack(">I", T["AUTH_PUBKEY"])) and not m.endswith(b"X"):
        try:
            t, p = recv()
        except ConnectionResetError:
            note("monitor closed")
            raise SystemExit(0)
        note("reply %d %d" % (t, p[0] if p else -1))
    if m[:4] == struct.pack(">I", T["HOSTKEY_SIGN"]):
        try:
            t, p = recv()
        except ConnectionResetError:
            note("monitor closed")
            raise SystemExit(0)
        note("signature %d %d" % (t, len(p)))

if SCENARIO in ("control", "event-control", "sign-control", "sign-cert-control", "log-debug-flood") or SCENARIO.startswith("pk-"):  # noqa: F821
    note("done")
    raise SystemExit(0)
# Otherwise wait to be killed or for the monitor to close the socket.
while True:
    recv()
