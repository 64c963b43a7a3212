#!/usr/bin/python3
"""Terminal modes: `ssh -tt host stty -a` shows the client's own terminal settings, as with OpenSSH's
sshd. The OpenSSH client runs on a pty whose modes the test sets (intr ^G, erase ^H, kill ^X, eol ^A,
susp disabled, -echoctl, tostop, iutf8, -ixon, 9600 baud); the client sends them in its pty-req, and
every setting RFC 4254 carries reads the same in the remote `stty -a` as in the local one. Control: a
client on a pty with the kernel's defaults gets the defaults (so the distinctive values above are
the client's doing, not the server's). A client that sends malformed modes (bytes after the end, a
truncated argument, more than SESSION_MAX_TTY_MODES bytes; python3-asyncssh with its pty-req bytes
replaced) gets its pty-req refused with a log line, and the connection carries on; control: the same
client's well-formed modes are applied."""
import asyncio
import os
import re
import struct
import termios
import warnings

import harness
from harness import Server, check

warnings.filterwarnings("ignore")
import asyncssh  # noqa: E402  (after the warnings filter: Debian's asyncssh warns about old ciphers)

IUTF8 = 0o040000        # <termios.h>; not in Python's termios module

# What RFC 4254 section 8 carries, by GNU stty's names (pendin is not shown by stty -a).
CHARS = ("intr", "quit", "erase", "kill", "eof", "eol", "eol2", "start", "stop", "susp", "rprnt", "werase",
         "lnext", "discard")
FLAGS = ("ignpar", "parmrk", "inpck", "istrip", "inlcr", "igncr", "icrnl", "iuclc", "ixon", "ixany", "ixoff",
         "imaxbel", "iutf8", "isig", "icanon", "xcase", "echo", "echoe", "echok", "echonl", "noflsh",
         "tostop", "iexten", "echoctl", "echoke", "opost", "olcuc", "onlcr", "ocrnl", "onocr", "onlret")
DISTINCTIVE = {"intr": "^G", "erase": "^H", "kill": "^X", "eol": "^A", "susp": "<undef>", "echoctl": False,
               "tostop": True, "iutf8": True, "ixon": False, "speed": "9600"}


def parse_stty(text):
    """The settings of `stty -a` output that the modes carry: {name: "^C" | True/False, "speed": "N"}."""
    out = {}
    m = re.search(r"speed (\d+) baud", text)
    if m:
        out["speed"] = m.group(1)
    for name, value in re.findall(r"\b(\w+) = ([^;\s]+);", text):
        if name in CHARS:
            out[name] = value
    for word in text.replace(";", " ").split():
        if word.lstrip("-") in FLAGS:
            out[word.lstrip("-")] = not word.startswith("-")
    return out


def distinctive(attrs):
    iflag, oflag, cflag, lflag, ispeed, ospeed, cc = attrs
    cc[termios.VINTR] = b"\x07"
    cc[termios.VERASE] = b"\x08"
    cc[termios.VKILL] = b"\x18"
    cc[termios.VEOL] = b"\x01"
    cc[termios.VSUSP] = b"\x00"          # _POSIX_VDISABLE on Linux: 255 on the wire
    lflag = (lflag & ~termios.ECHOCTL) | termios.TOSTOP
    iflag = (iflag & ~termios.IXON) | IUTF8
    return [iflag, oflag, cflag, lflag, termios.B9600, termios.B9600, cc]


def client_on_pty(name, setup=None):
    """`ssh -tt alice@host stty -a` with stdin a fresh pty (set up by `setup`): (local, remote) stty -a."""
    master, slave = os.openpty()
    try:
        if setup:
            termios.tcsetattr(slave, termios.TCSANOW, setup(termios.tcgetattr(slave)))
        local = harness.run_cmd(["stty", "-a"], stdin=slave, capture_output=True, text=True).stdout
        with os.fdopen(os.dup(slave), "rb", buffering=0) as tty:
            r = harness.ssh("stty -a", opts=["-tt"], stdin=tty, timeout=60)
        check(r.returncode == 0 and b"speed" in r.stdout, f"{name}: ssh -tt runs stty -a on a pty", r)
        return local, r.stdout.decode(errors="replace")
    finally:
        os.close(master)
        os.close(slave)


