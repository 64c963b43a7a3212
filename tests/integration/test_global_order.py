#!/usr/bin/python3
"""Replies to global requests go in the order of the requests (RFC 4254 section 4): the client matches
them so (OpenSSH's client_global_request_reply() takes the oldest callback, and so does python3-asyncssh,
whose _make_global_request() futures are resolved in that order). privsshd answers a hostkeys-prove-00
and a tcpip-forward only when the monitor has (a signature, a listening socket), while a keepalive, an
unknown request or a cancel is known at once: the worker keeps one queue of the requests that want a
reply and answers from its head (worker/global-reply.c); libssh hands it keepalive and unknown requests
instead of answering them while it reads the packets (patches/libssh/0019).

Each sequence leaves in one TCP segment (TCP_CORK), so that the server reads the requests together. The
reply each future gets is then the reply to its own request only if the server kept the order:
  - hostkeys-prove-00, then keepalive@openssh.com: SUCCESS with a signature of the key, then FAILURE
    (OpenSSH's sshd does not know keepalive@openssh.com as a server request and refuses it);
  - hostkeys-prove-00, then an unknown request: the proof, then FAILURE;
  - tcpip-forward, hostkeys-prove-00, tcpip-forward: a port, the proof, a port;
  - tcpip-forward, then a cancel-tcpip-forward of a port nobody forwards: the port, then FAILURE;
  - tcpip-forward, then five hostkeys-prove-00: the port, then four proofs and (privsshd's budget,
    HOSTKEY_MAX_PROVE_REQUESTS; OpenSSH has none) a FAILURE for the fifth, in its turn.
Positive controls for the content: a tcpip-forward reply to port 0 carries the allocated port (4 bytes,
not 0, a different one for each) and the proof holds one signature that verifies with the host key over
what PROTOCOL 2.5 says is signed, for this session."""
import asyncio
import socket
import struct

import harness
from harness import Server, check

PROVE = b"hostkeys-prove-00@openssh.com"


def sshstr(b):
    return struct.pack(">I", len(b)) + b


def strings(data):
    out = []
    while len(data) >= 4:
        n = struct.unpack(">I", data[:4])[0]
        out.append(data[4:4 + n])
        data = data[4 + n:]
    return out if not data else None


async def sequence(names):
    """[(reply type, reply data)] for requests sent back to back in one segment; the host key and the
    session id, to check a proof."""
    import asyncssh
    from asyncssh.packet import String, UInt32
    async with harness.asyncssh_connect() as conn:
        key = conn.get_server_host_key()
        await asyncio.sleep(0.5)        # past authentication's hostkeys-00
        args = {
            "prove": (PROVE, String(key.public_data)),
            "keepalive": (b"keepalive@openssh.com",),
            "unknown": (b"unknown-request@example.com",),
            "forward": (b"tcpip-forward", String("127.0.0.1"), UInt32(0)),
            "cancel": (b"cancel-tcpip-forward", String("127.0.0.1"), UInt32(1)),     # nothing there
        }
        sock = conn.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        tasks = [asyncio.ensure_future(conn._make_global_request(*args[n])) for n in names]
        await asyncio.sleep(0)          # every task sends its packet
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        replies = []
        for t in tasks:
            pkttype, packet = await asyncio.wait_for(t, 20)
            replies.append(("SUCCESS" if pkttype == asyncssh.constants.MSG_REQUEST_SUCCESS else
                            "FAILURE" if pkttype == asyncssh.constants.MSG_REQUEST_FAILURE else pkttype,
                            packet.get_remaining_payload()))
        return replies, key, conn._session_id


async def no_more_sessions():
    """(exit status of a command before, the reply to no-more-sessions@openssh.com, what a session
    after it gets)"""
    import asyncssh
    conn = await harness.asyncssh_connect()
    try:
        before = (await asyncio.wait_for(conn.run("true"), 20)).exit_status
        pkttype, _ = await asyncio.wait_for(conn._make_global_request(b"no-more-sessions@openssh.com"), 20)
        reply = "SUCCESS" if pkttype == asyncssh.constants.MSG_REQUEST_SUCCESS else "FAILURE"
        try:
            after = f"exit {(await asyncio.wait_for(conn.run('true'), 20)).exit_status}"
        except (asyncssh.Error, OSError) as e:
            after = f"refused: {e!r}"
    finally:
        conn.close()
    return before, reply, after


