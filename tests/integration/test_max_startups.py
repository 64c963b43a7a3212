#!/usr/bin/python3
"""MaxStartups and PerSourceMaxStartups count connections that have not authenticated, as OpenSSH's:

  - one source flooding the port with idle connections gets PerSourceMaxStartups (default 5) of
    them and no more, each refusal logged "drop connection #N from [127.0.0.2]:P on
    [127.0.0.1]:2222 past Maxstartups", and refused again when it tries a real login; while the
    flood is held, a login from another source works (the host stays reachable);
  - authenticated connections do not count: with MaxStartups 2, three logged-in sessions do not
    stop a fourth login, while two idle unauthenticated connections do stop a third (the control);
  - the listener learns of an authentication through a pipe that only it and the connection's
    monitor hold (never the worker), moved off its fixed fd 3 and close-on-exec in the monitor, and
    closed once the connection authenticated;
  - between start and full, connections are dropped at random with the configured probability:
    with MaxStartups 1:50:1000 about half of 100 attempts are refused (bounds 5 standard
    deviations wide, so the check does not flake), each with the log line.

Reference differs: Debian's OpenSSH 9.2 has no PerSourceMaxStartups default and no penalties."""
import os
import re

import harness
from harness import Server, SshProcess, check, connect_from, first_line, ssh

BANNER = b"SSH-2.0-"
REFUSED = b"Not allowed at this time"


def drop_line(source):
    return (rf"^drop connection #\d+ from \[{re.escape(source)}\]:\d+ on \[127\.0\.0\.1\]:{harness.PORT} "
            r"past Maxstartups$")


def flood_from_one_source():
    s = Server().start()            # the defaults: MaxStartups 10:30:100, PerSourceMaxStartups 5
    flood, answers = [], []
    for _ in range(100):
        c = connect_from("127.0.0.2")
        answers.append(first_line(c))
        if answers[-1] == REFUSED:
            c.close()
        else:
            flood.append(c)
    got = sum(a.startswith(BANNER) for a in answers)
    refused = sum(a == REFUSED for a in answers)
    check(got == 5 and refused == 95,
          f"of 100 idle connections from 127.0.0.2, 5 get the banner and 95 are refused "
          f"({got} and {refused})", answers, s)
    check(s.count(drop_line("127.0.0.2")) == 95,
          "each refusal is logged: drop connection #N from [127.0.0.2]:P on [127.0.0.1]:2222 past Maxstartups",
          s)
    procs = harness.processes(cmdline=r"\[monitor\]") + harness.processes(comm="privsshd-worker")
    check(len(procs) == 10, f"the flood costs 5 monitors and 5 workers, no more ({len(procs)} processes)", procs)
    check(s.wait_log(r"^beginning MaxStartups throttling$", 2), "log: beginning MaxStartups throttling", s)

    r = ssh("echo reachable", opts=["-o", "BindAddress=127.0.0.3"])
    check(r.returncode == 0 and r.stdout == b"reachable\n",
          "while the flood is held, alice logs in from 127.0.0.3 (positive control)", r, s)
    r = ssh("echo flooder", opts=["-o", "BindAddress=127.0.0.2"])
    check(r.returncode == 255 and b"flooder" not in r.stdout,
          f"a login from the flooding source is refused ({r.returncode})", r, s)
    check(s.count(drop_line("127.0.0.2")) == 96, "and logged the same way", s)
    for c in flood:
        c.close()
    s.stop()


def authenticated_do_not_count():
    s = Server("MaxStartups 2\nPerSourceMaxStartups none").start()
    # Control: two unauthenticated connections fill MaxStartups 2, so a third is refused.
    idle = [connect_from("127.0.0.1") for _ in range(2)]
    check(all(first_line(c).startswith(BANNER) for c in idle), "two idle connections get the banner", s)
    third = connect_from("127.0.0.1")
    check(first_line(third) == REFUSED, "with MaxStartups 2, a third unauthenticated connection is refused", s)
    third.close()
    for c in idle:
        c.close()
    # Wait until the listener reaped the idle ones (they exit once their worker sees EOF).
    check(harness.wait_for(lambda: not harness.processes(comm="privsshd-worker"), 10),
          "the idle connections are gone", harness.processes(cmdline="privsshd"))

    # One after the other: each must have authenticated before the next one starts.
    sessions = []
    for i in range(3):
        p = SshProcess("echo in; sleep 120")
        sessions.append(p)
        check(p.proc.stdout.readline() == b"in\n", f"session {i + 1} of 3 logged in and runs", p, s)
    r = ssh("echo fourth")
    check(r.returncode == 0 and r.stdout == b"fourth\n",
          "three logged-in sessions do not count against MaxStartups 2: a fourth login works", r, s)
    for p in sessions:
        p.close()
    s.stop()


