#!/usr/bin/python3
"""Signals: a client's `signal` request (sent here with python3-asyncssh, since OpenSSH's client has
no way to send one) reaches the session's command; it is refused for a forced command, as OpenSSH
does; a command killed by a signal gives the client `exit-signal` with OpenSSH's name for it."""
import asyncio
import os
import re
import warnings

import harness
from harness import Server, check, ssh

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402  (after the warnings filter: Debian's asyncssh warns about old ciphers)

# Records each signal it gets; ends when the test creates /tmp/stop-NAME.
TRAP = ("for s in USR1 USR2 TERM INT HUP; do trap \"echo $s >> /tmp/got-$NAME\" $s; done; "
        "echo ready > /tmp/ready-$NAME; while [ ! -e /tmp/stop-$NAME ]; do sleep 0.1; done")


async def start_trap(conn, name):
    """The TRAP command on a new channel, once it is ready for signals."""
    chan, _ = await conn.create_session(asyncssh.SSHClientSession, f"NAME={name}; {TRAP}")
    for _ in range(100):
        if os.path.exists(f"/tmp/ready-{name}"):
            break
        await asyncio.sleep(0.1)
    return chan


async def session_with_signals(name, signals):
    async with harness.asyncssh_connect() as conn:
        chan = await start_trap(conn, name)
        for sig in signals:
            chan.send_signal(sig)
            await asyncio.sleep(0.5)
        open(f"/tmp/stop-{name}", "w").close()
        await asyncio.wait_for(chan.wait_closed(), 10)
        return chan.get_exit_status(), chan.get_exit_signal()


async def killed_by_request(name):
    """A KILL signal request ends the command: the client gets exit-signal KILL."""
    async with harness.asyncssh_connect() as conn:
        chan = await start_trap(conn, name)
        chan.send_signal("KILL")
        await asyncio.wait_for(chan.wait_closed(), 10)
        return chan.get_exit_status(), chan.get_exit_signal()


async def exit_signal_of(command):
    async with harness.asyncssh_connect() as conn:
        r = await conn.run(command, check=False)
        return r.exit_status, r.exit_signal


def got(name):
    return harness.read_text(f"/tmp/got-{name}") if os.path.exists(f"/tmp/got-{name}") else ""


def main():
    s = Server().start()
    status, sig = asyncio.run(session_with_signals("a", ["USR1", "TERM", "INT", "USR2"]))
    check(harness.wait_for(lambda: got("a").split() == ["USR1", "TERM", "INT", "USR2"], 5),
          "USR1, TERM, INT, USR2 signal requests reach the command, in order", repr(got("a")), s)
    check(status == 0 and not sig, "the command then ends normally, exit-status 0", (status, sig))
    status, sig = asyncio.run(killed_by_request("k"))
    check(sig is not None and sig[0] == "KILL", "a KILL signal request kills it: exit-signal KILL",
          (status, sig), s)

    status, sig = asyncio.run(exit_signal_of("kill -TERM $$"))
    check(sig is not None and sig[0] == "TERM" and not sig[1],
          "a command killed by SIGTERM: exit-signal TERM, no core dump", (status, sig))
    status, sig = asyncio.run(exit_signal_of("kill -USR2 $$"))
    check(sig is not None and sig[0] == "USR2", "SIGUSR2: exit-signal USR2", (status, sig))
    if harness.read_text("/proc/sys/kernel/core_pattern").startswith("|"):
        harness.note("core_pattern pipes cores to a host helper: the core-dump flag is not checked here")
    else:
        status, sig = asyncio.run(exit_signal_of("cd /tmp; ulimit -c unlimited; kill -SEGV $$"))
        check(sig is not None and sig[0] == "SEGV" and sig[1],
              "a command that dumps core: exit-signal SEGV with the core-dumped flag", (status, sig))
    r = ssh("kill -KILL $$")
    check(r.returncode == 255 and re.search(r"rtype exit-signal", r.log),
          "OpenSSH's client: exit-signal KILL gives exit status 255", r)
    s.stop()

    s = Server("ForceCommand NAME=f; " + TRAP, name="forced").start()
    status, sig = asyncio.run(session_with_signals("f", ["USR1"]))
    check(os.path.exists("/tmp/ready-f"), "the forced command ran", s)
    check(got("f") == "", "a signal request to a forced command is refused (as OpenSSH)",
          repr(got("f")), s)


harness.run(main)
