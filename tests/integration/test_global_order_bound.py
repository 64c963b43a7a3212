#!/usr/bin/python3
"""The worker's queue of global requests waiting for their replies (worker/global-reply.c) is bounded by
GLOBAL_MAX_UNANSWERED (1024, common/limits.h). Replies go in request order, so nothing can be refused
out of its turn: a client past the bound is a flood and its connection ends. OpenSSH has no bound (it
answers each request before it reads the next), so this is privsshd's own.

Made deterministic: the connection's monitor is stopped (SIGSTOP), so that a tcpip-forward waits for its
listening socket and every keepalive@openssh.com sent behind it (one segment) waits for it too.
  - Control: the forward and 1023 keepalives (1024 waiting) are all answered once the monitor goes on
    (SIGCONT), in order: the allocated port, then 1023 FAILUREs; the connection lives on.
  - The forward and 1024 keepalives: the connection ends, with the worker's log line saying why."""
import asyncio
import os
import signal
import socket
import struct

import harness
from harness import Server, check

BOUND = 1024


async def burst(n_keepalives):
    """([(reply type, data length) or exception name], whether a command still runs afterwards)"""
    import asyncssh
    from asyncssh.packet import String, UInt32
    conn = await harness.asyncssh_connect()
    try:
        await asyncio.wait_for(conn.run("true"), 20)
        monitors = harness.processes(cmdline=r"^privsshd: alice \[monitor\]")
        if len(monitors) != 1:
            return [f"monitors: {monitors}"], False
        monitor = monitors[0].pid
        os.kill(monitor, signal.SIGSTOP)
        try:
            sock = conn.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            reqs = [(b"tcpip-forward", String("127.0.0.1"), UInt32(0))]
            reqs += [(b"keepalive@openssh.com",)] * n_keepalives
            tasks = [asyncio.ensure_future(conn._make_global_request(*r)) for r in reqs]
            await asyncio.sleep(0)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
            await asyncio.sleep(1)      # the worker reads them all while the monitor is stopped
        finally:
            os.kill(monitor, signal.SIGCONT)
        done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        replies = []
        for d in done:
            if isinstance(d, BaseException):
                replies.append(type(d).__name__)
            else:
                pkttype, packet = d
                replies.append(("SUCCESS" if pkttype == asyncssh.constants.MSG_REQUEST_SUCCESS else "FAILURE",
                                packet.get_remaining_payload()))
        try:
            alive = (await asyncio.wait_for(conn.run("true"), 20)).exit_status == 0
        except (asyncssh.Error, OSError):
            alive = False
        return replies, alive
    finally:
        conn.close()


def main():
    harness.ours_only("the bound of unanswered global requests is privsshd's own; OpenSSH has none")
    s = Server("AllowTcpForwarding yes").start()

    replies, alive = asyncio.run(burst(BOUND - 1))
    first = replies[0] if replies else None
    port = struct.unpack(">I", first[1])[0] if isinstance(first, tuple) and len(first[1]) == 4 else 0
    rest = replies[1:]
    check(len(replies) == BOUND and first[0] == "SUCCESS" and port != 0,
          f"control: a tcpip-forward and {BOUND - 1} keepalives behind it while the monitor is stopped: the "
          f"first reply is the forward's port ({port})", str(replies[:3]), s)
    check(len(rest) == BOUND - 1 and all(r == ("FAILURE", b"") for r in rest),
          f"control: ... then {BOUND - 1} FAILUREs, one per keepalive, in their turn",
          str([r for r in rest if r != ("FAILURE", b"")][:5]), s)
    check(alive, "control: the connection lives on", s)
    check(s.count(r"global requests wait for their replies") == 0, "control: no flood is logged", s)

    replies, alive = asyncio.run(burst(BOUND))
    check(not alive and s.wait_log(rf"more than {BOUND} global requests wait for their replies: "
                                   r"disconnecting", 10),
          f"a tcpip-forward and {BOUND} keepalives behind it ({BOUND + 1} waiting): the connection ends, "
          f"logged", str(replies[:3]), s)
    s.stop()


harness.run(main)
