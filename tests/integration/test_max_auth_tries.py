#!/usr/bin/python3
"""MaxAuthTries: with MaxAuthTries 3, a client that keeps sending wrong passwords gets three tries;
the server logs each failure and then "maximum authentication attempts exceeded" and disconnects
with "Too many authentication failures", in OpenSSH's words (fail2ban's filter knows them)."""
import harness
from harness import Server, check, ssh


def main():
    s = Server("MaxAuthTries 3").start()
    r = ssh("echo no", password="wrong", prompts=10)
    check(r.returncode == 255 and r.stdout == b"", f"ssh fails (exit {r.returncode})", r)
    check("Too many authentication failures" in r.log,
          "the client is told: Too many authentication failures", r)
    check(r.log.count("read_passphrase: requested to askpass") == 3,
          f"the client was asked for a password 3 times, not 10 "
          f"({r.log.count('read_passphrase: requested to askpass')})", r)
    check(s.count(r"^Failed password for alice from 127\.0\.0\.1 port \d+ ssh2$") == 3,
          "log: three 'Failed password for alice from 127.0.0.1 port N ssh2' lines", s)
    check(s.wait_log(r"^maximum authentication attempts exceeded for alice from 127\.0\.0\.1 port \d+ ssh2"
                     r"( \[preauth\])?$"),
          "log: maximum authentication attempts exceeded for alice from 127.0.0.1 port N ssh2", s)
    check(s.wait_log(r"^Disconnecting authenticating user alice 127\.0\.0\.1 port \d+: "
                     r"Too many authentication failures \[preauth\]$"),
          "log: Disconnecting authenticating user alice 127.0.0.1 port N: Too many authentication "
          "failures [preauth]", s)

    # Unknown users are counted the same way.
    r = ssh("echo no", user="bob", password="wrong", prompts=10)
    check(r.returncode == 255 and "Too many authentication failures" in r.log,
          "an unknown user is cut off after 3 tries too", r)
    check(s.count(r"^Failed password for invalid user bob from 127\.0\.0\.1 port \d+ ssh2$") == 3,
          "log: three 'Failed password for invalid user bob' lines", s)
    check(s.wait_log(r"^maximum authentication attempts exceeded for invalid user bob from 127\.0\.0\.1 "
                     r"port \d+ ssh2( \[preauth\])?$"),
          "log: maximum authentication attempts exceeded for invalid user bob ...", s)

    # Two tries fewer than the limit, then the right password: in.
    r = ssh("echo yes", password="alicepw", prompts=10)
    check(r.stdout == b"yes\n", "a client within the limit logs in", r)


harness.run(main)