def proof_ok(reply, key, session_id):
    """A SUCCESS holding one signature by the host key over PROTOCOL 2.5's data for this session."""
    if reply[0] != "SUCCESS":
        return False
    sigs = strings(reply[1])
    if not sigs or len(sigs) != 1:
        return False
    signed = sshstr(PROVE) + sshstr(session_id) + sshstr(key.public_data)
    return bool(key.verify(signed, sigs[0]))


def port_of(reply):
    if reply[0] != "SUCCESS" or len(reply[1]) != 4:
        return 0
    return struct.unpack(">I", reply[1])[0]


def describe(replies):
    return str([(t, len(d)) for t, d in replies])


def main():
    s = Server("AllowTcpForwarding yes").start()

    r, key, sid = asyncio.run(sequence(["prove", "keepalive"]))
    check(len(r) == 2 and proof_ok(r[0], key, sid),
          "hostkeys-prove-00 then keepalive@openssh.com: the first reply is the proof (a signature that "
          "verifies with the host key)", describe(r), s)
    check(len(r) == 2 and r[1] == ("FAILURE", b""),
          "hostkeys-prove-00 then keepalive@openssh.com: the second reply is keepalive's FAILURE",
          describe(r), s)

    r, key, sid = asyncio.run(sequence(["prove", "unknown"]))
    check(len(r) == 2 and proof_ok(r[0], key, sid),
          "hostkeys-prove-00 then an unknown request: the first reply is the proof", describe(r), s)
    check(len(r) == 2 and r[1] == ("FAILURE", b""),
          "hostkeys-prove-00 then an unknown request: the second reply is the unknown request's FAILURE",
          describe(r), s)

    r, key, sid = asyncio.run(sequence(["forward", "prove", "forward"]))
    ports = [port_of(x) for x in r] if len(r) == 3 else []
    check(len(r) == 3 and ports[0] != 0 and ports[2] != 0 and ports[0] != ports[2],
          "tcpip-forward, hostkeys-prove-00, tcpip-forward: the first and third replies each carry an "
          f"allocated port, different ones ({ports})", describe(r), s)
    check(len(r) == 3 and proof_ok(r[1], key, sid),
          "tcpip-forward, hostkeys-prove-00, tcpip-forward: the second reply is the proof", describe(r), s)

    r, key, sid = asyncio.run(sequence(["forward", "cancel"]))
    check(len(r) == 2 and port_of(r[0]) != 0 and r[1] == ("FAILURE", b""),
          "tcpip-forward, then a cancel-tcpip-forward of a port nobody forwards: the port, then FAILURE",
          describe(r), s)

    r, key, sid = asyncio.run(sequence(["forward"] + ["prove"] * 5))
    check(len(r) == 6 and port_of(r[0]) != 0 and all(proof_ok(x, key, sid) for x in r[1:5]),
          "tcpip-forward, then five hostkeys-prove-00: the port, then four proofs", describe(r), s)
    check(len(r) == 6 and r[5] == ("FAILURE", b""),
          "... and the fifth prove, over the budget, is refused in its turn", describe(r), s,
          reference_differs="OpenSSH's sshd has no budget of proofs per connection")

    # no-more-sessions@openssh.com is answered by the worker now, in its turn; libssh still sets its flag,
    # and a session opened after it ends the connection, as with OpenSSH ("Possible attack").
    before, reply, after = asyncio.run(no_more_sessions())
    check(before == 0 and reply == "SUCCESS" and after.startswith("refused"),
          f"no-more-sessions@openssh.com: a session before it runs (exit {before}), it is accepted ({reply}), a "
          f"session after it is refused ({after})", s)

    # Control: alone, each request gets what it gets above (so the checks above are about the order).
    r, key, sid = asyncio.run(sequence(["keepalive"]))
    check(r == [("FAILURE", b"")], "control: keepalive@openssh.com alone is refused", describe(r), s)
    r, key, sid = asyncio.run(sequence(["prove"]))
    check(len(r) == 1 and proof_ok(r[0], key, sid), "control: a proof alone verifies", describe(r), s)
    s.stop()


harness.run(main)
