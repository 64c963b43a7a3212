#!/usr/bin/python3
"""What a user sees around logging in, as OpenSSH shows it: the Banner before authentication; on a
terminal login, /etc/motd (PrintMotd) and "Last login: ... from HOST" (PrintLastLog) from the second
login on; pam_motd's message (Debian's set-up); nothing of that with ~/.hushlogin, for a command, or with PrintMotd/PrintLastLog no;
PermitTTY no refuses the terminal (ssh -tt then gives up, its own choice)."""
import os
import re

import harness
from harness import Server, check, ssh

MOTD = "Welcome to the privsshd test host."
BANNER = "Authorized use only. This is the privsshd test banner."


def login(opts=("-tt",)):
    """An interactive login on a terminal that exits at once."""
    return ssh(None, opts=list(opts), stdin=b"exit 3\n")


def main():
    with open("/tmp/banner", "w") as f:
        f.write(BANNER + "\n")
    s = Server("Banner /tmp/banner").start()

    r = login()
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 3, "a terminal login runs the shell to its exit status", r, s)
    check(BANNER in r.stderr.decode(errors="replace"), "the Banner is shown (client's stderr) before authentication", r)
    check(MOTD in out, "/etc/motd is shown on a terminal login (PrintMotd yes)", r)
    check("Last login" not in out, "no 'Last login' on the first login", r)

    r = login()
    out = r.stdout.decode(errors="replace")
    check(re.search(r"Last login: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} from 127\.0\.0\.1", out),
          "the second login shows 'Last login: <date> from 127.0.0.1'", r, s)
    check(out.find("Last login") < out.find(MOTD), "before the motd, as OpenSSH orders them", r)

    r = ssh("echo cmd")
    check(r.stdout == b"cmd\n", "a command gets neither motd nor last login on its stdout", r)
    check(BANNER in r.stderr.decode(errors="replace"), "but the Banner still comes first", r)

    # A banner of 100000 bytes, as OpenSSH's regression suite (banner.sh) sends: it arrives whole.
    # Over the limit (128 KiB), none is sent, the monitor says why, and the login still works.
    big = "".join(f"{i:05d} privsshd banner line.\n" for i in range(4000))[:100000]
    with open("/tmp/banner", "w") as f:
        f.write(big)
    r = ssh("echo cmd")
    check(r.returncode == 0 and r.stderr.decode(errors="replace") == big,
          "a 100000-byte Banner reaches the client whole", f"got {len(r.stderr)} bytes", r, s)
    with open("/tmp/banner", "w") as f:
        f.write("x" * (128 * 1024 + 1))
    r = ssh("echo cmd")
    check(r.returncode == 0 and r.stdout == b"cmd\n" and b"xxx" not in r.stderr,
          "a Banner over 128 KiB is not sent, and the login goes on", r, s)
    check(s.wait_log(r"Banner /tmp/banner: File too large \(at most 131072 bytes\)"),
          "and the log says why", s)
    with open("/tmp/banner", "w") as f:
        f.write(BANNER + "\n")

    open("/home/alice/.hushlogin", "w").close()
    r = login()
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 3 and MOTD not in out and "Last login" not in out,
          "~/.hushlogin silences motd and last login", r)
    os.unlink("/home/alice/.hushlogin")
    s.stop()

    s = Server("PrintMotd no\nPrintLastLog no").start()
    r = login()
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 3 and MOTD not in out and "Last login" not in out,
          "PrintMotd no and PrintLastLog no show neither", r, s)
    check(BANNER not in r.stderr.decode(errors="replace"), "no Banner when none is configured", r)
    s.stop()

    # Debian's way: PrintMotd no, and pam_motd in the session stack shows the message instead.
    with open("/run/pam-motd", "w") as f:
        f.write("PAM's message of the day.\n")
    for service in ("privsshd", "sshd"):
        with open(f"/etc/pam.d/{service}", "a") as f:
            f.write("session optional pam_motd.so motd=/run/pam-motd noupdate\n")
    s = Server("PrintMotd no").start()
    r = login()
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 3 and out.count("PAM's message of the day.") == 1 and MOTD not in out,
          "with pam_motd and PrintMotd no, the user sees PAM's message once (Debian's set-up)", r, s)
    r = ssh("echo cmd")
    check(r.stdout == b"cmd\n", "but not on a command's stdout", r)
    s.stop()

    s = Server("PermitTTY no").start()
    r = ssh("tty; echo ran", opts=["-tt"])
    check(b"PTY allocation request failed" in r.stderr or "PTY allocation request failed" in r.log,
          "PermitTTY no: the client is told the pty was refused", r, s)
    check(r.returncode == 255 and b"ran" not in r.stdout,
          "and ssh -tt, which insists on a terminal, gives up (the client's choice)", r)
    r = ssh("tty; echo ran")
    check(r.stdout == b"not a tty\nran\n" and r.returncode == 0, "commands without a pty still run", r)
    s.stop()


harness.run(main)
