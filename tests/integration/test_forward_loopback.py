#!/usr/bin/python3
"""A remote forward on loopback (GatewayPorts no, and clientspecified with "localhost") listens on
the loopback address of each family AddressFamily allows, 127.0.0.1 and ::1, as OpenSSH: with port 0
both on the port the first one got, both sockets the user's, both gone on cancel and with the
connection. The controls: AddressFamily inet listens on 127.0.0.1 only (::1 refused), and a client
that names 127.0.0.1 or ::1 gets that family only. AddressFamily inet holds for the wildcard address
too (GatewayPorts yes: 0.0.0.0, not a dual-stack [::])."""
import os
import re
import subprocess

import harness
from forward_data import ask, expect, forward, listeners, serve_digest, up, wait_listening
from harness import Server, SshProcess, check

SVC = 8001      # the digest service on the client's side, the forwards' target


def reaches(port, host):
    """True when the digest service answers through host:port."""
    try:
        return ask(port, b"hello " + host.encode(), host=host, timeout=15) == expect(b"hello " + host.encode())
    except OSError:
        return False


def allocated(p):
    harness.wait_for(lambda: "Allocated port" in p.log or p.proc.poll() is not None, timeout=15)
    m = re.search(r"Allocated port (\d+) for remote forward", p.log)
    return int(m.group(1)) if m else None


def main():
    serve_digest(SVC)
    Server().start()

    # Port 0: one port for both families, each reaches the service, both sockets alice's.
    p = forward(["-R", f"0:127.0.0.1:{SVC}"])
    port = allocated(p)
    check(port is not None, "ssh -R 0: the client prints the allocated port", p)
    if port:
        owners = listeners(port, owners=True)
        check([a for a, _ in owners] == ["127.0.0.1", "[::1]"],
              f"ssh -R 0 listens on 127.0.0.1 and ::1, on the one allocated port {port} ({owners})")
        check(owners and all(uid == "2001" for _, uid in owners),
              f"both listening sockets belong to alice (uid 2001): {owners}")
        check(reaches(port, "127.0.0.1"), "the service answers through 127.0.0.1")
        check(reaches(port, "::1"), "and through ::1")
    p.close()
    check(port and harness.wait_for(lambda: not listeners(port), timeout=10),
          "both listeners close with the connection")

    # A fixed port, and an address the client names: that family only (the controls).
    p = forward(["-R", f"9310:127.0.0.1:{SVC}", "-R", f"127.0.0.1:9311:127.0.0.1:{SVC}",
                 "-R", f"[::1]:9312:127.0.0.1:{SVC}"])
    check(wait_listening(9310, p) and listeners(9310) == ["127.0.0.1", "[::1]"],
          f"ssh -R 9310: both loopbacks ({listeners(9310)})", p)
    check(wait_listening(9311, p) and listeners(9311) == ["127.0.0.1"] and reaches(9311, "127.0.0.1") and
          not reaches(9311, "::1"), f"ssh -R 127.0.0.1:9311: 127.0.0.1 only ({listeners(9311)})", p)
    check(wait_listening(9312, p) and listeners(9312) == ["[::1]"] and reaches(9312, "::1") and
          not reaches(9312, "127.0.0.1"), f"ssh -R [::1]:9312: ::1 only ({listeners(9312)})", p)
    p.close()

    # Through a ControlMaster: cancel closes both.
    cm = "/tmp/cm-loopback.sock"
    m = SshProcess(None, opts=["-N", "-M", "-S", cm])
    check(harness.wait_for(lambda: os.path.exists(cm), timeout=15), "the ControlMaster is up", m)
    ctl = harness.ssh_argv(opts=["-S", cm, "-O", "forward", "-R", f"9313:127.0.0.1:{SVC}"])
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and up(lambda: listeners(9313) == ["127.0.0.1", "[::1]"], m) and
          reaches(9313, "::1") and reaches(9313, "127.0.0.1"),
          f"ssh -O forward -R 9313: both loopbacks carry a connection ({listeners(9313)})", r.stderr)
    ctl[ctl.index("forward")] = "cancel"
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and harness.wait_for(lambda: not listeners(9313), timeout=10),
          f"ssh -O cancel -R 9313 closes both ({listeners(9313)})", r.stderr)
    m.close()

    # GatewayPorts clientspecified: "localhost" is both loopbacks too.
    Server.stop_all()
    Server("GatewayPorts clientspecified").start()
    p = forward(["-R", f"localhost:9314:127.0.0.1:{SVC}"])
    check(wait_listening(9314, p) and listeners(9314) == ["127.0.0.1", "[::1]"] and reaches(9314, "::1"),
          f"GatewayPorts clientspecified: -R localhost:9314 listens on both loopbacks ({listeners(9314)})", p)
    p.close()

    # AddressFamily inet: 127.0.0.1 only, ::1 refused.
    Server.stop_all()
    Server("AddressFamily inet").start()
    p = forward(["-R", f"0:127.0.0.1:{SVC}"])
    port = allocated(p)
    check(port is not None and listeners(port) == ["127.0.0.1"] and reaches(port, "127.0.0.1"),
          f"AddressFamily inet: ssh -R 0 listens on 127.0.0.1 only and carries a connection "
          f"({listeners(port) if port else None})", p)
    check(port is not None and not reaches(port, "::1"), "AddressFamily inet: nothing answers on ::1")
    p.close()

    # AddressFamily on the wildcard too (GatewayPorts yes): 0.0.0.0 alone, not [::] taking both.
    Server.stop_all()
    Server("AddressFamily inet\nGatewayPorts yes").start()
    p = forward(["-R", f"9315:127.0.0.1:{SVC}"])
    check(wait_listening(9315, p) and listeners(9315) == ["0.0.0.0"] and reaches(9315, "127.0.0.1"),
          f"AddressFamily inet, GatewayPorts yes: ssh -R listens on 0.0.0.0 ({listeners(9315)})", p)
    check(not reaches(9315, "::1"), "and nothing answers on ::1")
    p.close()


harness.run(main)
