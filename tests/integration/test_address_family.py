#!/usr/bin/python3
"""AddressFamily any|inet|inet6, as OpenSSH: the listener binds only addresses of that family (the
wildcard of that family without ListenAddress), a
numeric ListenAddress of the other family is a configuration error, -4 and -6 set it, -T prints it.

Each family is checked both ways: what it must answer and what it must not."""
import re
import socket
import subprocess

import harness
from harness import PORT, Server, check


def without_default_listen(server, extra=""):
    """The harness writes ListenAddress 127.0.0.1 into every config; these tests choose their own."""
    with open(server.config_path) as f:
        lines = [l for l in f.read().splitlines() if l.strip() != "ListenAddress 127.0.0.1"]
    with open(server.config_path, "w") as f:
        f.write("\n".join(lines + [l for l in extra.splitlines() if l]) + "\n")
    return server


def answers(host):
    """True when an SSH server answers on host:PORT (its banner)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect((host, PORT))
        return s.recv(64).startswith(b"SSH-2.0-")
    except OSError:
        return False
    finally:
        s.close()


def login(host):
    argv = harness.ssh_argv(command="echo hi", host=host)
    p = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL, env=harness.ssh_env())
    return p.returncode == 0 and p.stdout == b"hi\n"


def privsshd(*args):
    return subprocess.run([harness.PRIVSSHD, *args], capture_output=True, text=True, timeout=30)


def main():
    harness.ours_only("the reference is checked by OpenSSH's own tests; this one rewrites the harness config")

    for family, v4, v6 in (("inet", True, False), ("inet6", False, True), ("any", True, True)):
        s = without_default_listen(Server(f"AddressFamily {family}", name=f"af-{family}")).start()
        t = privsshd("-T", "-f", s.config_path)
        check(f"addressfamily {family}\n" in t.stdout, f"-T prints addressfamily {family}", t.stdout + t.stderr)
        check(answers("127.0.0.1") == v4, f"AddressFamily {family}: 127.0.0.1 {'answers' if v4 else 'is refused'}",
              s.text())
        check(answers("::1") == v6, f"AddressFamily {family}: ::1 {'answers' if v6 else 'is refused'}", s.text())
        ok = login("127.0.0.1" if v4 else "::1")
        check(ok, f"AddressFamily {family}: a login over the family it listens on works", s.text())
        log = s.text()
        check(("Server listening on 0.0.0.0 port" in log) == v4 and ("Server listening on :: port" in log) == v6,
              f"AddressFamily {family}: the log names exactly the wildcards bound", log)
        s.stop()

    # A numeric ListenAddress of the other family is an error (OpenSSH: bad addr or host); the same family is not.
    bad = without_default_listen(Server("AddressFamily inet", name="af-bad"), "ListenAddress ::1")
    r = privsshd("-t", "-f", bad.config_path)
    check(r.returncode != 0 and "bad addr or host: ::1 (Address family for hostname not supported)" in r.stderr,
          "AddressFamily inet with ListenAddress ::1 is refused with OpenSSH's message", r.stderr)
    good = without_default_listen(Server("AddressFamily inet", name="af-good"), "ListenAddress 127.0.0.1")
    r = privsshd("-t", "-f", good.config_path)
    check(r.returncode == 0, "AddressFamily inet with ListenAddress 127.0.0.1 is accepted", r.stderr)
    bad6 = without_default_listen(Server("AddressFamily inet6", name="af-bad6"), "ListenAddress 127.0.0.1")
    r = privsshd("-t", "-f", bad6.config_path)
    check(r.returncode != 0 and "bad addr or host: 127.0.0.1" in r.stderr,
          "AddressFamily inet6 with ListenAddress 127.0.0.1 is refused", r.stderr)

    # -4 and -6 as in OpenSSH: AddressFamily inet and inet6, over the file's.
    anyconf = without_default_listen(Server("AddressFamily any", name="af-flags"))
    for flag, family in (("-4", "inet"), ("-6", "inet6")):
        r = privsshd(flag, "-T", "-f", anyconf.config_path)
        check(re.search(rf"^addressfamily {family}$", r.stdout, re.M), f"{flag} gives addressfamily {family}",
              r.stdout + r.stderr)
    s = Server("", name="af-minus6", args=("-6",))
    without_default_listen(s)
    s.start()
    check(answers("::1") and not answers("127.0.0.1"), "privsshd -6 listens on IPv6 only", s.text())
    s.stop()


harness.run(main)
