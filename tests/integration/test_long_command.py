#!/usr/bin/python3
"""Long exec requests (issue 7, finding 6): the limits hold end to end. A command runs up to
SESSION_MAX_COMMAND bytes (the kernel's limit for one execve() string, less room for
SSH_ORIGINAL_COMMAND=); a longer one fails its channel alone, with the reason on the channel's
stderr, exit status 255 and a log line naming the limit, while the connection's other channels go
on (the request is accepted, so that OpenSSH's client shows the reason: OpenSSH's server too
accepts such a request and fails in execve()). Env requests past their total are refused one by
one and the session still starts. Before, a 70,000-byte command made the worker's IPC message too
long and dropped the whole connection."""
import asyncio
import re
import subprocess

import harness
from harness import Server, check

import warnings
warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402  (after the warnings filter: Debian's asyncssh warns about old ciphers)

SESSION_MAX_COMMAND = 127 * 1024        # common/limits.h
SESSION_MAX_ENV_TOTAL = 64 * 1024
OURS = ("OpenSSH runs a command up to what the kernel takes (one byte more runs too) and has no "
        "total for env requests")


def command_of(length, marker):
    """A shell command of exactly `length` bytes that prints `marker`."""
    head = f"echo {marker}; : "
    return head + "x" * (length - len(head))


class Collect(asyncssh.SSHClientSession):
    """A session that keeps what arrives, also when its request is refused (asyncssh then raises)."""

    def __init__(self):
        self.stdout, self.stderr, self.status = "", "", None

    def data_received(self, data, datatype):
        if datatype == asyncssh.EXTENDED_DATA_STDERR:
            self.stderr += data
        else:
            self.stdout += data

    def exit_status_received(self, status):
        self.status = status


def ssh_words(words):
    """The OpenSSH client with the command given as several arguments (each one within the kernel's
    limit for the client's own execve(); ssh joins them with spaces)."""
    logfile = "/tmp/ssh-long.log"
    argv = harness.ssh_argv("alice", None, logfile=logfile, verbose=1) + words
    r = subprocess.run(argv, capture_output=True, timeout=60, env=harness.ssh_env(None),
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr + harness.read_text(logfile).encode()


async def attempt(coro):
    """The result, or what was raised (the connection may be gone: then every later step says so)."""
    try:
        return await asyncio.wait_for(coro, 20)
    except (asyncssh.Error, OSError, asyncio.TimeoutError) as e:
        return ("raised", repr(e))


async def run(conn, command, **kw):
    r = await conn.run(command, check=False, **kw)
    return (r.exit_status, r.stdout, r.stderr)


async def refused(conn, command):
    session = Collect()
    try:
        chan, _ = await conn.create_session(lambda: session, command)
        await asyncio.wait_for(chan.wait_closed(), 10)
        how = "accepted"
    except asyncssh.ChannelOpenError as e:
        how = e.reason
    await asyncio.sleep(0.5)                    # what follows a failure reply: stderr, status
    return (how, session.status, session.stdout, session.stderr)


async def slow_session(slow, first):
    rest = await slow.stdout.read()
    await slow.wait_closed()
    return (first + rest, slow.exit_status)


async def channels_on_one_connection():
    out = {}
    async with harness.asyncssh_connect() as conn:
        # Channel 1: a session that runs through all of what follows.
        slow = await conn.create_process("for i in 1 2 3 4 5 6; do echo line$i; sleep 0.5; done; exit 7")
        first = await asyncio.wait_for(slow.stdout.readline(), 10)
        # Channel 2: 70,000 bytes, more than one IPC message used to hold: it runs.
        out["70000"] = await attempt(run(conn, command_of(70000, "seventy-thousand")))
        # Channel 3: exactly the limit runs too (the kernel takes it).
        out["limit"] = await attempt(run(conn, command_of(SESSION_MAX_COMMAND, "at-the-limit")))
        # Channel 4: one byte over: refused, on this channel alone.
        out["over"] = await attempt(refused(conn, command_of(SESSION_MAX_COMMAND + 1, "over")))
        # Channel 5: env requests past their total are refused one by one; the session starts.
        env = {f"BIG_{i}": "v" * 8000 for i in range(10)}
        out["env"] = await attempt(run(conn, "env | grep -c ^BIG_", env=env))
        out["slow"] = await attempt(slow_session(slow, first))
    return out


def main():
    s = Server("AcceptEnv BIG_*").start()
    out = asyncio.run(channels_on_one_connection())

    check(out["70000"] == (0, "seventy-thousand\n", ""), f"a 70,000-byte command runs ({out['70000']!r:.200})", s)
    check(out["limit"] == (0, "at-the-limit\n", ""),
          f"a command of exactly SESSION_MAX_COMMAND ({SESSION_MAX_COMMAND}) bytes runs ({out['limit']!r:.200})", s)
    check(out["over"][:3] == ("accepted", 255, "") and
          f"privsshd: command too long ({SESSION_MAX_COMMAND + 1} bytes, at most {SESSION_MAX_COMMAND})" in out["over"][3],
          f"one byte more: not run; the reason on that channel's stderr, exit 255 ({out['over']!r:.300})", s,
          reference_differs=OURS)
    check(s.wait_log(rf"channel \d+: exec request not run: command of {SESSION_MAX_COMMAND + 1} bytes, longer "
                     rf"than SESSION_MAX_COMMAND \({SESSION_MAX_COMMAND}\)", 5),
          "the log names the limit", s, reference_differs=OURS)
    check(out["env"][0] == 0 and out["env"][1].strip() == str(SESSION_MAX_ENV_TOTAL // 8006),
          f"env requests past SESSION_MAX_ENV_TOTAL are refused, the session runs with the others "
          f"({out['env']!r})", s, reference_differs=OURS)
    check(s.wait_log(r"env request BIG_\d refused: too much environment on this channel "
                     r"\(SESSION_MAX_ENV_TOTAL\)", 5) and s.count(r"env request .* refused") == 1,
          "the refused env requests are logged once, naming the limit", s, reference_differs=OURS)
    lines = "".join(f"line{i}\n" for i in range(1, 7))
    check(out["slow"] == (lines, 7),
          f"the first channel's session runs to its end through all of it: all its output, exit 7 "
          f"({out['slow']!r})", s)

    # The OpenSSH client: the reason reaches the user, ssh exits 255; a shorter command runs.
    words = ["echo"] + ["y" * 60000] * 3 + ["|", "wc", "-c"]
    n = len(" ".join(words))
    rc, stdout, stderr = ssh_words(words)
    reason = f"privsshd: command too long ({n} bytes, at most {SESSION_MAX_COMMAND})\r\n".encode()
    check(rc == 255 and reason in stderr, f"ssh with a {n}-byte command prints the reason and exits 255", rc,
          "\n".join(l for l in stderr.decode().splitlines() if "yyyy" not in l)[-3000:],
          reference_differs="OpenSSH's shell fails in execve() with E2BIG instead")
    rc, stdout, stderr = ssh_words(["echo"] + ["y" * 30000] * 3 + ["|", "wc", "-c"])
    check(rc == 0 and stdout.strip() == b"90003", "ssh with a 90,015-byte command runs it", rc, stdout,
          stderr[-3000:])


harness.run(main)