def random_early_drop():
    s = Server("MaxStartups 1:50:1000\nPerSourceMaxStartups none").start()
    held = [connect_from("127.0.0.1")]
    check(first_line(held[0]).startswith(BANNER), "below start, a connection is never dropped", s)
    # From 1 unauthenticated connection on, drop with 50 % rising to 100 % at 1000; the accepted
    # ones are held open, so the probability stays between 50 and 53 %.
    dropped = 0
    for _ in range(100):
        c = connect_from("127.0.0.1")
        line = first_line(c)
        if line == REFUSED:
            dropped += 1
            c.close()
        elif line.startswith(BANNER):
            held.append(c)
        else:
            check(False, f"each attempt gets the banner or OpenSSH's refusal (got {line!r})", s)
            c.close()
    # 100 attempts at p ~ 0.51: mean 51, standard deviation 5; 25..77 is 5 deviations wide.
    check(25 <= dropped <= 77, f"about half of 100 attempts are dropped at random ({dropped})", s)
    check(harness.wait_for(lambda: s.count(drop_line("127.0.0.1")) == dropped, 5),
          f"each drop is logged ({s.count(drop_line('127.0.0.1'))} lines for {dropped})", s)
    for c in held:
        c.close()
    s.stop()


def pipes(pid):
    """{fd: "pipe:[inode]"} of a process's pipes, and each one's fdinfo flags."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            flags = int(re.search(r"^flags:\s*(\d+)", harness.read_text(f"/proc/{pid}/fdinfo/{fd}"), re.M)[1], 8)
        except (OSError, TypeError):
            continue
        if target.startswith("pipe:"):
            out[int(fd)] = (target, flags)
    return out


def startup_pipe_stays_in_monitor():
    """The startup pipe joins the listener and the monitor only, and closes at authentication."""
    s = Server().start()
    listener = s.proc.pid
    idle = connect_from("127.0.0.1")
    check(first_line(idle).startswith(BANNER), "an idle connection gets the banner", s)
    lp = pipes(listener)
    check(len(lp) == 1, f"the listener holds one startup pipe ({lp})", s)
    inode = next(iter(lp.values()))[0] if lp else "none"
    monitors = harness.processes(cmdline=r"\[monitor\]")
    workers = harness.processes(comm="privsshd-worker")
    check(len(monitors) == 1 and len(workers) == 1, "one monitor, one worker", monitors, workers)
    if monitors and workers:
        mp = {fd: v for fd, v in pipes(monitors[0].pid).items() if v[0] == inode}
        check(len(mp) == 1, f"the monitor holds the other end ({mp}) (so the check below can see it)")
        check(all(fd != 3 and flags & 0o2000000 for fd, (_, flags) in mp.items()),
              "moved off fd 3 and close-on-exec", mp)
        wp = {fd: v for fd, v in pipes(workers[0].pid).items() if v[0] == inode}
        check(not wp, f"the worker does not hold it ({wp})")
    check(harness.wait_for(lambda: "[listener] 1 of 10-100 startups" in harness.Proc(listener).cmdline, 5),
          "the listener's title counts 1 startup", harness.Proc(listener).cmdline)
    idle.close()
    check(harness.wait_for(lambda: not pipes(listener), 10), "when it ends, the listener closes its pipe", s)

    p = SshProcess("echo in; sleep 120")
    check(p.proc.stdout.readline() == b"in\n", "a session logged in and runs", p, s)
    check(harness.wait_for(lambda: "[listener] 0 of 10-100 startups" in harness.Proc(listener).cmdline, 5),
          "authenticated: the listener counts 0 startups", harness.Proc(listener).cmdline)
    check(len(pipes(listener)) == 1,
          f"and keeps reading the pipe for the connection's session figures (STATUS=) ({pipes(listener)})", s)
    p.close()
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"\[monitor\]"), 10),
          "the session's monitor is gone after the client", harness.processes(cmdline="privsshd"))
    check(harness.wait_for(lambda: not pipes(listener), 10), "and the listener has closed its pipe", s)
    s.stop()


def main():
    if harness.is_openssh():
        raise harness.ReferenceDiffers("Debian's OpenSSH 9.2 has PerSourceMaxStartups none by default")
    startup_pipe_stays_in_monitor()
    flood_from_one_source()
    authenticated_do_not_count()
    random_early_drop()


harness.run(main)
