#!/usr/bin/python3
"""A connection's forwarding requests take effect in the order the client sent them, as in OpenSSH,
which handles them one after the other: a direct-tcpip open sent right behind a tcpip-forward request
for the same port, without waiting for its reply, reaches the new listener. (privsshd's monitor
makes each socket in a child of its own, side by side; the worker holds an open back until every
tcpip-forward before it is answered: worker/forward.c, forward_send_queued.) OpenSSH's client does
this with `ssh -f -N -R B:...:C -L A:...:B` followed at once by a connection to A, as OpenSSH's
forwarding regression script does; the open then lost the race with the bind about once in ten.

python3-asyncssh sends both requests in one write, N times on one connection; each open must be
accepted, which means the monitor's connect() found the new listener. Control: an open to a port
nobody listens on is refused, so an accepted open is not a given. (Bytes through these opens are
not checked: asyncssh registers a remote forward only when its reply has been handled, after the
forwarded-tcpip channel the connection makes may already have arrived and been refused by it.)"""
import asyncio

import harness
from harness import Server, check

N = 40
BASE = 13000


async def pipelined(n):
    """([what failed], the control's outcome)"""
    import asyncssh
    failed = []
    async with harness.asyncssh_connect() as conn:
        for i in range(n):
            port = BASE + i
            # Both leave before either is answered: the forward, then a connection through its port.
            listen = asyncio.ensure_future(conn.forward_remote_port("127.0.0.1", port, "127.0.0.1", 9))
            opened = asyncio.ensure_future(conn.open_connection("127.0.0.1", port))
            try:
                _, writer = await asyncio.wait_for(opened, 30)
                writer.close()
            except Exception as e:      # noqa: BLE001 (asyncssh's ChannelOpenError, a timeout)
                failed.append(f"open {i}: {e!r}")
            listener = await asyncio.wait_for(listen, 30)
            listener.close()
        try:
            _, writer = await asyncio.wait_for(conn.open_connection("127.0.0.1", BASE + n + 1), 30)
            writer.close()
            control = "accepted"
        except asyncssh.ChannelOpenError as e:
            control = f"refused: {e.reason!r}"
    return failed, control


def main():
    s = Server().start()
    failed, control = asyncio.run(pipelined(N))
    check(not failed, f"{N} direct-tcpip opens, each sent right behind the tcpip-forward of its port, are "
          f"accepted: the new listener was there ({N - len(failed)} of {N})", "\n".join(failed), s)
    check(control.startswith("refused"), f"control: an open to a port nobody listens on is refused ({control})")
    s.stop()


harness.run(main)
