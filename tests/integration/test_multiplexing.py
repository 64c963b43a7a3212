#!/usr/bin/python3
"""Several sessions over one connection, through an OpenSSH ControlMaster: each runs on its own,
one ending (or its client being killed) does not disturb the others, and MaxSessions caps how many
run at once."""
import asyncio
import os
import re
import time
import warnings

import harness
from harness import Server, SshProcess, check, ssh

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402  (after the warnings filter: Debian's asyncssh warns about old ciphers)

CTL = "/tmp/ctl-socket"
MUX = ["-S", CTL, "-o", "ControlMaster=no"]


async def sessions_on_one_connection():
    """Three sessions at once on one connection (MaxSessions 2), then one more after one ends."""
    async with harness.asyncssh_connect() as conn:
        p1 = await conn.create_process("echo one; read x")
        p2 = await conn.create_process("echo two; sleep 1000")
        first = [await p1.stdout.readline(), await p2.stdout.readline()]
        try:
            p3 = await conn.create_process("echo three")
            third = await p3.stdout.read()
        except asyncssh.ChannelOpenError as e:
            third = f"refused: {e.reason}"
        p1.stdin.write_eof()
        await asyncio.wait_for(p1.wait_closed(), 10)
        p4 = await conn.create_process("echo four")
        fourth = await p4.stdout.read()
        r2 = p2.is_closing()
        p2.send_signal("KILL")
        await asyncio.wait_for(p2.wait_closed(), 10)
        return first, third, fourth, r2


def main():
    s = Server("MaxSessions 2").start()
    master = SshProcess(None, opts=["-M", "-S", CTL, "-N", "-o", "ControlPersist=no"])
    check(harness.wait_for(lambda: os.path.exists(CTL), 10), "the ControlMaster connects", master, s)

    r = ssh("echo first", opts=MUX)
    check(r.stdout == b"first\n" and r.returncode == 0, "a session through the master", r)
    r = ssh("exit 4", opts=MUX)
    check(r.returncode == 4, "another one, with its own exit status", r)

    a = SshProcess("echo a-started; sleep 1000", opts=MUX)
    b = SshProcess("echo b-started; sleep 999", opts=MUX)
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 1000$")
                           and harness.processes(cmdline=r"^sleep 999$"), 10),
          "two long sessions run side by side", a, s)
    time.sleep(0.5)
    # The refused mux client falls back to a connection of its own (OpenSSH's client does that).
    r = ssh("echo third", opts=MUX)
    check(re.search(r"refused by peer|open failed", r.log) and r.stdout == b"third\n",
          "a third session through the master while two run is refused (MaxSessions 2); the client "
          "falls back to a connection of its own", r, s)
    check(master.proc.poll() is None, "the master connection survives the refusal", master)

    a.kill()
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1000$"), 5),
          "killing one session's client ends that session's command", harness.processes(cmdline="sleep"),
          reference_differs="OpenSSH does not hang up a command without a pty when its channel closes")
    harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 1000$"), 5)
    r = ssh("echo fourth", opts=MUX)
    check(r.stdout == b"fourth\n" and r.returncode == 0, "its slot is free again", r, s)
    check(b.proc.poll() is None and harness.processes(cmdline=r"^sleep 999$"),
          "the other session is undisturbed", b)
    b.kill()

    pids = set()
    for i in range(6):
        r = ssh("echo $$", opts=MUX)
        pids.add(r.stdout)
    check(len(pids) == 6, "six sessions in a row, each its own process", pids)
    r = ssh(None, opts=MUX + ["-O", "exit"])
    check(master.wait(10) is not None, "the master leaves on -O exit", master)
    check(harness.wait_for(lambda: s.count(r"Disconnected from user alice|Received disconnect from") >= 1, 5),
          "and the server logs the end of the connection", s)

    first, third, fourth, closing = asyncio.run(sessions_on_one_connection())
    check(first == ["one\n", "two\n"], f"two sessions run at once on one connection ({first})")
    check(isinstance(third, str) and third.startswith("refused"),
          f"a third one is refused while they run, MaxSessions 2 ({third!r})", s)
    check(fourth == "four\n" and not closing,
          f"when one ends, a new one runs, and the other is left alone ({fourth!r})", s)


harness.run(main)
