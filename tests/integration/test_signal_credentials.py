#!/usr/bin/python3
"""A client's signal request is delivered with the user's credentials; the hang-up stays root's.

alice's command starts a setuid-root helper (tests/helpers/become-root.c: real, effective and saved
uid 0, as a sudo child) in her session's process group, then waits with traps. A TERM signal
request (python3-asyncssh: OpenSSH's client cannot send one) must reach her shell, which records it
(control: the request is delivered), and must not reach the root process, which alice herself could
not signal (the review found the root monitor sent it). When the client then goes away, the
session's group is hung up as the kernel hangs up a terminal: that SIGHUP reaches the root process
too, so nothing of the session outlives the connection.

The senders run as the user, so the user can stop them; the monitor must not wait on them nor let
them pile up. With TestSignalSenderStops (test builds) every sender stops itself as such a user
would: of 12 quick requests, 8 senders are in flight (stopped) and the rest are refused and logged;
at their deadline they are killed and reaped, none is left, and the connection goes on serving.
"""
import asyncio
import os
import shutil
import warnings

import harness
from harness import Server, check

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402

HELPER = "/run/sigtest/become-root"

COMMAND = (f"{HELPER} /tmp/root-pid-$NAME </dev/null >/dev/null 2>&1 & "
           "for s in TERM HUP; do trap \"echo $s >> /tmp/got-$NAME\" $s; done; "
           "echo ready > /tmp/ready-$NAME; while [ ! -e /tmp/stop-$NAME ]; do sleep 0.1; done")


def install_helper():
    src = os.environ.get("PRIVSSHD_BECOME_ROOT", "")
    if not os.path.exists(src):
        raise harness.Skip("PRIVSSHD_BECOME_ROOT not built")
    os.makedirs(os.path.dirname(HELPER), mode=0o755, exist_ok=True)
    shutil.copy(src, HELPER)
    os.chown(HELPER, 0, 0)
    os.chmod(HELPER, 0o4755)


def root_pid(name):
    text = harness.read_text(f"/tmp/root-pid-{name}").strip()
    return int(text) if text.isdigit() else None


async def start(conn, name):
    chan, _ = await conn.create_session(asyncssh.SSHClientSession, f"NAME={name}; {COMMAND}")
    harness.wait_for(lambda: os.path.exists(f"/tmp/ready-{name}") and root_pid(name), 10)
    return chan


async def signal_then_stop(name):
    async with harness.asyncssh_connect() as conn:
        chan = await start(conn, name)
        pid = root_pid(name)
        uids = harness.Proc(pid).uids[:3] if pid else None
        chan.send_signal("TERM")
        harness.wait_for(lambda: "TERM" in harness.read_text(f"/tmp/got-{name}"), 5)
        await asyncio.sleep(0.5)
        alive = harness.alive(pid) if pid else None
        open(f"/tmp/stop-{name}", "w").close()
        await asyncio.wait_for(chan.wait_closed(), 10)
        return uids, alive


async def go_away(name):
    conn = await harness.asyncssh_connect()
    await start(conn, name)
    conn.abort()
    await asyncio.sleep(0.2)


def stopped_senders():
    """alice's stopped processes that are not her session's (the senders, stopped by the hook)."""
    return [p for p in harness.processes() if p.uids[:1] == ["2001"]
            and (p.field("State") or "").startswith("T") and "become-root" not in p.cmdline
            and "sleep" not in p.cmdline]


async def stopped_senders_do_not_pile_up(name):
    async with harness.asyncssh_connect() as conn:
        chan = await start(conn, name)
        for _ in range(12):
            chan.send_signal("TERM")
        peak = await asyncio.get_running_loop().run_in_executor(
            None, lambda: harness.wait_for(lambda: len(stopped_senders()) >= 8, 5) and len(stopped_senders()))
        gone = await asyncio.get_running_loop().run_in_executor(
            None, lambda: harness.wait_for(lambda: not stopped_senders(), 10))
        r = await conn.run("echo still-serving", check=False)
        open(f"/tmp/stop-{name}", "w").close()
        await asyncio.wait_for(chan.wait_closed(), 10)
        pid = root_pid(name)
        if pid and harness.alive(pid):
            os.kill(pid, 9)
        return peak, gone, r.stdout


def main():
    install_helper()
    s = Server().start()

    uids, alive = asyncio.run(signal_then_stop("a"))
    pid = root_pid("a")
    check(uids == ["0", "0", "0"], "the helper in alice's session runs with real, effective and saved uid 0",
          uids)
    check("TERM" in harness.read_text("/tmp/got-a"),
          "control: the TERM signal request reaches alice's shell", harness.read_text("/tmp/got-a"), s)
    check(alive is True, "the root process in her group does not get it (alice could not signal it)",
          alive, s)
    if pid and harness.alive(pid):
        os.kill(pid, 9)

    if harness.TEST_HOOKS and not harness.is_openssh():
        s.stop()
        s = Server("TestSignalSenderStops yes", name="stopping-senders").start()
        peak, gone, out = asyncio.run(stopped_senders_do_not_pile_up("c"))
        check(peak == 8, "senders stopped as the user: 8 in flight at most", peak, s)
        check(s.wait_log(r"signal TERM for alice refused: 8 signals still in flight"),
              "the requests past them are refused, and logged", s)
        check(gone, "at their deadline the stopped senders are killed and reaped: none is left",
              stopped_senders(), s)
        check(out == "still-serving\n", "the connection goes on serving meanwhile", out, s)
        s.stop()
        s = Server(name="after").start()

    asyncio.run(go_away("b"))
    pid = root_pid("b")
    check(pid is not None and harness.wait_for(lambda: not harness.alive(pid), 10),
          "when the client goes away, the hang-up (root's) reaches the root process too", pid, s)


harness.run(main)
