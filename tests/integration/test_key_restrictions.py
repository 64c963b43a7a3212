#!/usr/bin/python3
"""authorized_keys from="pattern-list" and expiry-time="..." with the real OpenSSH client, as OpenSSH's
sshd (with UseDNS no) decides and logs them. The harness's connections come from 127.0.0.1; `ssh -b`
makes them come from 127.0.0.2, so that each refusal has a control beside it: the same line lets the
other address in.

  - from="127.0.0.1" lets 127.0.0.1 in and keeps 127.0.0.2 out; from="127.0.0.0/8" lets 127.0.0.2 in;
    from="10.0.0.0/8" and from="!127.0.0.1,*" keep 127.0.0.1 out (and the latter lets 127.0.0.2 in);
    each refusal is logged as "<file>:<line>: Authentication tried for alice with correct key but not
    from a permitted host (host=127.0.0.1, ip=127.0.0.1, required=...)."; an inconsistent CIDR
    ("10.0.0.0/33") refuses the key the same way, after "invalid from criteria".
  - expiry-time in the future (25250101, as OpenSSH's key-options.sh) lets the key in; in the past
    (19990101) it is refused with "<file>:<line>: entry expired at 1999-01-01T00:00:00" (DEBUG); an
    invalid one ("INVALID") makes the line malformed ("bad key options: invalid expires time")."""
import re

import harness
from harness import KEYS, Server, check, ssh

AUTHKEYS = "/home/alice/.ssh/authorized_keys"
LOC = re.escape(AUTHKEYS) + r":1: "


def set_options(pub, options):
    with open(AUTHKEYS, "w") as f:
        f.write(f"{options} {pub}" if options else pub)


def login(source="127.0.0.1"):
    return ssh("echo in", opts=["-b", source])


def allowed(pub, options, source):
    set_options(pub, options)
    r = login(source)
    check(r.returncode == 0 and r.stdout == b"in\n", f"{options or 'no options'}: {source} logs in", r)


def refused(s, pub, options, source, line, what=None):
    """The key is refused from `source`, and a new log line matching `line` says why."""
    set_options(pub, options)
    before = s.count(line)
    r = login(source)
    check(r.returncode == 255 and r.stdout == b"" and "Permission denied" in r.log,
          f"{options}: {source} is refused (exit {r.returncode})", r)
    check(harness.wait_for(lambda: s.count(line) > before, 5), f"{options}: log: {what or line}", s)


def not_permitted(ip, required):
    return (rf"^{LOC}Authentication tried for alice with correct key but not from a permitted host "
            rf"\(host={re.escape(ip)}, ip={re.escape(ip)}, required={re.escape(required)}\)\.$")


def main():
    with open(f"{KEYS}/alice.pub") as f:
        pub = f.read()
    # Connections from 127.0.0.2 fail on purpose here: keep PerSourcePenalties from locking it out.
    extra = "" if harness.is_openssh() else "PerSourcePenaltyExemptList 127.0.0.0/8"
    s = Server(f"LogLevel DEBUG1\n{extra}").start()

    allowed(pub, "", "127.0.0.1")
    allowed(pub, "", "127.0.0.2")

    # from=: each refusal beside the control that lets the same line in.
    allowed(pub, 'from="127.0.0.1"', "127.0.0.1")
    refused(s, pub, 'from="127.0.0.1"', "127.0.0.2", not_permitted("127.0.0.2", "127.0.0.1"))
    allowed(pub, 'from="127.0.0.0/8"', "127.0.0.2")
    allowed(pub, 'from="127.0.0.0/8"', "127.0.0.1")
    refused(s, pub, 'from="10.0.0.0/8"', "127.0.0.1", not_permitted("127.0.0.1", "10.0.0.0/8"))
    refused(s, pub, 'from="!127.0.0.1,*"', "127.0.0.1", not_permitted("127.0.0.1", "!127.0.0.1,*"))
    allowed(pub, 'from="!127.0.0.1,*"', "127.0.0.2")
    allowed(pub, 'from="10.0.0.0/8,127.0.0.?"', "127.0.0.1")
    before = s.count(rf"^(debug1: )?{LOC}invalid from criteria$")
    refused(s, pub, 'from="10.0.0.0/33,127.0.0.1"', "127.0.0.1", not_permitted("127.0.0.1", "10.0.0.0/33,127.0.0.1"))
    check(s.count(rf"^(debug1: )?{LOC}invalid from criteria$") > before,
          'from="10.0.0.0/33,127.0.0.1": log (DEBUG): invalid from criteria', s)

    # expiry-time=
    allowed(pub, 'expiry-time="25250101"', "127.0.0.1")
    allowed(pub, 'expiry-time="25250101Z",from="127.0.0.1"', "127.0.0.1")
    refused(s, pub, 'expiry-time="19990101"', "127.0.0.1",
            rf"^(debug1: )?{LOC}entry expired at 1999-01-01T00:00:00$",
            f"{AUTHKEYS}:1: entry expired at 1999-01-01T00:00:00")
    refused(s, pub, 'expiry-time="19990101000000Z"', "127.0.0.1", rf"^(debug1: )?{LOC}entry expired at ",
            f"{AUTHKEYS}:1: entry expired at ...")
    refused(s, pub, 'expiry-time="INVALID"', "127.0.0.1",
            rf"^(debug1: )?{LOC}bad key options: invalid expires time",
            f"{AUTHKEYS}:1: bad key options: invalid expires time")
    check(s.count(r"^Accepted publickey for alice from 127\.0\.0\.2 port \d+ ssh2") == 3,
          "the three logins from 127.0.0.2 were accepted as coming from 127.0.0.2", s)


harness.run(main)