def op(code, value):
    return struct.pack(">BI", code, value)


async def asyncssh_pty(raw_modes):
    """A pty-req whose encoded modes are `raw_modes` exactly, then `stty -a` on it; then, on the same
    connection, a plain command. Returns (pty granted, stty output, the later command's output)."""
    orig = asyncssh.channel.SSHClientChannel._make_request

    async def make_request(self, request, *args):
        if request == b"pty-req":
            args = args[:-1] + (asyncssh.packet.String(raw_modes),)
        return await orig(self, request, *args)

    asyncssh.channel.SSHClientChannel._make_request = make_request
    try:
        async with harness.asyncssh_connect() as conn:
            try:
                r = await asyncio.wait_for(conn.run("stty -a", term_type="xterm", request_pty="force"), 20)
                granted, out = True, r.stdout
            except asyncssh.ChannelOpenError:
                granted, out = False, ""
            asyncssh.channel.SSHClientChannel._make_request = orig
            later = await asyncio.wait_for(conn.run("echo still-connected"), 20)
            return granted, out, later.stdout
    finally:
        asyncssh.channel.SSHClientChannel._make_request = orig


def main():
    s = Server().start()

    # The client's distinctive settings reach the remote pty.
    local, remote = client_on_pty("distinctive", distinctive)
    lset, rset = parse_stty(local), parse_stty(remote)
    check(all(lset.get(k) == v for k, v in DISTINCTIVE.items()),
          "the client's pty has the distinctive settings", local)
    check(all(rset.get(k) == v for k, v in DISTINCTIVE.items()),
          "remote stty -a shows them: intr ^G, erase ^H, kill ^X, eol ^A, susp undef, -echoctl, tostop, "
          "iutf8, -ixon, 9600 baud", {k: rset.get(k) for k in DISTINCTIVE}, remote, s)
    missing = [k for k in list(CHARS) + list(FLAGS) + ["speed"] if k not in lset or k not in rset]
    differ = {k: (lset[k], rset[k]) for k in lset if k in rset and lset[k] != rset[k]}
    check(not missing and not differ, f"every setting the modes carry ({len(lset)}) is the client's",
          f"missing {missing}, differ (local, remote) {differ}", remote)

    # Control: a client on a default pty gets the defaults.
    local, remote = client_on_pty("default")
    lset, rset = parse_stty(local), parse_stty(remote)
    check(lset and lset == rset,
          "control: with a default client pty, the remote settings are the same defaults", local, remote)
    check(all(rset.get(k) != v for k, v in DISTINCTIVE.items()),
          "control: and none of the distinctive ones", {k: rset.get(k) for k in DISTINCTIVE})

    if harness.is_openssh():
        return      # what follows is about our worker's refusal and its log line

    # A client's malformed modes: the pty-req is refused, the connection goes on.
    good = op(1, 7) + op(60, 0) + b"\0"
    granted, out, later = asyncio.run(asyncssh_pty(good))
    check(granted and re.search(r"intr = \^G;", out) and re.search(r"-echoctl\b", out),
          "control: asyncssh's hand-made modes (intr ^G, -echoctl) are applied", out)
    check(later.strip() == "still-connected", "control: the connection goes on", later)
    for name, raw, why in (("bytes after the end", op(1, 7) + b"\0" + op(3, 8), "malformed"),
                           ("a truncated argument", op(1, 7) + b"\x35\x00\x00", "malformed"),
                           ("1025 bytes", op(1, 7) * 204 + b"\xa0" * 5,
                            r"too long \(SESSION_MAX_TTY_MODES\)")):
        granted, out, later = asyncio.run(asyncssh_pty(raw))
        check(not granted, f"{name}: the pty-req is refused", out)
        check(s.wait_log(rf"pty-req refused: {why} terminal modes \({len(raw)} bytes\)", 5),
              f"{name}: and logged", s)
        check(later.strip() == "still-connected", f"{name}: the connection goes on", later, s)
    check("protocol violation" not in s.text(), "no worker was torn down", s)


harness.run(main)
