#!/usr/bin/python3
"""A user name "user:style" is user "user", as in OpenSSH: the part from the first ':' on is a BSD
authentication style, which names nothing on Linux. OpenSSH's regression suite (proxy-connect.sh)
logs in as "$USER:style"; before, privsshd looked "alice:style" up, found nobody and refused.
"""
from harness import KEYS, Server, check, run, ssh


def main():
    s = Server("PasswordAuthentication yes").start()

    # Positive control: the plain name logs in.
    r = ssh("id -un")
    check(r.returncode == 0 and r.stdout == b"alice\n", "alice logs in with her key", r, s)

    r = ssh("id -un", user="alice:style", key=f"{KEYS}/alice")
    check(r.returncode == 0 and r.stdout == b"alice\n", "alice:style logs in as alice with alice's key", r, s)
    check(s.wait_log(r"Accepted publickey for alice from 127\.0\.0\.1"), "logged as alice, without the style", s)
    check(not s.count(r"alice:style"), "no log line names alice:style", s)

    r = ssh("id -un", user="alice:bsdauth", password="alicepw")
    check(r.returncode == 0 and r.stdout == b"alice\n", "alice:bsdauth logs in with alice's password (PAM "
          "is asked about alice)", r, s)

    # The style takes nothing else: an unknown name stays unknown, and is logged without its style.
    r = ssh("id -un", user="nosuch:style", key=f"{KEYS}/alice")
    check(r.returncode == 255, "nosuch:style is refused", r, s)
    check(s.wait_log(r"Invalid user nosuch from 127\.0\.0\.1"), "logged as 'Invalid user nosuch'", s)
    # ':' alone: an empty user name, which is nobody.
    r = ssh("id -un", user=":alice", key=f"{KEYS}/alice")
    check(r.returncode == 255, "':alice' (an empty user with style 'alice') is refused", r, s)


run(main)
