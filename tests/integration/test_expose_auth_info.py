#!/usr/bin/python3
"""ExposeAuthInfo yes: each session finds in SSH_USER_AUTH a file, /tmp/sshauth.*, owned by the user
with mode 0600, that says how the connection authenticated, in OpenSSH's words: "publickey
ssh-ed25519 AAAA..." (the key as authorized_keys holds it) or "password". The file goes when the
connection ends, however it ends: the client disconnects, is killed, or the monitor is told to stop
(SIGTERM). A user who replaced it by a symbolic link loses the link only. With ExposeAuthInfo no (the
default) there is no SSH_USER_AUTH and no file, beside the control with yes."""
import glob
import os
import re
import select
import signal
import time

import harness
from harness import KEYS, Server, SshProcess, check, ssh

PATH_RE = re.compile(r"^/tmp/sshauth\.[A-Za-z0-9]{15}$")


def auth_files():
    return sorted(glob.glob("/tmp/sshauth.*"))


def first_line(p, timeout=15):
    """The first line a background ssh writes (the remote command's), or b"" after timeout s."""
    data = b""
    fd = p.proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n")[0]


def main():
    with open(f"{KEYS}/alice.pub") as f:
        key = " ".join(f.read().split()[:2])     # "ssh-ed25519 AAAA...", without the comment

    # -- the default: nothing ----------------------------------------------------------------------
    s = Server().start()
    r = ssh('echo "[${SSH_USER_AUTH-unset}]"')
    check(r.returncode == 0 and r.stdout == b"[unset]\n", "ExposeAuthInfo no (default): no SSH_USER_AUTH", r, s)
    check(auth_files() == [], "and no /tmp/sshauth.* file", auth_files())
    s.stop()

    s = Server("ExposeAuthInfo yes\nPasswordAuthentication yes").start()

    # -- publickey --------------------------------------------------------------------------------
    r = ssh('echo "$SSH_USER_AUTH"; stat -c "%U %G %a %F" "$SSH_USER_AUTH"; cat "$SSH_USER_AUTH"')
    lines = r.stdout.decode(errors="replace").split("\n")
    path = lines[0] if lines else ""
    check(r.returncode == 0 and PATH_RE.match(path), f"ExposeAuthInfo yes: SSH_USER_AUTH names /tmp/sshauth.* ({path!r})",
          r, s)
    check(len(lines) > 1 and lines[1] == "alice alice 600 regular file",
          f"the file is alice's, mode 0600 ({lines[1] if len(lines) > 1 else None!r})", r)
    check("\n".join(lines[2:]) == f"publickey {key}\n",
          f"it says 'publickey {key[:20]}...' and nothing else ({lines[2:]!r})", r)
    check(PATH_RE.match(path) and harness.wait_for(lambda: not os.path.exists(path), 10),
          "it is gone once the client has disconnected", auth_files(), s)

    # -- password -----------------------------------------------------------------------------------
    r = ssh('cat "$SSH_USER_AUTH"', password="alicepw")
    check(r.returncode == 0 and r.stdout == b"password\n", f"a password login: 'password' ({r.stdout!r})", r, s)
    check(harness.wait_for(lambda: auth_files() == [], 10), "gone after that connection too", auth_files())

    # -- the client is killed -----------------------------------------------------------------------
    p = SshProcess('echo "$SSH_USER_AUTH"; exec sleep 600')
    path = first_line(p).decode(errors="replace")
    check(PATH_RE.match(path) and os.path.exists(path), f"a running session's file exists ({path!r})", p)
    p.kill()
    check(PATH_RE.match(path) and harness.wait_for(lambda: not os.path.exists(path), 10),
          "after the client is killed (SIGKILL), the file is gone", auth_files(), s)
    p.close()

    # -- the monitor is told to stop ------------------------------------------------------------------
    p = SshProcess('echo "$SSH_USER_AUTH"; exec sleep 601')
    path = first_line(p).decode(errors="replace")
    check(PATH_RE.match(path) and os.path.exists(path), f"another session's file exists ({path!r})", p)
    monitors = [] if harness.is_openssh() else harness.processes(cmdline=r"^privsshd: alice \[monitor\]")
    if not harness.is_openssh():
        check(len(monitors) == 1, f"its monitor is found ({len(monitors)})", harness.processes(cmdline="privsshd"))
        for m in monitors:
            os.kill(m.pid, signal.SIGTERM)
        check(PATH_RE.match(path) and harness.wait_for(lambda: not os.path.exists(path), 10),
              "after its monitor got SIGTERM, the file is gone", auth_files(), s)
    p.close()
    check(harness.wait_for(lambda: auth_files() == [], 10), "no /tmp/sshauth.* file is left", auth_files())

    # -- the user swaps it for a link to a file that is not the user's ---------------------------------
    with open("/tmp/precious", "w") as f:
        f.write("root's\n")
    r = ssh('rm "$SSH_USER_AUTH" && ln -s /tmp/precious "$SSH_USER_AUTH" && echo "$SSH_USER_AUTH"')
    link = r.stdout.decode(errors="replace").strip()
    check(r.returncode == 0 and PATH_RE.match(link), f"the user replaced the file by a link ({link!r})", r)
    check(PATH_RE.match(link) and harness.wait_for(lambda: not os.path.lexists(link), 10),
          "at the end, the link is removed", auth_files())
    check(os.path.exists("/tmp/precious") and open("/tmp/precious").read() == "root's\n",
          "and the file it pointed to is untouched")
    s.stop()


harness.run(main)
