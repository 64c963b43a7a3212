#!/usr/bin/python3
"""An interactive shell on a pty, driven through tmux as a person would: the prompt appears; the
terminal is the user's (group tty, mode 0620) with TERM and SSH_TTY set; `who` shows the session;
Ctrl-C interrupts the foreground job and the shell carries on; `stty size` follows a resize of the
client's window; `exit 7` ends ssh with 7 even though a background job still holds the terminal;
afterwards `last` shows the login with its end."""
import os
import re
import subprocess
import time

import harness
from harness import Server, check

SOCK = "/tmp/tmux.sock"


def tmux(*args):
    return subprocess.run(["tmux", "-S", SOCK, *args], capture_output=True, text=True, timeout=10)


def pane():
    return tmux("capture-pane", "-p", "-J", "-S", "-200").stdout


def send(*keys):
    tmux("send-keys", "-t", "t", *keys)


def file_says(path, pattern, timeout=10):
    def ok():
        try:
            return re.search(pattern, open(path).read(), re.M)
        except OSError:
            return None
    return harness.wait_for(ok, timeout)


def main():
    s = Server().start()
    argv = harness.ssh_argv("alice", None, opts=["-tt"], logfile="/tmp/ssh-logs/tmux.log")
    os.makedirs("/tmp/ssh-logs", exist_ok=True)
    shell_cmd = " ".join("'" + a.replace("'", "'\\''") + "'" for a in argv) + "; echo $? > /tmp/t-ssh-exit"
    env = dict(harness.ssh_env(), TERM="xterm")
    r = subprocess.run(["tmux", "-S", SOCK, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100",
                        "-y", "30", shell_cmd], env=env, capture_output=True, text=True)
    check(r.returncode == 0, "tmux runs ssh -tt", r.stderr)

    check(harness.wait_for(lambda: re.search(r"alice@\S*:~\$ ?$", pane(), re.M), 15),
          "a bash prompt appears", "pane:\n" + pane(), s)

    send("tty > /tmp/t-tty; echo \"$TERM $SSH_TTY $0\" > /tmp/t-env; who > /tmp/t-who", "Enter")
    check(file_says("/tmp/t-tty", r"^/dev/pts/\d+$"), "the shell's stdin is a pty", harness.read_text("/tmp/t-tty"))
    tty = harness.read_text("/tmp/t-tty").strip()
    check(file_says("/tmp/t-env", rf"^(screen|tmux)\S* {re.escape(tty)} -bash$"),
          "TERM is the client's, SSH_TTY names the pty, $0 is -bash (a login shell)",
          harness.read_text("/tmp/t-env"))
    st = os.stat(tty) if os.path.exists(tty) else None
    check(st and st.st_uid == 2001 and st.st_gid == 5 and (st.st_mode & 0o777) == 0o620,
          f"{tty} belongs to alice, group tty, mode 0620", st)
    check(file_says("/tmp/t-who", rf"^alice\s+{re.escape(tty[5:])}\s.*\(127\.0\.0\.1\)"),
          "who shows alice on the pty, from 127.0.0.1", harness.read_text("/tmp/t-who"))

    # Ctrl-C reaches the foreground job, not the shell.
    send("sleep 100; echo not-interrupted > /tmp/t-list", "Enter")
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 100$"), 10), "sleep 100 runs")
    send("C-c")
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 100$"), 5), "Ctrl-C ends it")
    send("echo still-here > /tmp/t-alive", "Enter")
    check(file_says("/tmp/t-alive", "still-here"), "the shell carries on after Ctrl-C")
    check(not os.path.exists("/tmp/t-list"), "and the rest of the interrupted line did not run")

    # window-change
    send("stty size > /tmp/t-size1", "Enter")
    check(file_says("/tmp/t-size1", r"^\d+ \d+$"), "stty size works", harness.read_text("/tmp/t-size1"))
    tmux("resize-window", "-t", "t", "-x", "83", "-y", "21")
    want = tmux("display-message", "-p", "-t", "t", "#{pane_height} #{pane_width}").stdout.strip()
    time.sleep(0.5)
    send("stty size > /tmp/t-size2", "Enter")
    check(file_says("/tmp/t-size2", rf"^{re.escape(want)}$"),
          f"after the client's window is resized, stty size says {want}", harness.read_text("/tmp/t-size2"))

    # A background job keeps the terminal open; exit still ends the session, with the shell's status.
    send("sleep 1000 & exit 7", "Enter")
    check(file_says("/tmp/t-ssh-exit", r"^7$", 10), "exit 7 ends ssh with status 7 though a job holds the pty",
          harness.read_text("/tmp/t-ssh-exit"), "pane:\n" + pane(), s)

    check(harness.wait_for(lambda: not re.search(r"^alice ", harness.run_cmd(["who"], capture_output=True,
                                                                            text=True).stdout, re.M), 5),
          "who no longer shows the session", harness.run_cmd(["who"], capture_output=True, text=True).stdout)
    time.sleep(1.1)     # last(1) prints "still running" for a logout in the current second
    last = harness.run_cmd(["last", "-f", "/var/log/wtmp"], capture_output=True, text=True).stdout
    check(re.search(rf"^alice\s+{re.escape(tty[5:])}\s+127\.0\.0\.1 .* - \d\d:\d\d ", last, re.M)
          and "still logged in" not in last, "last shows the login with its end", last)
    tmux("kill-server")
    for p in harness.processes(cmdline=r"^sleep 1000$"):
        os.kill(p.pid, 9)


harness.run(main)
