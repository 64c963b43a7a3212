#!/usr/bin/python3
"""PerSourcePenalties refuse a source for a while after its connections ended badly, as OpenSSH 9.8+:

  - a failed password from 127.0.0.2 earns "penalty: failed authentication" (logged as OpenSSH's
    "srclimit_penalise: ipv4: new 127.0.0.2/32 active penalty of 60 seconds for penalty: failed
    authentication"), and its next login is refused with "drop connection #N from
    [127.0.0.2]:P on [127.0.0.1]:2222 penalty: failed authentication";
  - controls: the same failure from 127.0.0.3, which PerSourcePenaltyExemptList names, earns
    nothing and its next login works; 127.0.0.4, which never failed, logs in twice;
  - a connection that never authenticates (127.0.0.5) earns "connections without attempting
    authentication"; one that outlives LoginGraceTime (127.0.0.6) "exceeded LoginGraceTime";
  - a worker that crashes before authentication (killed here with SIGSYS, as seccomp kills it, a
    signal its monitor never sends) earns its source (127.0.0.7) "penalty: caused crash" for 90 s by
    default, while 127.0.0.8 still gets the banner.

Reference differs: Debian's OpenSSH 9.2 has no PerSourcePenalties."""
import os
import re
import signal

import harness
from harness import Server, check, connect_from, first_line, ssh

BANNER = b"SSH-2.0-"
REFUSED = b"Not allowed at this time"


def new_penalty(source, secs, reason):
    return (rf"^srclimit_penalise: ipv4: new {re.escape(source)}/32 active penalty of {secs} seconds for "
            rf"penalty: {re.escape(reason)}$")


def drop_line(source, reason):
    return (rf"^drop connection #\d+ from \[{re.escape(source)}\]:\d+ on \[127\.0\.0\.1\]:{harness.PORT} "
            rf"penalty: {re.escape(reason)}$")


def login(source, **kw):
    return ssh("echo in", opts=["-o", f"BindAddress={source}"], **kw)


def no_connections_left():
    return harness.wait_for(lambda: not harness.processes(comm="privsshd-worker"), 15)


def failures_and_controls():
    s = Server("PerSourcePenalties authfail:60 noauth:60 grace-exceeded:60\n"
               "PerSourcePenaltyExemptList 127.0.0.1,127.0.0.3\n"
               "LoginGraceTime 5").start()

    r = login("127.0.0.4")
    check(r.returncode == 0 and r.stdout == b"in\n", "127.0.0.4 (no failures) logs in", r, s)

    r = login("127.0.0.2", password="wrong-password")
    check(r.returncode == 255, "127.0.0.2 fails its password", r, s)
    check(s.wait_log(new_penalty("127.0.0.2", 60, "failed authentication")),
          "log: srclimit_penalise: ipv4: new 127.0.0.2/32 active penalty of 60 seconds for penalty: "
          "failed authentication", s)
    r = login("127.0.0.2")
    check(r.returncode == 255 and r.stdout == b"", "then even alice's key login from 127.0.0.2 is refused", r, s)
    check(s.wait_log(drop_line("127.0.0.2", "failed authentication")),
          "log: drop connection #N from [127.0.0.2]:P on [127.0.0.1]:2222 penalty: failed authentication", s)

    r = login("127.0.0.3", password="wrong-password")
    check(r.returncode == 255, "127.0.0.3 (exempt) fails its password too", r, s)
    r = login("127.0.0.3")
    check(r.returncode == 0 and r.stdout == b"in\n", "but 127.0.0.3 is exempt: its next login works", r, s)
    check(not re.search(r"127\.0\.0\.3/32", s.text()), "and no penalty names 127.0.0.3", s)

    r = login("127.0.0.4")
    check(r.returncode == 0 and r.stdout == b"in\n", "127.0.0.4 logs in again", r, s)
    check(not re.search(r"127\.0\.0\.4/32", s.text()), "no penalty names 127.0.0.4 (it never failed)", s)

    # Connect, get the banner, close: never attempted to authenticate.
    c = connect_from("127.0.0.5")
    check(first_line(c).startswith(BANNER), "127.0.0.5 gets the banner and hangs up", s)
    c.close()
    check(s.wait_log(new_penalty("127.0.0.5", 60, "connections without attempting authentication")),
          "log: ... new 127.0.0.5/32 active penalty of 60 seconds for penalty: connections without "
          "attempting authentication", s)
    c = connect_from("127.0.0.5")
    check(first_line(c) == REFUSED, "127.0.0.5's next connection is refused", s)
    c.close()

    # Stay idle past LoginGraceTime 5.
    c = connect_from("127.0.0.6")
    check(first_line(c).startswith(BANNER), "127.0.0.6 gets the banner and says nothing", s)
    harness.read_until_closed(c, 30)
    c.close()
    check(s.wait_log(new_penalty("127.0.0.6", 60, "exceeded LoginGraceTime")),
          "log: ... new 127.0.0.6/32 active penalty of 60 seconds for penalty: exceeded LoginGraceTime", s)
    c = connect_from("127.0.0.6")
    check(first_line(c) == REFUSED, "127.0.0.6's next connection is refused", s)
    c.close()
    s.stop()


def crash():
    s = Server().start()                # default penalties: crash:90
    check(no_connections_left(), "no connection is open", harness.processes(cmdline="privsshd"))
    c = connect_from("127.0.0.7")
    check(first_line(c).startswith(BANNER), "127.0.0.7 gets the banner", s)
    workers = harness.processes(comm="privsshd-worker")
    check(len(workers) == 1, "its worker runs", workers)
    if workers:
        os.kill(workers[0].pid, signal.SIGSYS)   # not SIGSEGV: ASan builds catch that one
    harness.read_until_closed(c, 10)
    c.close()
    check(s.wait_log(r"^worker \(pid \d+\) for 127\.0\.0\.7 port \d+ was killed by signal SIGSYS"),
          "log: the worker was killed by SIGSYS", s)
    check(s.wait_log(new_penalty("127.0.0.7", 90, "caused crash")),
          "log: srclimit_penalise: ipv4: new 127.0.0.7/32 active penalty of 90 seconds for penalty: caused crash",
          s)
    c = connect_from("127.0.0.7")
    check(first_line(c) == REFUSED, "127.0.0.7's next connection is refused", s)
    c.close()
    check(s.wait_log(drop_line("127.0.0.7", "caused crash")), "log: drop connection ... penalty: caused crash", s)
    c = connect_from("127.0.0.8")
    check(first_line(c).startswith(BANNER), "127.0.0.8 still gets the banner (control)", s)
    c.close()
    s.stop()


def main():
    if harness.is_openssh():
        raise harness.ReferenceDiffers("Debian's OpenSSH 9.2 has no PerSourcePenalties")
    failures_and_controls()
    crash()


harness.run(main)
